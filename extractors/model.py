"""The data that flows between stages: documents, criteria, constraints, records.

Every stage returns these plain dataclasses so a test can build any of them by hand.
Field names follow ../shared/spec/OUTPUT.md verbatim.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from . import SCHEMA_VERSION

Span = tuple[int, int]


@dataclass
class TrialInfo:
    """Registry facts about a trial, filled wherever the input format carries them."""

    nct_id: str | None = None
    title: str | None = None
    conditions: list[str] = field(default_factory=list)
    interventions: list[dict[str, str]] = field(default_factory=list)
    minimum_age: dict[str, Any] | None = None  # {"value": 18, "unit": "year"}
    maximum_age: dict[str, Any] | None = None
    sex: str | None = None  # all | female | male
    healthy_volunteers: bool | None = None

    def to_dict(self) -> dict[str, Any]:
        return {
            "nct_id": self.nct_id,
            "title": self.title,
            "conditions": list(self.conditions),
            "interventions": list(self.interventions),
            "minimum_age": self.minimum_age,
            "maximum_age": self.maximum_age,
            "sex": self.sex,
            "healthy_volunteers": self.healthy_volunteers,
        }


@dataclass
class SourceDocument:
    """One trial document as read. `text` is never edited: every span indexes it.

    `criteria_region` is the [start, end) part of `text` that holds the eligibility
    criteria, or None when the document has none.
    """

    path: str
    format: str
    text: str
    text_field: str | None = None
    sha256: str | None = None
    row: int | None = None
    trial: TrialInfo = field(default_factory=TrialInfo)
    criteria_region: Span | None = None
    warnings: list[str] = field(default_factory=list)

    def source_dict(self) -> dict[str, Any]:
        d: dict[str, Any] = {
            "path": self.path,
            "format": self.format,
            "text_field": self.text_field,
            "sha256": self.sha256,
        }
        if self.row is not None:
            d["row"] = self.row
        return d


@dataclass
class Criterion:
    """One numbered (or bulleted, or labelled) item of the eligibility text."""

    id: str
    section: str  # inclusion | exclusion | unspecified
    parent: str | None
    text: str
    span: Span
    label: str | None = None  # legacy layout line label ("Performance status"), heading context


@dataclass
class Interval:
    min: float | None = None
    min_inclusive: bool | None = None
    max: float | None = None
    max_inclusive: bool | None = None


@dataclass
class Constraint:
    """One structured requirement. Type-specific fields stay None when unused."""

    type: str
    polarity: str
    text: str
    span: Span
    rule: str
    interval: Interval = field(default_factory=Interval)
    unit: str | None = None
    normalized: dict[str, Any] | None = None
    analyte: str | None = None
    scale: str | None = None
    value: str | None = None  # sex
    relative_to: str | None = None
    condition: str | None = None
    target: str | None = None
    window: dict[str, Any] | None = None
    anchor: str | None = None
    therapy: str | None = None
    count_unit: str | None = None
    extra: dict[str, Any] = field(default_factory=dict)  # added fields (therapy_classes, …)

    def to_dict(self) -> dict[str, Any]:
        # Key order is part of the output: one dict display per type, in the documented order.
        t = self.type
        iv = self.interval
        if t == "lab" or t == "measurement":
            d: dict[str, Any] = {
                "type": t, "analyte": self.analyte, "polarity": self.polarity,
                "min": iv.min, "min_inclusive": iv.min_inclusive, "max": iv.max, "max_inclusive": iv.max_inclusive,
                "unit": self.unit, "normalized": self.normalized, "relative_to": self.relative_to,
                "condition": self.condition,
            }
        elif t == "sex":
            d = {"type": t, "value": self.value, "polarity": self.polarity, "condition": self.condition}
        elif t == "washout":
            d = {"type": t, "target": self.target, "polarity": self.polarity, "window": self.window,
                 "anchor": self.anchor, "condition": self.condition}
        else:
            if t == "performance_status":
                d = {"type": t, "scale": self.scale, "polarity": self.polarity}
            elif t == "prior_therapy":
                d = {"type": t, "therapy": self.therapy, "polarity": self.polarity}
            else:
                d = {"type": t, "polarity": self.polarity}
            d["min"] = iv.min
            d["min_inclusive"] = iv.min_inclusive
            d["max"] = iv.max
            d["max_inclusive"] = iv.max_inclusive
            d["unit"] = self.unit
            d["normalized"] = self.normalized
            if t == "prior_therapy":
                d["count_unit"] = self.count_unit
            d["condition"] = self.condition
        if self.extra:
            d.update(self.extra)
        d["text"] = self.text
        d["span"] = list(self.span)
        d["rule"] = self.rule
        return d


@dataclass
class CriterionResult:
    criterion: Criterion
    constraints: list[Constraint] = field(default_factory=list)

    def to_dict(self) -> dict[str, Any]:
        c = self.criterion
        return {
            "id": c.id,
            "section": c.section,
            "parent": c.parent,
            "text": c.text,
            "span": list(c.span),
            "constraints": [k.to_dict() for k in self.constraints] if self.constraints else [],
        }


@dataclass
class TrialRecord:
    """The output for one document."""

    document: SourceDocument
    criteria: list[CriterionResult] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)

    def to_dict(self) -> dict[str, Any]:
        return {
            "schema_version": SCHEMA_VERSION,
            "source": self.document.source_dict(),
            "trial": self.document.trial.to_dict(),
            "criteria": [c.to_dict() for c in self.criteria],
            "warnings": [*self.document.warnings, *self.warnings],
        }


@dataclass
class ReadFailure:
    """A document (or one record of a multi-record file) that could not be read.

    Readers yield it in the document's place so a batch can write an error record and go on.
    """

    path: str
    kind: str
    message: str
    row: int | None = None
    format: str | None = None

    def to_dict(self) -> dict[str, Any]:
        source: dict[str, Any] = {"path": self.path, "format": self.format}
        if self.row is not None:
            source["row"] = self.row
        return {"source": source, "error": {"type": self.kind, "message": self.message}}
