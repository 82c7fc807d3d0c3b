"""Two clean builds give byte-identical gallery files (with SOURCE_DATE_EPOCH set)."""

from __future__ import annotations

import dataclasses
import re
from pathlib import Path

from conftest import FIXTURE_GALLERY

from gallery_builder.build import build_gallery
from gallery_builder.options import BuildOptions
from gallery_builder.page.render import file_bytes


def clean_build(root: Path, cache: Path) -> dict[str, bytes]:
    options = dataclasses.replace(
        BuildOptions.for_project(root, FIXTURE_GALLERY), cache_dir=cache, project_root=FIXTURE_GALLERY.parent
    )
    files, report = build_gallery(options, lambda message: None)
    assert not report.failures
    return {name: file_bytes(value) for name, value in files.items()}


def test_two_clean_builds_are_identical(tmp_path: Path, monkeypatch) -> None:
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "1764028800")  # 2025-11-25
    first = clean_build(tmp_path, tmp_path / "cache-1")
    second = clean_build(tmp_path, tmp_path / "cache-2")
    assert sorted(first) == sorted(second)
    different = [name for name in first if first[name] != second[name]]
    assert different == []
    page = first["gallery/basics/figures-and-text/index.md"].decode()
    assert "**Outputs computed** 2025-11-25" in page and "Run time" not in page
    # No per-build randomness left in the views (bertviz uses a fresh uuid per call).
    views = [data.decode() for name, data in first.items() if name.endswith(".html")]
    assert views and not any(re.search(r"bertviz-[0-9a-f]{32}", v) for v in views)
    # PNGs carry no creation software or time stamps.
    for name, data in first.items():
        if name.endswith(".png"):
            assert b"tEXtSoftware" not in data and b"tIME" not in data, name
