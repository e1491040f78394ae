"""Bytes to text for text-like inputs: BOM handling, UTF-16, cp1252 fallback, binary refusal.

`decode_text` returns the decoded string (every span indexes it) and the warnings to put on
the document. It raises InputError for content that is not text at all.
"""
from __future__ import annotations

import codecs

from .errors import InputError, LimitError

MAX_DOCUMENT_BYTES = 20 * 1024 * 1024  # a single text document (file, JSON, XML, one record)

CP1252_WARNING = "decoded as cp1252: not valid UTF-8"

_BOMS = (
    (codecs.BOM_UTF32_LE, "utf-32-le"),  # before UTF-16 LE: it starts with the same two bytes
    (codecs.BOM_UTF32_BE, "utf-32-be"),
    (codecs.BOM_UTF8, "utf-8"),
    (codecs.BOM_UTF16_LE, "utf-16-le"),
    (codecs.BOM_UTF16_BE, "utf-16-be"),
)

# C0 controls that never occur in text files (tab, LF, VT, FF, CR and ESC are allowed).
_CONTROL_BYTES = bytes(b for b in range(32) if b not in (9, 10, 11, 12, 13, 27)) + b"\x7f"
_SAMPLE_BYTES = 64 * 1024


def detect_bom(data: bytes) -> tuple[str | None, int]:
    """(encoding, BOM length) when `data` starts with a byte-order mark, else (None, 0)."""
    for bom, encoding in _BOMS:
        if data.startswith(bom):
            return encoding, len(bom)
    return None, 0


def guess_bomless_utf16(data: bytes) -> str | None:
    """'utf-16-le'/'utf-16-be' when NUL bytes sit in every other position (ASCII-range UTF-16)."""
    sample = data[:_SAMPLE_BYTES]
    if len(sample) < 4:
        return None
    half = len(sample) // 2
    even_nuls = sample[0::2].count(0)
    odd_nuls = sample[1::2].count(0)
    if odd_nuls >= 0.9 * half and even_nuls <= 0.05 * half:
        return "utf-16-le"
    if even_nuls >= 0.9 * half and odd_nuls <= 0.05 * half:
        return "utf-16-be"
    return None


def looks_binary(data: bytes) -> bool:
    """True for NUL bytes or a sample with more than 10 % control bytes (not UTF-16 input)."""
    sample = data[:_SAMPLE_BYTES]
    if b"\x00" in sample:
        return True
    if not sample:
        return False
    controls = len(sample) - len(sample.translate(None, _CONTROL_BYTES))
    return controls > 0.1 * len(sample)


def text_encoding(data: bytes) -> tuple[str | None, int]:
    """(encoding, bytes to skip) for a text file: BOM encodings, BOM-less UTF-16, or (None, 0).

    None means "UTF-8, falling back to cp1252"; binary content is not judged here.
    """
    encoding, skip = detect_bom(data)
    if encoding:
        return encoding, skip
    utf16 = guess_bomless_utf16(data)
    if utf16:
        return utf16, 0
    return None, 0


def decode_fallback(data: bytes) -> tuple[str, list[str]]:
    """UTF-8 if valid, else cp1252 (Latin-1 for the five bytes cp1252 leaves undefined)."""
    try:
        return data.decode("utf-8"), []
    except UnicodeDecodeError:
        pass
    try:
        return data.decode("cp1252"), [CP1252_WARNING]
    except UnicodeDecodeError:
        return data.decode("latin-1"), [CP1252_WARNING]


def check_size(size: int, name: str) -> None:
    if size > MAX_DOCUMENT_BYTES:
        raise LimitError(
            f"{name}: document too large ({size / 1048576:.1f} MB, the limit is "
            f"{MAX_DOCUMENT_BYTES // 1048576} MB): split it into smaller files"
        )


def decode_text(data: bytes, name: str) -> tuple[str, list[str]]:
    """Decode a whole text document. Raises InputError for binary content, LimitError if too big."""
    check_size(len(data), name)
    encoding, skip = text_encoding(data)
    if encoding:
        try:
            return data[skip:].decode(encoding), []
        except UnicodeDecodeError as exc:
            raise InputError(
                f"{name}: not valid {encoding.upper()} text (byte {exc.start + skip}): "
                "re-save the file as UTF-8"
            ) from None
    if looks_binary(data):
        raise InputError(f"{name}: binary file, not text: pass a text, JSON, XML or CSV file")
    return decode_fallback(data)
