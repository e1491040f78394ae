"""Extraction never raises and every span indexes its text, on generated and real criteria."""
from __future__ import annotations

import gzip
import json
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from eligex.extractors.model import SourceDocument

# pieces that reach every extractor: analytes, scales, therapies, comparators, numbers, units,
# durations, cue words, brackets and separators
_PIECES = [
    "ANC", "platelets", "Hgb", "creatinine clearance", "AST/ALT", "bilirubin", "QTcF", "BP", "LVEF", "HbA1c",
    "ECOG", "Karnofsky", "performance status", "life expectancy", "age", "aged", "years", "months", "weeks",
    "days", "hours", "chemotherapy", "radiotherapy", "pembrolizumab", "anti-PD-1", "investigational agent",
    "major surgery", "treatment-naive", "prior", "previous", "no", "not", "without", "within", "since",
    "before the first dose", "at least", "no more than", "between", "and", "or", "if", "unless", "except",
    "≥", "≤", ">", "<", "=", ">/=", "\\<", "×", "x", "ULN", "times", "normal", "1.5", "1,500", "100.000", "2",
    "10^9/L", "/mm3", "mg/dL", "µmol/L", "g/24h", "%", "msec", "mmHg", "150/90", "(", ")", "[", "]", ",", ";",
    ".", ":", "-", "\n", "  ", "lines", "regimens", "cycles", "third line or beyond", "twice", "one", "birth",
]


def _doc(text: str) -> SourceDocument:
    return SourceDocument(path="fuzz.txt", format="plain-text", text=text, criteria_region=(0, len(text)))


def _check(extractor, text: str) -> None:
    record = extractor.extract(_doc(text)).to_dict()
    json.dumps(record)
    for crit in record["criteria"]:
        assert text[crit["span"][0]:crit["span"][1]] == crit["text"]
        for c in crit["constraints"]:
            assert text[c["span"][0]:c["span"][1]] == c["text"]


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(st.lists(st.sampled_from(_PIECES), max_size=40), st.sampled_from(["Inclusion Criteria:\n- ", "Exclusion Criteria:\n1. ", ""]))
def test_generated_criteria_never_raise(extractor, pieces, head):
    _check(extractor, head + " ".join(pieces))


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(st.text(max_size=300), st.sampled_from(_PIECES), st.integers(0, 300))
def test_mutated_criteria_never_raise(extractor, noise, piece, at):
    base = "Inclusion Criteria:\n- Platelets ≥ 100 × 10^9/L; no chemotherapy within 4 weeks; ECOG 0-1\n"
    at = min(at, len(base))
    _check(extractor, base[:at] + piece + noise + base[at:])


CORPUS = Path(__file__).resolve().parents[2] / "shared" / "corpus" / "ctgov_eligibility_00.jsonl.gz"


@pytest.mark.skipif(not CORPUS.exists(), reason="../shared/corpus is not beside the repository")
def test_real_criteria_sample_never_raises(extractor):
    """Every 40th record of the corpus (about 330 real trials) through the whole pipeline."""
    with gzip.open(CORPUS, "rt", encoding="utf-8") as f:
        for i, line in enumerate(f):
            if i % 40:
                continue
            text = json.loads(line).get("eligibility_criteria") or ""
            _check(extractor, text)
