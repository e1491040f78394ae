"""Lab and measurement thresholds, written as general cases (not dev-set sentences)."""
from __future__ import annotations

import pytest

from conftest import only


def labs(extract, text, section="inclusion"):
    return extract(text, section, types=("lab", "measurement"))


@pytest.mark.parametrize(
    "text, analyte, bound, value",
    [
        ("Neutrophils ≥ 2,000/µL", "anc", "min", 2.0),
        ("ANC >= 1.0 x 10^9/L", "anc", "min", 1.0),
        ("absolute neutrophil count of at least 1500 cells/mm³", "anc", "min", 1.5),
        ("Platelet count ≥ 75 × 10³/µL", "platelets", "min", 75.0),
        ("Platelets >= 150 x 109/L", "platelets", "min", 150.0),  # lost superscript
        ("Platelets greater than 80.000/mmc", "platelets", "min", 80.0),  # European thousands
        ("Haemoglobin ≥ 100 g/L", "hemoglobin", "min", 10.0),
        ("Hgb > 6.2 mmol/L", "hemoglobin", "min", 6.2 * 1.6114),
        ("serum creatinine ≤ 133 µmol/L", "creatinine", "max", 133 / 88.42),
        ("Total bilirubin no greater than 2,0 mg/dL", "bilirubin", "max", 2.0),  # decimal comma
        ("bilirubin < 25.6 umol/L", "bilirubin", "max", 25.6 / 17.1),
        ("Fasting glucose < 7 mmol/L", "glucose", "max", 7 * 18.016),
        ("WBC at least 3,000/mm3", "wbc", "min", 3.0),
        ("Albumin ≥ 30 g/L", "albumin", "min", 3.0),
        ("eGFR ≥ 45 mL/min/1.73 m²", "gfr", "min", 45.0),
        ("24-hour urine protein < 500 mg/24 hours", "urine_protein", "max", 0.5),
        ("HbA1c between 7.0% and 10.5%", "hba1c", "min", 7.0),
        ("HbA1c ≤ 64 mmol/mol", "hba1c", "max", 64 / 10.929 + 2.15),
        ("CD4 count > 350 cells/µL", "cd4", "min", 350.0),
        ("Corrected calcium ≤ 12 mg/dL", "calcium", "max", 12 / 4.008),
    ],
)
def test_thresholds_are_normalised_to_the_canonical_unit(extract, text, analyte, bound, value):
    c = only(labs(extract, text), analyte=analyte)
    assert c["normalized"][bound] == pytest.approx(value, rel=0.02)
    assert c["relative_to"] is None


@pytest.mark.parametrize(
    "text, op",
    [
        ("Creatinine >= 1.2 mg/dL", (1.2, True, None, None)),
        ("Creatinine => 1.2 mg/dL", (1.2, True, None, None)),
        ("Creatinine =< 1.2 mg/dL", (None, None, 1.2, True)),
        ("Creatinine not exceeding 1.2 mg/dL", (None, None, 1.2, True)),
        ("Creatinine up to 1.2 mg/dL", (None, None, 1.2, True)),
        ("Creatinine 1.2 mg/dL or less", (None, None, 1.2, True)),
        ("Creatinine greater than 1.2 mg/dL", (1.2, False, None, None)),
        ("Creatinine \\< 1.2 mg/dL", (None, None, 1.2, False)),  # API v2 Markdown escape
        ("Creatinine between 0.5 and 1.2 mg/dL", (0.5, True, 1.2, True)),
    ],
)
def test_comparators_in_symbols_and_words(extract, text, op):
    c = only(labs(extract, text), analyte="creatinine")
    assert (c["min"], c["min_inclusive"], c["max"], c["max_inclusive"]) == op


def test_every_analyte_of_a_list_gets_the_shared_threshold(extract):
    cs = labs(extract, "SGOT, SGPT and alkaline phosphatase ≤ 2.5 × institutional ULN")
    assert {c["analyte"] for c in cs} == {"ast", "alt", "alp"}
    assert all(c["max"] == 2.5 and c["relative_to"] == "ULN" and c["normalized"] is None for c in cs)


def test_conditional_alternative_keeps_its_condition(extract):
    cs = labs(extract, "AST/ALT ≤ 2.5 times the upper limit of normal (or ≤ 5 times in patients with hepatic involvement)")
    assert {(c["analyte"], c["max"], c["relative_to"]) for c in cs} == {
        ("ast", 2.5, "ULN"), ("alt", 2.5, "ULN"), ("ast", 5, "ULN"), ("alt", 5, "ULN")}
    five = [c for c in cs if c["max"] == 5]
    assert all("hepatic involvement" in c["condition"] for c in five)
    assert all(c["condition"] is None for c in cs if c["max"] == 2.5)


def test_unless_clause_is_a_condition_not_a_constraint(extract):
    cs = labs(extract, "Total bilirubin ≤ 1.5 × ULN unless due to Gilbert syndrome")
    c = only(cs, analyte="bilirubin")
    assert c["max"] == 1.5 and c["relative_to"] == "ULN"
    assert "Gilbert" in c["condition"]


def test_restated_threshold_in_brackets_is_one_constraint(extract):
    cs = labs(extract, "Neutrophil count ≥ 1.5 × 10^9/L (1,500/mm3)")
    assert len(cs) == 1 and cs[0]["normalized"]["min"] == pytest.approx(1.5)


def test_threshold_in_if_clause_is_the_next_constraints_condition(extract):
    cs = labs(extract, "If serum creatinine is > 1.5 × ULN, then creatinine clearance must be ≥ 50 mL/min")
    c = only(cs, analyte="creatinine_clearance")
    assert c["min"] == 50 and "creatinine" in c["condition"]
    assert not [x for x in cs if x["analyte"] == "creatinine"]


def test_qtc_by_sex_gives_two_conditional_constraints(extract):
    cs = labs(extract, "QTcF > 450 msec (men) or > 470 msec (women)", "exclusion")
    assert {(c["min"], c["condition"]) for c in cs} == {(450, "men"), (470, "women")}
    assert all(c["polarity"] == "exclude" and c["analyte"] == "qtcf" for c in cs)


def test_blood_pressure_pair_is_systolic_and_diastolic(extract):
    cs = labs(extract, "Uncontrolled hypertension defined as blood pressure ≥ 160/100 mmHg", "exclusion")
    assert {(c["analyte"], c["min"]) for c in cs} == {("sbp", 160), ("dbp", 100)}


def test_percentile_is_not_millimetres_of_mercury(extract):
    cs = labs(extract, "Blood pressure ≤ 95th percentile for age")
    assert cs == []


def test_requirement_inside_exclusion_is_include(extract):
    cs = labs(extract, "Cardiac disease; the ejection fraction must be at least 45% by echocardiogram", "exclusion")
    c = only(cs, analyte="lvef")
    assert c["polarity"] == "include" and c["min"] == 45


def test_exception_clause_is_not_a_negated_limit(extract):
    cs = labs(extract, "Anaemia, except patients with thalassaemia trait if haemoglobin ≥ 9 g/dL", "exclusion")
    assert all(not (c["polarity"] == "exclude" and c["analyte"] == "hemoglobin") for c in cs)


def test_exclusion_threshold_keeps_its_direction(extract):
    c = only(labs(extract, "QTc interval > 500 ms on screening ECG", "exclusion"), analyte="qtc")
    assert (c["polarity"], c["min"], c["min_inclusive"]) == ("exclude", 500, False)


def test_within_normal_limits_only_with_a_named_analyte(extract):
    c = only(labs(extract, "Serum potassium within normal limits"), analyte="potassium")
    assert c["max"] == 1 and c["relative_to"] == "ULN"
    assert labs(extract, "Organ function within normal limits") == []


def test_cockcroft_gault_names_creatinine_clearance(extract):
    c = only(labs(extract, "Calculated clearance ≥ 40 mL/min by Cockcroft-Gault formula"), analyte="creatinine_clearance")
    assert c["min"] == 40


def test_unit_typo_per_ml_for_cell_counts_is_read_as_per_microlitre(extract):
    c = only(labs(extract, "Platelets >= 75,000/ml"), analyte="platelets")
    assert c["normalized"]["min"] == pytest.approx(75)


def test_missing_unit_uses_the_plausible_implicit_unit(extract):
    assert only(labs(extract, "ANC > 1000"), analyte="anc")["normalized"]["min"] == pytest.approx(1.0)
    assert only(labs(extract, "platelets > 100"), analyte="platelets")["normalized"]["min"] == pytest.approx(100)


def test_normal_limit_named_before_the_comparator(extract):
    c = only(labs(extract, "PTT ULN > 2.0", "exclusion"), analyte="aptt")
    assert c["relative_to"] == "ULN" and c["min"] == 2.0


def test_constraint_records_the_rule_and_written_unit(extract):
    c = only(labs(extract, "Hemoglobin ≥ 8.5 g/dL"), analyte="hemoglobin")
    assert c["rule"] == "labs.hemoglobin" and c["unit"] == "g/dL" and c["normalized"]["unit"] == "g/dL"


def test_glued_multiples_and_institutional_normal_limits(extract):
    cs = labs(extract, "ALT < 2xULN; alkaline phosphatase and bilirubin <= 1.5xULN")
    assert {(c["analyte"], c["max"], c["relative_to"]) for c in cs} == {
        ("alt", 2, "ULN"), ("alp", 1.5, "ULN"), ("bilirubin", 1.5, "ULN")}
    c = only(labs(extract, "AST ≤ 2.5 x ULN for the institution (≤ 5 x if due to hepatic metastases)"), max=5)
    assert c["relative_to"] == "ULN" and "hepatic metastases" in c["condition"]


def test_within_a_multiple_of_normal(extract):
    c = only(labs(extract, "Total bilirubin within 1.5X normal institutional limits"), analyte="bilirubin")
    assert (c["max"], c["relative_to"]) == (1.5, "ULN")


def test_negated_threshold_states_who_is_excluded(extract):
    c = only(labs(extract, "No prolongation of QTc > 480 msec"), analyte="qtc")
    assert (c["polarity"], c["min"]) == ("exclude", 480)


def test_a_change_is_not_a_level(extract):
    assert labs(extract, "Orthostatic drop in SBP of more than 20 mmHg", "exclusion") == []
    assert labs(extract, "Weight loss in excess of 10 pounds", "exclusion") == []


def test_unit_decides_which_listed_analyte_a_threshold_belongs_to(extract):
    cs = labs(extract, "Normal ALT and AST, creatinine < 1.8 mg/dl")
    assert {(c["analyte"], c["max"], c["relative_to"]) for c in cs} == {
        ("alt", 1, "ULN"), ("ast", 1, "ULN"), ("creatinine", 1.8, None)}


def test_bare_count_range_and_schedule_range(extract):
    c = only(labs(extract, "White blood count between 3,000-10,000"), analyte="wbc")
    assert (c["normalized"]["min"], c["normalized"]["max"]) == (3, 10)
    assert labs(extract, "Leucovorin calcium and fluorouracil (days 1-5)") == []


def test_abbreviation_in_brackets_narrows_a_generic_name(extract):
    cs = labs(extract, "Glutamate pyruvate transaminase (SGPT) < 3 x ULN")
    assert [c["analyte"] for c in cs] == ["alt"]


def test_bare_multiple_in_brackets_inherits_the_comparator(extract):
    cs = labs(extract, "AST and ALT ≤ 2.5 times ULN (5 times ULN if liver metastases are present)")
    assert {(c["analyte"], c["max"]) for c in cs} == {("ast", 2.5), ("alt", 2.5), ("ast", 5), ("alt", 5)}


def test_thresholds_by_sex_are_conditional_alternatives(extract):
    cs = labs(extract, "Serum creatinine above the normal range: male > 130 µmol/L or female > 105 µmol/L", "exclusion")
    assert {(c["min"], c["condition"]) for c in cs} == {(130, "male"), (105, "female")}


def test_normal_before_a_measurement_is_not_a_multiple_of_normal(extract):
    assert labs(extract, "Normal cardiac ejection fraction") == []


def test_negated_defined_condition(extract):
    cs = labs(extract, "No hypertension, defined as systolic blood pressure > 160 mm Hg")
    c = only(cs, analyte="sbp")
    assert (c["polarity"], c["min"]) == ("exclude", 160)


def test_ratio_and_daily_amount_without_a_full_unit(extract):
    assert only(labs(extract, "Urine protein-to-creatinine ratio < 2"), analyte="upcr")["max"] == 2
    assert only(labs(extract, "24-hour urine protein < 1 g"), analyte="urine_protein")["normalized"]["max"] == 1


def test_a_remark_in_brackets_is_not_a_condition(extract):
    assert only(labs(extract, "Hemoglobin ≥ 10 g/dl (transfusion allowed)"), analyte="hemoglobin")["condition"] is None


def test_close_thresholds_for_two_groups_are_not_a_restatement(extract):
    cs = labs(extract, "QTcF ≥ 450 ms for males or ≥ 470 ms for females", "exclusion")
    assert {(c["min"], c["condition"]) for c in cs} == {(450, "for males"), (470, "for females")}


@pytest.mark.parametrize(
    "text, analytes, op_bound, value",
    [
        ("AST or ALT is 3 times more than the upper limit of normal", {"ast", "alt"}, "min", 3.0),
        ("Total bilirubin 2-fold higher than ULN", {"bilirubin"}, "min", 2.0),
        ("AST or ALT > 2.5 fold of the upper limit of the normal range", {"ast", "alt"}, "min", 2.5),
        ("ALT greater than two and a half times the upper limit of normal", {"alt"}, "min", 2.5),
        ("Creatinine ≤ 1.5 times that of the ULN", {"creatinine"}, "max", 1.5),
    ],
)
def test_multiples_of_the_normal_limit_in_words(extract, text, analytes, op_bound, value):
    cs = labs(extract, text, "exclusion")
    assert {c["analyte"] for c in cs} == analytes
    for c in cs:
        assert c["relative_to"] == "ULN" and c[op_bound] == pytest.approx(value)


@pytest.mark.parametrize(
    "text, analyte, bound, value",
    [
        ("ANC greater than or equal to (>=) 1.5 x 10^9/L", "anc", "min", 1.5),
        ("Hemoglobin less than (<) 9 g/dL", "hemoglobin", "max", 9.0),
        ("QTcF greater than (>) 470 msec", "qtcf", "min", 470.0),
    ],
)
def test_comparator_in_words_with_the_symbol_restated(extract, text, analyte, bound, value):
    c = only(labs(extract, text), analyte=analyte)
    assert c[bound] == pytest.approx(value) and c["text"] == text


def test_unit_restated_in_brackets_is_one_unit(extract):
    c = only(labs(extract, "LVEF < 50 percent (%)", "exclusion"), analyte="lvef")
    assert c["normalized"]["max"] == pytest.approx(50.0) and c["text"].endswith("(%)")


def test_singular_time_before_the_normal_limit(extract):
    c = only(labs(extract, "Bilirubin =< 1.5 time upper limit of normal for age"), analyte="bilirubin")
    assert c["max"] == 1.5 and c["relative_to"] == "ULN"


def test_below_the_institutional_normal_limit_without_a_multiple(extract):
    c = only(labs(extract, "Serum creatinine that is less than the upper limit of institutional normal"), analyte="creatinine")
    assert c["max"] == 1 and c["relative_to"] == "ULN"


@pytest.mark.parametrize(
    "text, analyte, bound, value",
    [
        ("AST >x2 ULN", "ast", "min", 2.0),  # the multiplier before the number
        ("ALT ˂ 3.0 x ULN", "alt", "max", 3.0),  # modifier-letter arrowhead for "<"
        ("PTT ≥ 1.5 times the laboratory upper limit of normal", "aptt", "min", 1.5),
    ],
)
def test_normal_limit_multiples_in_unusual_notation(extract, text, analyte, bound, value):
    c = only(labs(extract, text, "exclusion"), analyte=analyte)
    assert c[bound] == pytest.approx(value) and c["relative_to"] == "ULN"
