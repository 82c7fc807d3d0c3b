"""Every environment variable the gallery reads or sets, in one place.

Workers get the build's whole environment, so any variable can reach a script. The cache key
(keys.py) covers the *script settings*: the variables listed in SCRIPT_SETTINGS and every other
`GALLERY_*` variable, which is how examples are configured (`GALLERY_BERT_MODEL`, or one a new
example introduces). The *build settings* below are read by the build itself and never change
what a script outputs, so changing them reruns nothing. CONTRIBUTING.md documents them all.
"""

from __future__ import annotations

import os
from collections.abc import Mapping, MutableMapping
from pathlib import Path

# Read by the build, not by scripts: not part of the cache key.
BUILD_SETTINGS: dict[str, str] = {
    "GALLERY_JOBS": "scripts run at once",
    "GALLERY_TIMEOUT": "seconds a script may run (a failure is never cached)",
    "GALLERY_MEMORY_GB": "address-space limit per script (a failure is never cached)",
    "GALLERY_CACHE": "where outputs are kept between builds",
    "GALLERY_HF_CACHE": "the Hugging Face cache; the models' files are fingerprinted instead of its path",
    "GALLERY_REQUIRE_CACHED": "1: run no script; a script without cached outputs fails the build",
    "GALLERY_REPO_URL": "repository link on every page (read by mkdocs.yml)",
    "GALLERY_EDIT_URI": "'edit this page' link (read by mkdocs.yml)",
    "GALLERY_LIVE_CACHE": "where the in-browser models' exports are kept (default <GALLERY_CACHE>/live)",
    "GALLERY_SITE_DIR": "a built site for the browser tests to check instead of building one",
    "GALLERY_LIVE": "0: export no model to ONNX; pages show no 'run it on your text' box",
}

# Variables outside the GALLERY_ prefix that change what scripts output.
SCRIPT_SETTINGS: dict[str, str] = {
    "HF_HUB_OFFLINE": "0 lets scripts download hub models (1 by default)",
    "PYTHONHASHSEED": "orders sets and dicts of strings (0 by default)",
    "TRANSFORMERS_VERBOSITY": "which transformers warnings reach stderr",
    "HF_HUB_DISABLE_PROGRESS_BARS": "progress bars on stderr",
    "TOKENIZERS_PARALLELISM": "the tokenizers' fork warning on stderr",
    "MPLBACKEND": "matplotlib's backend (always Agg)",
}
SCRIPT_PREFIX = "GALLERY_"  # every GALLERY_* variable that is not a build setting is a script setting

# What workers get unless the environment says otherwise (set before the forkserver starts:
# libraries read them when imported).
WORKER_DEFAULTS: dict[str, str] = {
    "HF_HUB_OFFLINE": "1",
    "HF_HUB_DISABLE_PROGRESS_BARS": "1",
    "TRANSFORMERS_VERBOSITY": "error",
    "TOKENIZERS_PARALLELISM": "false",
    "PYTHONHASHSEED": "0",
}


def script_settings(environ: Mapping[str, str]) -> dict[str, str]:
    """The settings that reach scripts and shape their outputs, as the cache key sees them."""
    names = set(SCRIPT_SETTINGS)
    names |= {name for name in environ if name.startswith(SCRIPT_PREFIX) and name not in BUILD_SETTINGS}
    return {name: environ.get(name, "") for name in sorted(names)}


def prepare_environment(environ: MutableMapping[str, str], hf_cache: Path, cache_dir: Path) -> None:
    """Settings every worker inherits."""
    for name, value in WORKER_DEFAULTS.items():
        environ.setdefault(name, value)
    environ["HF_HUB_CACHE"] = str(hf_cache)
    environ["MPLBACKEND"] = "Agg"
    environ["IPYTHONDIR"] = str(cache_dir / "ipython")


OFF = ("0", "false", "no", "off")


def flag(name: str, environ: Mapping[str, str] = os.environ) -> bool:
    """A yes/no build setting: set and not 0/false/no/off."""
    return environ.get(name, "").strip().lower() not in ("", *OFF)
