"""The record of one script run: written by the worker, read by the build, kept by the cache.

A run's folder holds the files its outputs name (images, views, thumbnails) and `result.json`,
the `RunRecord` below as JSON. The worker writes it (execute.py), the parent reads it back
(workers.py), the cache adds the fingerprints of what the run read and keeps the folder
(cache.py), and the build turns it into an `ExampleResult` for the pages (build.py).
"""

from __future__ import annotations

import json
import os
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from ..capture.capture import Output

RESULT_FILE = "result.json"
FORMAT = 2  # bump when the JSON below changes shape: older records are then ignored


class RecordError(ValueError):
    """A result.json that cannot be read as a RunRecord (torn, from another version, edited)."""


@dataclass
class ScriptFailure:
    """Why a script failed, pointing at the script's own line."""

    line: int
    summary: str  # e.g. "ZeroDivisionError: division by zero"
    traceback: str

    def to_json(self) -> dict[str, Any]:
        return {"line": self.line, "summary": self.summary, "traceback": self.traceback}

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> ScriptFailure:
        return cls(int(data["line"]), str(data["summary"]), str(data["traceback"]))


@dataclass
class Dependencies:
    """What a run read besides its script and the installed libraries (recorded by deps.py).

    files and folders map a path relative to the project root to its state (size, mtime, inode)
    when the script first read it; "" when unknown. The cache hashes their content and compares
    the state, so an edit made while the script ran is caught too. models are Hugging Face
    snapshot folders, relative to the HF cache (absolute when outside it).
    """

    files: dict[str, str] = field(default_factory=dict)
    folders: dict[str, str] = field(default_factory=dict)
    models: list[str] = field(default_factory=list)

    def to_json(self) -> dict[str, Any]:
        return {"files": dict(sorted(self.files.items())), "folders": dict(sorted(self.folders.items())),
                "models": sorted(self.models)}

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> Dependencies:
        return cls(
            files={str(k): str(v) for k, v in data.get("files", {}).items()},
            folders={str(k): str(v) for k, v in data.get("folders", {}).items()},
            models=[str(m) for m in data.get("models", [])],
        )


@dataclass(frozen=True)
class ModelRecord:
    """One model snapshot a run loaded, as the provenance box shows it."""

    hub_id: str
    revision: str
    source: str  # where the weights came from, in words

    def to_json(self) -> dict[str, str]:
        return {"hub_id": self.hub_id, "revision": self.revision, "source": self.source}

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> ModelRecord:
        return cls(str(data["hub_id"]), str(data["revision"]), str(data["source"]))


@dataclass
class Provenance:
    """Models and library versions of the run, shown at the end of its page."""

    models: list[ModelRecord] = field(default_factory=list)
    versions: dict[str, str] = field(default_factory=dict)

    def to_json(self) -> dict[str, Any]:
        return {"models": [m.to_json() for m in self.models], "versions": dict(sorted(self.versions.items()))}

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> Provenance:
        return cls(
            models=[ModelRecord.from_json(m) for m in data.get("models", [])],
            versions={str(k): str(v) for k, v in data.get("versions", {}).items()},
        )


@dataclass
class RunRecord:
    """Everything one run of a script produced, besides the files its outputs name."""

    cells: list[list[Output]]  # one list per code cell that ran
    failure: ScriptFailure | None = None
    duration: float = 0.0  # seconds the cells took
    computed_at: int = 0  # Unix time of the run (SOURCE_DATE_EPOCH when set)
    deps: Dependencies = field(default_factory=Dependencies)
    provenance: Provenance = field(default_factory=Provenance)
    fingerprints: dict[str, str] = field(default_factory=dict)  # set by the cache: what `deps` hashed to

    def to_json(self) -> dict[str, Any]:
        return {
            "format": FORMAT,
            "cells": [[output.to_json() for output in cell] for cell in self.cells],
            "failure": self.failure.to_json() if self.failure else None,
            "duration": self.duration,
            "computed_at": self.computed_at,
            "deps": self.deps.to_json(),
            "provenance": self.provenance.to_json(),
            "fingerprints": dict(sorted(self.fingerprints.items())),
        }

    @classmethod
    def from_json(cls, data: Any) -> RunRecord:
        """Raises RecordError for anything that is not a record of this format."""
        try:
            if not isinstance(data, dict) or data.get("format") != FORMAT:
                raise RecordError("not a run record of this format")
            failure = data.get("failure")
            return cls(
                cells=[[Output.from_json(o) for o in cell] for cell in data["cells"]],
                failure=ScriptFailure.from_json(failure) if failure else None,
                duration=float(data.get("duration", 0.0)),
                computed_at=int(data.get("computed_at", 0)),
                deps=Dependencies.from_json(data.get("deps", {})),
                provenance=Provenance.from_json(data.get("provenance", {})),
                fingerprints={str(k): str(v) for k, v in data.get("fingerprints", {}).items()},
            )
        except (KeyError, TypeError, ValueError, AttributeError) as error:
            raise RecordError(str(error)) from None

    def write(self, folder: Path) -> None:
        """Write `folder/result.json` in one step: a reader sees the old file or the new one."""
        tmp = folder / (RESULT_FILE + ".tmp")
        tmp.write_text(json.dumps(self.to_json(), indent=1, sort_keys=True))
        os.replace(tmp, folder / RESULT_FILE)

    @classmethod
    def read(cls, folder: Path) -> RunRecord | None:
        """The record in `folder`, or None if it has none or it cannot be read."""
        try:
            return cls.from_json(json.loads((folder / RESULT_FILE).read_text()))
        except (OSError, ValueError):  # RecordError and JSONDecodeError are ValueErrors
            return None
