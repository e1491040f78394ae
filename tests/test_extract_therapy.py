"""Washout windows and prior-therapy counts, as general cases."""
from __future__ import annotations

import pytest

from conftest import only


def washouts(extract, text, section="exclusion"):
    return extract(text, section, types=("washout",))


def priors(extract, text, section="inclusion"):
    return extract(text, section, types=("prior_therapy",))


# ---------------------------------------------------------------- washout

@pytest.mark.parametrize(
    "text, target, days, anchor",
    [
        ("Chemotherapy within 3 weeks prior to randomization", "chemotherapy", 21, "randomization"),
        ("Radiation therapy within the past 2 weeks before enrollment", "radiotherapy", 14, "enrollment"),
        ("Received an investigational drug within 28 days of study entry", "investigational_agent", 28, "enrollment"),
        ("Major surgical procedure within 4 weeks before the start of study treatment", "major_surgery", 28, "first_dose"),
        ("Live attenuated vaccine within 30 days before Day 1", "live_vaccine", 30, "first_dose"),
        ("Systemic corticosteroids in the last 6 months", "corticosteroids", 180, None),
        ("Strong CYP3A4 inhibitors within 14 days prior to registration", "cyp3a4_modulator", 14, "registration"),
        ("Antitumour therapy within two weeks before screening", "anticancer_therapy", 14, "screening"),
        ("Blood transfusion within 7 days of the screening visit", "transfusion", 7, "screening"),
        ("Treatment with bevacizumab within 6 weeks of the first dose", "drug:bevacizumab", 42, "first_dose"),
    ],
)
def test_window_target_anchor(extract, text, target, days, anchor):
    c = only(washouts(extract, text), target=target)
    assert c["window"]["days"] == pytest.approx(days)
    assert c["anchor"] == anchor and c["polarity"] == "exclude"


def test_several_targets_share_one_window(extract):
    cs = washouts(extract, "Chemotherapy, radiotherapy, or immunotherapy within 4 weeks prior to first dose")
    assert {c["target"] for c in cs} == {"chemotherapy", "radiotherapy", "immunotherapy"}
    assert {c["window"]["days"] for c in cs} == {28}


def test_each_target_takes_its_own_window_and_the_shared_anchor(extract):
    cs = washouts(extract, "Any antineoplastic therapy within 14 days or an investigational product within 28 days before first dose")
    assert {(c["target"], c["window"]["days"], c["anchor"]) for c in cs} == {
        ("anticancer_therapy", 14, "first_dose"), ("investigational_agent", 28, "first_dose")}


def test_time_since_in_inclusion_is_a_washout(extract):
    c = only(washouts(extract, "At least 6 weeks since prior radiotherapy", "inclusion"), target="radiotherapy")
    assert c["window"]["days"] == 42 and c["polarity"] == "exclude"


def test_half_lives_or_weeks_whichever_is_shorter(extract):
    c = only(washouts(extract, "Investigational agents within 5 half-lives or 4 weeks, whichever is shorter, before randomization"),
             target="investigational_agent")
    assert c["window"]["days"] == 28


def test_future_and_after_windows_are_not_washouts(extract):
    assert washouts(extract, "Planned major surgery within 2 weeks after enrollment") == []
    assert washouts(extract, "Anticipated need for transfusion within 48 hours of study entry") == []


def test_exception_targets_are_not_washout_targets(extract):
    cs = washouts(extract, "Anticancer therapy (except hormonal therapy) within 3 weeks of first dose")
    assert {c["target"] for c in cs} == {"anticancer_therapy"}


# ---------------------------------------------------------------- prior therapy

@pytest.mark.parametrize(
    "text, section, therapy, bounds, unit",
    [
        ("At least one prior line of platinum-based chemotherapy for metastatic disease", "inclusion",
         "platinum_chemotherapy", (1, None), "line"),
        ("No more than 3 prior chemotherapy regimens", "inclusion", "chemotherapy", (None, 3), "regimen"),
        ("Two or more prior lines of systemic therapy", "exclusion", "systemic_therapy", (2, None), "line"),
        ("Received at least 4 cycles of anthracycline-free chemotherapy", "inclusion", "chemotherapy", (4, None), "cycle"),
        ("Prior treatment with nivolumab", "exclusion", "drug:nivolumab", (1, None), "any"),
        ("Previous exposure to an anti-PD-L1 antibody", "exclusion", "immune_checkpoint_inhibitor", (1, None), "any"),
        ("No prior chemotherapy", "inclusion", "chemotherapy", (None, 0), "any"),
        ("Must not have received prior radiotherapy to the pelvis", "inclusion", "radiotherapy", (None, 0), "any"),
        ("Chemotherapy-naive", "inclusion", "chemotherapy", (None, 0), "any"),
        ("Treatment-naïve patients with advanced disease", "inclusion", "systemic_therapy", (None, 0), "any"),
        ("Disease progression after at least two prior regimens of hormonal therapy", "inclusion",
         "hormonal_therapy", (2, None), "regimen"),
        ("Prior treatment with a tyrosine kinase inhibitor", "exclusion", "targeted_therapy", (1, None), "any"),
    ],
)
def test_prior_therapy_counts(extract, text, section, therapy, bounds, unit):
    c = only(priors(extract, text, section), therapy=therapy)
    assert (c["min"], c["max"]) == bounds and c["count_unit"] == unit


def test_more_than_one_is_an_exclusive_minimum(extract):
    c = only(priors(extract, "More than one prior line of chemotherapy", "exclusion"), therapy="chemotherapy")
    assert (c["min"], c["min_inclusive"], c["polarity"]) == (1, False, "exclude")


def test_only_one_line_is_exactly_one(extract):
    c = only(priors(extract, "Patients must have received only one previous line of targeted therapy"), therapy="targeted_therapy")
    assert (c["min"], c["max"]) == (1, 1)


def test_allowed_count_is_a_maximum(extract):
    c = only(priors(extract, "One prior regimen of chemotherapy is allowed"), therapy="chemotherapy")
    assert (c["min"], c["max"]) == (None, 1)


def test_allowed_prior_therapy_is_no_constraint(extract):
    assert priors(extract, "Prior radiotherapy is permitted") == []


def test_named_drug_carries_its_classes(extract):
    c = only(priors(extract, "Prior treatment with sunitinib", "exclusion"), therapy="drug:sunitinib")
    assert {"targeted_therapy", "antiangiogenic_therapy"} <= set(c["therapy_classes"])


def test_examples_of_a_class_are_not_separate_constraints(extract):
    cs = priors(extract, "Prior treatment with checkpoint inhibitors (e.g. pembrolizumab, nivolumab)", "exclusion")
    assert [c["therapy"] for c in cs] == ["immune_checkpoint_inhibitor"]


def test_toxicity_and_allergy_mentions_are_not_prior_therapy(extract):
    assert priors(extract, "Unresolved toxicity from prior chemotherapy greater than grade 1", "exclusion") == []
    assert priors(extract, "Known hypersensitivity to platinum compounds", "exclusion") == []
    assert priors(extract, "Patients currently receiving hormonal therapy", "exclusion") == []


def test_windowed_therapy_is_a_washout_not_a_prior_count(extract):
    cs = extract("No chemotherapy within 4 weeks before enrollment", "inclusion")
    assert [c["type"] for c in cs] == ["washout"]


def test_third_line_or_beyond(extract):
    c = only(priors(extract, "Candidates for third-line or beyond treatment"), therapy="systemic_therapy")
    assert c["min"] == 2 and c["count_unit"] == "line"


def test_bracketed_refinement_is_a_window_for_the_therapies_it_names(extract):
    cs = washouts(extract, "At least 4 weeks since prior chemotherapy (6 weeks for mitomycin C or carmustine)", "inclusion")
    assert {(c["target"], c["window"]["days"]) for c in cs} == {
        ("chemotherapy", 28), ("drug:mitomycin", 42), ("drug:carmustine", 42)}


def test_study_period_is_not_a_look_back(extract):
    assert washouts(extract, "Chemotherapy within the 24 weeks of the study") == []


def test_refinement_naming_an_unknown_subclass_stays_on_the_class(extract):
    cs = washouts(extract, "At least 4 weeks must have elapsed from the end of previous chemotherapy or radiotherapy "
                           "(six weeks for nitrosoureas)", "inclusion")
    assert {(c["target"], c["window"]["days"]) for c in cs} == {("chemotherapy", 28), ("radiotherapy", 28), ("chemotherapy", 42)}


def test_restated_window_in_brackets_is_not_another_washout(extract):
    cs = washouts(extract, "Radiotherapy within 4 weeks (28 days) before registration")
    assert [(c["target"], c["window"]["days"]) for c in cs] == [("radiotherapy", 28)]


def test_no_prior_listed_under_exclusions_is_read_as_the_inclusion_it_states(extract):
    c = only(priors(extract, "No prior gemcitabine or capecitabine", "exclusion"), therapy="drug:gemcitabine")
    assert (c["polarity"], c["max"]) == ("include", 0)


def test_with_or_without_is_not_a_negation(extract):
    cs = priors(extract, "Progressed after oxaliplatin-based chemotherapy with or without bevacizumab")
    assert not [c for c in cs if c["therapy"] == "drug:bevacizumab" and c["max"] == 0]


def test_bracketed_list_after_a_head_noun_gives_examples_only(extract):
    cs = priors(extract, "Tumour that has failed standard therapies (surgery, radiotherapy, chemotherapy)")
    assert cs == []


def test_flattened_legacy_labels_are_not_mentions(extract):
    cs = extract("Biologic therapy: At least 6 weeks since prior interferon alfa Chemotherapy: No prior anthracyclines", "unspecified")
    assert [(c["type"], c.get("target") or c.get("therapy")) for c in cs] == [("washout", "drug:interferon")]


def test_generic_drug_names_are_recognised_by_their_stem(extract):
    c = only(priors(extract, "Prior treatment with vorasidenib or any other zanfotinib", "exclusion"), therapy="drug:zanfotinib")
    assert c["min"] == 1


@pytest.mark.parametrize(
    "text, therapy, bounds",
    [
        ("Relapsed after at least 2 prior therapies", "anticancer_therapy", (2, None)),
        ("No more than 3 prior systemic regimens", "systemic_therapy", (None, 3)),
    ],
)
def test_count_without_a_named_therapy(extract, text, therapy, bounds):
    c = only(priors(extract, text), therapy=therapy)
    assert (c["min"], c["max"]) == bounds


def test_biomarker_names_are_not_therapies(extract):
    cs = priors(extract, "Prior treatment with epidermal growth factor receptor (EGFR) directed antibodies", "exclusion")
    assert [c["therapy"] for c in cs] == ["targeted_therapy"]


def test_recovery_from_previous_therapy_is_not_a_prior_therapy_requirement(extract):
    assert priors(extract, "Recovered from toxicity of previous chemotherapy, immunotherapy or radiotherapy") == []


def test_interval_for_a_named_class_and_time_out_from(extract):
    cs = washouts(extract, "Prior anticancer therapy within 4 weeks before the first dose; the interval is ≥ 6 weeks for mitomycin")
    assert {(c["target"], c["window"]["days"]) for c in cs} == {("anticancer_therapy", 28), ("drug:mitomycin", 42)}
    c = only(washouts(extract, "Patients must be at least 2 weeks out from last chemotherapy", "inclusion"), target="chemotherapy")
    assert c["window"]["days"] == 14


def test_range_window_takes_the_longer_end(extract):
    c = only(washouts(extract, "Major surgery within the last 3 to 4 weeks prior to enrollment"), target="major_surgery")
    assert c["window"]["days"] == 28


def test_study_drug_of_the_anchor_and_stable_doses_are_not_targets(extract):
    assert washouts(extract, "Radiotherapy 2 weeks prior to the first dose of zanfotinib") == \
        washouts(extract, "Radiotherapy 2 weeks prior to the first dose of study drug")
    assert washouts(extract, "Stable dose of metformin for at least 3 months prior to screening", "inclusion") == []


def test_chemoradiotherapy_is_both_classes(extract):
    cs = washouts(extract, "Chemoradiotherapy within 4 weeks before randomization")
    assert {c["target"] for c in cs} == {"chemotherapy", "radiotherapy"}


def test_upper_limit_of_time_since_is_not_a_washout(extract):
    cs = washouts(extract, "Completed radiotherapy at least 4 weeks and no later than 12 weeks before randomization", "inclusion")
    assert [(c["target"], c["window"]["days"]) for c in cs] == [("radiotherapy", 28)]


def test_prior_therapy_qualifier_is_its_condition(extract):
    cs = priors(extract, "No prior radiotherapy to the bladder No prior radiotherapy to indicator lesion", "unspecified")
    assert {c["condition"] for c in cs} == {"to the bladder", "to indicator lesion"}
    assert all(c["max"] == 0 for c in cs)


def test_allergy_and_induced_disease_are_not_prior_therapy(extract):
    assert priors(extract, "History of penicillin hypersensitivity reaction", "exclusion") == []
    assert priors(extract, "History of methotrexate- induced pneumonitis", "exclusion") == []


def test_an_article_is_not_a_count(extract):
    cs = priors(extract, "Prior somatostatin analogues are allowed and not considered a previous targeted agent therapy")
    assert [c for c in cs if c["therapy"] == "targeted_therapy"] == []


@pytest.mark.parametrize(
    "text, therapy",
    [
        ("Previously untreated patients with advanced disease", "systemic_therapy"),
        ("Patients without prior chemotherapy for metastatic disease", "chemotherapy"),
    ],
)
def test_untreated_and_without_prior(extract, text, therapy):
    c = only(priors(extract, text), therapy=therapy)
    assert (c["max"], c["polarity"]) == (0, "include")


@pytest.mark.parametrize(
    "text, therapy, bounds",
    [
        ("Patients must have received at least one prior regimen", "systemic_therapy", (1, None)),
        ("Received 1-3 prior lines of chemotherapy", "chemotherapy", (1, 3)),
        ("Must not have had more than one prior chemotherapy regimen", "chemotherapy", (None, 1)),
        ("Prior chemotherapy is not allowed", "chemotherapy", (None, 0)),
    ],
)
def test_counts_in_words_ranges_and_negations(extract, text, therapy, bounds):
    c = only(priors(extract, text), therapy=therapy)
    assert (c["min"], c["max"]) == bounds


def test_negation_of_progression_is_not_a_negation_of_the_therapy(extract):
    cs = priors(extract, "No evidence of disease progression during prior treatment with sorafenib")
    assert not [c for c in cs if c["max"] == 0]


def test_permitted_recent_therapy_is_not_a_washout(extract):
    assert washouts(extract, "Palliative radiotherapy within 2 weeks prior to enrollment is permitted") == []


def test_what_another_study_is_about_is_not_a_separate_target(extract):
    cs = washouts(extract, "No participation in another investigational study of anticancer therapy within the past 30 days",
                  "inclusion")
    assert [c["target"] for c in cs] == ["investigational_agent"]


def test_refractory_tumour_is_not_a_prior_therapy_cue_at_a_distance(extract):
    assert priors(extract, "Refractory solid tumor for which paclitaxel and cisplatin are reasonable therapeutic options") == []


def test_untimed_participation_in_another_study_is_not_a_prior_therapy(extract):
    assert priors(extract, "Prior participation in another clinical trial", "exclusion") == []
    c = only(washouts(extract, "Participation in another clinical trial within 30 days"), target="investigational_agent")
    assert c["window"]["days"] == 30


def test_window_stated_in_a_heading_applies_to_the_items_under_it(extractor):
    from eligex.extractors.model import SourceDocument

    text = ("Exclusion Criteria:\n\nPrior Medication:\n\nExcluded within 14 days of study entry:\n\n"
            "  -  Immunomodulators.\n\n  -  Investigational agents.\n\n  -  Corticosteroids.\n")
    doc = SourceDocument(path="t.txt", format="plain-text", text=text, criteria_region=(0, len(text)))
    cs = [c.to_dict() for cr in extractor.extract(doc).criteria for c in cr.constraints]
    assert {(c["target"], c["window"]["days"], c["anchor"]) for c in cs} == {
        ("investigational_agent", 14, "enrollment"), ("corticosteroids", 14, "enrollment")}
    assert all(text[c["span"][0]:c["span"][1]] == c["text"] for c in cs)


def test_how_long_a_therapy_was_taken_is_not_a_look_back(extract):
    assert washouts(extract, "Treated with metformin for at least 3 months before screening", "inclusion") == []


def test_window_inside_an_exception_belongs_to_the_exception(extract):
    cs = washouts(extract, "No prior chemotherapy except one course of doxorubicin (with bleomycin) within 35 days of study entry")
    assert cs == []
    c = only(washouts(extract, "Major surgery, other than diagnostic surgery, within 4 weeks"), target="major_surgery")
    assert c["window"]["days"] == 28


def test_recovery_from_a_therapy_is_not_its_washout(extract):
    cs = washouts(extract, "At least 3 weeks since chemotherapy and recovered from the toxicity of radiotherapy")
    assert {c["target"] for c in cs} == {"chemotherapy"}


def test_next_item_of_a_flattened_list_is_not_a_target(extract):
    cs = washouts(extract, "At least 3 weeks since chemotherapy and recovered No concurrent methotrexate", "inclusion")
    assert {c["target"] for c in cs} == {"chemotherapy"}


def test_therapy_after_a_window_needs_a_link(extract):
    cs = washouts(extract, "Treated with antihistamines during the previous 2 weeks, with topical corticosteroids during the "
                           "previous 4 weeks")
    assert {(c["target"], c["window"]["days"]) for c in cs} == {("corticosteroids", 28)}
    c = only(washouts(extract, "Received treatment within the last 30 days with an investigational drug"),
             target="investigational_agent")
    assert c["window"]["days"] == 30


@pytest.mark.parametrize("lead", ["Current or previous treatment with", "Prior or concurrent use of", "Concomitant or prior"])
def test_current_or_prior_use_is_a_prior_therapy(extract, lead):
    c = only(priors(extract, f"{lead} insulin", "exclusion"), therapy="drug:insulin")
    assert c["polarity"] == "exclude" and c["min"] == 1


def test_current_use_alone_is_not_a_prior_therapy(extract):
    assert priors(extract, "Current treatment with insulin", "exclusion") == []


def test_tnf_inhibitors_are_biologic_therapy(extract):
    c = only(priors(extract, "Prior treatment with TNF-alpha inhibitors", "exclusion"), therapy="biologic_therapy")
    assert c["min"] == 1


def test_prior_induction_regimens_are_chemotherapy_counts(extract):
    c = only(priors(extract, "Relapsed leukaemia after no more than 2 prior induction regimens"), therapy="chemotherapy")
    assert c["max"] == 2 and c["count_unit"] == "regimen"


def test_brm_abbreviation_is_biologic_therapy(extract):
    c = only(priors(extract, "No more than 2 prior BRM treatment regimens are permitted"), therapy="biologic_therapy")
    assert c["max"] == 2 and c["count_unit"] == "regimen"


def test_no_therapy_for_a_period_before_a_date_is_a_washout(extract):
    cs = washouts(extract, "No anticancer therapy for three weeks (six weeks if mitomycin C, nitrosoureas or other\n"
                           "     alkylating agents were given) prior to study initiation", "inclusion")
    assert {(c["target"], c["window"]["days"]) for c in cs} >= {("anticancer_therapy", 21), ("drug:mitomycin", 42)}


def test_a_bracket_without_half_lives_is_not_swallowed(extract):
    c = only(washouts(extract, "Investigational drug within 4 weeks (or 5 half-lives, whichever is longer) before randomization"),
             target="investigational_agent")
    assert c["window"]["days"] == 28 and c["anchor"] == "randomization"


def test_weeks_of_a_treatment_is_how_long_it_was_given(extract):
    assert washouts(extract, "Cough unresponsive to at least 8 weeks of targeted treatment", "inclusion") == []
    c = only(washouts(extract, "At least 4 weeks of stopping chemotherapy", "inclusion"), target="chemotherapy")
    assert c["window"]["days"] == 28


def test_a_count_before_coordinated_therapies_applies_to_each(extract):
    cs = priors(extract, "Zero or one prior chemotherapeutic or immunotherapeutic treatment regimen for lymphoma")
    assert {(c["therapy"], c["min"], c["max"], c["count_unit"]) for c in cs} == {
        ("chemotherapy", 0, 1, "regimen"), ("immunotherapy", 0, 1, "regimen")}


def test_a_count_is_not_spread_over_examples(extract):
    cs = priors(extract, "At least one line of a standard treatment, including bendamustine, fludarabine or ibrutinib")
    assert not any(c["count_unit"] == "line" and c["therapy"] in ("drug:fludarabine", "drug:ibrutinib") for c in cs)


def test_therapy_for_this_malignancy_is_anticancer_therapy(extract):
    c = only(priors(extract, "No other prior therapy for this malignancy"), therapy="anticancer_therapy")
    assert c["max"] == 0


def test_look_back_then_participation_in_a_study(extract):
    c = only(washouts(extract, "Participation currently or within the past 30 days in another therapeutic clinical trial"),
             target="investigational_agent")
    assert c["window"]["days"] == 30


@pytest.mark.parametrize("text, target", [
    ("Use of an IND drug within the past 30 days", "investigational_agent"),
    ("Participation in research studies involving drugs or devices within 30 days", "investigational_agent"),
    ("Any agent with antitumor activity within 30 days", "anticancer_therapy"),
])
def test_more_names_of_study_drugs_and_anticancer_agents(extract, text, target):
    assert only(washouts(extract, text), target=target)["window"]["days"] == 30


@pytest.mark.parametrize("text, bounds", [
    ("Failed 1 or 2 prior front-line chemotherapy regimens", (1, 2)),
    ("At least 2 prior adjuvant chemotherapy regimens", (2, None)),
])
def test_counts_with_a_treatment_setting_word(extract, text, bounds):
    c = only(priors(extract, text), therapy="chemotherapy")
    assert (c["min"], c["max"]) == bounds and c["count_unit"] == "regimen"
