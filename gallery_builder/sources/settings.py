"""Gallery settings: the ``[tool.gallery]`` table of the project's pyproject.toml.

Gallery-wide values, overridden per section by ``[tool.gallery.sections."<folder>"]`` tables
(``"<folder>/<sub-folder>"`` for a sub-section, which also inherits its parent's table), overridden
per script by ``# gallery_<name> = <value>`` comments where a script setting exists. Documented in
CONTRIBUTING.md ("Gallery settings").

    [tool.gallery]
    filename_pattern = "."             # regex searched in "/<section>/<file>.py": which scripts run
    ignore_pattern = "__init__\\.py"    # regex searched the same way: scripts left out of the gallery
    expected_failures = []             # scripts (relative to gallery_src/) whose error is the point
    timeout = 300                      # seconds per script
    capture_repr = "notebook"          # or a list such as ["_repr_html_", "__repr__"] (sphinx-gallery)
    ignore_repr_types = ""             # regex of type names whose repr is never shown (with a list)

Scripts that do not match `filename_pattern` are shown as code, without running (as
sphinx-gallery does); the project's defaults run every script and show a cell's last value as a
notebook does.
"""

from __future__ import annotations

import re
import tomllib
from dataclasses import dataclass, fields, replace
from pathlib import Path
from typing import Any

REPR_METHODS = ("_repr_html_", "__repr__", "__str__")


class SettingsError(ValueError):
    """A setting with a wrong name or value, named with its table."""


@dataclass(frozen=True)
class GallerySettings:
    filename_pattern: str = "."
    ignore_pattern: str = r"__init__\.py"
    expected_failures: tuple[str, ...] = ()
    timeout: float | None = None  # None: the build's default (GALLERY_TIMEOUT, 300 s)
    capture_repr: tuple[str, ...] | None = None  # None: as a notebook shows a cell's last value
    ignore_repr_types: str = ""

    def runs(self, relative: str) -> bool:
        """Whether the script at `relative` (to gallery_src/, with "/") is executed."""
        return re.search(self.filename_pattern, "/" + relative) is not None

    def ignores(self, relative: str) -> bool:
        return bool(self.ignore_pattern) and re.search(self.ignore_pattern, "/" + relative) is not None

    def expects_failure(self, relative: str) -> bool:
        return relative in self.expected_failures


@dataclass(frozen=True)
class Settings:
    """The gallery-wide settings and each section's table, as read from pyproject.toml."""

    base: GallerySettings = GallerySettings()
    sections: tuple[tuple[str, dict[str, Any]], ...] = ()
    source: Path | None = None

    def for_section(self, folder: str) -> GallerySettings:
        """Settings for the section at `folder` ("01_attention" or "01_attention/more")."""
        table = dict(self.sections)
        result = self.base
        parts = folder.split("/")
        for depth in range(1, len(parts) + 1):
            values = table.get("/".join(parts[:depth]))
            if values:
                result = replace(result, **values)
        return result


def load_settings(project_root: Path) -> Settings:
    """Read ``[tool.gallery]`` from pyproject.toml (defaults when the file or the table is missing)."""
    path = project_root / "pyproject.toml"
    if not path.is_file():
        return Settings()
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except tomllib.TOMLDecodeError as error:
        raise SettingsError(f"{path}: {error}") from None
    table = data.get("tool", {}).get("gallery", {})
    sections = table.pop("sections", {})
    base = replace(GallerySettings(), **_checked(table, f"{path} [tool.gallery]"))
    found = []
    for name, values in sections.items():
        if not isinstance(values, dict):
            raise SettingsError(f"{path} [tool.gallery.sections]: {name!r} must be a table")
        folder = name.strip("/")
        checked = _checked(values, f'{path} [tool.gallery.sections."{name}"]')
        if "expected_failures" in checked:  # a section's scripts are named relative to its folder
            checked["expected_failures"] = tuple(f"{folder}/{v}" for v in checked["expected_failures"])
        found.append((folder, checked))
    return Settings(base, tuple(found), path)


def _checked(values: dict[str, Any], where: str) -> dict[str, Any]:
    known = {f.name for f in fields(GallerySettings)}
    out: dict[str, Any] = {}
    for name, value in values.items():
        if name not in known:
            raise SettingsError(f"{where}: unknown setting {name!r}; known: {', '.join(sorted(known))}")
        if name in ("filename_pattern", "ignore_pattern", "ignore_repr_types"):
            if not isinstance(value, str):
                raise SettingsError(f"{where}: {name} must be a string (a regular expression)")
            try:
                re.compile(value)
            except re.error as error:
                raise SettingsError(f"{where}: {name} is not a valid regular expression: {error}") from None
        elif name == "expected_failures":
            if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
                raise SettingsError(f"{where}: expected_failures must be a list of script paths")
            value = tuple(v.strip("/") for v in value)
        elif name == "timeout":
            if not isinstance(value, (int, float)) or value <= 0:
                raise SettingsError(f"{where}: timeout must be a positive number of seconds")
            value = float(value)
        elif name == "capture_repr":
            if value == "notebook":
                value = None
            elif isinstance(value, list) and all(v in REPR_METHODS for v in value):
                value = tuple(value)
            else:
                raise SettingsError(f'{where}: capture_repr must be "notebook" or a list of {", ".join(REPR_METHODS)}')
        out[name] = value
    return out
