"""A build's options, read from the build settings in the environment (cache/environment.py), and
how the phases report progress."""

from __future__ import annotations

import os
import sys
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from .cache import environment

Log = Callable[[str], None]


@dataclass(frozen=True)
class BuildOptions:
    project_root: Path
    source_dir: Path
    cache_dir: Path
    hf_cache: Path
    parallel: int = 2
    timeout: float = 300.0
    memory_limit: int | None = None
    require_cached: bool = False  # run nothing: a script without a usable entry fails

    @classmethod
    def for_project(cls, root: Path, source_dir: Path | None = None) -> BuildOptions:
        """Options from the build settings in the environment (environment.BUILD_SETTINGS)."""
        root = root.resolve()
        memory_gb = float(os.environ.get("GALLERY_MEMORY_GB", "8"))
        return cls(
            project_root=root,
            source_dir=(source_dir or root / "gallery_src").resolve(),
            cache_dir=Path(os.environ.get("GALLERY_CACHE", root / ".cache" / "gallery")).resolve(),
            hf_cache=Path(os.environ.get("GALLERY_HF_CACHE", root / ".cache" / "huggingface" / "hub")).resolve(),
            parallel=int(os.environ.get("GALLERY_JOBS", str(min(2, os.cpu_count() or 1)))),
            timeout=float(os.environ.get("GALLERY_TIMEOUT", "300")),
            memory_limit=int(memory_gb * 2**30) if memory_gb > 0 else None,
            require_cached=environment.flag("GALLERY_REQUIRE_CACHED"),
        )



def log_to_stderr(message: str) -> None:
    print(message, file=sys.stderr, flush=True)
