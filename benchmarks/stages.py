#!/usr/bin/env python3
"""Where the time goes: CPU seconds per pipeline stage and per extractor, in one process.

A development aid beside bench.py (which times whole processes). It reads the documents
first, then runs the stages of `Extractor.extract` one by one on each document, timing each
with `time.process_time` (CPU time, so other work on the machine disturbs it little):

    python benchmarks/stages.py /tmp/first10k.jsonl            # any input eligex reads
    python benchmarks/stages.py FILE --limit 3000 --repeat 2   # second pass: warm caches
"""
from __future__ import annotations

import argparse
import time
from collections import defaultdict
from itertools import islice


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("input")
    ap.add_argument("--limit", type=int, default=None, help="first N documents only")
    ap.add_argument("--repeat", type=int, default=1, help="passes over the documents (the last is reported)")
    args = ap.parse_args()

    clock = time.process_time
    t0 = clock()
    from eligex.cli.inputs import expand_paths, iter_documents
    from eligex.extractors import pipeline
    from eligex.extractors.annotate import document_aliases
    from eligex.extractors.context import build_context, merge_mentions
    from eligex.extractors.model import ReadFailure
    from eligex.extractors.segment import segment_criteria

    t1 = clock()
    ex = pipeline.Extractor([])
    t2 = clock()
    docs = [d for d in islice(iter_documents(expand_paths([args.input])), args.limit) if not isinstance(d, ReadFailure)]
    t3 = clock()
    print(f"import {t1 - t0:.2f} s, build {t2 - t1:.2f} s, read {len(docs):,} documents {t3 - t2:.2f} s")

    # each timed step pays for two clock reads (about a microsecond each): measure that and
    # take it off, or the many small per-extractor calls look far more expensive than they are
    a = clock()
    for _ in range(100_000):
        clock()
    tick = (clock() - a) / 100_000
    for _ in range(args.repeat):
        stages: dict[str, float] = defaultdict(float)
        calls: dict[str, int] = defaultdict(int)
        counts: dict[str, int] = defaultdict(int)
        for doc in docs:
            a = clock()
            criteria = segment_criteria(doc)
            b = clock()
            stages["segment"] += b - a
            calls["segment"] += 1
            if not criteria:
                continue
            aliases = document_aliases(criteria, ex.compiled)
            c = clock()
            stages["aliases"] += c - b
            calls["aliases"] += 1
            by_criterion = ex._mentions_by_criterion(doc, criteria)
            stages["mentions"] += clock() - c
            calls["mentions"] += 1
            for criterion, mentions in zip(criteria, by_criterion):
                a = clock()
                extra = aliases.mentions_in(criterion.text) if aliases else None
                if extra:
                    mentions = merge_mentions(mentions, extra)
                if not pipeline.may_hold_constraint(criterion, mentions):
                    stages["context"] += clock() - a
                    counts["criteria skipped by the cheap test"] += 1
                    continue
                ctx = build_context(criterion, ex.compiled, ex.units, None, mentions)
                stages["context"] += clock() - a
                calls["context"] += 1
                counts["criteria extracted"] += 1
                for name, reg in ex.extractors.items():
                    a = clock()
                    if reg.wanted(ctx):
                        reg.fn(ctx)
                    stages[name] += clock() - a
                    calls[name] += 1
        for name in stages:
            stages[name] = max(0.0, stages[name] - calls[name] * tick)
        total = sum(stages.values())
        print(f"pass total {total:.2f} s CPU")
        for name, t in sorted(stages.items(), key=lambda kv: -kv[1]):
            print(f"  {name:32s} {t:6.2f} s  {100 * t / total:5.1f}%")
        for name, n in counts.items():
            print(f"  {name:32s} {n:,}")


if __name__ == "__main__":
    main()
