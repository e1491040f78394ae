"""What every extractor knows about one criterion: its text, mentions, sentences, scopes.

Positions inside a `CriterionContext` are offsets into the criterion text; `span()` turns
them into offsets into the source text.
"""
from __future__ import annotations

import re
from bisect import bisect_left
from dataclasses import dataclass, field

from .model import Criterion
from .vocab import CompiledRules, Concept

# Every sentence end starts with a space or ";": the pattern consumes that character first and
# checks the context behind it with lookbehinds, so re can skip to candidate positions (a
# pattern that starts with a lookbehind is tried at every position, twice as slow).
_SENTENCE_END = re.compile(
    r"[\s;](?:(?<=[.;!?]\s)\s*(?=[A-Z(\"'\d•\-])|(?<=\n)\s*\n|(?<=;)\s*|(?<=\n)(?=\s*(?:[-•*·]|\d+[.)]|[a-z][.)])\s)"
    # the flattened legacy layout runs items together: "… for carcinoma No concurrent …",
    # "… since prior interferon alfa Chemotherapy: No prior …"
    r"|(?<=[a-z0-9%)\]]\s)\s*(?=(?:No|Not|At\s+least|Prior|Concurrent|Recovered|More\s+than|Fewer\s+than|Less\s+than|"
    r"Must|See|Other|Any)\s|[A-Z][a-z]+(?:\s[a-z]+)?:\s))"
)
_OPEN, _CLOSE = "([", ")]"


@dataclass(slots=True)
class Mention:
    start: int
    end: int
    text: str
    concepts: tuple[Concept, ...]

    def kinds(self) -> set[str]:
        return {c.kind for c in self.concepts}

    def first(self, *kinds: str) -> Concept | None:
        return next((c for c in self.concepts if c.kind in kinds), None)


@dataclass
class CriterionContext:
    criterion: Criterion
    rules: CompiledRules
    units: object  # UnitNormalizer
    mentions: list[Mention]
    kinds: frozenset = frozenset()  # the concept kinds mentioned: the extractors' cheap test
    consumed: set[int] = field(default_factory=set)
    cache: dict = field(default_factory=dict)  # per-criterion results extractors share
    _sentences: list[tuple[int, int]] | None = None
    _parens: list[tuple[int, int]] | None = None

    @property
    def sentences(self) -> list[tuple[int, int]]:
        if self._sentences is None:
            self._sentences = find_sentences(self.criterion.text)
        return self._sentences

    @property
    def parens(self) -> list[tuple[int, int]]:
        if self._parens is None:
            self._parens = find_parens(self.criterion.text)
        return self._parens

    @property
    def text(self) -> str:
        return self.criterion.text

    @property
    def offset(self) -> int:
        return self.criterion.span[0]

    @property
    def section(self) -> str:
        return self.criterion.section

    @property
    def label(self) -> str | None:
        return self.criterion.label

    def span(self, start: int, end: int) -> tuple[int, int]:
        return self.offset + start, self.offset + end

    def base_polarity(self) -> str:
        return "exclude" if self.section == "exclusion" else "include"

    def polarity_at(self, pos: int) -> tuple[str, str | None]:
        """(polarity, condition) of a requirement at `pos`. Inside an exclusion criterion, an
        exception clause ("unless life expectancy > 3 years") or a sentence that says what
        patients must have ("LVEF must be at least 50%") states an inclusion."""
        base = self.base_polarity()
        if base == "exclude":
            exc = self.in_exception(pos)
            if exc is not None:
                clause = re.sub(r"\\(?=[<>=*])", "", self.text[exc[0]:exc[1]]).strip(" ()[],;.")
                return "include", clause
            s, _ = self.sentence_of(pos)
            if self.rules.include_cues.search(self.text, s, pos) is not None:
                return "include", None
        return base, None

    def sentence_of(self, pos: int) -> tuple[int, int]:
        sentences = self._sentences
        if sentences is None:
            sentences = self.sentences
        for s, e in sentences:
            if s <= pos < e:
                return s, e
        return (0, len(self.criterion.text))

    def paren_of(self, pos: int) -> tuple[int, int] | None:
        """The innermost bracket pair that encloses `pos`, as (open, close) positions."""
        best = None
        for o, c in self.parens:
            if o < pos < c and (best is None or o > best[0]):
                best = (o, c)
        return best

    def in_exception(self, pos: int) -> tuple[int, int] | None:
        """The span of an exception clause ("except …", "unless …") that covers `pos`."""
        s, e = self.sentence_of(pos)
        found = self.rules.exception_intro.findall(self.criterion.text, s, pos)
        if not found:
            return None
        last = found[-1]
        paren = self.paren_of(last.start)
        if paren and paren[1] < pos:
            return None
        end = paren[1] if paren else e
        return (last.start, end)

    def is_negated(self, pos: int) -> bool:
        """NegEx: a preceding negation cue in the clause, no pseudo-negation, no terminator between."""
        s, _ = self.sentence_of(pos)
        lo = max(s, pos - 150)  # long enough for a list: "No prior gemcitabine, 5-FU, or capecitabine"
        found = self.rules.negation.findall(self.criterion.text, lo, pos)
        if not found:
            return False
        cue = found[-1]
        if "pseudo" in cue.values:
            return False
        between = self.text[cue.end:pos]
        if self.rules.termination.search(between) is not None:
            return False
        return True


_BRACKET = re.compile(r"[()\[\]]")


def find_parens(text: str) -> list[tuple[int, int]]:
    out, stack = [], []
    for m in _BRACKET.finditer(text):
        i, ch = m.start(), m.group()
        if ch in _OPEN:
            stack.append(i)
        elif stack:
            out.append((stack.pop(), i))
    for o in stack:  # unclosed: runs to the end
        out.append((o, len(text)))
    return out


def find_sentences(text: str) -> list[tuple[int, int]]:
    out, start = [], 0
    for m in _SENTENCE_END.finditer(text):
        if m.group().isspace() and m.start() > 0 and text[m.end():m.end() + 1].isupper():
            # a mid-line split before a label or an item start: only after a lower-case word
            # ("Expected Survival Time: …" is one phrase, not a label after "Survival")
            prev = re.search(r"(\S+)\s*$", text[max(0, m.start() - 30):m.start()])
            if prev and prev.group(1)[:1].isupper() and ":" in text[m.end():m.end() + 25]:
                continue
        if m.start() > start:
            out.append((start, m.start()))
        start = m.end()
    if start < len(text):
        out.append((start, len(text)))
    return out or [(0, len(text))]


_NON_PREFIX = re.compile(r"(?i)\bnon[-\s]?$")
# only criteria that talk about treatment are searched for drug names by their stem
_THERAPY_KEYS = ("prior", "previous", "treat", "therap", "receiv", "within", "since", "drug", "medicat", "expos",
                 "naive", "naïve", "dose", "agent")

_THERAPY_KEYS_RE = re.compile("|".join(re.escape(k) for k in _THERAPY_KEYS))


def concept_matches(text: str, rules: CompiledRules, start: int, end: int) -> list:
    """The master lexicon's matches in text[start:end], less words negated by a "non" prefix
    ("non-interventional", "non-platinum")."""
    return [m for m in rules.master.scan(text, start, end)
            if "non" not in text[max(0, m.start - 4):m.start].lower()
            or not _NON_PREFIX.search(text, max(0, m.start - 4), m.start)]


def find_mentions(text: str, rules: CompiledRules, start: int = 0, end: int | None = None,
                  with_stems: bool = True) -> list[Mention]:
    """Concept mentions in text[start:end] (offsets into `text`): pack phrases and drug stems."""
    end = len(text) if end is None else end
    mentions = [Mention(m.start, m.end, m.text, m.values) for m in concept_matches(text, rules, start, end)]
    if with_stems:
        mentions = merge_mentions(mentions, stem_mentions(text[start:end], rules, start))
    return mentions


def stem_mentions(text: str, rules: CompiledRules, offset: int = 0, *, lowered: str | None = None,
                  start: int = 0, end: int | None = None) -> list[Mention]:
    """Generic drug names found by their INN stem ("afatinib", "romiplostim") in text[start:end],
    if it talks about treatment (the cheap test: one of a few substrings). Offsets are relative
    to `start`, plus `offset`. `lowered` is text.lower() when the caller has it (same length)."""
    if rules.drug_suffix_re is None:
        return []
    end = len(text) if end is None else end
    low = text.lower() if lowered is None else lowered
    if not _THERAPY_KEYS_RE.search(low, start, end):
        return []
    stems = []
    for m in rules.drug_suffix_re.finditer(low, start, end):
        i = m.start()
        while i > start and low[i - 1].isalpha():
            i -= 1
        if m.start() - i >= 3 and (i == start or low[i - 1] not in "-_0123456789"):
            word = text[i:m.end()]
            stems.append(Mention(offset + i - start, offset + m.end() - start, word,
                                 (Concept("drug", word.lower(), "drugs.by_stem"),)))
    return stems


def document_stem_mentions(text: str, lowered: str, spans: list[tuple[int, int]],
                           rules: CompiledRules) -> list[list[Mention]]:
    """`stem_mentions` for each span [a, b) of one document (`lowered` is text.lower(), of the
    same length), from one search of the whole reversed document: a stem ends its word, so
    in the reversed text it follows the character that ends the word, and re can skip to
    such characters instead of trying every stem at every position. Only spans with a stem
    are tested for treatment words; a span whose edges are not whitespace (a word could run
    over them) is searched on its own."""
    rev_re = rules.drug_suffix_reversed_re
    if rev_re is None or not spans:
        return [stem_mentions(text, rules, lowered=lowered, start=a, end=b) for a, b in spans]
    n = len(lowered)
    lo = min(a for a, _ in spans)
    hi = max(b for _, b in spans)
    # R = " " + reversed text: text index t is R index n - t; R[0] stands for the text's end
    rev = " " + lowered[::-1]
    found: list[tuple[int, int]] = []  # (stem start, word end) in the text, last first
    for m in rev_re.finditer(rev, n - hi, n - lo + 1):
        k = m.start()
        if k:
            c = rev[k]
            if not c.isascii() and (c.isalnum() or c == "_"):
                continue  # a non-ASCII letter: the word goes on
        found.append((n - m.end() + 1, n - k))
    found.reverse()
    starts = [s for s, _ in found]
    out: list[list[Mention]] = []
    for a, b in spans:
        if (a and not lowered[a - 1].isspace()) or (b < n and not lowered[b].isspace()):
            out.append(stem_mentions(text, rules, lowered=lowered, start=a, end=b))
            continue
        i = bisect_left(starts, a)
        if i == len(found) or found[i][1] > b or not _THERAPY_KEYS_RE.search(lowered, a, b):
            out.append([])
            continue
        stems = []
        while i < len(found) and found[i][1] <= b:
            s, e = found[i]
            i += 1
            j = s
            while j > a and lowered[j - 1].isalpha():
                j -= 1
            if s - j >= 3 and (j == a or lowered[j - 1] not in "-_0123456789"):
                word = text[j:e]
                stems.append(Mention(j - a, e - a, word, (Concept("drug", word.lower(), "drugs.by_stem"),)))
        out.append(stems)
    return out


def merge_mentions(mentions: list[Mention], extra: list[Mention]) -> list[Mention]:
    """Add the extra mentions that overlap none of `mentions`, in text order."""
    if not extra:
        return mentions
    taken = [(m.start, m.end) for m in mentions]
    merged = list(mentions)
    for em in extra:
        if not any(s < em.end and em.start < e for s, e in taken):
            merged.append(em)
    merged.sort(key=lambda m: m.start)
    return merged


def build_context(criterion: Criterion, rules: CompiledRules, units: object,
                  extra_mentions: list[Mention] | None = None,
                  mentions: list[Mention] | None = None) -> CriterionContext:
    """The context of one criterion; `mentions` may come precomputed (offsets in the criterion)."""
    if mentions is None:
        mentions = find_mentions(criterion.text, rules)
    if extra_mentions:
        mentions = merge_mentions(mentions, extra_mentions)
    # (most criteria mention no concept: no generator to run for them)
    kinds = frozenset([c.kind for m in mentions for c in m.concepts]) if mentions else frozenset()
    return CriterionContext(criterion, rules, units, mentions, kinds)
