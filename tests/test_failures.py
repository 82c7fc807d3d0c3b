"""Bad scripts: each failure names its file and line, other scripts still build, nothing is cached
for a failure, and the page shows the error instead of stale outputs."""

from __future__ import annotations

import dataclasses
import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from conftest import ROOT

from gallery_builder.build import build_gallery
from gallery_builder.cache.store import ResultCache
from gallery_builder.options import BuildOptions
from gallery_builder.run.record import Dependencies, RunRecord

HEADER = '"""\n# {title}\n\nAn example.\n"""\n\n# %%\n'
# name -> (body after the header, line reported, words in the summary); the header is 7 lines.
BAD = {
    "02_raises.py": ("x = 1\n\n\ndef f():\n    return {}['missing']\n\n\nf()\n", 12, "KeyError: 'missing'"),
    "03_syntax.py": ("x = (1,\ny = 2\n", 8, "SyntaxError"),
    "04_exits.py": ("import sys\nprint('bye')\nsys.exit(3)\n", 10, "sys.exit(3)"),
    "05_hangs.py": ("# gallery_timeout = 3\nimport time\nprint('start')\n\ntime.sleep(120)\n", 12, "3 s timeout"),
    "06_silent.py": ("x = 1 + 1\n", 1, "produced no output"),
    "07_memory.py": ("print('allocating')\nblob = bytearray(64 * 2**30)\n", 9, "MemoryError"),
    "08_killed.py": ("import os, signal\nprint('x')\n\n# %%\nos.kill(os.getpid(), signal.SIGKILL)\n", 12,
                     "signal 9 (killed: probably out of memory)"),
    "10_expected_but_passes.py": ("# gallery_expect_failure = True\nprint('fine')\n", 1, "marked expect_failure"),
}
GOOD = {
    "01_good.py": "print('good')\n",
    "09_expected.py": "# gallery_expect_failure = True\nprint('about to fail')\nraise ValueError('on purpose')\n",
}


def write_gallery(root: Path) -> Path:
    section = root / "gallery_src" / "01_bad"
    section.mkdir(parents=True)
    (root / "gallery_src" / "README.md").write_text("# Bad gallery\n\nFailures.\n")
    (section / "README.md").write_text("# Bad\n\nScripts that fail.\n")
    for name, body in GOOD.items():
        (section / name).write_text(HEADER.format(title=name) + body)
    for name, (body, _, _) in BAD.items():
        (section / name).write_text(HEADER.format(title=name) + body)
    return root


@pytest.fixture(scope="module")
def built(tmp_path_factory):
    root = write_gallery(tmp_path_factory.mktemp("bad"))
    options = dataclasses.replace(BuildOptions.for_project(root), memory_limit=4 * 2**30, cache_dir=root / "cache")
    messages: list[str] = []
    files, report = build_gallery(options, messages.append)
    return root, options, files, report, messages


@pytest.mark.parametrize("name", sorted(BAD))
def test_failure_names_file_and_line(built, name: str) -> None:
    _, _, files, report, messages = built
    _, line, words = BAD[name]
    result = next(r for r in report.results if r.example.path.name == name)
    assert result.status == "failed"
    assert result.location == f"gallery_src/01_bad/{name}:{line}"
    assert words in result.failure.summary
    assert any(m.startswith("gallery: [") and f"FAILED gallery_src/01_bad/{name}:{line}:" in m for m in messages)
    page = files[f"gallery/bad/{result.example.slug}/index.md"].decode()
    assert f"failed at line {line} of gallery_src/01_bad/{name}" in page
    assert "Run time" not in page  # a failed page is never presented as a finished result


def test_other_scripts_still_build_and_only_successes_are_cached(built) -> None:
    _, options, _, report, messages = built
    statuses = {r.example.path.name: r.status for r in report.results}
    assert statuses["01_good.py"] == "ran"
    assert statuses["09_expected.py"] == "ran"  # failing on purpose is a success
    assert report.count("failed") == len(BAD)
    assert messages[-1].startswith(f"gallery: 2 ran, 0 cached, {len(BAD)} failed in ")
    entries = list((options.cache_dir / "entries").iterdir())
    assert len(entries) == 2
    assert not any((options.cache_dir / "staging").iterdir())  # failed runs leave nothing behind


def test_expected_failure_shows_its_error(built) -> None:
    _, _, files, _, _ = built
    page = files["gallery/bad/expected/index.md"].decode()
    assert '!!! quote "Expected error"' in page and "ValueError: on purpose" in page
    assert "failed at line" not in page


def test_output_before_a_failure_is_kept(built) -> None:
    _, _, files, _, _ = built
    assert "bye" in files["gallery/bad/exits/index.md"].decode()
    assert "start" in files["gallery/bad/hangs/index.md"].decode()


def test_a_killed_build_leaves_a_usable_cache(tmp_path: Path) -> None:
    """SIGKILL the whole build (workers included) mid-way; the next build uses or discards cleanly."""
    root = tmp_path / "project"
    section = root / "gallery_src" / "01_s"
    section.mkdir(parents=True)
    (root / "gallery_src" / "README.md").write_text("# G\n\nG.\n")
    (section / "README.md").write_text("# S\n\nS.\n")
    (section / "01_fast.py").write_text(HEADER.format(title="fast") + "print('fast')\n")
    (section / "02_slow.py").write_text(HEADER.format(title="slow") + "import time\ntime.sleep(30)\nprint('slow')\n")
    cache = tmp_path / "cache"
    env = dict(os.environ, GALLERY_CACHE=str(cache), GALLERY_JOBS="2")
    command = [sys.executable, "-m", "gallery_builder", "build", "--project", str(root), "--out", str(tmp_path / "o")]
    build = subprocess.Popen(command, env=env, start_new_session=True, stderr=subprocess.PIPE, text=True)
    deadline = time.monotonic() + 120
    while not (cache / "entries").is_dir() or not any((cache / "entries").iterdir()):
        assert time.monotonic() < deadline, "the fast script never finished"
        time.sleep(0.2)
    os.killpg(build.pid, signal.SIGKILL)  # the build, its forkserver and the running worker
    build.wait()
    assert any((cache / "staging").iterdir())  # the slow script's run was cut off mid-way

    (section / "02_slow.py").write_text(HEADER.format(title="slow") + "print('slow, now quick')\n")
    again = subprocess.run(command, env=env, capture_output=True, text=True, timeout=300)
    assert again.returncode == 0, again.stderr
    assert "gallery: 1 ran, 1 cached, 0 failed" in again.stderr


def test_damaged_cache_entries_are_rebuilt(tmp_path: Path) -> None:
    cache = ResultCache(tmp_path / "cache", tmp_path, tmp_path / "hub")
    out = cache.staging_dir()
    (out / "image-1.png").write_bytes(b"png")
    cache.store("k", out, RunRecord(cells=[]))
    assert cache.lookup("k") is not None
    (cache.entries / "k" / "result.json").write_text('{"cells": [')  # torn write
    assert cache.lookup("k") is None
    (cache.entries / "empty").mkdir()  # a folder without result.json
    assert cache.lookup("empty") is None
    again = cache.staging_dir()
    cache.store("k", again, RunRecord(cells=[]))  # replaces the damaged entry
    assert json.loads((cache.entries / "k" / "result.json").read_text())["cells"] == []


def test_changed_model_files_invalidate_an_entry(tmp_path: Path) -> None:
    snapshot = tmp_path / "models--x--y" / "snapshots" / "abc"
    snapshot.mkdir(parents=True)
    (snapshot / "config.json").write_text("{}")
    cache = ResultCache(tmp_path / "cache", tmp_path, tmp_path / "hub")
    cache.store("k", cache.staging_dir(), RunRecord(cells=[], deps=Dependencies(models=[str(snapshot)])))
    assert cache.lookup("k") is not None
    (snapshot / "model.safetensors").write_bytes(b"new weights")
    assert ResultCache(tmp_path / "cache", tmp_path, tmp_path / "hub").lookup("k") is None


def test_root_is_the_project() -> None:
    assert (ROOT / "gallery_src").is_dir()
