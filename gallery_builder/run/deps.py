"""Record, inside the worker, what a script reads besides its own source.

An audit hook (PEP 578) sees every file Python opens and every folder it lists while the
script's cells run:

- files under the project root the script *read* (data files beside it, helper modules,
  anything `open`, `pathlib`, numpy or pandas opened from Python), with their state (size,
  modification time, inode) at the first read;
- folders under the project root it listed (`os.listdir`, `glob`, `Path.iterdir`), with their
  state: a file added to a folder a script globs changes its outputs;
- Hugging Face snapshot folders it loaded files from.

Files the script created or wrote first are outputs, not inputs, and are left out, as are the
installed libraries (covered by their versions), the generator (covered by its digest), the
caches and `__pycache__`. Listings made by the import system are left out too: imports are
recorded as the modules' files. The cache (cache.py) turns this record into fingerprints.

Not seen: files read by C or Rust code without Python's `open` (safetensors' weights, for
one); model snapshots are fingerprinted as whole folders for that reason.
"""

from __future__ import annotations

import os
import sys
from collections.abc import Iterable
from pathlib import Path
from typing import Any

from .record import Dependencies

WRITE_FLAGS = os.O_WRONLY | os.O_RDWR | os.O_CREAT | os.O_TRUNC | os.O_APPEND
MISSING = "missing"
PACKAGE_DIR = os.path.dirname(os.path.dirname(os.path.realpath(__file__)))


def file_state(path: str) -> str:
    """What a file or folder looks like now, cheaply: changes with any edit, rename or new entry."""
    try:
        info = os.stat(path)
    except OSError:
        return MISSING
    return f"{info.st_size}:{info.st_mtime_ns}:{info.st_ino}"


def snapshot_of(path: str) -> str | None:
    """The snapshot folder of a path inside a Hugging Face cache (`models--a--b/snapshots/<rev>`)."""
    parts = Path(path).parts
    if "snapshots" not in parts:
        return None
    i = parts.index("snapshots")
    if i > 0 and parts[i - 1].startswith("models--") and i + 1 < len(parts):
        return str(Path(*parts[: i + 2]))
    return None


class DependencyRecorder:
    """An audit hook that records the script's reads; `dependencies()` gives the result."""

    def __init__(self, project_root: Path, hf_cache: Path | None, ignored: Iterable[Path | str]) -> None:
        self.root = os.path.abspath(project_root)
        self.hf_cache = os.path.abspath(hf_cache) if hf_cache else None
        skip = {PACKAGE_DIR, sys.prefix, sys.base_prefix, *(os.fspath(p) for p in ignored)}
        self.ignored = tuple(sorted({os.path.realpath(p) for p in skip} | {os.path.abspath(p) for p in skip}))
        self.active = False
        self.files: dict[str, str] = {}  # absolute path -> state at the first read
        self.written: set[str] = set()  # first opened for writing: an output of the script
        self.folders: dict[str, str] = {}
        self.snapshots: set[str] = set()

    # -- the hook ---------------------------------------------------------------------------
    def hook(self, event: str, args: tuple[Any, ...]) -> None:
        if not self.active:
            return
        try:
            if event == "open":
                self._opened(args)
            elif event in ("os.listdir", "os.scandir"):
                self._listed(args)
        except Exception:  # noqa: BLE001 - an audit hook must never break the script
            pass

    def _opened(self, args: tuple[Any, ...]) -> None:
        target, mode, flags = (*args, None, None, None)[:3]
        if target is None or isinstance(target, int):
            return
        path = os.path.abspath(os.fsdecode(target))
        snapshot = snapshot_of(path)
        if snapshot is not None:
            self.snapshots.add(snapshot)
            return
        if path in self.files or path in self.written or not self._is_project_path(path):
            return
        writing = any(c in mode for c in "wax+") if isinstance(mode, str) else bool((flags or 0) & WRITE_FLAGS)
        if writing:
            self.written.add(path)
        else:
            self.files[path] = file_state(path)

    def _listed(self, args: tuple[Any, ...]) -> None:
        target = args[0] if args else None
        if isinstance(target, int):
            return
        caller = sys._getframe(2).f_code.co_filename  # 0: _listed, 1: hook, 2: who listed
        if caller.startswith("<frozen importlib"):
            return  # the import system looking for modules: imports are recorded as files
        path = os.path.abspath(os.fsdecode(target) if target is not None else ".")
        if path not in self.folders and self._is_project_path(path):
            self.folders[path] = file_state(path)

    def _is_project_path(self, path: str) -> bool:
        if not path.startswith(self.root + os.sep) or "__pycache__" in path:
            return False
        if self.hf_cache and path.startswith(self.hf_cache + os.sep):
            return False
        if self._ignored(path):  # most paths: the virtual environment lies inside many projects
            return False
        return not self._ignored(os.path.realpath(path))

    def _ignored(self, path: str) -> bool:
        return any(path.startswith(d + os.sep) or path == d for d in self.ignored)

    # -- the result -------------------------------------------------------------------------
    def dependencies(self, modules: Iterable[Any] = ()) -> Dependencies:
        """What was read, with paths made relative; `modules` adds imported modules' files
        (a module loaded from its .pyc never opens its .py)."""
        files = dict(self.files)
        for module in modules:
            source = getattr(module, "__file__", None)
            if isinstance(source, str) and os.path.isabs(source):  # torch makes modules named "_ops.py"
                path = os.path.abspath(source)
                if path not in files and path not in self.written and self._is_project_path(path):
                    files[path] = ""
        return Dependencies(
            files={self._relative(p): state for p, state in files.items()},
            folders={self._relative(p): state for p, state in self.folders.items()},
            models=sorted(self._model_path(s) for s in self.snapshots),
        )

    def _relative(self, path: str) -> str:
        return Path(os.path.relpath(path, self.root)).as_posix()

    def _model_path(self, snapshot: str) -> str:
        if self.hf_cache and snapshot.startswith(self.hf_cache + os.sep):
            return Path(os.path.relpath(snapshot, self.hf_cache)).as_posix()
        return snapshot
