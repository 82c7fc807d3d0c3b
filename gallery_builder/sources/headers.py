"""Gallery and section headers: the title and introduction of a folder of examples.

A folder's header is the first of these files that exists:

- ``README.md`` or ``GALLERY_HEADER.md``: Markdown, optionally after YAML front matter (``---`` lines);
  the first heading of any level (``# Title``) is the title, HTML comments before it are skipped;
- ``GALLERY_HEADER.rst``, ``README.rst`` or ``README.txt``: reST, as sphinx-gallery reads them; the
  first underlined title is the title, labels (``.. _name:``) and comments before it are skipped.

A header that cannot be read is a `HeaderError` naming the file and line; the build shows it on
the gallery page and in the log instead of stopping.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path
from typing import Literal

import yaml

HEADER_FILES = ("README.md", "GALLERY_HEADER.md", "GALLERY_HEADER.rst", "README.rst", "README.txt")
Markup = Literal["markdown", "rst"]

_ATX_HEADING = re.compile(r"^(#{1,6})\s+(.+?)\s*#*\s*$")
_REST_UNDERLINE = re.compile(r"^([=\-~*#^\"'`:.+_<>])\1{2,}\s*$")


class HeaderError(Exception):
    """A header file that cannot be read, with the file and the line at fault."""

    def __init__(self, path: Path, line: int, message: str) -> None:
        super().__init__(f"{path}:{line}: {message}")
        self.path = path
        self.line = line
        self.message = message


@dataclass(frozen=True)
class Header:
    title: str
    intro: str  # the text after the title, in `markup`
    markup: Markup = "markdown"
    path: Path | None = None  # the file it came from


def header_file(folder: Path) -> Path | None:
    """The folder's header file, or None if it has none (then it is not a gallery folder)."""
    for name in HEADER_FILES:
        if (folder / name).is_file():
            return folder / name
    return None


def read_header(path: Path) -> Header:
    try:
        text = path.read_text(encoding="utf-8")
    except UnicodeDecodeError as error:
        raise HeaderError(path, 1, f"the file is not UTF-8 text: {error}") from None
    if path.suffix == ".md":
        title, intro = _markdown_header(path, text)
        return Header(title, intro, "markdown", path)
    title, intro = _rest_header(path, text)
    return Header(title, intro, "rst", path)


def _markdown_header(path: Path, text: str) -> tuple[str, str]:
    lines = text.splitlines()
    start = _skip_front_matter(path, lines)
    i = start
    while i < len(lines):
        row = lines[i].strip()
        if not row:
            i += 1
            continue
        if row.startswith("<!--"):  # a comment before the title
            while i < len(lines) and "-->" not in lines[i]:
                i += 1
            if i == len(lines):
                raise HeaderError(path, start + 1, "an HTML comment `<!--` is never closed with `-->`")
            i += 1
            continue
        heading = _ATX_HEADING.match(row)
        if heading:
            return heading.group(2).strip(), "\n".join(lines[i + 1 :]).strip()
        break
    raise HeaderError(path, min(i, len(lines) - 1) + 1 if lines else 1, "a gallery header must start with a `# Title`")


def _skip_front_matter(path: Path, lines: list[str]) -> int:
    """Index of the first line after YAML front matter (0 if there is none). Checks the YAML."""
    if not lines or lines[0].strip() != "---":
        return 0
    for end in range(1, len(lines)):
        if lines[end].strip() in ("---", "..."):
            break
    else:
        raise HeaderError(path, 1, "the YAML front matter opened with `---` is never closed with a `---` line")
    try:
        data = yaml.safe_load("\n".join(lines[1:end]))
    except yaml.YAMLError as error:
        mark = getattr(error, "problem_mark", None)
        line = mark.line + 2 if mark is not None else 2
        problem = getattr(error, "problem", None) or str(error).splitlines()[0]
        raise HeaderError(path, line, f"the YAML front matter is not valid: {problem}") from None
    if data is not None and not isinstance(data, dict):
        raise HeaderError(path, 2, "the YAML front matter must be a mapping of `key: value` lines")
    return end + 1


def _rest_header(path: Path, text: str) -> tuple[str, str]:
    lines = text.splitlines()
    i = 0
    while i < len(lines):
        row = lines[i].rstrip()
        if not row.strip():
            i += 1
            continue
        if row.startswith(".."):  # a label (.. _name:) or a comment, with its indented lines
            i += 1
            while i < len(lines) and (not lines[i].strip() or lines[i].startswith((" ", "\t"))):
                i += 1
            continue
        if _REST_UNDERLINE.match(row) and i + 2 < len(lines) and _REST_UNDERLINE.match(lines[i + 2].rstrip()):
            return lines[i + 1].strip(), "\n".join(lines[i + 3 :]).strip()  # an overlined title
        if i + 1 < len(lines) and _REST_UNDERLINE.match(lines[i + 1].rstrip()):
            if len(lines[i + 1].rstrip()) < len(row.strip()):
                raise HeaderError(path, i + 2, "the title's underline is shorter than the title")
            return row.strip(), "\n".join(lines[i + 2 :]).strip()
        break
    raise HeaderError(path, i + 1 if lines else 1, "a reST gallery header must start with a title underlined with ===")
