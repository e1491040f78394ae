"""Extractors registered by versioned name; the pipeline runs them in registration order.

An extractor is a function `(CriterionContext) -> list[Constraint]` with no I/O. It may
declare its cheap test so the pipeline can skip it without a call:

- `kinds`: it can find something only where the criterion mentions a concept of one of
  these kinds ("analyte", "therapy", ...);
- `label`: a predicate on the criterion's label that admits it all the same ("Performance
  status:" with no scale named); asked once per distinct label;
- `unless`: a predicate on the whole context that admits it all the same (asked per criterion).

Both must be implied by the extractor's own logic: skipping it must never lose a constraint.
"""
from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass

from .context import CriterionContext
from .model import Constraint

ExtractorFn = Callable[[CriterionContext], list[Constraint]]


@dataclass(frozen=True)
class Registered:
    name: str
    fn: ExtractorFn
    kinds: frozenset[str] | None = None  # None: no kind needed, always called
    unless: Callable[[CriterionContext], bool] | None = None
    label: Callable[[str], bool] | None = None

    def wanted(self, ctx: CriterionContext) -> bool:
        return self.kinds is None or not self.kinds.isdisjoint(ctx.kinds) \
            or (self.label is not None and bool(ctx.label) and self.label(ctx.label)) \
            or (self.unless is not None and self.unless(ctx))


EXTRACTORS: dict[str, Registered] = {}


def plan_for(extractors: Iterable[Registered], kinds: frozenset[str],
             label: str | None = None) -> list[tuple[ExtractorFn, Callable | None]]:
    """(function, predicate or None) for the extractors that may find something in a criterion
    with this label that mentions these concept kinds; the predicate must admit it first."""
    plan = []
    for reg in extractors:
        if reg.kinds is None or not reg.kinds.isdisjoint(kinds) or (reg.label is not None and label and reg.label(label)):
            plan.append((reg.fn, None))
        elif reg.unless is not None:
            plan.append((reg.fn, reg.unless))
    return plan


def extractor(name: str, kinds: set[str] | frozenset[str] | None = None,
              unless: Callable[[CriterionContext], bool] | None = None,
              label: Callable[[str], bool] | None = None) -> Callable[[ExtractorFn], ExtractorFn]:
    def register(fn: ExtractorFn) -> ExtractorFn:
        if name in EXTRACTORS:
            raise ValueError(f"extractor '{name}' registered twice")
        EXTRACTORS[name] = Registered(name, fn, frozenset(kinds) if kinds is not None else None, unless, label)
        return fn

    return register


def registered_extractors() -> dict[str, Registered]:
    # importing the modules registers their extractors, in this order
    from . import washout, prior_therapy, labs, performance, demographics  # noqa: F401

    return EXTRACTORS
