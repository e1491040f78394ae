"""Shared fixtures: one Extractor per test session, and a helper that extracts one criterion."""
from __future__ import annotations

import pytest

from eligex.extractors.model import SourceDocument
from eligex.extractors.pipeline import Extractor


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
