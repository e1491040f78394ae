"""Therapy mentions in a criterion, as washout targets and prior-therapy subjects.

A mention is a therapy class of the contract vocabulary (`chemotherapy`), a named drug
(`drug:lenvatinib`, with its classes), or one of the trial's own interventions. Mentions
that only give examples of a class just named ("targeted agents (including everolimus)",
"such as sunitinib") and mentions in a "non-" compound are left out.
"""
from __future__ import annotations

import re
from dataclasses import dataclass

from .context import CriterionContext, Mention

_STUDY_OF = re.compile(r"(?i)\b(?:study|studies|trial|trials)\s+(?:of|with|involving|testing)\s+(?:an?\s+|the\s+)?$")
EXAMPLE_INTRO = re.compile(r"(?i)(?:\(\s*|,\s*|\b)(?:including|such as|e\.\s?g\.?|eg\.?|i\.\s?e\.?|like|for example|for instance|namely|incl\.?)\s*[:,]?\s*$")


@dataclass(frozen=True)
class TherapyMention:
    start: int
    end: int
    id: str  # contract id: chemotherapy | drug:lenvatinib
    rule: str
    classes: tuple[str, ...] = ()


def lower_text(ctx: CriterionContext) -> str | None:
    """The criterion text lower-cased when it is ASCII (once per criterion, shared by the
    extractors), else None. In ASCII text a case-insensitive pattern can only match where its
    literal words occur in the lower-cased text, so `word in lower_text(ctx)` is an exact cheap
    test before such a search; None (non-ASCII text: "ſ" matches "s" under IGNORECASE) means
    search anyway."""
    cache = ctx.cache
    if "lower" in cache:
        return cache["lower"]
    text = ctx.text
    low = cache["lower"] = text.lower() if text.isascii() else None
    return low


def may_contain(ctx: CriterionContext, *words: str) -> bool:
    """False only when none of the (lower-case) words occurs in the ASCII criterion text."""
    low = lower_text(ctx)
    if low is None:
        return True
    for w in words:
        if w in low:
            return True
    return False


def _word_edge(text: str, i: int) -> bool:
    """A word character on both sides of `i` (in ASCII text)."""
    return 0 < i < len(text) and (text[i - 1].isalnum() or text[i - 1] == "_") and (text[i].isalnum() or text[i] == "_")


def in_exception(ctx: CriterionContext, pos: int) -> tuple[int, int] | None:
    """`ctx.in_exception(pos)`, remembered per position (both extractors ask for the same
    mentions). From the second position asked on, one scan of the whole text tells whether the
    criterion (ASCII) has an exception phrase at all; when it has none, a search of text[s:pos]
    finds none either, unless a phrase is cut at `pos` ("except" of "exceptional": a word
    character on both sides), so the answer is None at once."""
    cache = ctx.cache
    at = cache.get("exception_at")
    if at is None:
        at = cache["exception_at"] = {}
    elif pos in at:
        return at[pos]
    if at:
        absent = cache.get("exception_absent")
        if absent is None:
            text = ctx.text
            absent = cache["exception_absent"] = text.isascii() and next(
                ctx.rules.exception_intro.finditer(text), None) is None
        if absent and not _word_edge(ctx.text, pos):
            at[pos] = None
            return None
    exc = at[pos] = ctx.in_exception(pos)
    if exc is not None:
        cache["exception_absent"] = False
    return exc


def lexicon_search(ctx: CriterionContext, lex, start: int, end: int, sliced: bool = False):
    """`lex.search(ctx.text, start, end)` (`sliced`: `lex.search(ctx.text[start:end])`, where a
    phrase may start at `start` whatever precedes it); in ASCII text its raw pattern is tried
    first on the lower-cased text, bounded or sliced the same way (where it finds nothing the
    lexicon finds nothing: no lexicon call)."""
    pattern = lex.lower_case_pattern()  # asked each time: a lexicon may gain phrases
    if pattern is not None:
        low = lower_text(ctx)
        if low is not None and (pattern.search(low[start:end]) if sliced else pattern.search(low, start, end)) is None:
            return None
    if sliced:
        return lex.search(ctx.text[start:end])
    return lex.search(ctx.text, start, end)


def allowed_cue(ctx: CriterionContext, start: int, end: int):
    """`ctx.rules.allowed_cues.search(ctx.text, start, end)`, remembered per sentence (both
    extractors ask it of the same sentences)."""
    known = ctx.cache.get("allowed_cue")
    if known is None:
        known = ctx.cache["allowed_cue"] = {}
    key = (start, end)
    if key in known:
        return known[key]
    cue = known[key] = ctx.rules.allowed_cues.search(ctx.text, start, end)
    return cue


def therapy_mentions(ctx: CriterionContext) -> list[TherapyMention]:
    """The criterion's therapy mentions (computed once per criterion, shared by extractors)."""
    cached = ctx.cache.get("therapy_mentions")
    if cached is None:
        cached = ctx.cache["therapy_mentions"] = _therapy_mentions(ctx)
    return cached


_LABEL_COLON = re.compile(r"\s*:")


def _therapy_mentions(ctx: CriterionContext) -> list[TherapyMention]:
    kinds = ctx.kinds
    if "therapy" not in kinds and "drug" not in kinds:
        return []  # no mention has a therapy or drug concept
    text = ctx.text
    out: list[TherapyMention] = []
    class_ends: list[tuple[int, str]] = []  # where each class mention ended
    study_of = may_contain(ctx, "stud", "trial")  # words _STUDY_OF needs
    for m in ctx.mentions:
        c = None
        for x in m.concepts:  # m.first("therapy", "drug")
            if x.kind == "therapy" or x.kind == "drug":
                c = x
                break
        if c is None:
            continue
        if _LABEL_COLON.match(text, m.end, m.end + 3):
            continue  # a label of the legacy layout ("Chemotherapy: …"), not a mention
        if study_of and _STUDY_OF.search(text, max(0, m.start - 30), m.start):
            continue  # "an investigational study of anticancer therapy": what the study is about
        if _is_example(ctx, m, class_ends):
            continue
        if c.kind == "therapy":
            # one phrase may name two classes: "chemoradiotherapy" is chemotherapy and radiotherapy
            for tc in (x for x in m.concepts if x.kind == "therapy"):
                out.append(TherapyMention(m.start, m.end, tc.id, tc.rule))
            class_ends.append((m.end, c.id))
        else:
            classes = tuple(ctx.rules.drug_classes.get(c.id, ()))
            out.append(TherapyMention(m.start, m.end, f"drug:{c.id}", c.rule, classes))
    # "anti-cancer murine monoclonal antibody therapy": a class word that only qualifies the
    # therapy named right after it is not a mention of its own
    kept = []
    last = len(out) - 1
    for k, tm in enumerate(out):
        if k < last and tm.id in _QUALIFIER_CLASSES:
            nxt = out[k + 1]
            if nxt.start >= tm.end and nxt.start - tm.end <= 20 and tm.id != nxt.id \
                    and not _GLUE_WORD.search(text[tm.end:nxt.start]) and _PLAIN_GAP.fullmatch(text[tm.end:nxt.start]):
                continue
        kept.append(tm)
    return kept


_GLUE_WORD = re.compile(r"[,;/()]|\b(?:or|and|nor|plus|with|vs|versus|then)\b", re.I)
_PLAIN_GAP = re.compile(r"[\s\w-]*")


# classes whose words often qualify another therapy ("anticancer", "investigational", "systemic")
_QUALIFIER_CLASSES = {"anticancer_therapy", "investigational_agent", "systemic_therapy", "immunotherapy"}


_HEAD_NOUN = re.compile(r"(?i)\b(?:therap(?:y|ies)|treatments?|agents?|drugs?|regimens?|medications?|inhibitors?|"
                        r"analogues?|analogs?|[a-z]+pyrimidines?|[a-z]+cyclines?|taxanes?|modalities)\s*$")


def _is_example(ctx: CriterionContext, m: Mention, class_ends: list[tuple[int, str]]) -> bool:
    """Inside "(including …)", "such as …" after a class mention, or a bracket right after one;
    or a bracketed list of two or more therapies right after a head noun ("standard therapies
    (surgery, radiotherapy, chemotherapy)", "oral fluoropyrimidine (capecitabine, S-1)")."""
    text = ctx.text
    paren = ctx.paren_of(m.start) if "(" in text or "[" in text else None  # no opening bracket, no pair
    if paren is not None and "," in text[paren[0]:paren[1]] and _HEAD_NOUN.search(text[max(0, paren[0] - 30):paren[0]]):
        inside = [x for x in ctx.mentions if paren[0] < x.start and x.end <= paren[1] and x.first("therapy", "drug")]
        if len(inside) >= 2:
            return True
    if not class_ends:
        return False
    last_end = class_ends[-1][0]
    s, _ = ctx.sentence_of(m.start)
    if last_end < s:
        return False
    between = text[last_end:m.start]
    if paren is not None and paren[0] >= last_end - 1 and _BRACKET_GAP.fullmatch(text[last_end:paren[0]]) \
            and not _BRACKET_COUNT.match(text[paren[0]:paren[0] + 14]):
        return True  # "checkpoint inhibitors (pembrolizumab, nivolumab)"; not "(6 weeks for mitomycin)"
    if EXAMPLE_INTRO.search(between):
        return True
    # a list continuing an example list: "such as sunitinib, sorafenib, axitinib"
    intro = _LIST_INTRO.search(between)
    if intro and not _LIST_END.search(between, intro.end()):
        return True
    return False


_BRACKET_GAP = re.compile(r"[\s\w\-()/]{0,30}")
_BRACKET_COUNT = re.compile(r"[(\[]\s*(?:\d|at least|more than|less than|within|no\b|except|one|two|three|four|five|six|"
                            r"seven|eight|nine|ten|twelve)\b", re.I)
_LIST_INTRO = re.compile(r"(?i)\b(?:including|such as|e\.g\.|for example)\b")
_LIST_END = re.compile(r"[.;)]")
