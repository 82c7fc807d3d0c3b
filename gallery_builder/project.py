"""The gallery as files: sections (folders with a README.md) holding example scripts.

    gallery_src/
        README.md              the gallery's title and introduction
        01_attention/          a section; the number orders sections and is not part of its URL
            README.md          "# Attention" and the section's introduction
            01_one_head.py     an example; the number orders examples in the section
            _helpers.py        files starting with "_" are helpers, not examples
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

ORDER_PREFIX = re.compile(r"^\d+[_-]")


def slugify(name: str) -> str:
    name = ORDER_PREFIX.sub("", name)
    name = re.sub(r"^plot_", "", name)
    return re.sub(r"[^a-z0-9]+", "-", name.lower()).strip("-")


def read_heading(readme: Path) -> tuple[str, str]:
    """Split a README into its first `# ` heading and the Markdown after it."""
    text = readme.read_text(encoding="utf-8")
    lines = text.splitlines()
    for i, line in enumerate(lines):
        if line.startswith("# "):
            return line[2:].strip(), "\n".join(lines[i + 1 :]).strip()
        if line.strip():
            break
    raise ValueError(f"{readme}:1: a gallery README must start with a `# Title` heading")


@dataclass(frozen=True)
class Example:
    path: Path
    section: "Section"

    @property
    def slug(self) -> str:
        return slugify(self.path.stem)

    @property
    def url_dir(self) -> str:
        """Folder of this example's page and files inside the site's gallery/."""
        return f"{self.section.slug}/{self.slug}"


@dataclass(frozen=True)
class Section:
    path: Path
    title: str
    intro: str

    @property
    def slug(self) -> str:
        return slugify(self.path.name)

    def examples(self) -> list[Example]:
        scripts = sorted(p for p in self.path.glob("*.py") if not p.name.startswith("_"))
        return [Example(p, self) for p in scripts]


@dataclass(frozen=True)
class Gallery:
    root: Path  # gallery_src/
    title: str
    intro: str

    @classmethod
    def load(cls, root: Path) -> "Gallery":
        readme = root / "README.md"
        if not readme.exists():
            raise FileNotFoundError(f"{readme}: the gallery folder needs a README.md with a `# Title`")
        title, intro = read_heading(readme)
        return cls(root, title, intro)

    def sections(self) -> list[Section]:
        found = []
        for folder in sorted(p for p in self.root.iterdir() if p.is_dir() and not p.name.startswith((".", "_"))):
            readme = folder / "README.md"
            if not readme.exists():
                continue  # not a section (e.g. __pycache__ or a data folder)
            title, intro = read_heading(readme)
            found.append(Section(folder, title, intro))
        return found

    def examples(self) -> list[Example]:
        return [example for section in self.sections() for example in section.examples()]
