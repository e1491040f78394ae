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


def therapy_mentions(ctx: CriterionContext) -> list[TherapyMention]:
    """The criterion's therapy mentions (computed once per criterion, shared by extractors)."""
    cached = ctx.cache.get("therapy_mentions")
    if cached is None:
        cached = ctx.cache["therapy_mentions"] = _therapy_mentions(ctx)
    return cached


def _therapy_mentions(ctx: CriterionContext) -> list[TherapyMention]:
    text = ctx.text
    out: list[TherapyMention] = []
    class_ends: list[tuple[int, str]] = []  # where each class mention ended
    for m in ctx.mentions:
        c = m.first("therapy", "drug")
        if c is None:
            continue
        if _is_example(ctx, m, class_ends):
            continue
        if re.match(r"\s*:", text[m.end:m.end + 3]):
            continue  # a label of the legacy layout ("Chemotherapy: …"), not a mention
        if _STUDY_OF.search(text, max(0, m.start - 30), m.start):
            continue  # "an investigational study of anticancer therapy": what the study is about
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
    for k, tm in enumerate(out):
        nxt = out[k + 1] if k + 1 < len(out) else None
        if nxt is not None and nxt.start >= tm.end and nxt.start - tm.end <= 20 and tm.id != nxt.id \
                and not re.search(r"[,;/()]|\b(?:or|and|nor|plus|with|vs|versus|then)\b", text[tm.end:nxt.start], re.I) \
                and re.fullmatch(r"[\s\w-]*", text[tm.end:nxt.start]) and tm.id in _QUALIFIER_CLASSES:
            continue
        kept.append(tm)
    return kept


# classes whose words often qualify another therapy ("anticancer", "investigational", "systemic")
_QUALIFIER_CLASSES = {"anticancer_therapy", "investigational_agent", "systemic_therapy", "immunotherapy"}


_HEAD_NOUN = re.compile(r"(?i)\b(?:therap(?:y|ies)|treatments?|agents?|drugs?|regimens?|medications?|inhibitors?|"
                        r"analogues?|analogs?|[a-z]+pyrimidines?|[a-z]+cyclines?|taxanes?|modalities)\s*$")


def _is_example(ctx: CriterionContext, m: Mention, class_ends: list[tuple[int, str]]) -> bool:
    """Inside "(including …)", "such as …" after a class mention, or a bracket right after one;
    or a bracketed list of two or more therapies right after a head noun ("standard therapies
    (surgery, radiotherapy, chemotherapy)", "oral fluoropyrimidine (capecitabine, S-1)")."""
    text = ctx.text
    paren = ctx.paren_of(m.start)
    if paren is not None and _HEAD_NOUN.search(text[max(0, paren[0] - 30):paren[0]]):
        inside = [x for x in ctx.mentions if paren[0] < x.start and x.end <= paren[1] and x.first("therapy", "drug")]
        if len(inside) >= 2 and "," in text[paren[0]:paren[1]]:
            return True
    if not class_ends:
        return False
    last_end = class_ends[-1][0]
    s, _ = ctx.sentence_of(m.start)
    if last_end < s:
        return False
    between = text[last_end:m.start]
    paren = ctx.paren_of(m.start)
    if paren is not None and paren[0] >= last_end - 1 and re.fullmatch(r"[\s\w\-()/]{0,30}", text[last_end:paren[0]]) \
            and not re.match(r"[(\[]\s*(?:\d|at least|more than|less than|within|no\b|except|one|two|three|four|five|six|"
                             r"seven|eight|nine|ten|twelve)\b", text[paren[0]:paren[0] + 14], re.I):
        return True  # "checkpoint inhibitors (pembrolizumab, nivolumab)"; not "(6 weeks for mitomycin)"
    if EXAMPLE_INTRO.search(text[last_end:m.start]):
        return True
    # a list continuing an example list: "such as sunitinib, sorafenib, axitinib"
    intro = re.search(r"(?i)\b(?:including|such as|e\.g\.|for example)\b", between)
    if intro and not re.search(r"[.;)]", between[intro.end():]):
        return True
    return False
