"""The `eligex` command, in-process through typer's CliRunner: inputs, output shapes, formats.

stdout and stderr are captured separately (`result.stdout` / `result.stderr`), so every test
can check that stdout holds nothing but the requested output.
"""
from __future__ import annotations

import json
import shutil
import zipfile
from pathlib import Path

import pytest

from conftest import invoke, json_lines

HERE = Path(__file__).resolve().parent
FIX = HERE / "fixtures" / "cli"
REPO = HERE.parent
SAMPLES = REPO / "samples"


def criteria_text_of(fixture: str) -> str:
    data = json.loads((FIX / fixture).read_text(encoding="utf-8"))
    return data["protocolSection"]["eligibilityModule"]["eligibilityCriteria"]


# --------------------------------------------------------------------------- one document

def test_single_file_gives_one_indented_object_with_the_contract_fields():
    result = invoke("extract", FIX / "study_v2.json")
    assert result.exit_code == 0, result.stderr
    assert result.stdout.startswith("{\n  \""), "one document: an indented JSON object"
    doc = json.loads(result.stdout)
    assert list(doc) == ["schema_version", "source", "trial", "criteria", "warnings"]
    assert doc["schema_version"] == "1"
    assert doc["source"]["path"] == str(FIX / "study_v2.json")
    assert set(doc["source"]) >= {"path", "format", "text_field", "sha256"}
    assert doc["source"]["text_field"] == "protocolSection.eligibilityModule.eligibilityCriteria"
    assert set(doc["trial"]) >= {"nct_id", "title", "conditions", "interventions", "minimum_age",
                                 "maximum_age", "sex", "healthy_volunteers"}
    assert doc["trial"]["nct_id"] == "NCT09000001"
    ids = [c["id"] for c in doc["criteria"]]
    assert ids[:3] == ["I1", "I2", "I3"] and "E1" in ids and "E2" in ids
    source_text = criteria_text_of("study_v2.json")
    for crit in doc["criteria"]:
        assert set(crit) == {"id", "section", "parent", "text", "span", "constraints"}
        assert crit["section"] in ("inclusion", "exclusion", "unspecified")
        start, end = crit["span"]
        assert source_text[start:end] == crit["text"]
        for k in crit["constraints"]:
            assert {"type", "polarity", "text", "span", "rule"} <= set(k)
            assert source_text[k["span"][0]:k["span"][1]] == k["text"]
    assert isinstance(doc["warnings"], list)


def test_summary_goes_to_stderr_and_quiet_drops_it():
    result = invoke("extract", FIX / "study_v2.json")
    assert "eligex: 1 document" in result.stderr
    assert "criteria" in result.stderr and "errors" not in result.stdout
    quiet = invoke("extract", FIX / "study_v2.json", "--quiet")
    assert quiet.exit_code == 0
    assert quiet.stderr == ""
    assert json.loads(quiet.stdout) == json.loads(result.stdout)


def test_format_jsonl_forces_lines_for_one_document():
    result = invoke("extract", FIX / "study_v2.json", "--format", "jsonl")
    assert result.exit_code == 0, result.stderr
    assert result.stdout.count("\n") == 1
    (doc,) = json_lines(result.stdout)
    assert doc["trial"]["nct_id"] == "NCT09000001"


# --------------------------------------------------------------------------- several documents

def test_several_files_give_json_lines_in_input_order():
    paths = [FIX / "criteria.txt", FIX / "study_v2.json", FIX / "legacy.xml"]
    result = invoke("extract", *paths)
    assert result.exit_code == 0, result.stderr
    docs = json_lines(result.stdout)
    assert [d["source"]["path"] for d in docs] == [str(p) for p in paths]
    assert [d["trial"]["nct_id"] for d in docs[1:]] == ["NCT09000001", "NCT09000002"]
    assert "eligex: 3 documents" in result.stderr


@pytest.mark.parametrize("fmt", [[], ["--format", "json"], ["--format", "jsonl"]])
def test_a_json_lines_file_gives_one_line_per_record_in_order(fmt):
    result = invoke("extract", FIX / "studies.jsonl", *fmt)
    assert result.exit_code == 0, result.stderr
    docs = json_lines(result.stdout)
    assert [d["trial"]["nct_id"] for d in docs] == ["NCT09000011", "NCT09000012", "NCT09000013"]
    assert [d["source"]["row"] for d in docs] == [1, 2, 3]


def test_stdin_dash_reads_one_document():
    result = invoke("extract", "-", input=(FIX / "study_v2.json").read_bytes())
    assert result.exit_code == 0, result.stderr
    doc = json.loads(result.stdout)
    assert doc["source"]["path"] == "<stdin>"
    assert doc["trial"]["nct_id"] == "NCT09000001"


def test_stdin_can_be_mixed_with_files_in_order():
    result = invoke("extract", FIX / "legacy.xml", "-", input=(FIX / "study_v2.json").read_bytes())
    assert result.exit_code == 0, result.stderr
    docs = json_lines(result.stdout)
    assert [d["trial"]["nct_id"] for d in docs] == ["NCT09000002", "NCT09000001"]


def test_glob_is_expanded_by_eligex_in_name_order(tmp_path):
    for name in ("b.json", "a.json"):
        shutil.copy(FIX / "study_v2.json", tmp_path / name)
    shutil.copy(FIX / "criteria.txt", tmp_path / "c.txt")
    result = invoke("extract", str(tmp_path / "*.json"))
    assert result.exit_code == 0, result.stderr
    docs = json_lines(result.stdout)
    assert [Path(d["source"]["path"]).name for d in docs] == ["a.json", "b.json"]


def test_glob_that_matches_nothing_is_an_input_error(tmp_path):
    result = invoke("extract", str(tmp_path / "*.json"))
    assert result.exit_code == 1
    assert result.stdout == ""
    assert result.stderr.startswith("Error: no files match this pattern")


def test_directory_is_searched_recursively_in_name_order_skipping_hidden(tmp_path):
    (tmp_path / "b" / "deeper").mkdir(parents=True)
    (tmp_path / ".cache").mkdir()
    shutil.copy(FIX / "study_v2.json", tmp_path / "a.json")
    shutil.copy(FIX / "legacy.xml", tmp_path / "b" / "deeper" / "x.xml")
    shutil.copy(FIX / "criteria.txt", tmp_path / "b" / "c.txt")
    shutil.copy(FIX / "criteria.txt", tmp_path / "z.txt")
    shutil.copy(FIX / "criteria.txt", tmp_path / ".hidden.txt")
    shutil.copy(FIX / "criteria.txt", tmp_path / ".cache" / "c.txt")
    result = invoke("extract", tmp_path)
    assert result.exit_code == 0, result.stderr
    rel = [Path(d["source"]["path"]).relative_to(tmp_path).as_posix() for d in json_lines(result.stdout)]
    assert rel == ["a.json", "b/c.txt", "b/deeper/x.xml", "z.txt"]


def test_zip_archive_members_are_documents_in_member_order(tmp_path):
    archive = tmp_path / "dump.zip"
    with zipfile.ZipFile(archive, "w", zipfile.ZIP_DEFLATED) as zf:
        zf.writestr("NCT0900xxxx/", "")
        zf.write(FIX / "legacy.xml", "NCT0900xxxx/NCT09000002.xml")
        zf.write(FIX / "study_v2.json", "NCT0900xxxx/NCT09000001.json")
        zf.write(FIX / "studies.jsonl", "more/studies.jsonl")
        zf.writestr("__MACOSX/._junk", b"\0\0")
    result = invoke("extract", archive)
    assert result.exit_code == 0, result.stderr
    docs = json_lines(result.stdout)
    assert [d["trial"]["nct_id"] for d in docs] == [
        "NCT09000002", "NCT09000001", "NCT09000011", "NCT09000012", "NCT09000013"]
    assert docs[0]["source"]["path"] == f"{archive}!/NCT0900xxxx/NCT09000002.xml"
    assert docs[2]["source"]["row"] == 1


def test_zip_archive_without_zip_suffix_is_recognised_by_content(tmp_path):
    archive = tmp_path / "download.bin"
    with zipfile.ZipFile(archive, "w") as zf:
        zf.write(FIX / "study_v2.json", "one.json")
    result = invoke("extract", archive)
    assert result.exit_code == 0, result.stderr
    assert json.loads(result.stdout)["trial"]["nct_id"] == "NCT09000001"


def test_output_file_gets_the_output_and_stdout_stays_empty(tmp_path):
    out = tmp_path / "out.jsonl"
    result = invoke("extract", FIX / "studies.jsonl", FIX / "study_v2.json", "--output", out)
    assert result.exit_code == 0, result.stderr
    assert result.stdout == ""
    docs = json_lines(out.read_text(encoding="utf-8"))
    assert [d["trial"]["nct_id"] for d in docs] == ["NCT09000011", "NCT09000012", "NCT09000013", "NCT09000001"]


def test_output_file_inside_an_input_directory_is_not_read_back(tmp_path):
    shutil.copy(FIX / "study_v2.json", tmp_path / "a.json")
    out = tmp_path / "out.jsonl"
    out.write_text('{"stale": true}\n')
    result = invoke("extract", tmp_path, "-o", out, "--format", "jsonl")
    assert result.exit_code == 0, result.stderr
    docs = json_lines(out.read_text(encoding="utf-8"))
    assert [Path(d["source"]["path"]).name for d in docs] == ["a.json"]


def test_unwritable_output_is_a_usage_error(tmp_path):
    result = invoke("extract", FIX / "study_v2.json", "-o", tmp_path / "no" / "such" / "dir.jsonl")
    assert result.exit_code == 2
    assert result.stderr.startswith("Error: cannot write the output file")
    assert len(result.stderr.strip().splitlines()) == 1


def test_table_format_prints_a_table_on_stdout_not_json():
    result = invoke("extract", FIX / "study_v2.json", "--format", "table")
    assert result.exit_code == 0, result.stderr
    out = result.stdout
    for header in ("criterion", "section", "type", "key", "bounds", "unit", "text"):
        assert header in out
    assert "NCT09000001" in out and "I1" in out and "E1" in out
    with pytest.raises(ValueError):
        json.loads(out)


def test_stdout_holds_only_json_in_a_batch_and_messages_go_to_stderr(tmp_path):
    (tmp_path / "bad.json").write_text('{"protocolSection": {')
    result = invoke("extract", FIX / "study_v2.json", tmp_path / "bad.json", FIX / "legacy.xml", "--progress")
    assert result.exit_code == 1
    docs = json_lines(result.stdout)  # every stdout line parses
    assert len(docs) == 3
    assert "error" in docs[1] and "error" not in docs[0] and "error" not in docs[2]
    assert "eligex: 3 documents" in result.stderr and "1 error" in result.stderr


# --------------------------------------------------------------------------- options, help, version

def test_version():
    result = invoke("--version")
    assert result.exit_code == 0
    assert result.stdout.startswith("eligex 0.1.0")


def test_help_lists_commands_and_each_command_has_an_example():
    top = invoke("--help")
    assert top.exit_code == 0
    assert "extract" in top.stdout and "rules" in top.stdout
    for cmd in (["extract"], ["rules", "list"], ["rules", "check"]):
        result = invoke(*cmd, "--help")
        assert result.exit_code == 0
        assert "Example" in result.stdout, cmd
        assert "eligex " + cmd[0] in result.stdout


def test_format_is_a_choice():
    result = invoke("extract", FIX / "study_v2.json", "--format", "yaml")
    assert result.exit_code == 2
    assert result.stdout == ""


def test_resume_without_output_is_a_usage_error():
    result = invoke("extract", FIX / "study_v2.json", "--resume")
    assert result.exit_code == 2
    assert result.stderr.startswith("Error: --resume needs --output FILE")


# --------------------------------------------------------------------------- rule packs

def test_broken_rule_pack_passed_with_rules_exits_2_naming_the_file():
    result = invoke("extract", FIX / "study_v2.json", "--rules", FIX / "bad_pack")
    assert result.exit_code == 2
    assert result.stdout == ""
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("Error: ")
    assert str(FIX / "bad_pack" / "broken.yaml") in lines[0]
    assert "line" in lines[0]
    assert "Traceback" not in result.stderr


def test_rules_check_reports_the_broken_pack():
    result = invoke("rules", "check", FIX / "bad_pack")
    assert result.exit_code == 2
    assert "broken.yaml" in result.stderr and result.stderr.startswith("Error: ")


def test_rules_check_accepts_a_valid_pack(tmp_path):
    (tmp_path / "extra.yaml").write_text(
        "therapies:\n  - id: radioligand_therapy\n    names: [radioligand therapy, PRRT]\n", encoding="utf-8")
    result = invoke("rules", "check", tmp_path)
    assert result.exit_code == 0, result.stderr
    assert "extra.yaml" in result.stdout and "radioligand_therapy" in result.stdout


def test_rules_list_shows_builtin_packs_as_json_and_table(tmp_path):
    as_json = invoke("rules", "list", "--json")
    assert as_json.exit_code == 0, as_json.stderr
    packs = json.loads(as_json.stdout)
    names = {p["name"] for p in packs}
    assert {"labs", "therapies"} <= names
    assert all(p["builtin"] for p in packs)
    table = invoke("rules", "list")
    assert table.exit_code == 0
    assert "labs" in table.stdout and "built-in" in table.stdout
    (tmp_path / "extra.yaml").write_text("therapies:\n  - id: radioligand_therapy\n    names: [PRRT]\n")
    with_user = json.loads(invoke("rules", "list", "--rules", tmp_path, "--json").stdout)
    assert with_user[-1]["name"] == "extra" and with_user[-1]["builtin"] is False


def test_rules_dir_that_does_not_exist_is_a_usage_error(tmp_path):
    result = invoke("extract", FIX / "study_v2.json", "--rules", tmp_path / "nope")
    assert result.exit_code == 2
    assert result.stdout == ""


def test_the_installed_package_has_every_subpackage_of_the_source_tree():
    """`pip install .` must ship every package directory (CI installs non-editable)."""
    import importlib

    missing = []
    for top in ("cli", "extractors", "rules"):
        for init in sorted((REPO / top).rglob("__init__.py")):
            rel = init.parent.relative_to(REPO).parts
            name = ".".join(("eligex",) + rel)
            try:
                importlib.import_module(name)
            except ModuleNotFoundError as exc:
                missing.append(f"{name} ({exc})")
    assert not missing, "not installed (add to [tool.setuptools] packages in pyproject.toml): " + ", ".join(missing)
