"""Run scripts in isolated worker processes, several at a time, with timeouts.

Each script gets a fresh process forked from a multiprocessing *forkserver* that has already
imported torch, transformers, matplotlib and friends (see warmup.py). So:

- imports cost once per build (once per `mkdocs serve` session, as the forkserver lives on),
  not once per script;
- every script is isolated: it cannot change the build's state or another script's;
- a hang, a crash, `os._exit` or an out-of-memory kill ends only that process.
"""

from __future__ import annotations

import contextlib
import multiprocessing
import multiprocessing.connection
import multiprocessing.forkserver
import re
import sys
import threading
import time
import types
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path

from .execute import PROGRESS_FILE, TIMEOUT_FILE, Job, run_job
from .record import RunRecord, ScriptFailure

GRACE_SECONDS = 15.0  # after the timeout, the faulthandler has this long to dump stacks and exit


@dataclass
class RunOutcome:
    job: Job
    record: RunRecord | None  # what the worker wrote, or None if it died without a record
    failure: ScriptFailure | None  # the script's failure, or why the worker died
    wall_time: float


_context: multiprocessing.context.ForkServerContext | None = None


def _forkserver() -> multiprocessing.context.ForkServerContext:
    global _context
    if _context is None:
        _context = multiprocessing.get_context("forkserver")
        _context.set_forkserver_preload(["gallery_builder.run.warmup"])
    return _context


def start_warming(on_ready: Callable[[float | None], None] | None = None) -> None:
    """Start the forkserver's imports now, so they overlap with the build's other work.

    `on_ready`, if given, is called from a background thread once the imports are done, with
    the seconds they took (None if the server could not start)."""
    context = _forkserver()
    with _bare_main_module():  # else the server would import mkdocs' command line module too
        multiprocessing.forkserver.ensure_running()
    if on_ready is not None:
        threading.Thread(target=_report_ready, args=(context, on_ready), name="gallery-warm-up", daemon=True).start()


def _report_ready(context: multiprocessing.context.ForkServerContext, on_ready: Callable[[float | None], None]) -> None:
    """Fork a process that does nothing: the forkserver answers only once its imports are done."""
    started = time.monotonic()
    try:
        probe = context.Process(target=_nothing, name="gallery:warm-up probe")
        with _bare_main_module():
            probe.start()
        probe.join()
    except Exception:  # noqa: BLE001 - the server died while importing: the next build reports why
        on_ready(None)
        return
    on_ready(time.monotonic() - started)


def _nothing() -> None:
    pass


def run_all(jobs: Iterable[Job], parallel: int) -> Iterator[RunOutcome]:
    """Run `jobs`, at most `parallel` at once, yielding each outcome as its job finishes."""
    context = _forkserver()
    queue = list(jobs)
    running: dict[int, tuple[multiprocessing.process.BaseProcess, Job, float]] = {}
    try:
        while queue or running:
            while queue and len(running) < parallel:
                job = queue.pop(0)
                worker = context.Process(target=run_job, args=(job,), name=f"gallery:{job.display_name}")
                with _bare_main_module():
                    worker.start()
                running[worker.sentinel] = (worker, job, time.monotonic())
            multiprocessing.connection.wait(list(running), timeout=1.0)
            now = time.monotonic()
            for sentinel, (process, job, started) in list(running.items()):
                overdue = now - started > job.timeout + GRACE_SECONDS
                if process.is_alive() and not overdue:
                    continue
                if overdue:
                    process.kill()
                process.join()
                del running[sentinel]
                yield _outcome(job, process.exitcode, now - started, overdue)
    finally:  # the caller stopped early (an error, Ctrl-C): no worker outlives the build
        for process, _, _ in running.values():
            process.kill()
            process.join()


_MAIN_SWAP = threading.Lock()  # the warm-up probe starts its process from another thread


@contextlib.contextmanager
def _bare_main_module() -> Iterator[None]:
    """Start workers without re-importing the parent's __main__ (mkdocs, pytest, a notebook).

    multiprocessing re-runs the parent's main script in each child so that functions defined
    there can be unpickled; workers only need gallery_builder, and a main that is not a file
    (stdin, a notebook) would make every child fail.
    """
    with _MAIN_SWAP:
        real = sys.modules["__main__"]
        sys.modules["__main__"] = types.ModuleType("__main__")
        try:
            yield
        finally:
            sys.modules["__main__"] = real


def _outcome(job: Job, exitcode: int | None, wall_time: float, killed: bool) -> RunOutcome:
    record = RunRecord.read(job.out_dir)
    if record is not None:
        return RunOutcome(job, record, record.failure, wall_time)
    return RunOutcome(job, None, _death_failure(job, exitcode, killed), wall_time)


def _death_failure(job: Job, exitcode: int | None, killed: bool) -> ScriptFailure:
    """Explain a worker that ended without writing its result."""
    dump = _read(job.out_dir / TIMEOUT_FILE)
    progress = _read(job.out_dir / PROGRESS_FILE)
    cell_line = int(progress) if progress.strip().isdigit() else 1
    if dump.startswith("Timeout") or killed:
        line = _innermost_line(dump, job.script) or cell_line
        return ScriptFailure(line, f"TimeoutError: the script ran longer than its {job.timeout:g} s timeout", "")
    if exitcode is not None and exitcode < 0:
        signal_number = -exitcode
        hint = " (killed: probably out of memory)" if signal_number == 9 else ""
        reason = f"the worker process died from signal {signal_number}{hint} in the cell starting at line {cell_line}"
        return ScriptFailure(cell_line, reason, "")
    reason = f"the worker process exited with code {exitcode} in the cell starting at line {cell_line}"
    return ScriptFailure(cell_line, reason, "")


def _read(path: Path) -> str:
    return path.read_text(errors="replace") if path.exists() else ""


def _innermost_line(dump: str, script: Path) -> int | None:
    """faulthandler lists the most recent call first: the first frame in the script is the line."""
    for match in re.finditer(r'File "([^"]+)", line (\d+)', dump):
        if Path(match.group(1)) == script:
            return int(match.group(2))
    return None
