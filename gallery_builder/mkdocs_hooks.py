"""MkDocs hooks, listed under `hooks:` in mkdocs.yml (ProperDocs reads them too).

`mkdocs serve` starts the gallery's worker server as it starts, so its imports (torch,
transformers, matplotlib: several seconds) are done before the first edit instead of during it.
`mkdocs build` starts it as it reads its configuration when the cache is empty (every script will
run), and otherwise only once its plan finds a script to run (plan.plan_build).

`mkdocs serve` also watches gallery_builder/: after an edit there, the next rebuild imports the
generator afresh, instead of rendering pages with the code it imported when it started.
"""

from __future__ import annotations

import logging
import sys
from pathlib import Path
from typing import Any

PACKAGE = "gallery_builder"
PACKAGE_DIR = Path(__file__).resolve().parent
log = logging.getLogger("mkdocs.plugins.gallery")

_command = ""
_warmed = False
_generator_state: dict[Path, int] | None = None


def on_startup(command: str, dirty: bool) -> None:
    global _command
    _command = command


def on_config(config: Any) -> Any:
    global _warmed
    if _command == "build":
        from gallery_builder.site import warm_up_if_cold

        warm_up_if_cold(Path(config.config_file_path).resolve().parent)
        return config
    if _command != "serve":
        return config
    _forget_edited_generator()
    if not _warmed:
        from gallery_builder.site import warm_up

        warm_up(Path(config.config_file_path).resolve().parent)
        _warmed = True
    return config


def _forget_edited_generator() -> None:
    """Drop the generator's modules from sys.modules when one of its files changed since the last
    build, so that docs/gen_gallery.py imports the edited code. The worker server stays: its
    workers import the generator's modules from disk anyway."""
    global _generator_state
    state = {path: path.stat().st_mtime_ns for path in sorted(PACKAGE_DIR.rglob("*.py"))}
    if _generator_state is not None and state != _generator_state:
        for name in [n for n in sys.modules if n == PACKAGE or n.startswith(PACKAGE + ".")]:
            del sys.modules[name]
        log.info("gallery: the generator changed; this rebuild uses the edited code")
    _generator_state = state
