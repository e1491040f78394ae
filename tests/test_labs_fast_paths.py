"""The lab extractor's fast paths give what the plain ones give.

- `_SYMBOL_OR_MULTIPLE` consumes its "t" before the look-behind that stands for a leading
  word boundary: it must match exactly what its readable form matches, at every start and
  end position.
- `_find_threshold` remembers its answers for a recurring (text, window, analytes): a
  remembered answer must equal a fresh one, and a caller changing the threshold it got must
  not change what the next caller gets.
"""
from __future__ import annotations

import re

from hypothesis import given, settings
from hypothesis import strategies as st

from eligex.extractors import labs
from eligex.extractors.labs import _SYMBOL_OR_MULTIPLE

SYMBOL_OR_MULTIPLE_REFERENCE = re.compile(r"[≥≤<>=\\]|(?i:\b(?:twice|thrice)\b)")

symbol_text = st.lists(
    st.sampled_from(["twice", "Twice", "TWICE", "thrice", "THRICE", "tWiCe", "t", "T", "wice", "hrice", "a", "1", "_",
                     " ", "-", ".", "≥", "≤", "<", ">", "=", "\\", "x", "é", "ı", "İ", "\n", "twicer", "atwice"]),
    max_size=12,
).map("".join)


def spans(pattern: re.Pattern[str], text: str, pos: int = 0, endpos: int | None = None) -> list[tuple[int, int]]:
    return [m.span() for m in pattern.finditer(text, pos, len(text) if endpos is None else endpos)]


@settings(max_examples=3000, deadline=None)
@given(symbol_text, st.integers(min_value=0, max_value=40), st.integers(min_value=0, max_value=60))
def test_symbol_or_multiple_matches_like_its_readable_form(text: str, pos: int, endpos: int) -> None:
    assert spans(_SYMBOL_OR_MULTIPLE, text) == spans(SYMBOL_OR_MULTIPLE_REFERENCE, text)
    assert spans(_SYMBOL_OR_MULTIPLE, text, pos, endpos) == spans(SYMBOL_OR_MULTIPLE_REFERENCE, text, pos, endpos)
    fast, ref = _SYMBOL_OR_MULTIPLE.match(text, pos), SYMBOL_OR_MULTIPLE_REFERENCE.match(text, pos)
    assert (fast and fast.span()) == (ref and ref.span())


def test_symbol_or_multiple_examples() -> None:
    text = "AST ≤ 3 x ULN, or twice normal; not thrice-weekly, atwice, Twice"
    assert [m.group() for m in _SYMBOL_OR_MULTIPLE.finditer(text)] == ["≤", "twice", "thrice", "Twice"]


CRITERIA = [
    "ALT and AST ≤ 2.5 × ULN (≤ 5 × ULN if liver metastases)",
    "Absolute neutrophil count ≥ 1,500/mm3 and platelets ≥ 100,000/mm3",
    "Serum creatinine ≤ 1.5 mg/dL or creatinine clearance ≥ 60 mL/min",
    "Hemoglobin ≥ 9 g/dL (transfusion allowed)",
    "Total bilirubin within normal limits",
]


def test_remembered_thresholds_equal_fresh_ones(extract) -> None:
    labs._FOUND.clear()
    fresh = [extract(t) for t in CRITERIA]
    assert all(fresh)
    again = [extract(t) for t in CRITERIA]  # every _find_threshold answer remembered now
    assert again == fresh
    saved = labs._FOUND_MAX
    try:
        labs._FOUND_MAX = 0  # nothing remembered for long
        labs._FOUND.clear()
        assert [extract(t) for t in CRITERIA] == fresh
    finally:
        labs._FOUND_MAX = saved


def test_a_changed_threshold_does_not_change_the_remembered_one(extract) -> None:
    labs._FOUND.clear()
    got = []
    original = labs._find_threshold_uncached

    def spy(*args):
        th = original(*args)
        got.append(th)
        return th

    labs._find_threshold_uncached = spy
    try:
        first = extract(CRITERIA[0])
        assert any(th is not None for th in got)
        for th in got:
            if th is not None:
                th.op, th.relative_to, th.end, th.extras["x"] = "=", "LLN", 0, 1
        assert extract(CRITERIA[0]) == first
    finally:
        labs._find_threshold_uncached = original
