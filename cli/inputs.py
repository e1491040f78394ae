"""Turn the PATH arguments of `eligex extract` into a stream of documents, in input order.

A PATH is a file, a directory (walked recursively, in name order, skipping hidden entries),
a glob pattern (expanded by eligex, so it works when quoted), a zip archive of records
(members are read one at a time), or `-` for a document on stdin. Nothing is loaded whole:
each source is handed to the readers as it comes, and a blob too big to hold (a large stdin
stream or zip member) is spooled to a temporary file so the readers can stream it.

Reader exceptions never escape from here: a file that cannot be read becomes a `ReadFailure`
in its place, so a batch can write an error record and go on.
"""
from __future__ import annotations

import glob
import os
import shutil
import sys
import tempfile
import traceback
import zipfile
import zlib
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any, BinaryIO

STDIN_ARG = "-"
STDIN_NAME = "<stdin>"
GLOB_CHARS = frozenset("*?[")
# Suffixes the readers take as they are; anything else is sniffed for the zip signature.
RECORD_SUFFIXES = frozenset({".json", ".jsonl", ".ndjson", ".xml", ".txt", ".text", ".csv", ".tsv", ".md"})
ZIP_SUFFIXES = frozenset({".zip"})
ZIP_MAGIC = b"PK\x03\x04"
SKIP_NAMES = frozenset({"__MACOSX", "Thumbs.db", "desktop.ini"})
# Blobs (stdin, zip members) up to this size are read into memory; bigger ones are spooled to disk.
SPOOL_BYTES = 64 * 1024 * 1024
# A zip member that declares more than this is refused rather than inflated (zip bombs).
MAX_MEMBER_BYTES = 4 * 1024 * 1024 * 1024


@dataclass(frozen=True)
class Source:
    """One input as named on the command line or found in a directory."""

    kind: str  # file | zip | stdin | missing
    path: str
    message: str | None = None


def _hidden(name: str) -> bool:
    return name.startswith(".") or name in SKIP_NAMES


def _same_file(path: str, excluded: frozenset[str]) -> bool:
    return bool(excluded) and os.path.realpath(path) in excluded


def classify(path: str) -> Source:
    """A file is a zip archive by its suffix, or by its signature when the suffix says nothing."""
    suffix = os.path.splitext(path)[1].lower()
    if suffix in ZIP_SUFFIXES:
        return Source("zip", path)
    if suffix not in RECORD_SUFFIXES:
        try:
            with open(path, "rb") as fh:
                if fh.read(4) == ZIP_MAGIC:
                    return Source("zip", path)
        except OSError:
            pass  # the reader will say what is wrong with it
    return Source("file", path)


def walk_directory(root: str, excluded: frozenset[str] = frozenset()) -> Iterator[Source]:
    """Files under `root` in name order, depth first, skipping hidden entries; no symlinked dirs."""
    stack: list[Iterator[os.DirEntry[str]]] = []
    try:
        stack.append(iter(sorted(os.scandir(root), key=lambda e: e.name)))
    except OSError as exc:
        yield Source("missing", root, f"cannot list directory ({exc.strerror or exc})")
        return
    while stack:
        entry = next(stack[-1], None)
        if entry is None:
            stack.pop()
            continue
        if _hidden(entry.name):
            continue
        try:
            if entry.is_dir(follow_symlinks=False):
                try:
                    stack.append(iter(sorted(os.scandir(entry.path), key=lambda e: e.name)))
                except OSError as exc:
                    yield Source("missing", entry.path, f"cannot list directory ({exc.strerror or exc})")
                continue
            if not entry.is_file():  # sockets, fifos, broken links
                continue
        except OSError:
            continue
        if not _same_file(entry.path, excluded):
            yield classify(entry.path)


def expand_paths(args: Iterable[str], excluded: Iterable[str] = ()) -> Iterator[Source]:
    """Sources for the PATH arguments, in the order given. `excluded` (the output file) is skipped."""
    skip = frozenset(os.path.realpath(p) for p in excluded)
    for arg in args:
        if arg == STDIN_ARG:
            yield Source("stdin", STDIN_NAME)
            continue
        if os.path.isdir(arg):
            yield from walk_directory(arg, skip)
        elif os.path.exists(arg):
            if not _same_file(arg, skip):
                yield classify(arg)
        elif GLOB_CHARS & set(arg):
            matches = sorted(glob.glob(arg, recursive=True))
            if not matches:
                yield Source("missing", arg, "no files match this pattern")
            for match in matches:
                if os.path.isdir(match):
                    yield from walk_directory(match, skip)
                elif os.path.isfile(match) and not _same_file(match, skip):
                    yield classify(match)
        else:
            yield Source("missing", arg, "no such file or directory")


# --------------------------------------------------------------------------- documents

def _failure(path: str, kind: str, message: str, row: int | None = None, tb: str | None = None) -> Any:
    from ..extractors.model import ReadFailure

    failure = ReadFailure(path=path, kind=kind, message=message, row=row)
    if tb:
        failure.traceback = tb  # type: ignore[attr-defined]  # shown with --debug
    return failure


def guarded(items: Iterable[Any] | Callable[[], Iterable[Any]], path: str) -> Iterator[Any]:
    """Yield from a reader (an iterable, or a function returning one: called in here, so an
    exception raised by the call itself is caught too); an exception becomes one `ReadFailure`."""
    from ..extractors.errors import EligexError

    try:
        yield from (items() if callable(items) else items)
    except EligexError as exc:
        yield _failure(path, exc.kind, str(exc))
    except (zipfile.BadZipFile, zlib.error, EOFError) as exc:
        yield _failure(path, "input_error", f"damaged zip archive ({exc})")
    except UnicodeDecodeError as exc:
        yield _failure(path, "input_error", f"cannot decode the text ({exc.reason} at byte {exc.start})")
    except OSError as exc:
        yield _failure(path, "input_error", f"cannot read the file ({exc.strerror or exc})")
    except Exception as exc:  # a reader bug must not stop the batch
        yield _failure(path, "internal_error", f"reading failed ({type(exc).__name__}: {exc})",
                       tb=traceback.format_exc())


def _renamed(items: Iterable[Any], name: str, tmp: str) -> Iterator[Any]:
    """Items read from a spool file, with the spool path replaced by the name the user knows."""
    from ..extractors.errors import EligexError

    try:
        for item in items:
            item.path = name
            if getattr(item, "message", None):
                item.message = item.message.replace(tmp, name)
            yield item
    except EligexError as exc:
        exc.args = tuple(str(a).replace(tmp, name) for a in exc.args)
        raise


def read_blob(stream: BinaryIO, name: str, size_hint: int | None,
              read_path: Callable[[Path], Iterator[Any]],
              read_bytes: Callable[[bytes, str], Iterator[Any]]) -> Iterator[Any]:
    """Read a byte stream (stdin, a zip member): in memory when small, else through a spool file."""
    if size_hint is not None and size_hint <= SPOOL_BYTES:
        yield from read_bytes(stream.read(), name)
        return
    head = stream.read(SPOOL_BYTES + 1)
    if len(head) <= SPOOL_BYTES:
        yield from read_bytes(head, name)
        return
    suffix = os.path.splitext(name)[1] if "." in os.path.basename(name) else ""
    fd, tmp = tempfile.mkstemp(prefix="eligex-", suffix=suffix)
    try:
        with os.fdopen(fd, "wb") as out:
            out.write(head)
            del head
            shutil.copyfileobj(stream, out, 1024 * 1024)
        yield from _renamed(read_path(Path(tmp)), name, tmp)
    finally:
        try:
            os.unlink(tmp)
        except OSError:
            pass


def read_zip(path: str, read_path: Callable[[Path], Iterator[Any]],
             read_bytes: Callable[[bytes, str], Iterator[Any]]) -> Iterator[Any]:
    """Members of a zip archive one at a time, named `archive.zip!/member`."""
    from ..extractors.errors import InputError, LimitError

    try:
        archive = zipfile.ZipFile(path)
    except (zipfile.BadZipFile, OSError, EOFError) as exc:
        raise InputError(f"not a readable zip archive ({exc})") from None
    with archive:
        for info in archive.infolist():
            parts = info.filename.split("/")
            if info.is_dir() or any(_hidden(p) for p in parts if p):
                continue
            name = f"{path}!/{info.filename}"
            if info.file_size > MAX_MEMBER_BYTES:
                yield _failure(name, LimitError.kind,
                               f"zip member declares {info.file_size:,} bytes; eligex reads members up to "
                               f"{MAX_MEMBER_BYTES:,} bytes")
                continue

            def member(info: zipfile.ZipInfo = info, name: str = name) -> Iterator[Any]:
                with archive.open(info) as stream:
                    yield from read_blob(stream, name, info.file_size, read_path, read_bytes)

            yield from guarded(member, name)


def iter_documents(sources: Iterable[Source], stdin: BinaryIO | None = None) -> Iterator[Any]:
    """`SourceDocument`s and `ReadFailure`s for every source, in order; never raises for bad input."""
    from ..extractors.readers import read_bytes, read_path

    for src in sources:
        if src.kind == "missing":
            yield _failure(src.path, "not_found", src.message or "no such file or directory")
        elif src.kind == "stdin":
            stream = stdin if stdin is not None else sys.stdin.buffer
            yield from guarded(lambda: read_blob(stream, STDIN_NAME, None, read_path, read_bytes), STDIN_NAME)
        elif src.kind == "zip":
            yield from guarded(lambda: read_zip(src.path, read_path, read_bytes), src.path)
        else:
            yield from guarded(lambda: read_path(Path(src.path)), src.path)


# --------------------------------------------------------------------------- totals

def _count_lines(path: str, limit_bytes: int = 2 * 1024 ** 3) -> int | None:
    try:
        if os.path.getsize(path) > limit_bytes:
            return None
        n, last = 0, b"\n"
        with open(path, "rb") as fh:
            while chunk := fh.read(1024 * 1024):
                n += chunk.count(b"\n")
                last = chunk[-1:]
        return n + (last != b"\n")
    except OSError:
        return None


def estimate_total(args: Iterable[str], excluded: Iterable[str] = ()) -> int | None:
    """How many documents the inputs probably hold, when cheap to know (for the progress ETA).

    One per file, one per line of a JSON Lines file, one per data row of a CSV (a guess when
    cells hold newlines), one per zip member. None when stdin is an input.
    """
    total = 0
    for src in expand_paths(args, excluded):
        if src.kind == "stdin":
            return None
        if src.kind == "zip":
            try:
                with zipfile.ZipFile(src.path) as archive:
                    total += sum(1 for i in archive.infolist() if not i.is_dir())
            except (zipfile.BadZipFile, OSError, EOFError):
                total += 1
            continue
        suffix = os.path.splitext(src.path)[1].lower()
        if src.kind == "file" and suffix in (".jsonl", ".ndjson", ".csv", ".tsv"):
            lines = _count_lines(src.path)
            if lines is None:
                return None
            total += max(1, lines - (suffix in (".csv", ".tsv")))
        else:
            total += 1
    return total
