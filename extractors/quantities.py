"""Numbers and thresholds as written: "≥ 1,500/mm3", "≤ 3 × ULN", "0-1", "between 18 and 75".

`parse_threshold` reads one threshold expression starting at a position; the unit is the
longest run of following words that the caller's `unit_ok` accepts (a pint parse the
analyte can convert), so the unit vocabulary lives with the units, not here.
"""
from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, field
from functools import lru_cache

from .vocab import CompiledRules

# A number not glued to a word, a decimal point, a comma or "^". The first character is consumed
# before the look-behind (not after it), so re skips to digits instead of trying every position.
NUMBER_RE = re.compile(
    r"[\d.](?<![\w.,^].)"
    r"(?:(?<=\d)(?:\d{0,2}(?:,\d{3})+(?:\.\d+)?(?![\d,])"                 # 1,500  100,000
    r"|\d{0,2}(?:\.\d{3})+(?![\d.,])"                                     # 50.000 (European thousands, ambiguous)
    r"|\d{0,2}(?:[ \u00a0\u202f]\d{3})+(?=\s*(?:/|cells|[x×]\s*10|per\b))"  # 100 000/mm3
    r"|\d*(?:[.,]\d+)?(?![\d]))"                                          # 1.5  1,5  18
    r"|(?<=\.)\d+(?![\d]))"                                               # .5
    r"(?!(?:st|nd|rd|th)\b)"                                               # not an ordinal ("95th percentile")
)
_RESTATED_UNIT = re.compile(r"\s*\((%|percent|[a-zA-Zµμ/]+)\)$")
# "greater than or equal to (>=) 1.5": the symbol restated in brackets after the words
_RESTATED_COMPARATOR = re.compile(r"\s*\(\s*(?:[<>≤≥]\s*=?|=\s*[<>]|[<>]\s*/\s*=)\s*\)")
_ARTICLE = re.compile(r"(?i)(?:the\s+|an?\s+)?")
_MULTIPLIER_FIRST = re.compile(r"[x×X]\s*((\d+(?:[.,]\d+)?))")
_AND_A_HALF = re.compile(r"\s+and\s+a\s+half\b", re.I)
_WS = re.compile(r"[\s\u00a0]*")
_RANGE_SEP = re.compile(r"\s*(?:-|–|—|‐|~|to|and|through|up\s+to)\s*", re.I)
_ULN_LEAD = re.compile(r"\s*(?:(?:[x×X*✕]|times|time|fold|-fold|folds)\s*(?:(?:that\s+)?of\s+)?)?(?:the\s+|an?\s+)?(?:(?:institutional|institution's|laboratory|lab|local|site|reference)\s+)?", re.I)
# "3 times more than the ULN", "2-fold above ULN": the comparator between the multiple and the limit
_TIMES_COMPARED = re.compile(
    r"\s*(?:[x×X✕]|times|-?fold)\s+(?:(?P<gt>more|greater|higher|above|over|larger)|(?P<lt>less|lower|below|under))(?:\s+than)?\b",
    re.I)
_INSTITUTION = re.compile(r"\s*(?:for|of|at|in)\s+(?:the\s+|this\s+|each\s+)?(?:institution|site|centre|center|laboratory|lab|local laboratory)\b", re.I)
_PAIR = re.compile(r"\s*/\s*(\d{2,3})(?!\d)")
_UNIT_TOKEN = re.compile(r"[^\s;]+")
_UNIT_STRIP = ".,;:"
_UNIT_TOKEN_STRIP = _UNIT_STRIP + "()[]"
# words that can sit inside a written unit ("g/24 hours", "beats per minute", "mm Hg")
_UNIT_WORDS = frozenset(
    "hours hour days week weeks month months year years cells cell copies copy units unit minute minutes "
    "mmhg beats second seconds msec percent litre liter litres liters international milliseconds giga cumm "
    "mole moles mmol umol gram grams kilograms micromol micromoles millimoles nanomol thousand thousands "
    "during over within".split()
)
_STOP_WORDS = frozenset("or and of the at for to if on is be by with as an a are was no not than then from but".split())
_ESCAPES = re.compile(r"\\(?=[<>=*])")
_WS_MATCH = _WS.match
# matched in place rather than on slices: no anchors or look-behinds, so the same matches
_EXPLICIT_TIMES = re.compile(r"[x×X*✕]|times?|fold")
_TWICE_BEFORE = re.compile(r"(?i)(?:twice|thrice)\s*$")
_ULN_RESTATED = re.compile(r"\s*\((?:ULN|LLN|IULN|ULRR)\)")
_WORD_NUMBER = re.compile(r"[A-Za-z]+(?:-[A-Za-z]+)?")


@dataclass(slots=True)
class Number:
    start: int
    end: int
    text: str
    candidates: tuple[float, ...]

    @property
    def value(self) -> float:
        return self.candidates[0]


@dataclass(slots=True)
class Threshold:
    """One threshold as written. `op` is None for a range (`lo`..`hi`) or a bare value."""

    start: int
    end: int
    op: str | None
    lo: Number | None
    hi: Number | None = None
    unit: str | None = None
    relative_to: str | None = None
    paired: Number | None = None  # the second value of "150/90"
    extras: dict = field(default_factory=dict)


_THOUSANDS_COMMA = re.compile(r"\d{1,3}(?:,\d{3})+(?:\.\d+)?")
_THOUSANDS_DOT = re.compile(r"\d{1,3}(?:\.\d{3})+")
_RESTATED_RANGE = re.compile(r"\d\s*[-–]\s*\d|(?<!10)\(\s*\d")


@lru_cache(maxsize=4096)
def number_candidates(text: str) -> tuple[float, ...]:
    """Readings of a written number, most likely first ("50.000" may be 50000 or 50).
    A pure function of the string, so remembered (the same few numbers recur)."""
    t = text.replace("\u00a0", " ").replace("\u202f", " ")
    if " " in t:
        return (float(t.replace(" ", "")),)
    if _THOUSANDS_COMMA.fullmatch(t):
        return (float(t.replace(",", "")),)
    if "," in t:
        return (float(t.replace(",", ".")),)
    if _THOUSANDS_DOT.fullmatch(t):
        thousands = float(t.replace(".", ""))
        if t.count(".") > 1:
            return (thousands,)
        decimal = float(t)
        return (thousands, decimal) if t.endswith("000") else (decimal, thousands)
    return (float(t),)


def skip_ws(text: str, pos: int) -> int:
    return _WS.match(text, pos).end()


def match_number(text: str, pos: int, rules: CompiledRules | None = None) -> Number | None:
    """A number (or, with rules, a number word: "two", "one") at exactly `pos`."""
    m = NUMBER_RE.match(text, pos)
    if m:
        return Number(m.start(), m.end(), m.group(), number_candidates(m.group()))
    if rules is not None:
        w = _WORD_NUMBER.match(text, pos)
        if w and (pos == 0 or not text[pos - 1].isalnum()):
            val = rules.number_words.get(w.group().lower())
            if val is not None:
                half = _AND_A_HALF.match(text, w.end())  # "two and a half times ULN"
                if half:
                    return Number(w.start(), half.end(), text[w.start():half.end()], (val + 0.5,))
                return Number(w.start(), w.end(), w.group(), (val,))
    return None


def skip_restated_comparator(text: str, pos: int) -> int:
    """After "greater than or equal to", the position past a restated "(>=)", or `pos`."""
    restated = _RESTATED_COMPARATOR.match(text, pos)
    return restated.end() if restated else pos


def match_comparator(text: str, pos: int, rules: CompiledRules) -> tuple[str, int] | None:
    """(op, end) for a comparator at `pos`; tolerates a Markdown escape ("\\<")."""
    p = pos
    if p < len(text) and text[p] == "\\":
        p += 1
    m = rules.comparators.match_at(text, p)
    if not m:
        return None
    op = m.values[0]
    end = m.end
    restated = _RESTATED_COMPARATOR.match(text, end)
    if restated and restated.end() > end:
        return op, restated.end()
    # "≥ =", "> or =" already phrases; a doubled comparator ("must be ≥") keeps the symbol
    nxt = _WS_MATCH(text, end).end()
    if nxt < len(text) and text[nxt] in "≥≤<>=\\":
        second = rules.comparators.match_at(text, nxt + (1 if text[nxt] == "\\" else 0))
        if second:
            op = second.values[0]
            end = second.end
    return op, end


def leading_comparator(text: str, pos: int, rules: CompiledRules) -> tuple[str | None, int]:
    """(op, position after it) for an ordering comparator at `pos` (skipping spaces), or
    (None, the first non-space position). "=" is not an ordering and is left alone."""
    p = skip_ws(text, pos)
    comp = match_comparator(text, p, rules)
    if comp and comp[0] != "=":
        return comp[0], skip_ws(text, comp[1])
    return None, p


def one_sided(op: str | None, value: float) -> tuple | None:
    """(min, min_inclusive, max, max_inclusive) for "op value"; None for no or "=" operator."""
    if op == ">=":
        return value, True, None, None
    if op == "<=":
        return None, None, value, True
    if op == ">":
        return value, False, None, None
    if op == "<":
        return None, None, value, False
    return None


def match_comparator_after(text: str, pos: int, rules: CompiledRules) -> tuple[str, int] | None:
    p = _WS_MATCH(text, pos).end()
    m = rules.comparators_after.match_at(text, p)
    if m:
        return m.values[0], m.end
    return None


def match_relative(text: str, pos: int, rules: CompiledRules) -> tuple[str, int] | None:
    """"× ULN", "times the upper limit of normal", "x LLN" right after a number."""
    p = _ULN_LEAD.match(text, pos).end()  # (every part optional: it always matches)
    if p >= len(text):
        return None  # nothing to match on an empty window
    # matched on a slice so that a glued form ("2xULN", "1.5ULN") is not refused for lacking a word boundary
    m0 = rules.uln.match_at(text[p:p + 80], 0)
    if not m0:
        return None
    word = m0.text
    # "N" alone and "normal" alone need an explicit multiplication before them ("2 x N", "twice normal")
    if (word in ("N", "normal") or word.lower() == "normal") and not (
            _EXPLICIT_TIMES.search(text, pos, p) or _TWICE_BEFORE.search(text, max(0, pos - 7), pos)):
        return None
    end = p + m0.end
    # "(ULN)" restated after the long form
    tail = _ULN_RESTATED.match(text, end, end + 10)
    if tail:
        end = tail.end()
    # "… ULN for the institution", "… ULN of the site"
    inst = _INSTITUTION.match(text, end)
    if inst:
        end = inst.end()
    return m0.values[0], end


def match_unit(text: str, pos: int, unit_ok: Callable[[str], bool], max_tokens: int = 5) -> tuple[str, int] | None:
    """The longest run of up to `max_tokens` words after `pos` that `unit_ok` accepts."""
    p = _WS_MATCH(text, pos).end()
    if p >= len(text):
        return None
    # a unit starts with a letter, a slash, a percent sign, a multiplication sign or µ
    if not (text[p].isalpha() or text[p] in "/%×*µμ°\\("):
        return None
    tokens = []
    for m in _UNIT_TOKEN.finditer(text, p, min(len(text), p + 40)):
        word = m.group().strip(_UNIT_TOKEN_STRIP).lower()
        if tokens and word.isalpha() and (len(word) >= 4 and word not in _UNIT_WORDS or word in _STOP_WORDS):
            break  # an ordinary word ends the unit: no need to ask pint
        if tokens and word[:1] in "≥≤<>=":
            break
        tokens.append(m)
        if len(tokens) >= max_tokens:
            break
    for k in range(len(tokens), 0, -1):
        start, end = tokens[0].start(), tokens[k - 1].end()
        cand = text[start:end]
        # trim trailing punctuation and an unbalanced closing bracket
        while cand and (cand[-1] in _UNIT_STRIP or (cand[-1] == ")" and cand.count("(") < cand.count(")"))):
            cand = cand[:-1]
            end -= 1
        if cand.startswith("(") and cand.count("(") > cand.count(")"):
            continue
        if _RESTATED_RANGE.search(cand):
            continue  # "% (53 - 86 mmol/mol)": a restatement, not one unit
        restated = _RESTATED_UNIT.search(cand)
        if restated and unit_ok(cand[:restated.start()]) and unit_ok(restated.group(1)):
            return cand[:restated.start()], end  # "percent (%)": the unit once, the span over both
        if cand and unit_ok(cand):
            return cand, end
    return None


def parse_threshold(
    text: str,
    pos: int,
    rules: CompiledRules,
    unit_ok: Callable[[str], bool] = lambda u: False,
    *,
    allow_bare: bool = True,
    allow_relative: bool = True,
    allow_pair: bool = False,
    number_words: bool = False,
) -> Threshold | None:
    """Parse `[comparator] number [range] [unit | × ULN] [comparator-after]` at `pos`."""
    ws = _WS_MATCH
    start = p = ws(text, pos).end()
    op = None
    between = False
    comp = match_comparator(text, p, rules)
    if comp:
        op, p = comp
        p = ws(text, p).end()
    if text[p:p + 7].lower() == "between":
        between, p = True, ws(text, p + 7).end()
    elif op is None and text[p:p + 4].lower() == "from":
        p = ws(text, p + 4).end()
    if op is not None and allow_relative:
        mult = _MULTIPLIER_FIRST.match(text, p)  # "AST > x2 ULN"
        if mult:
            rel = match_relative(text, mult.end(2), rules)
            if rel:
                num = Number(mult.start(1), mult.end(1), mult.group(1), (float(mult.group(1).replace(",", ".")),))
                return Threshold(start, rel[1], op, num, relative_to=rel[0])
        rel = match_relative(text, p, rules)
        # "≤ ULN", "< the upper limit of institutional normal": the limit itself, right after the comparator
        if rel and rules.uln.match_at(text, _ARTICLE.match(text, ws(text, p).end()).end()) is not None:
            one = Number(p, p, "", (1.0,))
            return Threshold(start, rel[1], op, one, relative_to=rel[0])
    lo = match_number(text, p, rules if number_words else None)
    if lo is None:
        return None
    p = lo.end
    hi = None
    paired = None
    rng = _RANGE_SEP.match(text, p)
    first_unit = None
    if rng is None and (op is None or between):
        # "7.0% and 10.5%": the unit written after each end of the range
        u1 = match_unit(text, p, unit_ok)
        if u1:
            rng = _RANGE_SEP.match(text, u1[1])
            first_unit = u1[0] if rng else None
    if rng and (op is None or between):
        hi = match_number(text, rng.end(), rules if number_words else None)
        if hi is not None:
            p = hi.end
    if hi is None and allow_pair:
        pm = _PAIR.match(text, p)
        if pm:
            paired = Number(pm.start(1), pm.end(1), pm.group(1), (float(pm.group(1)),))
            p = pm.end()
    if hi is None and between:
        return None
    th = Threshold(start, p, op, lo, hi, paired=paired)
    if allow_relative and op is None and hi is None:
        cmp = _TIMES_COMPARED.match(text, p)
        rel = match_relative(text, cmp.end(), rules) if cmp else None
        if rel:
            th.op = ">" if cmp.group("gt") else "<"
            th.relative_to, th.end = rel
            return th
    if allow_relative:
        rel = match_relative(text, p, rules)
        if rel:
            th.relative_to, th.end = rel
            p = rel[1]
    if th.relative_to is None:
        unit = match_unit(text, p, unit_ok)
        if unit is None and first_unit is not None and hi is not None:
            th.unit = first_unit
        if unit:
            th.unit, th.end = unit
            p = unit[1]
            if allow_relative:
                rel = match_relative(text, p, rules)
                if rel:
                    th.relative_to, th.end = rel
                    p = rel[1]
    after = match_comparator_after(text, p, rules)
    # "= 18 years and above": a lone "=" is often a lost "≥"/"≤", and the words after say which
    if after and th.op in (None, "=") and th.hi is None:
        th.op, th.end = after
    elif th.op is None and th.hi is None and not allow_bare:
        return None
    return th


def interval_of(th: Threshold, lo_value: float | None = None, hi_value: float | None = None) -> tuple:
    """(min, min_inclusive, max, max_inclusive) from a threshold's operator and values."""
    lo = lo_value if lo_value is not None else (th.lo.value if th.lo else None)
    hi = hi_value if hi_value is not None else (th.hi.value if th.hi else None)
    if th.hi is not None:
        a, b = (lo, hi) if lo <= hi else (hi, lo)
        return a, th.extras.get("lo_inclusive", True), b, th.extras.get("hi_inclusive", True)
    if th.op == "=":
        return lo, True, lo, True
    return one_sided(th.op, lo)


def strip_escapes(text: str) -> str:
    """Markdown escapes of API v2 text removed (for condition strings, never for spans)."""
    return _ESCAPES.sub("", text)
