"""Unit normalisation: a written unit ("/mm3", "x 10^9/L", "umol/L") to the contract's
canonical unit for an analyte (spec/OUTPUT.md), through one pint registry.

    normalizer = default_unit_normalizer()          # built once per process
    normalizer.to_canonical(1500, "/mm3", "10^9/L")                      # 1.5
    normalizer.to_canonical(88.4, "umol/L", "mg/dL", molar_mass=113.12)  # 1.0
    normalizer.to_canonical(53, "mmol/mol", "%")                         # 7.0 (HbA1c)
    duration_days(6, "weeks")                                            # 42

How a written unit is read:
1. `normalize_unit_text` (extractors/unit_text.py) rewrites the string with small named
   preprocessors so pint can parse it.
2. The result must look like a unit expression (letters, numbers, * / ** ( ) %), short,
   with small exponents; anything else is refused before pint sees it.
3. pint parses it with pint's default units plus rules/units.txt (cells, copies, IU,
   equivalents, mmc, bpm) and any extra definitions files.
4. Every unit in it must be one a clinical criterion uses (grams, litres, moles,
   seconds... plus anything the definitions files add), so "in" (inch), "a" (annum) or
   "at" (technical atmosphere) are not taken for units.

pint is imported only when a UnitNormalizer is built, so importing this module is cheap.
Nothing here raises for a bad unit string: unknown or inconvertible units give None.
"""
from __future__ import annotations

import math
import re
from collections.abc import Sequence
from dataclasses import dataclass, field, replace
from functools import lru_cache
from importlib import resources
from pathlib import Path
from typing import Any

from .errors import RulePackError
from .unit_text import lower_case_fallback, normalize_unit_text

__all__ = [
    "ParsedUnit",
    "UnitNormalizer",
    "default_unit_normalizer",
    "duration_days",
    "duration_unit_name",
    "normalize_unit_text",
    "AFFINE_CONVERSIONS",
    "DAYS_PER_DURATION_UNIT",
]

# ---------------------------------------------------------------- durations (no pint)

#: Contract (spec/OUTPUT.md): week = 7 days, month = 30, year = 365.
DAYS_PER_DURATION_UNIT: dict[str, float] = {
    "hour": 1 / 24,
    "day": 1.0,
    "week": 7.0,
    "month": 30.0,
    "year": 365.0,
}

_DURATION_WORDS: dict[str, str] = {
    **dict.fromkeys(("hour", "hours", "h", "hr", "hrs"), "hour"),
    **dict.fromkeys(("day", "days", "d", "dy", "dys"), "day"),
    **dict.fromkeys(("week", "weeks", "wk", "wks", "w"), "week"),
    **dict.fromkeys(("month", "months", "mo", "mos", "mth", "mths", "mon"), "month"),
    **dict.fromkeys(("year", "years", "yr", "yrs", "y"), "year"),
}
_DURATION_NOISE = re.compile(r"\(s\)|[\s.]+$|^\s+")


def duration_unit_name(word: str) -> str | None:
    """'day' | 'week' | 'month' | 'year' | 'hour' for a duration word, else None.

    Case-insensitive; accepts plurals, "(s)" and a trailing full stop:
    "Weeks" -> "week", "day(s)" -> "day", "yrs." -> "year", "mo" -> "month".
    """
    if not isinstance(word, str):
        return None
    return _DURATION_WORDS.get(_DURATION_NOISE.sub("", word).lower())


def duration_days(value: float, unit_word: str) -> float | None:
    """The duration in days (week 7, month 30, year 365), or None for a non-duration word."""
    name = duration_unit_name(unit_word)
    if name is None:
        return None
    try:
        days = value * DAYS_PER_DURATION_UNIT[name]
    except TypeError:
        return None
    return days if isinstance(days, (int, float)) and math.isfinite(days) else None


_DURATION_CANONICAL = {"day": 1.0, "days": 1.0, "year": 365.0, "years": 365.0}

# ---------------------------------------------------------------- special conversions

#: Affine conversions pint cannot express (an offset between units of one dimension),
#: keyed by (written pint units, canonical pint units) → (scale, offset):
#: canonical = written * scale + offset.
#: HbA1c: NGSP % = IFCC mmol/mol / 10.929 + 2.15 (the master equation).
AFFINE_CONVERSIONS: dict[tuple[str, str], tuple[float, float]] = {
    ("millimole / mole", "percent"): (1 / 10.929, 2.15),
    ("percent", "millimole / mole"): (10.929, -2.15 * 10.929),
}

# ---------------------------------------------------------------- what counts as a unit

#: pint base names a criterion may use, with any of the prefixes below.
_PREFIXABLE_ROOTS = frozenset(
    {"gram", "liter", "mole", "meter", "second", "enzyme_unit", "molar", "meter_Hg"}
)
#: pint base names a criterion may use without a prefix only.
_PLAIN_ROOTS = frozenset(
    {"minute", "hour", "day", "week", "month", "year", "percent", "pound", "count",
     "cubic_centimeter"}
)
_ALLOWED_PREFIXES = frozenset(
    {"", "kilo", "deci", "centi", "milli", "micro", "nano", "pico", "femto"}
)
#: pint symbols that resolve to an allowed unit but, after a number in a criterion, are
#: words or something else: "a" (annum; the article), "M" (molar; million, months).
_REJECTED_NAMES = frozenset({"a", "M"})
_NAME_TOKEN = re.compile(r"[A-Za-z_]+")

# A normalised unit expression: names, numbers, * / ** ( ) % and single spaces; short.
_SAFE_UNIT_TEXT = re.compile(r"[A-Za-z0-9_.*/()% +-]{1,64}")
_BIG_EXPONENT = re.compile(r"\*\*\s*\(?\s*[+-]?\d{2,}|[eE][+-]?\d{3,}")
_HAS_LETTERS = re.compile(r"[A-Za-z%]")
_NUMBER = re.compile(r"\d+(?:\.\d+)?(?:[eE][+-]?\d+)?")
_LETTER = re.compile(r"[A-Za-z]")

_MAX_CACHE = 16384
_MISSING = object()

_DEFAULT_DEFINITIONS = "units.txt"


@dataclass(frozen=True)
class ParsedUnit:
    """A written unit as pint understood it.

    `text` is the preprocessed string pint parsed; `magnitude` is the numeric factor in
    it (1e9 for "x 10^9/L", 1 for "mg/dL"); `units` and `dimensionality` are pint's
    spellings ("1 / cubic_millimeter", "1 / [length] ** 3").
    """

    written: str
    text: str
    magnitude: float
    units: str
    dimensionality: str
    quantity: Any = field(compare=False, repr=False)  # pint Quantity: magnitude * units


class UnitNormalizer:
    """One pint registry plus caches. Build once per process (`default_unit_normalizer`).

    `extra_definition_files`: pint definitions files loaded after rules/units.txt (a rule
    pack may point to one). A file that cannot be loaded, or that redefines a unit pint
    or an earlier file already has, raises RulePackError(path, where, message).
    """

    def __init__(
        self,
        extra_definition_files: Sequence[Path] = (),
        *,
        on_redefinition: str = "raise",
    ):
        import pint  # lazily: only the normaliser needs it

        self._pint = pint
        self.ureg = pint.UnitRegistry(on_redefinition=on_redefinition)
        before = set(self.ureg._units)
        with resources.as_file(
            resources.files("eligex.rules").joinpath(_DEFAULT_DEFINITIONS)
        ) as default_path:
            self._load_definitions(Path(default_path))
        for path in extra_definition_files:
            self._load_definitions(Path(path))
        # Units the definitions files add are clinical by construction: allow them.
        self._added_roots = frozenset(set(self.ureg._units) - before)
        self._parsed: dict[str, ParsedUnit | None] = {}
        self._conversions: dict[tuple, tuple[float, float] | None] = {}
        # many spellings normalise to one text ("mg/dl", "mg / dL") and many texts to one
        # unit: pint parses each text once and each unit pair is converted once
        self._parsed_texts: dict[str, ParsedUnit | None] = {}
        self._unit_conversions: dict[tuple, tuple[float, float] | None] = {}
        self._names: dict[str, bool] = {}
        from pint.util import string_preprocessor

        self._pint_preprocess = string_preprocessor

    # ------------------------------------------------------------ definitions

    def _load_definitions(self, path: Path) -> None:
        """Load one definitions file; every failure becomes a RulePackError."""
        before = set(self.ureg._units)
        try:
            lines = path.read_text(encoding="utf-8").splitlines()
        except (OSError, UnicodeDecodeError) as exc:
            raise RulePackError(str(path), "", f"cannot read unit definitions: {exc}") from None
        bad = _first_malformed_line(lines)
        if bad is not None:
            lineno, line = bad
            raise RulePackError(
                str(path), f"line {lineno}", f"not a pint definition: {line.strip()!r}"
            )
        try:
            self.ureg.load_definitions(str(path))
        except self._pint.errors.RedefinitionError as exc:
            name = getattr(exc, "name", "")
            raise RulePackError(
                str(path),
                _where_defined(lines, name),
                f"{name!r} is already defined (by pint or an earlier file); "
                "choose another name or use @alias",
            ) from None
        except Exception as exc:  # pint raises KeyError, TypeError, DefinitionSyntaxError...
            name = exc.args[0] if isinstance(exc, KeyError) and exc.args else ""
            raise RulePackError(
                str(path),
                _where_defined(lines, str(name)) if name else "",
                f"invalid unit definitions: {type(exc).__name__}: {exc}",
            ) from None
        # pint resolves references lazily: check each new unit reduces to base units now.
        for name in sorted(set(self.ureg._units) - before):
            try:
                self.ureg.get_base_units(name)
            except Exception as exc:
                raise RulePackError(
                    str(path),
                    _where_defined(lines, name),
                    f"unit {name!r} refers to something undefined: {exc}",
                ) from None

    # ------------------------------------------------------------ parsing

    def parse_unit(self, written: str) -> ParsedUnit | None:
        """The unit pint reads from `written` (preprocessed), or None if it is not a unit
        we understand. Cached per string."""
        try:
            parsed = self._parsed.get(written, _MISSING)
        except TypeError:  # unhashable
            return None
        if parsed is _MISSING:
            parsed = self._parse_uncached(written)
            if len(self._parsed) >= _MAX_CACHE:
                self._parsed.clear()
            self._parsed[written] = parsed
        return parsed  # type: ignore[return-value]

    def is_known_unit(self, written: str) -> bool:
        return self.parse_unit(written) is not None

    def _parse_uncached(self, written: str) -> ParsedUnit | None:
        if not isinstance(written, str) or not written.strip() or len(written) > 200:
            return None
        try:
            text = normalize_unit_text(written)
        except Exception:
            return None
        parsed = self._parse_text(written, text)
        if parsed is None and len(_LETTER.findall(written)) >= 2:
            try:
                lowered = lower_case_fallback(written)
                # unchanged by the fallback: the same text again, which did not parse
                if lowered != written:
                    parsed = self._parse_text(written, normalize_unit_text(lowered))
            except Exception:
                parsed = None
        return parsed

    def _parse_text(self, written: str, text: str) -> ParsedUnit | None:
        parsed = self._parsed_texts.get(text, _MISSING)
        if parsed is _MISSING:
            parsed = self._parse_text_uncached(written, text)
            if len(self._parsed_texts) >= _MAX_CACHE:
                self._parsed_texts.clear()
            self._parsed_texts[text] = parsed
        if parsed is None or parsed.written == written:  # type: ignore[union-attr]
            return parsed  # type: ignore[return-value]
        return replace(parsed, written=written)  # type: ignore[type-var]

    def _parse_text_uncached(self, written: str, text: str) -> ParsedUnit | None:
        if (
            not _SAFE_UNIT_TEXT.fullmatch(text)
            or _BIG_EXPONENT.search(text)
            or not _HAS_LETTERS.search(_NUMBER.sub("", text))
            or any(name in _REJECTED_NAMES for name in _NAME_TOKEN.findall(text))
        ):
            return None
        if not all(self._defined(name) for name in _NAME_TOKEN.findall(_NUMBER.sub("", self._pint_preprocess(text)))):
            # the cheap test: a word pint does not define ("or", "times", "who") makes
            # parse_expression fail, after far more work
            return None
        try:
            quantity = self.ureg.parse_expression(text)
            if not isinstance(quantity, self.ureg.Quantity):
                return None  # a bare number
            magnitude = float(quantity.magnitude)
            units = quantity.units
            if not math.isfinite(magnitude) or magnitude <= 0:
                return None
            if not all(self._is_clinical_unit(name) for name in units._units):
                return None
            return ParsedUnit(
                written=written,
                text=text,
                magnitude=magnitude,
                units=str(units),
                dimensionality=str(quantity.dimensionality),
                quantity=quantity,
            )
        except Exception:
            return None

    def _defined(self, name: str) -> bool:
        known = self._names.get(name)
        if known is None:
            known = name == "dimensionless" or bool(self.ureg.parse_unit_name(name))
            if len(self._names) >= _MAX_CACHE:
                self._names.clear()
            self._names[name] = known
        return known

    def _is_clinical_unit(self, name: str) -> bool:
        if name in self._added_roots or name in _PLAIN_ROOTS:
            return True
        for prefix, root, suffix in self.ureg.parse_unit_name(name):
            if suffix or prefix not in _ALLOWED_PREFIXES:
                continue
            if root in _PREFIXABLE_ROOTS or root in self._added_roots:
                return True
        return False

    # ------------------------------------------------------------ conversion

    def to_canonical(
        self,
        value: float,
        written_unit: str | None,
        canonical_unit: str,
        molar_mass: float | None = None,
        valence: int = 1,
    ) -> float | None:
        """`value` (in `written_unit`) expressed in `canonical_unit`, or None when the
        unit is unknown or the two are not convertible. Never raises.

        - `molar_mass` (g/mol) enables mass <-> substance concentration through pint's
          `chemistry` context (creatinine 113.12, bilirubin 584.66, glucose 180.16,
          calcium 40.08, hemoglobin 16114.5 per heme).
        - `valence` applies to equivalents: mEq/L = mmol/L x valence.
        - `written_unit` None (no unit written) converts only to "ratio".
        - Canonical "day"/"year" with a duration word uses week 7, month 30, year 365.
        - HbA1c mmol/mol -> % is affine (AFFINE_CONVERSIONS).
        - Different dimensions give None, e.g. ("mL/min" -> "mL/min/1.73m2"): the caller
          decides whether a 1:1 fallback is right for its analyte.
        """
        try:
            key = (written_unit, canonical_unit, molar_mass, valence)
            conversion = self._conversions.get(key, _MISSING)
            if conversion is _MISSING:
                conversion = self._conversion(written_unit, canonical_unit, molar_mass, valence)
                if len(self._conversions) >= _MAX_CACHE:
                    self._conversions.clear()
                self._conversions[key] = conversion
            if conversion is None:
                return None
            result = value * conversion[0] + conversion[1]
            return result if math.isfinite(result) else None
        except Exception:
            return None

    def conversion_factor(
        self,
        written_unit: str | None,
        canonical_unit: str,
        molar_mass: float | None = None,
        valence: int = 1,
    ) -> tuple[float, float] | None:
        """(scale, offset) with canonical = written * scale + offset, or None. Uncached."""
        try:
            return self._conversion(written_unit, canonical_unit, molar_mass, valence)
        except Exception:
            return None

    def _conversion(
        self,
        written_unit: str | None,
        canonical_unit: str,
        molar_mass: float | None,
        valence: int,
    ) -> tuple[float, float] | None:
        if written_unit is None or (isinstance(written_unit, str) and not written_unit.strip()):
            return (1.0, 0.0) if canonical_unit == "ratio" else None
        if canonical_unit in _DURATION_CANONICAL:
            name = duration_unit_name(written_unit)
            if name is not None:
                scale = DAYS_PER_DURATION_UNIT[name] / _DURATION_CANONICAL[canonical_unit]
                return (scale, 0.0)
        written = self.parse_unit(written_unit)
        canonical = self.parse_unit(canonical_unit)
        if written is None or canonical is None:
            return None
        key = (written.magnitude, written.units, canonical.magnitude, canonical.units, molar_mass, valence)
        conversion = self._unit_conversions.get(key, _MISSING)
        if conversion is _MISSING:
            conversion = self._convert_parsed(written, canonical, molar_mass, valence)
            if len(self._unit_conversions) >= _MAX_CACHE:
                self._unit_conversions.clear()
            self._unit_conversions[key] = conversion
        return conversion  # type: ignore[return-value]

    def _convert_parsed(
        self, written: ParsedUnit, canonical: ParsedUnit, molar_mass: float | None, valence: int
    ) -> tuple[float, float] | None:
        affine = AFFINE_CONVERSIONS.get((written.units, canonical.units))
        if affine is not None:
            if written.magnitude != 1.0 or canonical.magnitude != 1.0:
                return None
            return affine

        ureg = self.ureg
        source = written.quantity
        target_units = canonical.quantity.units
        try:
            scale = source.to(target_units).magnitude
        except self._pint.errors.DimensionalityError:
            if not _is_positive_number(molar_mass):
                return None
            mw = ureg.Quantity(float(molar_mass), "gram / mole")  # type: ignore[arg-type]
            with ureg.context("chemistry", mw=mw):
                scale = source.to(target_units).magnitude
        scale = float(scale) / canonical.magnitude

        eq_written = self._equivalent_exponent(written)
        eq_canonical = self._equivalent_exponent(canonical)
        if eq_written or eq_canonical:
            if isinstance(valence, bool) or not isinstance(valence, int) or valence <= 0:
                return None
            scale *= float(valence) ** (eq_canonical - eq_written)

        if not math.isfinite(scale) or scale == 0.0:
            return None
        return (scale, 0.0)

    def _equivalent_exponent(self, parsed: ParsedUnit) -> float:
        total = 0.0
        for name, exponent in parsed.quantity.units._units.items():
            for _prefix, root, _suffix in self.ureg.parse_unit_name(name):
                if root == "equivalent":
                    total += exponent
                    break
        return total


def _is_positive_number(x: object) -> bool:
    return (
        isinstance(x, (int, float))
        and not isinstance(x, bool)
        and math.isfinite(x)
        and x > 0
    )


_BLOCK_DIRECTIVES = ("@context", "@group", "@system", "@defaults")
_DEFINITION_LINE = re.compile(r"^\s*(?:@|#|$|\S[^=]*=\s*\S)")


def _first_malformed_line(lines: list[str]) -> tuple[int, str] | None:
    """The first line that is neither a comment, a directive, a block line, nor
    `name = definition` (pint skips some such lines silently, e.g. "foo = ")."""
    in_block = False
    for lineno, line in enumerate(lines, start=1):
        stripped = line.strip()
        if stripped.startswith("@end"):
            in_block = False
            continue
        if stripped.startswith(_BLOCK_DIRECTIVES):
            in_block = True
            continue
        if in_block:
            continue
        if not _DEFINITION_LINE.match(line):
            return lineno, line
    return None


def _where_defined(lines: list[str], name: str) -> str:
    """"line N" of the first line that defines or aliases `name`, else ""."""
    if not name:
        return ""
    word = re.compile(r"(?<![\w\[])" + re.escape(name) + r"(?![\w\]])")
    for lineno, line in enumerate(lines, start=1):
        code = line.split("#", 1)[0]
        if word.search(code):
            return f"line {lineno}"
    return ""


@lru_cache(maxsize=1)
def default_unit_normalizer() -> UnitNormalizer:
    """The process-wide normaliser with eligex's own definitions only."""
    return UnitNormalizer()
