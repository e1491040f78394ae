"""The rule set compiled once into lexicons the extractors search with.

`CompiledRules` holds one master `Lexicon` of every concept the extractors anchor on
(analytes, analyte groups, scales, therapy classes, drugs, treatment-naive phrases,
life-expectancy phrases) and one small lexicon per context vocabulary (comparators,
anchors, negation cues...). Concept values are `Concept(kind, id, rule)` tuples.
"""
from __future__ import annotations

import re
from dataclasses import dataclass

from .lexicon import Lexicon, _Trie, lexicon_from_list, lexicon_from_mapping
from .rulepack import RuleSet


@dataclass(frozen=True)
class Concept:
    kind: str  # analyte | group | scale | ps_generic | therapy | drug | naive | life_expectancy
    id: str
    rule: str


class CompiledRules:
    """Lexicons and lookup tables built from a `RuleSet` (once per process)."""

    def __init__(self, rules: RuleSet):
        self.rules = rules
        self.memo: dict = {}  # results that depend only on these rules (extractors' caches)
        v = rules.vocabulary
        master = Lexicon()
        for a in rules.analytes.values():
            for n in a.names:
                master.add(n, Concept("analyte", a.id, a.rule_id), False)
            for ab in a.abbreviations:
                master.add(ab, Concept("analyte", a.id, a.rule_id), True)
        for g in rules.analyte_groups.values():
            for n in g.names:
                master.add(n, Concept("group", g.id, f"{g.pack}.{g.id}"), False)
            for ab in g.abbreviations:
                master.add(ab, Concept("group", g.id, f"{g.pack}.{g.id}"), True)
        for s in rules.scales.values():
            for n in s.names:
                master.add(n, Concept("scale", s.id, s.rule_id), False)
            for ab in s.abbreviations:
                master.add(ab, Concept("scale", s.id, s.rule_id), True)
        for phrase in v.get("performance_generic", []):
            master.add(phrase, Concept("ps_generic", "", "performance.generic"), phrase.isupper())
        self.drug_classes: dict[str, list[str]] = {}
        for t in rules.therapies.values():
            for n in t.names:
                master.add(n, Concept("therapy", t.id, t.rule_id), False)
            for ab in t.abbreviations:
                master.add(ab, Concept("therapy", t.id, t.rule_id), True)
            for d in t.drugs:
                self.drug_classes.setdefault(d.lower(), []).append(t.id)
        drug_names: dict[str, list[str]] = {d: [d] for d in self.drug_classes}
        for d in rules.drugs.values():
            drug_names.setdefault(d.id, [d.id])
            drug_names[d.id].extend(d.names)
        for drug_id, names in drug_names.items():
            for n in names:
                master.add(n, Concept("drug", drug_id, f"drugs.{drug_id.replace(' ', '_')}"), None if n != drug_id else False)
        for therapy, phrases in (v.get("naive_cues") or {}).items():
            for p in phrases:
                master.add(p, Concept("naive", therapy, "prior_therapy.naive"), None)
        for value, phrases in (v.get("sex_terms") or {}).items():
            for p in phrases:
                master.add(p, Concept("sex", value, "demographics.sex"), False)
        for p in v.get("not_therapies", []):
            master.add(p, Concept("shadow", "", "context.not_therapies"), False)
        for ordinal in (v.get("line_ordinals") or {}):
            master.add(f"{ordinal} line", Concept("line_ordinal", str(ordinal), "prior_therapy.line_ordinal"), False)
        for p in v.get("life_expectancy_cues", []):
            master.add(p, Concept("life_expectancy", "", "demographics.life_expectancy"), False)
        self.master = master

        self.comparators = lexicon_from_mapping(v.get("comparators", {}))
        self.comparators_after = lexicon_from_mapping(v.get("comparators_after", {}))
        neg = v.get("negation", {})
        self.negation = lexicon_from_list(neg.get("preceding", []), "neg")
        for p in neg.get("pseudo", []):
            self.negation.add(p, "pseudo")
        self.termination = lexicon_from_list(neg.get("termination", []))
        cond = v.get("conditions", {})
        self.condition_intro = lexicon_from_list(cond.get("introducers", []))
        self.exception_intro = lexicon_from_list(cond.get("exceptions", []))
        self.anchors = lexicon_from_mapping(v.get("anchors", {}))
        wc = v.get("washout_cues", {})
        self.before_cues = lexicon_from_list(wc.get("before", []))
        self.lookback_cues = lexicon_from_list(wc.get("lookback", []))
        self.since_cues = lexicon_from_list(wc.get("since", []))
        self.count_units = lexicon_from_mapping(v.get("count_units", {}))
        self.number_words: dict[str, float] = {k.lower(): float(n) for k, n in (v.get("number_words") or {}).items()}
        from .washout import duration_pattern

        self.duration_re = duration_pattern(self.number_words)
        self.line_ordinals: dict[str, int] = {k.lower(): int(n) for k, n in (v.get("line_ordinals") or {}).items()}
        self.prior_cues = lexicon_from_list(v.get("prior_cues", []))
        self.prior_cues_near = lexicon_from_list(v.get("prior_cues_near", []))
        self.allowed_cues = lexicon_from_list(v.get("allowed_cues", []))
        self.include_cues = lexicon_from_list(v.get("include_cues", []))
        self.non_use_after = lexicon_from_list(v.get("non_use_after", []))
        self.non_use_before = lexicon_from_list(v.get("non_use_before", []))
        self.current_use = lexicon_from_list(v.get("current_use_cues", []))
        self.future_cues = lexicon_from_list(v.get("future_cues", []))
        self.uln = lexicon_from_list(v.get("uln", []), "ULN")
        for p in v.get("lln", []):
            self.uln.add(p, "LLN")
        self.normal_limits = lexicon_from_list(v.get("normal_limits", []))
        # INN stems, searched in lower-cased text; the word start is found by walking back
        suffixes = {x.lower() for x in v.get("drug_suffixes", [])}
        stems, reversed_stems = _Trie(), _Trie()
        for x in suffixes:
            stems.add(x)
            reversed_stems.add(x[::-1])
        body = stems.regex(root=False)
        self.drug_suffix_re = re.compile(r"(?:" + body + r")(?![\w-])") if body else None
        # the same stems in the reversed document, each after the character that ends its word
        # (any but an ASCII word character or a hyphen): one search of a whole document in
        # which re skips to word ends at C speed (see context.document_stem_mentions)
        self.drug_suffix_reversed_re = None
        if suffixes and all(x.isalpha() for x in suffixes):
            self.drug_suffix_reversed_re = re.compile(r"[^a-zA-Z0-9_\-]" + reversed_stems.unbounded_regex())
