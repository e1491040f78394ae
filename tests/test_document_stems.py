"""Drug names found by their stem in one search of the whole (reversed) document give, for each
criterion, what a search of that criterion alone gives (`stem_mentions`)."""
from __future__ import annotations

import gzip
from itertools import islice
from pathlib import Path

import pytest
from hypothesis import example, given, settings
from hypothesis import strategies as st

from eligex.cli.inputs import expand_paths, iter_documents
from eligex.extractors.context import document_stem_mentions, stem_mentions
from eligex.extractors.model import SourceDocument
from eligex.extractors.segment import segment_criteria

SAMPLES = Path(__file__).resolve().parents[1] / "samples"
CORPUS = Path(__file__).resolve().parents[2] / "shared" / "corpus" / "ctgov_eligibility_00.jsonl.gz"


def _one_by_one(text: str, spans, rules):
    low = text.lower()
    return [stem_mentions(text, rules, lowered=low, start=a, end=b) for a, b in spans]


def _compare_documents(docs, rules) -> int:
    found = 0
    for doc in docs:
        spans = [c.span for c in segment_criteria(doc)]
        low = doc.text.lower()
        if not spans or len(low) != len(doc.text):
            continue
        whole = document_stem_mentions(doc.text, low, spans, rules)
        assert whole == _one_by_one(doc.text, spans, rules)
        found += sum(map(len, whole))
    return found


def test_document_stems_match_criterion_stems_on_samples(extractor):
    docs = [d for d in iter_documents(expand_paths([str(SAMPLES)])) if isinstance(d, SourceDocument)]
    assert _compare_documents(docs, extractor.compiled) > 0


@pytest.mark.skipif(not CORPUS.exists(), reason="../shared/corpus is not beside the repository")
def test_document_stems_match_criterion_stems_on_corpus_trials(extractor, tmp_path):
    sample = tmp_path / "trials.jsonl"
    with gzip.open(CORPUS, "rt", encoding="utf-8") as fh:
        sample.write_text("".join(islice(fh, 400)), encoding="utf-8")
    docs = [d for d in iter_documents(expand_paths([str(sample)])) if isinstance(d, SourceDocument)]
    assert _compare_documents(docs, extractor.compiled) > 10


_PIECES = ["prior ", "treated with ", "afatinib", "imatinib", "nib", "rituximab", "mab", "umab", "xmab", "-", " ",
           "\n", "1", "_", "é", "É", "pembrolizumab", "abc", "Trastuzumab", "(", ")", "/", ",", "ab", "tinib-"]


@settings(max_examples=1500, deadline=None)
@given(st.lists(st.sampled_from(_PIECES), max_size=16).map("".join), st.lists(st.integers(0, 60), max_size=6))
@example("prior afatinib\nprior imatinib", [7, 15])
@example("prior afatinibé x", [])
@example("prior xafatinib", [6])
def test_document_stems_match_criterion_stems_on_any_spans(extractor, text: str, cuts: list[int]) -> None:
    """Spans whose edges fall inside words (a word running over a criterion's edge), words
    that go on with a non-ASCII letter or a hyphen, stems at the text's end."""
    low = text.lower()
    if len(low) != len(text):
        return
    points = sorted({0, len(text), *(min(c, len(text)) for c in cuts)})
    spans = [(a, b) for a, b in zip(points, points[1:]) if b > a]
    rules = extractor.compiled
    assert document_stem_mentions(text, low, spans, rules) == _one_by_one(text, spans, rules)
