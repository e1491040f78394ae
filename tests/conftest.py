"""Shared fixtures and helpers: one Extractor per test session, a helper that extracts one
criterion, and the in-process CLI runner with its JSON Lines reader."""
from __future__ import annotations

import json

import pytest
from typer.testing import CliRunner

from eligex.cli.main import app
from eligex.extractors.model import SourceDocument
from eligex.extractors.pipeline import Extractor

runner = CliRunner()


def invoke(*args, input: bytes | str | None = None):
    """`eligex ARGS…` in-process; stdout and stderr captured separately."""
    return runner.invoke(app, [str(a) for a in args], input=input)


def json_lines(text: str) -> list[dict]:
    lines = text.splitlines()
    assert all(line.strip() for line in lines), "blank line in JSON Lines output"
    return [json.loads(line) for line in lines]


@pytest.fixture(scope="session")
def extractor() -> Extractor:
    return Extractor()


@pytest.fixture(scope="session")
def extract(extractor):
    """extract(text, section) -> list of constraint dicts of that single criterion."""

    def run(text: str, section: str = "inclusion", types: tuple[str, ...] = ()) -> list[dict]:
        heading = {"inclusion": "Inclusion Criteria:\n", "exclusion": "Exclusion Criteria:\n"}.get(section, "")
        body = heading + "1. " + text + "\n"
        doc = SourceDocument(path="t.txt", format="plain-text", text=body, criteria_region=(0, len(body)))
        record = extractor.extract(doc)
        out = []
        for crit in record.criteria:
            for c in crit.constraints:
                d = c.to_dict()
                assert d["text"] and body[d["span"][0]:d["span"][1]] == d["text"], "constraint span must give its text"
                if not types or d["type"] in types:
                    out.append(d)
        return out

    return run


def only(items: list[dict], **match) -> dict:
    """The single item whose fields equal `match` (fails with the candidates otherwise)."""
    hits = [i for i in items if all(i.get(k) == v for k, v in match.items())]
    assert len(hits) == 1, f"expected one {match}, got {hits} among {items}"
    return hits[0]
