"""Counting a run and telling people about it: progress on stderr and the final summary line."""
from __future__ import annotations

import time
from collections import Counter
from dataclasses import dataclass, field
from typing import Any

from .output import Outcome


def _n(x: float) -> str:
    return f"{x:,.0f}"


@dataclass
class Stats:
    documents: int = 0  # written or reported, errors included
    failed: int = 0
    skipped: int = 0  # already in the --resume file
    criteria: int = 0
    constraints: Counter = field(default_factory=Counter)
    first_error: tuple[str, str, str] | None = None
    started: float = field(default_factory=time.perf_counter)

    def add(self, outcome: Outcome) -> None:
        self.documents += 1
        if outcome.error is not None:
            self.failed += 1
            if self.first_error is None:
                self.first_error = outcome.error
            return
        self.criteria += outcome.criteria
        if outcome.constraint_types:
            self.constraints.update(outcome.constraint_types)

    @property
    def elapsed(self) -> float:
        return time.perf_counter() - self.started

    def summary_line(self) -> str:
        secs = self.elapsed
        rate = self.documents / secs if secs > 0 else 0.0
        total_constraints = sum(self.constraints.values())
        parts = [f"eligex: {_n(self.documents)} document{'s' * (self.documents != 1)}"]
        parts.append(f"{_n(self.criteria)} criteria")
        by_type = ", ".join(f"{t} {_n(c)}" for t, c in self.constraints.most_common())
        parts.append(f"{_n(total_constraints)} constraints" + (f" ({by_type})" if by_type else ""))
        parts.append(f"{_n(self.failed)} error{'s' * (self.failed != 1)}")
        if self.skipped:
            parts.append(f"{_n(self.skipped)} skipped (already written)")
        parts.append(f"{secs:.1f} s, {rate:,.1f} docs/s")
        line = ", ".join(parts)
        if self.first_error is not None:
            kind, message, path = self.first_error
            line += f"; first error: {path}: {kind}: {' '.join(message.split())}"
        return line


# --------------------------------------------------------------------------- progress

class NoProgress:
    def start(self) -> None:
        pass

    def advance(self) -> None:
        pass

    def stop(self) -> None:
        pass

    def print(self, text: str) -> None:
        from .messages import say

        say(text)


class LineProgress(NoProgress):
    """`--progress` when stderr is not a terminal (a log file): a plain line every few seconds."""

    def __init__(self, console: Any, total: int | None, every: float = 5.0):
        self.console, self.total, self.every = console, total, every
        self.count = 0
        self.started = self.last = time.perf_counter()

    def advance(self) -> None:
        self.count += 1
        now = time.perf_counter()
        if now - self.last >= self.every:
            self.last = now
            self._line(now)

    def _line(self, now: float) -> None:
        rate = self.count / max(now - self.started, 1e-9)
        text = f"eligex: {_n(self.count)}"
        if self.total and self.count <= self.total:
            eta = (self.total - self.count) / rate if rate else 0
            text += f"/{_n(self.total)} documents, {rate:,.0f} docs/s, ETA {eta:,.0f} s"
        else:
            text += f" documents, {rate:,.0f} docs/s"
        self.console.print(text, markup=False, highlight=False, soft_wrap=True)

    def print(self, text: str) -> None:
        self.console.print(text, markup=False, highlight=False, soft_wrap=True)


class BarProgress(NoProgress):
    """A rich progress bar on stderr: count, rate, and ETA when the total is known."""

    def __init__(self, console: Any, total: int | None):
        from rich.progress import (
            BarColumn,
            MofNCompleteColumn,
            Progress,
            ProgressColumn,
            SpinnerColumn,
            TextColumn,
            TimeElapsedColumn,
            TimeRemainingColumn,
        )
        from rich.text import Text

        class RateColumn(ProgressColumn):
            def render(self, task: Any) -> Text:
                speed = task.finished_speed or task.speed
                return Text(f"{speed:,.0f} docs/s" if speed else "… docs/s", style="progress.data.speed")

        class CountColumn(ProgressColumn):
            def render(self, task: Any) -> Text:
                return Text(f"{task.completed:,.0f} docs", style="progress.download")

        self.total = total
        columns: list[Any] = [SpinnerColumn(), TextColumn("extracting")]
        if total:
            columns += [BarColumn(), MofNCompleteColumn(), RateColumn(), TimeElapsedColumn(),
                        TextColumn("ETA"), TimeRemainingColumn()]
        else:
            columns += [CountColumn(), RateColumn(), TimeElapsedColumn()]
        self.progress = Progress(*columns, console=console, transient=False, speed_estimate_period=10)
        self.task = self.progress.add_task("extract", total=total)
        self.count = 0

    def start(self) -> None:
        self.progress.start()

    def advance(self) -> None:
        self.count += 1
        if self.total is not None and self.count > self.total:  # the estimate was low
            self.total = None
            self.progress.update(self.task, total=None)
        self.progress.advance(self.task)

    def stop(self) -> None:
        self.progress.stop()

    def print(self, text: str) -> None:
        self.progress.console.print(text, markup=False, highlight=False, soft_wrap=True)
