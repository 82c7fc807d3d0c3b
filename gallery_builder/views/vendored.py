"""The JavaScript libraries that views load from the site itself instead of a CDN.

bertviz's views load require.js, d3 5 and jQuery 2 from CDNs; views.py points them at these
files, which the renderer copies into the site under `gallery/_vendor/` (layout.py), licences
included. Each file is byte-identical to the one in its npm package, pinned by its SHA-256 here
and listed with its provenance in gallery_builder/vendor/README.md (which says how to add one).

The files are read, and checked against their hashes, the first time `vendor_files()` is
called (when pages are rendered), not when this module is imported.
"""

from __future__ import annotations

import functools
import hashlib
import re
from dataclasses import dataclass
from pathlib import Path

VENDOR_SOURCE_DIR = Path(__file__).resolve().parents[1] / "vendor"


class UnvendoredVersion(ValueError):
    """A view asks for a version of a library other than the one vendored."""


@dataclass(frozen=True)
class Library:
    """A vendored JavaScript library, byte-identical to the file in its npm package."""

    name: str  # the AMD module name bertviz's require.config uses
    npm: str  # npm package and version the file was taken from
    file: str  # vendored file name (also its name under gallery/_vendor/)
    license_file: str
    spdx: str
    sha256: str
    major: str  # the major version a CDN URL must ask for
    cdn_name: str  # regex: the file name in CDN URLs of any version
    cdn_major: str  # regex: where such a URL says its major version (group 1)

    @property
    def module_path(self) -> str:
        """The file name without ".js", as require.config `paths` want it."""
        return self.file[: -len(".js")]


# Provenance and licences: gallery_builder/vendor/README.md. The hashes pin the exact bytes.
VENDORED_LIBRARIES: tuple[Library, ...] = (
    Library(
        "requirejs", "requirejs@2.3.6", "require-2.3.6.js", "require-2.3.6.LICENSE.txt", "MIT",
        "9485f0917f97fcf4f63a5ea365200ffd57f123f451382a2f9a1ad2e2fd51ac9b", "2",
        r"require(?:\.min)?(?:\.js)?", r"(?:require\.?js[/@]|requirejs@)(\d+)\.",
    ),
    Library(
        "d3", "d3@5.7.0", "d3-5.7.0.min.js", "d3-5.7.0.LICENSE.txt", "BSD-3-Clause",
        "bdad5585ef9a965ff25458738309b006058c55f2c78d794d25fbecae35014609", "5",
        r"d3(?:\.v\d+)?(?:\.min)?(?:\.js)?", r"d3(?:/|@|\.v)(\d+)",
    ),
    Library(
        "jquery", "jquery@2.2.4", "jquery-2.2.4.min.js", "jquery-2.2.4.LICENSE.txt", "MIT",
        "05b85d96f41fff14d8f608dad03ab71e2c1017c2da0914d7c59291bad7a54f8e", "2",
        r"jquery(?:-[\d.]+)?(?:\.min)?(?:\.js)?", r"jquery[/@-](\d+)\.",
    ),
)
BY_NAME = {lib.name: lib for lib in VENDORED_LIBRARIES}


@functools.cache
def vendor_files() -> dict[str, bytes]:
    """The files to copy once into the site's `gallery/_vendor/`, by name: each library and its
    licence (BSD-3-Clause and MIT require the notice). Raises if a file differs from its pin."""
    files: dict[str, bytes] = {}
    for lib in VENDORED_LIBRARIES:
        data = (VENDOR_SOURCE_DIR / lib.file).read_bytes()
        digest = hashlib.sha256(data).hexdigest()
        if digest != lib.sha256:
            raise RuntimeError(
                f"gallery_builder/vendor/{lib.file} does not match {lib.npm} "
                f"(sha256 {digest}, expected {lib.sha256}); restore it from the npm package"
            )
        files[lib.file] = data
        files[lib.license_file] = (VENDOR_SOURCE_DIR / lib.license_file).read_bytes()
    return files


def library_for(url: str) -> Library | None:
    """Which vendored library a CDN URL means, or None. Raises UnvendoredVersion for a version
    that is not vendored."""
    low = url.lower().split("?")[0].split("#")[0]
    name = low.rsplit("/", 1)[-1]
    for lib in VENDORED_LIBRARIES:
        if not re.fullmatch(lib.cdn_name, name):
            continue
        wanted = re.search(lib.cdn_major, low)
        if wanted is not None and wanted.group(1) != lib.major:
            raise UnvendoredVersion(
                f"the view loads {url}, major version {wanted.group(1)}; only {lib.npm} is vendored "
                f"(gallery_builder/vendor/README.md says how to add a library)"
            )
        return lib
    return None


def vendored_url(url: str, vendor_href: str) -> str | None:
    """The vendored file a CDN URL should load instead, relative to the view; None if none."""
    lib = library_for(url)
    if lib is None:
        return None
    # require.config `paths` omit ".js"; <script src> keeps it.
    path = lib.module_path if not url.split("?")[0].endswith(".js") else lib.file
    return vendor_href + path
