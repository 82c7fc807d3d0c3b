"""What building one example produced: the record that pages are rendered from."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Literal

from ..capture.capture import Output
from ..sources.parse import ParsedScript
from ..sources.project import Example
from .record import Provenance, ScriptFailure

Status = Literal["ran", "cached", "failed", "shown"]  # shown: as code, without running


@dataclass
class ExampleResult:
    example: Example
    display_path: str  # e.g. "gallery_src/01_attention/01_one_head.py"
    status: Status
    parsed: ParsedScript | None = None  # None when the script could not be parsed
    outputs: list[list[Output]] = field(default_factory=list)  # one list per code cell that ran
    files_dir: Path | None = None  # folder holding the images named in `outputs`
    failure: ScriptFailure | None = None
    expected_failure: bool = False  # the script is marked to fail, and did
    duration: float = 0.0
    computed_at: int = 0  # Unix time the outputs were computed (SOURCE_DATE_EPOCH when set)
    provenance: Provenance = field(default_factory=Provenance)  # models and library versions of the run

    @property
    def title(self) -> str:
        return self.parsed.title if self.parsed else self.example.path.stem

    @property
    def location(self) -> str:
        """`file:line` of the failure, for messages."""
        line = self.failure.line if self.failure else 1
        return f"{self.display_path}:{line}"
