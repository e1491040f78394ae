"""`eligex rules list` and `eligex rules check DIR`: thin layers over extractors/rulepack.py."""
from __future__ import annotations

import json
import sys
import traceback
from pathlib import Path
from typing import Any

from .messages import EXIT_OK, EXIT_USAGE, print_error

# Keys of a pack summary that are lists of ids it defines, in display order.
DEFINITION_KINDS = ("analytes", "analyte_groups", "scales", "therapies", "drugs", "vocabulary")


def describe_pack(pack: dict[str, Any]) -> str:
    parts = []
    for kind in DEFINITION_KINDS:
        ids = pack.get(kind)
        if ids:
            shown = ", ".join(str(i) for i in ids[:5]) + (", …" if len(ids) > 5 else "")
            parts.append(f"{kind} {len(ids)}: {shown}")
    if pack.get("units_file"):
        parts.append(f"units file {Path(pack['units_file']).name}")
    return "; ".join(parts) or "(nothing)"


def _fail(exc: Exception, debug: bool) -> int:
    from ..extractors.errors import EligexError, RulePackError

    if debug:
        traceback.print_exc()
    if isinstance(exc, RulePackError):
        print_error(str(exc), exc.path, "rule_pack_error")
    elif isinstance(exc, EligexError):
        print_error(str(exc), None, "rule_pack_error")
    else:
        print_error(f"cannot load the rule packs: {type(exc).__name__}: {exc}", None, "internal_error")
    return EXIT_USAGE


def _table(packs: list[dict[str, Any]], title: str) -> None:
    from rich.console import Console
    from rich.table import Table

    table = Table(title=title, title_justify="left")
    for name in ("pack", "from", "path", "defines"):
        table.add_column(name, overflow="fold")
    for p in packs:
        table.add_row(str(p.get("name")), "built-in" if p.get("builtin") else "--rules", str(p.get("path")),
                      describe_pack(p))
    Console(file=sys.stdout, highlight=False).print(table)


def run_rules_list(rule_dirs: list[Path], as_json: bool, debug: bool) -> int:
    try:
        from ..extractors.rulepack import describe_rule_set, load_rule_set

        packs = describe_rule_set(load_rule_set(rule_dirs))
    except Exception as exc:
        return _fail(exc, debug)
    if as_json:
        sys.stdout.write(json.dumps(packs, ensure_ascii=False, indent=2, default=str) + "\n")
    else:
        _table(packs, f"{len(packs)} rule packs (later packs override earlier ones)")
    return EXIT_OK


def run_rules_check(directory: Path, debug: bool) -> int:
    try:
        from ..extractors.rulepack import check_rule_dir

        packs = check_rule_dir(directory)
    except Exception as exc:
        return _fail(exc, debug)
    if not packs:
        print_error("no rule packs (*.yaml) found", str(directory), "rule_pack_error",
                    "Put one pack per YAML file directly in DIR")
        return EXIT_USAGE
    for p in packs:
        sys.stdout.write(f"ok  {p.get('path')}  ({describe_pack(p)})\n")
    return EXIT_OK
