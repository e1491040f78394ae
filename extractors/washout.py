"""Washout windows: "no anticancer therapy within 21 days or investigational agent within 30 days
before the first dose", "at least 4 weeks since prior chemotherapy".

A duration is a look-back window when a look-back cue precedes it ("within", "in the last")
or a "before/since" cue follows it ("4 weeks prior to", "6 weeks since"). Its targets are
the therapy mentions between the previous window of the sentence and this one (or, when
there are none, those right after it: "since prior chemotherapy"). The anchor is the first
anchor phrase after it in the sentence. Washout polarity is always `exclude`.
"""
from __future__ import annotations

import re

from .context import CriterionContext
from .model import Constraint
from .registry import extractor
from .therapy_mentions import allowed_cue, in_exception, lexicon_search, lower_text, may_contain, therapy_mentions
from .units import duration_days, duration_unit_name

def duration_pattern(number_words, lower: bool = False) -> re.Pattern:
    """"4 weeks", "one month", "3 to 4 weeks", "four (4) weeks", "2 consecutive weeks"; number
    words come from the packs (`vocabulary.number_words`). `lower`: the same pattern for
    lower-cased ASCII text, without IGNORECASE (twice as fast; see `_durations`)."""
    words = "|".join(sorted((re.escape(w) for w in number_words), key=len, reverse=True)) or "(?!)"
    return re.compile(
        r"(?<![\w.])(?P<num>\d+(?:[.,]\d+)?(?=\s*\S)|(?" + ("" if lower else "i") + ":" + words + r")(?=\s))"
        r"(?:\s*(?:-|–|to)\s*(?P<num2>\d+))?\s*"
        r"(?:\(\s*\d+\s*\)\s*)?(?:(?:consecutive|additional|more|full|further|previous|preceding|prior)\s+)?"
        r"(?P<unit>calendar\s+days|days?|d|weeks?|wks?|months?|mos?|mths?|years?|yrs?|hours?|hrs?|h)(?![\w])",
        0 if lower else re.I,
    )


_LOWER_DURATION_RE: dict = {}  # ctx.rules.duration_re -> its lower-case twin (None: none exact)


def _durations(ctx: CriterionContext, low: str | None) -> list[re.Match]:
    """The duration matches of the criterion. In ASCII text an IGNORECASE pattern whose literals
    are lower-case matches where its lower-case twin matches the lower-cased text (same offsets;
    groups lower-cased, which the callers read case-insensitively)."""
    pattern = ctx.rules.duration_re
    twin = _LOWER_DURATION_RE.get(pattern, False)
    if twin is False:
        words = ctx.rules.number_words
        twin = None
        if all(w.isascii() and w == w.lower() for w in words) and duration_pattern(words).pattern == pattern.pattern \
                and pattern.flags == duration_pattern(words).flags:
            twin = duration_pattern(words, lower=True)
        _LOWER_DURATION_RE[pattern] = twin
    if low is not None and twin is not None:
        return [d for d in twin.finditer(low) if _duration_value(ctx, d) is not None]
    return [d for d in pattern.finditer(ctx.text) if _duration_value(ctx, d) is not None]
# the cheap test: a unit as duration_pattern() takes it, after what may end a number there (a space,
# a digit, ")"); every duration match has one. In lower-cased ASCII text, or case-insensitive.
_UNIT = r"(?:calendar\s+days|days?|d|weeks?|wks?|months?|mos?|mths?|years?|yrs?|hours?|hrs?|h)(?![\w])"
_UNIT_AFTER_NUMBER_LOW = re.compile(r"[\s\d)]" + _UNIT)
_UNIT_AFTER_NUMBER = re.compile(r"[\s\d)]" + _UNIT, re.I)
_STUDY_PERIOD = re.compile(r"(?i)\s+(?:of|in)\s+(?:the|this)\s+(?:study|trial)(?!\s+(?:entry|start|drug|treatment|enrol|registration|day|visit))")
_LEAD_FILLER = re.compile(
    r"(?:\s|\b(?:the|a|at least|least|a minimum of|minimum|last|past|previous|preceding|prior)\b|[≥>]=?|"
    r"\d+\s*(?:half[\s-]*lives|half[\s-]*life|t1/2)\s*(?:,\s*)?(?:or|and)\b)*$", re.I)
# ", or 5 half-lives, whichever is shorter)": skipped before the cue; a bracket opens it only when it holds
# these words ("for three weeks (six weeks if mitomycin) prior to" keeps its bracket for the cue test)
_WHICHEVER = re.compile(r"(?i)\s*(?:(?:\(|,)?\s*(?:or\s+\d+\s*half[\s-]*lives\s*,?\s*)?whichever\s+is\s+"
                        r"(?:shorter|longer|greater|less|later|earlier)\s*(?:\)|,)?|(?:\(|,)?\s*or\s+\d+\s*half[\s-]*lives\b\s*(?:\)|,)?)?")
_AFTER_FUTURE = re.compile(r"\s*(?:\([^)]*\)\s*)?(?:after|following|post|from now|of the end of treatment|of study completion)\b", re.I)
_ELAPSED_COMPARATOR = re.compile(r"(?i)(?:at\s+least|more\s+than|greater\s+than|over|≥|>=?|a\s+minimum\s+of|minimum\s+of|no\s+less\s+than|not\s+less\s+than)\s*$")
_UPPER_BOUND_AFTER = re.compile(r"(?i)\s*(?:and|but)\s+(?:no later than|not later than|no more than|not more than|less than|within)\s+\S+\s+\w+")
_MAX_BEFORE = re.compile(r"(?i)\b(?:no later than|not later than|no more than|not more than|maximum of|up to)\s*$")
_STABLE = re.compile(r"(?i)\bstable\b")
_REQUIRE = re.compile(r"(?i)\b(?:require|requires|requiring|requirement|need|needs|needed|will receive)\b")
_ANCHOR_OF = re.compile(r"(?i)(?:dose|doses|administration|initiation|start|infusion|injection|dosing)\s+of\s+(?:the\s+)?(?:study\s+drug\s+)?$")
_OR_MORE = re.compile(r"(?i)\s*(?:or\s+(?:more|longer|greater)|\+)")
# "treated for at least 3 months": how long a therapy was taken, not how long ago
_DURATION_OF_USE = re.compile(r"(?i)\bfor\s+(?:at\s+least\s+|a\s+minimum\s+of\s+|more\s+than\s+|over\s+|>\s*)?$")
_THERAPY_AFTER_OF = re.compile(
    r"(?i)\s+(?!(?:the\s+)?(?:last|final|first|start|end|completion|initiation|beginning|stop|discontinu|cessation)\b)"
    r"(?:prior\s+|previous\s+|continuous\s+|stable\s+|daily\s+)?[a-z-]+\s+(?:treatment|therapy|therapies|use|dosing)\b")
_NEGATED_LEAD = re.compile(r"(?i)\b(?:no|not|without|off)\b")
_RECOVERED = re.compile(r"(?i)\brecover(?:ed|y)?\s+from\b")
_SINCE_BETWEEN = re.compile(r"(?i)\b(?:since|from|after|of|following|elapsed|for)\b")
_SUBCLASS_WORD = re.compile(r"(?i)\b(?:for|since|if|or|and)\s+(?!the\b|other\b)[a-z]{5,}")
_THE_BEFORE = re.compile(r"(?i)\bthe\s+$")
_LEAD_BRACKET = re.compile(r"\s*(?:\([^)]*\)\s*)?")
_BRACKETED = re.compile(r"\([^()]*\)")
_REFINING_LEAD = re.compile(r"\s*(?:at least\s+)?", re.I)
_NOT_BEFORE = re.compile(r"(?i)(?:\bnot|n't)\s+$")
_ALLOWED_IF = re.compile(r"(?i)[^.;]{0,40}\b(?:if|provided|as long as|only)\b")
_TREATED_WITH = re.compile(r"(?i)\b(?:with|on|in|received|receiving|taken|taking|used)\b")


def _duration_value(ctx: CriterionContext, m: re.Match) -> float | None:
    if m.group("num2"):
        return float(m.group("num2"))  # "within the last 3 to 4 weeks": the longer window
    raw = m.group("num")
    if raw[0].isdigit():
        return float(raw.replace(",", "."))
    return ctx.rules.number_words.get(raw.lower())


def _parent_target(ctx: CriterionContext, targets_all: list, main: re.Match, paren: tuple[int, int], named: list):
    """The class the window before a refinement applies to, when the refinement names members
    of it or words the packs don't know ("nitrosoureas")."""
    before = [t for t in targets_all if t.end <= paren[0] and t.start >= ctx.sentence_of(main.start())[0]
              and not t.id.startswith("drug:")]
    inner = ctx.text[paren[0] + 1:paren[1]]
    # words the packs don't know ("nitrosoureas") name a subclass: the class keeps the longer window;
    # named drugs alone ("(2 weeks for trastuzumab)") get it for themselves only
    rest = inner
    for t in sorted(named, key=lambda t: -t.start):
        rest = rest[:max(0, t.start - paren[0] - 1)] + rest[t.end - paren[0] - 1:]
    if not _SUBCLASS_WORD.search(rest):
        return None
    if named:
        before = [t for t in before if all(t.id in n.classes or t.id == n.id for n in named)]
    elif len(before) > 1:
        before = [t for t in before if t.id == "chemotherapy"]
    return before[0] if len(before) == 1 else None


_LABEL_WINDOW = re.compile(r"(?i)\b(?:excluded|prohibited|not allowed|not permitted|no)\b[^:]*?\bwithin\b")


def _label_window(ctx: CriterionContext) -> list[Constraint]:
    """Items listed under "Excluded within 30 days of study entry:": the heading's window applies
    to each therapy the item names."""
    label = ctx.label
    if not label or not _LABEL_WINDOW.search(label):
        return []
    m = ctx.rules.duration_re.search(label)
    if m is None or _duration_value(ctx, m) is None:
        return []
    value = _duration_value(ctx, m)
    word = m.group("unit").split()[-1]
    unit, days = duration_unit_name(word), duration_days(value, word)
    if unit is None or days is None:
        return []
    anchor = next((a.values[0] for a in ctx.rules.anchors.finditer(label, m.end())), None)
    out, seen = [], set()
    for t in therapy_mentions(ctx):
        if t.id in seen or in_exception(ctx, t.start):
            continue
        seen.add(t.id)
        ctx.consumed.add(t.start)
        c = Constraint(type="washout", polarity="exclude", text=ctx.text[t.start:t.end], span=ctx.span(t.start, t.end),
                       rule=f"washout.{t.rule}", target=t.id, anchor=anchor, condition=label,
                       window={"value": value if not float(value).is_integer() else int(value), "unit": unit,
                               "days": round(days, 4)})
        if t.classes:
            c.extra["therapy_classes"] = list(t.classes)
        out.append(c)
    return out


def _is_window(ctx: CriterionContext, m: re.Match, s_start: int, s_end: int) -> bool:
    text = ctx.text
    if _AFTER_FUTURE.match(text, m.end()):
        return False
    if _THE_BEFORE.search(text[max(0, m.start() - 5):m.start()]) and _STUDY_PERIOD.match(text, m.end()):
        return False  # "within the 24 weeks of the study": the study period, not a look-back
    before = text[max(s_start, m.start() - 45):m.start()]
    if _DURATION_OF_USE.search(before) and not _NEGATED_LEAD.search(text, s_start, m.start()):
        return False  # "treated for at least 3 months" (but "no chemotherapy for 3 weeks prior to" is a washout)
    # a look-back cue just before: "within (the past) 4 weeks", "in the last 6 months"
    for cue in ctx.rules.lookback_cues.finditer(before):
        if _LEAD_FILLER.fullmatch(before[cue.end:]):
            return True
    w = _WHICHEVER.match(text, m.end())
    after = text[w.end():s_end]  # all of it: a bracket between the duration and the cue can be long
    upper = _UPPER_BOUND_AFTER.match(after)
    if upper:  # "at least 4 weeks and no later than 12 weeks before": the first is the washout
        after = after[upper.end():]
    orm = _OR_MORE.match(after)
    if orm:
        after = after[orm.end():]
    lead = _LEAD_BRACKET.match(after)
    after = after[lead.end():]
    cue = ctx.rules.since_cues.match_at(after, 0) or ctx.rules.before_cues.match_at(after, 0)
    if cue is None:
        return False
    word = cue.text.lower()
    if word == "of" and _THERAPY_AFTER_OF.match(after, cue.end):
        return False  # "at least 8 weeks of targeted treatment": how long it was given, not how long ago
    if word in ("of", "from", "after", "between", "for", "out from", "away from"):
        # "4 weeks of the first dose" needs a look-back cue or an elapsed comparator before it
        return bool(_ELAPSED_COMPARATOR.search(before)) or bool(orm)
    return True


@extractor("eligex.washout.v1", kinds={"therapy", "drug"})
def extract_washouts(ctx: CriterionContext) -> list[Constraint]:
    text = ctx.text
    kinds = ctx.kinds
    if "therapy" not in kinds and "drug" not in kinds:
        return []
    low = lower_text(ctx)
    if not (_UNIT_AFTER_NUMBER_LOW.search(low) if low is not None else _UNIT_AFTER_NUMBER.search(text)):
        return _label_window(ctx)  # the cheap test: no duration unit in the criterion itself
    durations = _durations(ctx, low)
    if not durations:
        return _label_window(ctx)
    # the words each test needs, looked for once (a test whose words the criterion lacks is skipped)
    recovered = may_contain(ctx, "recover")
    require = may_contain(ctx, "requir", "need", "will receive")
    anchor_of = may_contain(ctx, "dos", "administration", "initiation", "start", "infusion", "injection")
    targets_all = [t for t in therapy_mentions(ctx)
                   if not (require and _REQUIRE.search(text, max(0, t.start - 25), t.start))
                   and not (anchor_of and _ANCHOR_OF.search(text, max(0, t.start - 40), t.start))
                   and not (recovered and _RECOVERED.search(text, max(ctx.sentence_of(t.start)[0], t.start - 60), t.start))
                   and in_exception(ctx, t.start) is None
                   and lexicon_search(ctx, ctx.rules.future_cues, max(0, t.start - 40), t.start) is None]
    if not targets_all:
        return []
    out: list[Constraint] = []
    prev_end_by_sentence: dict[int, int] = {}
    for k, m in enumerate(durations):
        exc = in_exception(ctx, m.start())
        if exc is not None and "," not in _BRACKETED.sub("", text[exc[0]:m.start()]):
            # "except palliative radiotherapy within 2 weeks" belongs to the exception; after a comma
            # ("surgery, other than diagnostic surgery, within 4 weeks") the window is the criterion's
            continue
        unit = duration_unit_name(m.group("unit").split()[-1])
        value = _duration_value(ctx, m)
        if unit is None or value is None or unit == "hour" and value > 24 * 30:
            continue
        s_start, s_end = ctx.sentence_of(m.start())
        paren = ctx.paren_of(m.start()) if "(" in text or "[" in text else None  # no opening bracket, no pair
        parent = refinement = None
        refining = paren is not None and _REFINING_LEAD.fullmatch(text[paren[0] + 1:m.start()]) \
            and k > 0 and durations[k - 1].end() <= paren[0] and s_start <= durations[k - 1].start()
        if refining:
            # "(6 weeks for nitrosoureas or mitomycin C)", "(6 months since cisplatin)": a window of its own
            # for the therapies it names; "(28 days)" only restates the window before
            targets = [t for t in targets_all if m.end() <= t.start and t.end <= paren[1]]
            parent = _parent_target(ctx, targets_all, durations[k - 1], paren, targets)
            if parent is not None:
                # "(6 weeks for nitrosoureas or mitomycin)": a longer window for some of the main
                # window's therapy class, kept on that class with the refinement as its condition
                refinement = text[paren[0] + 1:paren[1]].strip()
                targets = [parent] + targets
            if not targets:
                continue
        elif not _is_window(ctx, m, s_start, s_end) or _MAX_BEFORE.search(text, max(s_start, m.start() - 20), m.start()) \
                or _STABLE.search(text, s_start, m.start()):
            continue
        else:
            lo = prev_end_by_sentence.get(s_start, s_start)
            before = [t for t in targets_all if lo <= t.start and t.end <= m.start()]
            if before and _REQUIRE.search(text, before[-1].end, m.start()):
                before = []  # "… including X, and require treatment within 2 years": another treatment
            if before:
                targets = before
            else:
                # therapies after the window only when a since-type word links them ("4 weeks since
                # prior chemotherapy"); "within the last 4 weeks, chemotherapy …" reads the other way
                nxt = next((d.start() for d in durations[k + 1:] if d.start() < s_end), s_end)
                after = [t for t in targets_all if m.end() <= t.start and t.end <= nxt]
                # "treated within 30 days with X" too, unless X leads to a window of its own
                # ("within 2 months or with a TZD within 4 months")
                linked = after and (_SINCE_BETWEEN.search(text, m.end(), after[0].start)
                                    or nxt == s_end and _TREATED_WITH.search(text, m.end(), after[0].start))
                targets = after if linked else []
            prev_end_by_sentence[s_start] = m.end()
        if not targets:
            continue
        allowed = allowed_cue(ctx, s_start, s_end)
        if allowed is not None and not _NOT_BEFORE.search(text[max(0, allowed.start - 6):allowed.start]) \
                and not _ALLOWED_IF.match(text[allowed.end:s_end]):
            continue  # "Palliative radiotherapy within 2 weeks is permitted": an allowance, not a washout
        anchor = None
        for a in ctx.rules.anchors.finditer(text, m.end(), s_end):
            anchor = a.values[0]
            break
        days = duration_days(value, m.group("unit").split()[-1])
        if days is None:
            continue
        seen = set()
        for t in targets:
            ctx.consumed.add(t.start)  # every mention used by a window, repeats included ("G-CSF, GM-CSF")
            if t.id in seen:
                continue
            seen.add(t.id)
            start = min(t.start, m.start())
            end = max(t.end, m.end())
            c = Constraint(
                type="washout", polarity="exclude", text=text[start:end], span=ctx.span(start, end),
                rule=f"washout.{t.rule}", target=t.id,
                window={"value": value if not float(value).is_integer() else int(value), "unit": unit, "days": round(days, 4)},
                anchor=anchor, condition=refinement if (refining and parent is not None and t is parent) else None,
            )
            if t.classes:
                c.extra["therapy_classes"] = list(t.classes)
            out.append(c)
    return out
