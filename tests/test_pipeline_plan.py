"""The pipeline calls an extractor only where its declared cheap test admits the criterion.

Skipping must never lose a constraint: the same documents extracted with every extractor
called on every criterion give the same result.
"""
from __future__ import annotations

import gzip
from itertools import islice
from pathlib import Path

import pytest

from eligex.cli.inputs import expand_paths, iter_documents
from eligex.extractors import pipeline as pipeline_module
from eligex.extractors.model import SourceDocument
from eligex.extractors.pipeline import Extractor
from eligex.extractors.registry import Registered, plan_for

SAMPLES = Path(__file__).resolve().parents[1] / "samples"
CORPUS = Path(__file__).resolve().parents[2] / "shared" / "corpus" / "ctgov_eligibility_00.jsonl.gz"


def _call_everything(extractors, kinds, label=None):
    return [(reg.fn, None) for reg in extractors]


def _results(extractor: Extractor, docs: list[SourceDocument]) -> list[list[dict]]:
    return [[k.to_dict() for c in extractor.extract(d).criteria for k in c.constraints] for d in docs]


def _compare(docs: list[SourceDocument], monkeypatch: pytest.MonkeyPatch) -> int:
    planned = _results(Extractor(), docs)
    monkeypatch.setattr(pipeline_module, "plan_for", _call_everything)
    unplanned = _results(Extractor(), docs)
    assert planned == unplanned
    return sum(map(len, planned))


def test_skipping_extractors_loses_nothing_on_the_samples(monkeypatch):
    docs = [d for d in iter_documents(expand_paths([str(SAMPLES)])) if isinstance(d, SourceDocument)]
    assert _compare(docs, monkeypatch) > 20  # the samples hold constraints of every kind


@pytest.mark.skipif(not CORPUS.exists(), reason="../shared/corpus is not beside the repository")
def test_skipping_extractors_loses_nothing_on_corpus_trials(monkeypatch, tmp_path):
    # 300 real trials, as the corpus holds them
    sample = tmp_path / "trials.jsonl"
    with gzip.open(CORPUS, "rt", encoding="utf-8") as fh:
        sample.write_text("".join(islice(fh, 300)), encoding="utf-8")
    docs = [d for d in iter_documents(expand_paths([str(sample)])) if isinstance(d, SourceDocument)]
    assert len(docs) == 300
    assert _compare(docs, monkeypatch) > 150


def test_plan_keeps_extractors_by_kinds_label_and_predicate():
    def fn(ctx):
        return []

    by_kind = Registered("k", fn, frozenset({"analyte"}))
    by_label = Registered("l", fn, frozenset({"scale"}), label=lambda s: "performance" in s.lower())
    by_text = Registered("t", fn, frozenset({"therapy"}), unless=lambda ctx: True)
    always = Registered("a", fn, None)
    regs = [by_kind, by_label, by_text, always]

    plan = plan_for(regs, frozenset({"analyte"}), None)
    assert len(plan) == 3 and plan[0] == (fn, None) and plan[1] == (fn, by_text.unless) and plan[2] == (fn, None)
    plan = plan_for(regs, frozenset(), "Performance status")
    assert plan == [(fn, None), (fn, by_text.unless), (fn, None)]  # the label admits the scale extractor
    plan = plan_for(regs, frozenset({"therapy"}), None)
    assert plan == [(fn, None), (fn, None)]  # kinds admit the third outright; the first and second are out
