"""Bad input never crashes eligex (issue 5): one clear line for a single bad input, error
records in a batch, internal errors contained, pathological inputs bounded."""
from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import time
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from conftest import invoke, json_lines
from eligex.cli import batch as batch_mod

HERE = Path(__file__).resolve().parent
FIX = HERE / "fixtures" / "cli"
SAMPLES = HERE.parent / "samples"


def assert_one_error_line(result, path: str | None, exit_code: int = 1) -> str:
    assert result.exit_code == exit_code, (result.stdout, result.stderr)
    assert result.stdout == ""
    assert "Traceback" not in result.stderr
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1, result.stderr
    line = lines[0]
    assert line.startswith("Error: ")
    if path:
        assert path in line
    assert line.rstrip().endswith("."), "the line ends with what to do"
    return line


# --------------------------------------------------------------------------- single bad input

def test_missing_path_is_one_line_exit_1(tmp_path):
    missing = tmp_path / "nope.json"
    line = assert_one_error_line(invoke("extract", missing), str(missing))
    assert "no such file" in line and "Check the path" in line


def _bad_inputs(tmp: Path) -> dict[str, Path]:
    paths = {
        "binary": tmp / "image.json",
        "empty": tmp / "empty.txt",
        "truncated_json": tmp / "truncated.json",
        "broken_xml": tmp / "broken.xml",
        "unknown_json": tmp / "other.json",
    }
    paths["binary"].write_bytes(bytes(range(256)) * 8 + b"\x00\x00\xff\xfe")
    paths["empty"].write_bytes(b"")
    shutil.copy(FIX / "truncated.json", paths["truncated_json"])
    shutil.copy(FIX / "broken.xml", paths["broken_xml"])
    paths["unknown_json"].write_text('{"kind": "invoice", "amount": 12.5}')
    return paths


@pytest.mark.parametrize("case", ["binary", "empty", "truncated_json", "broken_xml", "unknown_json"])
def test_single_bad_input_is_one_line_exit_1_no_traceback(tmp_path, case):
    path = _bad_inputs(tmp_path)[case]
    assert_one_error_line(invoke("extract", path), str(path))


@pytest.mark.parametrize("case", ["binary", "empty", "truncated_json", "broken_xml", "unknown_json"])
def test_single_bad_input_on_stdin_is_one_line_exit_1(tmp_path, case):
    data = _bad_inputs(tmp_path)[case].read_bytes()
    assert_one_error_line(invoke("extract", "-", input=data), "<stdin>")


def test_unreadable_file_is_one_line_exit_1(tmp_path):
    if os.geteuid() == 0:
        pytest.skip("root can read anything")
    path = tmp_path / "secret.json"
    shutil.copy(FIX / "study_v2.json", path)
    path.chmod(0)
    assert_one_error_line(invoke("extract", path), str(path))


def test_debug_shows_the_traceback_of_an_internal_error(monkeypatch):
    from eligex.extractors.pipeline import Extractor

    def boom(self, doc):
        raise RuntimeError("synthetic failure")

    monkeypatch.setattr(Extractor, "extract", boom)
    plain = invoke("extract", FIX / "study_v2.json")
    line = assert_one_error_line(plain, str(FIX / "study_v2.json"))
    assert "internal" in line.lower() or "bug" in line
    debug = invoke("extract", FIX / "study_v2.json", "--debug")
    assert debug.exit_code == 1
    assert "Traceback" in debug.stderr and "synthetic failure" in debug.stderr
    assert debug.stdout == ""


# --------------------------------------------------------------------------- batches

def _mixed_folder(tmp: Path) -> Path:
    folder = tmp / "mixed"
    folder.mkdir()
    for name in ("study_v2.json", "legacy.xml", "criteria.txt"):
        shutil.copy(FIX / name, folder / name)
    shutil.copy(SAMPLES / "NCT02552212.json", folder / "NCT02552212.json")
    shutil.copy(SAMPLES / "NCT01339988.xml", folder / "NCT01339988.xml")
    (folder / "photo.jpg").write_bytes(b"\xff\xd8\xff\xe0\x00\x10JFIF\x00" + bytes(range(256)) * 4)
    shutil.copy(FIX / "truncated.json", folder / "truncated.json")
    shutil.copy(FIX / "broken.xml", folder / "broken.xml")
    return folder


def test_mixed_folder_gives_5_results_3_error_records_exit_1(tmp_path):
    folder = _mixed_folder(tmp_path)
    result = invoke("extract", folder)
    assert result.exit_code == 1
    assert "Traceback" not in result.stderr
    docs = json_lines(result.stdout)
    names = [Path(d["source"]["path"]).name for d in docs]
    assert names == sorted(names) and len(docs) == 8  # one line per file, in name order
    errors = {Path(d["source"]["path"]).name: d["error"] for d in docs if "error" in d}
    assert set(errors) == {"photo.jpg", "truncated.json", "broken.xml"}
    for err in errors.values():
        assert set(err) == {"type", "message"} and err["type"] and err["message"]
    good = [d for d in docs if "error" not in d]
    assert len(good) == 5 and all(d["schema_version"] == "1" for d in good)
    summary = result.stderr.strip().splitlines()[-1]
    assert "8 documents" in summary and "3 errors" in summary


def test_error_record_shape_for_missing_path_in_a_batch(tmp_path):
    missing = tmp_path / "gone.xml"
    result = invoke("extract", FIX / "study_v2.json", missing)
    assert result.exit_code == 1
    docs = json_lines(result.stdout)
    assert docs[1] == {"source": {"path": str(missing), "format": None},
                       "error": {"type": "not_found", "message": "no such file or directory"}}


def test_extraction_exception_becomes_internal_error_record_and_batch_goes_on(monkeypatch):
    from eligex.extractors.pipeline import Extractor

    real = Extractor.extract

    def flaky(self, doc):
        if doc.trial.nct_id == "NCT09000012":
            raise ZeroDivisionError("division by zero in a synthetic extractor")
        return real(self, doc)

    monkeypatch.setattr(Extractor, "extract", flaky)
    result = invoke("extract", FIX / "studies.jsonl")
    assert result.exit_code == 1
    assert "Traceback" not in result.stderr
    docs = json_lines(result.stdout)
    assert len(docs) == 3
    assert docs[0]["trial"]["nct_id"] == "NCT09000011"
    assert docs[1]["error"]["type"] == "internal_error"
    assert "ZeroDivisionError" in docs[1]["error"]["message"]
    assert docs[1]["source"]["row"] == 2
    assert docs[2]["trial"]["nct_id"] == "NCT09000013"
    assert "1 error" in result.stderr


def test_reader_exception_becomes_an_error_record(monkeypatch, tmp_path):
    from eligex.extractors import readers

    real = readers.read_path

    def flaky(path):
        if path.name == "b.json":
            raise KeyError("synthetic reader bug")
        return real(path)

    monkeypatch.setattr(readers, "read_path", flaky)
    for name in ("a.json", "b.json", "c.json"):
        shutil.copy(FIX / "study_v2.json", tmp_path / name)
    result = invoke("extract", tmp_path)
    assert result.exit_code == 1
    docs = json_lines(result.stdout)
    assert [Path(d["source"]["path"]).name for d in docs] == ["a.json", "b.json", "c.json"]
    assert docs[1]["error"]["type"] == "internal_error" and "KeyError" in docs[1]["error"]["message"]


def test_a_document_that_takes_too_long_is_abandoned_with_an_error_record(monkeypatch):
    from eligex.extractors.pipeline import Extractor

    real = Extractor.extract

    def slow(self, doc):
        if doc.trial.nct_id == "NCT09000011":
            deadline = time.monotonic() + 30
            while time.monotonic() < deadline:  # busy: the alarm must interrupt Python code
                pass
        return real(self, doc)

    monkeypatch.setattr(Extractor, "extract", slow)
    monkeypatch.setattr(batch_mod, "DOC_TIME_LIMIT_S", 0.5)
    started = time.monotonic()
    result = invoke("extract", FIX / "studies.jsonl")
    assert time.monotonic() - started < 20
    assert result.exit_code == 1
    docs = json_lines(result.stdout)
    assert docs[0]["error"]["type"] == "limit_exceeded"
    assert "0.5 s" in docs[0]["error"]["message"]
    assert [d["trial"]["nct_id"] for d in docs[1:]] == ["NCT09000012", "NCT09000013"]


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(data=st.one_of(
    st.binary(max_size=400),
    st.text(max_size=400).map(lambda s: s.encode("utf-8")),
    st.sampled_from([b"Inclusion Criteria:\n", b"<clinical_study>", b'{"protocolSection":', b"\xef\xbb\xbf"]).flatmap(
        lambda head: st.text(max_size=300).map(lambda s: head + s.encode("utf-8", "surrogatepass")))))
def test_any_bytes_give_a_json_record_never_an_exception(data):
    """Random and mutated input through the CLI's read → extract → serialise path."""
    from eligex.cli.inputs import guarded
    from eligex.extractors import readers
    from eligex.extractors.pipeline import Extractor

    extractor = _shared_extractor(Extractor)
    items = list(guarded(readers.read_bytes(data, "fuzz.txt"), "fuzz.txt"))
    assert items, "every input gives a document or a failure"
    for item in items:
        outcome = batch_mod.outcome_for(extractor, item)
        record = json.loads(outcome.line)
        assert ("error" in record) == (outcome.error is not None)
        if outcome.error and outcome.error[0] == "internal_error":
            pytest.fail(f"internal error on {data!r}: {record['error']['message']}")


_EXTRACTOR = []


def _shared_extractor(cls):
    if not _EXTRACTOR:
        _EXTRACTOR.append(cls([]))
    return _EXTRACTOR[0]


# --------------------------------------------------------------------------- limits

def _run_bounded(args: list[str], timeout: float, tmp: Path) -> tuple[subprocess.CompletedProcess, float, float]:
    """Run eligex as a process; (result, seconds, peak MB of that process)."""
    cmd = [sys.executable, "-m", "eligex.cli", *args]
    t0 = time.monotonic()
    with open(tmp / "stdout", "wb") as out, open(tmp / "stderr", "wb") as err:
        proc = subprocess.Popen(cmd, stdout=out, stderr=err)
        while True:
            pid, status, usage = os.wait4(proc.pid, os.WNOHANG)
            if pid:
                break
            if time.monotonic() - t0 > timeout:
                proc.kill()
                os.wait4(proc.pid, 0)
                pytest.fail(f"eligex did not finish in {timeout} s: {args}")
            time.sleep(0.05)
    proc.returncode = os.waitstatus_to_exitcode(status)
    secs = time.monotonic() - t0
    peak_mb = usage.ru_maxrss / 1024
    result = subprocess.CompletedProcess(cmd, proc.returncode, (tmp / "stdout").read_bytes(),
                                         (tmp / "stderr").read_bytes())
    return result, secs, peak_mb


def test_a_50_mb_text_file_finishes_or_is_refused_clearly_in_bounded_time_and_memory(tmp_path):
    big = tmp_path / "huge.txt"
    line = b"- Serum creatinine <= 1.5 x ULN and platelets >= 100,000/mm3 within 14 days of enrollment\n"
    with open(big, "wb") as fh:
        fh.write(b"Inclusion Criteria:\n")
        for _ in range(50 * 1024 * 1024 // len(line)):
            fh.write(line)
    out = tmp_path / "out.json"
    result, secs, peak_mb = _run_bounded(["extract", str(big), "-o", str(out), "--quiet"], 300, tmp_path)
    stderr = result.stderr.decode()
    assert "Traceback" not in stderr
    if result.returncode == 0:
        json.loads(out.read_text(encoding="utf-8"))
    else:
        assert result.returncode == 1
        lines = stderr.strip().splitlines()
        assert len(lines) == 1 and lines[0].startswith("Error: ") and str(big) in lines[0]
    print(f"50 MB text file: exit {result.returncode} in {secs:.1f} s, peak {peak_mb:.0f} MB")
    assert peak_mb < 2048


def test_a_100000_character_criterion_finishes(tmp_path):
    words = ("patients with adequate organ function defined as hemoglobin >= 9 g/dL and "
             "creatinine clearance >= 60 mL/min ")
    text = "Inclusion Criteria:\n1. " + (words * (100_000 // len(words) + 1))[:100_000] + "\n2. Age >= 18 years\n"
    path = tmp_path / "long.txt"
    path.write_text(text, encoding="utf-8")
    t0 = time.monotonic()
    result = invoke("extract", path, "--quiet")
    secs = time.monotonic() - t0
    assert result.exit_code in (0, 1)
    if result.exit_code == 0:
        doc = json.loads(result.stdout)
        for crit in doc["criteria"]:
            assert text[crit["span"][0]:crit["span"][1]] == crit["text"]
        assert max(len(c["text"]) for c in doc["criteria"]) >= 99_000
    else:
        assert_one_error_line(result, str(path))
    assert secs < 120


def test_deeply_nested_numbering_finishes(tmp_path):
    lines = ["Inclusion Criteria:"]
    number = []
    for depth in range(1, 201):
        number.append("1")
        lines.append("  " * depth + ".".join(number) + ". nested item at depth %d, age >= 18 years" % depth)
    for depth in range(200):
        lines.append("    " * (depth % 40) + "a) " * (depth % 7 + 1) + "item %d" % depth)
    text = "\n".join(lines) + "\n"
    path = tmp_path / "nested.txt"
    path.write_text(text, encoding="utf-8")
    t0 = time.monotonic()
    result = invoke("extract", path, "--quiet")
    assert time.monotonic() - t0 < 60
    assert "Traceback" not in result.stderr
    if result.exit_code == 0:
        doc = json.loads(result.stdout)
        assert doc["criteria"]
        for crit in doc["criteria"]:
            assert text[crit["span"][0]:crit["span"][1]] == crit["text"]
    else:
        assert_one_error_line(result, str(path))
