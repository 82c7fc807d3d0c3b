"""The live models' export cache (gallery_builder/live/publish.py): keyed on what shapes the file,
never left half-written. The export itself is checked on the real site by tests/test_live.py."""

from __future__ import annotations

import dataclasses
from pathlib import Path

import pytest

from gallery_builder.cache.store import ResultCache
from gallery_builder.live import publish
from gallery_builder.live.models import MINILM
from gallery_builder.run.embedded_models import ensure_embedded_models

ROOT = Path(__file__).resolve().parent.parent
HF_CACHE = ROOT / ".cache" / "huggingface" / "hub"


@pytest.fixture
def store(tmp_path: Path) -> ResultCache:
    ensure_embedded_models(HF_CACHE, lambda message: None)
    return ResultCache(tmp_path / "cache", ROOT, HF_CACHE)


def test_the_key_follows_the_exporter_the_libraries_and_the_model(store, monkeypatch, tmp_path) -> None:
    key = publish.export_key(MINILM, store)
    assert publish.export_key(MINILM, store) == key
    real = publish.installed_distributions()
    monkeypatch.setattr(publish, "installed_distributions", lambda: {**real, "onnxruntime": "0.0.1"})
    assert publish.export_key(MINILM, store) != key
    monkeypatch.setattr(publish, "installed_distributions", lambda: real)
    edited = tmp_path / "export.py"
    edited.write_text((ROOT / "gallery_builder/live/export.py").read_text() + "\n# edited\n")
    monkeypatch.setattr(publish, "_exporter_files", lambda: [edited, ROOT / "gallery_builder/live/models.py"])
    assert publish.export_key(MINILM, store) != key
    monkeypatch.undo()
    other = dataclasses.replace(MINILM, hub_id="HuggingFaceTB/SmolLM2-135M-Instruct")
    assert publish.export_key(other, store) != key


def test_a_failed_export_leaves_no_entry_and_a_clear_message(store) -> None:
    unknown = dataclasses.replace(MINILM, name="not-a-model")
    with pytest.raises(publish.ExportError, match=r"exporting sentence-transformers/all-MiniLM-L6-v2 failed: "):
        publish.cached_export(unknown, store, lambda message: None)
    assert list((store.root / "live").iterdir()) == []


def test_no_live_widget_means_nothing_published(store) -> None:
    assert publish.publish_live(set(), store, lambda message: None) == publish.LiveFiles()
    assert publish.publish_live({"not_a_widget"}, store, lambda message: None) == publish.LiveFiles()


@pytest.mark.slow
def test_two_exports_publish_the_same_bytes(tmp_path) -> None:
    """Reproducible builds: the published files of two clean exports are identical (the export's
    timing stays in the build log)."""
    ensure_embedded_models(HF_CACHE, lambda message: None)
    published = []
    for name in ("a", "b"):
        store = ResultCache(tmp_path / name, ROOT, HF_CACHE)
        files = publish.publish_live({"head_view"}, store, lambda message: None)
        assert files.errors == []
        published.append({path: Path(value).read_bytes() for path, value in files.files.items()})
    assert published[0] == published[1]
    assert not any(path.endswith("parity.json") for path in published[0])
