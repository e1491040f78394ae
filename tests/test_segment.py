"""segment_criteria: sections, markers, nesting, continuations, legacy layout, spans."""
from __future__ import annotations

import time
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from eligex.extractors.model import SourceDocument
from eligex.extractors.readers import read_path
from eligex.extractors.segment import MAX_DEPTH, segment_criteria

HERE = Path(__file__).resolve().parent
FIX = HERE / "fixtures" / "segment"
SAMPLES = HERE.parent / "samples"


def seg(text: str, region: tuple[int, int] | None = None):
    doc = SourceDocument("t.txt", "plain-text", text, criteria_region=region or (0, len(text)))
    crit = segment_criteria(doc)
    for c in crit:
        assert text[c.span[0]:c.span[1]] == c.text
        assert c.text == c.text.strip() and c.text
    return crit


def table(crit):
    return [(c.id, c.parent, c.text) for c in crit]


def fixture(name: str) -> str:
    return (FIX / name).read_bytes().decode("utf-8")


# --------------------------------------------------------------------------- seeds

def test_seed_002_ids_restart_numbering_and_continuations():
    (doc,) = read_path(SAMPLES / "002_a7ae0674209bea1b.txt")
    crit = segment_criteria(doc)
    expected = (
        ["I1", "I1.1", "I1.2", "I2", "I2.1", "I2.2", "I3", "I4", "I4.1", "I4.2"]
        + [f"I{n}" for n in range(5, 14)] + ["I13.1", "I13.2", "I13.3", "I14", "I15", "I15.1", "I15.2"]
        + [f"I{n}" for n in range(16, 20)] + [f"E{n}" for n in range(1, 21)]
    )
    assert [c.id for c in crit] == expected
    by_id = {c.id: c for c in crit}
    assert by_id["I13.1"].parent == "I13" and by_id["I14"].parent is None
    assert by_id["I13.1"].text == "Absolute neutrophil count (ANC) \u2265 1500/mm3 (\u2265 1.5 \u00d7103/\u03bcL)."
    assert by_id["I4.1"].text.endswith("is not considered as a previous targeted agent therapy.")
    assert "Females of childbearing potential must agree" in by_id["I17"].text
    assert by_id["I17"].text.endswith("preferred and usual lifestyle of the subject.")
    assert by_id["I1"].text.startswith("Subjects must have histologically")  # intro sentence skipped
    assert all(c.section == ("inclusion" if c.id[0] == "I" else "exclusion") for c in crit)
    assert all(doc.text[c.span[0]:c.span[1]] == c.text for c in crit)


def test_seed_003_bullets():
    (doc,) = read_path(SAMPLES / "003_8da2837fc106f71e.txt")
    crit = segment_criteria(doc)
    assert [c.id for c in crit] == [f"I{n}" for n in range(1, 8)] + [f"E{n}" for n in range(1, 27)]
    assert crit[0].text == "Signed and dated informed consent"
    assert crit[-1].text.startswith("Serious diseases that endanger")


# --------------------------------------------------------------------------- sections

@pytest.mark.parametrize("heading, section", [
    ("Inclusion Criteria:", "inclusion"),
    ("Key Inclusion Criteria", "inclusion"),
    ("INCLUSION CRITERIA", "inclusion"),
    ("Inclusion criteria -", "inclusion"),
    ("Main inclusion criteria:", "inclusion"),
    ("-  INCLUSION CRITERIA:", "inclusion"),
    ("**Inclusion Criteria:**", "inclusion"),
    ("Inclusion Criteria for Cohort A (adults):", "inclusion"),
    ("Patients may be eligible for this study if they:", "inclusion"),
    ("Exclusion Criteria", "exclusion"),
    ("Key Exclusion Criteria:", "exclusion"),
    ("Exclusion criteria -", "exclusion"),
    ("Main exclusion criteria", "exclusion"),
    ("EXCLUSION:", "exclusion"),
    ("Non-inclusion criteria:", "exclusion"),
    ("You will not be eligible for this study if you:", "exclusion"),
    ("Inclusion/Exclusion Criteria:", "unspecified"),
    ("Eligibility Criteria:", "unspecified"),
])
def test_heading_variants(heading, section):
    crit = seg(f"{heading}\n\n1. Adults aged 18 or over\n2. Written consent\n")
    assert [(c.id[0], c.section) for c in crit] == [(section[0].upper(), section)] * 2
    assert crit[0].text == "Adults aged 18 or over"


def test_items_before_any_heading_are_unspecified():
    crit = seg("- Healthy adult\n- Non-smoker\n\nExclusion Criteria:\n\n- Pregnancy\n")
    assert table(crit) == [("U1", None, "Healthy adult"), ("U2", None, "Non-smoker"), ("E1", None, "Pregnancy")]


def test_intro_sentence_after_heading_is_not_a_criterion():
    crit = seg("Inclusion Criteria\n\nSubjects must meet all of the following criteria to be included in this study:\n\n"
               "1. Age 18 or over\n2. Signed consent\n")
    assert [c.text for c in crit] == ["Age 18 or over", "Signed consent"]


def test_heading_with_inline_content():
    crit = seg("Inclusion Criteria: - Informed consent obtained\n- Age 18 or over\nExclusion: history of stroke\n")
    assert table(crit) == [("I1", None, "Informed consent obtained"), ("I2", None, "Age 18 or over"),
                           ("E1", None, "history of stroke")]


def test_heading_in_the_middle_of_a_flattened_line():
    crit = seg("Inclusion Criteria: - Informed consent\n- Adults 18 years old Exclusion Criteria: - Pregnancy\n"
               "- Subjects who meet the Inclusion Criteria: listed above\n")
    assert table(crit) == [("I1", None, "Informed consent"), ("I2", None, "Adults 18 years old"),
                           ("E1", None, "Pregnancy"),
                           ("E2", None, "Subjects who meet the Inclusion Criteria: listed above")]


def test_heading_followed_by_content_without_a_colon():
    crit = seg("INCLUSION CRITERIA 1. Consent given\n2. Age 12 or over\nExclusion criteria Prior asthma attack\n")
    assert table(crit) == [("I1", None, "Consent given"), ("I2", None, "Age 12 or over"),
                           ("E1", None, "Prior asthma attack")]


def test_unmarked_lines_under_headings_are_one_criterion_each():
    crit = seg("Inclusion Criteria:\nHealthy volunteers\nAge 20-45 years\n\nExclusion Criteria:\nSmokers\n")
    assert table(crit) == [("I1", None, "Healthy volunteers"), ("I2", None, "Age 20-45 years"), ("E1", None, "Smokers")]


# --------------------------------------------------------------------------- markers and nesting

@pytest.mark.parametrize("first, second", [
    ("1.", "2."), ("1)", "2)"), ("(1)", "(2)"), ("a.", "b."), ("a)", "b)"), ("i.", "ii."), ("i)", "ii)"),
    ("\u2022", "\u2022"), ("*", "*"), ("-", "-"), ("\u2013", "\u2013"), ("o", "o"), ("\u00b7", "\u00b7"),
])
def test_markers(first, second):
    crit = seg(f"Inclusion Criteria:\n{first} Age over 18\n{second} Signed consent\n")
    assert table(crit) == [("I1", None, "Age over 18"), ("I2", None, "Signed consent")]


def test_letters_and_roman_numerals_nest_under_numbers():
    crit = seg("1. Adequate organ function:\n   a. ANC > 1.5\n   b. Platelets > 100:\n      i. without transfusion\n"
               "      ii. within 7 days\n   c. Hemoglobin > 9\n2. Consent\n")
    assert [(c.id, c.parent) for c in crit] == [
        ("U1", None), ("U1.1", "U1"), ("U1.2", "U1"), ("U1.2.1", "U1.2"), ("U1.2.2", "U1.2"),
        ("U1.3", "U1"), ("U2", None)]


def test_letter_i_after_h_is_a_letter_not_a_roman_numeral():
    items = "\n".join(f"{ch}. item {ch}" for ch in "abcdefghij")
    crit = seg("1. Any of:\n" + items + "\n2. Next\n")
    assert [c.id for c in crit] == ["U1"] + [f"U1.{n}" for n in range(1, 11)] + ["U2"]


def test_restart_numbering_under_a_parent_then_back_to_the_outer_list():
    text = ("1. Measurable disease:\n\n1. One lesion of 1 cm\n2. Lesions treated before must progress\n"
            "2. Progression within 12 months\n3. Adequate marrow:\n\n1. ANC\n2. Platelets\n3. Hemoglobin\n4. Consent\n")
    assert [(c.id, c.parent) for c in seg(text)] == [
        ("U1", None), ("U1.1", "U1"), ("U1.2", "U1"), ("U2", None), ("U3", None),
        ("U3.1", "U3"), ("U3.2", "U3"), ("U3.3", "U3"), ("U4", None)]


def test_indented_sub_lists_and_markdown_escapes():
    crit = seg(fixture("api_nested.txt"))
    assert [(c.id, c.parent) for c in crit] == [
        ("I1", None), ("I2", None), ("I2.1", "I2"), ("I2.2", "I2"), ("I2.3", "I2"), ("I3", None),
        ("E1", None), ("E2", None), ("E2.1", "E2"), ("E2.2", "E2")]
    i3 = crit[5]
    assert i3.text.startswith("Willingness to comply") and "abstinence\\* from alcohol" in i3.text
    assert i3.text.endswith("\\* Abstinence means no more than 1 drink per week.")  # "\*" is no bullet


def test_duplicate_numbers_get_unique_ids():
    crit = seg("Inclusion Criteria:\n1. A\n2. B\n2. C\n3. D\n")
    assert [c.id for c in crit] == ["I1", "I2", "I3", "I4"]


def test_numbering_continues_across_a_second_heading_of_the_same_section():
    crit = seg("Inclusion Criteria - Donor:\n1. Adult\nInclusion Criteria - Recipient:\n1. Child\n")
    assert [c.id for c in crit] == ["I1", "I2"]


def test_marker_alone_on_its_line_takes_the_next_line():
    crit = seg("Inclusion Criteria:\n-\nAge over 18\n-\n")
    assert table(crit) == [("I1", None, "Age over 18")]


# --------------------------------------------------------------------------- continuations

def test_hard_wrapped_legacy_xml_items_join_and_wrapped_letters_stay_text():
    crit = seg(fixture("hard_wrapped.txt"))
    assert [(c.id, c.parent) for c in crit] == [
        ("I1", None), ("I2", None), ("I2.1", "I2"), ("I2.2", "I2"), ("E1", None), ("E2", None), ("E3", None)]
    assert crit[0].text.endswith("available.") and "\r\n" in crit[0].text
    assert crit[3].text.endswith("limit of normal (ULN)")
    assert crit[4].text.endswith("C) for 2 weeks before enrollment")  # "C)" is not a marker here
    assert crit[6].text == "Patients with any condition that would interfere with study participation."


def test_paragraphs_after_an_item_belong_to_it():
    crit = seg("1. Pregnancy test negative.\n\nFemales must use contraception.\n\n2. Consent\n")
    assert table(crit) == [("U1", None, "Pregnancy test negative.\n\nFemales must use contraception."),
                           ("U2", None, "Consent")]


def test_dedented_paragraph_after_bullets_is_its_own_criterion():
    crit = seg("Exclusion Criteria:\n\n  -  Pregnancy\n\nActive alcohol or drug abuse.\n\n  -  HIV\n")
    assert table(crit) == [("E1", None, "Pregnancy"), ("E2", None, "Active alcohol or drug abuse."), ("E3", None, "HIV")]


# --------------------------------------------------------------------------- legacy layout

def test_legacy_bulleted_layout_with_labels():
    crit = seg(fixture("legacy_bulleted.txt"))
    got = [(c.id, c.parent, c.section, c.label, c.text) for c in crit]
    assert got[:5] == [
        ("U1", None, "unspecified", None, "Histologically confirmed endometrial carcinoma"),
        ("U1.1", "U1", "unspecified", None, "No cervical stroma invasion"),
        ("U2", None, "unspecified", None, "Must have high-risk disease defined as one of the following:"),
        ("U2.1", "U2", "unspecified", None, "Grade 3"),
        ("U2.2", "U2", "unspecified", None, "Serous papillary or clear cell type"),
    ]
    assert [(c.label, c.text) for c in crit[5:]] == [
        ("Age", "18 and over"),
        ("Performance status", "ECOG 0-1"),
        ("Hematopoietic", "Absolute neutrophil count at least 1,500/mm^3"),
        ("Hematopoietic", "Platelet count at least 100,000/mm^3"),
        ("Renal", "Creatinine no greater than 1.5 mg/dL"),
        ("Chemotherapy", "No prior chemotherapy"),
    ]
    assert not any("CHARACTERISTICS" in c.text or c.text.endswith("THERAPY:") for c in crit)


def test_legacy_flattened_layout_splits_at_labels():
    crit = seg(fixture("legacy_flat.txt"))
    assert [(c.label, c.text.replace("\n", " ")) for c in crit] == [
        (None, "Histologically proven advanced myelodysplastic syndrome (MDS), including: Refractory anemia "
               "with excess blasts No acute leukemia"),
        ("Age", "Age: 17 and over"),
        ("Performance status", "Performance Status: ECOG 0-2"),
        ("Life expectancy", "Life Expectancy: Greater than 6 months"),
        ("Hematopoietic", "Hematopoietic: Hemoglobin less than 8.5 g/dL Platelet count less than 70,000/mm3"),
        ("Renal", "Renal: No major renal problems"),
        ("Other", "Other: Not pregnant"),
        ("Biologic therapy", "Biologic therapy: Prior cytokine therapy is allowed"),
        ("Chemotherapy", "Chemotherapy: No prior chemotherapy"),
    ]
    assert {c.section for c in crit} == {"unspecified"}


def test_legacy_label_with_value_on_its_line_is_a_criterion():
    crit = seg("PATIENT CHARACTERISTICS:\n\nAge: 18 and over\n\nPerformance status:\n\n  -  Karnofsky 70-100%\n")
    assert [(c.id, c.label, c.text) for c in crit] == [
        ("U1", "Age", "Age: 18 and over"), ("U2", "Performance status", "Karnofsky 70-100%")]


def test_legacy_layout_under_inclusion_heading_keeps_the_section():
    crit = seg("Inclusion Criteria:\n\nDISEASE CHARACTERISTICS:\n\n  -  Stage IV melanoma\n")
    assert [(c.id, c.section) for c in crit] == [("I1", "inclusion")]


# --------------------------------------------------------------------------- region and robustness

def test_only_the_region_is_segmented():
    text = "Title\n\n- not this\n\nInclusion Criteria:\n- this\n\nSponsors\n- nor this\n"
    start = text.index("Inclusion")
    end = text.index("\n\nSponsors")
    assert table(seg(text, (start, end))) == [("I1", None, "this")]


def test_no_region_means_no_criteria():
    doc = SourceDocument("x", "plain-text", "- a\n- b", criteria_region=None)
    assert segment_criteria(doc) == []


def test_huge_criterion_and_deep_nesting_finish_quickly():
    long_item = "Inclusion Criteria:\n1. " + ("word " * 20000) + "\n2. " + ("x" * 100000) + "\n"
    deep = "".join(" " * (2 * i) + "- level\n" for i in range(3000))
    restarts = "".join(f"{n}. item:\n" for n in range(1, 501)) + "1. x\n" * 3000
    headings = "x " + "word Exclusion Criteria: a " * 20000 + "\n" + "the Inclusion Criteria: " * 20000 + "\n"
    colons = "PATIENT CHARACTERISTICS: " + "a:" * 50000 + " Age: 18\n"
    t0 = time.perf_counter()
    assert [c.id for c in seg(long_item)] == ["I1", "I2"]
    crit = seg(deep)
    assert len(crit) == 3000 and crit[-1].id.count(".") == MAX_DEPTH - 1  # deeper levels flatten
    crit = seg(restarts)
    assert len(crit) == 3500 and crit[-1].id == "U500.3000"
    assert len(seg(headings)) >= 1
    assert [c.label for c in seg(colons)] == [None, "Age"]
    assert time.perf_counter() - t0 < 5


_ALPHABET = st.sampled_from(
    ["\n", "\n\n", "  ", "\t", "\r\n", "1. ", "2) ", "(3) ", "a. ", "ii) ", "- ", "* ", "\\* ", "\u2022 ", "o ",
     "Inclusion Criteria:", "Exclusion Criteria", "DISEASE CHARACTERISTICS:", "Age:", "Renal: ", "following:",
     "word ", "Patients must ", "\u2265 18", "x", ":", ".", "C) ", "\u00a0", "\\<"]
)


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(_ALPHABET, max_size=80), st.integers(0, 50), st.integers(0, 50))
def test_random_criteria_text_never_raises_and_spans_index_the_text(parts, cut_start, cut_end):
    text = "".join(parts)
    start = min(cut_start, len(text))
    end = max(start, len(text) - cut_end)
    doc = SourceDocument("f", "plain-text", text, criteria_region=(start, end))
    crit = segment_criteria(doc)
    ids = set()
    for c in crit:
        assert text[c.span[0]:c.span[1]] == c.text and c.text.strip() == c.text and c.text
        assert start <= c.span[0] < c.span[1] <= end
        assert c.id not in ids and (c.parent is None or c.parent in ids)
        ids.add(c.id)


@settings(max_examples=100, deadline=None)
@given(st.text(max_size=400))
def test_arbitrary_unicode_never_raises(text):
    doc = SourceDocument("f", "plain-text", text, criteria_region=(0, len(text)))
    for c in segment_criteria(doc):
        assert text[c.span[0]:c.span[1]] == c.text
