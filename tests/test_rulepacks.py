"""Rule packs are data: users add analytes and synonyms in YAML; bad packs name file and key."""
from __future__ import annotations

import textwrap
from pathlib import Path

import pytest

from eligex.extractors.errors import RulePackError
from eligex.extractors.lexicon import Lexicon
from eligex.extractors.model import SourceDocument
from eligex.extractors.pipeline import Extractor
from eligex.extractors.rulepack import check_rule_dir, describe_rule_set, load_rule_set


def write(dir_: Path, name: str, body: str) -> Path:
    p = dir_ / name
    p.write_text(textwrap.dedent(body), encoding="utf-8")
    return p


def constraints_of(extractor: Extractor, text: str) -> list[dict]:
    body = "Inclusion Criteria:\n1. " + text + "\n"
    doc = SourceDocument(path="t.txt", format="plain-text", text=body, criteria_region=(0, len(body)))
    return [c.to_dict() for crit in extractor.extract(doc).criteria for c in crit.constraints]


def test_builtin_packs_load_and_describe_themselves():
    rules = load_rule_set()
    names = {p["name"] for p in describe_rule_set(rules)}
    assert {"labs", "measurements", "performance", "therapies", "context"} <= names
    assert "anc" in rules.analytes and "ECOG" in rules.scales and "chemotherapy" in rules.therapies


def test_user_pack_adds_an_analyte_without_python(tmp_path):
    write(tmp_path, "iron.yaml", """
        analytes:
          - id: ferritin
            type: lab
            canonical_unit: ng/mL
            names: [serum ferritin, ferritin]
            plausible: [1, 5000]
    """)
    assert constraints_of(Extractor(), "Serum ferritin ≥ 100 ng/mL") == []
    c = constraints_of(Extractor([tmp_path]), "Serum ferritin ≥ 100 µg/L")[0]
    assert (c["analyte"], c["min"], c["normalized"]["min"], c["rule"]) == ("ferritin", 100, 100, "iron.ferritin")


def test_user_pack_extends_synonyms_of_a_builtin_entry(tmp_path):
    write(tmp_path, "local.yaml", """
        analytes:
          - id: anc
            extend: true
            names: [segmented neutrophil count]
    """)
    c = constraints_of(Extractor([tmp_path]), "Segmented neutrophil count ≥ 1,500/mm3")[0]
    assert c["analyte"] == "anc" and c["normalized"]["min"] == pytest.approx(1.5)


def test_user_vocabulary_adds_an_anchor_phrase(tmp_path):
    write(tmp_path, "anchors.yaml", """
        vocabulary:
          anchors:
            first_dose: [first vaccination visit]
    """)
    cs = constraints_of(Extractor([tmp_path]), "No chemotherapy within 4 weeks before the first vaccination visit")
    assert [(c["target"], c["anchor"]) for c in cs] == [("chemotherapy", "first_dose")]


@pytest.mark.parametrize(
    "body, where, message",
    [
        ("analytes:\n  - id: x\n    type: lab\n    canonical_unit: mg/dL\n    synonyms: [x]\n", "analytes -> x -> synonyms",
         "unknown key 'synonyms'"),
        ("analytes:\n  - id: x\n    type: chemistry\n    canonical_unit: mg/dL\n", "analytes -> x -> type", "not one of"),
        ("analytes:\n  - id: x\n    type: lab\n", "analytes -> x", "missing required key 'canonical_unit'"),
        ("analytes:\n  - id: x\n    type: lab\n    canonical_unit: furlongs per fortnight squared\n",
         "analytes -> x -> canonical_unit", "not a unit"),
        ("analytes:\n  - id: x\n    type: lab\n    canonical_unit: mg/dL\n  - id: x\n    type: lab\n    canonical_unit: mg/dL\n",
         "analytes -> x", "duplicate id"),
        ("analytes:\n  - id: x\n    type: lab\n    canonical_unit: mg/dL\n    names: x\n    plausible: [5]\n",
         "analytes -> x -> plausible", "[low, high]"),
        ("analytes: [\n  id: x\n", "line", "YAML syntax error"),
        ("vocabulary:\n  comparatorz: {}\n", "vocabulary -> comparatorz", "unknown vocabulary key"),
        ("therapy:\n  - id: x\n", "therapy", "unknown top-level key"),
    ],
)
def test_bad_packs_name_the_file_and_the_key(tmp_path, body, where, message):
    path = write(tmp_path, "broken.yaml", body)
    with pytest.raises(RulePackError) as info:
        check_rule_dir(tmp_path)
    text = str(info.value)
    assert str(path) in text and where in text and message in text


def test_missing_rules_directory_is_a_pack_error(tmp_path):
    with pytest.raises(RulePackError, match="not found"):
        load_rule_set([tmp_path / "nope"])


def test_lexicon_matches_longest_phrase_and_ignores_separators():
    lex = Lexicon([("chemotherapy", "c", None), ("chemotherapy-naive", "n", None), ("PT", "pt", None)])
    found = [(m.text, m.values) for m in lex.finditer("chemotherapy naive; anti PT; pt; chemotherapy")]
    assert found == [("chemotherapy naive", ("n",)), ("PT", ("pt",)), ("chemotherapy", ("c",))]
