"""The `eligex` command line (typer).

This module stays cheap to import so `eligex --help` is instant: spaCy, pint and the
extractors are imported inside the command functions, never here.
"""
from __future__ import annotations

import os
import sys
from pathlib import Path
from typing import Annotated, Optional

import typer

from .output import OutputFormat

app = typer.Typer(
    name="eligex",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
    rich_markup_mode="markdown",
    context_settings={"help_option_names": ["-h", "--help"]},
)
rules_app = typer.Typer(
    help="Inspect and check rule packs (the YAML files that define analytes, scales, therapies).",
    no_args_is_help=True,
)
app.add_typer(rules_app, name="rules")


def _version(value: bool) -> None:
    if value:
        from ..extractors import SCHEMA_VERSION, __version__

        typer.echo(f"eligex {__version__} (output schema {SCHEMA_VERSION})")
        raise typer.Exit()


@app.callback()
def main(
    version: Annotated[
        bool, typer.Option("--version", callback=_version, is_eager=True, help="Show the version and exit.")
    ] = False,
) -> None:
    """Extract clinical-trial eligibility criteria as structured JSON constraints.

    Reads ClinicalTrials.gov studies (API v2 JSON / JSON Lines, legacy XML, CSV exports),
    registry pages saved as text, and plain text; writes one JSON object per trial.

    Example:

        eligex extract NCT02552212.json | jq '.criteria[].constraints[]'
        eligex extract dump/ --output all.jsonl --progress
    """


RulesOption = Annotated[
    Optional[list[Path]],
    typer.Option(
        "--rules",
        metavar="DIR",
        help="A directory of rule packs (*.yaml) added on top of the built-in ones; repeatable.",
        exists=True,
        file_okay=False,
        dir_okay=True,
    ),
]


@app.command()
def extract(
    paths: Annotated[
        list[str],
        typer.Argument(
            metavar="PATH",
            help="Files, directories (searched recursively), glob patterns, zip archives, or - for stdin.",
            show_default=False,
        ),
    ],
    output: Annotated[
        Optional[Path],
        typer.Option("--output", "-o", metavar="FILE", help="Write to FILE instead of stdout (- for stdout).",
                     dir_okay=False),
    ] = None,
    format: Annotated[
        OutputFormat,
        typer.Option("--format", "-f", case_sensitive=False,
                     help="json: one object for one document, JSON Lines for several; jsonl: always "
                          "JSON Lines; table: a table for people."),
    ] = OutputFormat.json,
    rules: RulesOption = None,
    jobs: Annotated[
        int,
        typer.Option("--jobs", "-j", min=0, metavar="N",
                     help="Worker processes (0 = one per CPU). Output order is kept."),
    ] = 1,
    progress: Annotated[
        Optional[bool],
        typer.Option("--progress/--no-progress",
                     help="Progress on stderr. Default: a bar when stderr is a terminal, else none.",
                     show_default=False),
    ] = None,
    quiet: Annotated[bool, typer.Option("--quiet", "-q", help="No summary line on stderr.")] = False,
    resume: Annotated[
        bool,
        typer.Option("--resume", help="With --output FILE: skip documents already in FILE and append the rest."),
    ] = False,
    debug: Annotated[bool, typer.Option("--debug", help="Show tracebacks for errors, and library warnings.")]
    = False,
) -> None:
    """Extract the eligibility criteria of trial documents as JSON.

    One document gives one indented JSON object; several give JSON Lines (one compact object
    per line, in input order). A document that cannot be read or extracted gives an error
    record {"source": ..., "error": {"type": ..., "message": ...}} in its place; the run goes
    on and exits 1. Exit codes: 0 ok, 1 input error or some documents failed, 2 usage or
    rule-pack error, 130/143 interrupted.

    Example:

        eligex extract samples/NCT02552212.json | jq '.criteria[] | {id, text}'
        eligex extract 'dump/**/*.xml' -o out.jsonl --progress
        eligex extract AllPublicXML.zip -o out.jsonl --resume --jobs 2
        curl -s "$URL" | eligex extract - --format table
    """
    import warnings

    from .batch import ExtractOptions, run_extract

    opts = ExtractOptions(paths=list(paths), output=output, format=format, rule_dirs=list(rules or []),
                          jobs=jobs, progress=progress, quiet=quiet, resume=resume, debug=debug)
    with warnings.catch_warnings():
        if not debug:
            # Library warnings (spaCy, scispaCy, pint) are for developers: shown with --debug only.
            # Forked workers inherit this filter; spawned ones set it in batch._init_worker.
            warnings.simplefilter("ignore")
        code = run_extract(opts)
    if code:
        raise typer.Exit(code)


@rules_app.command("list")
def rules_list(
    rules: RulesOption = None,
    json_out: Annotated[bool, typer.Option("--json", help="Print JSON (one object per pack) instead of a table.")]
    = False,
    debug: Annotated[bool, typer.Option("--debug", help="Show tracebacks for errors.")] = False,
) -> None:
    """List the rule packs in use (built-in, then --rules DIR) and what each defines.

    Example:

        eligex rules list
        eligex rules list --rules my_rules/ --json | jq '.[].name'
    """
    from .rules import run_rules_list

    code = run_rules_list(list(rules or []), json_out, debug)
    if code:
        raise typer.Exit(code)


@rules_app.command("check")
def rules_check(
    directory: Annotated[
        Path,
        typer.Argument(metavar="DIR", help="A directory of rule packs (*.yaml).", exists=True, file_okay=False,
                       show_default=False),
    ],
    debug: Annotated[bool, typer.Option("--debug", help="Show tracebacks for errors.")] = False,
) -> None:
    """Check the rule packs in DIR: YAML syntax, keys, types, units, duplicate ids.

    Prints one line per valid pack; on the first problem prints `Error: <file>: [<key>] ...`
    and exits 2.

    Example:

        eligex rules check my_rules/ && eligex extract trial.json --rules my_rules/
    """
    from .rules import run_rules_check

    code = run_rules_check(directory, debug)
    if code:
        raise typer.Exit(code)


def run() -> None:
    """Console-script entry point. Turns a stray exception into one line (a traceback with --debug)."""
    debug = "--debug" in sys.argv[1:] or bool(os.environ.get("ELIGEX_DEBUG"))
    try:
        app()
    except KeyboardInterrupt:
        from .messages import say

        say("eligex: interrupted")
        sys.exit(130)
    except Exception as exc:  # pragma: no cover - last resort
        if debug:
            raise
        from .messages import print_error

        print_error(f"internal error: {type(exc).__name__}: {exc}", None, "internal_error")
        sys.exit(1)


if __name__ == "__main__":  # pragma: no cover
    run()
