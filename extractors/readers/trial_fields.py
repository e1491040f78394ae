"""Registry field values as the contract wants them: ages, sex, healthy volunteers, lists."""
from __future__ import annotations

import re
from typing import Any

_AGE = re.compile(
    r"^\s*(\d+(?:\.\d+)?)\s*(years?|months?|weeks?|days?|hours?|minutes?)\b", re.IGNORECASE
)
_AGE_RANGE = re.compile(
    r"(\d+(?:\.\d+)?\s*(?:years?|months?|weeks?|days?|hours?|minutes?))\s*(?:to|-|–)\s*"
    r"(\d+(?:\.\d+)?\s*(?:years?|months?|weeks?|days?|hours?|minutes?))",
    re.IGNORECASE,
)
_AGE_MIN_ONLY = re.compile(
    r"(\d+(?:\.\d+)?\s*(?:years?|months?|weeks?|days?|hours?|minutes?))\s*(?:and\s+(?:older|over|above)|\+|or\s+older)",
    re.IGNORECASE,
)
_AGE_MAX_ONLY = re.compile(
    r"(?:up\s+to|under|below|and\s+younger\s+than)\s*(\d+(?:\.\d+)?\s*(?:years?|months?|weeks?|days?|hours?|minutes?))",
    re.IGNORECASE,
)

_SEX = {"all": "all", "both": "all", "female": "female", "male": "male", "f": "female", "m": "male"}
_YES = {"yes", "true", "y", "accepts healthy volunteers"}
_NO = {"no", "false", "n"}


def parse_age(value: Any) -> dict[str, Any] | None:
    """'18 Years' -> {'value': 18, 'unit': 'year'}; 'N/A', '', None -> None."""
    if value is None or not isinstance(value, str):
        return None
    m = _AGE.match(value)
    if not m:
        return None
    number = float(m.group(1))
    unit = m.group(2).lower().rstrip("s")
    return {"value": int(number) if number.is_integer() else number, "unit": unit}


def parse_age_range(value: Any) -> tuple[dict[str, Any] | None, dict[str, Any] | None]:
    """The CSV export's 'Age' column: '18 Years to 64 Years (Adult)', '18 Years and older'."""
    if not isinstance(value, str) or not value.strip():
        return None, None
    m = _AGE_RANGE.search(value)
    if m:
        return parse_age(m.group(1)), parse_age(m.group(2))
    m = _AGE_MIN_ONLY.search(value)
    if m:
        return parse_age(m.group(1)), None
    m = _AGE_MAX_ONLY.search(value)
    if m:
        return None, parse_age(m.group(1))
    return parse_age(value), None


def parse_sex(value: Any) -> str | None:
    if not isinstance(value, str):
        return None
    return _SEX.get(value.strip().lower())


def parse_bool(value: Any) -> bool | None:
    """healthyVolunteers: True/False, 'Yes'/'No'; 'N/A' and unknown -> None."""
    if isinstance(value, bool):
        return value
    if not isinstance(value, str):
        return None
    v = value.strip().lower()
    if v in _YES:
        return True
    if v in _NO:
        return False
    return None


def split_multi(value: Any, sep: str = "|") -> list[str]:
    """'A|B' -> ['A', 'B']; a list stays a list of non-empty strings."""
    if value is None:
        return []
    if isinstance(value, list):
        return [str(v).strip() for v in value if v is not None and str(v).strip()]
    return [part.strip() for part in str(value).split(sep) if part.strip()]


def parse_interventions(value: Any) -> list[dict[str, str]]:
    """'DRUG: Pembrolizumab|DRUG: Lenvatinib' -> [{'type': 'DRUG', 'name': 'Pembrolizumab'}, ...]."""
    out: list[dict[str, str]] = []
    for part in split_multi(value):
        kind, sep, name = part.partition(":")
        if sep and kind.strip() and kind.strip().replace("_", "").replace(" ", "").isalpha():
            out.append({"type": kind.strip().upper().replace(" ", "_"), "name": name.strip()})
        else:
            out.append({"type": "OTHER", "name": part})
    return out


def clean_str(value: Any) -> str | None:
    if value is None:
        return None
    s = str(value).strip()
    return s or None
