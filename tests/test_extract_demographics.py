"""Performance status, age, life expectancy and sex, as general cases."""
from __future__ import annotations

import pytest

from conftest import only


@pytest.mark.parametrize(
    "text, scale, bounds",
    [
        ("ECOG performance status 0 to 2", "ECOG", (0, 2)),
        ("Zubrod performance status of 0, 1 or 2", "ECOG", (0, 2)),
        ("ECOG PS ≤ 1", "ECOG", (None, 1)),
        ("Karnofsky performance status ≥ 60%", "KPS", (60, None)),
        ("KPS of at least 70", "KPS", (70, None)),
        ("Lansky play score ≥ 50", "LPS", (50, None)),
        ("WHO performance status 0-1", "WHO", (0, 1)),
        ("Performance status 0 or 1", "ECOG", (0, 1)),
        ("Performance status of 80-100", "KPS", (80, 100)),
    ],
)
def test_performance_status(extract, text, scale, bounds):
    c = only(extract(text, types=("performance_status",)), scale=scale)
    assert (c["min"], c["max"]) == bounds


def test_performance_status_in_exclusion_keeps_direction(extract):
    c = only(extract("ECOG performance status ≥ 3", "exclusion", types=("performance_status",)), scale="ECOG")
    assert (c["polarity"], c["min"]) == ("exclude", 3)


def test_two_scales_share_a_threshold(extract):
    cs = extract("Karnofsky or Lansky score ≥ 60", types=("performance_status",))
    assert {(c["scale"], c["min"]) for c in cs} == {("KPS", 60), ("LPS", 60)}


def test_who_classification_is_not_a_performance_status(extract):
    assert extract("WHO grade 2 or 3 glioma", types=("performance_status",)) == []


@pytest.mark.parametrize(
    "text, bounds",
    [
        ("Aged 18–75 years", (18, 75)),
        ("≥ 18 years of age", (18, None)),
        ("21 years of age or older", (21, None)),
        ("Patients must be at least 12 years old", (12, None)),
        ("Adults between 40 and 80 years", (40, 80)),
        ("Children 6 months to 17 years", (0.5, 17)),
        ("Age: 65 and over", (65, None)),
        ("Women under the age of 50", (None, 50)),
        ("Participants 18 ≥ years old", (18, None)),
    ],
)
def test_age(extract, text, bounds):
    c = only(extract(text, types=("age",)), type="age")
    got = (c["normalized"]["min"], c["normalized"]["max"])
    assert [None if v is None else round(v, 2) for v in got] == list(bounds)


def test_durations_that_are_not_ages(extract):
    assert extract("Diagnosis within the past 5 years", types=("age",)) == []
    assert extract("Smoking history of at least 10 pack-years", types=("age",)) == []


def test_age_that_only_selects_whom_a_rule_applies_to(extract):
    assert extract("For participants under 18 years of age, parental consent is required", types=("age",)) == []


@pytest.mark.parametrize(
    "text, section, bounds_days",
    [
        ("Life expectancy of at least 12 weeks", "inclusion", (84, None)),
        ("Estimated survival greater than 6 months", "inclusion", (180, None)),
        ("Life expectancy ≥ 3 months", "inclusion", (90, None)),
        ("Life expectancy less than 8 weeks", "exclusion", (None, 56)),
        ("Expected to live at least one year", "inclusion", (365, None)),
    ],
)
def test_life_expectancy(extract, text, section, bounds_days):
    c = only(extract(text, section, types=("life_expectancy",)), type="life_expectancy")
    assert (c["normalized"]["min"], c["normalized"]["max"]) == bounds_days


def test_sex_only_when_the_criterion_restricts_it(extract):
    assert only(extract("Female patients aged 18 to 70", types=("sex",)), type="sex")["value"] == "female"
    assert only(extract("Men only", types=("sex",)), type="sex")["value"] == "male"
    assert extract("Male or female, 18 years or older", types=("sex",)) == []
    assert extract("Women of childbearing potential must use contraception", types=("sex",)) == []


@pytest.mark.parametrize(
    "text, bounds",
    [
        ("Age >/= 21 years", (21, None)),
        ("Male or female, age above or equal to 30 years", (30, None)),
        ("Age between birth and 40", (0, 40)),
    ],
)
def test_age_comparators_written_in_many_ways(extract, text, bounds):
    c = only(extract(text, types=("age",)), type="age")
    assert (c["normalized"]["min"], c["normalized"]["max"]) == bounds


def test_age_range_with_an_exclusive_upper_end(extract):
    c = only(extract("Aged 2 months to less than 12 years", types=("age",)), type="age")
    assert (round(c["normalized"]["min"], 3), c["normalized"]["max"], c["max_inclusive"]) == (0.167, 12, False)


def test_age_of_a_subgroup_is_not_an_age_limit(extract):
    assert extract("No bulky disease in patients under 16 years of age", "exclusion", types=("age",)) == []


def test_southwest_oncology_group_is_the_ecog_scale(extract):
    c = only(extract("Performance status: SWOG 0 or 1", "unspecified", types=("performance_status",)), scale="ECOG")
    assert (c["min"], c["max"]) == (0, 1)


def test_one_requirement_written_on_two_names_of_the_same_scale(extract):
    assert len(extract("Zubrod 0-1 or ECOG 0-1", types=("performance_status",))) == 1


def test_life_expectancy_with_number_word_and_restated_digit(extract):
    c = only(extract("Life expectancy of at least four (4) months", types=("life_expectancy",)), type="life_expectancy")
    assert c["normalized"]["min"] == 120


@pytest.mark.parametrize(
    "text, bounds",
    [
        ("Adults aged ≥21 and ≤ 70 years", (21, 70)),
        ("Age greater than or equal to 10 to less than 30 years of age", (10, 30)),
        ("7 to <16 years of age", (7, 16)),
    ],
)
def test_two_sided_ages_are_one_interval(extract, text, bounds):
    c = only(extract(text, types=("age",)), type="age")
    assert (c["normalized"]["min"], c["normalized"]["max"]) == bounds


def test_age_at_an_event_or_a_percentage_is_not_an_age_limit(extract):
    assert extract("At least one asthma attack when aged 2 years or over", types=("age",)) == []
    assert extract("LVEF > 50% in patients under 12 years of age and > 40% in older patients", types=("age",)) == []


def test_alternatives_for_two_phases_keep_their_conditions(extract):
    cs = extract("Life expectancy of > 2 months for Part A and > 4 months for Part B", types=("life_expectancy",))
    assert {(c["normalized"]["min"], c["condition"]) for c in cs} == {(60, "for Part A"), (120, "for Part B")}
    ps = extract("ECOG performance status ≤ 2 in Part A and ≤ 1 in Part B", types=("performance_status",))
    assert {(c["max"], c["condition"]) for c in ps} == {(2, "in Part A"), (1, "in Part B")}


def test_who_scale_only_as_a_performance_status(extract):
    c = only(extract("Performance status: WHO 0-2", "unspecified", types=("performance_status",)), scale="WHO")
    assert (c["min"], c["max"]) == (0, 2)
    assert extract("WHO grade 1 or 2 tumour", types=("performance_status",)) == []


def test_ecog_with_reversed_less_or_equal(extract):
    c = only(extract("ECOG performance status =<2 (Karnofsky >= 60%)", types=("performance_status",)), scale="ECOG")
    assert (c["max"], c["max_inclusive"]) == (2, True)


def test_age_words_between_comparator_and_number(extract):
    c = only(extract("Smokers over the age of 21 years", types=("age",)), type="age")
    assert c["normalized"]["min"] == 21
    c = only(extract("Older adults (≥ 70 years)", types=("age",)), type="age")
    assert c["normalized"]["min"] == 70


def test_age_unit_written_once_for_two_bounds(extract):
    c = only(extract("Male or female ≥ 30 and <75 years of age", types=("age",)), type="age")
    assert (c["normalized"]["min"], c["normalized"]["max"], c["max_inclusive"]) == (30, 75, False)


def test_exception_in_an_exclusion_states_an_inclusion(extract):
    cs = extract("Recent malignancy unless the estimated life expectancy is greater than 36 months", "exclusion",
                 types=("life_expectancy",))
    c = only(cs, type="life_expectancy")
    assert c["polarity"] == "include" and c["normalized"]["min"] == 1080 and "unless" in c["condition"]


def test_sex_word_starting_a_sentence_about_contraception_is_no_restriction(extract):
    assert extract("Male subjects, if not surgically sterilized, must use contraception", types=("sex",)) == []
    assert only(extract("Female, 18 to 45 years", types=("sex",)), type="sex")["value"] == "female"


@pytest.mark.parametrize("text, value", [("Normal healthy males", "male"), ("Ambulatory male, able to walk 10 meters", "male"),
                                         ("Postmenopausal women with breast cancer", "female")])
def test_sex_restriction_after_adjectives(extract, text, value):
    assert only(extract(text, types=("sex",)), type="sex")["value"] == value


def test_sex_words_in_exclusions_or_pregnancy_sentences_are_not_restrictions(extract):
    assert extract("Pregnant women", "exclusion", types=("sex",)) == []
    assert extract("Women who are pregnant or breastfeeding", types=("sex",)) == []


def test_older_than_is_an_age(extract):
    c = only(extract("Older than 80 years", "exclusion", types=("age",)), type="age")
    assert (c["polarity"], c["min"], c["min_inclusive"]) == ("exclude", 80, False)


def test_age_in_brackets_conditions_a_performance_scale(extract):
    cs = extract("Lansky ≥ 60 (age < 16) or Karnofsky ≥ 60 (age ≥ 16)")
    assert {(c["type"], c.get("scale"), c["condition"]) for c in cs} == {
        ("performance_status", "LPS", "age < 16"), ("performance_status", "KPS", "age ≥ 16")}


@pytest.mark.parametrize("text, bounds", [("ECOG performance status 0,1", (0, 1)), ("ECOG scale 0,1 or 2.", (0, 2)),
                                          ("ECOG ≤2.", (None, 2))])
def test_performance_scores_are_integers_not_decimal_commas(extract, text, bounds):
    c = only(extract(text, types=("performance_status",)), scale="ECOG")
    assert (c["min"], c["max"]) == bounds


@pytest.mark.parametrize("text, bounds", [("Being between the ages of 20-50", (20, 50)), ("70+ years of age", (70, None)),
                                          ("being 60-75 aged", (60, 75))])
def test_more_age_phrasings(extract, text, bounds):
    c = only(extract(text, types=("age",)), type="age")
    assert (c["normalized"]["min"], c["normalized"]["max"]) == bounds


def test_expected_to_live_for(extract):
    c = only(extract("Expected to live for at least 4 months", types=("life_expectancy",)), type="life_expectancy")
    assert c["normalized"]["min"] == 120


@pytest.mark.parametrize("text, bounds", [("Age = 21 years and above", (21, None)), ("Age 16 and greater", (16, None))])
def test_lost_comparator_restated_in_words_after(extract, text, bounds):
    c = only(extract(text, types=("age",)), type="age")
    assert (c["normalized"]["min"], c["normalized"]["max"]) == bounds


def test_bare_equals_is_not_an_age_bound(extract):
    assert extract("Age = 21 years", types=("age",)) == []


def test_sex_followed_by_an_age_phrase_or_judgement(extract):
    assert only(extract("Man older than 40 years", types=("sex",)), type="sex")["value"] == "male"
    assert only(extract("Healthy women judged to be in good health", types=("sex",)), type="sex")["value"] == "female"


def test_age_comparator_with_the_symbol_restated(extract):
    c = only(extract("Age greater than or equal to (>=) 18 years", types=("age",)), type="age")
    assert (c["normalized"]["min"], c["normalized"]["max"]) == (18, None)


def test_age_outside_a_range_written_as_two_bounds(extract):
    cs = extract("Age below 18 years or above 80 years", "exclusion", types=("age",))
    assert {(c["normalized"]["min"], c["normalized"]["max"]) for c in cs} == {(None, 18), (80, None)}


@pytest.mark.parametrize("text", ["Anticipated patient survival under 3 months", "Life expectancy = or < 3 months"])
def test_short_survival_in_exclusions(extract, text):
    c = only(extract(text, "exclusion", types=("life_expectancy",)), type="life_expectancy")
    assert c["normalized"]["max"] == pytest.approx(90) and c["polarity"] == "exclude"


def test_two_scales_with_bracketed_age_groups_share_the_threshold(extract):
    cs = extract("Karnofsky performance scale (KPS) (for > 16 yrs of age) or Lansky performance score (LPS) "
                 "(for =< 16 years of age) => 60", types=("performance_status",))
    assert {(c["scale"], c["min"]) for c in cs} == {("KPS", 60), ("LPS", 60)}


def test_score_in_brackets_after_the_scale_is_still_read(extract):
    c = only(extract("ECOG (0-1)", types=("performance_status",)), scale="ECOG")
    assert (c["min"], c["max"]) == (0, 1)


def test_age_with_the_unit_only_on_the_other_end(extract):
    cs = extract("Younger than 21 or older than 75 years of age", "exclusion", types=("age",))
    assert {(c["normalized"]["min"], c["normalized"]["max"]) for c in cs} == {(None, 21), (75, None)}


def test_and_older_marks_an_age_without_a_unit(extract):
    c = only(extract("Men and women 18 and older", types=("age",)), type="age")
    assert (c["normalized"]["min"], c["normalized"]["max"]) == (18, None)


@pytest.mark.parametrize("text, value", [("Healthy female postmenopausal volunteers", "female"),
                                         ("HIV-1 infected males subjects", "male")])
def test_sex_with_qualifiers_around_it(extract, text, value):
    assert only(extract(text, types=("sex",)), type="sex")["value"] == value
