"""Bytes -> text: BOMs, UTF-16, cp1252 fallback, binary refusal, size limit."""
from __future__ import annotations

import codecs

import pytest

from eligex.extractors.decoding import CP1252_WARNING, MAX_DOCUMENT_BYTES, decode_text, looks_binary
from eligex.extractors.errors import InputError, LimitError
from eligex.extractors.readers import read_bytes

TEXT = "Inclusion Criteria:\n\n* Age ≥ 18 years\n* Café au lait spots\n"


def test_utf8_without_bom():
    assert decode_text(TEXT.encode("utf-8"), "x.txt") == (TEXT, [])


def test_utf8_bom_is_dropped_so_spans_start_at_the_text():
    text, warnings = decode_text(codecs.BOM_UTF8 + TEXT.encode("utf-8"), "x.txt")
    assert text == TEXT and warnings == []


@pytest.mark.parametrize("encoding", ["utf-16", "utf-16-le", "utf-16-be"])
def test_utf16_with_bom(encoding):
    data = TEXT.encode(encoding)
    if encoding != "utf-16":  # "utf-16" writes its own BOM; the others need one
        data = (codecs.BOM_UTF16_LE if encoding.endswith("le") else codecs.BOM_UTF16_BE) + data
    assert decode_text(data, "x.txt") == (TEXT, [])


def test_bomless_utf16_is_recognised_not_called_binary():
    assert decode_text(TEXT.encode("utf-16-le"), "x.txt") == (TEXT, [])


def test_cp1252_fallback_warns():
    data = "Patients \u2265 18 \u2013 caf\u00e9".replace("\u2265", ">=").encode("cp1252")
    text, warnings = decode_text(data, "x.txt")
    assert text == "Patients >= 18 \u2013 caf\u00e9"
    assert warnings == [CP1252_WARNING]


def test_cp1252_undefined_bytes_fall_back_to_latin1():
    text, warnings = decode_text(b"abc \x81 def \xe9", "x.txt")
    assert text == "abc \x81 def \u00e9" and warnings == [CP1252_WARNING]


def test_nul_bytes_mean_binary():
    with pytest.raises(InputError, match=r"x\.bin: binary file"):
        decode_text(b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" + bytes(range(256)), "x.bin")


def test_mostly_control_bytes_mean_binary():
    assert looks_binary(bytes(range(1, 32)) * 20)
    assert not looks_binary(TEXT.encode("utf-8"))


def test_too_large_document_is_a_limit_error():
    with pytest.raises(LimitError, match=r"big\.txt: document too large .* limit is 20 MB"):
        decode_text(b"a" * (MAX_DOCUMENT_BYTES + 1), "big.txt")


def test_reader_attaches_the_cp1252_warning_to_the_document():
    data = "Inclusion Criteria:\n\n- Caf\u00e9 drinkers\n".encode("cp1252")
    (doc,) = read_bytes(data, "latin.txt")
    assert doc.warnings == [CP1252_WARNING]
    assert "Caf\u00e9" in doc.text


def test_reader_reads_utf16_text_and_spans_index_the_decoded_text():
    from eligex.extractors.segment import segment_criteria

    data = codecs.BOM_UTF16_LE + TEXT.encode("utf-16-le")
    (doc,) = read_bytes(data, "wide.txt")
    assert doc.text == TEXT and doc.warnings == []
    crit = segment_criteria(doc)
    assert [c.text for c in crit] == ["Age ≥ 18 years", "Café au lait spots"]
    assert all(doc.text[c.span[0]:c.span[1]] == c.text for c in crit)
