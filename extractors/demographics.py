"""Age, life expectancy and sex stated in the criteria text.

Age: a number (or range) of years/months next to an age cue ("aged 18–75 years",
"≥ 18 years of age", "18 years or older", "Age: 18 and over", "18 ≥ years old").
Life expectancy: a duration after a life-expectancy phrase ("life expectancy ≥ 12 weeks",
"expected survival over 3 months"). Sex: only a criterion that restricts it outright.
"""
from __future__ import annotations

import re

from .context import CriterionContext
from .model import Constraint, Interval
from .quantities import (NUMBER_RE, Number, leading_comparator, match_comparator, match_comparator_after,
                         match_number, one_sided, skip_restated_comparator, skip_ws)
from .registry import extractor
from .units import duration_days, duration_unit_name

_AGE_UNIT = re.compile(r"\s*(?:\(\s*s\s*\)\s*)?(years?|yrs?\.?|y\.?o\.?|yo|y/o|months?|mos?\.?|weeks?|wks?|days?)(?![\w])", re.I)
_AGE_WORD = re.compile(r"(?i)\b(?:age[ds]?|years?\s+of\s+age|years?[\s-]+old|year[\s-]+olds?|yo|y\.o\.|y/o|older|younger)\b")
_AGE_AFTER = re.compile(r"(?i)\s*(?:of\s+age|old|olds|aged|at\s+the\s+time|at\s+(?:screening|enrollment|consent|inclusion))")
_AGE_WORD_AFTER_COMPARATOR = re.compile(r"(?i)\s*(?:the\s+)?age[ds]?\s+(?:of\s+)?")
_EVENT_AGE = re.compile(r"(?i)\b(?:when|at|since|before|after|by|until|onset)\s+(?:the\s+)?(?:age[ds]?|aged)\s*(?:of\s*)?$")
_IN_SUBGROUP = re.compile(r"(?i)\b(?:in|among)\s+(?:patients|subjects|children|participants|those|women|men|adults|infants)\s*$")
_CONDITION_CLAUSE = re.compile(r"(?i)(?:^|[,;(]\s*)(?:(?:and|or|but)\s+)?(?:for|if|when|whenever|in\s+case\s+of)\b[^,;.]*$")
_SUBJECT_BEFORE = re.compile(r"(?i)\b(?:age[ds]?|ages|adults?|children|child|adolescents?|patients?|participants?|subjects?|men|women|males?|females?|infants?|volunteers?|persons?|individuals?|people|boys|girls)\b[\s:,(]*(?:(?:of|is|are|must|be|between|from|at|least|who|were|was)\s+)*$")
_AGE_KEYS = ("age", "year", "yr", "month", "old", "y/o", "yo", "y.o", "younger")
_NEAR_AGE = re.compile(r"(?i)\bage|year|yr|month|\bold\b|\bolder\b|\byounger\b|y/o|\byo\b|y\.o\.")
# _NEAR_AGE for lower-cased text of the same length: every character then lower-cases to one
# character with the same word/non-word class, and only "a"/"A" (etc.) lower-case to the ASCII
# letters here, so this finds a match exactly where _NEAR_AGE does (checked over all code points)
# It is only asked whether it matches in a window, so it is written for speed: the words that
# need a boundary before them consume their first letter before looking behind, so that re
# skips ahead to candidate letters (a pattern starting with \b is tried at every position:
# 4.6x slower on windows around numbers); tests check it against the readable form
# r"\bage|year|yr|month|\bold\b|\bolder\b|\byounger\b|y/o|\byo\b|y\.o\."
_NEAR_AGE_LOWER = re.compile(r"[aoy](?<=\b[aoy])(?:(?<=a)ge|(?<=o)ld(?:er)?\b|(?<=y)(?:ounger|o)\b)|year|yr|month|y/o|y\.o\.")
_RANGE = re.compile(r"\s*(?:-|–|—|to|and|through)\s*(?:(?P<below>(?:less than|under|below|younger than)\s+|<(?!=)\s*)|(?:≤|<=)\s*)?", re.I)
# precompiled forms of the patterns the age parser used to pass to re.match/re.search by string
_THE_AGES_OF = re.compile(r"(?i)the\s+ages?\s+of\s+")
_OLDER_YOUNGER = re.compile(r"(?i)older|younger")
_AGE_OLDER_YOUNGER = re.compile(r"(?i)\bage|older|younger")
_OLD_OF_AGE = re.compile(r"(?i)\s*(?:old|of age)")
_NOT_AN_AGE_UNIT = re.compile(r"\s*(?:[%/×*]|x\s*\d|mg|g/|ml|mm|kg|cm)", re.I)
_AGE_START = re.compile(r"(?i)\bage")
_UNIT_WITH_UPPER = re.compile(r"\s*(?:and|to|-|–)\s*(?:[<≤]=?|less than|under|below)?\s*\d+\s*(years?|yrs?)")
_UNIT_WITH_OTHER_END = re.compile(
    r"(?i)\s*(?:or|and)\s*(?:[>≥]=?|older than|greater than|more than|over|above)\s*\d+\s*(years?|yrs?)")
_BETWEEN_FROM = re.compile(r"(?i)\b(?:between|from)\s+(?:the\s+ages?\s+of\s+)?$")
_AGE_WORD_BEFORE = re.compile(r"(?i)\bage[ds]?\b[^.;\d]{0,20}$")
_NOT_AGE_LABEL_WORD = re.compile(r"(?i)\b(?:weight|bmi|kg|height|score)\b")
_NUMBER_BEFORE_PAREN = re.compile(r"[\d%]\s*$")
_SUBGROUP_PAREN = re.compile(r"(?i)[(\[]\s*(?:age[ds]?|patients|children|those)\b")
_DURATION_BEFORE = re.compile(r"(?i)\b(?:within|past|last|for|during|since|after|before|prior|previous|history|duration|"
                              r"diagnosed|diagnosis|follow-up|survival|expectancy|every|per|over the)\b[^.;]{0,12}$")
_LE_FILLER = re.compile(r"(?:[\s:,(]|\b(?:of|is|was|are|being|must|be|should|expected|estimated|time|the|with|than|greater|more|life|span|survival|to|limited|limiting|for|live)\b)*", re.I)


def _years(value: float, unit_word: str | None) -> float | None:
    if unit_word is None:
        return value
    days = duration_days(value, unit_word.rstrip("."))
    if days is None:
        w = unit_word.lower()
        if w.startswith("y"):
            return value
        return None
    name = duration_unit_name(unit_word.rstrip("."))
    if name == "month":
        return value / 12.0  # ages count calendar months: 6 months is half a year
    return value if name == "year" else days / 365.0


def _age_at(ctx: CriterionContext, pos: int, cue_before, label_age: bool):
    """Parse "[comparator] N [- M] [unit] [comparator-after]" at `pos` as an age.

    `cue_before` is a function returning whether an age cue comes before: it is asked only
    when the parse found an order or a range (it reads the text before, which costs)."""
    text = ctx.text
    start = skip_ws(text, pos)
    op, p = leading_comparator(text, start, ctx.rules)
    if op is None:
        eq = match_comparator(text, p, ctx.rules)
        if eq is not None and eq[0] == "=":
            p = skip_ws(text, eq[1])  # "= 18 years and above": the words after give the order
    if op is not None:
        aw = _AGE_WORD_AFTER_COMPARATOR.match(text, p)
        if aw:
            p = aw.end()
    if text[p:p + 7].lower() == "between":
        p = skip_ws(text, p + 7)
        ages = _THE_AGES_OF.match(text, p)
        if ages:
            p = ages.end()
    elif text[p:p + 4].lower() == "from":
        p = skip_ws(text, p + 4)
    n = match_number(text, p)
    if n is None and text[p:p + 5].lower() == "birth":
        n = Number(p, p + 5, text[p:p + 5], (0.0,))  # "between birth and 65"
    if n is None or n.value > 120:
        return None
    p = n.end
    if op is None and text[p:p + 1] == "+":
        op, p = ">=", p + 1  # "60+ years of age"
    n2 = None
    hi_exclusive = False
    unit1 = _AGE_UNIT.match(text, p)
    q = unit1.end() if unit1 else p
    rng = _RANGE.match(text, q)
    if rng and op is None:
        n2 = match_number(text, rng.end())
        if n2 is not None and (n2.value <= n.value and not unit1 or n2.value > 130):
            n2 = None
        if n2 is not None:
            p = n2.end
            hi_exclusive = bool(rng.group("below"))
    elif unit1:
        p = unit1.end()
    unit = _AGE_UNIT.match(text, p)
    unit_word = None
    if unit:
        unit_word = unit.group(1)
        p = unit.end()
    elif unit1:
        unit_word = unit1.group(1)
    after_cmp = None
    # "18 ≥ years old": a comparator between the number and the unit
    if unit is None and op is None:
        c2 = match_comparator(text, skip_ws(text, p), ctx.rules)
        if c2:
            u2 = _AGE_UNIT.match(text, c2[1])
            if u2:
                after_cmp, p, unit_word = ">=" if c2[0] in (">=", ">", "<=") else c2[0], u2.end(), u2.group(1)
    if unit_word and duration_unit_name(unit_word.rstrip(".")) not in ("year", "month", "week", "day") \
            and not unit_word.lower().startswith("y"):
        return None
    after = match_comparator_after(text, p, ctx.rules)
    if after and op is None and n2 is None:
        op, p = after
    tail = _AGE_AFTER.match(text, p)
    age_after = bool(tail) or bool(after and after[1] and _OLDER_YOUNGER.search(text[p - 10:p]))
    if tail:
        p = tail.end()
        # the comparator after "of age" ("18 years of age or older"); without a tail p is where
        # the first look stood or past what it took, so a second look could change nothing
        if op is None and n2 is None:
            after = match_comparator_after(text, p, ctx.rules)
            if after:
                op, p = after
    if after_cmp and op is None:
        op = after_cmp
    # "+" right after the unit: "6 months+"
    if op is None and n2 is None and p < len(text) and text[p] == "+":
        op, p = ">=", p + 1
    if op is None and n2 is None:
        return None  # neither an order nor a range: no age limit (nothing below sets op or n2)
    # "over the age of 18", "older than 80 years"
    cue_before = cue_before() or bool(_AGE_OLDER_YOUNGER.search(text[start:n.start]))
    if not (cue_before or age_after or label_age or (unit_word and _OLD_OF_AGE.match(text[p - 8:p + 8] or ""))):
        return None
    if unit_word is None and not (label_age or cue_before or age_after):
        return None
    if unit_word is None and _NOT_AN_AGE_UNIT.match(text, n.end):
        return None  # "> 45%": not an age
    if unit_word is None and not label_age and not age_after and not _AGE_START.search(text[max(0, start - 25):n.start]):
        # "≥ 20 and <80 years of age": the unit comes with the other bound
        ahead = _UNIT_WITH_UPPER.match(text, p)
        if not (ahead and op in (">=", ">")):
            # "younger than 21 or older than 75 years": the unit comes with the other end
            ahead = _UNIT_WITH_OTHER_END.match(text, p) if op in ("<", "<=") else None
        if not ahead:
            return None
        unit_word = ahead.group(1)
    lo_y = _years(n.value, unit_word)
    if lo_y is None:
        return None
    if n2 is not None:
        hi_y = _years(n2.value, unit_word)
        if unit1 is not None and n2.start > unit1.start():
            lo_y = _years(n.value, unit1.group(1))  # "6 months to 17 years"
        if lo_y is None or hi_y is None:
            return None
        return start, p, (n.value, True, n2.value, not hi_exclusive), (lo_y, hi_y), unit_word
    if op is None:
        return None
    iv = one_sided(op, n.value)
    if iv is None:
        return None
    norm = (lo_y if iv[0] is not None else None, lo_y if iv[2] is not None else None)
    return start, p, iv, norm, unit_word


_BIRTH = re.compile(r"(?i)\bbirth\b")
_match_start = re.Match.start
_AGE_GLUE = re.compile(r"(?i)\s*(?:(?:the\s+)?age[ds]?\s+(?:of\s+)?)?$")


def _comparator_start(ctx: CriterionContext, lo: int, pos: int) -> int:
    """Where a comparator written before the number at `pos` starts ("≥", ">/=", "above or
    equal to", "under the age of", "between"), or `pos` when there is none."""
    text = ctx.text
    best = pos
    for m in ctx.rules.comparators.finditer(text, lo, pos):
        end = skip_restated_comparator(text, m.end)  # "greater than or equal to (>=) 18"
        if _AGE_GLUE.fullmatch(text, end, pos) or not text[end:pos].strip():
            best = min(best, m.start)
            break
    for m in _BETWEEN_FROM.finditer(text[lo:pos]):
        best = min(best, lo + m.start())
    return best


def _unit_name(word: str | None) -> str:
    if word is None:
        return "year"
    name = duration_unit_name(word.rstrip("."))
    if name is None and word.lower().startswith("y"):
        return "year"
    return name or "year"


@extractor("eligex.age.v1")
def extract_age(ctx: CriterionContext) -> list[Constraint]:
    criterion = ctx.criterion
    text = criterion.text
    label = criterion.label
    label_age = bool(label and label.strip().lower() in ("age", "ages"))
    near_age, near_text = _NEAR_AGE, text
    if not label_age:
        low = text.lower()
        # the cheap test, with plain substring checks (_AGE_KEYS, unrolled: "younger" holds "yo";
        # the keys with a "y" are looked for only when there is one)
        if not ("age" in low or "month" in low or "old" in low
                or ("y" in low and ("year" in low or "yr" in low or "y/o" in low or "yo" in low or "y.o" in low))):
            return []
        if len(low) == len(text):
            near_age, near_text = _NEAR_AGE_LOWER, low  # same offsets: the faster case-sensitive search
    starts = list(NUMBER_RE.finditer(text))
    births = list(_BIRTH.finditer(text))
    if births:
        starts = sorted(starts + births, key=_match_start)
    elif not starts:
        return []  # no number: nothing to read as an age
    out: list[Constraint] = []
    taken_to = -1
    for nm in starts:
        if nm.start() < taken_to:
            continue
        if not label_age and not near_age.search(near_text, max(0, nm.start() - 30), min(len(text), nm.end() + 30)):
            continue  # the cheap test: no age word or year/month unit around this number
        s, _ = ctx.sentence_of(nm.start())
        begin = _comparator_start(ctx, max(s, nm.start() - 40), nm.start())
        before = text[max(s, begin - 40):begin]
        if label_age and _NOT_AGE_LABEL_WORD.search(before):
            continue

        def cue_before(before=before, begin=begin) -> bool:
            return bool(_SUBJECT_BEFORE.search(before)) or bool(_AGE_WORD_BEFORE.search(before)) \
                or bool(out and out[-1].interval.max is None
                        and _AGE_JOIN.fullmatch(text[out[-1].span[1] - ctx.offset:begin] or " ")) \
                or bool(out and _AGE_OR.fullmatch(text[out[-1].span[1] - ctx.offset:begin] or " "))  # "below 18 or above 80 years"

        found = _age_at(ctx, begin, cue_before, label_age)
        if found is None:
            continue
        start, end, iv, norm, unit_word = found
        paren = ctx.paren_of(start)
        if _CONDITION_CLAUSE.search(text[s:start]) or _IN_SUBGROUP.search(text[max(s, start - 40):start]) \
                or _EVENT_AGE.search(text[max(s, start - 25):start]) \
                or (paren is not None and _NUMBER_BEFORE_PAREN.search(text[max(0, paren[0] - 6):paren[0]])
                    and _SUBGROUP_PAREN.match(text[paren[0]:paren[0] + 12])):
            continue  # "For adolescents under 18 …", "… in patients under 10", "Lansky ≥ 50 (age < 16)": a subgroup
        # a duration that is not an age: "within the past 5 years", "for 2 years"
        if _DURATION_BEFORE.search(text[max(s, start - 25):start]) \
                and not _AGE_START.search(text[max(s, start - 25):start]):
            continue
        taken_to = end
        lo_y, hi_y = norm
        out.append(Constraint(
            type="age", polarity=ctx.base_polarity(), text=text[start:end], span=ctx.span(start, end),
            rule="demographics.age", interval=Interval(*iv), unit=_unit_name(unit_word),
            normalized={"min": _round(lo_y), "max": _round(hi_y), "unit": "year"},
        ))
    return _merge_one_sided_ages(ctx, out)


_AGE_OR = re.compile(r"(?i)\s*(?:years?|yrs?)?\s*(?:,|or|and|and/or)\s*$")
_AGE_JOIN = re.compile(r"(?i)\s*(?:years?(?:\s+of\s+age)?|yrs?)?\s*(?:,|and|to|but|-|–)\s*(?:(?:the\s+)?age\s*)?$")


def _merge_one_sided_ages(ctx: CriterionContext, ages: list[Constraint]) -> list[Constraint]:
    """"≥18 and ≤ 80 years", "≥ 8 to < 25 years of age": one age interval, not two."""
    text, off = ctx.text, ctx.offset
    out: list[Constraint] = []
    for c in ages:
        prev = out[-1] if out else None
        if prev is not None and prev.interval.max is None and prev.interval.min is not None \
                and c.interval.min is None and c.interval.max is not None \
                and _AGE_JOIN.fullmatch(text[prev.span[1] - off:c.span[0] - off] or " "):
            start, end = prev.span[0], c.span[1]
            out[-1] = Constraint(
                type="age", polarity=prev.polarity, text=text[start - off:end - off], span=(start, end),
                rule=prev.rule, interval=Interval(prev.interval.min, prev.interval.min_inclusive,
                                                   c.interval.max, c.interval.max_inclusive),
                unit=c.unit, normalized={"min": prev.normalized["min"], "max": c.normalized["max"], "unit": "year"},
            )
            continue
        out.append(c)
    return out


def _round(v: float | None) -> float | None:
    return None if v is None else round(v, 4)


def _life_expectancy_label(label: str) -> bool:
    return "life expectancy" in label.lower()


@extractor("eligex.life_expectancy.v1", kinds={"life_expectancy"}, label=_life_expectancy_label)
def extract_life_expectancy(ctx: CriterionContext) -> list[Constraint]:
    criterion = ctx.criterion
    label = criterion.label
    if not label and "life_expectancy" not in ctx.kinds:
        return []  # the cheap test first: most criteria have neither a label nor the concept
    label_le = bool(label and _life_expectancy_label(label))
    if not label_le and "life_expectancy" not in ctx.kinds:
        return []
    text = criterion.text
    cues = [m for m in ctx.mentions if m.first("life_expectancy")]
    if not cues and not label_le:
        return []
    out: list[Constraint] = []
    positions = [(m.start, m.end) for m in cues] or [(0, 0)]
    for cstart, cend in positions:
        _, s_end = ctx.sentence_of(cstart)
        p = _LE_FILLER.match(text, cend, s_end).end()
        # the filler may have eaten "greater than": back up to a comparator
        back = _LE_COMPARATOR_EATEN.search(text[cend:p])
        if back:
            p = cend + back.start()
        start = p
        op, p = leading_comparator(text, p, ctx.rules)
        p = _LE_FILLER.match(text, p, s_end).end() if op is None else p
        n = match_number(text, p, ctx.rules)
        if n is None or n.end > s_end:
            continue
        p = n.end
        n2 = None
        rng = _RANGE.match(text, p)
        if rng and op is None:
            n2 = match_number(text, rng.end(), ctx.rules)
            if n2 is not None:
                p = n2.end
        u = _LE_UNIT.match(text, p)
        if not u:
            continue
        word = u.group(1)
        p = u.end()
        after = match_comparator_after(text, p, ctx.rules)
        if after and op is None and n2 is None:
            op, p = after
        unit = duration_unit_name(word)
        if n2 is not None:
            iv = (n.value, True, n2.value, True)
        else:
            iv = one_sided(op, n.value) or (n.value, True, None, None)  # "life expectancy of 3 months": at least
        to_days = lambda v, w=word: None if v is None else round(duration_days(v, w), 4)  # noqa: E731
        span_start = cstart if cues else start
        polarity, exc_condition = ctx.polarity_at(start)
        out.append(Constraint(
            type="life_expectancy", polarity=polarity, text=text[span_start:p], span=ctx.span(span_start, p),
            rule="demographics.life_expectancy", interval=Interval(*iv), unit=unit, condition=exc_condition,
            normalized={"min": to_days(iv[0]), "max": to_days(iv[2]), "unit": "day"},
        ))
        # "> 3 months for Phase 1 and > 6 months for Phase 2": the alternatives, each with its condition
        while True:
            alt = _LE_ALTERNATIVE.match(text, p)
            if not alt:
                break
            comp2 = match_comparator(text, alt.end(), ctx.rules)
            n2 = match_number(text, skip_ws(text, comp2[1]), ctx.rules) if comp2 else None
            u2 = _LE_UNIT2.match(text, n2.end) if n2 else None
            if not (comp2 and n2 and u2):
                break
            first = out[-1]
            first.condition = first.condition or ((alt.group("cond") or "").strip(" ,") or None)
            p2 = u2.end()
            tail = _LE_TAIL.match(text, p2)
            op2 = comp2[0]
            iv2 = one_sided(op2, n2.value) or (n2.value, True, None, None)
            w2 = u2.group(1)
            out.append(Constraint(
                type="life_expectancy", polarity=polarity, text=text[alt.end():p2],
                span=ctx.span(alt.end(), p2), rule="demographics.life_expectancy", interval=Interval(*iv2),
                unit=duration_unit_name(w2), condition=tail.group().strip() if tail else None,
                normalized={"min": to_days(iv2[0], w2), "max": to_days(iv2[2], w2), "unit": "day"},
            ))
            p = tail.end() if tail else p2
    return out


_LE_COMPARATOR_EATEN = re.compile(r"(?i)(?:greater|more|less|longer|shorter)\s+than(?:\s+or\s+equal\s+to)?\s*$|at\s+least\s*$|"
                                  r"(?:over|under|above|below|exceeding)\s*$")
_LE_UNIT = re.compile(r"\s*(?:\(\s*\d+\s*\)\s*)?(days?|weeks?|wks?|months?|mos?|years?|yrs?|hours?|hrs?|h)(?![\w])", re.I)
_LE_UNIT2 = re.compile(r"\s*(days?|weeks?|wks?|months?|mos?|years?|yrs?)(?![\w])", re.I)
_LE_TAIL = re.compile(r"\s*(?:in|for|if|at)\s+[^.;,()]{1,40}", re.I)
_LE_ALTERNATIVE = re.compile(r"(?P<cond>\s*(?:in|for|if|at)\s+[^.;()]{1,40}?)?\s*,?\s*\b(?:and|or)\s+", re.I)


_SEX_HEAD = re.compile(
    r"(?i)^\s*(?:(?:sex|gender)\s*:\s*)?(?:(?:healthy|normal|ambulatory|adult|elderly|older|young|postmenopausal|"
    r"post-menopausal|premenopausal|pre-menopausal|caucasian|asian|japanese|chinese|hispanic|african|black|white|"
    r"[\w-]+\s+(?:infected|positive|negative))\s+){0,2}"
    r"(?P<w>female|females|women|woman|male|males|men|man|boys|girls)\b"
    r"(?:\s+(?:postmenopausal|post-menopausal|premenopausal|pre-menopausal|healthy|adult))?"
    r"(?:\s+(?:patients|subjects|participants|volunteers))?"
    r"(?:\s+only)?\s*(?P<after>[.;,]|$|\s+(?:aged|age|ages|between|from|who|with|able|older|younger|over|under|above|judged|in|of|≥|>=|>|\d))"
)
# sentences about contraception or pregnancy name a sex without restricting to it
_NOT_A_RESTRICTION = re.compile(r"(?i)childbearing|child-bearing|contracept|pregnan|steril|partner|lactat|breast-?feed|nursing|"
                                r"\bif\b|\bmust\s+(?:use|agree)")


_BOTH_SEXES = re.compile(r"(?i)\w+\s*(?:or|and|/|,)\s*(?:fe)?m|\w+\s*(?:or|and|/|,)\s*(?:wo)?men")


@extractor("eligex.sex.v1")
def extract_sex(ctx: CriterionContext) -> list[Constraint]:
    """A criterion that admits one sex: "Female", "Healthy males aged 18-45", "Sex: Female"."""
    criterion = ctx.criterion
    if criterion.section == "exclusion":
        return []  # "Pregnant women" excluded says nothing about who may enter
    text = criterion.text
    m = _SEX_HEAD.match(text)
    if not m:
        return []
    s, e = ctx.sentence_of(m.start("w"))
    if _NOT_A_RESTRICTION.search(text, s, e):
        return []
    # "Male or female", "men and women" say nothing
    if _BOTH_SEXES.match(text, m.start("w")):
        return []
    w = m.group("w").lower()
    value = "female" if w.startswith(("f", "wom", "girl")) else "male"
    start, end = m.start("w"), m.end("w")
    return [Constraint(type="sex", polarity=ctx.base_polarity(), text=text[start:end], span=ctx.span(start, end),
                       rule="demographics.sex", value=value)]
