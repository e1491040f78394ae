"""String preprocessors that turn a unit as written in a criterion into text pint can parse.

Each step is a small named function `str -> str`, run in order by `normalize_unit_text`
(the same shape as pint's `preprocessors=[...]` list). Every step is tested on its own in
tests/test_units.py, and the chain is idempotent: running it on its own output changes
nothing.

Examples of what the chain produces:

    "/mm³"              -> "1/mm**3"
    "x 10^9/L"          -> "1e9/L"
    "× 109/L"           -> "1e9/L"       (a lost superscript)
    "K/uL"              -> "1e3/uL"
    "mL/min/1.73 m2"    -> "mL/min/(1.73*m**2)"
    "g/24h"             -> "g/(24*h)"    (pint alone reads g/24h as g·h/24)
    "mg %"              -> "mg/dL"
    "beats per minute"  -> "beats/minute"

No pint here: this module is plain `re`, so importing it costs nothing.
"""
from __future__ import annotations

import re
import unicodedata

# ---------------------------------------------------------------- 1. surrounding noise

_TRAILING_PUNCT = re.compile(r"[\s.,;:]+$")


def strip_surrounding_noise(text: str) -> str:
    """Trim whitespace, trailing sentence punctuation and an unbalanced closing bracket.

    "mg/dL)." -> "mg/dL";  " (g/L) " -> "g/L"
    """
    text = _TRAILING_PUNCT.sub("", text.strip())
    while text.endswith((")", "]")) and text.count("(") + text.count("[") < text.count(
        ")"
    ) + text.count("]"):
        text = _TRAILING_PUNCT.sub("", text[:-1])
    while text.startswith(("(", "[")) and text.count("(") + text.count("[") > text.count(
        ")"
    ) + text.count("]"):
        text = text[1:].strip()
    if len(text) >= 2 and text[0] in "([" and text[-1] in ")]":
        inner = text[1:-1]
        if "(" not in inner and ")" not in inner:
            text = inner.strip()
    return text


# ---------------------------------------------------------------- 2. characters

_SUPERSCRIPTS = {
    "⁰": "0", "¹": "1", "²": "2", "³": "3", "⁴": "4",
    "⁵": "5", "⁶": "6", "⁷": "7", "⁸": "8", "⁹": "9", "⁻": "-", "⁺": "",
}
_SUPERSCRIPT_RUN = re.compile("[" + "".join(_SUPERSCRIPTS) + "]+")
_CHAR_MAP = str.maketrans(
    {
        "µ": "u",  # micro sign U+00B5
        "μ": "u",  # Greek mu U+03BC
        "×": "x", "✕": "x", "✖": "x", "⨯": "x",
        "·": "*", "⋅": "*", "∙": "*",
        "／": "/", "∕": "/", "⁄": "/", "÷": "/",
        "−": "-", "–": "-", "‐": "-",
        "\u00a0": " ", "\u2009": " ", "\u202f": " ", "\u2007": " ",
    }
)


def normalize_characters(text: str) -> str:
    """Superscripts become `^digits`; µ/μ become `u`; ×/· become x/*; odd slashes and
    spaces become ASCII; then NFKC for anything else (fullwidth letters and so on).

    "× 10⁹/L" -> "x 10^9/L";  "cells/μL" -> "cells/uL";  "kg/m²" -> "kg/m^2"
    """
    if text.isascii():
        return text  # superscripts and mapped characters are all non-ASCII; NFKC keeps ASCII as it is
    text = _SUPERSCRIPT_RUN.sub(lambda m: "^" + "".join(_SUPERSCRIPTS[c] for c in m.group()), text)
    text = text.translate(_CHAR_MAP)
    return unicodedata.normalize("NFKC", text).translate(_CHAR_MAP)


# ---------------------------------------------------------------- 3. words

_WORD_RULES: tuple[tuple[re.Pattern[str], str], ...] = (
    (re.compile(r"\bmm\s+Hg\b", re.I), "mmHg"),
    (re.compile(r"\binternational\s+units?\b", re.I), "IU"),
    (re.compile(r"\bcubic\s+([A-Za-z]+)"), r"\1**3"),
    (re.compile(r"\bsquare\s+([A-Za-z]+)"), r"\1**2"),
    (re.compile(r"\s*\bper\b\s*", re.I), "/"),
    # "cu mm", "cumm", "cmm": cubic millimetre
    (re.compile(r"\b(?:cu\.?\s*mm|cumm|cmm)\b", re.I), "mm**3"),
    # decimal comma inside the body-surface denominator: "/1,73 m2"
    (re.compile(r"/\s*1,73"), "/1.73"),
    # "g during 24 hours", "g in 24 h": a daily amount
    (re.compile(r"\s+(?:during|in|over|within)\s+(?=24\s*h)", re.I), "/"),
)


def replace_unit_words(text: str) -> str:
    """Spelled-out forms pint does not read: "per", "mm Hg", "international units",
    "cubic"/"square".

    "beats per minute" -> "beats/minute";  "mm Hg" -> "mmHg"
    """
    for pattern, repl in _WORD_RULES:
        text = pattern.sub(repl, text)
    return text


# ---------------------------------------------------------------- 4. mass abbreviations

_PERCENT_CONCENTRATION = re.compile(r"\b(mg|g|gm|gr|mcg|ug)\s*%")
_GM = re.compile(r"\bgms?\b")
_GR = re.compile(r"\bgrs?\b")
_COPIES = re.compile(r"\bcps?\b")


def percent_concentrations(text: str) -> str:
    """"mg %" (milligrams per 100 mL) is mg/dL; "g%" is g/dL.

    "mg %" -> "mg/dL"
    """
    return _PERCENT_CONCENTRATION.sub(r"\1/dL", text)


def clinical_abbreviations(text: str) -> str:
    """Clinical spellings that pint reads as something else or not at all:
    "gm" (gram; pint: undefined), "gr" (gram here; pint: grain), "cp" (copies; pint: cup).

    "gr/dl" -> "g/dl";  "cp/mL" -> "copies/mL"
    """
    text = _GM.sub("g", text)
    text = _GR.sub("g", text)
    return _COPIES.sub("copies", text)


# ---------------------------------------------------------------- 5. powers of ten

_TIMES = r"[xX*]\s*"
_POWER_RULES: tuple[tuple[re.Pattern[str], str], ...] = (
    # x 10(9)/L: the exponent in brackets
    (re.compile(r"^(?:" + _TIMES + r")?10\s*\(\s*([+-]?\d{1,2})\s*\)"), r"1e\1"),
    # x 10^9, 10^9, 10**9, 10^(9)
    (re.compile(r"^(?:" + _TIMES + r")?10\s*(?:\^|\*\*)\s*\(?\s*([+-]?\d{1,2})(?:\s*\))?"), r"1e\1"),
    # x10e9, 10E9
    (re.compile(r"^(?:" + _TIMES + r")?10\s*[eE]\s*\+?(\d{1,2})(?![\d.])"), r"1e\1"),
    # E9/L
    (re.compile(r"^[eE]\s*\+?(\d{1,2})(?=\s*[/*A-Za-z])"), r"1e\1"),
    # lost superscript after a times sign: "× 109/L", "x 10 9/L", "×103/μL"
    (re.compile(r"^" + _TIMES + r"10\s?(3|6|9|12)(?![\d.])"), r"1e\1"),
    # ... and before a unit word: "x 104 copies/mL"
    (re.compile(r"^" + _TIMES + r"10\s?([1-9]|1[0-2])(?=\s*[A-Za-z/])"), r"1e\1"),
    # lost superscript shown by a following slash: "109/L"
    (re.compile(r"^10(3|6|9|12)(?=\s*/)"), r"1e\1"),
    # letter multipliers before a slash: G/L, giga/L, K/uL, M/uL
    (re.compile(r"^(?:G|giga)\s*(?=/)"), "1e9"),
    (re.compile(r"^(?:K|k|thou|thousands?)\s*(?=/)"), "1e3"),
    (re.compile(r"^(?:M|mega|millions?)\s*(?=/)"), "1e6"),
)


def powers_of_ten(text: str) -> str:
    """A leading multiplier becomes a plain number: "×10^9", "x10e9", "E9", "10^9",
    a lost superscript ("× 109", "103/" — `10` then 3/6/9/12 after a times sign or
    before a slash), and letter multipliers G/giga (10^9), K (10^3), M (10^6).

    "x 10^9/L" -> "1e9/L";  "× 109/L" -> "1e9/L";  "K/uL" -> "1e3/uL"
    """
    for pattern, repl in _POWER_RULES:
        new = pattern.sub(repl, text, count=1)
        if new != text:
            return new
    return text


# ---------------------------------------------------------------- 6. exponents

_LENGTH_EXPONENT = re.compile(r"(?<![A-Za-z_])(mm|cm|dm|um|m)\s*(?:\^|\*\*)?\s*([23])(?![\d.])")


def unit_exponents(text: str) -> str:
    """Squared/cubed lengths written without `**`: "mm3", "mm^3", "m2", "1.73m^2".

    "/mm3" -> "/mm**3";  "kg/m^2" -> "kg/m**2"
    """
    return _LENGTH_EXPONENT.sub(r"\1**\2", text)


# ---------------------------------------------------------------- 7. numeric denominators

_NUMERIC_DENOMINATOR = re.compile(
    r"/\s*(\d+(?:\.\d+)?)\s*[-*]?\s*([A-Za-z_]+(?:\*\*\d)?)"
)
_BARE_BSA = re.compile(r"/\s*1\.73\s*$")


def numeric_denominators(text: str) -> str:
    """A number inside a denominator binds to the unit after it. pint reads "g/24h" as
    g·h/24 and "mL/min/1.73 m2" as (mL/min/1.73)·m²; both are per-(number·unit).

    A bare trailing "/1.73" (the m² lost, as tokenizers often cut it) is per 1.73 m².

    "g/24h" -> "g/(24*h)";  "mL/min/1.73 m**2" -> "mL/min/(1.73*m**2)"
    """
    text = _BARE_BSA.sub("/1.73 m**2", text)
    return _NUMERIC_DENOMINATOR.sub(r"/(\1*\2)", text)


# ---------------------------------------------------------------- 8. layout

_LEADING_SLASH = re.compile(r"^/")
_NUMBER_THEN_NAME = re.compile(r"(?<![A-Za-z_\d.])((?>\d+(?:\.\d+)?(?:[eE][+-]?\d+)?))\s*(?=[A-Za-z_(])")
_SPACE_AROUND_OPS = re.compile(r"\s*(\*\*|[/*()])\s*")
_SPACES = re.compile(r"\s+")


def leading_slash(text: str) -> str:
    """A unit that starts with "/" is per-something: "/mm**3" -> "1/mm**3"."""
    return _LEADING_SLASH.sub("1/", text)


def implicit_multiplication(text: str) -> str:
    """A number directly before a unit name multiplies it: "1e9 cells/L" -> "1e9*cells/L"."""
    return _NUMBER_THEN_NAME.sub(r"\1*", text)


def tidy_operators(text: str) -> str:
    """`^` becomes `**`; no spaces around operators; single spaces elsewhere.

    "mL / min" -> "mL/min";  "L^-1" -> "L**-1"
    """
    text = text.replace("^", "**")
    text = _SPACE_AROUND_OPS.sub(r"\1", text)
    return _SPACES.sub(" ", text).strip()


# ---------------------------------------------------------------- the chain

UNIT_TEXT_PREPROCESSORS = (
    strip_surrounding_noise,
    normalize_characters,
    replace_unit_words,
    percent_concentrations,
    clinical_abbreviations,
    powers_of_ten,
    unit_exponents,
    numeric_denominators,
    leading_slash,
    implicit_multiplication,
    tidy_operators,
)


def normalize_unit_text(written: str) -> str:
    """Run every preprocessor in `UNIT_TEXT_PREPROCESSORS`, in order."""
    text = written
    for step in UNIT_TEXT_PREPROCESSORS:
        text = step(text)
    return text


_ALL_CAPS_FIXES: tuple[tuple[re.Pattern[str], str], ...] = (
    (re.compile(r"\bmmhg\b"), "mmHg"),
    (re.compile(r"(?<![A-Za-z_])(m|u|n)?iu\b"), r"\1IU"),
    (re.compile(r"(?<![A-Za-z_])u\b"), "U"),
)


def lower_case_fallback(text: str) -> str:
    """For units written in capitals ("MG/DL", "ML/MIN"): lower-case them, then restore
    the few symbols whose case matters (U, IU, mmHg). Used only when the text as
    written does not parse.

    "MG/DL" -> "mg/dl";  "MIU/L" -> "mIU/l"
    """
    text = text.lower()
    for pattern, repl in _ALL_CAPS_FIXES:
        text = pattern.sub(repl, text)
    return text
