"""Writers for `eligex extract`: JSON, JSON Lines and a table for people.

Every JSON line goes out with one write and one flush, inside the signal guard's critical
section, so an interrupted run leaves only whole lines (see `cli/batch.py`). Output is
streamed: nothing is kept except, in the default format, the first document — held until
we know whether a second one follows (one document → one indented object; several → lines).
"""
from __future__ import annotations

import json
from dataclasses import dataclass
from enum import Enum
from typing import Any, BinaryIO, Protocol


class OutputFormat(str, Enum):
    """`--format`: json (one object, or lines when several), jsonl (always lines), table."""

    json = "json"
    jsonl = "jsonl"
    table = "table"


@dataclass(slots=True)
class Outcome:
    """What extracting (or failing to read) one document produced, ready to write."""

    line: str  # the record as compact JSON, no newline
    key: tuple[str, int | None]  # (source.path, source.row): what --resume matches on
    criteria: int = 0
    constraint_types: dict[str, int] | None = None
    error: tuple[str, str, str] | None = None  # (type, message, path) for error records
    traceback: str | None = None  # shown with --debug


try:  # orjson writes the same compact JSON several times faster
    import orjson

    def dumps_line(obj: Any) -> str:
        return orjson.dumps(obj).decode("utf-8")
except ImportError:  # pragma: no cover - orjson is a dependency; keep working without it
    def dumps_line(obj: Any) -> str:
        return json.dumps(obj, ensure_ascii=False, separators=(",", ":"))


class Guard(Protocol):
    def enter(self) -> None: ...
    def leave(self) -> None: ...


class _NoGuard:
    def enter(self) -> None:
        pass

    def leave(self) -> None:
        pass


class LineSink:
    """Writes whole pieces of output to a binary stream: a single write + flush each, guarded."""

    def __init__(self, stream: BinaryIO, guard: Guard | None = None):
        self.stream = stream
        self.guard = guard or _NoGuard()
        self.written = 0  # documents written

    def write_document(self, text: str) -> None:
        data = text.encode("utf-8")
        self.guard.enter()
        try:
            self.stream.write(data)
            self.stream.flush()
            self.written += 1
        finally:
            self.guard.leave()


class JsonWriter:
    """Default and `jsonl` formats. `force_lines`: never switch to the single indented object."""

    def __init__(self, sink: LineSink, force_lines: bool):
        self.sink = sink
        self.lines_mode = force_lines
        self.held: Outcome | None = None
        self.seen = 0

    def add(self, outcome: Outcome) -> None:
        self.seen += 1
        if self.lines_mode:
            self.sink.write_document(outcome.line + "\n")
        elif self.held is None:
            self.held = outcome
        else:
            self.lines_mode = True
            held, self.held = self.held, None
            self.sink.write_document(held.line + "\n")
            self.sink.write_document(outcome.line + "\n")

    def finish(self) -> None:
        """End of input: a lone held document is written as one indented object (not if it failed:
        the caller reports a lone failure as an error message instead)."""
        held, self.held = self.held, None
        if held is not None and held.error is None:
            text = json.dumps(json.loads(held.line), ensure_ascii=False, indent=2)
            self.sink.write_document(text + "\n")

    def abort(self) -> None:
        """Interrupted: more input was coming, so a held document is written as a line."""
        held, self.held = self.held, None
        if held is not None:
            self.sink.write_document(held.line + "\n")


# --------------------------------------------------------------------------- table

def _num(x: Any) -> str:
    if x is None:
        return ""
    if isinstance(x, float) and x.is_integer():
        x = int(x)
    return f"{x:g}" if isinstance(x, float) else str(x)


def format_bounds(k: dict[str, Any]) -> str:
    """An interval as people write it: `≥ 1.5`, `< 480`, `18 – 75`, `= 0`."""
    if k.get("type") == "washout":
        w = k.get("window") or {}
        return f"≥ {_num(w.get('value'))} {w.get('unit') or ''}".strip() if w else ""
    if k.get("type") == "sex":
        return ""
    lo, hi = k.get("min"), k.get("max")
    rel = f" × {k['relative_to']}" if k.get("relative_to") else ""
    if lo is not None and hi is not None:
        if lo == hi and k.get("min_inclusive") is not False and k.get("max_inclusive") is not False:
            return f"= {_num(lo)}{rel}"
        left = "[" if k.get("min_inclusive") is not False else "("
        right = "]" if k.get("max_inclusive") is not False else ")"
        return f"{left}{_num(lo)}, {_num(hi)}{right}{rel}"
    if lo is not None:
        return f"{'≥' if k.get('min_inclusive') is not False else '>'} {_num(lo)}{rel}"
    if hi is not None:
        return f"{'≤' if k.get('max_inclusive') is not False else '<'} {_num(hi)}{rel}"
    return ""


def constraint_key(k: dict[str, Any]) -> str:
    for field in ("analyte", "scale", "value", "target", "therapy"):
        if k.get(field):
            return str(k[field])
    return ""


def _short(text: str, limit: int = 160) -> str:
    text = " ".join(text.split())
    return text if len(text) <= limit else text[: limit - 1] + "…"


class TableWriter:
    """`--format table`: one rich table per document on stdout, for reading, not for parsing."""

    def __init__(self, console: Any, err: Any):
        self.console = console
        self.err = err
        self.seen = 0

    def add(self, outcome: Outcome) -> None:
        from rich.table import Table

        self.seen += 1
        if outcome.error is not None:
            kind, message, path = outcome.error
            self.console.print(f"{path}: {kind}: {message}\n", markup=False, highlight=False, soft_wrap=True)
            return
        record = json.loads(outcome.line)
        trial = record.get("trial") or {}
        title = " · ".join(str(x) for x in (trial.get("nct_id"), trial.get("title")) if x)
        path = str(record["source"]["path"])
        table = Table(title=title or path, title_justify="left", caption=path if title else None,
                      caption_justify="left", expand=False)
        for name in ("criterion", "section", "type", "key", "bounds", "unit"):
            table.add_column(name, no_wrap=True)
        table.add_column("text", overflow="fold", ratio=1, min_width=20)
        n_constraints = 0
        for crit in record.get("criteria", []):
            constraints = crit.get("constraints") or []
            if not constraints:
                table.add_row(crit["id"], crit["section"], "", "", "", "", _short(crit["text"]), style="dim")
            for k in constraints:
                n_constraints += 1
                unit = k.get("unit") or ""
                table.add_row(crit["id"], crit["section"], k["type"], constraint_key(k), format_bounds(k),
                              unit, _short(k.get("text") or crit["text"]))
        self.console.print(table)
        summary = f"{len(record.get('criteria', []))} criteria, {n_constraints} constraints"
        for w in record.get("warnings", []):
            summary += f"\nwarning: {w}"
        self.console.print(summary, markup=False, highlight=False)
        self.console.print()

    def finish(self) -> None:
        pass

    def abort(self) -> None:
        pass
