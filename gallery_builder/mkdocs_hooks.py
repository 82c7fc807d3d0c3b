"""MkDocs hooks, listed under `hooks:` in mkdocs.yml (ProperDocs reads them too).

`mkdocs serve` starts the gallery's worker server as it starts, so its imports (torch,
transformers, matplotlib: several seconds) are done before the first edit instead of during it.
`mkdocs build` starts the server only when a script needs to run (build.plan_build).
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

_command = ""
_warmed = False


def on_startup(command: str, dirty: bool) -> None:
    global _command
    _command = command


def on_config(config: Any) -> Any:
    global _warmed
    if _command == "serve" and not _warmed:
        from gallery_builder.site import warm_up

        warm_up(Path(config.config_file_path).resolve().parent)
        _warmed = True
    return config
