"""Patterns rewritten for speed must match exactly what their readable form matches.

Each fast pattern consumes its first character before its look-behind, so that re can skip
ahead to candidate characters; the readable reference pattern starts with the look-behind.
Both are run over generated strings made of the characters that matter to them.
"""
from __future__ import annotations

import re

from hypothesis import example, given, settings
from hypothesis import strategies as st

from eligex.extractors.context import _SENTENCE_END, find_sentences
from eligex.extractors.quantities import NUMBER_RE

NUMBER_REFERENCE = re.compile(
    r"""(?<![\w.,^])
    (?:\d{1,3}(?:,\d{3})+(?:\.\d+)?(?![\d,])
     |\d{1,3}(?:\.\d{3})+(?![\d.,])
     |\d{1,3}(?:[ \u00a0\u202f]\d{3})+(?=\s*(?:/|cells|[x×]\s*10|per\b))
     |\d+(?:[.,]\d+)?(?![\d])
     |\.\d+(?![\d])
    )(?!(?:st|nd|rd|th)\b)
    """,
    re.X,
)

SENTENCE_END_REFERENCE = re.compile(
    r"(?<=[.;!?])\s+(?=[A-Z(\"'\d•\-])|\n\s*\n|;\s*|\n(?=\s*(?:[-•*·]|\d+[.)]|[a-z][.)])\s)"
    r"|(?<=[a-z0-9%)\]])\s+(?=(?:No|Not|At\s+least|Prior|Concurrent|Recovered|More\s+than|Fewer\s+than|Less\s+than|"
    r"Must|See|Other|Any)\s)"
    r"|(?<=[a-z0-9%)\]])\s+(?=[A-Z][a-z]+(?:\s[a-z]+)?:\s)"
)

number_text = st.lists(
    st.sampled_from(list("0123456789.,^ax/-") + ["\u00a0", "\u202f", " ", "st", "th", " cells", " per", "x10",
                                                 "1,000", "50.000", "100 000", "٣"]),
    max_size=16,
).map("".join)

sentence_text = st.lists(
    st.sampled_from(list("ab.;!?\n\t -•*·1()\"']%:x") + ["No ", "Not ", "At least ", "Prior ", "More than ", "Must ",
                                                       "Any ", "Chemo: ", "Hepatic function: ", "\n\n", "1. ", "a) "]),
    max_size=20,
).map("".join)


def spans(pattern: re.Pattern[str], text: str) -> list[tuple[int, int]]:
    return [m.span() for m in pattern.finditer(text)]


@settings(max_examples=3000, deadline=None)
@given(number_text, st.integers(min_value=0, max_value=20))
def test_number_pattern_matches_like_its_readable_form(text: str, pos: int) -> None:
    assert spans(NUMBER_RE, text) == spans(NUMBER_REFERENCE, text)
    fast, ref = NUMBER_RE.match(text, pos), NUMBER_REFERENCE.match(text, pos)
    assert (fast and fast.span()) == (ref and ref.span())


@settings(max_examples=3000, deadline=None)
@given(sentence_text)
def test_sentence_end_pattern_matches_like_its_readable_form(text: str) -> None:
    assert spans(_SENTENCE_END, text) == spans(SENTENCE_END_REFERENCE, text)


def test_numbers_found_in_a_lab_criterion() -> None:
    text = "ANC ≥1,500/mm3, platelets ≥ 100 000/µL, Hb > 9.0 g/dL, bilirubin .5 mg/dL; 95th percentile"
    assert [m.group() for m in NUMBER_RE.finditer(text)] == ["1,500", "100 000", "9.0", ".5"]


def test_sentences_split_after_a_full_stop_and_a_semicolon() -> None:
    text = "No prior chemotherapy. Must have ECOG 0-1; no brain metastases"
    assert [text[s:e] for s, e in find_sentences(text)] == [
        "No prior chemotherapy.", "Must have ECOG 0-1", "no brain metastases"]


LEXICON_TEXT = st.lists(
    st.sampled_from(["ANC", "anc", "Anc", "ALT", "alt", "ULN", "uln", "x", " ", "-", ".", ",", "(", "1.5", "≥",
                     "chemo", "therapy", "Chemotherapy", "anti", "cancer", "é", "Σ", "İ"]),
    max_size=12,
).map("".join)


@settings(max_examples=2000, deadline=None)
@given(LEXICON_TEXT, st.integers(min_value=-2, max_value=40))
def test_lexicon_match_at_agrees_with_search(text: str, pos: int) -> None:
    """match_at's first-character shortcut never hides a phrase that search finds at pos."""
    from eligex.extractors.lexicon import Lexicon

    lex = Lexicon([("ANC", "anc", True), ("ALT", "alt", True), ("ULN", "uln", True),
                   ("chemotherapy", "chemo", False), ("anti-cancer", "anticancer", False), ("≥", "ge", False)])
    at = lex.match_at(text, pos)
    found = lex.search(text, max(pos, 0))
    if found is not None and found.start == max(pos, 0):
        assert at is not None and (at.start, at.end, at.values) == (found.start, found.end, found.values)
    elif pos >= 0:
        assert at is None


SCAN_TEXT = st.lists(
    st.sampled_from(["ANC", "anc", "Anc", "ALT", "alt", "Mg", "mg", "mg/dL", "PS", "ps", "chemo", "chemotherapy",
                     "Chemotherapy", "therapy", "radiotherapy", " ", "-", ".", ",", "(", "1.5", "É", "x", "anti",
                     "cancer", "Anti-cancer"]),
    max_size=14,
).map("".join)


@settings(max_examples=2000, deadline=None)
@given(SCAN_TEXT, st.integers(min_value=0, max_value=10), st.integers(min_value=0, max_value=60))
def test_lexicon_scan_agrees_with_findall(text: str, pos: int, end: int) -> None:
    """One pass over both kinds of phrase gives what two passes and a merge give (when no phrase
    of one kind can start inside a phrase of the other), also for phrases longer than the
    locating pattern's depth and with separators ("anti cancer-therapy")."""
    from eligex.extractors.lexicon import Lexicon

    lex = Lexicon([("ANC", "anc", True), ("ALT", "alt", True), ("Mg", "magnesium", True), ("PS", "ps", True),
                   ("alt", "alt-word", False), ("chemotherapy", "chemo", False), ("chemo", "chemo", False),
                   ("radiotherapy", "rt", False), ("anti-cancer therapy", "anticancer", False)])
    end = min(end, len(text))
    assert lex.scan(text, pos, end) == lex.findall(text, pos, end)


def test_lexicon_scan_keeps_case_rules() -> None:
    from eligex.extractors.lexicon import Lexicon

    lex = Lexicon([("Mg", "magnesium", True), ("ALT", "alt", True), ("creatinine", "creatinine", False)])
    text = "Creatinine 1.2 mg/dL, Mg > 1.0 mg/dL, ALT normal, alt"
    assert [(m.text, m.values) for m in lex.scan(text)] == [
        ("Creatinine", ("creatinine",)), ("Mg", ("magnesium",)), ("ALT", ("alt",))]


MERGE_TEXT = st.lists(
    st.sampled_from(["ab", "AB", "Ab", "a", "A", "b", "-", " ", ".", "cd", "ce", "x", "X", "é", "É", "_", "1", "(",
                     "\u0130"]),
    max_size=12,
).map("".join)


@settings(max_examples=3000, deadline=None)
@given(MERGE_TEXT, st.integers(min_value=0, max_value=6), st.integers(min_value=0, max_value=40))
@example(" a-bce", 0, 40)
@example("x A-bcd", 0, 40)
@example("éab", 0, 40)
@example("ab", 0, 2)
def test_lexicon_scan_merged_trie_keeps_each_kinds_separators(text: str, pos: int, end: int) -> None:
    """scan searches one trie of both kinds of phrase, where one kind's separator edges are open
    to the other's phrases ("a-bce" reads through the merged trie, but no phrase of either kind
    allows a separator there): such readings, non-ASCII letters before a phrase ("éab") and
    the text's first character must still give what findall gives."""
    from eligex.extractors.lexicon import Lexicon

    lex = Lexicon([("ab cd", "abcd", False), ("abce", "abce", False), ("a", "a", False),
                   ("AB", "AB", True), ("A-BX", "ABX", True), ("X", "X", True)])
    end = min(end, len(text))
    assert lex.scan(text, pos, end) == lex.findall(text, pos, end)
