"""Connects the stages for one document: segment -> annotate -> extract.

`Extractor` is built once per process: it loads and validates the rule packs, compiles
their lexicons and builds the unit registry. `extract(doc)` then runs without I/O.
"""
from __future__ import annotations

import re
from collections.abc import Iterable
from pathlib import Path

from .annotate import document_aliases
from .context import build_context
from .model import CriterionResult, SourceDocument, TrialRecord
from .registry import registered_extractors
from .rulepack import load_rule_set, validate_units
from .segment import segment_criteria
from .units import UnitNormalizer
from .vocab import CompiledRules

NO_CRITERIA_WARNING = "no eligibility criteria found in this document"
# the cheap test: a criterion with no concept mention, no label and no digit holds no constraint
_HAS_DIGIT = re.compile(r"\d")


class Extractor:
    """Built once per process (rule packs loaded, patterns compiled); call `extract` per document."""

    def __init__(self, rule_dirs: Iterable[Path] = ()):
        self.rule_dirs = [Path(d) for d in rule_dirs]
        self.rule_set = load_rule_set(self.rule_dirs, check_units=False)
        self.units = UnitNormalizer(self.rule_set.unit_files)
        validate_units(self.rule_set, self.units)
        self.compiled = CompiledRules(self.rule_set)
        self.extractors = registered_extractors()

    def extract(self, doc: SourceDocument) -> TrialRecord:
        criteria = segment_criteria(doc)
        record = TrialRecord(document=doc, criteria=[])
        if not criteria:
            record.warnings.append(NO_CRITERIA_WARNING)
            return record
        aliases = document_aliases(criteria, self.compiled)
        for criterion in criteria:
            result = CriterionResult(criterion)
            record.criteria.append(result)
            extra = aliases.mentions_in(criterion.text) if aliases else None
            ctx = build_context(criterion, self.compiled, self.units, extra)
            if not ctx.mentions and not criterion.label and _HAS_DIGIT.search(criterion.text) is None:
                continue
            for fn in self.extractors.values():
                result.constraints.extend(fn(ctx))
        return record
