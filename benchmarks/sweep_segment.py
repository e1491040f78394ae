#!/usr/bin/env python3
"""Sweep: read every corpus record (corpus-jsonl reader) and every seed / raw file, segment
them, and check the invariants: nothing raises, span == text, ids unique, parents exist.

    python benchmarks/sweep_segment.py [corpus.jsonl.gz] [--show-empty N]

Prints counts and timings (reading and segmentation separately). Not a test: a measurement.
"""
from __future__ import annotations

import argparse
import collections
import sys
import time
from pathlib import Path

from eligex.extractors.model import ReadFailure
from eligex.extractors.readers import read_path
from eligex.extractors.segment import segment_criteria

REPO = Path(__file__).resolve().parent.parent
SHARED = REPO.parent / "shared"
DEFAULT_CORPUS = SHARED / "corpus" / "ctgov_eligibility_00.jsonl.gz"


def check(doc, criteria, problems: list[str]) -> None:
    ids = set()
    for c in criteria:
        if doc.text[c.span[0]:c.span[1]] != c.text:
            problems.append(f"{doc.trial.nct_id} {c.id}: span does not give text")
        if c.text != c.text.strip() or not c.text:
            problems.append(f"{doc.trial.nct_id} {c.id}: untrimmed or empty text")
        if c.id in ids:
            problems.append(f"{doc.trial.nct_id} {c.id}: duplicate id")
        if c.parent is not None and c.parent not in ids:
            problems.append(f"{doc.trial.nct_id} {c.id}: parent {c.parent} missing or later")
        ids.add(c.id)


def main() -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("corpus", nargs="?", default=str(DEFAULT_CORPUS))
    ap.add_argument("--show-empty", type=int, default=0, help="print N records that gave no criteria")
    args = ap.parse_args()

    problems: list[str] = []
    t0 = time.perf_counter()
    docs = []
    failures = 0
    for item in read_path(Path(args.corpus)):
        if isinstance(item, ReadFailure):
            failures += 1
            problems.append(f"read failure: {item.message}")
        else:
            docs.append(item)
    t_read = time.perf_counter() - t0

    t0 = time.perf_counter()
    results = [segment_criteria(d) for d in docs]
    t_seg = time.perf_counter() - t0

    sections = collections.Counter()
    labels = 0
    nested = 0
    no_text = no_criteria = 0
    empty_examples = []
    for doc, criteria in zip(docs, results):
        check(doc, criteria, problems)
        if not doc.text.strip():
            no_text += 1
        elif not criteria:
            no_criteria += 1
            empty_examples.append(doc)
        for c in criteria:
            sections[c.section] += 1
            labels += c.label is not None
            nested += c.parent is not None
    formats = collections.Counter(d.format for d in docs)
    chars = sum(len(d.text) for d in docs)

    print(f"corpus: {args.corpus}")
    print(f"  records read: {len(docs)} ({dict(formats)}), read failures: {failures}")
    print(f"  read time: {t_read:.2f} s ({len(docs) / t_read:.0f} records/s)")
    print(f"  segmentation time: {t_seg:.3f} s for {chars / 1e6:.1f} M chars "
          f"({len(docs) / t_seg:.0f} docs/s)")
    total = sum(sections.values())
    print(f"  criteria: {total} ({dict(sections)}), nested: {nested}, with label: {labels}")
    print(f"  records with empty criteria text: {no_text}; with text but no criteria: {no_criteria}")
    for doc in empty_examples[: args.show_empty]:
        print("   --", doc.trial.nct_id, repr(doc.text[:300]))

    # seeds and raw records
    files = sorted((SHARED / "seeds").iterdir()) + sorted((SHARED / "corpus" / "raw").glob("*/*"))
    n_files = n_crit = 0
    for path in files:
        for doc in read_path(path):
            if isinstance(doc, ReadFailure):
                problems.append(f"{path}: {doc.message}")
                continue
            criteria = segment_criteria(doc)
            check(doc, criteria, problems)
            n_files += 1
            n_crit += len(criteria)
            print(f"  {path.name}: {doc.format}, nct_id={doc.trial.nct_id}, criteria={len(criteria)}")
    print(f"seeds + raw: {n_files} documents, {n_crit} criteria")

    print(f"problems: {len(problems)}")
    for p in problems[:30]:
        print("  ", p)
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
