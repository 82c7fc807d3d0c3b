"""The in-browser models' exports (gallery_builder/live/, issue 18): the files the site ships meet
the parity targets when onnxruntime runs them, parts are small and match their sha256s, the cache
key follows its inputs, a corrupt or interrupted entry is not used, and GALLERY_LIVE=0 builds
without exporting."""

from __future__ import annotations

import dataclasses
import hashlib
import json
import os
import shutil
from pathlib import Path

import pytest
from conftest import ROOT, make_project, mkdocs_build

from gallery_builder.cache.store import ResultCache
from gallery_builder.live import package, parity, publish, store
from gallery_builder.live.models import ATTENTION_TOLERANCE, LENS_TOP1_TARGET, LIVE_MODELS, SMOLLM2, by_name

HF_CACHE = Path(os.environ["GALLERY_HF_CACHE"])
MiB = 1024 * 1024


@pytest.fixture(scope="session")
def live_cache(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A gallery cache holding both exports, made once for the session (about 2 min on 2 cores)."""
    cache = tmp_path_factory.mktemp("live-cache")
    found = store.ensure_all(store.LiveStore(cache / "live", ROOT, HF_CACHE), print)
    assert [e.error for e in found] == [None, None]
    return cache


def _folders(cache: Path) -> dict[str, Path]:
    folders = {}
    for entry in (cache / "live").iterdir():
        if (entry / package.MANIFEST).is_file():
            folders[package.read_manifest(entry)["model"]] = entry
    return folders


@pytest.mark.slow
@pytest.mark.parametrize("name", [m.name for m in LIVE_MODELS])
def test_shipped_files_meet_the_parity_targets(live_cache: Path, name: str) -> None:
    from gallery_builder.live.export import load_torch

    model = by_name(name)
    folder = _folders(live_cache)[name]
    manifest = package.read_manifest(folder)
    joined = b"".join((folder / p["name"]).read_bytes() for p in manifest["parts"])
    _, wrapper, tokenizer = load_torch(model)
    measured = parity.measure(model, wrapper, tokenizer, joined)
    assert measured.misses() == []
    assert measured.attention_max_abs <= ATTENTION_TOLERANCE
    assert measured.truncated_to == model.max_tokens == manifest["max_tokens"]
    if model is SMOLLM2:
        assert measured.top10_same is True
        assert measured.lens_top1_agreement is not None and measured.lens_top1_agreement >= LENS_TOP1_TARGET
    recorded = manifest["parity"]
    assert recorded["attention_max_abs"] == pytest.approx(measured.attention_max_abs, abs=1e-4)
    assert recorded["attention_tolerance"] == ATTENTION_TOLERANCE
    assert len(joined) <= model.max_bytes


@pytest.mark.slow
def test_parts_are_small_and_match_their_sha256(live_cache: Path) -> None:
    folders = _folders(live_cache)
    assert sorted(folders) == sorted(m.name for m in LIVE_MODELS)
    for name, folder in folders.items():
        manifest = package.read_manifest(folder)
        assert all(path.stat().st_size <= 25 * MiB for path in folder.iterdir()), name
        joined = hashlib.sha256()
        for part in manifest["parts"]:
            data = (folder / part["name"]).read_bytes()
            assert len(data) == part["bytes"] <= 20 * MiB
            assert hashlib.sha256(data).hexdigest() == part["sha256"]
            joined.update(data)
        assert joined.hexdigest() == manifest["sha256"]
        assert "Apache License" in (folder / "LICENSE.txt").read_text()
        assert by_name(name).hub_id in (folder / "SOURCE.txt").read_text()
        json.loads((folder / "tokenizer.json").read_text())


@pytest.mark.slow
def test_cli_writes_the_live_files_from_the_cache(live_cache: Path, tmp_path: Path,
                                                  monkeypatch: pytest.MonkeyPatch) -> None:
    from gallery_builder.cli import main

    monkeypatch.setenv("GALLERY_CACHE", str(tmp_path / "cache"))
    monkeypatch.setenv("GALLERY_LIVE_CACHE", str(live_cache / "live"))
    assert main(["live", "--out", str(tmp_path / "out"), "--project", str(ROOT)]) == 0
    for model in LIVE_MODELS:
        assert package.verify(tmp_path / "out" / "_live" / model.name) is None
    assert not (tmp_path / "cache" / "live").exists()  # reused, not exported again


@pytest.mark.slow
def test_a_corrupt_or_interrupted_entry_is_not_used(live_cache: Path, tmp_path: Path) -> None:
    source = _folders(live_cache)["minilm"]
    live = store.LiveStore(tmp_path / "live", ROOT, HF_CACHE)
    key = live.key(by_name("minilm"))
    assert live.lookup(key) is None
    shutil.copytree(source, tmp_path / "live" / ".staging-x" / "entry")  # an export stopped before its rename
    assert live.lookup(key) is None
    shutil.copytree(source, tmp_path / "live" / key)
    assert store.LiveStore(tmp_path / "live", ROOT, HF_CACHE).lookup(key) == tmp_path / "live" / key
    part = tmp_path / "live" / key / "model.onnx.part1"
    data = bytearray(part.read_bytes())
    data[1000] ^= 0xFF
    part.write_bytes(bytes(data))
    assert store.LiveStore(tmp_path / "live", ROOT, HF_CACHE).lookup(key) is None
    part.unlink()
    assert store.LiveStore(tmp_path / "live", ROOT, HF_CACHE).lookup(key) is None


@pytest.mark.slow
def test_an_entry_is_hashed_again_only_when_its_files_change(live_cache: Path, tmp_path: Path,
                                                             monkeypatch: pytest.MonkeyPatch) -> None:
    """The parts' sha256s come from the fingerprint memo: a build reads them only when they changed."""
    import gallery_builder.cache.store as cache_store

    source = _folders(live_cache)["minilm"]
    key = store.LiveStore(tmp_path / "live", ROOT, HF_CACHE).key(by_name("minilm"))
    shutil.copytree(source, tmp_path / "live" / key)
    checked: list[Path] = []
    real_hash = cache_store._sha256_file
    large = cache_store.MEMO_MIN_BYTES

    def counting(path: Path) -> str:
        if ".part" in path.name and path.stat().st_size >= large:  # a smaller file is hashed each time
            checked.append(path)
        return real_hash(path)

    monkeypatch.setattr(cache_store, "_sha256_file", counting)
    parts = len([p for p in (tmp_path / "live" / key).glob("*.part*") if p.stat().st_size >= large])
    for _ in range(2):  # two builds (two processes): one reading of the 43 MB
        assert store.LiveStore(tmp_path / "live", ROOT, HF_CACHE).lookup(key) == tmp_path / "live" / key
    assert len(checked) == parts
    part = tmp_path / "live" / key / "model.onnx.part1"
    data = bytearray(part.read_bytes())
    data[1000] ^= 0xFF  # same size, new contents (and modification time)
    part.write_bytes(bytes(data))
    assert store.LiveStore(tmp_path / "live", ROOT, HF_CACHE).lookup(key) is None
    assert len(checked) == parts + 1


def test_the_key_follows_the_snapshot_the_code_and_the_versions(tmp_path: Path) -> None:
    model = by_name("minilm")
    versions = store.library_versions()
    code = store.exporter_digest()
    base = store.export_key(model, "snap", code, versions)
    assert store.export_key(model, "snap", code, versions) == base
    assert store.export_key(model, "other snapshot", code, versions) != base
    assert store.export_key(by_name("smollm2"), "snap", code, versions) != base
    for name in ("torch", "transformers", "onnx", "onnxscript", "onnxruntime", "python"):
        assert store.export_key(model, "snap", code, {**versions, name: "0.0.0"}) != base, name
    copy = tmp_path / "live"
    shutil.copytree(store.LIVE_DIR, copy, ignore=shutil.ignore_patterns("__pycache__", "js"))
    assert store.exporter_digest(copy) == code
    (copy / "parity.py").write_text((copy / "parity.py").read_text() + "\n# edited\n")
    assert store.exporter_digest(copy) != code
    (copy / "js").mkdir()
    (copy / "js" / "live-page.mjs").write_text("// the pages' code is not the exporter's\n")
    edited = store.exporter_digest(copy)
    (copy / "js" / "live-page.mjs").write_text("// changed\n")
    for name in store.NOT_EXPORTER:  # keeping and publishing exports changes none of their bytes
        (copy / name).write_text((copy / name).read_text() + "\n# edited\n")
    assert store.exporter_digest(copy) == edited


def test_older_exports_of_a_model_are_swept(tmp_path: Path) -> None:
    live = store.LiveStore(tmp_path, ROOT, HF_CACHE)
    for name in ("minilm-old", "minilm-new", "smollm2-old"):
        (tmp_path / name).mkdir()
    live.sweep(by_name("minilm"), keep="minilm-new")
    assert sorted(p.name for p in tmp_path.iterdir()) == ["minilm-new", "smollm2-old"]


def test_a_failed_export_leaves_no_entry_and_a_clear_message(tmp_path: Path) -> None:
    unknown = dataclasses.replace(by_name("minilm"), name="nosuch")
    live = store.LiveStore(tmp_path / "live", ROOT, HF_CACHE)
    found = live.ensure(unknown, lambda message: None)
    assert found.folder is None and found.error is not None
    assert "export of nosuch failed: no live model named 'nosuch'" in found.error
    assert "Traceback" not in found.error
    assert list((tmp_path / "live").iterdir()) == [tmp_path / "live" / "hashes.json"]


def test_no_live_widget_means_nothing_published(tmp_path: Path) -> None:
    results = ResultCache(tmp_path, ROOT, HF_CACHE)
    assert publish.publish_live(set(), results, lambda message: None) == publish.LiveFiles()
    assert publish.publish_live({"not_a_widget"}, results, lambda message: None) == publish.LiveFiles()


@pytest.mark.slow
def test_two_exports_publish_the_same_bytes(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Reproducible builds: the published files of two clean exports are identical (the export's
    timing stays in the build log)."""
    monkeypatch.delenv("GALLERY_LIVE_CACHE", raising=False)
    published = []
    for name in ("a", "b"):
        results = ResultCache(tmp_path / name, ROOT, HF_CACHE)
        files = publish.publish_live({"head_view"}, results, lambda message: None)
        assert files.errors == []
        published.append({path: Path(value).read_bytes() for path, value in files.files.items()})
    assert published[0] == published[1]
    assert "gallery/_live/minilm/manifest.json" in published[0]
    assert not any("smollm2" in path for path in published[0])


@pytest.mark.slow
def test_live_off_builds_without_exporting(tmp_path: Path) -> None:
    project = live_project(tmp_path / "project")
    cache = tmp_path / "cache"
    done = mkdocs_build(project, cache, env={"GALLERY_LIVE": "0", "GALLERY_LIVE_CACHE": ""})
    assert done.returncode == 0, done.stderr[-3000:]
    assert "gallery: live:" not in done.stderr
    assert not (cache / "live").exists()
    assert not (project / "site" / "gallery" / "_live").exists()
    assert (project / "site" / "gallery").is_dir()


LIVE_SCRIPT = '''"""
# Live boxes

A page that asks for a live box of each model.
"""

# gallery_live = "{widget}"

# %%
# Nothing to run.

print("ok")
'''


def live_project(target: Path, widgets: tuple[str, ...] = ("head_view", "decoder_prompt")) -> Path:
    """The fixture gallery plus a script asking for each widget."""
    project = make_project(target)
    for number, widget in enumerate(widgets, start=10):
        script = project / "gallery_src" / "01_basics" / f"{number}_live_{widget}.py"
        script.write_text(LIVE_SCRIPT.replace("{widget}", widget))
    return project


@pytest.mark.slow
def test_a_build_publishes_the_cached_exports(live_cache: Path, tmp_path: Path) -> None:
    project = live_project(tmp_path / "project")
    done = mkdocs_build(project, tmp_path / "cache", env={"GALLERY_LIVE_CACHE": str(live_cache / "live")})
    assert done.returncode == 0, done.stderr[-3000:]
    for name, folder in _folders(live_cache).items():
        shipped = project / "site" / "gallery" / "_live" / name
        assert package.verify(shipped) is None
        assert sorted(p.name for p in shipped.iterdir()) == sorted(p.name for p in folder.iterdir())
        assert (shipped / "manifest.json").read_bytes() == (folder / "manifest.json").read_bytes()


@pytest.mark.slow
def test_a_live_failure_fails_the_strict_build_with_a_message(tmp_path: Path) -> None:
    project = live_project(tmp_path / "project", ("head_view",))
    blocker = tmp_path / "not-a-folder"
    blocker.write_text("")
    done = mkdocs_build(project, tmp_path / "cache", env={"GALLERY_LIVE_CACHE": str(blocker)})
    assert done.returncode != 0
    warnings = [line for line in done.stderr.splitlines() if "gallery: live:" in line]
    assert warnings and str(blocker) in warnings[0], done.stderr[-2000:]
    assert "Traceback" not in done.stderr
