"""CSV exports, one document per data row, read row by row.

Handles the ClinicalTrials.gov CSV export ("NCT Number", "Study Title", "Conditions",
"Interventions", "Sex", "Age", ...) and criteria-only CSVs (HINT/TOP: nctid, diseases, drugs,
criteria). The criteria column is found by its header name; text_field is that header.
`sha256` hashes the record's raw bytes (line terminator excluded).
"""
from __future__ import annotations

import ast
import csv
import hashlib
import re
from collections.abc import Iterable, Iterator
from typing import Any

from ..decoding import MAX_DOCUMENT_BYTES, decode_fallback
from ..errors import InputError, UnknownFormatError
from ..model import ReadFailure, SourceDocument, TrialInfo
from .pages import trimmed_region
from .trial_fields import (
    clean_str, parse_age, parse_age_range, parse_bool, parse_interventions, parse_sex, split_multi,
)

CSV_ROW = "ctgov-csv-row"

_COLUMNS = {
    "criteria": ("criteria", "eligibilitycriteria", "eligibility", "inclusionexclusioncriteria"),
    "nct_id": ("nctnumber", "nctid", "nct", "nctno"),
    "title": ("studytitle", "brieftitle", "title", "officialtitle"),
    "conditions": ("conditions", "condition", "diseases", "disease"),
    "interventions": ("interventions", "intervention"),
    "drugs": ("drugs",),
    "sex": ("sex", "gender"),
    "age": ("age", "ages", "agerange"),
    "minimum_age": ("minimumage", "minage"),
    "maximum_age": ("maximumage", "maxage"),
    "healthy_volunteers": ("healthyvolunteers", "acceptshealthyvolunteers"),
}


def _one_line(text: str) -> str:
    return " ".join(text.split())


def _norm(header: str) -> str:
    return re.sub(r"[^a-z0-9]", "", header.lower())


def map_columns(header: list[str]) -> dict[str, int]:
    """Our field name -> column index, from the header row."""
    normed = [_norm(h) for h in header]
    found: dict[str, int] = {}
    for field, names in _COLUMNS.items():
        for name in names:
            if name in normed:
                found[field] = normed.index(name)
                break
    if "criteria" not in found:
        for i, n in enumerate(normed):
            if "criteria" in n:
                found["criteria"] = i
                break
    return found


def looks_like_csv_header(line: str) -> bool:
    """A first line that names a criteria or NCT column (for CSV content in a .txt file)."""
    line = line.rstrip("\r\n")
    delimiter = sniff_delimiter(line)
    if line.count(delimiter) < 1:
        return False
    try:
        cols = map_columns(next(csv.reader([line], delimiter=delimiter), []))
    except csv.Error:
        return False
    return "criteria" in cols or "nct_id" in cols


def sniff_delimiter(header_line: str) -> str:
    counts = {d: header_line.count(d) for d in (",", "\t", ";")}
    best = max(counts, key=counts.get)
    return best if counts[best] else ","


def _list_cell(value: str | None) -> list[str]:
    """'A|B' or a Python-list string "['A', 'B']" (HINT/TOP)."""
    if not value:
        return []
    v = value.strip()
    if v.startswith("[") and v.endswith("]"):
        try:
            parsed = ast.literal_eval(v)
        except (ValueError, SyntaxError):
            parsed = None
        if isinstance(parsed, list):
            return split_multi(parsed)
    return split_multi(v)


def _trial(row: list[str], cols: dict[str, int]) -> TrialInfo:
    def cell(field: str) -> str | None:
        i = cols.get(field)
        return row[i] if i is not None and i < len(row) else None

    trial = TrialInfo(
        nct_id=clean_str(cell("nct_id")),
        title=clean_str(cell("title")),
        conditions=_list_cell(cell("conditions")),
        sex=parse_sex(cell("sex")),
        healthy_volunteers=parse_bool(cell("healthy_volunteers")),
    )
    if cell("interventions"):
        trial.interventions = parse_interventions(cell("interventions"))
    elif cell("drugs"):
        trial.interventions = [{"type": "DRUG", "name": d} for d in _list_cell(cell("drugs"))]
    trial.minimum_age, trial.maximum_age = parse_age_range(cell("age"))
    if cell("minimum_age"):
        trial.minimum_age = parse_age(cell("minimum_age"))
    if cell("maximum_age"):
        trial.maximum_age = parse_age(cell("maximum_age"))
    return trial


def iter_csv_documents(raw_lines: Iterable[bytes], name: str, encoding: str | None = None) -> Iterator[Any]:
    """Documents (or ReadFailures) for each data row of a CSV given as raw byte lines.

    `encoding` None means UTF-8 per line with cp1252 fallback (warning on that row's document).
    """
    if csv.field_size_limit() < MAX_DOCUMENT_BYTES:
        csv.field_size_limit(MAX_DOCUMENT_BYTES)
    record: list[bytes] = []
    warnings: list[str] = []

    def text_lines() -> Iterator[str]:
        for raw in raw_lines:
            record.append(raw)
            if encoding:
                yield raw.decode(encoding)
            else:
                text, warns = decode_fallback(raw)
                if warns and not warnings:
                    warnings.extend(warns)
                yield text

    lines = text_lines()
    first = next(lines, None)
    if first is None:
        return
    delimiter = sniff_delimiter(first)

    def all_lines() -> Iterator[str]:
        yield first
        yield from lines

    reader = csv.reader(all_lines(), delimiter=delimiter)
    try:
        header = next(reader, [])
    except csv.Error as exc:
        raise InputError(f"{name}: broken CSV header ({exc}): check that the file is a CSV export") from None
    cols = map_columns(header)
    if "criteria" not in cols and "nct_id" not in cols:
        raise UnknownFormatError(
            f"{name}: CSV without a criteria or NCT column (header: {_one_line(', '.join(header[:6]))[:120]}): "
            "export the 'Eligibility Criteria' column"
        )
    crit = cols.get("criteria")
    text_field = header[crit].strip() if crit is not None else None
    row_no = 0
    while True:
        record.clear()
        warnings.clear()
        try:
            row = next(reader)
        except StopIteration:
            return
        except csv.Error as exc:
            row_no += 1
            yield ReadFailure(name, "invalid_record", f"{name}: row {row_no}: {exc}", row=row_no, format=CSV_ROW)
            continue
        if not any(cell.strip() for cell in row):
            continue
        row_no += 1
        raw = b"".join(record).rstrip(b"\r\n")
        if crit is not None and crit >= len(row):
            yield ReadFailure(
                name, "invalid_record",
                f"{name}: row {row_no}: {len(row)} fields, the header has {len(header)}: "
                "check for an unescaped quote or delimiter",
                row=row_no, format=CSV_ROW,
            )
            continue
        text = row[crit] if crit is not None else ""
        doc = SourceDocument(
            name, CSV_ROW, text, text_field,
            sha256=hashlib.sha256(raw).hexdigest(), row=row_no,
            trial=_trial(row, cols), criteria_region=trimmed_region(text),
        )
        doc.warnings.extend(warnings)
        yield doc
