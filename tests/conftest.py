"""Shared set-up: offline by default, the project's model cache, helpers to build small galleries."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
FIXTURE_GALLERY = Path(__file__).parent / "fixture_gallery"

os.environ.setdefault("HF_HUB_OFFLINE", "1")
os.environ.setdefault("GALLERY_HF_CACHE", str(ROOT / ".cache" / "huggingface" / "hub"))
os.environ.setdefault("HF_HUB_CACHE", os.environ["GALLERY_HF_CACHE"])
os.environ.setdefault("NO_MKDOCS_2_WARNING", "true")
os.environ.setdefault("DISABLE_MKDOCS_2_WARNING", "true")


def make_project(target: Path, gallery: Path | None = None) -> Path:
    """A copy of the real site configuration around a gallery (the fixture one by default)."""
    target.mkdir(parents=True, exist_ok=True)
    shutil.copy(ROOT / "mkdocs.yml", target / "mkdocs.yml")
    shutil.copy(ROOT / "CONTRIBUTING.md", target / "CONTRIBUTING.md")
    shutil.copytree(ROOT / "docs", target / "docs")
    shutil.copytree(gallery or FIXTURE_GALLERY, target / "gallery_src")
    (target / "gallery_builder").symlink_to(ROOT / "gallery_builder")  # watched by mkdocs.yml
    return target


def mkdocs_build(project: Path, cache: Path, *extra: str, env: dict[str, str] | None = None):
    """Run the real `mkdocs build --strict` in `project`; return the completed process."""
    full_env = dict(os.environ, GALLERY_CACHE=str(cache), **(env or {}))
    return subprocess.run(
        [sys.executable, "-m", "mkdocs", "build", "--strict", *extra],
        cwd=project,
        env=full_env,
        capture_output=True,
        text=True,
        timeout=900,
    )


@pytest.fixture
def project(tmp_path: Path) -> Path:
    return make_project(tmp_path / "project")
