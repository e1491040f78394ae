"""Prior-therapy counts: "at least one prior line of platinum-based chemotherapy",
"no more than 2 prior regimens", "treatment-naive", "No prior lenvatinib", "Prior treatment with X".

- A count next to a therapy ("two or more prior lines of", "for at least 2 cycles") gives its
  interval and `count_unit`.
- A negated prior mention ("no prior chemotherapy") gives max 0; an affirmative one with a
  prior cue ("prior treatment with lenvatinib", "progressed after X") gives min 1.
- Mentions used by a washout, in an exception clause, about toxicity or allergy, of current
  use, or of something allowed give nothing.
"""
from __future__ import annotations

import re

from .context import CriterionContext
from .model import Constraint, Interval
from .quantities import leading_comparator, match_comparator_after, match_number, one_sided, skip_ws
from .registry import extractor
from .therapy_mentions import (EXAMPLE_INTRO, TherapyMention, allowed_cue, in_exception, lexicon_search, lower_text,
                               may_contain, therapy_mentions)

_COUNT_FILLER = re.compile(
    r"(?:\s|\b(?:prior|previous|previously|earlier|different|distinct|consecutive|systemic|standard|separate|"
    r"additional|lines?|of|treatment|therapy|therapies|regimens?|kinds?|courses?|in\s+total|(?:re-?)?induction|"
    r"front-?line|first-line|adjuvant|neo-?adjuvant|salvage|palliative)\b)*",
    re.I,
)
_GAP_TO_THERAPY = re.compile(
    r"(?:\s|[(),:]|-|\b(?:of|with|containing|including|based|prior|previous|systemic|for|the|a|an|any|other|"
    r"standard|approved|anti|cancer|treatment|therapy|agents?|s\))\b)*"
    r"(?:[\w-]+-(?:free|based|containing|including)\s+)?$",
    re.I,
)
_AFTER_LEAD = re.compile(r"(?:\s|[(,:]|\b(?:for|of|with|treatment|therapy|x|×|NSCLC|disease|at|a|total)\b)*", re.I)
_AFTER_GAP = re.compile(
    r"[\s,:]*(?:(?:treatment|therapy|therapies|regimens?|for|of|with|in|the|a|an|at|total|advanced|metastatic|disease|"
    r"setting|cancer|[A-Z]{2,10})[\s,:]*)*"
)
_ONLY = re.compile(r"(?i)\b(?:only|exactly|just)\s*$")
_ANY = re.compile(r"(?i)\b(?:any|one or more)\s+(?:(?:prior|previous|systemic)\s+)*(?:(?P<unit>lines?|regimens?|courses?|cycles?)\s+(?:of\s+|with\s+)?)?$")
_ORDINAL_LINE = re.compile(r"(?i)\b(second|third|fourth|fifth|2nd|3rd|4th|5th)[-\s]+line\s+(?:(?:or|and)\s+(?:beyond|later|higher|above|greater)|\+)")
# how every _ORDINAL_LINE match ends, for lower-cased ASCII text: a fast pre-test (a literal start)
_ORDINAL_TAIL = re.compile(r"line\s+(?:(?:or|and)\s+(?:beyond|later|higher|above|greater)|\+)")


_WORD_OR_NUMBER = re.compile(r"(?<![\w.\-/–])(?:\d+|[A-Za-z]+)(?![\w])(?!-[A-Za-z])")


def _count_at(ctx: CriterionContext, pos: int, limit: int, therapy: TherapyMention | None = None,
              last: TherapyMention | None = None):
    """(start, end, op, n, n2, count_unit) for "[comparator] N [or more] [prior] UNIT" at `pos`;
    `last` ends a list of therapies that `therapy` starts ("chemotherapy or immunotherapy regimen")."""
    text = ctx.text
    start = skip_ws(text, pos)
    op, p = leading_comparator(text, start, ctx.rules)
    n = match_number(text, p, ctx.rules)
    if n is None or n.end > limit or n.value > 50 or n.text.lower() in ("a", "an"):
        return None  # "a previous targeted therapy" is not a count
    p = n.end
    n2 = None
    rng = _RANGE_GLUE.match(text, p)
    if rng:
        cand = match_number(text, rng.end(), ctx.rules)
        if cand is not None and cand.value > n.value:
            n2, p = cand, cand.end
    if op is None and n2 is None:
        after = match_comparator_after(text, p, ctx.rules)
        if after:
            op, p = after
    f = _COUNT_FILLER.match(text, p)
    unit_m = None
    q = p
    while q <= f.end():
        unit_m = ctx.rules.count_units.match_at(text, skip_ws(text, q))
        if unit_m:
            break
        nxt = _NEXT_WORD.match(text, q)
        if nxt is None or nxt.end() > f.end():
            break
        q = nxt.end()
    if unit_m is None and therapy is not None and f.end() >= therapy.start - 1:
        # "3 prior chemotherapy regimens": the unit follows the therapy
        tail = last or therapy
        unit_m = ctx.rules.count_units.match_at(text, skip_ws(text, tail.end))
        if unit_m is not None:
            return start, unit_m.end, op, n.value, (n2.value if n2 else None), unit_m.values[0]
        # ... or ends the therapy's own name ("chemotherapy regimens")
        word = _LAST_WORD.search(text[tail.start:tail.end])
        unit_m = ctx.rules.count_units.match_at(word.group(), 0) if word else None
        if unit_m is not None and unit_m.end == len(word.group()):
            return start, tail.end, op, n.value, (n2.value if n2 else None), unit_m.values[0]
    if unit_m is None:
        return None
    p = unit_m.end
    if op is None and n2 is None:
        after = match_comparator_after(text, p, ctx.rules)
        if after:
            op, p = after
    return start, p, op, n.value, (n2.value if n2 else None), unit_m.values[0]


_RANGE_GLUE = re.compile(r"\s*(?:-|–|to|or)\s*")
_NEXT_WORD = re.compile(r"\s*\S+")
_LAST_WORD = re.compile(r"[\w-]+$")
_NOT_BEFORE = re.compile(r"(?i)(?:\bnot|n't)\s+$")


def _negate(iv: tuple) -> tuple:
    """The complement of a one-sided count interval ("not more than 1" is at most 1)."""
    mn, mn_in, mx, mx_in = iv
    if mn is not None and mx is None:
        return None, None, mn, not mn_in
    if mx is not None and mn is None:
        return mx, not mx_in, None, None
    return iv


def _interval(ctx: CriterionContext, count, sentence: tuple[int, int]) -> tuple:
    start, _, op, n, n2, _ = count
    text = ctx.text
    if n2 is not None:
        return n, True, n2, True
    if op is not None:
        return one_sided(op, n)
    if _ONLY.search(text[max(0, start - 12):start]):
        return n, True, n, True
    allowed = allowed_cue(ctx, sentence[0], sentence[1])
    if allowed is not None and not _NOT_BEFORE.search(text, max(0, allowed.start - 6), allowed.start):
        return None, None, n, True
    return n, True, None, None


_COORDINATOR = re.compile(r"\s*(?:,\s*)?(?:or|and|and/or|/|,)\s*", re.I)


def _START(m: TherapyMention) -> int:
    return m.start


def _coordinated(ctx: CriterionContext, t: TherapyMention, mentions: list[TherapyMention], s: int, e: int):
    """The first and last therapy of the list joined by "or"/"and"/"," that `t` belongs to."""
    by_sentence = ctx.cache.get("prior_therapy.same")
    if by_sentence is None or by_sentence[0] is not mentions:
        by_sentence = ctx.cache["prior_therapy.same"] = (mentions, {})
    same = by_sentence[1].get((s, e))
    if same is None:
        same = by_sentence[1][s, e] = sorted((m for m in mentions if s <= m.start and m.end <= e), key=_START)
    if t not in same:
        return t, t
    k = j = same.index(t)
    while k > 0 and _COORDINATOR.fullmatch(ctx.text, same[k - 1].end, same[k].start):
        k -= 1
    while j + 1 < len(same) and _COORDINATOR.fullmatch(ctx.text, same[j].end, same[j + 1].start):
        j += 1
    if k != j and EXAMPLE_INTRO.search(ctx.text, max(s, same[k].start - 30), same[k].start):
        return t, t  # "one line of standard treatment, including X, Y or Z": examples, not the counted therapies
    return same[k], same[j]


_LEAD_COMPARATOR = re.compile(
    r"(?i)(?:at\s+least|no\s+more\s+than|not\s+more\s+than|more\s+than|fewer\s+than|less\s+than|"
    r"up\s+to|a\s+maximum\s+of|maximum\s+of|a\s+minimum\s+of|minimum\s+of|greater\s+than|"
    r"[≥≤<>]=?|=<|=>)\s*$")
_BRACKETED = re.compile(r"\([^()]*\)")


def _numbers(window: str, number_words: dict):
    """The _WORD_OR_NUMBER words of `window` that are numbers: digits or number words. In ASCII
    text, one scan of the lower-cased window for just those (a trie of the number words)."""
    if window.isascii():
        return _number_re(number_words).finditer(window.lower())
    return (nm for nm in _WORD_OR_NUMBER.finditer(window) if nm.group().isdigit() or nm.group().lower() in number_words)


_NUMBER_RE: list = [None, None]  # (number_words, its pattern)


def _number_re(number_words: dict) -> re.Pattern:
    """_WORD_OR_NUMBER for lower-cased ASCII text, matching only digits and the number words that
    can be such a word (ASCII letters only): the same matches as the words kept from it."""
    if _NUMBER_RE[0] is not number_words:
        tree: dict = {}
        for w in number_words:
            if w.isascii() and w.isalpha() and w == w.lower():
                node = tree
                for ch in w:
                    node = node.setdefault(ch, {})
                node[""] = {}

        def branch(node: dict) -> str:
            alts = [re.escape(ch) + branch(child) for ch, child in sorted(node.items()) if ch]
            if not alts:
                return ""
            return "(?:" + "|".join(alts) + ("|" if "" in node else "") + ")"

        words = branch(tree) or "(?!)"
        _NUMBER_RE[:] = [number_words, re.compile(r"(?<![\w.\-/–])(?:\d+|" + words + r")(?![\w])(?!-[a-z])")]
    return _NUMBER_RE[1]


def _find_count(ctx: CriterionContext, t: TherapyMention, mentions: list[TherapyMention]):
    text = ctx.text
    s, e = ctx.sentence_of(t.start)
    first, last = _coordinated(ctx, t, mentions, s, e)
    prev_end = max([m.end for m in mentions if m.end <= first.start and m.start >= s] + [s])
    # before: "two or more prior lines of <therapy>"
    window_start = max(prev_end, first.start - 90)
    number_words = ctx.rules.number_words
    for nm in _numbers(text[window_start:first.start], number_words):  # a count starts with a number
        pos = window_start + nm.start()
        # include a comparator just before the number
        lead = _LEAD_COMPARATOR.search(text[window_start:pos])
        begin = window_start + lead.start() if lead else pos
        count = _count_at(ctx, begin, first.start, first, last if last is not first else None)
        if count and (count[1] >= first.end or _GAP_TO_THERAPY.match(text[count[1]:first.start])):
            return count
    # after: "<therapy> … for at least 2 consecutive treatment cycles"
    nxt = min([m.start for m in mentions if m.start > t.end] + [e, t.end + 90])
    for nm in _numbers(text[t.end:nxt], number_words):
        pos = t.end + nm.start()
        lead = _LEAD_COMPARATOR.search(text[t.end:pos])
        begin = t.end + lead.start() if lead else pos
        between = _BRACKETED.sub(" ", text[t.end:begin])
        if not _AFTER_GAP.fullmatch(between):
            break
        count = _count_at(ctx, begin, nxt)
        if count:
            return count
    return None


_RELATED_AFTER = re.compile(r"(?i)\s*(?:or|and|/)\s*[\w-]+(?:\s+[\w-]+)?[-\s](?:related|induced)\b")
_TOXICITY_WORDS = ("toxicit", "side effect", "adverse event", "hypersensitiv", "allerg", "reaction", "intoleran", "induced")
_TOXICITY_AFTER = re.compile(r"(?i)[^.;,]{0,25}\b(?:toxicit|side effect|adverse event|hypersensitiv|allerg|reaction|intoleran|induced)")
_RECOVERED = re.compile(r"(?i)\brecover(?:ed|y)\s+from\b")
_PLANNED_AFTER = re.compile(r"(?i)[\w\s,-]{0,40}?\b(?:planned|scheduled|anticipated)\b")
_CONDITION_LEAD = re.compile(r"(?i)(?:^|[,;(]\s*)(?:if|when|whenever)\b[^,;.]*$")


def _blocked_words(ctx: CriterionContext) -> tuple[bool, bool, bool, bool, bool]:
    """Which of the words _blocked's patterns need the criterion has (once per criterion; all
    True for non-ASCII text, where the patterns are simply tried)."""
    words = ctx.cache.get("prior_therapy.blocked_words")
    if words is None:
        low = lower_text(ctx)
        if low is None:
            words = (True, True, True, True, True)
        else:
            words = ("related" in low or "induced" in low, any(w in low for w in _TOXICITY_WORDS), "recover" in low,
                     "planned" in low or "scheduled" in low or "anticipated" in low, "if" in low or "when" in low)
        ctx.cache["prior_therapy.blocked_words"] = words
    return words


def _blocked(ctx: CriterionContext, t: TherapyMention) -> bool:
    text = ctx.text
    related, toxicity, recover, planned, condition = _blocked_words(ctx)
    s, e = ctx.sentence_of(t.start)
    after = text[t.end:min(e, t.end + 30)]
    if ctx.rules.non_use_after.match_at(after.lstrip(" "), 0) is not None:
        return True
    if related and _RELATED_AFTER.match(after):
        return True
    if toxicity and _TOXICITY_AFTER.match(after):
        return True
    if lexicon_search(ctx, ctx.rules.non_use_before, max(s, t.start - 45), t.start, sliced=True) is not None:
        return True
    if recover and _RECOVERED.search(text[max(s, t.start - 150):t.start]):
        return True  # "recovered from toxicity of previous chemo-, hormone- or radiotherapy"
    if lexicon_search(ctx, ctx.rules.future_cues, max(s, t.start - 40), t.start, sliced=True) is not None:
        return True
    if planned and _PLANNED_AFTER.match(text[t.end:e]):
        return True  # "no further surgery or systemic therapy planned"
    if condition and _CONDITION_LEAD.search(text[s:t.start]):
        return True  # "If received any investigational agent before, …": a condition, not a requirement
    lo = max(s, t.start - 100)
    if lexicon_search(ctx, ctx.rules.current_use, lo, t.start, sliced=True) is not None \
            and not _PRIOR_OR_CURRENT.search(text[lo:t.start]):
        return True
    return False


# "prior or concurrent X", "current or previous treatment with X": ever used, so a prior therapy too
_PRIOR_OR_CURRENT = re.compile(
    r"(?i)\b(?:(?:prior|previous|past)\s*(?:or|and|/|and/or)\s*(?:concurrent|current|concomitant|ongoing)"
    r"|(?:concurrent|current|concomitant|ongoing)\s*(?:or|and|/|and/or)\s*(?:prior|previous|past))\b")


# targets that are washouts when timed, and otherwise general bans rather than prior treatment
_WINDOW_ONLY = {"investigational_agent", "major_surgery", "minor_surgery", "live_vaccine", "transfusion"}
_TIME_PREPOSITION = re.compile(r"\s+to\b", re.I)  # "prior to radiation" is about time, not a prior therapy


_PRIOR_AFTER = re.compile(r"(?i)[^.;]{0,45}\b(?:before|previously|prior|earlier|in the past|already)\b")


def _prior_cue(ctx: CriterionContext, t: TherapyMention) -> bool:
    text = ctx.text
    s, e = ctx.sentence_of(t.start)
    for cue in ctx.rules.prior_cues.finditer(text, max(s, t.start - 150), t.start):
        if not _TIME_PREPOSITION.match(text, cue.end):
            return True
    for cue in ctx.rules.prior_cues_near.finditer(text, max(s, t.start - 25), t.start):
        if not _TIME_PREPOSITION.match(text, cue.end):
            return True
    after = text[t.end:min(e, t.end + 40)]
    return _PRIOR_AFTER.match(after) is not None


_OR_GLUE = re.compile(r"[\s,]*(?:\([^()]*\))?[\s,]*(?:or|and/or|/)[\s,]*(?:\w+\s+){0,3}?", re.I)


def _in_disjunction(ctx: CriterionContext, t: TherapyMention, mentions: list[TherapyMention]) -> bool:
    text = ctx.text
    for other in mentions:
        if other is t:
            continue
        a, b = (other, t) if other.end <= t.start else (t, other)
        if b.start - a.end <= 120 and _OR_GLUE.fullmatch(text[a.end:b.start]):
            return True
    return False


def _polarity(ctx: CriterionContext, pos: int) -> str:
    base = ctx.base_polarity()
    if base == "exclude":
        s, _ = ctx.sentence_of(pos)
        if ctx.rules.include_cues.search(ctx.text, s, pos) is not None:
            return "include"
    return base


_QUALIFIER = re.compile(r"\s+(?P<q>(?:to|for|of|in)\s+(?:the\s+|an?\s+)?[A-Za-z][\w\s'-]{2,40}?)(?=\s*(?:[.,;:()]|$|\s+(?:No|Not|At|Prior|and|or|with|within|except|unless)\b))")


def _make(ctx: CriterionContext, t: TherapyMention | None, therapy: str, rule: str, start: int, end: int,
          iv: tuple, count_unit: str, polarity: str) -> Constraint:
    condition = None
    if t is not None:
        # "No prior radiotherapy to the pelvis", "… for hepatocellular carcinoma": what the limit is about
        q = _QUALIFIER.match(ctx.text, t.end)
        if q and not ctx.rules.count_units.match_at(q.group("q").split(None, 1)[-1], 0):
            condition = q.group("q").strip()
    c = Constraint(
        type="prior_therapy", polarity=polarity, text=ctx.text[start:end], span=ctx.span(start, end),
        rule=rule, interval=Interval(*iv), therapy=therapy, count_unit=count_unit, condition=condition,
    )
    if t is not None and t.classes:
        c.extra["therapy_classes"] = list(t.classes)
    return c


_UNNAMED_COUNT = re.compile(
    r"(?i)(?<![\w.\-–])(?:\d+|one|two|three|four|five|six)(?:\s*(?:-|–|to)\s*\d+)?\s+(?:or\s+(?:more|fewer|less)\s+)?"
    r"(?:prior|previous)\s+(?P<systemic>systemic\s+|anti-?cancer\s+|standard\s+)?(?P<chemo>(?:re-?)?induction\s+)?"
    r"(?P<lines>lines?\s+of\s+)?"
    r"(?P<unit>therapies|therapy|treatments?|regimens?|lines?)\b")


_UNNAMED_LEAD = re.compile(
    r"(?i)(?:at\s+least|no\s+more\s+than|not\s+more\s+than|more\s+than|fewer\s+than|less\s+than|"
    r"up\s+to|a\s+maximum\s+of|maximum\s+of|a\s+minimum\s+of|minimum\s+of|[≥≤<>]=?)\s*$")


# how every _UNNAMED_COUNT match ends, for lower-cased ASCII text: a fast pre-test (a literal start)
_UNNAMED_TAIL = re.compile(
    r"(?:prior|previous)\s+(?:systemic\s+|anti-?cancer\s+|standard\s+)?(?:(?:re-?)?induction\s+)?"
    r"(?:lines?\s+of\s+)?(?:therapies|therapy|treatments?|regimens?|lines?)\b")


def _unnamed_counts(ctx: CriterionContext, mentions: list[TherapyMention]) -> list[Constraint]:
    text = ctx.text
    out = []
    low = lower_text(ctx)
    if low is not None and not _UNNAMED_TAIL.search(low):
        return out  # no "prior <unit>" that every _UNNAMED_COUNT match ends with
    for m in _UNNAMED_COUNT.finditer(text):
        nxt = [t for t in mentions if 0 <= t.start - m.end() <= 25]
        if nxt or in_exception(ctx, m.start()):
            continue  # the therapy is named right after: counted with it
        lead = _UNNAMED_LEAD.search(text[max(0, m.start() - 25):m.start()])
        begin = m.start() - (len(lead.group()) if lead else 0)
        count = _count_at(ctx, begin, m.end() + 1)
        if count is None:
            continue
        s, e = ctx.sentence_of(m.start())
        iv = _interval(ctx, count, (s, e))
        words = (m.group("systemic") or "").lower()
        lines_or_regimens = bool(m.group("lines")) or m.group("unit").lower().startswith(("regimen", "line"))
        therapy = "systemic_therapy" if ("systemic" in words or lines_or_regimens) else "anticancer_therapy"
        if m.group("chemo"):
            therapy = "chemotherapy"  # "≤ 2 prior induction regimens" (leukaemia): induction is chemotherapy
        out.append(_make(ctx, None, therapy, "prior_therapy.unnamed_count", begin, count[1], iv, count[5],
                         _polarity(ctx, begin)))
    return out


# --- exact necessary conditions for a mention to give anything (ASCII text only) -------------
# Every constraint of the mention loop needs a count (_find_count: a number in its windows),
# a prior cue (_prior_cue: a cue phrase in its windows) or an "any" lead (_ANY); a mention whose
# windows hold none of the words these need is skipped before the costlier tests.

def _cue_before(lex, low: str, a: int, b: int) -> bool:
    """Whether _prior_cue's loop over `lex.finditer(text, a, b)` may find a cue not followed by
    "to" (a superset: the raw pattern's matches, tested in the lower-cased ASCII text)."""
    pattern = lex.lower_case_pattern()
    if pattern is None:
        return True
    for m in pattern.finditer(low, a, b):
        if m.end() > m.start() and not _TIME_PREPOSITION.match(low, m.end()):
            return True
    return False


_PRIOR_AFTER_WORDS = re.compile(r"before|previously|prior|earlier|in the past|already")
_NUMBER_WORD_RE: list = [None, None]  # (number_words, pattern)


def _number_word_re(number_words: dict) -> re.Pattern:
    """Where match_number can read a number other than "a"/"an" in lower-cased ASCII text: a
    digit, or a number word not after a letter or digit (or "a/an and a half")."""
    if _NUMBER_WORD_RE[0] is not number_words:
        words = sorted((w for w in number_words if w not in ("a", "an")), key=len, reverse=True)
        _NUMBER_WORD_RE[:] = [number_words, re.compile(
            r"\d|(?<![a-z0-9])(?:" + "|".join([re.escape(w) for w in words] + [r"an?\s+and\s+a\s+half"]) + ")")]
    return _NUMBER_WORD_RE[1]


def _may_give(ctx: CriterionContext, t: TherapyMention, mentions: list[TherapyMention], low: str,
              any_words: bool) -> bool:
    """False only when the mention can give nothing: no number that _find_count could read in its
    windows (before: from 90 characters before the sentence's first mention up to it, which holds
    the window before the first therapy of its list; after: the 90 characters after it, in the
    sentence), no prior cue in _prior_cue's windows, no "any"/"one or more" in _ANY's window."""
    s, e = ctx.sentence_of(t.start)
    start, end = t.start, t.end
    number = _number_word_re(ctx.rules.number_words)
    if number.search(low, end, min(e, end + 90)) is not None:
        return True
    first = start
    for m in mentions:
        if s <= m.start < first:
            first = m.start
    if number.search(low, max(s, first - 90), start) is not None:
        return True
    if _cue_before(ctx.rules.prior_cues, low, max(s, start - 150), start):
        return True
    if _cue_before(ctx.rules.prior_cues_near, low, max(s, start - 25), start):
        return True
    if _PRIOR_AFTER_WORDS.search(low, end, min(e, end + 40)) is not None:
        return True
    if any_words:
        lo = max(s, start - 40)
        if low.find("any", lo, start) >= 0 or low.find("one or more", lo, start) >= 0:
            return True
    return False


_QUALIFIED_NAIVE = re.compile(r"\s+(?!for\b)(?:on|with|of|in|at|to|by|from|during)\b")
_NO_LEAD = re.compile(r"(?i)\s*(?:no|none|without)\b")


_PRIOR_KINDS = frozenset({"therapy", "drug", "naive", "line_ordinal"})


def _says_prior(ctx: CriterionContext) -> bool:
    text = ctx.criterion.text
    return "prior" in text or "previous" in text or "Prior" in text or "Previous" in text


@extractor("eligex.prior_therapy.v1", kinds=_PRIOR_KINDS, unless=_says_prior)
def extract_prior_therapy(ctx: CriterionContext) -> list[Constraint]:
    text = ctx.text
    if ctx.kinds.isdisjoint(_PRIOR_KINDS) and not _says_prior(ctx):
        return []
    out: list[Constraint] = []
    mentions = therapy_mentions(ctx)
    counted: set[str] = set()
    # treatment-naive phrases
    for m in (ctx.mentions if "naive" in ctx.kinds else ()):
        c = m.first("naive")
        if c is None:
            continue
        follow = [t for t in mentions if 0 <= t.start - m.end <= 20]
        if follow or in_exception(ctx, m.start):
            continue  # "no prior treatment with X": X itself is negated below
        if _QUALIFIED_NAIVE.match(text, m.end):
            continue  # "no prior treatment on this protocol", "naive to insulin": qualified, not treatment-naive
        out.append(_make(ctx, None, c.id, c.rule, m.start, m.end, (None, None, 0, True), "any", _polarity(ctx, m.start)))
    any_words = may_contain(ctx, "any", "one or more")  # words _ANY needs
    low = lower_text(ctx)
    for t in mentions:
        if t.start in ctx.consumed or (low is not None and not _may_give(ctx, t, mentions, low, any_words)) \
                or in_exception(ctx, t.start) or _blocked(ctx, t):
            continue
        s, e = ctx.sentence_of(t.start)
        count = _find_count(ctx, t, mentions)
        if count is not None:
            iv = _interval(ctx, count, (s, e))
            if ctx.is_negated(count[0]):
                iv = _negate(iv)  # "must not have had more than one prior regimen": at most one
            start, end = min(count[0], t.start), max(count[1], t.end)
            out.append(_make(ctx, t, t.id, f"prior_therapy.{t.rule}", start, end, iv, count[5], _polarity(ctx, start)))
            counted.add(t.id)
            continue
        allowed = allowed_cue(ctx, s, e)
        if allowed is not None and not _NOT_BEFORE.search(text, max(s, allowed.start - 6), allowed.start):
            continue
        prior = None  # _prior_cue(ctx, t), asked at most once
        if allowed is not None:
            prior = _prior_cue(ctx, t)
            if prior:
                # "Prior chemotherapy is not allowed"
                out.append(_make(ctx, t, t.id, f"prior_therapy.{t.rule}", t.start, t.end, (None, None, 0, True), "any",
                                 "include"))
                continue
        negated = ctx.is_negated(t.start)
        if negated and prior is None:
            prior = _prior_cue(ctx, t)
        any_lead = None
        if not (negated and prior) and any_words:
            any_lead = _ANY.search(text[max(s, t.start - 40):t.start])
        if negated and prior:
            polarity = _polarity(ctx, t.start)
            if polarity == "exclude" and _NO_LEAD.match(text, s):
                # "No prior gemcitabine" listed under exclusions states who may enter: max 0 as include
                polarity = "include"
            out.append(_make(ctx, t, t.id, f"prior_therapy.{t.rule}", t.start, t.end, (None, None, 0, True), "any",
                             polarity))
        elif any_lead and any_lead.group("unit"):
            # "any previous line of targeted therapy": at least one line
            unit_m = ctx.rules.count_units.match_at(any_lead.group("unit"), 0)
            unit = unit_m.values[0] if unit_m else "any"
            start = max(s, t.start - 40) + any_lead.start()
            out.append(_make(ctx, t, t.id, f"prior_therapy.{t.rule}", start, t.end, (1, True, None, None), unit,
                             _polarity(ctx, start)))
            counted.add(t.id)
        elif not negated and (prior if prior is not None else _prior_cue(ctx, t)):
            if _polarity(ctx, t.start) == "include" and _in_disjunction(ctx, t, mentions):
                continue  # "after X and/or Y": neither one alone is required
            if t.id in _WINDOW_ONLY:
                continue  # "prior participation in another study" without a window: a ban, not a prior line
            out.append(_make(ctx, t, t.id, f"prior_therapy.{t.rule}", t.start, t.end, (1, True, None, None), "any",
                             _polarity(ctx, t.start)))
    # "after at least 1 prior therapy", "up to 2 prior systemic regimens": a count with no therapy named
    for c in _unnamed_counts(ctx, mentions):
        out.append(c)
        counted.add(c.therapy)
    # "third line or beyond": at least two prior lines
    low = lower_text(ctx)
    for m in (_ORDINAL_LINE.finditer(text) if low is None or _ORDINAL_TAIL.search(low) else ()):
        lines = ctx.rules.line_ordinals.get(m.group(1).lower())
        if lines:
            out.append(_make(ctx, None, "systemic_therapy", "prior_therapy.line_ordinal", m.start(), m.end(),
                             (lines, True, None, None), "line", _polarity(ctx, m.start())))
    # a counted constraint makes the uncounted "min 1" of the same therapy redundant
    result, seen = [], set()
    for c in out:
        if c.therapy in counted and c.count_unit == "any" and c.interval.min == 1 and c.interval.max is None:
            continue
        key = (c.therapy, c.interval.min, c.interval.max, c.polarity, c.condition)
        if key in seen:
            continue
        seen.add(key)
        result.append(c)
    return result
