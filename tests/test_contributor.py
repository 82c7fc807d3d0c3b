"""What a new contributor does: scaffold an example, build with ProperDocs as well as MkDocs."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

from conftest import mkdocs_build

from gallery_builder.build import build_gallery
from gallery_builder.options import BuildOptions


def test_scaffolded_example_builds(project: Path, tmp_path: Path) -> None:
    made = subprocess.run(
        [sys.executable, "-m", "gallery_builder", "new", "--title", "My <first> example", "--section", "01_basics",
         "--project", str(project)],
        capture_output=True, text=True, check=True,
    )
    script = project / "gallery_src" / "01_basics" / "04_my_first_example.py"
    assert script.exists(), made.stdout
    options = BuildOptions.for_project(project)
    options = type(options)(**{**options.__dict__, "cache_dir": tmp_path / "cache"})
    files, report = build_gallery(options, lambda message: None)
    result = next(r for r in report.results if r.example.path == script)
    assert result.status == "ran", result.failure
    assert result.title == "My <first> example"
    kinds = [o.kind for cell in result.outputs for o in cell]
    assert kinds == ["stdout", "image"]
    assert "gallery/basics/my-first-example/image-1.png" in files


def test_scaffold_refuses_unknown_sections(project: Path) -> None:
    made = subprocess.run(
        [sys.executable, "-m", "gallery_builder", "new", "--title", "X", "--section", "99_nope", "--project",
         str(project)],
        capture_output=True, text=True,
    )
    assert made.returncode == 2
    assert "no section '99_nope'" in made.stderr and "01_basics" in made.stderr


def test_properdocs_builds_the_same_site(project: Path, tmp_path: Path) -> None:
    cache = tmp_path / "cache"
    with_mkdocs = mkdocs_build(project, cache)
    assert with_mkdocs.returncode == 0, with_mkdocs.stderr
    mkdocs_files = sorted(p.relative_to(project / "site").as_posix() for p in (project / "site").rglob("*"))
    with_properdocs = subprocess.run(
        [sys.executable, "-m", "properdocs", "build", "--strict", "-f", "mkdocs.yml", "-d", "site-properdocs"],
        cwd=project, capture_output=True, text=True, timeout=600, env={**__import__("os").environ,
                                                                         "GALLERY_CACHE": str(cache)},
    )
    assert with_properdocs.returncode == 0, with_properdocs.stderr
    assert "0 ran, 3 cached, 0 failed" in with_properdocs.stderr
    properdocs_files = sorted(
        p.relative_to(project / "site-properdocs").as_posix() for p in (project / "site-properdocs").rglob("*")
    )
    assert properdocs_files == mkdocs_files
    for output in (with_mkdocs.stderr, with_properdocs.stderr):
        assert "MkDocs may break support" not in output  # the MkDocs-2 banner is silenced
