"""Performance status: "ECOG PS 0-1", "ECOG performance status of 0 or 1", "Karnofsky ≥ 70%".

A scale mention (or a generic "performance status" when the text, or the legacy label,
names none) followed by a score expression. Without a named scale, the scale whose range
holds the scores wins (0-5: ECOG, up to 100: Karnofsky).
"""
from __future__ import annotations

import re

from .context import CriterionContext
from .model import Constraint, Interval
from .quantities import Number, match_comparator, match_comparator_after, one_sided, skip_ws
from .registry import extractor

_FILLER = re.compile(
    r"(?:[\s:,(\[\])-]|\b(?:performance|status|score|scale|grade|level|of|is|must|be|should|have|has|a|an|the|ps|pst|"
    r"between|from|rating|index|play|points?|criteria|within|range|equal|to|in)\b)*",
    re.I,
)
_LIST_SEP = re.compile(r"\s*(?:,\s*(?:or|and)?|or|and|/)\s*", re.I)
_RANGE_SEP = re.compile(r"\s*(?:-|–|—|to|through|and)\s*", re.I)
_PERCENT = re.compile(r"\s*%")
_SCORE = re.compile(r"(?<![\w.])\d{1,3}(?!\d)(?!\.\d)")  # scores are integers: "0,1 or 2" is a list, not 0.1


def match_number(text: str, pos: int) -> Number | None:
    m = _SCORE.match(text, pos)
    return Number(m.start(), m.end(), m.group(), (float(m.group()),)) if m else None
_ALTERNATIVE = re.compile(r"(?P<cond>[^.;()]{0,40}?)\s*,?\s*\b(?:and|or|but)\s+", re.I)
# between scale names of one run: "or", "performance score", "(KPS)", "(for > 16 years of age)"
_WORD_BRACKET = r"\((?=\s*[a-z])[^()]{0,50}\)"  # "(KPS)", "(for > 16 years)"; never a score ("(0-1)")
_SCALE_GLUE = re.compile(r"(?i)[\s,/()\-:]*(?:(?:or|and|performance|status|score|scale|ps|" + _WORD_BRACKET + r")[\s,/()\-:]*)*")
# brackets of words after a scale name: "(LPS) (for =< 16 years of age) => 50"
_WORD_BRACKETS = re.compile(r"(?i)\)?(?:\s*" + _WORD_BRACKET + r")*")
_BRACKET_CONDITION = re.compile(r"\s*\((?P<cond>(?:for\s+|if\s+)?(?:age|aged|patients|children|adults|those)\b[^()]{0,40})\)", re.I)
_CONDITION_AFTER = re.compile(r"\s*(?P<cond>(?:in|for|if|at)\s+[^.;,()]{1,40})", re.I)


def _scores(ctx: CriterionContext, pos: int, limit: int) -> tuple[int, int, tuple] | None:
    """(start, end, (min, min_inc, max, max_inc)) of a score expression at or after `pos`."""
    text = ctx.text
    p = _FILLER.match(text, pos, limit).end()
    start = p
    comp = match_comparator(text, p, ctx.rules)
    op = None
    if comp:
        op, p = comp
        p = skip_ws(text, p)
        p = _FILLER.match(text, p, limit).end() if text[p:p + 2].lower() in ("of", "a ") else p
    n = match_number(text, p)
    if n is None or n.end > limit:
        return None
    values = [n.value]
    p = n.end
    pm = _PERCENT.match(text, p)
    if pm:
        p = pm.end()
    is_range = False
    if op is None:
        rng = _RANGE_SEP.match(text, p)
        n2 = match_number(text, rng.end()) if rng else None
        if n2 is not None and n2.end <= limit:
            values.append(n2.value)
            p = n2.end
            is_range = True
        else:
            while True:
                sep = _LIST_SEP.match(text, p)
                n2 = match_number(text, sep.end()) if sep and sep.end() > p else None
                if n2 is None or n2.end > limit:
                    break
                values.append(n2.value)
                p = n2.end
        pm = _PERCENT.match(text, p)
        if pm:
            p = pm.end()
    if op is None and len(values) == 1 and not is_range:
        after = match_comparator_after(text, p, ctx.rules)
        if after:
            op, p = after
    lo, hi = min(values), max(values)
    iv = one_sided(op, lo) or (lo, True, hi, True)
    return start, p, iv


def _scale_for(ctx: CriterionContext, scale_ids: list[str], iv: tuple) -> list[str]:
    if scale_ids:
        return scale_ids
    top = max(v for v in (iv[0], iv[2]) if v is not None)
    return ["ECOG"] if top <= 5 else ["KPS"]


def _ps_label(label: str) -> bool:
    return "performance" in label.lower()


@extractor("eligex.performance_status.v1", kinds={"scale", "ps_generic"}, label=_ps_label)
def extract_performance_status(ctx: CriterionContext) -> list[Constraint]:
    text = ctx.text
    label_is_ps = bool(ctx.label and _ps_label(ctx.label))
    if not label_is_ps and not ctx.kinds & {"scale", "ps_generic"}:
        return []
    ms = [m for m in ctx.mentions if m.first("scale", "ps_generic")
          # "WHO" names the scale only where performance status is the subject ("WHO grade 2 glioma" is not)
          and not (m.text == "WHO" and not label_is_ps
                   and not re.search(r"(?i)perform|\bPS\b", ctx.text[max(0, m.start - 30):m.end + 30]))]
    if not ms and not label_is_ps:
        return []
    out: list[Constraint] = []
    starts = [m.start for m in ms] + ([0] if label_is_ps and not ms else [])
    i = 0
    handled_to = -1
    while i < len(starts):
        start = starts[i]
        if start < handled_to:
            i += 1
            continue
        group = [m for m in ms if m.start >= start]
        # a run of scale mentions joined by glue ("ECOG/WHO", "Karnofsky or Lansky")
        run = group[:1]
        for m in group[1:]:
            if _SCALE_GLUE.fullmatch(text, run[-1].end, m.start):
                run.append(m)
            else:
                break
        pos = _WORD_BRACKETS.match(text, run[-1].end).end() if run else 0
        next_start = next((m.start for m in ms if m.start > pos and m not in run), len(text))
        _, s_end = ctx.sentence_of(pos if run else 0)
        limit = min(s_end, next_start if next_start > pos else len(text), pos + 80)
        found = _scores(ctx, pos, limit)
        i += max(1, len(run))
        if found is None:
            continue
        sc_start, sc_end, iv = found
        # "≤ 2 in Phase 1 and ≤ 1 in Phase 2": further scores for the same scale, each with its condition
        own = _BRACKET_CONDITION.match(text, sc_end)  # "Lansky ≥ 50 (age < 16)"
        alternatives = [(sc_start, sc_end, iv, own.group("cond").strip() if own else None)]
        while True:
            last_end = alternatives[-1][1]
            nxt_alt = _ALTERNATIVE.match(text, last_end, min(len(text), last_end + 60))
            if not nxt_alt:
                break
            more = _scores(ctx, nxt_alt.end(), min(len(text), nxt_alt.end() + 25))
            if more is None or not re.match(r"\s*(?:[≥≤<>]|=<|=>|\\[<>])", text[nxt_alt.end():more[1]]):
                break
            cond = nxt_alt.group("cond")
            alternatives[-1] = alternatives[-1][:3] + (alternatives[-1][3] or (cond.strip(" ,") if cond else None),)
            tail = _CONDITION_AFTER.match(text, more[1]) or _BRACKET_CONDITION.match(text, more[1])
            alternatives.append((more[0], more[1], more[2], tail.group("cond").strip() if tail else None))
        scale_ids = []
        for m in run:
            c = m.first("scale")
            if c and c.id not in scale_ids:
                scale_ids.append(c.id)
        rules = ctx.rules.rules.scales
        span_start = run[0].start if run else sc_start
        for k, (a_start, a_end, a_iv, cond) in enumerate(alternatives):
            for sid in _scale_for(ctx, scale_ids, a_iv):
                scale = rules.get(sid)
                top = scale.range[1] if scale else 100
                if any(v is not None and v > top for v in (a_iv[0], a_iv[2])):
                    continue
                polarity, exc_condition = ctx.polarity_at(a_start)
                cond = cond or exc_condition
                begin = span_start if k == 0 else a_start
                out.append(Constraint(
                    type="performance_status", polarity=polarity, text=text[begin:a_end],
                    span=ctx.span(begin, a_end), rule=scale.rule_id if scale else f"performance.{sid.lower()}",
                    interval=Interval(*a_iv), scale=sid,
                    condition=cond if (len(alternatives) > 1 or exc_condition or own) else None,
                ))
        handled_to = alternatives[-1][1]
    # "Zubrod 0-2 or ECOG 0-2": one requirement on one scale
    seen, unique = set(), []
    for c in out:
        key = (c.scale, c.interval.min, c.interval.max, c.polarity)
        if key not in seen:
            seen.add(key)
            unique.append(c)
    return unique
