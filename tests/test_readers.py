"""Readers: each format, detection by content, bad inputs, streaming of multi-record files."""
from __future__ import annotations

import gzip
import hashlib
import json
import shutil
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from eligex.extractors.errors import InputError, LimitError, UnknownFormatError
from eligex.extractors.model import ReadFailure, SourceDocument
from eligex.extractors.readers import read_bytes, read_path
from eligex.extractors.segment import segment_criteria

HERE = Path(__file__).resolve().parent
FIX = HERE / "fixtures" / "readers"
SAMPLES = HERE.parent / "samples"


def docs_of(path) -> list[SourceDocument | ReadFailure]:
    return list(read_path(Path(path)))


def one(path) -> SourceDocument:
    (doc,) = docs_of(path)
    assert isinstance(doc, SourceDocument)
    return doc


def ids(doc: SourceDocument) -> list[str]:
    return [c.id for c in segment_criteria(doc)]


# --------------------------------------------------------------------------- ctgov-json

def test_api_v2_single_study():
    doc = one(FIX / "study_v2.json")
    assert doc.format == "ctgov-json"
    assert doc.text_field == "protocolSection.eligibilityModule.eligibilityCriteria"
    assert doc.text.startswith("Inclusion Criteria:\n\n* Age \u2265 18 years")
    assert doc.criteria_region == (0, len(doc.text))
    assert doc.sha256 == hashlib.sha256((FIX / "study_v2.json").read_bytes()).hexdigest()
    assert doc.trial.to_dict() == {
        "nct_id": "NCT09000001",
        "title": "Drug X in Solid Tumours",
        "conditions": ["Solid Tumor", "Lymphoma"],
        "interventions": [{"type": "DRUG", "name": "Drug X"}, {"type": "RADIATION", "name": "Radiotherapy"}],
        "minimum_age": {"value": 18, "unit": "year"},
        "maximum_age": {"value": 75, "unit": "year"},
        "sex": "female",
        "healthy_volunteers": False,
    }
    assert ids(doc) == ["I1", "I2", "E1", "E2"]


def test_api_v2_page_of_studies_and_a_study_without_eligibility_module():
    first, second = docs_of(FIX / "studies_page.json")
    assert (first.format, first.trial.nct_id, first.row) == ("ctgov-json", "NCT09000002", 1)
    assert first.trial.minimum_age == {"value": 6, "unit": "month"}
    assert first.trial.sex == "all" and first.trial.healthy_volunteers is True
    assert second.trial.nct_id == "NCT09000003"
    assert second.text == "" and second.criteria_region is None
    assert segment_criteria(second) == []


def test_raw_api_fixtures_without_eligibility_module_are_documents_not_errors():
    raw = HERE.parent.parent / "shared" / "corpus" / "raw" / "api_v2_json"
    if not raw.exists():
        pytest.skip("shared corpus not present")
    for name in ("NCT00465816.json", "NCT03453554.json"):
        doc = one(raw / name)
        assert doc.format == "ctgov-json" and doc.criteria_region is None
        assert doc.trial.nct_id == name[:-5]


def test_api_v2_json_lines_stream_with_a_failure_in_place_of_a_bad_line():
    items = docs_of(FIX / "studies.jsonl")
    assert [type(i).__name__ for i in items] == ["SourceDocument", "ReadFailure", "SourceDocument", "ReadFailure"]
    ok1, bad, ok2, unknown = items
    assert (ok1.trial.nct_id, ok1.row, ok1.trial.sex) == ("NCT09000004", 1, "male")
    assert (ok2.trial.nct_id, ok2.row) == ("NCT09000006", 4)
    assert bad.row == 3 and bad.kind == "invalid_json" and "line 3" in bad.message
    assert "truncated" in bad.message
    assert unknown.row == 5 and unknown.kind == "unknown_format"
    line1 = (FIX / "studies.jsonl").read_bytes().split(b"\n")[0]
    assert ok1.sha256 == hashlib.sha256(line1).hexdigest()


def test_json_lines_are_read_lazily(tmp_path):
    path = tmp_path / "many.jsonl"
    line = json.dumps({"protocolSection": {"identificationModule": {"nctId": "NCT09999999"}}})
    path.write_text((line + "\n") * 50)
    reader = read_path(path)
    first = next(reader)
    assert first.row == 1  # a generator: records come one by one
    assert sum(1 for _ in reader) == 49


# --------------------------------------------------------------------------- corpus-jsonl

def test_corpus_record_shape():
    a, b = docs_of(FIX / "corpus.jsonl")
    assert (a.format, a.text_field, a.row) == ("corpus-jsonl", "eligibility_criteria", 1)
    assert a.trial.nct_id == "NCT09000007" and a.trial.conditions == ["Asthma"]
    assert a.trial.sex == "all" and a.trial.healthy_volunteers is False
    assert a.trial.minimum_age == {"value": 18, "unit": "year"} and a.trial.maximum_age is None
    assert ids(a) == ["I1", "E1"]
    assert b.text == "" and b.criteria_region is None and b.trial.maximum_age == {"value": 65, "unit": "year"}


def test_gzipped_corpus_lines_are_read_through(tmp_path):
    gz = tmp_path / "corpus.jsonl.gz"
    gz.write_bytes(gzip.compress((FIX / "corpus.jsonl").read_bytes()))
    assert [d.trial.nct_id for d in docs_of(gz)] == ["NCT09000007", "NCT09000008"]


# --------------------------------------------------------------------------- ctgov-xml

def test_legacy_xml():
    doc = one(FIX / "legacy.xml")
    assert (doc.format, doc.text_field) == ("ctgov-xml", "eligibility/criteria/textblock")
    assert "\r\n" in doc.text  # &#xD; stays as the parser decodes it
    assert doc.trial.to_dict() == {
        "nct_id": "NCT09000009",
        "title": "Legacy & Wrapped",
        "conditions": ["Glioma", "Astrocytoma"],
        "interventions": [{"type": "DRUG", "name": "Temozolomide"}],
        "minimum_age": {"value": 18, "unit": "year"},
        "maximum_age": None,
        "sex": "male",
        "healthy_volunteers": False,
    }
    crit = segment_criteria(doc)
    assert [c.id for c in crit] == ["I1", "I2", "E1"]
    assert crit[0].text.startswith("Histologically") and crit[0].text.endswith("registration")
    assert crit[1].text == "Creatinine < 1.5 mg/dL"


# --------------------------------------------------------------------------- ctgov-csv-row

def test_ctgov_csv_export_rows():
    a, b = docs_of(FIX / "export.csv")
    assert (a.format, a.text_field, a.row) == ("ctgov-csv-row", "Eligibility Criteria", 1)
    assert a.trial.nct_id == "NCT09000010" and a.trial.title == "Pembro plus Lenva"
    assert a.trial.conditions == ["Prostate Cancer", "Neuroendocrine Tumors"]
    assert a.trial.interventions == [{"type": "DRUG", "name": "Pembrolizumab"}, {"type": "DRUG", "name": "Lenvatinib"}]
    assert a.trial.sex == "male" and a.trial.minimum_age == {"value": 18, "unit": "year"}
    assert ids(a) == ["I1", "I2", "E1"]
    assert b.row == 2 and b.trial.maximum_age == {"value": 64, "unit": "year"}
    assert ids(b) == ["U1", "U2"]


def test_criteria_only_csv_hint_style():
    doc = one(FIX / "hint.csv")
    assert doc.text_field == "criteria" and doc.trial.nct_id == "NCT09000012"
    assert doc.trial.conditions == ["lung cancer", "nsclc"]
    assert doc.trial.interventions == [{"type": "DRUG", "name": "anlotinib"}]
    assert ids(doc) == ["I1", "E1"]


def test_csv_row_hash_is_of_the_row_bytes(tmp_path):
    path = tmp_path / "two.csv"
    path.write_bytes(b"nct_id,criteria\r\nNCT09000020,- Adults\r\nNCT09000021,- Children\r\n")
    a, b = docs_of(path)
    assert a.sha256 == hashlib.sha256(b"NCT09000020,- Adults").hexdigest()
    assert b.row == 2 and b.text == "- Children"


def test_csv_without_criteria_or_nct_column_is_unknown_format(tmp_path):
    path = tmp_path / "other.csv"
    path.write_text("name,amount\nx,1\n")
    with pytest.raises(UnknownFormatError, match="CSV without a criteria or NCT column"):
        docs_of(path)


# --------------------------------------------------------------------------- text pages

def test_ctgov_page_seed_002():
    doc = one(SAMPLES / "002_a7ae0674209bea1b.txt")
    assert doc.format == "ctgov-page" and doc.text_field is None
    assert doc.trial.nct_id == "NCT02678780"
    assert doc.trial.title == "Lenvatinib Efficacy in Metastatic Neuroendocrine Tumors"
    assert doc.trial.conditions == ["Neuroendocrine Tumors"]
    assert doc.trial.interventions == [{"type": "DRUG", "name": "Lenvatinib"}]
    assert doc.trial.minimum_age == {"value": 18, "unit": "year"} and doc.trial.maximum_age is None
    assert doc.trial.sex == "all" and doc.trial.healthy_volunteers is False
    start, end = doc.criteria_region
    assert doc.text[start:].startswith("Inclusion Criteria\n")
    assert doc.text[:end].endswith("non-compliance with medical regimens.")


def test_medpath_page_seed_003():
    doc = one(SAMPLES / "003_8da2837fc106f71e.txt")
    assert doc.format == "medpath-page"
    assert doc.trial.nct_id == "NCT05460481"
    assert doc.trial.title.startswith("Anlotinib Plus Penpulimab")
    assert doc.trial.sex == "all" and doc.trial.conditions == ["Non Small Cell Lung Cancer"]
    start, end = doc.criteria_region
    assert doc.text[start:].startswith("Inclusion Criteria\n")
    assert doc.text[:end].endswith("according to the researchers' judgment")


@pytest.mark.parametrize("seed", ["000_83e92199ae384f7c.txt", "001_cc44998701ac3b9b.txt"])
def test_exported_record_text_has_no_criteria(seed):
    doc = one(SAMPLES / seed)
    assert doc.format == "ctgov-record-text" and doc.criteria_region is None
    assert doc.trial.interventions == [{"type": "DRUG", "name": "Pembrolizumab"}, {"type": "DRUG", "name": "Lenvatinib"}]
    assert doc.trial.title.startswith(("Pembrolizumab and Lenvatinib", "Phase II Study"))
    assert "Neuroendocrine Tumors" in doc.trial.conditions


def test_journal_abstract_plain_text_has_no_criteria():
    doc = one(SAMPLES / "004_aa294129298f0e62.txt")
    assert doc.format == "plain-text" and doc.criteria_region is None
    assert segment_criteria(doc) == []


def test_plain_text_with_headings_region_starts_at_the_heading():
    text = "Protocol 12 summary\n\nInclusion Criteria:\n- Adults\n\nExclusion Criteria:\n- Pregnancy\n"
    (doc,) = read_bytes(text.encode(), "criteria.txt")
    assert doc.format == "plain-text"
    assert doc.text[doc.criteria_region[0]:doc.criteria_region[1]] == text[text.index("Inclusion"):].rstrip()
    assert ids(doc) == ["I1", "E1"]


def test_plain_text_criteria_list_without_headings_is_the_whole_text():
    text = "1. Age 18 years or older\n2. Histologically confirmed diagnosis\n3. No prior chemotherapy\n"
    (doc,) = read_bytes(text.encode(), "list.txt")
    assert doc.criteria_region == (0, len(text.rstrip()))
    assert ids(doc) == ["U1", "U2", "U3"]


def test_plain_prose_with_a_short_list_is_not_criteria():
    text = ("We enrolled forty patients in a retrospective cohort and report outcomes below.\n"
            "The aims were:\n* describe response\n* describe toxicity\n"
            "Results were consistent with prior reports and the discussion follows at length here.\n"
            "Further work is planned in a prospective setting with longer follow-up time.\n")
    (doc,) = read_bytes(text.encode(), "abstract.txt")
    assert doc.criteria_region is None


# --------------------------------------------------------------------------- detection by content

def test_api_json_in_a_txt_file_is_read_as_json(tmp_path):
    path = tmp_path / "study.txt"
    shutil.copy(FIX / "study_v2.json", path)
    assert one(path).format == "ctgov-json"


def test_xml_in_a_dat_file_and_csv_in_a_txt_file(tmp_path):
    xml = tmp_path / "record.dat"
    shutil.copy(FIX / "legacy.xml", xml)
    assert one(xml).format == "ctgov-xml"
    csvfile = tmp_path / "rows.txt"
    shutil.copy(FIX / "hint.csv", csvfile)
    assert one(csvfile).format == "ctgov-csv-row"


def test_read_bytes_detects_like_read_path():
    data = (FIX / "legacy.xml").read_bytes()
    (doc,) = read_bytes(data, "<stdin>")
    assert doc.format == "ctgov-xml" and doc.path == "<stdin>"
    assert doc.sha256 == hashlib.sha256(data).hexdigest()


# --------------------------------------------------------------------------- bad inputs

def test_missing_file(tmp_path):
    with pytest.raises(InputError, match=r"nope\.json: no such file: check the path"):
        docs_of(tmp_path / "nope.json")


def test_directory(tmp_path):
    with pytest.raises(InputError, match="is a directory"):
        docs_of(tmp_path)


def test_binary_file(tmp_path):
    path = tmp_path / "image.json"
    path.write_bytes(bytes(range(256)) * 8)
    with pytest.raises(InputError, match=r"image\.json: binary file"):
        docs_of(path)


def test_empty_and_whitespace_only_files(tmp_path):
    empty = tmp_path / "empty.txt"
    empty.write_bytes(b"")
    with pytest.raises(InputError, match=r"empty\.txt: empty file"):
        docs_of(empty)
    blank = tmp_path / "blank.json"
    blank.write_bytes(b"  \n\n ")
    with pytest.raises(InputError, match=r"blank\.json: empty file \(only whitespace\)"):
        docs_of(blank)


def test_truncated_json_names_file_line_and_column():
    with pytest.raises(InputError) as exc:
        docs_of(FIX / "truncated.json")
    msg = str(exc.value)
    assert msg.startswith(str(FIX / "truncated.json") + ": truncated JSON (line 1, column ")
    assert msg.endswith("the file may be an incomplete download")
    assert "\n" not in msg


def test_pretty_printed_truncated_json(tmp_path):
    path = tmp_path / "cut.json"
    path.write_text((FIX / "study_v2.json").read_text()[:400])
    with pytest.raises(InputError, match=r"cut\.json: truncated JSON \(line \d+, column \d+\)"):
        docs_of(path)


def test_invalid_json_that_is_not_truncated(tmp_path):
    path = tmp_path / "bad.json"
    path.write_text('{"protocolSection": {,}}\n')
    with pytest.raises(InputError, match=r"bad\.json: invalid JSON \(line 1, column 22\)"):
        docs_of(path)


def test_broken_xml_names_file_and_line():
    with pytest.raises(InputError, match=r"broken\.xml: broken XML \(line 4, column \d+\): mismatched tag"):
        docs_of(FIX / "broken.xml")


def test_json_of_another_kind_is_unknown_format(tmp_path):
    path = tmp_path / "invoice.json"
    path.write_text('{"kind": "invoice", "amount": 12.5}')
    with pytest.raises(UnknownFormatError, match=r"invoice\.json: unknown JSON format"):
        docs_of(path)


def test_xml_of_another_kind_is_unknown_format(tmp_path):
    path = tmp_path / "feed.xml"
    path.write_text("<rss><channel/></rss>")
    with pytest.raises(UnknownFormatError, match=r"<rss> is not a ClinicalTrials.gov"):
        docs_of(path)


def test_too_large_single_document_is_a_limit_error(tmp_path, monkeypatch):
    from eligex.extractors import decoding

    monkeypatch.setattr(decoding, "MAX_DOCUMENT_BYTES", 1000)
    path = tmp_path / "big.txt"
    path.write_text("Inclusion Criteria:\n" + "- item\n" * 500)
    with pytest.raises(LimitError, match=r"big\.txt: document too large"):
        docs_of(path)


# --------------------------------------------------------------------------- containers, limits, fuzz

def test_zip_members_are_read_as_documents(tmp_path):
    import zipfile

    path = tmp_path / "batch.zip"
    with zipfile.ZipFile(path, "w") as zf:
        zf.write(FIX / "study_v2.json", "a/study.json")
        zf.write(FIX / "legacy.xml", "b/legacy.xml")
    docs = docs_of(path)
    assert [(d.path, d.format) for d in docs] == [
        (f"{path}:a/study.json", "ctgov-json"), (f"{path}:b/legacy.xml", "ctgov-xml")]


def test_truncated_gzip_is_an_input_error(tmp_path):
    path = tmp_path / "cut.jsonl.gz"
    path.write_bytes(gzip.compress((FIX / "corpus.jsonl").read_bytes())[:-12])
    with pytest.raises(InputError, match=r"cut\.jsonl\.gz: corrupt or truncated gzip data"):
        docs_of(path)


def test_utf16_json_is_detected_by_content(tmp_path):
    path = tmp_path / "wide.json"
    path.write_bytes((FIX / "study_v2.json").read_text(encoding="utf-8").encode("utf-16"))
    doc = one(path)
    assert doc.format == "ctgov-json" and doc.trial.nct_id == "NCT09000001"


def test_oversized_json_line_is_a_failure_record_and_reading_goes_on(tmp_path, monkeypatch):
    import eligex.extractors.readers as readers

    monkeypatch.setattr(readers, "MAX_DOCUMENT_BYTES", 300)
    lines = (FIX / "corpus.jsonl").read_text().splitlines()
    big = json.dumps({"nct_id": "NCT09000099", "eligibility_criteria": "x" * 1000})
    path = tmp_path / "big.jsonl"
    path.write_text("\n".join([lines[1], big, lines[1]]) + "\n")
    items = docs_of(path)
    assert [type(i).__name__ for i in items] == ["SourceDocument", "ReadFailure", "SourceDocument"]
    assert items[1].kind == "limit_exceeded" and items[1].row == 2 and items[2].row == 3


@settings(max_examples=200, deadline=None)
@given(st.binary(max_size=300) | st.text(max_size=300).map(lambda t: t.encode("utf-8")))
def test_any_bytes_give_documents_failures_or_an_input_error(data):
    try:
        items = list(read_bytes(data, "fuzz.bin"))
    except InputError as exc:  # includes UnknownFormatError, LimitError
        assert "\n" not in str(exc) and str(exc).startswith("fuzz.bin")
        return
    for item in items:
        if isinstance(item, SourceDocument):
            if item.criteria_region is not None:
                start, end = item.criteria_region
                assert 0 <= start < end <= len(item.text)
            for c in segment_criteria(item):
                assert item.text[c.span[0]:c.span[1]] == c.text
        else:
            assert isinstance(item, ReadFailure)
