"""Load and validate YAML rule packs into one immutable `RuleSet`.

A pack is one YAML file whose top-level keys name the kinds of entry it holds
(`analytes`, `analyte_groups`, `scales`, `therapies`, `drugs`, `vocabulary`, `units_file`).
The built-in packs live in `rules/`; `--rules DIR` adds a user's packs on top: an entry
whose id matches a built-in one replaces it, unless it says `extend: true`, in which case
its lists are appended to the built-in entry's. Every error names the file and the key.
"""
from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import MISSING, dataclass, field, fields
from importlib import resources
from pathlib import Path
from typing import Any

from .errors import RulePackError

ENTRY_TYPES = ("lab", "measurement")
COMPARATOR_OPS = (">=", ">", "<=", "<", "=")
VOCABULARY_KEYS = {
    "comparators", "comparators_after", "negation", "conditions", "anchors", "count_units",
    "number_words", "prior_cues", "allowed_cues", "include_cues", "uln", "lln", "normal_limits",
    "age_cues", "life_expectancy_cues", "sex_terms", "naive_cues", "line_ordinals", "performance_generic",
    "durations", "washout_cues", "non_use_after", "non_use_before", "current_use_cues", "future_cues", "drug_suffixes", "prior_cues_near", "not_therapies",
}


@dataclass(frozen=True)
class AnalyteRule:
    """A lab or measurement analyte: its names, canonical unit and conversion facts."""

    id: str
    type: str
    canonical_unit: str
    pack: str
    names: tuple[str, ...] = ()
    abbreviations: tuple[str, ...] = ()
    molar_mass: float | None = None
    valence: int = 1
    default_unit: str | None = None
    implicit_units: tuple[str, ...] = ()
    equivalent_units: tuple[str, ...] = ()
    plausible: tuple[float, float] | None = None
    extend: bool = False

    @property
    def rule_id(self) -> str:
        return f"{self.pack}.{self.id}"


@dataclass(frozen=True)
class AnalyteGroup:
    """A word that names several analytes at once ("transaminases" -> ast, alt)."""

    id: str
    members: tuple[str, ...]
    pack: str
    names: tuple[str, ...] = ()
    abbreviations: tuple[str, ...] = ()
    extend: bool = False


@dataclass(frozen=True)
class ScaleRule:
    """A performance-status scale."""

    id: str
    pack: str
    names: tuple[str, ...] = ()
    abbreviations: tuple[str, ...] = ()
    range: tuple[float, float] = (0, 5)
    extend: bool = False

    @property
    def rule_id(self) -> str:
        return f"{self.pack}.{self.id.lower()}"


@dataclass(frozen=True)
class TherapyClass:
    """A therapy class of the contract vocabulary, its words and its member drugs."""

    id: str
    pack: str
    names: tuple[str, ...] = ()
    abbreviations: tuple[str, ...] = ()
    drugs: tuple[str, ...] = ()
    extend: bool = False

    @property
    def rule_id(self) -> str:
        return f"{self.pack}.{self.id}"


@dataclass(frozen=True)
class DrugRule:
    """A named drug (generic name as id) and its other names (brand, code)."""

    id: str
    pack: str
    names: tuple[str, ...] = ()
    extend: bool = False


# kind -> (dataclass, required keys, list keys)
_KINDS: dict[str, tuple[type, set[str]]] = {
    "analytes": (AnalyteRule, {"id", "type", "canonical_unit"}),
    "analyte_groups": (AnalyteGroup, {"id", "members"}),
    "scales": (ScaleRule, {"id"}),
    "therapies": (TherapyClass, {"id"}),
    "drugs": (DrugRule, {"id"}),
}


@dataclass
class RuleSet:
    """Everything the extractors read from the packs, merged and validated."""

    analytes: dict[str, AnalyteRule] = field(default_factory=dict)
    analyte_groups: dict[str, AnalyteGroup] = field(default_factory=dict)
    scales: dict[str, ScaleRule] = field(default_factory=dict)
    therapies: dict[str, TherapyClass] = field(default_factory=dict)
    drugs: dict[str, DrugRule] = field(default_factory=dict)
    vocabulary: dict[str, Any] = field(default_factory=dict)
    unit_files: list[Path] = field(default_factory=list)
    packs: list[dict[str, Any]] = field(default_factory=list)


def builtin_rules_dir() -> Path:
    return Path(str(resources.files("eligex.rules")))


def _load_yaml(path: Path) -> Any:
    import yaml

    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise RulePackError(str(path), "", f"cannot read rule pack: {exc}") from None
    # libyaml's loader when PyYAML has it (several times faster); same results and errors
    loader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
    try:
        return yaml.load(text, Loader=loader)
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f"line {mark.line + 1}" if mark is not None else "syntax"
        problem = getattr(exc, "problem", None) or str(exc).splitlines()[0]
        raise RulePackError(str(path), where, f"YAML syntax error: {problem}") from None


def _as_str_tuple(path: str, where: str, value: Any) -> tuple[str, ...]:
    if isinstance(value, str):
        return (value,)
    if not isinstance(value, list) or not all(isinstance(v, str) and v.strip() for v in value):
        raise RulePackError(path, where, "expected a list of non-empty strings")
    return tuple(value)


def _build_entry(kind: str, pack: str, path: str, index: int, raw: Any) -> Any:
    cls, required = _KINDS[kind]
    where = f"{kind} -> {index}"
    if not isinstance(raw, dict):
        raise RulePackError(path, where, f"expected a mapping, got {type(raw).__name__}")
    if "id" in raw:
        where = f"{kind} -> {raw['id']}"
    allowed = {f.name for f in fields(cls)} - {"pack"}
    unknown = sorted(set(raw) - allowed)
    if unknown:
        raise RulePackError(path, f"{where} -> {unknown[0]}",
                            f"unknown key '{unknown[0]}'; allowed keys: {', '.join(sorted(allowed))}")
    missing = sorted(required - set(raw)) if not raw.get("extend") else sorted({"id"} - set(raw))
    if missing:
        raise RulePackError(path, where, f"missing required key '{missing[0]}'")
    values: dict[str, Any] = {"pack": pack}
    for f in fields(cls):
        if f.name not in raw:
            continue
        v = raw[f.name]
        key_where = f"{where} -> {f.name}"
        if f.name in ("id", "type", "canonical_unit", "default_unit"):
            if not isinstance(v, str) or not v.strip():
                raise RulePackError(path, key_where, "expected a non-empty string")
            if f.name == "type" and v not in ENTRY_TYPES:
                raise RulePackError(path, key_where, f"'{v}' is not one of: {', '.join(ENTRY_TYPES)}")
            values[f.name] = v
        elif f.name in ("molar_mass",):
            if not isinstance(v, (int, float)) or isinstance(v, bool) or v <= 0:
                raise RulePackError(path, key_where, "expected a positive number")
            values[f.name] = float(v)
        elif f.name == "valence":
            if not isinstance(v, int) or isinstance(v, bool) or v <= 0:
                raise RulePackError(path, key_where, "expected a positive integer")
            values[f.name] = v
        elif f.name in ("plausible", "range"):
            if (not isinstance(v, list) or len(v) != 2
                    or not all(isinstance(x, (int, float)) and not isinstance(x, bool) for x in v) or v[0] > v[1]):
                raise RulePackError(path, key_where, "expected [low, high] numbers")
            values[f.name] = (float(v[0]), float(v[1]))
        elif f.name == "extend":
            if not isinstance(v, bool):
                raise RulePackError(path, key_where, "expected true or false")
            values[f.name] = v
        else:
            values[f.name] = _as_str_tuple(path, key_where, v)
    if kind == "drugs" or kind == "therapies":
        values["id"] = values["id"].lower()
    if values.get("extend"):
        # an extension only carries lists to append; the entry it extends has the rest
        for f in fields(cls):
            if f.name not in values and f.default is MISSING and f.default_factory is MISSING:
                values[f.name] = () if f.name == "members" else ""
    return cls(**values)


def _merge(existing: Any, new: Any) -> Any:
    """Append the list fields of an `extend: true` entry to the entry it extends."""
    changes = {}
    for f in fields(existing):
        if isinstance(getattr(existing, f.name), tuple) and f.name not in ("plausible", "range"):
            extra = getattr(new, f.name)
            if extra:
                changes[f.name] = getattr(existing, f.name) + tuple(x for x in extra if x not in getattr(existing, f.name))
    from dataclasses import replace

    return replace(existing, **changes)


def _pack_files(directory: Path) -> list[Path]:
    if not directory.is_dir():
        raise RulePackError(str(directory), "", "rule pack directory not found")
    return sorted(p for p in directory.iterdir() if p.suffix in (".yaml", ".yml") and p.is_file())


def _add_pack(rules: RuleSet, path: Path, is_user: bool) -> None:
    data = _load_yaml(path)
    spath, pack = str(path), path.stem
    if data is None:
        data = {}
    if not isinstance(data, dict):
        raise RulePackError(spath, "", "a rule pack must be a mapping of kinds (analytes, therapies, …)")
    allowed = set(_KINDS) | {"vocabulary", "units_file", "description"}
    summary: dict[str, Any] = {"name": pack, "path": spath, "builtin": not is_user}
    for kind, body in data.items():
        if kind not in allowed:
            raise RulePackError(spath, str(kind), f"unknown top-level key '{kind}'; allowed: {', '.join(sorted(allowed))}")
        if kind == "description":
            summary["description"] = str(body)
        elif kind == "units_file":
            if not isinstance(body, str):
                raise RulePackError(spath, kind, "expected a file name")
            unit_path = (path.parent / body).resolve()
            if not unit_path.is_file():
                raise RulePackError(spath, kind, f"units file '{body}' not found")
            rules.unit_files.append(unit_path)
            summary["units_file"] = str(unit_path)
        elif kind == "vocabulary":
            if not isinstance(body, dict):
                raise RulePackError(spath, kind, "expected a mapping")
            for vkey, vval in body.items():
                if vkey not in VOCABULARY_KEYS:
                    raise RulePackError(spath, f"vocabulary -> {vkey}",
                                        f"unknown vocabulary key; allowed: {', '.join(sorted(VOCABULARY_KEYS))}")
                _check_vocabulary(spath, vkey, vval)
                rules.vocabulary[vkey] = _merge_vocab(rules.vocabulary.get(vkey), vval) if is_user else vval
            summary.setdefault("vocabulary", []).extend(sorted(body))
        else:
            if not isinstance(body, list):
                raise RulePackError(spath, kind, "expected a list of entries")
            target: dict[str, Any] = getattr(rules, kind)
            seen: set[str] = set()
            for i, raw in enumerate(body):
                entry = _build_entry(kind, pack, spath, i, raw)
                if entry.id in seen:
                    raise RulePackError(spath, f"{kind} -> {entry.id}", f"duplicate id '{entry.id}' in this pack")
                seen.add(entry.id)
                if entry.id in target and not is_user:
                    raise RulePackError(spath, f"{kind} -> {entry.id}",
                                        f"id '{entry.id}' is already defined by pack '{target[entry.id].pack}'")
                if entry.extend:
                    if entry.id not in target:
                        raise RulePackError(spath, f"{kind} -> {entry.id}", f"'extend: true' but no entry '{entry.id}' to extend")
                    target[entry.id] = _merge(target[entry.id], entry)
                else:
                    target[entry.id] = entry
            summary[kind] = sorted(seen)
    rules.packs.append(summary)


def _check_vocabulary(path: str, key: str, value: Any) -> None:
    where = f"vocabulary -> {key}"
    if isinstance(value, list):
        _as_str_tuple(path, where, value)
    elif isinstance(value, dict):
        for k, v in value.items():
            if isinstance(v, (list, str)):
                _as_str_tuple(path, f"{where} -> {k}", v)
            elif not isinstance(v, (int, float)):
                raise RulePackError(path, f"{where} -> {k}", "expected a list of strings or a number")
    else:
        raise RulePackError(path, where, "expected a list or a mapping")


def _merge_vocab(old: Any, new: Any) -> Any:
    if isinstance(old, list) and isinstance(new, list):
        return old + [x for x in new if x not in old]
    if isinstance(old, dict) and isinstance(new, dict):
        merged = dict(old)
        for k, v in new.items():
            if k in merged and isinstance(merged[k], list) and isinstance(v, list):
                merged[k] = merged[k] + [x for x in v if x not in merged[k]]
            else:
                merged[k] = v
        return merged
    return new


def _check_references(rules: RuleSet) -> None:
    for group in rules.analyte_groups.values():
        for member in group.members:
            if member not in rules.analytes:
                path = next((p["path"] for p in rules.packs if p["name"] == group.pack), group.pack)
                raise RulePackError(path, f"analyte_groups -> {group.id} -> members",
                                    f"unknown analyte '{member}'; known: {', '.join(sorted(rules.analytes))}")


def validate_units(rules: RuleSet, normalizer: Any = None) -> None:
    """Every unit a pack names must parse; builds a normalizer when none is given."""
    if normalizer is None:
        from .units import UnitNormalizer

        normalizer = UnitNormalizer(rules.unit_files)
    for a in rules.analytes.values():
        path = next((p["path"] for p in rules.packs if p["name"] == a.pack), a.pack)
        for key, units in (("canonical_unit", (a.canonical_unit,)), ("default_unit", (a.default_unit,) if a.default_unit else ()),
                           ("implicit_units", a.implicit_units), ("equivalent_units", a.equivalent_units)):
            for u in units:
                if u == "ratio":
                    continue
                if normalizer.parse_unit(u) is None:
                    raise RulePackError(path, f"analytes -> {a.id} -> {key}", f"unit '{u}' is not a unit eligex understands")


def load_rule_set(extra_dirs: Sequence[Path] = (), check_units: bool = True) -> RuleSet:
    """The built-in packs, then each user directory in order (later wins)."""
    rules = RuleSet()
    for path in _pack_files(builtin_rules_dir()):
        _add_pack(rules, path, is_user=False)
    for directory in extra_dirs:
        for path in _pack_files(Path(directory)):
            _add_pack(rules, path, is_user=True)
    _check_references(rules)
    if check_units:
        validate_units(rules)
    return rules


def check_rule_dir(directory: Path) -> list[dict[str, Any]]:
    """Validate a user's pack directory on top of the built-ins; return its packs' summaries."""
    rules = load_rule_set([Path(directory)])
    return [p for p in rules.packs if not p["builtin"]]


def describe_rule_set(rules: RuleSet) -> list[dict[str, Any]]:
    """One summary per pack: name, path, and the ids of what it defines."""
    return list(rules.packs)


def all_terms(entries: Iterable[Any]) -> list[tuple[str, Any, bool]]:
    """(term, entry, case_sensitive) for every name and abbreviation of the entries."""
    out = []
    for e in entries:
        for n in getattr(e, "names", ()):
            out.append((n, e, False))
        for a in getattr(e, "abbreviations", ()):
            out.append((a, e, True))
    return out
