"""Live-preview benchmark: how long `mkdocs serve` on the real gallery takes to reload after an edit.

A real `mkdocs serve` runs in a copy of the project (every script of gallery_src/), with its own
output cache in .cache/bench/serve-cache/: the first run fills it with one full build (minutes),
later runs reuse it, as a contributor's `make site` would. The in-browser models' exports come
from the project's cache (.cache/gallery/live/, or GALLERY_LIVE_CACHE), made there if missing.
Once the server is up and its workers are warm, the benchmark measures, from the moment a file
is written to the moment the server tells browsers to reload (its livereload long-poll answers):

- unchanged rebuild: a docs page gets one more blank line; no script runs (twice, then once
  after each edit: the median counts);
- first edit, later edits: EDITED gets an extra comment line, new in every run (so never
  cached); only it re-runs. Its own run time is the one the build prints for it.

Target, for every edit, the first included: reload <= the script's own time + an unchanged
rebuild + 1 s. `--without-warm-up` serves without mkdocs_hooks.py, the way the gallery served
before the workers warmed up at start, for comparison.

Usage: .venv/bin/python benchmarks/serve_speed.py [--edits N] [--without-warm-up]  (part of `make bench`).
"""

from __future__ import annotations

import argparse
import os
import re
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import urllib.request
from dataclasses import dataclass
from pathlib import Path

from build_speed import RESULTS, ROOT, build_env, progress

EDITED = "gallery_src/01_attention/01_one_head.py"
TOUCHED = "docs/models.md"
SERVE_CACHE = ROOT / ".cache" / "bench" / "serve-cache"
EDIT_SLACK = 1.0  # seconds allowed on top of the script's own time and an unchanged rebuild


@dataclass
class Reload:
    what: str
    seconds: float
    script_seconds: float | None  # the edited script's own run, as the build printed it


def copy_project(target: Path, with_warm_up: bool) -> Path:
    """The whole project as the builds see it, without caches, site or virtual environment."""
    ignore = shutil.ignore_patterns("__pycache__")
    target.mkdir(parents=True)
    for name in ("mkdocs.yml", "CONTRIBUTING.md", "pyproject.toml"):
        shutil.copy(ROOT / name, target / name)
    for folder in ("docs", "gallery_src", "gallery_builder"):
        shutil.copytree(ROOT / folder, target / folder, ignore=ignore)
    if not with_warm_up:
        config = target / "mkdocs.yml"
        config.write_text(re.sub(r"(?m)^hooks:\n(  - .*\n)+", "", config.read_text()))
    return target


def fill_cache(project: Path, env: dict[str, str]) -> None:
    progress(f"filling {SERVE_CACHE.relative_to(ROOT)} with one build of the whole gallery "
             "(minutes the first time and after generator changes; seconds later)")
    started = time.perf_counter()
    done = subprocess.run([sys.executable, "-m", "mkdocs", "build", "--strict"], cwd=project, env=env,
                          capture_output=True, text=True)
    summary = re.findall(r"gallery: \d+ ran, \d+ cached, \d+ failed in [\d.]+ s", done.stderr)
    progress(f"{summary[-1] if summary else 'no gallery summary'} ({time.perf_counter() - started:.0f} s in all)")
    if done.returncode != 0:
        raise SystemExit(f"the build that fills the serve cache failed:\n{done.stderr[-3000:]}")


class Server:
    """`mkdocs serve` in a project, with its log collected line by line."""

    def __init__(self, project: Path, env: dict[str, str], log: Path) -> None:
        with socket.socket() as probe:
            probe.bind(("127.0.0.1", 0))
            self.port = probe.getsockname()[1]
        self.started = time.perf_counter()
        self.process = subprocess.Popen(
            [sys.executable, "-m", "mkdocs", "serve", "--livereload", "-a", f"127.0.0.1:{self.port}"],
            cwd=project, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, start_new_session=True,
        )
        self.lines: list[tuple[float, str]] = []
        self.log = open(log, "w")  # noqa: SIM115 - closed in stop()
        threading.Thread(target=self._read, daemon=True).start()

    def _read(self) -> None:
        assert self.process.stdout is not None
        for line in self.process.stdout:
            self.lines.append((time.perf_counter(), line.rstrip()))
            self.log.write(line)

    def wait_for(self, pattern: str, after: int = 0, timeout: float = 900) -> tuple[float, re.Match[str]]:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            for stamp, line in self.lines[after:]:
                if match := re.search(pattern, line):
                    return stamp, match
            if self.process.poll() is not None:
                raise SystemExit(f"mkdocs serve stopped; see {self.log.name}")
            time.sleep(0.05)
        raise SystemExit(f"no line matching {pattern!r} within {timeout:.0f} s; see {self.log.name}")

    def epoch(self) -> int:
        """The site version the server shows, read from the livereload script of a page."""
        with urllib.request.urlopen(f"http://127.0.0.1:{self.port}/", timeout=60) as response:
            page = response.read().decode()
        found = re.search(r"livereload\((\d+),", page)
        if not found:
            raise SystemExit("the served page has no livereload script")
        return int(found.group(1))

    def wait_for_reload(self, epoch: int, timeout: float = 900) -> None:
        """Long-poll as a browser does, until the server announces a site newer than `epoch`."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            with urllib.request.urlopen(f"http://127.0.0.1:{self.port}/livereload/{epoch}/1", timeout=120) as answer:
                if int(answer.read()) > epoch:
                    return
        raise SystemExit(f"no reload within {timeout:.0f} s; see {self.log.name}")

    def stop(self) -> None:
        os.killpg(self.process.pid, 9)
        self.process.wait()
        self.log.close()


def timed_reload(server: Server, path: Path, addition: str, what: str) -> Reload:
    epoch = server.epoch()
    mark = len(server.lines)
    started = time.perf_counter()
    with open(path, "a") as handle:
        handle.write(addition)
    server.wait_for_reload(epoch)
    seconds = time.perf_counter() - started
    script = None
    if path.suffix == ".py":
        _, found = server.wait_for(rf"gallery: \[\d+/\d+\] ran +{re.escape(EDITED)} \(([\d.]+) s\)", after=mark)
        script = float(found.group(1))
    server.wait_for(r"Reloading browsers", after=mark)
    progress(f"{what:16} reload after {seconds:5.1f} s" + (f" (the script itself: {script:.1f} s)" if script else ""))
    return Reload(what, seconds, script)


def measure(
    project: Path, env: dict[str, str], edits: int, label: str, warm_up: bool
) -> tuple[list[Reload], float, float | None]:
    server = Server(project, env, RESULTS / "logs" / f"serve-{label}.log")
    try:
        served, _ = server.wait_for(r"Serving on http")
        warm = None
        if warm_up:
            stamp, _ = server.wait_for(r"gallery: workers are warm after", timeout=300)
            warm = stamp - server.started
        progress(f"serving after {served - server.started:.1f} s; workers warm after "
                 + (f"{warm:.1f} s" if warm is not None else "(no warm-up)"))
        time.sleep(1.0)  # the file watcher starts just after "Serving on"
        # Unchanged rebuilds vary by a second from one to the next: one after each edit, too.
        reloads = [timed_reload(server, project / TOUCHED, "\n", f"unchanged {n + 1}") for n in range(2)]
        for number in range(1, edits + 1):
            what = "first edit" if number == 1 else f"edit {number}"
            comment = f"\n# serve benchmark edit {number} ({time.time_ns()})\n"
            reloads.append(timed_reload(server, project / EDITED, comment, what))
            reloads.append(timed_reload(server, project / TOUCHED, "\n", f"unchanged {number + 2}"))
        return reloads, served - server.started, warm
    finally:
        server.stop()


def report(reloads: list[Reload], served: float, warm: float | None, label: str) -> str:
    unchanged_runs = [r.seconds for r in reloads if r.script_seconds is None]
    unchanged = statistics.median(unchanged_runs)
    lines = [f"`mkdocs serve` on the whole gallery ({label}): serving after {served:.1f} s, workers warm after "
             + (f"{warm:.1f} s." if warm is not None else "the first edit (no warm-up)."), "",
             "| reload after | seconds | script's own run | budget | within |", "| --- | ---: | ---: | ---: | --- |",
             f"| unchanged rebuild (median of {len(unchanged_runs)}) | {unchanged:.1f} | | | |"]
    for reload in (r for r in reloads if r.script_seconds is not None):
        budget = reload.script_seconds + unchanged + EDIT_SLACK if reload.script_seconds is not None else 0.0
        lines.append(f"| {reload.what} | {reload.seconds:.1f} | {reload.script_seconds:.1f} | {budget:.1f} | "
                     f"{'yes' if reload.seconds <= budget else 'no'} |")
    lines += ["", f"Unchanged rebuilds, in order: {', '.join(f'{r:.1f}' for r in unchanged_runs)} s. "
              f"Budget: the script's own run + the unchanged rebuild + {EDIT_SLACK:.0f} s. Edited: `{EDITED}`; "
              f"touched for the unchanged rebuild: `{TOUCHED}`."]
    return "\n".join(lines) + "\n"


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--edits", type=int, default=3, help="script edits to time (default 3)")
    parser.add_argument("--without-warm-up", action="store_true",
                        help="serve without the warm-up hook (how the gallery served before it), for comparison")
    args = parser.parse_args()
    (RESULTS / "logs").mkdir(parents=True, exist_ok=True)
    # The in-browser models' exports are the project's own (keyed; made once per machine).
    live = os.environ.get("GALLERY_LIVE_CACHE") or str(ROOT / ".cache" / "gallery" / "live")
    env = dict(build_env(), GALLERY_CACHE=str(SERVE_CACHE), GALLERY_LIVE_CACHE=live)
    label = "without warm-up" if args.without_warm_up else "warm-up at start"
    with tempfile.TemporaryDirectory(prefix="gallery-serve-bench-") as workdir:
        project = copy_project(Path(workdir) / "project", with_warm_up=not args.without_warm_up)
        fill_cache(project, env)
        reloads, served, warm = measure(project, env, args.edits, label.replace(" ", "-"), not args.without_warm_up)
    table = report(reloads, served, warm, label)
    print("\n" + table)
    with open(RESULTS / "latest.md", "a") as out:
        out.write("\n" + table)
    return 0


if __name__ == "__main__":
    sys.exit(main())
