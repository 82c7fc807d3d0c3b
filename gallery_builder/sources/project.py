"""The gallery as files: sections (folders with a header) holding example scripts.

    gallery_src/
        README.md              the gallery's title and introduction
        01_attention/          a section; the number orders sections and is not part of its URL
            README.md          "# Attention" and the section's introduction
            01_one_head.py     an example; the number orders examples in the section
            _helpers.py        files starting with "_" are helpers, not examples
            more/              a sub-section (one level deep), with its own header

A header is a README.md, README.rst, README.txt, GALLERY_HEADER.rst or GALLERY_HEADER.md
(headers.py). A folder without one is not a section (a data folder, __pycache__).
A header that cannot be read does not stop the build: the section keeps its folder name as
title and carries the error, which the build logs and the section's page shows.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

from .headers import Header, HeaderError, header_file, read_header

ORDER_PREFIX = re.compile(r"^\d+[_-]")


def slugify(name: str) -> str:
    name = ORDER_PREFIX.sub("", name)
    name = re.sub(r"^plot_", "", name)
    return re.sub(r"[^a-z0-9]+", "-", name.lower()).strip("-")


def read_heading(readme: Path) -> tuple[str, str]:
    """Split a header file into its title and the text after it (raises HeaderError)."""
    header = read_header(readme)
    return header.title, header.intro


def _load_header(folder: Path) -> tuple[Header, HeaderError | None]:
    path = header_file(folder)
    if path is None:
        fallback = HeaderError(folder / "README.md", 1, "the folder needs a header (README.md with a `# Title`)")
        return Header(folder.name, ""), fallback
    try:
        return read_header(path), None
    except HeaderError as error:
        return Header(folder.name.replace("_", " "), "", path=path), error


def _subfolders(folder: Path) -> list[Path]:
    return sorted(p for p in folder.iterdir() if p.is_dir() and not p.name.startswith((".", "_")))


@dataclass(frozen=True)
class Example:
    path: Path
    section: Section

    @property
    def slug(self) -> str:
        return slugify(self.path.stem)

    @property
    def url_dir(self) -> str:
        """Folder of this example's page and files inside the site's gallery/."""
        return f"{self.section.url_dir}/{self.slug}"


@dataclass(frozen=True)
class Section:
    path: Path
    title: str
    intro: str
    markup: str = "markdown"  # of `intro`: "markdown" or "rst"
    parent: Section | None = None
    error: HeaderError | None = None  # the header could not be read

    @property
    def slug(self) -> str:
        return slugify(self.path.name)

    @property
    def url_dir(self) -> str:
        """Folder of this section's page inside the site's gallery/."""
        return f"{self.parent.url_dir}/{self.slug}" if self.parent else self.slug

    @property
    def depth(self) -> int:
        return 2 if self.parent else 1

    def examples(self) -> list[Example]:
        scripts = sorted(p for p in self.path.glob("*.py") if not p.name.startswith("_"))
        return [Example(p, self) for p in scripts]

    def subsections(self) -> list[Section]:
        """Sub-galleries: sub-folders with a header, one level deep (as sphinx-gallery has)."""
        if self.parent is not None:
            return []
        found = []
        for folder in _subfolders(self.path):
            if header_file(folder) is None:
                continue
            header, error = _load_header(folder)
            found.append(Section(folder, header.title, header.intro, header.markup, self, error))
        return found


@dataclass(frozen=True)
class Gallery:
    root: Path  # gallery_src/
    title: str
    intro: str
    markup: str = "markdown"
    error: HeaderError | None = None

    @classmethod
    def load(cls, root: Path) -> Gallery:
        header, error = _load_header(root)
        return cls(root, header.title, header.intro, header.markup, error)

    def sections(self) -> list[Section]:
        """Every section, each top-level one followed by its sub-sections."""
        found: list[Section] = []
        for folder in _subfolders(self.root):
            if header_file(folder) is None:
                continue  # not a section (e.g. __pycache__ or a data folder)
            header, error = _load_header(folder)
            section = Section(folder, header.title, header.intro, header.markup, None, error)
            found.append(section)
            found += section.subsections()
        return found

    def header_errors(self) -> list[HeaderError]:
        return [e for e in [self.error, *(s.error for s in self.sections())] if e is not None]

    def examples(self) -> list[Example]:
        return [example for section in self.sections() for example in section.examples()]
