"""One-line messages for people, on stderr. Only cli/ turns errors into text and exit codes.

Every error line has the shape `Error: <what>: <which file>. <What to do>.` so it reads
well in a terminal and greps well in a log.
"""
from __future__ import annotations

import sys
from typing import Any

EXIT_OK = 0
EXIT_INPUT = 1  # an input could not be read, or some documents of a batch failed
EXIT_USAGE = 2  # bad usage or configuration: options, rule packs, output file
EXIT_SIGINT = 130
EXIT_SIGTERM = 143

# What to do, by error type (the `error.type` of an error record).
HINTS: dict[str, str] = {
    "not_found": "Check the path; quote glob patterns ('data/*.json') so eligex expands them",
    "input_error": (
        "Check that it is a ClinicalTrials.gov study (API v2 JSON, legacy XML, CSV export), "
        "a registry page saved as text, or plain text, and that the download is complete"
    ),
    "unknown_format": (
        "eligex reads ClinicalTrials.gov API v2 JSON / JSON Lines, legacy XML, CSV exports, "
        "registry pages saved as text and plain text; see `eligex extract --help`"
    ),
    "limit_exceeded": "Split the input, or pass only the eligibility criteria text",
    "internal_error": "This is a bug in eligex: rerun with --debug and report the traceback",
    "rule_pack_error": "Fix the pack and check it with `eligex rules check DIR`",
    "output_error": "Choose another --output path, or create its directory first",
    "usage_error": "See `eligex extract --help`",
}

# Words that show a reader's message already says what to do (then no second hint is added).
_ADVICE_WORDS = ("split ", "check ", "try ", "use ", "pass ", "convert ", "save ", "may be ", "download", "re-run", "rerun")

_console: Any = None


def err_console() -> Any:
    """The rich Console on stderr (made on first use, so importing cli/ stays cheap)."""
    global _console
    if _console is None or _console.file is not sys.stderr:
        from rich.console import Console

        _console = Console(stderr=True, highlight=False, soft_wrap=True)
    return _console


def say(text: str) -> None:
    """Print one plain line on stderr (no rich markup is interpreted)."""
    err_console().print(text, markup=False, highlight=False, soft_wrap=True)


def hint_for(kind: str) -> str:
    return HINTS.get(kind, HINTS["input_error"])


def error_line(message: str, path: str | None = None, kind: str = "input_error", hint: str | None = None) -> str:
    """`Error: <what>: <which file>. <What to do>.` — the path is left out when the message names it."""
    what = " ".join(str(message).split()) or kind.replace("_", " ")
    what = what.rstrip(".")
    if path and path not in what:
        what = f"{what}: {path}"
    if hint is None and any(w in what.lower() for w in _ADVICE_WORDS):
        return f"Error: {what}."
    todo = (hint or hint_for(kind)).rstrip(".")
    return f"Error: {what}. {todo}."


def print_error(message: str, path: str | None = None, kind: str = "input_error", hint: str | None = None) -> None:
    say(error_line(message, path, kind, hint))
