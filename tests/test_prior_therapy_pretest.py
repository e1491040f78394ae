"""The prior-therapy mention pretest (`_may_give`) only skips mentions that give nothing: the
same documents extracted with the pretest admitting every mention give the same result, and its
number pattern finds a number wherever `match_number` reads one other than "a"/"an"."""
from __future__ import annotations

import gzip
from itertools import islice
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from eligex.cli.inputs import expand_paths, iter_documents
from eligex.extractors.model import SourceDocument
from eligex.extractors.pipeline import Extractor
from eligex.extractors.quantities import match_number

SAMPLES = Path(__file__).resolve().parents[1] / "samples"
CORPUS = Path(__file__).resolve().parents[2] / "shared" / "corpus" / "ctgov_eligibility_00.jsonl.gz"


_RULES: list = []


def _prior_therapy():
    """The module, imported once the pipeline has registered the extractors in its own order
    (importing it first would register it before the washout extractor)."""
    import importlib
    if not _RULES:
        _RULES.append(Extractor().compiled)
    return importlib.import_module("eligex.extractors.prior_therapy")


def _results(docs):
    ex = Extractor()
    return [[k.to_dict() for c in ex.extract(d).criteria for k in c.constraints] for d in docs]


def _compare(docs, monkeypatch) -> int:
    prior_therapy = _prior_therapy()
    fast = _results(docs)
    skipped = []
    real = prior_therapy._may_give

    def admit_all(*args):
        skipped.append(not real(*args))
        return True

    monkeypatch.setattr(prior_therapy, "_may_give", admit_all)
    slow = _results(docs)
    assert fast == slow
    assert any(skipped)  # the pretest did skip mentions
    return sum(1 for d in fast for k in d if k["type"] == "prior_therapy")


def test_pretest_loses_nothing_on_the_samples(monkeypatch):
    docs = [d for d in iter_documents(expand_paths([str(SAMPLES)])) if isinstance(d, SourceDocument)]
    assert _compare(docs, monkeypatch) > 0


@pytest.mark.skipif(not CORPUS.exists(), reason="../shared/corpus is not beside the repository")
def test_pretest_loses_nothing_on_corpus_trials(monkeypatch, tmp_path):
    sample = tmp_path / "trials.jsonl"
    with gzip.open(CORPUS, "rt", encoding="utf-8") as fh:
        sample.write_text("".join(islice(fh, 300)), encoding="utf-8")
    docs = [d for d in iter_documents(expand_paths([str(sample)])) if isinstance(d, SourceDocument)]
    assert _compare(docs, monkeypatch) > 5


_PIECES = ["a", "an", "one", "none", "two", "twenty-one", "twenty", "x", "-", " ", "1", ".", "5", "and a half",
           "bone", "once", "some", "(", "/", "ten", "often", "2nd", "A", "Two", "_"]


def _rules():
    if not _RULES:
        _RULES.append(Extractor().compiled)
    return _RULES[0]


@settings(max_examples=3000, deadline=None)
@given(st.lists(st.sampled_from(_PIECES), max_size=8), st.data())
def test_number_pattern_finds_every_number_match_number_reads(pieces, data):
    rules = _rules()
    prior_therapy = _prior_therapy()
    text = "".join(pieces)
    low = text.lower()
    pattern = prior_therapy._number_word_re(rules.number_words)
    a = data.draw(st.integers(0, len(text)))
    b = data.draw(st.integers(a, len(text)))
    read = False
    for p in range(a, b):
        n = match_number(text, p, rules)
        if n is not None and n.end <= b and n.text.lower() not in ("a", "an"):
            read = True
    if read:
        assert pattern.search(low, a, b) is not None
