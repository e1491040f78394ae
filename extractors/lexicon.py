"""Phrase lexicons compiled to trie-shaped regular expressions.

A `Lexicon` maps phrases to values and finds them in text in one C-speed regex pass:
the phrases are merged into a character trie first, so the regex never tries hundreds of
alternatives at each position. Matching ignores case (except for short all-capital
abbreviations such as "PT" or "ULN"), treats runs of spaces and hyphens alike ("anti-cancer",
"anti cancer", "anticancer" are one phrase), and respects word boundaries.
"""
from __future__ import annotations

import re
from collections.abc import Iterable, Iterator
from typing import Any, NamedTuple

_SEP_CHARS = " -‐‑–"
_SEP_RE = re.compile(r"[\s\-‐‑–]+")
_SEP_FRAGMENT = r"[\s\-‐‑–.]*"
_CANON_DROP = re.compile(r"[\s\-‐‑–.]+")


def phrase_key(text: str, case_sensitive: bool = False) -> str:
    """The lookup key of a phrase or a matched text: separators and dots dropped."""
    key = _CANON_DROP.sub("", text)
    return key if case_sensitive else key.lower()


def is_case_sensitive(phrase: str, declared: bool | None = None) -> bool:
    """Abbreviations stay case-sensitive; so do short all-capital phrases ("PT", "ULN")."""
    if declared is not None:
        return declared
    letters = [c for c in phrase if c.isalpha()]
    return bool(letters) and len(phrase) <= 5 and not any(c.islower() for c in letters)


class Match(NamedTuple):
    start: int
    end: int
    text: str
    values: tuple[Any, ...]


class _Trie:
    """A character trie in which separators are optional edges, not characters.

    "chemo-therapy" and "chemotherapy" share one path with an optional separator after
    "chemo", so the regex stays deterministic: at every node at most one child can match
    the next character, and the longest phrase wins.
    """

    __slots__ = ("children", "end", "sep")

    def __init__(self) -> None:
        self.children: dict[str, _Trie] = {}
        self.end = False
        self.sep = False  # separators may follow this node

    def add(self, phrase: str) -> None:
        node = self
        for ch in phrase:
            if ch in _SEP_CHARS or ch == ".":
                node.sep = True
                continue
            node = node.children.setdefault(ch, _Trie())
        node.end = True

    @staticmethod
    def merged(a: _Trie, b: _Trie) -> _Trie:
        """A trie of both tries' phrases (sub-tries only one of them has are shared, not copied)."""
        out = _Trie()
        out.end, out.sep = a.end or b.end, a.sep or b.sep
        for ch in a.children.keys() | b.children.keys():
            x, y = a.children.get(ch), b.children.get(ch)
            out.children[ch] = _Trie.merged(x, y) if x is not None and y is not None else (x or y)
        return out

    def unbounded_regex(self) -> str:
        """The phrases with no word-boundary tests, the longest first (for phrases found inside
        words, such as reversed drug-name stems)."""
        alts = [re.escape(ch) + c.unbounded_regex() for ch, c in sorted(self.children.items())]
        if not alts:
            return ""
        body = alts[0] if len(alts) == 1 else f"(?:{'|'.join(alts)})"
        if self.sep:
            body = _SEP_FRAGMENT + body
        return f"(?:{body})?" if self.end else body

    def regex(self, incoming: str = "", root: bool = True) -> str:
        if root:
            # one word-boundary test for all phrases that start with a word character
            # (not one per branch: that made every position try every branch)
            word = [re.escape(ch) + c.regex(ch, root=False) for ch, c in sorted(self.children.items()) if ch.isalnum() or ch == "_"]
            other = [re.escape(ch) + c.regex(ch, root=False) for ch, c in sorted(self.children.items()) if not (ch.isalnum() or ch == "_")]
            parts = []
            if word:
                parts.append(r"(?<![\w])(?:" + "|".join(word) + ")")
            parts.extend(other)
            return "|".join(parts)
        alts = []
        for ch, child in sorted(self.children.items()):
            frag = re.escape(ch)
            alts.append(frag + child.regex(ch, root=False))
        terminal = None
        if self.end:
            # a phrase ending in a word character must end on a word boundary
            terminal = r"(?![\w])" if (incoming.isalnum() or incoming == "_") else ""
        if alts:
            body = alts[0] if len(alts) == 1 else f"(?:{'|'.join(alts)})"
            if self.sep and not root:
                body = _SEP_FRAGMENT + body
        else:
            body = ""
        if terminal is not None:
            # the longer phrase first, the phrase ending here last
            return f"(?:{body}|{terminal})" if body else terminal
        return body


class Lexicon:
    """Phrases -> values. A phrase may carry several values (a drug in two classes)."""

    def __init__(self, entries: Iterable[tuple[str, Any, bool | None]] = ()):
        self._ci: dict[str, list[Any]] = {}
        self._cs: dict[str, list[Any]] = {}
        self._ci_trie, self._cs_trie = _Trie(), _Trie()
        self._cs_lower = _Trie()  # the case-sensitive phrases lower-cased, for `scan`
        self._scanner: re.Pattern[str] | bool | None = None
        self._compiled = False
        self._ci_body = ""
        self._ci_re: re.Pattern[str] | None = None
        self._ci_lower_re: re.Pattern[str] | None = None
        self._cs_re: re.Pattern[str] | None = None
        self._last_text: str | None = None
        self._ci_cache: dict[str, tuple[Any, ...]] = {}
        self._cs_cache: dict[str, tuple[Any, ...]] = {}
        self._last_lower = ""
        for phrase, value, cs in entries:
            self.add(phrase, value, cs)

    def add(self, phrase: str, value: Any, case_sensitive: bool | None = None) -> None:
        phrase = phrase.strip()
        if not phrase:
            return
        cs = is_case_sensitive(phrase, case_sensitive)
        table, trie = (self._cs, self._cs_trie) if cs else (self._ci, self._ci_trie)
        key = phrase_key(phrase, cs)
        if not key:
            return
        values = table.setdefault(key, [])
        if value not in values:
            values.append(value)
        trie.add(phrase if cs else phrase.lower())
        if cs:
            self._cs_lower.add(phrase.lower())
        self._scanner = None
        self._compiled = False
        self._ci_re = self._cs_re = None
        self._ci_cache.clear()
        self._cs_cache.clear()

    def _compile(self) -> None:
        ci_body = self._ci_trie.regex()
        cs_body = self._cs_trie.regex()
        # case-insensitive phrases are stored lower-case and matched against lower-cased
        # text (several times faster than re.IGNORECASE); IGNORECASE is the fallback for
        # the rare text whose lower-casing changes its length
        self._ci_lower_re = re.compile(ci_body) if ci_body else None
        self._ci_body, self._ci_re = ci_body, None  # compiled when first needed
        self._cs_re = re.compile(cs_body) if cs_body else None
        # the characters a phrase can start with: most match_at calls stop at this test
        self._first_ci = frozenset(self._ci_trie.children)
        self._first_cs = frozenset(self._cs_trie.children)
        self._compiled = True

    def _ci_pattern(self, same_length: bool) -> re.Pattern[str] | None:
        if same_length or not self._ci_body:
            return self._ci_lower_re
        if self._ci_re is None:
            self._ci_re = re.compile(self._ci_body, re.IGNORECASE)
        return self._ci_re

    def _lookup(self, text: str, cs: bool) -> tuple[Any, ...]:
        # matched texts repeat a lot ("chemotherapy", "ANC"): remember each one's values
        cache = self._cs_cache if cs else self._ci_cache
        hit = cache.get(text)
        if hit is None:
            table = self._cs if cs else self._ci
            hit = tuple(table.get(phrase_key(text, cs), ()))
            if len(cache) < 100_000:
                cache[text] = hit
        return hit

    def finditer(self, text: str, pos: int = 0, endpos: int | None = None) -> Iterator[Match]:
        """Leftmost-longest, non-overlapping matches in text[pos:endpos]."""
        return iter(self.findall(text, pos, endpos))

    def findall(self, text: str, pos: int = 0, endpos: int | None = None) -> list[Match]:
        """`finditer` as a list. Extractors call this on short windows very often, so the
        common cases (no match, matches of one kind only) take the shortest path."""
        if not self._compiled:
            self._compile()
        end = len(text) if endpos is None else endpos
        lowered = self._lowered(text)
        lookup = self._lookup
        found: list[Match] = []
        if len(lowered) == len(text):
            pattern, subject = self._ci_lower_re, lowered
        else:
            pattern, subject = self._ci_pattern(False), text
        if pattern is not None:
            for m in pattern.finditer(subject, pos, end):
                a, b = m.span()
                if a != b:
                    written = text[a:b]
                    values = lookup(written, False)
                    if values:
                        found.append(Match(a, b, written, values))
        if self._cs_re is None:
            return found
        cs_found: list[Match] = []
        for m in self._cs_re.finditer(text, pos, end):
            a, b = m.span()
            if a != b:
                written = text[a:b]
                values = lookup(written, True)
                if values:
                    cs_found.append(Match(a, b, written, values))
        if not cs_found:
            return found
        if not found:
            return cs_found
        # both kinds: leftmost first, the longer of two at one position
        found.extend(cs_found)
        found.sort(key=lambda m: (m.start, -(m.end - m.start)))
        kept: list[Match] = []
        last_end = -1
        for m in found:
            if m.start >= last_end:
                kept.append(m)
                last_end = m.end
            elif m.end > last_end and kept and m.start == kept[-1].start:
                kept[-1] = m
                last_end = m.end
        return kept

    def scan(self, text: str, pos: int = 0, endpos: int | None = None) -> list[Match]:
        """`findall` in one pass over the text instead of two, for long texts (a document).

        One pattern of all phrases (the case-sensitive ones lower-cased) finds, in the
        lower-cased text, each next place where a phrase may start and its longest reading;
        the two kinds' own lookups say whether it is a phrase of either, or, where the
        phrase holds a separator (whose trie edges the merge may have widened) or fits
        neither, the two kinds' own patterns decide. The longer is kept (the
        case-insensitive one on a tie), as findall keeps it. It differs from findall only
        when a phrase of one kind starts inside a longer phrase of the other and runs past
        it: findall's scan of that kind then resumes later."""
        if not self._compiled:
            self._compile()
        if self._cs_re is None or self._ci_lower_re is None:
            return self.findall(text, pos, endpos)
        end = len(text) if endpos is None else endpos
        lowered = self._lowered(text)
        if len(lowered) != len(text):
            return self.findall(text, pos, endpos)
        if self._scanner is None:
            self._scanner = self._compile_scanner()
        if self._scanner is False:
            return self.findall(text, pos, endpos)
        search, lookup, best_at = self._scanner.search, self._lookup, self._best_at
        found: list[Match] = []
        p = pos
        if p == 0 and end > 0:
            best = best_at(text, lowered, 0, end)
            if best is not None:
                found.append(best)
            p = 1 if best is None else best.end
        while p < end:
            # the pattern consumes the character before the phrase: any but an ASCII word
            # character (a non-ASCII one may be a letter: tested below), so that `re` skips
            # to candidates at C speed instead of trying a look-behind at every position
            m = search(lowered, p - 1, end)
            if m is None:
                break
            a, b = m.start() + 1, m.end()
            before = lowered[a - 1]
            if not before.isascii() and (before.isalnum() or before == "_"):
                p = a + 1
                continue
            written = text[a:b]
            best = None
            if written.isalnum():
                v = lookup(written, False)
                if v:
                    best = Match(a, b, written, v)
                else:
                    v = lookup(written, True)
                    if v:
                        best = Match(a, b, written, v)
            if best is None:
                best = best_at(text, lowered, a, end)
            if best is None:
                p = a + 1
            else:
                found.append(best)
                p = best.end
        return found

    def _compile_scanner(self) -> re.Pattern[str] | bool:
        """The pattern `scan` searches the lower-cased text with: a character that is not an
        ASCII word character, then the longest phrase of either kind (lower-cased). False
        when a phrase starts with a non-word character (it needs no boundary before it):
        `scan` is `findall` then."""
        merged = _Trie.merged(self._ci_trie, self._cs_lower)
        merged.sep = False  # (as in `regex`: no separators before a phrase)
        if not all(ch.isalnum() or ch == "_" for ch in merged.children):
            return False
        return re.compile(r"[^a-zA-Z0-9_](?:" + merged.regex(root=False) + ")")

    def _best_at(self, text: str, lowered: str, a: int, end: int) -> Match | None:
        """The longest phrase of either kind starting at `a` (the case-insensitive one on a tie)."""
        best = None
        m2 = self._ci_lower_re.match(lowered, a, end)
        if m2 is not None and m2.end() > a:
            w = text[a:m2.end()]
            v = self._lookup(w, False)
            if v:
                best = Match(a, m2.end(), w, v)
        m2 = self._cs_re.match(text, a, end)
        if m2 is not None and m2.end() > a and (best is None or m2.end() > best.end):
            w = text[a:m2.end()]
            v = self._lookup(w, True)
            if v:
                best = Match(a, m2.end(), w, v)
        return best

    def match_at(self, text: str, pos: int) -> Match | None:
        """The longest phrase starting exactly at `pos` (after no skipping)."""
        if not self._compiled:
            self._compile()
        if 0 <= pos < len(text):
            c = text[pos]
            if c.isascii() and c.lower() not in self._first_ci and c not in self._first_cs:
                return None  # (a non-ASCII character's lower case may depend on its neighbours)
        lowered = self._lowered(text)
        same_length = len(lowered) == len(text)
        best: Match | None = None
        for pattern, cs in ((self._ci_pattern(same_length), False), (self._cs_re, True)):
            if pattern is None:
                continue
            m = pattern.match(text if cs or not same_length else lowered, pos)
            if m:
                a, b = m.span()
                if b > a and (best is None or b > best.end):
                    written = text[a:b]
                    values = self._lookup(written, cs)
                    if values:
                        best = Match(a, b, written, values)
        return best

    def search(self, text: str, pos: int = 0, endpos: int | None = None) -> Match | None:
        """The first match `finditer` would give (leftmost, then longest), found without
        collecting the others."""
        if not self._compiled:
            self._compile()
        end = len(text) if endpos is None else endpos
        lowered = self._lowered(text)
        same_length = len(lowered) == len(text)
        best: Match | None = None
        for pattern, cs in ((self._ci_pattern(same_length), False), (self._cs_re, True)):
            if pattern is None:
                continue
            for m in pattern.finditer(text if cs or not same_length else lowered, pos, end):
                a, b = m.span()
                if a == b:
                    continue
                if best is not None and (a > best.start or (a == best.start and b - a <= best.end - a)):
                    break  # no later match can come first
                written = text[a:b]
                values = self._lookup(written, cs)
                if values:
                    best = Match(a, b, written, values)
                    break
        return best

    def lower_case_pattern(self) -> re.Pattern[str] | None:
        """The pattern this lexicon searches lower-cased text with, when all its phrases are
        case-insensitive: every match findall/search finds in ASCII text is a match of this
        pattern in the lower-cased text over the same bounds (the lexicon only drops matches
        without values), so it is an exact cheap pre-test. None when there are case-sensitive
        phrases (or none at all)."""
        if not self._compiled:
            self._compile()
        return self._ci_lower_re if self._cs_re is None else None

    def _lowered(self, text: str) -> str:
        # extractors search one criterion many times: lower-case it once
        if text is self._last_text:
            return self._last_lower
        lowered = text.lower()
        self._last_text, self._last_lower = text, lowered
        return lowered

    def __contains__(self, phrase: str) -> bool:
        return phrase_key(phrase) in self._ci or phrase_key(phrase, True) in self._cs


def lexicon_from_mapping(mapping: dict[str, Any]) -> Lexicon:
    """{value: [phrases]} (a vocabulary mapping) -> Lexicon of phrase -> value."""
    lex = Lexicon()
    for value, phrases in mapping.items():
        for p in [phrases] if isinstance(phrases, str) else phrases:
            lex.add(str(p), value)
    return lex


def lexicon_from_list(phrases: Iterable[str], value: Any = True) -> Lexicon:
    lex = Lexicon()
    for p in phrases:
        lex.add(str(p), value)
    return lex
