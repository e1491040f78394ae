"""Connects the stages for one document: segment -> annotate -> extract -> polarity."""
from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path

from .model import CriterionResult, SourceDocument, TrialRecord
from .segment import segment_criteria

NO_CRITERIA_WARNING = "no eligibility criteria found in this document"


class Extractor:
    """Built once per process (rule packs loaded, patterns compiled); call `extract` per document."""

    def __init__(self, rule_dirs: Iterable[Path] = ()):
        self.rule_dirs = list(rule_dirs)

    def extract(self, doc: SourceDocument) -> TrialRecord:
        criteria = segment_criteria(doc)
        record = TrialRecord(document=doc, criteria=[CriterionResult(c) for c in criteria])
        if not criteria:
            record.warnings.append(NO_CRITERIA_WARNING)
        return record
