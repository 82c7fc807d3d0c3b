"""The static part of a cache key: everything known before a script runs.

A key covers
- the script: its path in the project and its source;
- the generator: every file of gallery_builder/ except the modules listed in NOT_OUTPUT_SHAPING;
- the Python interpreter and the version of every installed distribution (pip's view);
- the script settings from the environment (environment.py);
- what the build hands the worker besides the source: the section's [tool.gallery] capture
  settings, the views' link to the vendored libraries, a thumbnail image file's content.

What a script reads while it runs (data files, helper modules, folders it lists, model
snapshots) is not known before it runs: the worker records it (deps.py) and the cache checks it
on every look-up (store.py).
"""

from __future__ import annotations

import contextlib
import hashlib
import importlib.metadata
import json
import os
import platform
import sys
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

from . import environment
from .store import write_atomically

PACKAGE_DIR = Path(__file__).resolve().parents[1]

# Files of gallery_builder/ that cannot change what a cached entry holds, so editing them reruns
# nothing. Entries are written only by a worker (execute.run_job) from the Job that build.py
# makes; none of these is imported by a worker (tests/test_cache_key.py checks that) and none
# makes a Job. Everything else in the package is part of the key, the layout included.
NOT_OUTPUT_SHAPING = frozenset(
    {
        "__main__.py",  # command line entry
        "cli.py",  # command line
        "site.py",  # mkdocs-gen-files glue
        "mkdocs_hooks.py",  # starts the workers early in `mkdocs serve`
        "page/",  # pages, notebooks, the zip of scripts and math, made from the entries on every build
        "run/results.py",  # what pages are rendered from
        "cache/store.py",  # finds and keeps entries; the format is versioned by record.FORMAT
        "cache/shard.py",  # which scripts a shard runs
        "templates/example.py.txt",  # `make new`'s template
        "sources/rest.py",  # reST prose to Markdown, on every build
        "vendor/katex-0.19.1/",  # (a folder: everything in it)
        "live/",  # the in-browser models: exported and cached on their own key (live/publish.py)
        "vendor/onnxruntime-web-1.30.0/",  # loaded by the live views in the reader's browser
        "vendor/lenml-tokenizers-3.7.2/",
    }
)


def generator_files(package: Path = PACKAGE_DIR) -> list[Path]:
    """The generator's files that shape outputs, in a stable order."""
    folders = tuple(name for name in NOT_OUTPUT_SHAPING if name.endswith("/"))
    found = []
    for path in sorted(package.rglob("*")):
        name = path.relative_to(package).as_posix()
        if not path.is_file() or "__pycache__" in path.parts:
            continue
        if name not in NOT_OUTPUT_SHAPING and not name.startswith(folders):
            found.append(path)
    return found


def generator_digest(package: Path = PACKAGE_DIR) -> str:
    digest = hashlib.sha256()
    for path in generator_files(package):
        digest.update(path.relative_to(package).as_posix().encode() + b"\0")
        digest.update(hashlib.sha256(path.read_bytes()).digest())
    return digest.hexdigest()


_distributions: tuple[list[list[object]], dict[str, str]] | None = None


def installed_distributions(memo: Path | None = None) -> dict[str, str]:
    """Every distribution on sys.path, by normalised name: torch, tokenizers, pandas, ...

    Reading every distribution's metadata takes a few tenths of a second, so the last answer is
    reused while no folder on sys.path has changed (installing, upgrading or removing a
    distribution adds or removes its .dist-info folder): by a long-lived process (`mkdocs
    serve`) from memory, and by the next build from `memo`, a file in the cache."""
    global _distributions
    state: list[list[object]] = [[f, os.stat(f).st_mtime_ns] for f in sys.path if os.path.isdir(f)]
    if _distributions is None and memo is not None:
        _distributions = _read_memo(memo)
    if _distributions is not None and _distributions[0] == state:
        return dict(_distributions[1])
    found = _read_distributions()
    _distributions = (state, found)
    if memo is not None:
        _write_memo(memo, state, found)
    return dict(found)


def _read_memo(memo: Path) -> tuple[list[list[object]], dict[str, str]] | None:
    try:
        data = json.loads(memo.read_text())
        return list(data["sys_path"]), dict(data["distributions"])
    except (OSError, ValueError, KeyError, TypeError):
        return None


def _write_memo(memo: Path, state: list[list[object]], found: dict[str, str]) -> None:
    with contextlib.suppress(OSError):  # a read-only cache: the next build reads the metadata again
        write_atomically(memo, json.dumps({"sys_path": state, "distributions": found}, indent=1) + "\n")


def _read_distributions() -> dict[str, str]:
    found: dict[str, set[str]] = {}
    for dist in importlib.metadata.distributions():
        name = dist.metadata["Name"] if dist.metadata else None
        if name:
            normal = name.lower().replace("_", "-").replace(".", "-")
            found.setdefault(normal, set()).add(dist.version)
    return {name: ",".join(sorted(versions)) for name, versions in sorted(found.items())}


def interpreter() -> dict[str, str]:
    return {
        "implementation": sys.implementation.name,
        "version": platform.python_version(),
        "machine": platform.machine(),
        "system": platform.system(),
    }


@dataclass(frozen=True)
class KeyInputs:
    """What every key of one build shares; computed once per build."""

    generator: str
    interpreter: dict[str, str]
    distributions: dict[str, str]
    settings: dict[str, str]

    @classmethod
    def current(cls, environ: Mapping[str, str] = os.environ, memo: Path | None = None) -> KeyInputs:
        """`memo`: a file where the list of installed distributions is kept between builds."""
        distributions = installed_distributions(memo)
        return cls(generator_digest(), interpreter(), distributions, environment.script_settings(environ))


def file_digest(path: Path) -> str:
    try:
        return hashlib.sha256(path.read_bytes()).hexdigest()
    except OSError:
        return "missing"


def static_key(script: str, source: bytes, inputs: KeyInputs, job: Mapping[str, str] | None = None) -> str:
    """The key of a script's entry; `script` is its path relative to the project root, `job` what
    else the build hands its worker that shapes outputs (build.job_settings)."""
    payload = {
        "script": script,
        "source": hashlib.sha256(source).hexdigest(),
        "job": dict(sorted((job or {}).items())),
        "generator": inputs.generator,
        "interpreter": inputs.interpreter,
        "distributions": inputs.distributions,
        "settings": inputs.settings,
    }
    return hashlib.sha256(json.dumps(payload, sort_keys=True).encode()).hexdigest()
