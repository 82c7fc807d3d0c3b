"""Math on every page, typeset offline by the site's own copy of KaTeX.

Markdown writes ``$...$`` and ``$$...$$`` (pymdownx.arithmatex in generic mode turns them into
``\\(...\\)`` and ``\\[...\\]``); reST's ``:math:`` and ``.. math::`` come out of docutils the same way
(rest.py). ``docs/assets/gallery-math.js`` runs KaTeX's auto-render over each page.

KaTeX is vendored from its npm package (gallery_builder/vendor/README.md); the build publishes
it under ``assets/katex/`` and refuses to build if a file differs from the pinned one.
"""

from __future__ import annotations

import functools
import hashlib
from pathlib import Path

VERSION = "0.19.1"
FOLDER = Path(__file__).parents[1] / "vendor" / f"katex-{VERSION}"
SITE_DIR = "assets/katex"  # under the docs folder; mkdocs.yml loads the script and stylesheet from here
PINNED = {
    "katex.min.js": "fa140498b8cfc8302cbe5e7cb1bdbc1f952bc38b3fa258ede09e73edbf9a74bc",
    "katex.min.css": "00e0b094171b07f58422075f469b4feac2b2f7bce1aeec943c08da4d697f4dcf",
    "auto-render.min.js": "e5372d199bcdae8b4de71d0f7ceba72a4ba12774a27c60a6f1f77d03b3228ee4",
}


@functools.cache
def katex_files() -> dict[str, Path]:
    """The files to publish, by path under the docs folder: KaTeX, auto-render, fonts, licence.
    The pinned files are checked against their hashes once per process."""
    files: dict[str, Path] = {}
    for name, digest in PINNED.items():
        if hashlib.sha256((FOLDER / name).read_bytes()).hexdigest() != digest:
            raise RuntimeError(f"{FOLDER / name} differs from KaTeX {VERSION}'s npm file (see vendor/README.md)")
        files[f"{SITE_DIR}/{name}"] = FOLDER / name
    files[f"{SITE_DIR}/LICENSE.txt"] = FOLDER / "LICENSE.txt"
    for font in sorted((FOLDER / "fonts").glob("*.woff2")):
        files[f"{SITE_DIR}/fonts/{font.name}"] = font
    return files
