#!/usr/bin/env python3
"""Throughput benchmark: eligex vs a bare spaCy tokenizer pass over the same criteria texts.

Writes the first N corpus records as one JSON Lines file (API v2 studies by default), then
times, each as a whole separate process:

  (a) eligex extract that.jsonl --quiet --output <tmp>        (the CLI, end to end)
  (b) python -c "...spacy.blank('en').tokenizer.pipe(texts)..."  (reads the same file)

and prints trials/s, words/s and peak memory (ru_maxrss of that process) for both, and the
ratio eligex ÷ tokenizer. It also checks eligex's output: one line per record, in order,
each with its nct_id. Issue 4's bar: ratio ≤ 1.5 (goal ≤ 1.0), peak memory < 500 MB.

    python benchmarks/bench.py                 # 10,000 records
    python benchmarks/bench.py --n 2000 --jobs 2
    python benchmarks/bench.py --shape corpus  # the corpus records as they are (corpus-jsonl)
"""
from __future__ import annotations

import argparse
import gzip
import json
import os
import shutil
import subprocess
import sys
import tempfile
import time
from itertools import islice
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
DEFAULT_CORPUS = REPO.parent / "shared" / "corpus" / "ctgov_eligibility_00.jsonl.gz"

SEX = {"all": "ALL", "female": "FEMALE", "male": "MALE"}

TOKENIZER_SCRIPT = r"""
import json, sys
import spacy
path, shape = sys.argv[1], sys.argv[2]
nlp = spacy.blank("en")
def texts():
    with open(path, encoding="utf-8") as fh:
        for line in fh:
            rec = json.loads(line)
            if shape == "api-v2":
                rec = rec.get("protocolSection", {}).get("eligibilityModule", {})
                yield rec.get("eligibilityCriteria") or ""
            else:
                yield rec.get("eligibility_criteria") or ""
n_docs = n_tokens = 0
for doc in nlp.tokenizer.pipe(texts()):
    n_docs += 1
    n_tokens += len(doc)
print(n_docs, n_tokens)
"""


def to_api_v2(rec: dict) -> dict:
    """A corpus record as a ClinicalTrials.gov API v2 study (the fields the corpus carries)."""
    ident = {"nctId": rec.get("nct_id")}
    if rec.get("title"):
        ident["briefTitle"] = rec["title"]
    if rec.get("official_title"):
        ident["officialTitle"] = rec["official_title"]
    elig: dict = {}
    if rec.get("eligibility_criteria") is not None:
        elig["eligibilityCriteria"] = rec["eligibility_criteria"]
    hv = rec.get("healthy_volunteers")
    if isinstance(hv, str):
        elig["healthyVolunteers"] = hv.strip().lower() not in ("no", "false")
    elif isinstance(hv, bool):
        elig["healthyVolunteers"] = hv
    sex = (rec.get("sex") or "").strip().lower()
    if sex in SEX:
        elig["sex"] = SEX[sex]
    for src, dst in (("minimum_age", "minimumAge"), ("maximum_age", "maximumAge")):
        if rec.get(src):
            elig[dst] = rec[src]
    section: dict = {"identificationModule": ident, "eligibilityModule": elig}
    if rec.get("conditions"):
        section["conditionsModule"] = {"conditions": list(rec["conditions"])}
    return {"protocolSection": section}


def write_input(corpus: Path, n: int, shape: str, out: Path) -> tuple[int, int, list[str]]:
    """Write the first n records; return (records, words of criteria, nct ids in order)."""
    words = 0
    ids: list[str] = []
    opener = gzip.open if corpus.suffix == ".gz" else open
    with opener(corpus, "rt", encoding="utf-8") as src, open(out, "w", encoding="utf-8") as dst:
        for line in islice(src, n):
            rec = json.loads(line)
            words += len((rec.get("eligibility_criteria") or "").split())
            ids.append(rec.get("nct_id"))
            obj = to_api_v2(rec) if shape == "api-v2" else rec
            dst.write(json.dumps(obj, ensure_ascii=False) + "\n")
    return len(ids), words, ids


def timed(cmd: list[str], stdout: int | None = None) -> tuple[float, float, int, str, str]:
    """(seconds, peak MB, exit code, stdout, stderr) of one whole process."""
    t0 = time.perf_counter()
    proc = subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    # wait4 gives this process's own rusage (its ru_maxrss covers waited-for children: --jobs workers)
    out_chunks: list[str] = []
    err_chunks: list[str] = []
    import threading

    def drain(stream, sink):
        for chunk in iter(lambda: stream.read(65536), ""):
            sink.append(chunk)

    threads = [threading.Thread(target=drain, args=(proc.stdout, out_chunks)),
               threading.Thread(target=drain, args=(proc.stderr, err_chunks))]
    for t in threads:
        t.start()
    _, status, usage = os.wait4(proc.pid, 0)
    secs = time.perf_counter() - t0
    for t in threads:
        t.join()
    proc.returncode = os.waitstatus_to_exitcode(status)
    peak_mb = usage.ru_maxrss / 1024  # Linux: KiB
    if sys.platform == "darwin":
        peak_mb = usage.ru_maxrss / (1024 * 1024)
    return secs, peak_mb, proc.returncode, "".join(out_chunks), "".join(err_chunks)


def eligex_command() -> list[str]:
    script = Path(sys.executable).parent / "eligex"
    if script.exists():
        return [str(script)]
    exe = shutil.which("eligex")
    return [exe] if exe else [sys.executable, "-m", "eligex.cli"]


def check_output(path: Path, ids: list[str]) -> str:
    n = with_id = in_order = errors = 0
    with open(path, encoding="utf-8") as fh:
        for i, line in enumerate(fh):
            rec = json.loads(line)
            n += 1
            if "error" in rec:
                errors += 1
                continue
            nct = (rec.get("trial") or {}).get("nct_id")
            with_id += bool(nct)
            in_order += i < len(ids) and nct == ids[i]
    ok = n == len(ids) and in_order == n - errors
    return (f"{n:,} lines for {len(ids):,} records, {with_id:,} with nct_id, {in_order:,} in input order, "
            f"{errors:,} error records -> {'OK' if ok else 'MISMATCH'}")


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("corpus", nargs="?", type=Path, default=DEFAULT_CORPUS,
                    help=f"corpus JSONL(.gz) (default: {DEFAULT_CORPUS})")
    ap.add_argument("--n", type=int, default=10000, help="records to use (default 10000)")
    ap.add_argument("--shape", choices=("api-v2", "corpus"), default="api-v2",
                    help="api-v2: convert to API v2 study JSON lines (default); corpus: records as they are")
    ap.add_argument("--jobs", type=int, default=1, help="eligex --jobs (default 1)")
    ap.add_argument("--keep", action="store_true", help="keep the temporary directory")
    args = ap.parse_args()

    if not args.corpus.exists():
        print(f"bench: corpus not found: {args.corpus}", file=sys.stderr)
        return 2
    tmp = Path(tempfile.mkdtemp(prefix="eligex-bench-"))
    try:
        inp, out = tmp / "studies.jsonl", tmp / "out.jsonl"
        n, words, ids = write_input(args.corpus, args.n, args.shape, inp)
        size_mb = inp.stat().st_size / 1e6
        print(f"input: first {n:,} records of {args.corpus.name} as {args.shape} JSON Lines "
              f"({size_mb:.1f} MB, {words:,} words of criteria)")

        cmd = eligex_command() + ["extract", str(inp), "--quiet", "--output", str(out)]
        if args.jobs != 1:
            cmd += ["--jobs", str(args.jobs)]
        e_secs, e_mem, e_rc, _, e_err = timed(cmd)
        if e_rc not in (0, 1):
            print(f"bench: eligex failed (exit {e_rc}):\n{e_err}", file=sys.stderr)
            return 1
        t_secs, t_mem, t_rc, t_out, t_err = timed([sys.executable, "-c", TOKENIZER_SCRIPT, str(inp), args.shape])
        if t_rc != 0:
            print(f"bench: tokenizer pass failed:\n{t_err}", file=sys.stderr)
            return 1
        tokens = int(t_out.split()[1])

        def row(name: str, secs: float, mem: float) -> str:
            return (f"{name:<22} {secs:7.2f} s  {n / secs:8,.0f} trials/s  {words / secs:9,.0f} words/s  "
                    f"peak {mem:6.0f} MB")

        print(row(f"eligex (--jobs {args.jobs})", e_secs, e_mem)
              + ("  (peak of the largest process)" if args.jobs != 1 else ""))
        print(row("spaCy blank tokenizer", t_secs, t_mem) + f"  ({tokens:,} tokens)")
        ratio = e_secs / t_secs
        print(f"ratio eligex ÷ tokenizer: {ratio:.2f}×  (issue 4: ≤ 1.5×, goal ≤ 1.0×; "
              f"peak memory {'<' if e_mem < 500 else '≥'} 500 MB)")
        print(f"eligex exit code {e_rc}; output: {check_output(out, ids)}")
        if args.keep:
            print(f"kept: {tmp}")
        return 0
    finally:
        if not args.keep:
            shutil.rmtree(tmp, ignore_errors=True)


if __name__ == "__main__":
    sys.exit(main())
