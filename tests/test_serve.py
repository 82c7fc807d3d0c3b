"""`mkdocs serve`: the workers warm up as it starts, an edit re-runs only that script, and a
failing script shows its error on its page while the server keeps running."""

from __future__ import annotations

import os
import re
import shutil
import socket
import subprocess
import sys
import threading
import time
import urllib.request
from pathlib import Path

import pytest
from conftest import ROOT, mkdocs_build


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Server:
    def __init__(self, project: Path, cache: Path) -> None:
        self.port = free_port()
        env = dict(os.environ, GALLERY_CACHE=str(cache))
        self.process = subprocess.Popen(
            [sys.executable, "-m", "mkdocs", "serve", "-a", f"127.0.0.1:{self.port}"],
            cwd=project, env=env, stderr=subprocess.STDOUT, stdout=subprocess.PIPE, text=True,
            start_new_session=True,
        )
        self.lines: list[str] = []
        threading.Thread(target=self._read, daemon=True).start()

    def _read(self) -> None:
        for line in self.process.stdout:
            self.lines.append(line.rstrip())

    def wait_for(self, pattern: str, after: int = 0, timeout: float = 180) -> re.Match:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            for line in self.lines[after:]:
                if match := re.search(pattern, line):
                    return match
            assert self.process.poll() is None, "\n".join(self.lines)
            time.sleep(0.2)
        raise AssertionError(f"no line matching {pattern!r}:\n" + "\n".join(self.lines))

    def get(self, path: str) -> str:
        with urllib.request.urlopen(f"http://127.0.0.1:{self.port}/{path}", timeout=30) as response:
            return response.read().decode()

    def stop(self) -> None:
        os.killpg(self.process.pid, 9)
        self.process.wait()


@pytest.fixture
def server(project: Path, tmp_path: Path):
    """`mkdocs serve` on a gallery whose outputs are all cached, as after a `make site`."""
    built = mkdocs_build(project, tmp_path / "cache")
    assert built.returncode == 0, built.stderr
    running = Server(project, tmp_path / "cache")
    yield running
    running.stop()


def test_serve_warms_up_reruns_one_script_and_survives_errors(server: Server, project: Path) -> None:
    server.wait_for(r"^gallery: 0 ran, 3 cached, 0 failed in")
    server.wait_for(r"Serving on")
    # Nothing ran, yet the workers' imports start with the server, not at the first edit.
    server.wait_for(r"gallery: workers are warm after \d+\.\d s")
    time.sleep(1)  # let the file watcher start
    script = project / "gallery_src" / "01_basics" / "01_figures_and_text.py"
    page = "gallery/basics/figures-and-text/"

    mark = len(server.lines)
    script.write_text(script.read_text().replace('print(GREETING)', 'print(GREETING, "edited")'))
    server.wait_for(r"^gallery: 1 ran, 2 cached, 0 failed in", after=mark)
    assert "hello from a helper edited" in server.get(page)

    mark = len(server.lines)
    script.write_text(script.read_text().replace('print(GREETING, "edited")', "print(GREETING)\n1 / 0"))
    server.wait_for(r"^gallery: 0 ran, 2 cached, 1 failed in", after=mark)
    server.wait_for(r"Reloading browsers|Documentation built", after=mark)
    broken = server.get(page)
    assert "failed at line 17 of gallery_src/01_basics/01_figures_and_text.py" in broken
    assert "ZeroDivisionError" in broken

    mark = len(server.lines)
    script.write_text(script.read_text().replace("print(GREETING)\n1 / 0", 'print(GREETING, "fixed")'))
    server.wait_for(r"^gallery: 1 ran, 2 cached, 0 failed in", after=mark)
    assert "hello from a helper fixed" in server.get(page)
    # No rebuild loop: the server goes quiet once the edit is handled.
    time.sleep(5)
    settled = len(server.lines)
    time.sleep(5)
    assert not any("gallery:" in line for line in server.lines[settled:])


def test_serve_renders_with_an_edited_generator(project: Path, tmp_path: Path) -> None:
    """An edit to gallery_builder/ shows on the next rebuild, without restarting the server."""
    (project / "gallery_builder").unlink()  # a copy to edit, instead of the repository's own
    shutil.copytree(ROOT / "gallery_builder", project / "gallery_builder",
                    ignore=shutil.ignore_patterns("__pycache__"))
    built = mkdocs_build(project, tmp_path / "cache")
    assert built.returncode == 0, built.stderr
    running = Server(project, tmp_path / "cache")
    try:
        running.wait_for(r"Serving on")
        time.sleep(1)  # let the file watcher start
        page = "gallery/basics/figures-and-text/"
        assert "Download the script" in running.get(page)
        mark = len(running.lines)
        render = project / "gallery_builder" / "page" / "render.py"
        render.write_text(render.read_text().replace("[Download the script]", "[Get the script]"))
        running.wait_for(r"Reloading browsers", after=mark)
        assert "Get the script" in running.get(page)
        running.wait_for(r"gallery: the generator changed; this rebuild uses the edited code", after=mark)
    finally:
        running.stop()
