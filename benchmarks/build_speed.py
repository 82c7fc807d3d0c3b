"""Build-speed benchmark: this project's gallery generator against mkdocs-gallery 0.10.4.

Both tools build the original tutorial's five views (SCRIPTS, with their section READMEs) with the
embedded all-MiniLM-L6-v2, offline; every build is a real `mkdocs build --strict` subprocess in a
fresh temporary project. Scenarios: cold (no previous outputs), unchanged (the same build again)
and, for this project, edit (one script gets an extra comment line). Each round runs them all,
alternating which tool goes first; both interpreters import torch once beforehand, untimed, so
"cold" means no cached outputs, not a cold disk.

How to read the table: median wall-clock seconds over the rounds (each run is logged); CPU seconds of
the whole process tree (user + system, a load-independent view on a noisy machine); scripts run
and reused, parsed from each tool's own summary; peak memory, the sum of the tree's proportional
set sizes (PSS: pages that forked workers share count once), sampled every 0.2 s. Then the
ratios this project / mkdocs-gallery against issue 20's targets: cold wall <= 0.8x, cold CPU
<= 1.05x, cold peak memory <= 1.0x, unchanged <= 1.0x; and the edit re-runs exactly 1 script.
Targets are reported, not asserted: the exit status is non-zero only when a build fails.

Before the rounds, one build exports the in-browser model into a cache the rounds share (an
export depends on the model and the exporter, never on a script: once per machine, like the
embedded model); its time is a line of its own under the table.

Usage: .venv/bin/python benchmarks/build_speed.py [--rounds N]  (`make bench`). The first run
installs mkdocs-gallery into its own venv, .cache/bench/mkdocs-gallery/. The table also goes to
benchmarks/results/latest.md, and each build's log to benchmarks/results/logs/.
"""

from __future__ import annotations

import argparse
import ctypes
import os
import platform
import re
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from dataclasses import dataclass
from pathlib import Path

import psutil

ROOT = Path(__file__).resolve().parent.parent
SCRIPTS = (
    "02_attributions/01_averaged_gradient_is_flat.py",
    "01_attention/01_one_head.py",
    "01_attention/02_all_heads_one_layer.py",
    "03_hidden_states/01_token_across_layers.py",
    "04_interactive/01_head_view.py",
)
EDITED = "01_attention/01_one_head.py"
OURS, GALLERY = "this project", "mkdocs-gallery 0.10.4"
GALLERY_VENV = ROOT / ".cache" / "bench" / "mkdocs-gallery"
PINNED = ("torch", "transformers", "bertviz", "matplotlib", "seaborn", "mkdocs", "mkdocs-material")
RESULTS = ROOT / "benchmarks" / "results"
HF_CACHE = Path(os.environ.get("GALLERY_HF_CACHE", ROOT / ".cache" / "huggingface" / "hub")).resolve()
# Issue 20's targets, this project / mkdocs-gallery, each a ratio of medians from one run.
TARGETS = (
    ("cold wall", "cold", "seconds", 0.8),
    ("cold CPU", "cold", "cpu_seconds", 1.05),
    ("cold peak memory", "cold", "peak_mb", 1.0),
    ("unchanged wall", "unchanged", "seconds", 1.0),
)
PR_SET_CHILD_SUBREAPER = 36  # linux/prctl.h

MKDOCS_GALLERY_YML = """site_name: mkdocs-gallery benchmark
theme:
  name: material
nav:
  - Home: index.md
  - Gallery: generated/gallery
plugins:
  - gallery:
      examples_dirs: gallery_src
      gallery_dirs: docs/generated/gallery
      filename_pattern: ".*"   # the default runs only files matching /plot_
"""


@dataclass
class Run:
    tool: str
    scenario: str
    seconds: float
    cpu_seconds: float
    peak_mb: float
    ran: int | None
    cached: int | None
    ok: bool


def progress(message: str) -> None:
    print(f"[bench {time.strftime('%H:%M:%S')}] {message}", flush=True)


def build_env() -> dict[str, str]:
    env = dict(os.environ, HF_HUB_OFFLINE="1", HF_HUB_CACHE=str(HF_CACHE), GALLERY_HF_CACHE=str(HF_CACHE))
    env.update(NO_MKDOCS_2_WARNING="true", DISABLE_MKDOCS_2_WARNING="true")
    env.pop("VIRTUAL_ENV", None)
    return env


def gallery_python() -> Path:
    """The venv holding mkdocs-gallery and the project's pinned libraries; created on first use."""
    python = GALLERY_VENV / "bin" / "python"
    pins = [line.strip() for line in (ROOT / "requirements.txt").read_text().splitlines()
            if line.split("==")[0].strip().lower() in PINNED]
    wanted = ["mkdocs-gallery==0.10.4", *sorted(pins)]
    assert any(p == "torch==2.13.0" for p in pins), "torch must be exactly 2.13.0 (the local CPU wheel)"
    stamp = GALLERY_VENV / "bench-installed.txt"
    if python.exists() and stamp.exists() and stamp.read_text().split() == wanted:
        return python
    progress(f"installing {' '.join(wanted)} into {GALLERY_VENV} (once; a few minutes)")
    subprocess.run(["python3", "-m", "venv", str(GALLERY_VENV)], check=True)
    pip = [str(python), "-m", "pip", "install", "-q", "--disable-pip-version-check", *wanted]
    locked = subprocess.run([*pip, "-c", str(ROOT / "requirements.lock")], capture_output=True, text=True)
    if locked.returncode != 0:  # pip's output is only shown when it matters
        progress(f"the lock file does not fit mkdocs-gallery's requirements; installing without it\n{locked.stderr}")
        subprocess.run(pip, check=True)
    stamp.write_text("\n".join(wanted) + "\n")
    return python


def snapshot(target: Path) -> Path:
    """A copy of what the builds read, taken once: every round then builds the same code, even if
    someone edits the working tree (gallery_builder included) while the benchmark runs."""
    target.mkdir(parents=True)
    for name in ("mkdocs.yml", "CONTRIBUTING.md", "gallery_src/README.md"):
        (target / name).parent.mkdir(exist_ok=True)
        shutil.copy(ROOT / name, target / name)
    for script in SCRIPTS:
        (target / "gallery_src" / script).parent.mkdir(exist_ok=True)
        for name in (script, str(Path(script).parent / "README.md")):
            shutil.copy(ROOT / "gallery_src" / name, target / "gallery_src" / name)
    ignore = shutil.ignore_patterns("__pycache__")
    shutil.copytree(ROOT / "docs", target / "docs", ignore=ignore)
    shutil.copytree(ROOT / "gallery_builder", target / "gallery_builder", ignore=ignore)
    return target


def our_project(target: Path, source: Path) -> Path:
    """The real site configuration around the five scripts, as tests/conftest.py's make_project."""
    target.mkdir(parents=True)
    for name in ("mkdocs.yml", "CONTRIBUTING.md"):
        shutil.copy(source / name, target / name)
    shutil.copytree(source / "docs", target / "docs")
    shutil.copytree(source / "gallery_src", target / "gallery_src")
    (target / "gallery_builder").symlink_to(source / "gallery_builder")  # imported from the project folder
    return target


def gallery_project(target: Path, source: Path) -> Path:
    (target / "docs").mkdir(parents=True)
    (target / "docs" / "index.md").write_text("# mkdocs-gallery benchmark\n")
    (target / "mkdocs.yml").write_text(MKDOCS_GALLERY_YML)
    shutil.copytree(source / "gallery_src", target / "gallery_src")
    return target


def tree_pss_mb(root: psutil.Process) -> float:
    kilobytes = 0
    try:
        processes = [root, *root.children(recursive=True)]
    except psutil.Error:
        return 0.0
    for process in processes:
        try:
            with open(f"/proc/{process.pid}/smaps_rollup") as handle:
                kilobytes += next(int(line.split()[1]) for line in handle if line.startswith("Pss:"))
        except (OSError, StopIteration, ValueError):
            pass  # the process ended between the listing and the read
    return kilobytes / 1024


def cpu_seconds_of_children() -> float:
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def reap_orphans(limit: float = 10.0) -> None:
    """Reap the build's descendants that outlive it (our forkserver, briefly): as this process is a
    child subreaper, they and the CPU time of the workers they reaped come back here, not to init."""
    deadline = time.monotonic() + limit
    while time.monotonic() < deadline:
        try:
            pid, _ = os.waitpid(-1, os.WNOHANG)
        except ChildProcessError:
            return
        if pid == 0:
            time.sleep(0.05)


def timed_build(command: list[str], cwd: Path, env: dict[str, str], log: Path) -> tuple[float, float, float, int]:
    """Run one build; return its wall-clock seconds, CPU seconds, peak tree PSS (MB) and exit code."""
    peak = 0.0
    cpu_before = cpu_seconds_of_children()
    with open(log, "w") as out:
        started = time.perf_counter()
        process = subprocess.Popen(command, cwd=cwd, env=env, stdout=out, stderr=subprocess.STDOUT)
        root = psutil.Process(process.pid)
        done = threading.Event()

        def sample() -> None:
            nonlocal peak
            while not done.wait(0.2):
                peak = max(peak, tree_pss_mb(root))

        sampler = threading.Thread(target=sample, daemon=True)
        sampler.start()
        code = process.wait()
        seconds = time.perf_counter() - started
        done.set()
        sampler.join()
    reap_orphans()
    return seconds, cpu_seconds_of_children() - cpu_before, peak, code


def counts(tool: str, output: str) -> tuple[int | None, int | None, bool]:
    """(ran, cached, any script failed) from the tool's own summary lines."""
    if tool == OURS:
        found = re.findall(r"gallery: (\d+) ran, (\d+) cached, (\d+) failed in", output)
        if not found:
            return None, None, True
        ran, cached, failed = map(int, found[-1])
        return ran, cached, failed > 0
    executed = re.search(r"successfully executed (\d+) out of (\d+) files", output)
    excluded = re.search(r"after excluding (\d+) files that had previously been run", output)
    failed = "Unexpected failing examples" in output
    return (int(executed.group(1)) if executed else None, int(excluded.group(1)) if excluded else None, failed)


def measure(tool: str, scenario: str, project: Path, python: Path, env: dict[str, str], tag: str) -> Run:
    log = RESULTS / "logs" / f"{tag}-{'ours' if tool == OURS else 'mkdocs-gallery'}-{scenario}.log"
    seconds, cpu, peak, code = timed_build([str(python), "-m", "mkdocs", "build", "--strict"], project, env, log)
    ran, cached, failed = counts(tool, log.read_text(errors="replace"))
    run = Run(tool, scenario, seconds, cpu, peak, ran, cached, ok=code == 0 and not failed)
    state = "ok" if run.ok else f"FAILED (exit {code}; see {log.relative_to(ROOT)})"
    progress(f"{tool:22} {scenario:9} {seconds:5.1f} s (CPU {cpu:5.1f} s)  ran={ran} cached={cached}  "
             f"peak {peak:4.0f} MB  {state}")
    return run


def export_live_model(workdir: Path) -> Run:
    """One build, untimed for the table, that fills the shared cache of the in-browser model.

    The export depends on the model, the exporter and the library versions, never on a script,
    so it is made once per machine, as the embedded models are prepared once; every cold build
    then reuses it. Its time is reported on its own line, not folded into the cold median."""
    project = our_project(workdir / "live-export", workdir / "source")
    env = dict(build_env(), GALLERY_CACHE=str(workdir / "live-export-cache"), GALLERY_LIVE_CACHE=str(workdir / "live"))
    run = measure(OURS, "export", project, Path(sys.executable), env, "live")
    shutil.rmtree(project)
    return run


def run_round(number: int, workdir: Path, gallery_py: Path) -> list[Run]:
    base = workdir / f"round{number}"
    ours = our_project(base / "ours", workdir / "source")
    other = gallery_project(base / "mkdocs-gallery", workdir / "source")
    ours_env = dict(build_env(), GALLERY_CACHE=str(base / "ours-cache"),  # does not exist yet: cold
                    GALLERY_LIVE_CACHE=str(workdir / "live"))
    tools = {OURS: (ours, Path(sys.executable), ours_env), GALLERY: (other, gallery_py, build_env())}
    order = [OURS, GALLERY] if number % 2 else [GALLERY, OURS]
    runs: list[Run] = []
    for scenario in ("cold", "unchanged"):
        for tool in order:
            project, python, env = tools[tool]
            runs.append(measure(tool, scenario, project, python, env, f"round{number}"))
    with open(ours / "gallery_src" / EDITED, "a") as script:
        script.write(f"\n# benchmark edit, round {number}\n")
    runs.append(measure(OURS, "edit", ours, Path(sys.executable), ours_env, f"round{number}"))
    return runs


ROWS = [(OURS, "cold"), (OURS, "unchanged"), (OURS, "edit"), (GALLERY, "cold"), (GALLERY, "unchanged")]


def median(runs: list[Run], tool: str, scenario: str, measure: str = "seconds") -> float:
    values: list[float] = [getattr(r, measure) for r in runs if r.tool == tool and r.scenario == scenario]
    return statistics.median(values)


def report(runs: list[Run], rounds: int) -> str:
    # Narrow enough for the docs' text column at 1280 px: no column hidden behind a scroll bar.
    lines = ["| tool | scenario | median s | CPU s | ran / cached | peak MB |",
             "| --- | --- | ---: | ---: | ---: | ---: |"]
    for tool, scenario in ROWS:
        chosen = [r for r in runs if r.tool == tool and r.scenario == scenario]
        ran = "/".join(sorted({str(r.ran) for r in chosen}))
        cached = "/".join(sorted({str(r.cached) for r in chosen}))
        peak = statistics.median(r.peak_mb for r in chosen)
        cpu = statistics.median(r.cpu_seconds for r in chosen)
        seconds = median(runs, tool, scenario)
        lines.append(f"| {tool} | {scenario} | {seconds:.1f} | {cpu:.1f} | {ran} / {cached} | {peak:.0f} |")
        progress(f"{tool}, {scenario}: each run {' '.join(f'{r.seconds:.1f}' for r in chosen)} s")
    lines += ["", "| target: this project / mkdocs-gallery | measured | goal | met |",
              "| --- | ---: | ---: | --- |"]
    for label, scenario, measure, goal in TARGETS:
        ratio = median(runs, OURS, scenario, measure) / median(runs, GALLERY, scenario, measure)
        lines.append(f"| {label} | {ratio:.2f}x | <= {goal}x | {'yes' if ratio <= goal else 'no'} |")
    edits = [r.ran for r in runs if r.tool == OURS and r.scenario == "edit"]
    lines.append(f"| edit: scripts re-run | {', '.join(map(str, edits))} | exactly 1 | "
                 f"{'yes' if all(e == 1 for e in edits) else 'no'} |")
    export = [r for r in runs if r.scenario == "export"]
    if export:
        lines += ["", f"Before the rounds, once per machine: the first build also exported the in-browser "
                  f"model in {export[0].seconds:.1f} s ({export[0].cpu_seconds:.1f} s CPU; peak "
                  f"{export[0].peak_mb:.0f} MB). The cold builds reuse that export, as they reuse the "
                  "embedded model."]
    lines += ["", f"{rounds} round(s), medians; {os.cpu_count()} cores, {platform.machine()}, CPU only, "
              f"Python {platform.python_version()}, {time.strftime('%Y-%m-%d')}. Peak memory: PSS of the "
              "build's process tree, sampled every 0.2 s (median over rounds)."]
    return "\n".join(lines) + "\n"


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=2, help="rounds of every scenario (default 2)")
    args = parser.parse_args()
    gallery_py = gallery_python()
    ctypes.CDLL(None, use_errno=True).prctl(PR_SET_CHILD_SUBREAPER, 1, 0, 0, 0)  # see reap_orphans
    shutil.rmtree(RESULTS / "logs", ignore_errors=True)  # only this run's logs
    (RESULTS / "logs").mkdir(parents=True)
    for python in (Path(sys.executable), gallery_py):  # warm the OS file cache for both, untimed
        progress(f"warming the file cache: importing torch and transformers with {python}")
        subprocess.run([str(python), "-c", "import torch, transformers, matplotlib, seaborn, bertviz"],
                       env=build_env(), check=True)
    runs: list[Run] = []
    with tempfile.TemporaryDirectory(prefix="gallery-bench-") as workdir:
        snapshot(Path(workdir) / "source")
        progress("exporting the in-browser model once (not part of the cold builds)")
        runs.append(export_live_model(Path(workdir)))
        for number in range(1, args.rounds + 1):
            progress(f"round {number} of {args.rounds}")
            runs += run_round(number, Path(workdir), gallery_py)
    table = report(runs, args.rounds)
    print("\n" + table)
    (RESULTS / "latest.md").write_text(table)
    failed = [r for r in runs if not r.ok]
    if failed:
        print(f"{len(failed)} build(s) failed: " + ", ".join(f"{r.tool} {r.scenario}" for r in failed), file=sys.stderr)
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
