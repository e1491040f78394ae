"""Unit normalisation: preprocessors, parsing, conversion to the contract's canonical units."""
from __future__ import annotations

import subprocess
import sys
import time
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from eligex.extractors import unit_text
from eligex.extractors.errors import RulePackError
from eligex.extractors.unit_text import normalize_unit_text
from eligex.extractors.units import (
    AFFINE_CONVERSIONS,
    ParsedUnit,
    UnitNormalizer,
    default_unit_normalizer,
    duration_days,
    duration_unit_name,
)

RULES_UNITS = Path(__file__).resolve().parents[1] / "rules" / "units.txt"


@pytest.fixture(scope="module")
def units() -> UnitNormalizer:
    # on_redefinition="raise": rules/units.txt must not shadow any pint unit.
    return UnitNormalizer(on_redefinition="raise")


# ---------------------------------------------------------------- preprocessors, one by one


@pytest.mark.parametrize(
    ("written", "expected"),
    [
        ("mg/dL", "mg/dL"),
        ("  mg/dL ", "mg/dL"),
        ("mg/dL).", "mg/dL"),
        ("mg/dl)", "mg/dl"),
        ("(mg/dL)", "mg/dL"),
        ("[g/dL]", "g/dL"),
        ("(mL/min", "mL/min"),
        ("mL/min/(1.73*m**2)", "mL/min/(1.73*m**2)"),
        ("g/L;", "g/L"),
    ],
)
def test_strip_surrounding_noise(written, expected):
    assert unit_text.strip_surrounding_noise(written) == expected


@pytest.mark.parametrize(
    ("written", "expected"),
    [
        ("× 10⁹/L", "x 10^9/L"),
        ("/mm³", "/mm^3"),
        ("kg/m²", "kg/m^2"),
        ("x 10¹²/L", "x 10^12/L"),
        ("L⁻¹", "L^-1"),
        ("cells/μL", "cells/uL"),  # Greek mu U+03BC
        ("/µL", "/uL"),  # micro sign U+00B5
        ("mL·min", "mL*min"),
        ("mg／dL", "mg/dL"),
        ("mg\u00a0%", "mg %"),
        ("ｍｇ/dL", "mg/dL"),  # fullwidth letters, via NFKC
    ],
)
def test_normalize_characters(written, expected):
    assert unit_text.normalize_characters(written) == expected


@pytest.mark.parametrize(
    ("written", "expected"),
    [
        ("beats per minute", "beats/minute"),
        ("mL/min per 1.73 m2", "mL/min/1.73 m2"),
        ("mm Hg", "mmHg"),
        ("international units/mL", "IU/mL"),
        ("cells/cubic millimeter", "cells/millimeter**3"),
        ("percent", "percent"),  # "per" only as a word
    ],
)
def test_replace_unit_words(written, expected):
    assert unit_text.replace_unit_words(written) == expected


@pytest.mark.parametrize(
    ("written", "expected"),
    [("mg %", "mg/dL"), ("mg%", "mg/dL"), ("g%", "g/dL"), ("%", "%"), ("mg/dL", "mg/dL")],
)
def test_percent_concentrations(written, expected):
    assert unit_text.percent_concentrations(written) == expected


@pytest.mark.parametrize(
    ("written", "expected"),
    [
        ("gm/dL", "g/dL"),
        ("gr/dl", "g/dl"),
        ("cp/mL", "copies/mL"),
        ("g/dL", "g/dL"),
        ("grams/L", "grams/L"),
        ("copies/mL", "copies/mL"),
    ],
)
def test_clinical_abbreviations(written, expected):
    assert unit_text.clinical_abbreviations(written) == expected


@pytest.mark.parametrize(
    ("written", "expected"),
    [
        ("x 10^9/L", "1e9/L"),
        ("x10^3/uL", "1e3/uL"),
        ("10^9/L", "1e9/L"),
        ("10**9/L", "1e9/L"),
        ("x 10^(9)/L", "1e9/L"),
        ("x10e9/L", "1e9/L"),
        ("E9/L", "1e9/L"),
        ("x 109/L", "1e9/L"),  # lost superscript after a times sign
        ("x103/uL", "1e3/uL"),
        ("x 10 9/L", "1e9/L"),
        ("109/L", "1e9/L"),  # lost superscript shown by the slash
        ("1012/L", "1e12/L"),
        ("G/L", "1e9/L"),
        ("giga/L", "1e9/L"),
        ("K/uL", "1e3/uL"),
        ("x 10^9 cells/L", "1e9 cells/L"),
        # not powers of ten
        ("x 100/uL", "x 100/uL"),
        ("100/uL", "100/uL"),
        ("kg/m^2", "kg/m^2"),
        ("1e9/L", "1e9/L"),
    ],
)
def test_powers_of_ten(written, expected):
    assert unit_text.powers_of_ten(written) == expected


@pytest.mark.parametrize(
    ("written", "expected"),
    [
        ("/mm3", "/mm**3"),
        ("/mm^3", "/mm**3"),
        ("kg/m2", "kg/m**2"),
        ("1.73m^2", "1.73m**2"),
        ("1.73 m2", "1.73 m**2"),
        ("/cm3", "/cm**3"),
        ("mm**3", "mm**3"),
        ("mmol/L", "mmol/L"),
        ("mm2.5", "mm2.5"),
    ],
)
def test_unit_exponents(written, expected):
    assert unit_text.unit_exponents(written) == expected


@pytest.mark.parametrize(
    ("written", "expected"),
    [
        ("g/24h", "g/(24*h)"),
        ("g/24 hours", "g/(24*hours)"),
        ("g/24-hour", "g/(24*hour)"),
        ("mL/min/1.73 m**2", "mL/min/(1.73*m**2)"),
        ("mL/min/1.73", "mL/min/(1.73*m**2)"),
        ("mg/100 mL", "mg/(100*mL)"),
        ("mg/dL", "mg/dL"),
        ("1e9/L", "1e9/L"),
    ],
)
def test_numeric_denominators(written, expected):
    assert unit_text.numeric_denominators(written) == expected


def test_leading_slash():
    assert unit_text.leading_slash("/mm**3") == "1/mm**3"
    assert unit_text.leading_slash("mg/dL") == "mg/dL"


@pytest.mark.parametrize(
    ("written", "expected"),
    [
        ("1e9 cells/L", "1e9*cells/L"),
        ("1e9cells/L", "1e9*cells/L"),
        ("1e9/L", "1e9/L"),
        ("(1.73*m**2)", "(1.73*m**2)"),
        ("mm**3", "mm**3"),
    ],
)
def test_implicit_multiplication(written, expected):
    assert unit_text.implicit_multiplication(written) == expected


@pytest.mark.parametrize(
    ("written", "expected"),
    [("mL / min", "mL/min"), ("L^-1", "L**-1"), ("mg  dL", "mg dL"), (" 1/ mm**3 ", "1/mm**3")],
)
def test_tidy_operators(written, expected):
    assert unit_text.tidy_operators(written) == expected


@pytest.mark.parametrize(
    ("written", "expected"),
    [("MG/DL", "mg/dl"), ("MIU/L", "mIU/l"), ("U/L", "U/l"), ("MMHG", "mmHg"), ("UMOL/L", "umol/l")],
)
def test_lower_case_fallback(written, expected):
    assert unit_text.lower_case_fallback(written) == expected


@pytest.mark.parametrize(
    ("written", "expected"),
    [
        ("/mm³", "1/mm**3"),
        ("cells/mm^3", "cells/mm**3"),
        ("× 10⁹/L", "1e9/L"),
        ("× 109/L", "1e9/L"),
        ("×103/μL", "1e3/uL"),
        ("x 10^9 cells/L", "1e9*cells/L"),
        ("K/uL", "1e3/uL"),
        ("mL/min/1.73 m2", "mL/min/(1.73*m**2)"),
        ("mL/min/1.73m²", "mL/min/(1.73*m**2)"),
        ("mL/min per 1.73 m2", "mL/min/(1.73*m**2)"),
        ("g/24h", "g/(24*h)"),
        ("mg %", "mg/dL"),
        ("µIU/mL", "uIU/mL"),
        ("beats per minute", "beats/minute"),
        ("mm Hg", "mmHg"),
        ("kg/m²", "kg/m**2"),
    ],
)
def test_normalize_unit_text_chain(written, expected):
    assert normalize_unit_text(written) == expected


def test_preprocessor_chain_is_a_list_of_named_functions():
    names = [f.__name__ for f in unit_text.UNIT_TEXT_PREPROCESSORS]
    assert "<lambda>" not in names
    assert names[0] == "strip_surrounding_noise" and names[-1] == "tidy_operators"


# ---------------------------------------------------------------- cell counts

CELL_COUNT_UNITS_PER_1E9_L = {
    # written unit: value of "1 <written>" in 10^9/L
    "/mm3": 1e-3,
    "/mm³": 1e-3,
    "cells/mm3": 1e-3,
    "cells/mm^3": 1e-3,
    "cells/mm³": 1e-3,
    "/µL": 1e-3,  # micro sign
    "/uL": 1e-3,
    "/μL": 1e-3,  # Greek mu
    "cells/μL": 1e-3,
    "cells/uL": 1e-3,
    "/mcL": 1e-3,
    "/mmc": 1e-3,
    "×10^9/L": 1.0,
    "x 10^9/L": 1.0,
    "× 10⁹/L": 1.0,
    "x10e9/L": 1.0,
    "10^9/L": 1.0,
    "E9/L": 1.0,
    "G/L": 1.0,
    "giga/L": 1.0,
    "x 10^9 cells/L": 1.0,
    "× 109/L": 1.0,
    "x 10³/µL": 1.0,
    "x10^3/uL": 1.0,
    "×103/μL": 1.0,
    "10^3/uL": 1.0,
    "K/uL": 1.0,
    "/L": 1e-9,
    "/ml": 1e-6,
    "/mL": 1e-6,
}


@pytest.mark.parametrize(("written", "factor"), sorted(CELL_COUNT_UNITS_PER_1E9_L.items()))
def test_cell_count_units(units, written, factor):
    assert units.to_canonical(1, written, "10^9/L") == pytest.approx(factor)
    assert units.is_known_unit(written)


def test_cell_count_examples(units):
    assert units.to_canonical(1500, "/mm3", "10^9/L") == pytest.approx(1.5)
    assert units.to_canonical(100, "x 10^3/uL", "10^9/L") == pytest.approx(100)
    assert units.to_canonical(100_000, "/mm3", "10^9/L") == pytest.approx(100)
    # "100 × 109/L": a lost superscript
    assert units.to_canonical(100, "× 109/L", "10^9/L") == pytest.approx(100)
    # "1.5 ×103/μL"
    assert units.to_canonical(1.5, "×103/μL", "10^9/L") == pytest.approx(1.5)
    # "50.000/mmc" (European thousands separator; the caller reads the number)
    assert units.to_canonical(50_000, "/mmc", "10^9/L") == pytest.approx(50)
    # CD4 canonical cells/uL
    assert units.to_canonical(200, "/mm3", "cells/uL") == pytest.approx(200)
    assert units.to_canonical(0.2, "x 10^9/L", "cells/uL") == pytest.approx(200)


# ---------------------------------------------------------------- concentrations

@pytest.mark.parametrize(
    ("value", "written", "canonical", "molar_mass", "expected"),
    [
        (1, "mg/dL", "mg/dL", None, 1),
        (1, "mg/dl", "mg/dL", None, 1),
        (1, "mg %", "mg/dL", None, 1),
        (1, "mg%", "mg/dL", None, 1),
        (9, "g/dL", "g/dL", None, 9),
        (9, "g/dl", "g/dL", None, 9),
        (90, "g/L", "g/dL", None, 9),
        (9, "gm/dL", "g/dL", None, 9),
        (9, "gr/dl", "g/dL", None, 9),
        (3, "g/dL", "g/L", None, 30),
        # creatinine 113.12 g/mol: 88.4 umol/L = 1 mg/dL
        (88.4, "µmol/L", "mg/dL", 113.12, 1.0),
        (88.4, "umol/L", "mg/dL", 113.12, 1.0),
        (88.4, "μmol/l", "mg/dL", 113.12, 1.0),
        (88.4, "micromol/L", "mg/dL", 113.12, 1.0),
        (1.5, "mg/dL", "mg/dL", 113.12, 1.5),  # molar mass given but not needed
        # bilirubin 584.66: 17.1 umol/L = 1 mg/dL
        (17.1, "umol/L", "mg/dL", 584.66, 1.0),
        (34.2, "µmol/L", "mg/dL", 584.66, 2.0),
        # glucose 180.16: mmol/L x 18.016 = mg/dL
        (7, "mmol/L", "mg/dL", 180.16, 7 * 18.016),
        # calcium 40.08: mg/dL / 4.008 = mmol/L
        (10.02, "mg/dL", "mmol/L", 40.08, 2.5),
        # hemoglobin per heme 16114.5: mmol/L x 1.611 = g/dL
        (6.2, "mmol/L", "g/dL", 16114.5, 6.2 * 1.611),
        # testosterone 288.42: nmol/L -> ng/dL
        (1.7, "nmol/L", "ng/dL", 288.42, 1.7 * 28.842),
        (5.0, "mmol/L", "mmol/L", None, 5.0),
        (4, "ng/mL", "ng/mL", None, 4),
        (4, "ng/ml", "ng/mL", None, 4),
        (4, "ng/mL", "ng/L", None, 4000),
        (14, "ng/L", "ng/L", None, 14),
        (100, "pg/mL", "pg/mL", None, 100),
        (0.1, "ng/mL", "pg/mL", None, 100),
        (50, "ng/dL", "ng/dL", None, 50),
        (1, "mcg/mL", "ng/mL", None, 1000),
        (5, "mM", "mmol/L", None, 5),
        (1, "mg/g", "g/g", None, 0.001),
        (1, "mg/mg", "g/g", None, 1),
    ],
)
def test_concentrations(units, value, written, canonical, molar_mass, expected):
    assert units.to_canonical(value, written, canonical, molar_mass) == pytest.approx(
        expected, rel=1e-3
    )


def test_mass_to_substance_needs_molar_mass(units):
    assert units.to_canonical(88.4, "umol/L", "mg/dL") is None
    assert units.to_canonical(88.4, "umol/L", "mg/dL", molar_mass=0) is None
    assert units.to_canonical(88.4, "umol/L", "mg/dL", molar_mass=-5) is None
    assert units.to_canonical(88.4, "umol/L", "mg/dL", molar_mass=float("nan")) is None


def test_equivalents_use_valence(units):
    assert units.to_canonical(140, "mEq/L", "mmol/L") == pytest.approx(140)  # Na+, valence 1
    assert units.to_canonical(140, "meq/l", "mmol/L") == pytest.approx(140)
    assert units.to_canonical(5, "mEq/L", "mmol/L", valence=2) == pytest.approx(2.5)  # Ca2+
    assert units.to_canonical(5, "mEq/L", "mg/dL", molar_mass=40.08, valence=2) == pytest.approx(
        10.02
    )
    assert units.to_canonical(5, "mEq/L", "mmol/L", valence=0) is None
    # valence is irrelevant without equivalents
    assert units.to_canonical(5, "mmol/L", "mmol/L", valence=2) == pytest.approx(5)


def test_hba1c_mmol_per_mol_to_percent_is_affine(units):
    assert units.to_canonical(53, "mmol/mol", "%") == pytest.approx(53 / 10.929 + 2.15)
    assert units.to_canonical(53, "mmol/mol", "%") == pytest.approx(7.0, abs=0.01)
    assert units.to_canonical(48, "mmol/mol", "%") == pytest.approx(6.54, abs=0.01)
    assert units.to_canonical(7.0, "%", "mmol/mol") == pytest.approx(53.0, abs=0.1)
    assert units.to_canonical(7.0, "%", "%") == pytest.approx(7.0)
    assert AFFINE_CONVERSIONS[("millimole / mole", "percent")] == (1 / 10.929, 2.15)


# ---------------------------------------------------------------- renal

@pytest.mark.parametrize(
    ("written", "canonical", "expected"),
    [
        ("mL/min", "mL/min", 60),
        ("ml/min", "mL/min", 60),
        ("ml/minute", "mL/min", 60),
        ("mL/sec", "mL/min", 3600),
        ("mL/s", "mL/min", 3600),
        ("mL/min/1.73 m2", "mL/min/1.73m2", 60),
        ("mL/min/1.73m²", "mL/min/1.73m2", 60),
        ("ml/min/1.73m^2", "mL/min/1.73m2", 60),
        ("mL/min per 1.73 m2", "mL/min/1.73m2", 60),
        ("mL/min/1.73", "mL/min/1.73m2", 60),
        ("ML/MIN/1.73 M2", "mL/min/1.73m2", 60),
    ],
)
def test_renal_units(units, written, canonical, expected):
    assert units.to_canonical(60, written, canonical) == pytest.approx(expected)


def test_renal_dimensions_differ_returns_none(units):
    # Documented: mL/min is not mL/min/1.73m2; the caller may fall back 1:1 for its analyte.
    assert units.to_canonical(60, "mL/min", "mL/min/1.73m2") is None
    assert units.to_canonical(60, "mL/min/1.73 m2", "mL/min") is None


# ---------------------------------------------------------------- urine protein

@pytest.mark.parametrize(
    ("value", "written", "expected"),
    [
        (1, "g/24h", 1),
        (1, "g/24 h", 1),
        (1, "g/24 hours", 1),
        (1, "g/24hrs", 1),
        (1, "g/day", 1),
        (1, "g/d", 1),
        (500, "mg/24h", 0.5),
        (500, "mg/24 hours", 0.5),
        (500, "mg/day", 0.5),
    ],
)
def test_urine_protein_rates(units, value, written, expected):
    assert units.to_canonical(value, written, "g/24h") == pytest.approx(expected)


def test_g_per_24h_is_a_rate_not_g_times_h(units):
    parsed = units.parse_unit("g/24h")
    assert parsed is not None
    assert parsed.dimensionality == "[mass] / [time]"
    assert units.to_canonical(1, "g/L", "g/24h") is None


# ---------------------------------------------------------------- activity, copies

@pytest.mark.parametrize(
    ("value", "written", "canonical", "expected"),
    [
        (40, "U/L", "U/L", 40),
        (40, "IU/L", "U/L", 40),
        (40, "u/l", "U/L", 40),
        (20, "IU/ml", "IU/mL", 20),
        (20, "IU/mL", "IU/mL", 20),
        (20000, "IU/L", "IU/mL", 20),
        (20, "iu/ml", "IU/mL", 20),
        (4.5, "mIU/L", "mIU/L", 4.5),
        (4.5, "µIU/mL", "mIU/L", 4.5),
        (4.5, "μIU/mL", "mIU/L", 4.5),
        (4.5, "uIU/mL", "mIU/L", 4.5),
        (4.5, "MIU/L", "mIU/L", 4.5),  # capitals: milli, not mega
        (50, "copies/mL", "copies/mL", 50),
        (50, "copies/ml", "copies/mL", 50),
        (50, "copy/ml", "copies/mL", 50),
        (50, "cp/mL", "copies/mL", 50),
        (50_000, "copies/L", "copies/mL", 50),
    ],
)
def test_activity_and_copies(units, value, written, canonical, expected):
    assert units.to_canonical(value, written, canonical) == pytest.approx(expected)


def test_iu_and_copies_do_not_convert(units):
    assert units.to_canonical(20, "IU/mL", "copies/mL") is None
    assert units.to_canonical(20, "copies/mL", "IU/mL") is None


# ---------------------------------------------------------------- times and others

@pytest.mark.parametrize(
    ("value", "written", "canonical", "expected"),
    [
        (480, "ms", "ms", 480),
        (480, "msec", "ms", 480),
        (480, "milliseconds", "ms", 480),
        (0.48, "s", "ms", 480),
        (30, "s", "s", 30),
        (30, "sec", "s", 30),
        (30, "seconds", "s", 30),
        (150, "mmHg", "mmHg", 150),
        (150, "mm Hg", "mmHg", 150),
        (50, "%", "%", 50),
        (50, "percent", "%", 50),
        (30, "kg/m2", "kg/m2", 30),
        (30, "kg/m²", "kg/m2", 30),
        (30, "kg/m^2", "kg/m2", 30),
        (70, "kg", "kg", 70),
        (100, "lbs", "kg", 45.359237),
        (100, "lb", "kg", 45.359237),
        (60, "bpm", "bpm", 60),
        (60, "beats/min", "bpm", 60),
        (60, "beats per minute", "bpm", 60),
        (1, "beats/s", "bpm", 60),
        (1.5, "ratio", "ratio", 1.5),
        (50, "%", "ratio", 0.5),
    ],
)
def test_times_and_measurements(units, value, written, canonical, expected):
    assert units.to_canonical(value, written, canonical) == pytest.approx(expected)


def test_no_written_unit_converts_only_to_ratio(units):
    assert units.to_canonical(1.5, None, "ratio") == pytest.approx(1.5)
    assert units.to_canonical(1.5, "", "ratio") == pytest.approx(1.5)
    assert units.to_canonical(1.5, None, "mg/dL") is None


# ---------------------------------------------------------------- durations

@pytest.mark.parametrize(
    ("word", "name"),
    [
        ("day", "day"), ("days", "day"), ("day(s)", "day"), ("d", "day"), ("Days", "day"),
        ("week", "week"), ("weeks", "week"), ("week(s)", "week"), ("wk", "week"),
        ("wks", "week"), ("wks.", "week"),
        ("month", "month"), ("months", "month"), ("month(s)", "month"), ("mo", "month"),
        ("year", "year"), ("years", "year"), ("year(s)", "year"), ("yr", "year"),
        ("yrs", "year"), ("YEARS", "year"),
        ("hour", "hour"), ("hours", "hour"), ("hour(s)", "hour"), ("h", "hour"),
        ("hrs", "hour"),
        ("mg", None), ("", None), ("cycles", None), ("half-lives", None),
    ],
)
def test_duration_unit_name(word, name):
    assert duration_unit_name(word) == name


@pytest.mark.parametrize(
    ("value", "word", "days"),
    [
        (28, "days", 28), (4, "weeks", 28), (3, "months", 90), (1, "year", 365),
        (2, "yrs", 730), (48, "hours", 2), (72, "h", 3), (6, "mo", 180), (2, "wk", 14),
    ],
)
def test_duration_days(value, word, days):
    assert duration_days(value, word) == pytest.approx(days)


def test_duration_days_rejects(units):
    assert duration_days(4, "cycles") is None
    assert duration_days("4", "weeks") is None  # type: ignore[arg-type]
    assert duration_days(4, None) is None  # type: ignore[arg-type]


@pytest.mark.parametrize(
    ("value", "written", "canonical", "expected"),
    [
        (4, "weeks", "day", 28),
        (3, "months", "day", 90),  # contract: month = 30 days (pint would say 91.3)
        (1, "year", "day", 365),  # contract: 365 (pint: 365.25)
        (18, "years", "year", 18),
        (6, "months", "year", 180 / 365),
        (72, "hours", "day", 3),
        (2, "day(s)", "day", 2),
        (30, "min", "day", 30 / 1440),  # not a duration word: pint
    ],
)
def test_to_canonical_durations_use_contract_days(units, value, written, canonical, expected):
    assert units.to_canonical(value, written, canonical) == pytest.approx(expected)


# ---------------------------------------------------------------- parsing and garbage

def test_parse_unit_fields_and_cache(units):
    parsed = units.parse_unit("x 10^9/L")
    assert isinstance(parsed, ParsedUnit)
    assert parsed.written == "x 10^9/L"
    assert parsed.text == "1e9/L"
    assert parsed.magnitude == pytest.approx(1e9)
    assert parsed.units == "1 / liter"
    assert parsed.dimensionality == "1 / [length] ** 3"
    assert units.parse_unit("x 10^9/L") is parsed  # cached


@pytest.mark.parametrize(
    "written",
    [
        "", "   ", "garbage", "ULN", "x ULN", "× ULN", "mg/kg/foo", "in", "a", "at", "M",
        "and", "or", "times", "prior", "x 10^9", "10^9", "1.5", "/", "()", "mg/(", "10**999/L",
        "9**9**9**9", "1e999/L", "x" * 500, "mg/dL" * 30, "ft", "K", "cups",
        "mg\x00/dL", "🙂", "mg/dL/😀",
    ],
)
def test_garbage_is_not_a_unit(units, written):
    assert units.parse_unit(written) is None
    assert units.is_known_unit(written) is False
    assert units.to_canonical(1, written, "mg/dL") is None


@pytest.mark.parametrize(
    ("value", "written", "canonical", "molar_mass"),
    [
        (1, "mg/dL", "U/L", None),
        (1, "mg/dL", "garbage", None),
        (1, "mg/dL", "", None),
        (1, "mg/dL", None, None),
        ("1", "mg/dL", "mg/dL", None),
        (None, "mg/dL", "mg/dL", None),
        (float("nan"), "mg/dL", "mg/dL", None),
        (float("inf"), "mg/dL", "mg/dL", None),
        (1e308, "g/dL", "mg/dL", None),
        (1, ["mg/dL"], "mg/dL", None),
        (1, "mg/dL", "mg/dL", [1]),
        (1, "kg", "ms", None),
        (1, 5, "ms", None),
    ],
)
def test_to_canonical_failures_return_none(units, value, written, canonical, molar_mass):
    assert units.to_canonical(value, written, canonical, molar_mass) is None


@settings(max_examples=400, deadline=None)
@given(written=st.text(max_size=40), canonical=st.text(max_size=20), value=st.floats())
def test_no_exception_escapes_for_any_text(units, written, canonical, value):
    units.parse_unit(written)
    units.is_known_unit(written)
    units.to_canonical(value, written, canonical)
    units.to_canonical(value, written, "10^9/L", molar_mass=113.12)
    duration_unit_name(written)
    duration_days(value, written)
    assert isinstance(normalize_unit_text(written), str)


UNITISH = st.lists(
    st.sampled_from(
        list("0123456789./*^()xX×µμ% -eEmgdLlunpckKGMs²³⁹")
        + ["10", "mm", "mol", "IU", "per", "cells", "1.73", "24h", "**", "e9", "mEq", "Hg"]
    ),
    max_size=12,
).map("".join)


@settings(max_examples=400, deadline=None)
@given(written=UNITISH, value=st.floats(allow_nan=False, allow_infinity=False))
def test_no_exception_escapes_for_unit_like_text(units, written, value):
    for canonical in ("10^9/L", "mg/dL", "g/24h", "%", "mL/min/1.73m2", "day"):
        result = units.to_canonical(value, written, canonical, molar_mass=113.12)
        assert result is None or isinstance(result, float)


@pytest.mark.parametrize("written", sorted(CELL_COUNT_UNITS_PER_1E9_L) + [
    "mL/min/1.73 m2", "g/24h", "mg %", "beats per minute", "mm Hg", "µIU/mL", "kg/m²",
])
def test_normalize_unit_text_is_idempotent(written):
    once = normalize_unit_text(written)
    assert normalize_unit_text(once) == once


# ---------------------------------------------------------------- canonical units of the contract

CANONICAL_UNITS = [
    "10^9/L", "g/dL", "mg/dL", "U/L", "mL/min", "mL/min/1.73m2", "ratio", "s", "%", "mmol/L",
    "mIU/L", "g/24h", "g/g", "ng/mL", "ng/dL", "cells/uL", "copies/mL", "IU/mL", "ng/L",
    "pg/mL", "mmHg", "ms", "kg/m2", "kg", "bpm", "day", "year",
]


@pytest.mark.parametrize("canonical", CANONICAL_UNITS)
def test_every_canonical_unit_parses_and_converts_to_itself(units, canonical):
    assert units.is_known_unit(canonical)
    assert units.to_canonical(2.5, canonical, canonical) == pytest.approx(2.5)


# ---------------------------------------------------------------- registry and definitions

def test_units_txt_is_documented_like_pint():
    text = RULES_UNITS.read_text(encoding="utf-8")
    assert text.startswith("# eligex extra units for pint")
    assert "<canonical name> = <relation to another unit or dimension>" in text
    assert "@alias" in text


def test_default_normalizer_is_built_once():
    assert default_unit_normalizer() is default_unit_normalizer()


def test_importing_units_does_not_import_pint():
    code = (
        "import sys, eligex.extractors.units, eligex.extractors.unit_text; "
        "assert 'pint' not in sys.modules, 'pint imported at module import'"
    )
    subprocess.run([sys.executable, "-c", code], check=True)


def test_extra_definition_file_adds_units(tmp_path):
    extra = tmp_path / "pack_units.txt"
    extra.write_text("# a rule pack's units\ntablet = count = tab = tablets\n", encoding="utf-8")
    units = UnitNormalizer(extra_definition_files=[extra], on_redefinition="raise")
    assert units.to_canonical(2, "tablets/day", "tablet/week") == pytest.approx(14)
    assert UnitNormalizer().parse_unit("tablets/day") is None


@pytest.mark.parametrize(
    ("content", "where", "message"),
    [
        ("# shadows pint\n\ngram = 2 * kilogram\n", "line 3", "already defined"),
        ("# shadows eligex\ncell = count\n", "line 2", "already defined"),
        ("# ok\nwidget = count\nthis is not a definition\n", "line 3", "not a pint definition"),
        ("foo =\n", "line 1", "not a pint definition"),
        ("gizmo = 3 * nosuchunit\n", "line 1", "undefined"),
        ("@alias nosuchunit = zz\n", "line 1", "invalid unit definitions"),
    ],
)
def test_bad_definitions_file_raises_rule_pack_error(tmp_path, content, where, message):
    bad = tmp_path / "bad_units.txt"
    bad.write_text(content, encoding="utf-8")
    with pytest.raises(RulePackError) as info:
        UnitNormalizer(extra_definition_files=[bad], on_redefinition="raise")
    err = info.value
    assert err.path == str(bad)
    assert err.where == where
    assert message in err.detail
    assert str(bad) in str(err)


def test_missing_definitions_file_raises_rule_pack_error(tmp_path):
    with pytest.raises(RulePackError) as info:
        UnitNormalizer(extra_definition_files=[tmp_path / "nope.txt"])
    assert "cannot read" in info.value.detail


# ---------------------------------------------------------------- speed

def test_cached_conversion_speed(units):
    cases = [
        ("/mm3", "10^9/L", None),
        ("umol/L", "mg/dL", 113.12),
        ("mmol/mol", "%", None),
        ("weeks", "day", None),
    ]
    for written, canonical, mw in cases:
        units.to_canonical(1.0, written, canonical, mw)  # warm up
    n = 50_000
    start = time.perf_counter()
    for i in range(n):
        written, canonical, mw = cases[i & 3]
        units.to_canonical(1500.0, written, canonical, mw)
    rate = n / (time.perf_counter() - start)
    assert rate >= 200_000, f"{rate:,.0f} calls/s"
