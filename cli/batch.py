"""`eligex extract`: read, extract and write documents one at a time, in input order.

The loop is: inputs (cli/inputs.py) → one `Outcome` per document (here, in-process or in
worker processes) → writer (cli/output.py) → stats and progress (cli/summary.py).

- Streaming: nothing is accumulated. With `--jobs N` documents go to N worker processes in
  small chunks through a bounded window of in-flight chunks, and results come back in input
  order. (Not `Pool.imap`: its feeder thread drains the whole input into memory, and it hangs
  for good when a worker dies; a bounded window over `ProcessPoolExecutor` has neither problem.)
- Errors: a document that cannot be read or extracted becomes an error record in its place.
- Signals: SIGINT/SIGTERM are deferred while a line is being written and raised as
  `Interrupted` anywhere else, so the output only ever holds whole lines.
- `--resume`: the keys (source.path, source.row) of the records already in the output file
  are skipped; a partial last line is cut off first.
"""
from __future__ import annotations

import json
import os
import signal
import sys
import threading
import traceback
from collections import deque
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, BinaryIO

from . import messages
from .messages import EXIT_INPUT, EXIT_OK, EXIT_USAGE, print_error, say
from .output import JsonWriter, LineSink, Outcome, OutputFormat, TableWriter, dumps_line

# Extraction of one document taking longer than this is abandoned with an error record
# (type limit_exceeded), so a pathological input cannot stall a batch.
DOC_TIME_LIMIT_S = 60.0
CHUNK_SIZE = 8  # documents per task sent to a worker
WINDOW_PER_WORKER = 4  # chunks in flight per worker


class Interrupted(BaseException):
    """SIGINT or SIGTERM arrived. A BaseException so that no `except Exception` swallows it."""

    def __init__(self, signum: int):
        super().__init__(signum)
        self.signum = signum

    @property
    def exit_code(self) -> int:
        return 128 + self.signum


class SignalGuard:
    """Turns SIGINT/SIGTERM into `Interrupted`, but never in the middle of writing a line."""

    def __init__(self) -> None:
        self.pending: int | None = None
        self.depth = 0
        self.old: dict[int, Any] = {}

    def install(self) -> None:
        if threading.current_thread() is not threading.main_thread():
            return
        for sig in (signal.SIGINT, signal.SIGTERM):
            self.old[sig] = signal.signal(sig, self._handle)

    def restore(self) -> None:
        for sig, handler in self.old.items():
            signal.signal(sig, handler)
        self.old.clear()

    def _handle(self, signum: int, frame: Any) -> None:
        if self.pending is None:
            self.pending = signum
        if self.depth == 0:
            raise Interrupted(self.pending)

    def enter(self) -> None:
        self.depth += 1

    def leave(self) -> None:
        self.depth -= 1
        if self.depth == 0 and self.pending is not None:
            raise Interrupted(self.pending)

    def hold(self) -> None:
        """From now on (cleanup after an interruption) signals are only recorded."""
        self.depth += 1


# --------------------------------------------------------------------------- one document

class DocumentTimeout(Exception):
    pass


def _on_alarm(signum: int, frame: Any) -> None:
    raise DocumentTimeout()


@contextmanager
def time_limit(seconds: float) -> Iterator[None]:
    """Raise DocumentTimeout in the block after `seconds` (main thread on Unix; else no limit)."""
    if not seconds or not hasattr(signal, "setitimer") or threading.current_thread() is not threading.main_thread():
        yield
        return
    old = signal.signal(signal.SIGALRM, _on_alarm)
    signal.setitimer(signal.ITIMER_REAL, seconds)
    try:
        yield
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, old)


# While a batch runs, the SIGALRM handler stays installed (see `alarm_handler`) and each
# document only arms and disarms the timer: the thread ident that installed it, else None.
_ALARM_THREAD: int | None = None


@contextmanager
def alarm_handler() -> Iterator[None]:
    """Install the time-limit handler for a whole batch (main thread on Unix; else a no-op)."""
    global _ALARM_THREAD
    if (_ALARM_THREAD is not None or not hasattr(signal, "setitimer")
            or threading.current_thread() is not threading.main_thread()):
        yield
        return
    old = signal.signal(signal.SIGALRM, _on_alarm)
    _ALARM_THREAD = threading.get_ident()
    try:
        yield
    finally:
        _ALARM_THREAD = None
        signal.signal(signal.SIGALRM, old)


def _error_outcome(source: dict[str, Any], kind: str, message: str, tb: str | None = None) -> Outcome:
    record = {"source": source, "error": {"type": kind, "message": message}}
    return Outcome(line=dumps_line(record), key=(source.get("path"), source.get("row")),
                   error=(kind, message, str(source.get("path"))), traceback=tb)


def _constraint_types(record: Any) -> dict[str, int]:
    """Constraint count per type, in order of first appearance (as a Counter would give)."""
    types: dict[str, int] = {}
    get = types.get
    for c in record.criteria:
        for k in c.constraints:
            t = k.type
            types[t] = get(t, 0) + 1
    return types


def outcome_for(extractor: Any, item: Any, time_limit_s: float | None = None) -> Outcome:
    """Extract one document (or pass a read failure through) and serialise the result. Never raises
    for a bad document: reading and extraction problems become error records."""
    from ..extractors.errors import EligexError
    from ..extractors.model import ReadFailure

    if time_limit_s is None:
        time_limit_s = DOC_TIME_LIMIT_S
    if isinstance(item, ReadFailure):
        d = item.to_dict()
        return Outcome(line=dumps_line(d), key=(item.path, item.row), error=(item.kind, item.message, item.path),
                       traceback=getattr(item, "traceback", None))
    try:
        if time_limit_s and _ALARM_THREAD is not None and threading.get_ident() == _ALARM_THREAD:
            # the batch installed the handler: only arm and disarm the timer
            signal.setitimer(signal.ITIMER_REAL, time_limit_s)
            try:
                record = extractor.extract(item)
                line = dumps_line(record.to_dict())
                types = _constraint_types(record)
            finally:
                signal.setitimer(signal.ITIMER_REAL, 0)
        else:
            with time_limit(time_limit_s):
                record = extractor.extract(item)
                line = dumps_line(record.to_dict())
                types = _constraint_types(record)
        return Outcome(line=line, key=(item.path, item.row), criteria=len(record.criteria),
                       constraint_types=types)
    except DocumentTimeout:
        return _error_outcome(item.source_dict(), "limit_exceeded",
                              f"extraction took longer than {time_limit_s:g} s and was abandoned")
    except EligexError as exc:
        return _error_outcome(item.source_dict(), exc.kind, str(exc))
    except Exception as exc:  # a bug in an extractor must not stop the batch
        return _error_outcome(item.source_dict(), "internal_error", f"extraction failed ({type(exc).__name__}: {exc})",
                              traceback.format_exc())


# --------------------------------------------------------------------------- workers

_WORKER_EXTRACTOR: Any = None


def _init_worker(rule_dirs: list[str], quiet_warnings: bool = True) -> None:
    global _ALARM_THREAD, _WORKER_EXTRACTOR
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # the parent decides what an interrupt means
    signal.signal(signal.SIGTERM, signal.SIG_DFL)
    if hasattr(signal, "setitimer"):  # the worker's whole life is one batch
        signal.signal(signal.SIGALRM, _on_alarm)
        _ALARM_THREAD = threading.get_ident()
    if quiet_warnings:
        import warnings

        warnings.simplefilter("ignore")
    if _WORKER_EXTRACTOR is None:  # spawn start method: build our own (fork inherits the parent's)
        from ..extractors.pipeline import Extractor

        _WORKER_EXTRACTOR = Extractor([Path(d) for d in rule_dirs])


def _extract_chunk(items: list[Any]) -> list[Outcome]:
    return [outcome_for(_WORKER_EXTRACTOR, item) for item in items]


def _ping() -> int:
    return os.getpid()


def _chunks(items: Iterable[Any], size: int) -> Iterator[list[Any]]:
    chunk: list[Any] = []
    for item in items:
        chunk.append(item)
        if len(chunk) >= size:
            yield chunk
            chunk = []
    if chunk:
        yield chunk


class WorkerPool:
    """N worker processes, results in input order, at most `window` chunks in flight."""

    def __init__(self, jobs: int, extractor: Any, rule_dirs: list[Path], debug: bool = False):
        import multiprocessing

        global _WORKER_EXTRACTOR
        _WORKER_EXTRACTOR = extractor  # inherited by forked workers: no second pipeline build
        self.jobs = jobs
        self.rule_dirs = [str(d) for d in rule_dirs]
        self.debug = debug
        method = "fork" if "fork" in multiprocessing.get_all_start_methods() else "spawn"
        self.context = multiprocessing.get_context(method)
        self.executor: Any = None
        self.window: deque[tuple[list[Any], Any]] = deque()  # (chunk, future) in flight, in order
        self._start()

    def _start(self) -> None:
        from concurrent.futures import ProcessPoolExecutor

        self.executor = ProcessPoolExecutor(max_workers=self.jobs, mp_context=self.context,
                                            initializer=_init_worker, initargs=(self.rule_dirs, not self.debug))
        # Start the workers now, before any progress thread runs (forking a threaded parent is unsafe).
        for f in [self.executor.submit(_ping) for _ in range(self.jobs)]:
            f.result()

    def outcomes(self, items: Iterable[Any]) -> Iterator[Outcome]:
        from concurrent.futures.process import BrokenProcessPool

        window: deque[tuple[list[Any], Any]] = self.window
        limit = self.jobs * WINDOW_PER_WORKER
        chunks = _chunks(items, CHUNK_SIZE)
        exhausted = False
        while True:
            while not exhausted and len(window) < limit:
                chunk = next(chunks, None)
                if chunk is None:
                    exhausted = True
                    break
                window.append((chunk, self.executor.submit(_extract_chunk, chunk)))
            if not window:
                return
            chunk, future = window[0]  # stays in the window (for close()) until it is done
            try:
                results = future.result()
                window.popleft()
            except BrokenProcessPool:
                # A worker died (killed, out of memory, crashed) and took the chunks in flight
                # with it. Restart the workers and redo those documents one at a time, so only
                # the document that kills a worker is reported as failed.
                lost = [c for c, _ in window]
                window.clear()
                self._restart()
                for c in lost:
                    for item in c:
                        yield self._isolated(item)
                continue
            yield from results

    def _restart(self) -> None:
        self.close(kill=True)
        self._start()

    def _isolated(self, item: Any) -> Outcome:
        from concurrent.futures.process import BrokenProcessPool

        future = self.executor.submit(_extract_chunk, [item])
        self.window.append(([item], future))
        try:
            return future.result()[0]
        except BrokenProcessPool:
            self.window.clear()
            self._restart()
            return _lost_outcome(item)
        finally:
            self.window.clear()

    def close(self, kill: bool = False) -> None:
        """Stop the workers: let them finish (normal end), or kill them (interrupted, broken).

        Killing: terminate the workers, then wait (bounded) until the executor has failed the
        futures in flight, which means its manager thread has cleaned up the task queue, and
        only then shut it down. Shutting down first can leave the queue's feeder thread blocked
        forever on a pipe no worker reads, and the process would hang at exit.
        """
        from concurrent.futures import wait

        executor, self.executor = self.executor, None
        if executor is None:
            return
        if not kill:
            executor.shutdown(wait=True)
            return
        for proc in list((getattr(executor, "_processes", None) or {}).values()):
            try:
                proc.terminate()
            except Exception:
                pass
        pending = [f for _, f in self.window]
        self.window.clear()
        if pending:
            wait(pending, timeout=10)
        executor.shutdown(wait=not pending or all(f.done() for f in pending), cancel_futures=True)


def _lost_outcome(item: Any) -> Outcome:
    from ..extractors.model import ReadFailure

    source = item.to_dict()["source"] if isinstance(item, ReadFailure) else item.source_dict()
    return _error_outcome(source, "internal_error", "the worker process extracting this document died")


# --------------------------------------------------------------------------- resume

class ResumeError(Exception):
    pass


def _key_of(record: dict[str, Any]) -> tuple[str, int | None]:
    source = record.get("source") or {}
    return (source.get("path"), source.get("row"))


def load_written_keys(path: Path) -> tuple[set[tuple[str, int | None]], int]:
    """Keys of the records already in `path`; cuts off a partial or broken last line.

    Returns (keys, bytes_dropped). A file holding one indented JSON object (a one-document
    run) is rewritten as one line. A broken line that is not the last one is an error.
    """
    keys: set[tuple[str, int | None]] = set()
    if not path.exists() or path.stat().st_size == 0:
        return keys, 0
    with open(path, "r+b") as fh:
        head = fh.read(2)
        fh.seek(0)
        if head in (b"{\n", b"{\r"):  # an indented single document
            data = fh.read()
            try:
                record = json.loads(data)
            except ValueError:
                fh.truncate(0)
                return keys, len(data)
            keys.add(_key_of(record))
            fh.seek(0)
            fh.truncate(0)
            fh.write((dumps_line(record) + "\n").encode("utf-8"))
            return keys, 0
        good_end = 0
        offset = 0
        bad_line: int | None = None
        for lineno, line in enumerate(fh, 1):
            end = offset + len(line)
            complete = line.endswith(b"\n")
            if complete and not line.strip():  # a blank line: harmless
                if bad_line is None:
                    good_end = end
                offset = end
                continue
            record: Any = None
            if complete:
                try:
                    record = json.loads(line)
                except ValueError:
                    record = None
            if isinstance(record, dict):
                if bad_line is not None:
                    raise ResumeError(f"line {bad_line} is not valid JSON, and more records follow it")
                keys.add(_key_of(record))
                good_end = end
            elif bad_line is None:
                bad_line = lineno
            offset = end
        dropped = offset - good_end
        if dropped:
            fh.truncate(good_end)
    return keys, dropped


def skip_written(items: Iterable[Any], done: set[tuple[str, int | None]], stats: Any) -> Iterator[Any]:
    for item in items:
        if (item.path, item.row) in done:
            stats.skipped += 1
            continue
        yield item


# --------------------------------------------------------------------------- the command

@dataclass
class ExtractOptions:
    paths: list[str]
    output: Path | None = None
    format: OutputFormat = OutputFormat.json
    rule_dirs: list[Path] = field(default_factory=list)
    jobs: int = 1
    progress: bool | None = None
    quiet: bool = False
    resume: bool = False
    debug: bool = False


def _stderr_is_tty() -> bool:
    try:
        return sys.stderr.isatty()
    except (AttributeError, ValueError):
        return False


def _make_progress(opts: ExtractOptions, already_done: int) -> Any:
    from .inputs import estimate_total
    from .summary import BarProgress, LineProgress, NoProgress

    wanted = opts.progress if opts.progress is not None else (_stderr_is_tty() and not opts.quiet)
    if not wanted:
        return NoProgress()
    excluded = [str(opts.output)] if opts.output and str(opts.output) != "-" else []
    total = estimate_total(opts.paths, excluded)
    if total is not None and already_done:
        total = max(total - already_done, 0) or None  # resumed: what is left to do
    console = messages.err_console()
    return BarProgress(console, total) if _stderr_is_tty() else LineProgress(console, total)


def _open_output(opts: ExtractOptions) -> tuple[BinaryIO, bool]:
    """(binary stream, we_own_it)."""
    if opts.output is None or str(opts.output) == "-":
        stream = getattr(sys.stdout, "buffer", None)
        if stream is None:  # a text-only stdout (some embedding): wrap it
            import io

            class _TextAdapter(io.RawIOBase):
                def writable(self) -> bool:
                    return True

                def write(self, b: Any) -> int:
                    sys.stdout.write(bytes(b).decode("utf-8"))
                    return len(b)

                def flush(self) -> None:
                    sys.stdout.flush()

            return _TextAdapter(), False  # type: ignore[return-value]
        return stream, False
    mode = "ab" if opts.resume else "wb"
    return open(opts.output, mode), True


def _report_debug(outcome: Outcome, progress: Any) -> None:
    kind, message, path = outcome.error  # type: ignore[misc]
    progress.print(f"eligex: {path}: {kind}: {message}")
    if outcome.traceback:
        progress.print(outcome.traceback.rstrip())


def run_extract(opts: ExtractOptions) -> int:
    """Run `eligex extract`; returns the exit code."""
    from .summary import Stats

    if opts.resume and (opts.output is None or str(opts.output) == "-"):
        print_error("--resume needs --output FILE (the file to continue)", None, "usage_error",
                    "Run again with --output FILE --resume")
        return EXIT_USAGE
    if opts.resume and opts.format == OutputFormat.table:
        print_error("--resume cannot continue a table", None, "usage_error", "Use --format jsonl with --resume")
        return EXIT_USAGE
    if "-" in opts.paths:
        try:
            interactive = sys.stdin.isatty()
        except (AttributeError, ValueError):
            interactive = False
        if interactive:
            print_error("no document on stdin (it is a terminal)", None, "usage_error",
                        "Pipe a document in, e.g. `eligex extract - < trial.json`")
            return EXIT_USAGE
    jobs = opts.jobs if opts.jobs > 0 else (os.cpu_count() or 1)

    # The pipeline: rule packs are loaded and checked here, before any input is read.
    from ..extractors.errors import EligexError, RulePackError

    try:
        from ..extractors.pipeline import Extractor

        extractor = Extractor(list(opts.rule_dirs))
        if opts.rule_dirs and getattr(extractor, "rule_set", None) is None and getattr(extractor, "rules", None) is None:
            # This Extractor does not load packs when built: check the user's packs here, so a
            # broken --rules pack always fails before any input is read.
            from ..extractors.rulepack import load_rule_set

            load_rule_set(list(opts.rule_dirs))
    except RulePackError as exc:
        if opts.debug:
            traceback.print_exc()
        print_error(str(exc), exc.path, "rule_pack_error")
        return EXIT_USAGE
    except EligexError as exc:
        if opts.debug:
            traceback.print_exc()
        print_error(str(exc), None, exc.kind)
        return EXIT_USAGE
    except Exception as exc:
        if opts.debug:
            traceback.print_exc()
        print_error(f"cannot build the extraction pipeline: {type(exc).__name__}: {exc}", None, "internal_error")
        return EXIT_USAGE

    # The pipeline is built: its many long-lived objects (rules, lexicons, the tokenizer) need
    # never be scanned by the cyclic garbage collector again, which makes every full
    # collection during the batch cheaper (and forked workers share those pages untouched).
    import gc

    gc.freeze()

    stats = Stats()
    done: set[tuple[str, int | None]] = set()
    if opts.resume:
        try:
            done, dropped = load_written_keys(opts.output)  # type: ignore[arg-type]
        except (ResumeError, OSError) as exc:
            print_error(f"cannot resume from {opts.output}: {exc}", None, "output_error",
                        "Fix or remove the file, or run without --resume to start over")
            return EXIT_USAGE
        if dropped and not opts.quiet:
            say(f"eligex: removed a partial last line ({dropped:,} bytes) from {opts.output}")
    try:
        stream, own_stream = _open_output(opts)
    except OSError as exc:
        print_error(f"cannot write the output file ({exc.strerror or exc})", str(opts.output), "output_error")
        return EXIT_USAGE

    from .inputs import expand_paths, iter_documents

    guard = SignalGuard()
    sink = LineSink(stream, guard)
    if opts.format == OutputFormat.table:
        from rich.console import Console

        try:
            width = None if sys.stdout.isatty() else 140  # not a terminal: rich would assume 80
        except (AttributeError, ValueError):
            width = 140
        writer: Any = TableWriter(Console(file=sys.stdout, highlight=False, width=width), messages.err_console())
    else:
        writer = JsonWriter(sink, force_lines=(opts.format == OutputFormat.jsonl or opts.resume))

    excluded = [str(opts.output)] if opts.output is not None and str(opts.output) != "-" else []
    items: Iterable[Any] = iter_documents(expand_paths(opts.paths, excluded))
    if done:
        items = skip_written(items, done, stats)

    pool: WorkerPool | None = None
    progress: Any = None
    last: Outcome | None = None
    exit_code = EXIT_OK
    guard.install()
    alarm = alarm_handler()
    alarm.__enter__()
    try:
        if jobs > 1:
            pool = WorkerPool(jobs, extractor, list(opts.rule_dirs), opts.debug)
            outcomes: Iterable[Outcome] = pool.outcomes(items)
        else:
            outcomes = (outcome_for(extractor, item) for item in items)
        progress = _make_progress(opts, len(done))
        progress.start()
        for outcome in outcomes:
            writer.add(outcome)
            stats.add(outcome)
            last = outcome
            progress.advance()
            if outcome.error is not None and opts.debug:
                _report_debug(outcome, progress)
        writer.finish()
        progress.stop()
    except Interrupted as exc:
        guard.hold()
        if progress is not None:
            progress.stop()
        had_workers = pool is not None
        if pool is not None:
            pool.close(kill=True)
            pool = None
        try:
            writer.abort()
        except (OSError, ValueError):
            pass
        where = "stdout" if opts.output is None or str(opts.output) == "-" else str(opts.output)
        name = signal.Signals(exc.signum).name
        say(f"eligex: interrupted ({name}); {sink.written:,} document{'s' * (sink.written != 1)} written to "
            f"{where}" + (f". Continue with: --output {where} --resume" if where != "stdout" else ""))
        if had_workers:
            # Everything written is whole and flushed. Leave now: the executor's exit hooks can
            # block forever joining a queue feeder thread whose reader was just killed.
            for stream in (sys.stdout, sys.stderr):
                try:
                    stream.flush()
                except (OSError, ValueError):
                    pass
            os._exit(exc.exit_code)
        return exc.exit_code
    except BrokenPipeError:
        # The reader of our stdout went away (`| head`): stop quietly.
        guard.hold()
        if progress is not None:
            progress.stop()
        try:
            devnull = os.open(os.devnull, os.O_WRONLY)
            os.dup2(devnull, sys.stdout.fileno())
        except (OSError, ValueError, AttributeError):
            pass
        return EXIT_OK
    except OSError as exc:  # the output device failed (disk full, ...)
        guard.hold()
        if progress is not None:
            progress.stop()
        print_error(f"cannot write the output ({exc.strerror or exc}) after {sink.written:,} documents",
                    None if opts.output is None else str(opts.output), "output_error",
                    "Free some space or choose another --output, then continue with --resume")
        return EXIT_USAGE
    except Exception as exc:  # a bug in eligex itself: one line (a traceback with --debug)
        guard.hold()
        if progress is not None:
            progress.stop()
        if opts.debug:
            traceback.print_exc()
        print_error(f"internal error after {sink.written:,} documents ({type(exc).__name__}: {exc})", None,
                    "internal_error")
        return EXIT_INPUT
    finally:
        alarm.__exit__(None, None, None)
        guard.restore()
        if pool is not None:
            pool.close()
        if own_stream:
            try:
                stream.close()
            except OSError:
                pass

    if stats.failed:
        exit_code = EXIT_INPUT
    if stats.documents == 1 and stats.skipped == 0 and last is not None and last.error is not None:
        # One input, and it failed: one clear line, no batch summary.
        kind, message, path = last.error
        print_error(message, path, kind)
        return exit_code
    if stats.documents == 0 and stats.skipped == 0:
        print_error("no documents found in the given paths", " ".join(opts.paths), "not_found",
                    "Check the paths; directories are searched recursively, hidden files are skipped")
        return EXIT_INPUT
    if not opts.quiet:
        say(stats.summary_line())
    return exit_code
