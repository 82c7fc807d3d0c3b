"""The npm libraries the live views load in the reader's browser, pinned by SHA-256.

Each file is byte-identical to the one in its npm package (gallery_builder/vendor/README.md says
where it comes from and how to update it). They are published under `gallery/_vendor/<folder>/`
and loaded by the page only when the reader presses Run.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from pathlib import Path

VENDOR_DIR = Path(__file__).resolve().parents[1] / "vendor"


@dataclass(frozen=True)
class BrowserLibrary:
    npm: str  # package@version
    folder: str  # under gallery_builder/vendor/ and gallery/_vendor/
    spdx: str
    files: tuple[tuple[str, str], ...]  # (name, sha256); the licence is LICENSE in the folder


ONNXRUNTIME_WEB = BrowserLibrary(
    "onnxruntime-web@1.30.0", "onnxruntime-web-1.30.0", "MIT",
    (
        ("ort.wasm.min.mjs", "219e6a1fc8a9938268d18efca3c91d310bd2f4a59bbd13744df5b2b7fc6cee3b"),
        ("ort-wasm-simd-threaded.mjs", "e13f7f94fc51b4ca72b12faeb1ee95f4ace6dfbc8939bc718aabdc0a27c4299b"),
        ("ort-wasm-simd-threaded.wasm", "3398c10d07d229bd91b364548e130e0e51a8e5704b88c7c083ebbeb78842dee2"),
    ),
)
TOKENIZERS = BrowserLibrary(
    "@lenml/tokenizers@3.7.2", "lenml-tokenizers-3.7.2", "Apache-2.0",
    (("main.mjs", "a4e4ae41cb9b1e5edd2cf46ffae7fe727f507a215b9954706330a54c8e2e2cc5"),),
)
BROWSER_LIBRARIES = (ONNXRUNTIME_WEB, TOKENIZERS)


def library_files() -> dict[str, Path]:
    """Every file to publish, by its path under gallery/_vendor/. Raises if one differs from its pin."""
    files: dict[str, Path] = {}
    for library in BROWSER_LIBRARIES:
        for name, sha256 in library.files:
            path = VENDOR_DIR / library.folder / name
            if hashlib.sha256(path.read_bytes()).hexdigest() != sha256:
                raise RuntimeError(f"{path} does not match {library.npm}; restore it from the npm package")
            files[f"{library.folder}/{name}"] = path
        files[f"{library.folder}/LICENSE"] = VENDOR_DIR / library.folder / "LICENSE"
    return files
