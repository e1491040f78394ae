"""Extractors registered by versioned name; the pipeline runs them in registration order.

An extractor is a function `(CriterionContext) -> list[Constraint]` with no I/O.
"""
from __future__ import annotations

from collections.abc import Callable

from .context import CriterionContext
from .model import Constraint

ExtractorFn = Callable[[CriterionContext], list[Constraint]]
EXTRACTORS: dict[str, ExtractorFn] = {}


def extractor(name: str) -> Callable[[ExtractorFn], ExtractorFn]:
    def register(fn: ExtractorFn) -> ExtractorFn:
        if name in EXTRACTORS:
            raise ValueError(f"extractor '{name}' registered twice")
        EXTRACTORS[name] = fn
        return fn

    return register


def registered_extractors() -> dict[str, ExtractorFn]:
    # importing the modules registers their extractors, in this order
    from . import washout, prior_therapy, labs, performance, demographics  # noqa: F401

    return EXTRACTORS
