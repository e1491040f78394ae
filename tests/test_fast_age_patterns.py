"""The age extractor's fast window test must find a match exactly where its readable form does.

`_NEAR_AGE_LOWER` is only asked whether it matches in text[lo:hi] (search with pos and endpos);
the readable reference starts some words with a word boundary, which makes re try it at every
position. Both are run over generated lower-case strings and windows.
"""
from __future__ import annotations

import re

from hypothesis import given, settings
from hypothesis import strategies as st

from eligex.extractors.demographics import _NEAR_AGE_LOWER

NEAR_AGE_REFERENCE = re.compile(r"\bage|year|yr|month|\bold\b|\bolder\b|\byounger\b|y/o|\byo\b|y\.o\.")

near_age_text = st.lists(
    st.sampled_from(list("aoygxe /.-1_é") + ["age", "ages", "old", "older", "younger", "yo", "year", "yr", "month",
                                              "y/o", "y.o.", "bold", "page", "yolk", "cold", "ld", "ounger"]),
    max_size=14,
).map("".join)


@settings(max_examples=5000, deadline=None)
@given(near_age_text, st.integers(min_value=0, max_value=60), st.integers(min_value=0, max_value=60))
def test_near_age_window_test_matches_like_its_readable_form(text: str, lo: int, hi: int) -> None:
    fast = _NEAR_AGE_LOWER.search(text, lo, hi) is not None
    ref = NEAR_AGE_REFERENCE.search(text, lo, hi) is not None
    assert fast == ref


def test_near_age_finds_age_words_only_at_word_starts() -> None:
    assert _NEAR_AGE_LOWER.search("aged 18 to 65") is not None
    assert _NEAR_AGE_LOWER.search("18 years") is not None
    assert _NEAR_AGE_LOWER.search("page 3, bold 5") is None
    assert _NEAR_AGE_LOWER.search("xage", 1) is None  # the boundary looks at the character before pos
