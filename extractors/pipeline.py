"""Connects the stages for one document: segment -> annotate -> extract.

`Extractor` is built once per process: it loads and validates the rule packs, compiles
their lexicons and builds the unit registry. `extract(doc)` then runs without I/O.
"""
from __future__ import annotations

import re
from bisect import bisect_left
from collections.abc import Iterable
from pathlib import Path

from .annotate import document_aliases
from .context import (Mention, build_context, concept_matches, document_stem_mentions, merge_mentions,
                      stem_mentions)
from .model import CriterionResult, SourceDocument, TrialRecord
from .registry import plan_for, registered_extractors
from .rulepack import load_rule_set, validate_units
from .segment import segment_criteria
from .units import UnitNormalizer
from .vocab import CompiledRules

NO_CRITERIA_WARNING = "no eligibility criteria found in this document"
# the cheap test: a criterion with no concept mention, no label and no digit holds no constraint
_HAS_DIGIT = re.compile(r"\d")
_COUNT_WORDS = re.compile(r"(?i)prior|previous|older|younger")  # "two prior regimens", "older than eighty"
_COUNT_WORDS_LOWER = re.compile(r"prior|previous|older|younger")  # the same in lower-cased ASCII text (faster)


def worth_extracting(ctx) -> bool:
    """The cheap test: a criterion with no concept mention, no label, no digit and no count
    word holds no constraint."""
    return may_hold_constraint(ctx.criterion, ctx.mentions)


def may_hold_constraint(criterion, mentions: list) -> bool:
    """`worth_extracting` before a context is built (most criteria stop here)."""
    text = criterion.text
    if mentions or criterion.label or _HAS_DIGIT.search(text) is not None:
        return True
    if text.isascii():
        return _COUNT_WORDS_LOWER.search(text.lower()) is not None
    return _COUNT_WORDS.search(text) is not None


class Extractor:
    """Built once per process (rule packs loaded, patterns compiled); call `extract` per document."""

    def __init__(self, rule_dirs: Iterable[Path] = ()):
        self.rule_dirs = [Path(d) for d in rule_dirs]
        self.rule_set = load_rule_set(self.rule_dirs, check_units=False)
        self.units = UnitNormalizer(self.rule_set.unit_files)
        validate_units(self.rule_set, self.units)
        self.compiled = CompiledRules(self.rule_set)
        self.extractors = registered_extractors()
        self._plans: dict[tuple, list] = {}  # (concept kinds, label) -> the extractors to call

    def extract(self, doc: SourceDocument) -> TrialRecord:
        criteria = segment_criteria(doc)
        record = TrialRecord(document=doc, criteria=[])
        if not criteria:
            record.warnings.append(NO_CRITERIA_WARNING)
            return record

        aliases = document_aliases(criteria, self.compiled)
        by_criterion = self._mentions_by_criterion(doc, criteria)
        for criterion, mentions in zip(criteria, by_criterion):
            result = CriterionResult(criterion)
            record.criteria.append(result)
            if aliases:
                extra = aliases.mentions_in(criterion.text)
                if extra:
                    mentions = merge_mentions(mentions, extra)
            if not may_hold_constraint(criterion, mentions):
                continue
            ctx = build_context(criterion, self.compiled, self.units, None, mentions)
            plan_key = (ctx.kinds, criterion.label)
            plan = self._plans.get(plan_key)
            if plan is None:
                if len(self._plans) >= 4096:
                    self._plans.clear()
                plan = self._plans[plan_key] = plan_for(self.extractors.values(), ctx.kinds, criterion.label)
            for fn, unless in plan:
                if unless is None or unless(ctx):
                    result.constraints.extend(fn(ctx))
        return record

    def _mentions_by_criterion(self, doc: SourceDocument, criteria: list) -> list:
        """One scan of the document for concept mentions, shared out to its criteria
        (offsets made relative to each criterion; a mention must lie inside it)."""
        lo = min(c.span[0] for c in criteria)
        hi = max(c.span[1] for c in criteria)
        text = doc.text
        found = concept_matches(text, self.compiled, lo, hi)
        # the stem search runs on the lower-cased document, when lower-casing is character by
        # character (same length, no final sigma) and so equals lower-casing each criterion
        lowered = text.lower()
        if len(lowered) != len(text) or "Σ" in text:
            lowered = None
        starts = [m.start for m in found]
        n = len(found)
        spans = [c.span for c in criteria]
        # drug stems only where the criterion talks about treatment
        if lowered is None:
            stems_by_criterion = [stem_mentions(c.text, self.compiled) for c in criteria]
        else:
            stems_by_criterion = document_stem_mentions(text, lowered, spans, self.compiled)
        out = []
        for (a, b), stems in zip(spans, stems_by_criterion):
            i = bisect_left(starts, a)
            own = []
            while i < n and starts[i] < b:
                m = found[i]
                if m.end <= b:
                    own.append(Mention(m.start - a, m.end - a, m.text, m.values))
                i += 1
            out.append(merge_mentions(own, stems))
        return out
