"""Turn input files into SourceDocuments, one per trial, choosing the format by content.

    read_path(path)        -> Iterator[SourceDocument | ReadFailure]
    read_bytes(data, name) -> Iterator[SourceDocument | ReadFailure]   # stdin, zip members

Both are generators: file-level problems (missing, directory, binary, empty, truncated JSON,
broken XML, unknown format, too large) raise InputError (or a subclass) while iterating, with
one line saying what is wrong, which file, and what to do. A bad record inside a multi-record
file (a broken JSON Lines line, a malformed CSV row) is yielded as a ReadFailure in its place.

Formats (`SourceDocument.format`): ctgov-json, ctgov-classic-json, corpus-jsonl, ctgov-xml,
ctgov-csv-row, ctgov-page, medpath-page, ctgov-record-text, plain-text. JSON Lines and CSV are
streamed record by record; gzip files are read through; zip archives yield their members.
"""
from __future__ import annotations

import gzip
import hashlib
import io
import json
import os
import stat
import zipfile
import zlib
from collections.abc import Iterator
from pathlib import Path
from typing import BinaryIO, Union

from ..decoding import (
    MAX_DOCUMENT_BYTES, check_size, decode_fallback, decode_text, looks_binary, text_encoding,
)
from ..errors import InputError, LimitError, UnknownFormatError
from ..model import ReadFailure, SourceDocument
from .csv_rows import iter_csv_documents, looks_like_csv_header
from .ctgov_json import RecordFormatError, documents_from_json
from .ctgov_xml import read_xml
from .pages import read_text_document

__all__ = ["read_path", "read_bytes", "ReadResult"]

ReadResult = Union[SourceDocument, ReadFailure]

_SNIFF_BYTES = 64 * 1024
_JSONL = "jsonl"  # ReadFailure.format for a JSON Lines record that could not be parsed


def read_path(path: Path) -> Iterator[ReadResult]:
    """Documents in the file at `path` (errors raise InputError when iteration starts)."""
    path = Path(path)
    name = str(path)
    try:
        st = path.stat()
    except FileNotFoundError:
        raise InputError(f"{name}: no such file: check the path") from None
    except PermissionError:
        raise InputError(f"{name}: permission denied: check the file's read permission") from None
    except OSError as exc:
        raise InputError(f"{name}: cannot read ({exc.strerror}): check the path") from None
    if stat.S_ISDIR(st.st_mode):
        raise InputError(f"{name}: is a directory, not a file: pass the files inside it (e.g. {name}/*.json)")
    try:
        f = open(path, "rb")
    except PermissionError:
        raise InputError(f"{name}: permission denied: check the file's read permission") from None
    except OSError as exc:
        raise InputError(f"{name}: cannot open ({exc.strerror}): check the path") from None
    with f:
        stream: BinaryIO = f
        if not stat.S_ISREG(st.st_mode):  # a pipe or device: cannot seek back after sniffing
            stream = io.BytesIO(f.read(MAX_DOCUMENT_BYTES + 1))
        try:
            yield from _read_stream(stream, name)
        except OSError as exc:
            raise InputError(f"{name}: read error ({exc.strerror or exc}): check the file") from None


def read_bytes(data: bytes, name: str) -> Iterator[ReadResult]:
    """Documents in `data` (stdin or an archive member), detected by content like a file."""
    yield from _read_stream(io.BytesIO(data), name)


# --- detection ---------------------------------------------------------------------------


def _read_stream(f: BinaryIO, name: str) -> Iterator[ReadResult]:
    head = f.read(_SNIFF_BYTES)
    if not head:
        raise InputError(f"{name}: empty file: nothing to read")
    if head[:2] == b"\x1f\x8b":
        yield from _read_gzip(f, name)
        return
    if head[:4] == b"PK\x03\x04":
        yield from _read_zip(f, name)
        return
    if head[:5] == b"%PDF-":
        raise InputError(f"{name}: binary file (PDF): convert it to text first")
    encoding, skip = text_encoding(head)
    if encoding is None and looks_binary(head):
        raise InputError(f"{name}: binary file, not text: pass a text, JSON, XML or CSV file")
    sniff = head[skip:].decode(encoding or "utf-8", errors="replace")
    body = sniff.lstrip()
    if not body:
        if len(head) < _SNIFF_BYTES:
            raise InputError(f"{name}: empty file (only whitespace): nothing to read")
        body = "?"
    f.seek(0)
    first = body[0]
    if first == "{" or (first == "[" and body[1:].lstrip()[:1] in ('{', '[', '"', "]") ):
        yield from _read_json(f, name, encoding)
        return
    if first == "<":
        lowered = body[:200].lower()
        if lowered.startswith(("<!doctype html", "<html")):
            raise UnknownFormatError(f"{name}: an HTML page: save the page as text (or pass CT.gov XML/JSON)")
        data = _read_all(f, name)
        digest = hashlib.sha256(data).hexdigest()
        for doc in read_xml(data, name):
            doc.sha256 = digest
            yield doc
        return
    first_line = body.split("\n", 1)[0]
    if name.lower().endswith((".csv", ".tsv", ".csv.gz")) or looks_like_csv_header(first_line):
        yield from _read_csv(f, name, encoding, skip)
        return
    data = _read_all(f, name)
    text, warnings = decode_text(data, name)
    doc = read_text_document(text, name)
    doc.sha256 = hashlib.sha256(data).hexdigest()
    doc.warnings.extend(warnings)
    yield doc


def _read_all(f: BinaryIO, name: str) -> bytes:
    data = f.read(MAX_DOCUMENT_BYTES + 1)
    check_size(len(data), name)
    return data


def _read_gzip(f: BinaryIO, name: str) -> Iterator[ReadResult]:
    f.seek(0)
    gz = gzip.GzipFile(fileobj=f, mode="rb")
    try:
        yield from _read_stream(gz, name)
    except (gzip.BadGzipFile, EOFError, zlib.error) as exc:
        raise InputError(f"{name}: corrupt or truncated gzip data ({exc}): download the file again") from None


def _read_zip(f: BinaryIO, name: str) -> Iterator[ReadResult]:
    f.seek(0)
    try:
        archive = zipfile.ZipFile(f)
    except zipfile.BadZipFile as exc:
        raise InputError(f"{name}: broken zip archive ({exc}): download the file again") from None
    with archive:
        for info in archive.infolist():
            if info.is_dir() or os.path.basename(info.filename).startswith("."):
                continue
            member = f"{name}:{info.filename}"
            with archive.open(info) as stream:
                yield from _read_stream(stream, member)


# --- JSON and JSON Lines -----------------------------------------------------------------


def _json_error(exc: json.JSONDecodeError, text: str, name: str) -> InputError:
    where = f"line {exc.lineno}, column {exc.colno}"
    if exc.msg.startswith("Unterminated string") or exc.pos >= len(text.rstrip()):
        return InputError(f"{name}: truncated JSON ({where}): the file may be an incomplete download")
    return InputError(f"{name}: invalid JSON ({where}): {exc.msg}: check that the file is valid JSON")


def _read_json(f: BinaryIO, name: str, encoding: str | None) -> Iterator[ReadResult]:
    if encoding not in (None, "utf-8"):  # UTF-16/32 JSON: small enough to read whole
        data = _read_all(f, name)
        text, warnings = decode_text(data, name)
        yield from _json_whole(text, data, name, warnings)
        return
    lines = _raw_lines(f)
    first = _next_nonblank(lines)
    if first is None:
        raise InputError(f"{name}: empty file (only whitespace): nothing to read")
    row1, raw1, long1 = first
    if long1:
        raise LimitError(
            f"{name}: JSON document larger than {MAX_DOCUMENT_BYTES // 1048576} MB: "
            "split it (e.g. one study per line, JSON Lines)"
        )
    obj1 = _try_json(raw1)
    second = _next_nonblank(lines)
    if second is None or (obj1 is _FAIL and not isinstance(_try_json(second[1]), dict)):
        # one JSON document (possibly pretty-printed over many lines)
        f.seek(0)
        data = _read_all(f, name)
        text, warnings = decode_text(data, name)
        yield from _json_whole(text, data, name, warnings)
        return
    yield from _jsonl_records(_chain(first, second, lines), name)


_FAIL = object()


def _try_json(raw: bytes):
    try:
        return json.loads(raw.decode("utf-8-sig"))
    except (UnicodeDecodeError, json.JSONDecodeError, RecursionError):
        return _FAIL


def _json_whole(text: str, data: bytes, name: str, warnings: list[str]) -> Iterator[ReadResult]:
    try:
        obj = json.loads(text)
    except json.JSONDecodeError as exc:
        raise _json_error(exc, text, name) from None
    except RecursionError:
        raise LimitError(f"{name}: JSON nested too deeply: check the file") from None
    try:
        docs = documents_from_json(obj, name)
    except RecordFormatError as exc:
        raise UnknownFormatError(f"{name}: unknown JSON format: {exc}: pass CT.gov API JSON or corpus JSON Lines") from None
    digest = hashlib.sha256(data).hexdigest()
    for i, doc in enumerate(docs, 1):
        doc.sha256 = digest
        if len(docs) > 1:
            doc.row = i
        doc.warnings.extend(warnings)
        yield doc


def _raw_lines(f: BinaryIO) -> Iterator[tuple[int, bytes, bool]]:
    """(line number, bytes, too long) for each line, never holding more than the limit."""
    row = 0
    limit = MAX_DOCUMENT_BYTES + 1
    while True:
        raw = f.readline(limit)
        if not raw:
            return
        row += 1
        if len(raw) >= limit and not raw.endswith(b"\n"):
            while raw and not raw.endswith(b"\n"):  # skip the rest of the oversized line
                raw = f.readline(limit)
            yield row, b"", True
            continue
        yield row, raw, False


def _next_nonblank(lines: Iterator[tuple[int, bytes, bool]]):
    for item in lines:
        if item[2] or item[1].strip():
            return item
    return None


def _chain(*parts):
    for part in parts[:-1]:
        yield part
    yield from parts[-1]


def _jsonl_records(lines, name: str) -> Iterator[ReadResult]:
    fmt = _JSONL
    for row, raw, too_long in lines:
        if too_long:
            yield ReadFailure(
                name, LimitError.kind,
                f"{name}: line {row}: record larger than {MAX_DOCUMENT_BYTES // 1048576} MB: skipped",
                row=row, format=fmt,
            )
            continue
        record = raw.rstrip(b"\r\n")
        if not record.strip():
            continue
        if row == 1 and record.startswith(b"\xef\xbb\xbf"):
            record = record[3:]
        text, warnings = decode_fallback(record)
        try:
            obj = json.loads(text)
        except json.JSONDecodeError as exc:
            what = "truncated" if exc.pos >= len(text.rstrip()) or exc.msg.startswith("Unterminated") else "invalid"
            yield ReadFailure(
                name, "invalid_json",
                f"{name}: line {row}: {what} JSON record (column {exc.colno}): {exc.msg}",
                row=row, format=fmt,
            )
            continue
        except RecursionError:
            yield ReadFailure(name, LimitError.kind, f"{name}: line {row}: JSON nested too deeply", row=row, format=fmt)
            continue
        try:
            docs = documents_from_json(obj, name)
        except RecordFormatError as exc:
            yield ReadFailure(name, UnknownFormatError.kind, f"{name}: line {row}: {exc}", row=row, format=fmt)
            continue
        digest = hashlib.sha256(record).hexdigest()
        for doc in docs:
            doc.sha256 = digest
            doc.row = row
            if warnings:
                doc.warnings.extend(warnings)
            fmt = doc.format
            yield doc


# --- CSV -----------------------------------------------------------------------------------


def _read_csv(f: BinaryIO, name: str, encoding: str | None, skip: int) -> Iterator[ReadResult]:
    if encoding not in (None, "utf-8"):
        data = _read_all(f, name)
        text, _warnings = decode_text(data, name)
        lines = [line.encode("utf-8") for line in text.splitlines(keepends=True)]
        yield from iter_csv_documents(lines, name, "utf-8")
        return
    f.seek(skip)
    lines = (raw for _row, raw, _long in _raw_lines(f))
    yield from iter_csv_documents(lines, name)
