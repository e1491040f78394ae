"""The spaCy/scispaCy pipeline: document-local abbreviations for known concepts.

A trial often defines its own short form for something the packs know by its long name:
"calculated creatinine clearance (CLcr)", then "CLcr ≥ 60 mL/min". scispaCy's
AbbreviationDetector (Schwartz–Hearst) confirms such pairs; the short form then names
the same concept everywhere in that document.

The pipeline is built once per process on `spacy.blank("en")` (or a trained pipeline if
one is installed) and runs only on criteria that hold a candidate definition: a known
concept right before a bracketed short form the packs don't know. Everything else is
matched by the compiled pack lexicons, so spaCy's cost is paid only where it can change
the result (see README, "Design").
"""
from __future__ import annotations

import re
import warnings
from dataclasses import dataclass, field
from functools import lru_cache
from typing import Any

from .context import Mention
from .model import Criterion
from .vocab import CompiledRules

_CANDIDATE = re.compile(r"\(\s*([A-Za-z][A-Za-z0-9\-+/]{1,11})\s*\)")
TRAINED_PIPELINES = ("en_core_sci_sm", "en_core_sci_md", "en_core_sci_lg", "en_core_web_sm")


@lru_cache(maxsize=1)
def criteria_nlp() -> Any:
    """blank English (or an installed trained pipeline) + criteria tokenizer rules + abbreviations."""
    import spacy
    from spacy.util import compile_infix_regex, is_package

    nlp = None
    for name in TRAINED_PIPELINES:
        if is_package(name):
            try:
                nlp = spacy.load(name, exclude=["ner", "parser", "lemmatizer"])
                break
            except Exception:  # a broken install must not stop extraction
                nlp = None
    if nlp is None:
        nlp = spacy.blank("en")
    # split comparators and multiplication signs off numbers: "≥1.5×10^9/L" -> ≥ 1.5 × 10^9/L
    infixes = list(nlp.Defaults.infixes) + [r"(?<=[0-9])[×x](?=[0-9])", r"[≥≤<>=×]"]
    nlp.tokenizer.infix_finditer = compile_infix_regex(infixes).finditer
    from scispacy.abbreviation import AbbreviationDetector  # noqa: F401  (registers the factory)

    nlp.add_pipe("abbreviation_detector")
    return nlp


@dataclass
class DocumentAliases:
    """Short forms a document defines for known concepts."""

    aliases: dict[str, tuple] = field(default_factory=dict)
    _pattern: re.Pattern | None = None

    def mentions_in(self, text: str) -> list[Mention]:
        if not self.aliases:
            return []
        if self._pattern is None:
            alts = "|".join(re.escape(a) for a in sorted(self.aliases, key=len, reverse=True))
            self._pattern = re.compile(rf"(?<![\w]){alts}(?![\w])")
        return [Mention(m.start(), m.end(), m.group(), self.aliases[m.group()]) for m in self._pattern.finditer(text)]

    def __bool__(self) -> bool:
        return bool(self.aliases)


def _candidates(criteria: list[Criterion], rules: CompiledRules) -> list[tuple[Criterion, str, tuple]]:
    out = []
    whole = None
    for c in criteria:
        text = c.text
        if "(" not in text:
            continue
        for m in _CANDIDATE.finditer(text):
            short = m.group(1)
            if whole is None:
                whole = "\n".join(x.text for x in criteria)
            if whole.count(short) < 2:
                continue  # defined but never used again: nothing to alias
            if rules.master.match_at(short, 0) is not None:
                continue  # the packs know it already
            before = text[max(0, m.start() - 80):m.start()].rstrip()
            hit = None
            for mm in rules.master.finditer(before):
                hit = mm
            if hit is not None and hit.end == len(before):
                concepts = tuple(v for v in hit.values if v.kind in ("analyte", "group", "therapy", "drug", "scale"))
                if concepts:
                    out.append((c, short, concepts))
    return out


def document_aliases(criteria: list[Criterion], rules: CompiledRules) -> DocumentAliases:
    """Aliases confirmed by the abbreviation detector for one document's criteria."""
    cands = _candidates(criteria, rules)
    if not cands:
        return DocumentAliases()
    nlp = criteria_nlp()
    confirmed: dict[str, tuple] = {}
    texts = list(dict.fromkeys(c.text for c, _, _ in cands))
    found: set[str] = set()
    with warnings.catch_warnings():
        # scispaCy's global matcher has no patterns on a blank pipeline (spaCy W036): expected
        warnings.filterwarnings("ignore", message=r".*W036.*")
        for doc in nlp.pipe(texts):
            for abrv in doc._.abbreviations:
                found.add(abrv.text)
    for _, short, concepts in cands:
        if short in found:
            confirmed[short] = concepts
    return DocumentAliases(confirmed)
