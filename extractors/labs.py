"""Lab and measurement thresholds: "ALP, ALT and AST ≤ 3 × ULN (≤ 5 × ULN if liver metastases)".

Mechanism only: which words name which analyte, and in which unit, comes from the packs.
- Analyte mentions joined by list glue ("ALP, ALT, and AST", "creatinine clearance/GFR")
  share the threshold that follows them: one constraint each.
- A threshold restated in brackets in other units is one constraint; a bracketed or
  "or"-joined alternative with a condition ("if liver metastases") is another, with `condition`.
- A threshold inside an "if …, then …" clause becomes the next constraint's `condition`.
- Inside an exclusion criterion, a sentence that says what patients must have, or an
  exception clause, gives `include` constraints.
"""
from __future__ import annotations

import re

from .context import CriterionContext, Mention
from .model import Constraint, Interval
from .quantities import NUMBER_RE, Number, Threshold, interval_of, parse_threshold, strip_escapes
from .registry import extractor
from .rulepack import AnalyteRule

_GLUE = re.compile(
    r"[\s,/&()\[\]:]*(?:(?:and/or|and|or|as well as|plus|&)[\s,()]*)?(?:(?:the|serum|total|blood|plasma|levels?|values?)\s+)?",
    re.I,
)
_FOLLOW = re.compile(r"[\s,;]*(?:\(|\[)?\s*(?:(?:or|and|but|otherwise|to)\s+)?(?:\(|\[)?\s*", re.I)
_WORDS_PAREN = re.compile(r"\s*[(\[]\s*([A-Za-z][^()\[\]\d<>≤≥]{0,50}?)\s*[)\]]")
_THEN = re.compile(r"\s*(?:,|;)?\s*(?:then\b|,)", re.I)
_IF_BEFORE = re.compile(r"(?i)\b(?:if|when|whenever|where|in case of|in the case of|in case)\b[^.;]{0,30}$")
_CONDITION_TRIM = re.compile(r"^(?:the\s+)?(?:subjects?|patients?|participants?|persons?)\s+(?:has|have|with|who have|who has)\s+", re.I)
_MAX_GAP = 70


_ANALYTE_KINDS = ("analyte", "group")


def _first_of(concepts, kinds):
    """`Mention.first(*kinds)`, without the generator."""
    for c in concepts:
        if c.kind in kinds:
            return c
    return None


def _expand(ctx: CriterionContext, group: list[Mention]) -> list[AnalyteRule]:
    # the same mentions (by concept) expand to the same rules: remember them per rule set
    key: list = ["expand"]
    for m in group:
        for c in m.concepts:  # Mention.first("analyte", "group")
            if c.kind in _ANALYTE_KINDS:
                key.append((c.kind, c.id))
                break
        else:
            key.append(None)
    key = tuple(key)
    memo = ctx.rules.memo
    known = memo.get(key)
    if known is None:
        if len(memo) >= 4096:
            memo.clear()
        known = memo[key] = _expand_uncached(ctx, [_first_of(m.concepts, _ANALYTE_KINDS) for m in group])
    return list(known)


def _expand_uncached(ctx: CriterionContext, concepts) -> tuple[AnalyteRule, ...]:
    rules = ctx.rules.rules
    out: list[AnalyteRule] = []
    for c in concepts:
        if c is None:
            continue
        ids = [c.id] if c.kind == "analyte" else list(rules.analyte_groups[c.id].members)
        for a in ids:
            rule = rules.analytes.get(a)
            if rule is not None and rule not in out:
                out.append(rule)
    return tuple(out)


def _unit_ok_for(ctx: CriterionContext, analytes: list[AnalyteRule]):
    units = ctx.units
    memo, ids = ctx.rules.memo, tuple([a.id for a in analytes])
    # the verdict function itself, built once per analyte set (and unit normaliser)
    fn = memo.get(("unit_ok_fn", ids))
    if fn is not None and fn[0] is units:
        return fn[1]
    ok = _unit_ok_build(ctx, analytes, ("unit_ok", *ids))
    if len(memo) >= 4096:
        memo.clear()
    memo[("unit_ok_fn", ids)] = (units, ok)
    return ok


def _unit_ok_build(ctx: CriterionContext, analytes: list[AnalyteRule], key: tuple):
    units = ctx.units
    analytes = list(analytes)
    # the same analytes meet the same unit spellings again and again: remember the verdicts
    memo = ctx.rules.memo
    known: dict[str, bool] | None = memo.get(key)
    if known is None:
        if len(memo) >= 4096:
            memo.clear()
        known = memo[key] = {}

    def convertible(u: str) -> bool:
        for a in analytes:
            for target in (a.canonical_unit, *a.equivalent_units):
                if target == "ratio":
                    continue
                if units.to_canonical(1.0, u, target, a.molar_mass, a.valence) is not None:
                    return True
        return False

    def ok(u: str) -> bool:
        verdict = known.get(u)
        if verdict is None:
            verdict = convertible(u)
            if len(known) < 4096:
                known[u] = verdict
        return verdict

    return ok


def _plausible(a: AnalyteRule, v: float | None) -> bool:
    return v is not None and (a.plausible is None or a.plausible[0] <= v <= a.plausible[1])


def _to_canonical(ctx: CriterionContext, a: AnalyteRule, value: float, unit: str | None) -> float | None:
    units = ctx.units
    if unit is None:
        if a.canonical_unit == "ratio" or a.default_unit == a.canonical_unit:
            return value
        if a.default_unit:
            return units.to_canonical(value, a.default_unit, a.canonical_unit, a.molar_mass, a.valence)
        return None
    v = units.to_canonical(value, unit, a.canonical_unit, a.molar_mass, a.valence)
    if v is None:
        for eq in a.equivalent_units:
            v = units.to_canonical(value, unit, eq, a.molar_mass, a.valence)
            if v is not None:
                break
    return v


def _normalize(ctx: CriterionContext, a: AnalyteRule, num: Number, unit: str | None) -> tuple[float, float | None]:
    """(value as written, value in the canonical unit), choosing the plausible reading."""
    first: tuple[float, float | None] | None = None
    for cand in num.candidates:
        if unit is None and not a.default_unit and a.implicit_units:
            for implicit in a.implicit_units:
                v = _to_canonical(ctx, a, cand, implicit)
                if _plausible(a, v):
                    return cand, v
            v = cand if _plausible(a, cand) else None
        else:
            v = _to_canonical(ctx, a, cand, unit)
            if v is None and unit is None:
                v = cand if _plausible(a, cand) else None
            if unit is not None and v is not None and not _plausible(a, v):
                # a unit typo ("50,000/ml" for per µL): the implicit unit that makes sense
                for implicit in a.implicit_units:
                    w = _to_canonical(ctx, a, cand, implicit)
                    if _plausible(a, w) and _same_dimension(ctx, unit, implicit):
                        return cand, w
        if _plausible(a, v):
            return cand, v
        if first is None:
            first = (cand, v)
    return first if first is not None else (num.value, None)


def _same_dimension(ctx: CriterionContext, unit: str, other: str) -> bool:
    a, b = ctx.units.parse_unit(unit), ctx.units.parse_unit(other)
    return a is not None and b is not None and a.dimensionality == b.dimensionality


_DURATION_WORD = re.compile(r"\s*(?:days?|weeks?|months?|years?|hours?|hrs?|wks?|times|x\s*per|per\s+(?:day|week))\b", re.I)


_SBP_DBP = frozenset({"sbp", "dbp"})
_SCHEDULE_BEFORE = re.compile(r"(?i)\b(?:days?|weeks?|cycles?|doses?|visits?|grades?)\s*$")


def _acceptable(ctx: CriterionContext, th: Threshold, analytes: list[AnalyteRule]) -> bool:
    """Is a parsed threshold really about these analytes' values?"""
    text = ctx.text
    if th.lo is not None and th.lo.text and not th.lo.text[0].isdigit() and not th.relative_to:
        return False  # number words only as multiples: "twice normal"
    if th.lo is not None and th.lo.end < len(text) and text[th.lo.end:th.lo.end + 1] == "+" and not th.unit:
        return False  # "2+": a dipstick grade
    if analytes and analytes[0].id in _SBP_DBP and {a.id for a in analytes} == _SBP_DBP and th.paired is None:
        return False  # "blood pressure < 140": which one? ("pulmonary hypertension > 34 mm Hg": not these)
    if th.unit and _DURATION_WORD.match(" " + th.unit) and not any(a.canonical_unit in ("s", "ms") and
                                                                 th.unit.lower().startswith(("s", "ms", "msec")) for a in analytes):
        return False  # "within 1 week": a time, not a value
    if th.relative_to or th.unit:
        return True
    if _SCHEDULE_BEFORE.search(text[max(0, th.start - 12):th.start]):
        return False  # "(days 1-5)": a schedule, not a value
    # no unit written: a duration or another quantity follows, or the analyte needs one
    if _DURATION_WORD.match(text, th.end):
        return False
    if all(not a.default_unit and not a.implicit_units and a.canonical_unit != "ratio" for a in analytes):
        return False
    if th.hi is not None and all(not a.default_unit and a.canonical_unit != "ratio" for a in analytes):
        # a bare range needs both ends to make sense in the analyte's implicit units ("3,000-10,000"),
        # not "days 1-5"
        return all(_plausible(a, _normalize(ctx, a, th.lo, None)[1]) and _plausible(a, _normalize(ctx, a, th.hi, None)[1])
                   for a in analytes)
    return True


# readable form: [≥≤<>=\\]|(?i:\b(?:twice|thrice)\b). The "t" is consumed before the look-behind that
# stands for the leading \b, so re skips ahead to candidate characters (tests/test_labs_fast_paths.py).
_SYMBOL_OR_MULTIPLE = re.compile(r"[≥≤<>=\\]|[tT](?<!\w[tT])(?i:wice|hrice)\b")


_GAP_IN_BRACKETS = re.compile(r"[^\d]*\([^)]*\)[^\d]*")
_OFFSET_AFTER = re.compile(r"\s*\+\s*\d")
_NORMAL_LEAD = re.compile(r"[\s,:]*(?:(?:is|are|must be|should be|levels?|values?|within)\s*)*", re.I)
_BE_BEFORE = re.compile(r"(?i)\b(?:be|is|are)\s+$")
_NORMAL_END = re.compile(r"\s*(?:$|[(.,;]|or\b|and\b|OR\b)")


# _find_threshold's answers by (rule set, unit normaliser, text, window, analytes): criteria recur
# word for word across trials, and the answer depends on nothing else (not on mentions, section
# or offsets). Bounded; each caller gets its own copy of a threshold.
_FOUND: dict = {}
_FOUND_MAX = 16384


def _copy_threshold(th: Threshold | None) -> Threshold | None:
    if th is None:
        return None
    return Threshold(th.start, th.end, th.op, th.lo, th.hi, th.unit, th.relative_to, th.paired, dict(th.extras))


def _find_threshold(ctx: CriterionContext, pos: int, limit: int, analytes: list[AnalyteRule],
                    unit_ok=None, pair: bool | None = None) -> Threshold | None:
    if unit_ok is None:
        unit_ok = _unit_ok_for(ctx, analytes)
    if pair is None:
        pair = any(a.id in ("sbp", "dbp") for a in analytes)
    key = (ctx.rules, ctx.units, ctx.text, pos, limit, tuple([a.id for a in analytes]), pair)
    found = _FOUND.get(key, _FOUND)
    if found is _FOUND:
        found = _find_threshold_uncached(ctx, pos, limit, analytes, unit_ok, pair)
        if len(_FOUND) >= _FOUND_MAX:
            _FOUND.clear()
        _FOUND[key] = _copy_threshold(found)
        return found
    return _copy_threshold(found)


def _find_threshold_uncached(ctx: CriterionContext, pos: int, limit: int, analytes: list[AnalyteRule],
                             unit_ok, pair: bool) -> Threshold | None:
    text = ctx.text
    end = min(limit, pos + _MAX_GAP)
    starts = [m.start for m in ctx.rules.comparators.finditer(text, pos, end)]
    starts += [m.start() for m in NUMBER_RE.finditer(text, pos, end)]
    starts += [m.start() for m in _SYMBOL_OR_MULTIPLE.finditer(text, pos, end)]
    candidates = sorted(set(starts))
    gap_from = pos
    for q in candidates:
        if q < gap_from:
            continue
        gap = text[gap_from:q]
        if gap and any(ch.isdigit() for ch in gap) and not _GAP_IN_BRACKETS.fullmatch(gap):
            break
        th = parse_threshold(text, q, ctx.rules, unit_ok, allow_bare=False, allow_pair=pair, number_words=True)
        if th is None:
            continue
        if th.relative_to is None and th.unit is None and th.lo is not None and not th.lo.text:
            continue
        if th.relative_to is None and th.unit is None:
            # "APTT ULN > 1.5": the normal limit named before the comparator
            rel = ctx.rules.uln.search(text[pos:q])
            if rel is not None and rel.text not in ("N", "normal"):
                th.relative_to = rel.values[0]
        if not _acceptable(ctx, th, analytes):
            gap_from = th.end  # its digits don't block the next candidate
            continue
        if th.relative_to and _OFFSET_AFTER.match(text, th.end):
            return None  # "> ULN + 4 seconds": an offset, not a multiple
        return th
    # "within normal limits" / "WNL" / "creatinine normal" right after the analyte
    m = ctx.rules.normal_limits.search(text, pos, min(limit, pos + 30))
    if m and _NORMAL_LEAD.fullmatch(text[pos:m.start]):
        if m.text.lower() != "normal" or _BE_BEFORE.search(text[pos:m.start]) \
                or (not text[pos:m.start].strip() and _NORMAL_END.match(text, m.end)):
            one = Number(m.start, m.start, "", (1.0,))
            return Threshold(m.start, m.end, "<=", one, relative_to="ULN", extras={"normal_limits": True})
    return None


_METHOD_CUE = re.compile(r"(?i)\b(?:by|per|using|according\s+to|calculated\s+(?:by|with|using)|estimated\s+(?:by|with|using)|"
                         r"as\s+(?:calculated|estimated|measured)\s+by|via)\s+(?:the\s+)?(?:modified\s+)?$")


def _threshold_before_method(ctx: CriterionContext, pos: int, s_start: int,
                             analytes: list[AnalyteRule], unit_ok=None) -> Threshold | None:
    """"≥ 40 mL/min by Cockcroft-Gault": the analyte named by its method after the threshold."""
    text = ctx.text
    cue = _METHOD_CUE.search(text, max(s_start, pos - 30), pos)
    if cue is None:
        return None
    if unit_ok is None:
        unit_ok = _unit_ok_for(ctx, analytes)
    lo = max(s_start, cue.start() - 50)
    starts = sorted({m.start for m in ctx.rules.comparators.finditer(text, lo, cue.start())}
                    | {m.start() for m in NUMBER_RE.finditer(text, lo, cue.start())})
    for q in starts:
        th = parse_threshold(text, q, ctx.rules, unit_ok, allow_bare=False)
        if th is not None and th.unit is not None and not text[th.end:cue.start()].strip(" ,"):
            return th
    return None


def _condition_between(ctx: CriterionContext, start: int, end: int) -> str | None:
    """A condition introduced between two points ("if liver metastases", "unless Gilbert's")."""
    text = ctx.text
    if end <= start:
        return None
    exc = ctx.rules.exception_intro.search(text, start, end)
    intro = ctx.rules.condition_intro.search(text, start, end)
    chosen, prefix = None, ""
    if exc is not None and (intro is None or exc.start <= intro.start):
        chosen, prefix = exc, "unless "
    elif intro is not None:
        chosen = intro
    if chosen is None:
        return None
    stop = re.search(r"[)\];.]|,\s*(?:or|and)\b", text[chosen.end:end])
    body = text[chosen.end: chosen.end + stop.start()] if stop else text[chosen.end:end]
    body = _CONDITION_TRIM.sub("", strip_escapes(body).strip(" ,:"))
    return (prefix + body).strip() or None


def _constraint(ctx: CriterionContext, a: AnalyteRule, th: Threshold, start: int, end: int,
                polarity: str, condition: str | None) -> Constraint | None:
    text = ctx.text
    if th.paired is not None and a.id == "dbp":
        num = th.paired
    else:
        num = th.lo
    if num is None:
        return None
    hi_num = th.hi
    if th.relative_to:
        lo_v, norm_lo = num.value, None
        hi_v = hi_num.value if hi_num else None
        unit = None
        normalized = None
    else:
        unit = th.unit
        lo_v, norm_lo = _normalize(ctx, a, num, unit)
        hi_v = norm_hi = None
        if hi_num is not None:
            hi_v, norm_hi = _normalize(ctx, a, hi_num, unit)
    iv = interval_of(th, lo_v, hi_v)
    if iv is None:
        return None
    mn, mn_in, mx, mx_in = iv
    if not th.relative_to:
        if hi_num is not None:
            nlo, nhi = (norm_lo, norm_hi) if (lo_v <= hi_v) else (norm_hi, norm_lo)
        else:
            nlo = norm_lo if mn is not None else None
            nhi = norm_lo if mx is not None else None
        if (mn is not None and nlo is None) or (mx is not None and nhi is None):
            normalized = None
        else:
            normalized = {"min": _tidy(nlo), "max": _tidy(nhi), "unit": a.canonical_unit}
    return Constraint(
        type=a.type, polarity=polarity, text=text[start:end], span=ctx.span(start, end), rule=a.rule_id,
        interval=Interval(mn, mn_in, mx, mx_in), unit=unit, normalized=normalized, analyte=a.id,
        relative_to=th.relative_to, condition=condition,
    )


def _tidy(v: float | None) -> float | None:
    """Six significant digits: 99.99999999999999 is 100."""
    return None if v is None else float(f"{v:.6g}")


def _same_threshold(ctx: CriterionContext, analytes: list[AnalyteRule], a: Threshold, b: Threshold) -> bool:
    """Is `b` the same threshold as `a` restated in other units?"""
    if (a.relative_to or None) != (b.relative_to or None):
        return False
    if a.relative_to:
        return a.lo.value == b.lo.value
    an = analytes[0]
    va = _normalize(ctx, an, a.lo, a.unit)[1]
    vb = _normalize(ctx, an, b.lo, b.unit)[1]
    return va is not None and vb is not None and abs(va - vb) <= 0.025 * max(abs(va), abs(vb), 1e-9)


_LEAD_CONDITION = re.compile(r"\s*,?\s*(?P<cond>(?:for|in|if|when|with)\s+[^;()\d<>≤≥=]{1,40}?)(?=\s*(?:,|;|\(|\bor\b|\band\b))", re.I)
_CHANGE = re.compile(r"(?i)\b(?:drop|decrease|increase|fall|rise|change|reduction|decline|variation|elevation of|difference|loss|gain)(?:es|s)?\b(?:\s+in)?")
_GROUP_CONDITION = re.compile(r"(?i)(?:for|in)\s+(?:males?|females?|men|women|boys|girls|children|adults|phase|part|cohort|arm|group|stage)\b")
_GROUP_WORD = re.compile(r"(?i)(males?|females?|men|women|boys|girls)\s*[:,]?\s*(?=[≥≤<>=\\]|\d)")
_JOIN_AND = re.compile(r"[\s,]*(?:and|to|but|,)[\s,]*$", re.I)


def _negated_close(ctx: CriterionContext, pos: int, s_start: int) -> bool:
    """A negation cue a few words before the analyte ("No prolongation of QTc > 500 ms")."""
    text = ctx.text
    lo = max(s_start, pos - 40)
    cue = None
    for m in ctx.rules.negation.finditer(text, lo, pos):
        cue = m
    if cue is None or "neg" not in cue.values or "pseudo" in cue.values:
        return False
    between = text[cue.end:pos]
    if re.search(r"(?i)\bdefined\s+as\b", between):
        return ctx.rules.termination.search(between) is None  # "No hypertension, defined as SBP > 150"
    return ctx.rules.termination.search(between) is None and not re.search(r"[,;:]", between)


_OPEN_BRACKET = re.compile(r"\s*[(\[]")


def _bracket_after(text: str, pos: int) -> tuple[int, int] | None:
    """(open, close) of a bracket that starts right after `pos`."""
    m = _OPEN_BRACKET.match(text, pos, pos + 4)
    if not m:
        return None
    depth, i = 0, m.end() - 1
    for j in range(i, min(len(text), i + 300)):
        if text[j] in "([":
            depth += 1
        elif text[j] in ")]":
            depth -= 1
            if depth == 0:
                return i, j
    return None


def _groups(ctx: CriterionContext, ms: list[Mention]) -> list[tuple[list[Mention], int]]:
    """Analyte mentions joined by list glue, with the position their threshold search starts at.

    A bracket right after a mention is either its abbreviation ("(ANC)", absorbed) or an
    explanation naming other analytes ("([segmented neutrophils + bands] * WBC)"), skipped.
    """
    text = ctx.text
    out, i = [], 0
    n = len(ms)
    while i < n:
        group, j, end = [ms[i]], i, ms[i].end
        while True:
            # _bracket_after needs a space or a bracket right here (\s is str.isspace): most often neither
            c = text[end:end + 1]
            br = _bracket_after(text, end) if c and (c in "([" or c.isspace()) else None
            if br is not None:
                inside = [m for m in ms if br[0] < m.start and m.end <= br[1]]
                ids = {a.id for a in _expand(ctx, group)}
                if inside and not {a.id for a in _expand(ctx, inside)} <= ids:
                    pass  # an explanation: its mentions are not thresholds' subjects
                elif any(ch.isdigit() or ch in "≥≤<>" for ch in text[br[0]:br[1]]):
                    break  # a threshold in brackets
                end = br[1] + 1
                while j + 1 < len(ms) and ms[j + 1].start < end:
                    j += 1
            if j + 1 < len(ms) and _GLUE.fullmatch(text[end:ms[j + 1].start]):
                j += 1
                group.append(ms[j])
                end = ms[j].end
                continue
            break
        out.append((group, end))
        i = j + 1
    return out


def _merge_two_sided(text: str, chain: list[tuple[Threshold, str | None]]) -> list[tuple[Threshold, str | None]]:
    """"above 7.0% and less than 9.0%": a lower and an upper bound joined by "and" are one interval."""
    out: list[tuple[Threshold, str | None]] = []
    for t, cond in chain:
        if out and cond is None and out[-1][1] is None and t.hi is None and out[-1][0].hi is None:
            prev = out[-1][0]
            lower = {">=", ">"}
            if ((prev.op in lower and t.op in ("<=", "<")) or (prev.op in ("<=", "<") and t.op in lower)) \
                    and (prev.relative_to == t.relative_to) and _JOIN_AND.search(text[prev.end:t.start] or " "):
                lo, hi = (prev, t) if prev.op in lower else (t, prev)
                merged = Threshold(prev.start, t.end, None, lo.lo, hi.lo, unit=prev.unit or t.unit,
                                   relative_to=prev.relative_to,
                                   extras={"lo_inclusive": lo.op == ">=", "hi_inclusive": hi.op == "<="})
                if lo.unit and hi.unit and lo.unit != hi.unit:
                    out.append((t, cond))
                    continue
                out[-1] = (merged, None)
                continue
        out.append((t, cond))
    return out


_RATIO_NEXT = re.compile(r"\s*ratio\b", re.I)
_SLASH_BEFORE = re.compile(r"[/:]\s*$")
_RATIO_NEAR = re.compile(r"[\s\w]{0,15}\bratio\b", re.I)
_NORMAL_BEFORE = re.compile(r"(?i)\bnormal\s+$")
_CONDITION_INTRO_WORDS = re.compile(r"(?i)^(?:if|when|whenever|where|in case of|in the case of|in case)\s+")
_SPACE = re.compile(r"\s")
_TIMES_AFTER = re.compile(r"\s*(?:[x×X*]|times|-?fold)")
_CLOSE_ALTERNATIVE = re.compile(r"[)\];]|\.(?:\s|$)")
_CONDITION_TAIL = re.compile(r"\s*(?:,\s*)?(?:if|in case|in patients|for patients|in subjects|for subjects|unless|in the presence|in the setting|when)\b", re.I)


def _has_kind(concepts, kinds) -> bool:
    """`Mention.first(*kinds) is not None`, without the generator."""
    for c in concepts:
        if c.kind in kinds:
            return True
    return False


@extractor("eligex.labs.v1", kinds={"analyte", "group"})
def extract_lab_thresholds(ctx: CriterionContext) -> list[Constraint]:
    text = ctx.text
    if not ctx.kinds & {"analyte", "group"}:
        return []
    ms = [m for m in ctx.mentions if _has_kind(m.concepts, _ANALYTE_KINDS)
          # "albumin/creatinine ratio", "creatinine ratio": another analyte's ratio
          and not _RATIO_NEXT.match(text[m.end:m.end + 8])
          and not (_has_kind(m.concepts, ("analyte",)) and _SLASH_BEFORE.search(text[max(0, m.start - 2):m.start])
                   and _RATIO_NEAR.match(text[m.end:m.end + 20]))]
    out: list[Constraint] = []
    pending_condition: str | None = None
    groups = _groups(ctx, ms)
    for g, (group, search_from) in enumerate(groups):
        analytes = _expand(ctx, group)
        if not analytes:
            continue
        s_start, s_end = ctx.sentence_of(group[-1].start)
        nxt = groups[g + 1][0][0].start if g + 1 < len(groups) else len(text)
        limit = min(nxt, s_end)
        unit_ok = _unit_ok_for(ctx, analytes)
        pair = any(a.id in ("sbp", "dbp") for a in analytes)
        th = _find_threshold(ctx, search_from, limit, analytes, unit_ok, pair)
        if th is None and all(a.type == "lab" for a in analytes) \
                and _NORMAL_BEFORE.search(text[max(s_start, group[0].start - 8):group[0].start]):
            # "Normal ALT and AST": within the normal limits
            one = Number(group[0].start, group[0].start, "", (1.0,))
            th = Threshold(group[0].start, group[-1].end, "<=", one, relative_to="ULN")
        if th is None:
            th = _threshold_before_method(ctx, group[0].start, s_start, analytes, unit_ok)
            if th is None:
                continue
        if _CHANGE.search(text, max(s_start, group[0].start - 30), th.start):
            continue  # "a drop in SBP of more than 20 mmHg": a change, not a level
        # "if serum creatinine > 1.5 × ULN, then creatinine clearance must be ≥ 60 mL/min"
        before = text[max(s_start, group[0].start - 40):group[0].start]
        if _IF_BEFORE.search(before) and nxt < s_end and _THEN.match(text, th.end):
            cue = _IF_BEFORE.search(before)
            pending_condition = strip_escapes(text[group[0].start - len(before) + cue.start():th.end]).strip()
            pending_condition = _CONDITION_INTRO_WORDS.sub("", pending_condition)
            continue
        chain: list[tuple[Threshold, str | None]] = [(th, None)]
        p = th.end
        # follow-ons: restatements in other units, conditional alternatives, the other bound
        paren_condition = False
        while True:
            words = _WORDS_PAREN.match(text, p)
            if words:
                # "(males) or > 470 ms (females)": a group word in brackets, kept only if an alternative follows
                if chain[-1][1] is None:
                    chain[-1] = (chain[-1][0], strip_escapes(words.group(1)).strip())
                    paren_condition = True
                p = words.end()
            lead = _LEAD_CONDITION.match(text, p)
            if lead and (ctx.rules.condition_intro.match_at(lead.group("cond"), 0) or _GROUP_CONDITION.match(lead.group("cond"))):
                chain[-1] = (chain[-1][0], chain[-1][1] or strip_escapes(lead.group("cond")).strip())
                p = lead.end()
            f = _FOLLOW.match(text, p)
            q = f.end() if f else p
            pre = _GROUP_WORD.match(text, q)
            if pre and chain[-1][1] is None:
                q = pre.end()
            if q >= len(text) or len(_SPACE.sub("", text[p:q])) > 8:
                break
            if nxt < q:
                break
            th2 = parse_threshold(text, q, ctx.rules, unit_ok, allow_bare=True, allow_pair=pair)
            if th2 is not None and th2.op is None and th2.hi is None and "(" in text[p:q] and chain[0][0].op:
                th2.op = chain[0][0].op  # "≤ 2.5 times ULN (5 times ULN if liver metastases)"
            if th2 is None or th2.start >= nxt or (th2.op is None and th2.hi is None):
                break
            if th2.relative_to is None and th2.unit is None and chain[0][0].relative_to:
                # "(or ≤ 5 times in patients with …)": the multiple of the same normal limit
                th2.relative_to = chain[0][0].relative_to
                times = _TIMES_AFTER.match(text, th2.end)
                if times:
                    th2.end = times.end()
            if not _acceptable(ctx, th2, analytes):
                break
            if th2.unit is None and th2.relative_to is None and "(" in text[p:q]:
                break  # "(>26 ¿mol /L)": a restatement in a unit we cannot read
            chain.append((th2, pre.group(1) if pre else None))
            if pre and len(chain) == 2 and chain[0][1] is None:
                first_word = re.search(r"(?i)\b(males?|females?|men|women|boys|girls)\b[^.;]*$",
                                       text[search_from:chain[0][0].start])
                if first_word:
                    chain[0] = (chain[0][0], first_word.group(1))
            p = th2.end
            # its condition: text up to the closing bracket / next follow-on
            close = re.search(r"[)\]]|;|\.(?:\s|$)|\b(?:or|and)\s+(?:[≥≤<>]|greater|less|more|at least|no)", text[p:])
            cond_end = p + close.start() if close else len(text)
            cond = _condition_between(ctx, p, cond_end)
            group_cond = _GROUP_CONDITION.match(text[p:cond_end].lstrip(" ,"))
            if cond is None and group_cond:
                cond = text[p:cond_end].strip(" ,")  # "≥ 470 ms for females"
            if cond:
                chain[-1] = (th2, cond)
                p = cond_end
        if len(chain) == 1 and paren_condition:
            chain = [(chain[0][0], None)]  # "Hemoglobin ≥ 10 g/dl (transfusion allowed)": a remark, not a condition
        chain = _merge_two_sided(text, chain)
        unit_mismatch: list[AnalyteRule] = []
        negated = None  # the same for every threshold of the group: looked up once
        for k, (t, cond) in enumerate(chain):
            if k > 0 and cond is None and _same_threshold(ctx, analytes, chain[0][0], t):
                continue  # the same threshold in other units
            if k == 0 and len(chain) == 1 and cond is None:
                # a condition written right after the only threshold ("≤ 1.5 × ULN unless Gilbert's")
                close = _CLOSE_ALTERNATIVE.search(text, t.end)
                tail_end = close.start() if close else len(text)
                tail = text[t.end:tail_end]
                if _CONDITION_TAIL.match(tail):
                    cond = _condition_between(ctx, t.end, tail_end)
            polarity, exc_condition = ctx.polarity_at(t.start)
            if negated is None:
                negated = _negated_close(ctx, group[0].start, s_start)
            if negated and not exc_condition:
                # "No prolongation of QTc > 500 msec": the threshold describes who is excluded
                polarity = "exclude" if polarity == "include" else "include"
            condition = cond or exc_condition or pending_condition
            start = min(group[0].start, t.start) if k == 0 else t.start
            end = max(t.end, group[-1].end) if k == 0 else t.end
            for a in analytes:
                if t.paired is not None and a.id not in ("sbp", "dbp"):
                    continue
                if t.unit and not t.relative_to and not _unit_ok_for(ctx, [a])(t.unit):
                    unit_mismatch.append(a)  # "ALT and AST, creatinine < 1.8 mg/dl": the unit says which analyte
                    continue
                c = _constraint(ctx, a, t, start, end, polarity, condition)
                if c is not None:
                    out.append(c)
        if unit_mismatch and _NORMAL_BEFORE.search(text[max(s_start, group[0].start - 8):group[0].start]):
            # "Normal ALT and AST, creatinine < 1.8 mg/dl": the others are within normal limits
            one = Number(group[0].start, group[0].start, "", (1.0,))
            normal = Threshold(group[0].start, group[-1].end, "<=", one, relative_to="ULN")
            for a in dict.fromkeys(unit_mismatch):
                c = _constraint(ctx, a, normal, group[0].start, group[-1].end, ctx.base_polarity(), None)
                if c is not None:
                    out.append(c)
        pending_condition = None
    return _dedupe(out)


def _dedupe(constraints: list[Constraint]) -> list[Constraint]:
    seen, out = set(), []
    for c in constraints:
        # one threshold found twice (through the analyte and through its method) is one constraint
        key = (c.analyte, c.relative_to, c.polarity, c.condition, c.interval.min, c.interval.max)
        if key not in seen:
            seen.add(key)
            out.append(c)
    return out
