"""Static checks, configured in pyproject.toml: mypy --strict on gallery_builder/ and ruff's wide
rule set (pyflakes, pycodestyle, isort, bugbear, pyupgrade, simplify and more) on the code."""

from __future__ import annotations

import subprocess
import sys

from conftest import ROOT


def run(*command: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", *command], cwd=ROOT, capture_output=True, text=True, timeout=900)


def test_mypy_strict_passes() -> None:
    done = run("mypy")
    assert done.returncode == 0, done.stdout + done.stderr


def test_ruff_passes() -> None:
    done = run("ruff", "check", "--no-cache", ".")
    assert done.returncode == 0, done.stdout + done.stderr
