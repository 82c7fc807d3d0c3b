"""Every way a cached entry could go stale, each with the change that must invalidate it.

The static key (keys.py): script path and source, generator files, interpreter, every installed
distribution, script settings, what the build hands the worker. What a run read (deps.py,
cache/store.py): project files and folders by content, model snapshots by refs and content, edits made
while the script ran.
"""

from __future__ import annotations

import dataclasses
import os
import shutil
import sys
from pathlib import Path

import pytest
from conftest import ROOT

from gallery_builder.build import build_gallery
from gallery_builder.cache import environment, keys
from gallery_builder.cache.store import CHANGED, ResultCache
from gallery_builder.options import BuildOptions
from gallery_builder.run.execute import Job
from gallery_builder.run.record import Dependencies, RunRecord
from gallery_builder.run.workers import run_all
from gallery_builder.sources.parse import parse_script

HEADER = '"""\n# {title}\n\nAn example.\n"""\n\n# %%\n'


def key_for(inputs: keys.KeyInputs, script: str = "gallery_src/01_s/01_a.py", source: bytes = b"print(1)\n") -> str:
    return keys.static_key(script, source, inputs)


@pytest.fixture(scope="module")
def inputs() -> keys.KeyInputs:
    return keys.KeyInputs.current({})


# -- the static key ---------------------------------------------------------------------------

def test_the_key_covers_every_installed_distribution(inputs: keys.KeyInputs) -> None:
    # Pinned, output-shaping, and missing from the hand-picked list the key once had.
    for name in ("tokenizers", "safetensors", "scipy", "pandas", "ipython", "torch", "transformers", "bertviz"):
        assert name in inputs.distributions, name
    for name in ("tokenizers", "pandas"):
        bumped = dict(inputs.distributions, **{name: inputs.distributions[name] + ".post1"})
        assert key_for(dataclasses.replace(inputs, distributions=bumped)) != key_for(inputs), name
    added = dict(inputs.distributions, **{"some-new-package": "1.0"})
    assert key_for(dataclasses.replace(inputs, distributions=added)) != key_for(inputs)


def test_a_distribution_installed_while_serving_is_seen(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """`mkdocs serve` reuses the list of distributions between rebuilds; an install must show."""
    monkeypatch.syspath_prepend(str(tmp_path))
    before = keys.installed_distributions()
    assert keys.installed_distributions() == before  # the reused answer
    info = tmp_path / "freshly_installed-2.0.dist-info"
    info.mkdir()
    (info / "METADATA").write_text("Metadata-Version: 2.1\nName: freshly-installed\nVersion: 2.0\n")
    assert keys.installed_distributions() == dict(before, **{"freshly-installed": "2.0"})


def test_the_next_build_reuses_the_list_until_a_distribution_is_installed(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Each `mkdocs build` is a new process: the list is kept in a file of the cache."""
    site = tmp_path / "site-packages"
    site.mkdir()
    monkeypatch.syspath_prepend(str(site))
    memo = tmp_path / "cache" / "distributions.json"
    monkeypatch.setattr(keys, "_distributions", None)  # a new process
    before = keys.installed_distributions(memo)
    assert memo.is_file()

    def unexpected() -> dict[str, str]:
        raise AssertionError("the metadata was read again though nothing was installed")

    read = keys._read_distributions
    monkeypatch.setattr(keys, "_distributions", None)
    monkeypatch.setattr(keys, "_read_distributions", unexpected)
    assert keys.installed_distributions(memo) == before
    info = site / "freshly_installed-2.0.dist-info"
    info.mkdir()
    (info / "METADATA").write_text("Metadata-Version: 2.1\nName: freshly-installed\nVersion: 2.0\n")
    monkeypatch.setattr(keys, "_distributions", None)
    monkeypatch.setattr(keys, "_read_distributions", read)
    assert keys.installed_distributions(memo) == dict(before, **{"freshly-installed": "2.0"})
    memo.write_text("not json")  # a damaged memo is read past, never trusted
    monkeypatch.setattr(keys, "_distributions", None)
    assert keys.installed_distributions(memo) == dict(before, **{"freshly-installed": "2.0"})


def test_the_key_covers_the_interpreter(inputs: keys.KeyInputs) -> None:
    assert inputs.interpreter["version"] == ".".join(map(str, sys.version_info[:3]))
    other = dict(inputs.interpreter, version="3.11.99")
    assert key_for(dataclasses.replace(inputs, interpreter=other)) != key_for(inputs)


def test_the_key_covers_the_script_path_and_source(inputs: keys.KeyInputs) -> None:
    # The same source elsewhere reads other files beside it (its cwd differs): its own entry.
    assert key_for(inputs, script="gallery_src/02_t/01_a.py") != key_for(inputs)
    assert key_for(inputs, source=b"print(2)\n") != key_for(inputs)
    assert key_for(inputs) == key_for(keys.KeyInputs.current({}))  # and nothing else varies


def test_the_key_covers_what_the_build_hands_the_worker(tmp_path: Path) -> None:
    """[tool.gallery] capture settings, the views' link to the vendored files, a thumbnail file."""
    from gallery_builder.plan import job_settings
    from gallery_builder.sources.parse import parse_script
    from gallery_builder.sources.project import Gallery
    from gallery_builder.sources.settings import GallerySettings

    root = tiny_gallery(tmp_path)
    script = root / "gallery_src" / "01_s" / "03_plain.py"
    script.write_text(script.read_text().replace("# %%", "# gallery_thumbnail_path = '_card.png'\n# %%"))
    (script.parent / "_card.png").write_bytes(b"png 1")
    example = next(e for e in Gallery.load(root / "gallery_src").examples() if e.path == script)
    parsed = parse_script(script)
    inputs = keys.KeyInputs.current({})

    def key(config: GallerySettings | None = None) -> str:
        return keys.static_key("s.py", b"", inputs, job_settings(example, parsed, config or GallerySettings()))

    before = key()
    assert key(GallerySettings(capture_repr=("__repr__",))) != before
    assert key(GallerySettings(capture_repr=("__repr__",), ignore_repr_types="Tensor")) != key(
        GallerySettings(capture_repr=("__repr__",))
    )
    (script.parent / "_card.png").write_bytes(b"png 2")
    assert key() != before
    assert job_settings(example, parsed, GallerySettings())["vendor_href"] == "../../_vendor/"


def test_the_key_covers_the_settings_that_reach_scripts(inputs: keys.KeyInputs) -> None:
    def with_environment(environ: dict[str, str]) -> keys.KeyInputs:  # as KeyInputs.current(environ)
        return dataclasses.replace(inputs, settings=environment.script_settings(environ))

    base = with_environment({})
    assert keys.KeyInputs.current({"GALLERY_BERT_MODEL": "x"}) == with_environment({"GALLERY_BERT_MODEL": "x"})
    for name, value in [
        ("GALLERY_BERT_MODEL", "bert-base-uncased"),
        ("GALLERY_DECODER_MODEL", "gpt2"),
        ("GALLERY_SOMETHING_NEW", "1"),  # a setting a new example introduces
        ("HF_HUB_OFFLINE", "0"),
        ("PYTHONHASHSEED", "1"),
        ("TRANSFORMERS_VERBOSITY", "info"),
    ]:
        assert key_for(with_environment({name: value})) != key_for(base), name
    # Build settings (and secrets, and paths whose content is fingerprinted) change nothing.
    for name in [*environment.BUILD_SETTINGS, "HF_TOKEN", "HF_HUB_CACHE", "HOME"]:
        assert key_for(with_environment({name: "x"})) == key_for(base), name


def test_settings_are_listed_in_one_place() -> None:
    """Every GALLERY_* variable the generator or the docs mention is a build or a script setting."""
    import re

    sources = [*(ROOT / "gallery_builder").glob("*.py"), *(ROOT / "gallery_src").rglob("*.py"), ROOT / "mkdocs.yml",
               ROOT / "CONTRIBUTING.md", *(ROOT / "docs").rglob("*.md")]
    mentioned = set()
    for path in sources:  # as a string, in code spans, in mkdocs.yml's !ENV [NAME, default]
        mentioned |= set(re.findall(r"""["'`\[](GALLERY_[A-Z_]*[A-Z])\b(?!\.)""", path.read_text()))  # not a file
    script_settings = {"GALLERY_BERT_MODEL", "GALLERY_DECODER_MODEL", "GALLERY_GEMMA_MODEL"}
    assert mentioned - set(environment.BUILD_SETTINGS) == script_settings
    assert script_settings <= set(environment.script_settings(dict.fromkeys(script_settings, "x")))


def test_the_generator_digest_covers_every_file_that_shapes_outputs(tmp_path: Path) -> None:
    package = tmp_path / "gallery_builder"
    shutil.copytree(keys.PACKAGE_DIR, package, ignore=shutil.ignore_patterns("__pycache__"))
    hashed = {p.relative_to(package).as_posix() for p in keys.generator_files(package)}
    # The layout that cached views link through, the worker, capture, views and their templates.
    for name in ("views/layout.py", "run/execute.py", "capture/capture.py", "views/standalone.py", "run/deps.py",
                 "run/record.py", "build.py", "sources/settings.py", "templates/view_frame.js",
                 "templates/view_frame.css"):
        assert name in hashed, name
    everything = {p.relative_to(package).as_posix() for p in package.rglob("*") if p.is_file()}
    folders = tuple(name for name in keys.NOT_OUTPUT_SHAPING if name.endswith("/"))
    excluded = {name for name in everything if name in keys.NOT_OUTPUT_SHAPING or name.startswith(folders)}
    assert hashed == everything - excluded and excluded
    before = keys.generator_digest(package)
    for name in sorted(everything):
        path = package / name
        original = path.read_bytes()
        path.write_bytes(original + b"\n")
        changed = keys.generator_digest(package) != before
        path.write_bytes(original)
        assert changed == (name in hashed), name


def worker_modules() -> set[str]:
    """Every gallery_builder module a worker can import, as a path in the package ("run/execute.py"):
    the closure of the worker's entry point (run/execute.py) and the forkserver's preload
    (run/warmup.py) under relative and absolute imports, at module level or inside functions."""
    import ast

    def module_file(dotted: str) -> str | None:
        """"capture.capture" -> "capture/capture.py"; a package -> its __init__.py."""
        base = keys.PACKAGE_DIR.joinpath(*dotted.split(".")) if dotted else keys.PACKAGE_DIR
        for candidate in (base.with_suffix(".py"), base / "__init__.py"):
            if dotted and candidate.is_file():
                return candidate.relative_to(keys.PACKAGE_DIR).as_posix()
        return None

    def imports(name: str) -> set[str]:
        package = name.rsplit("/", 1)[0].replace("/", ".") if "/" in name else ""
        tree = ast.parse((keys.PACKAGE_DIR / name).read_text())
        targets: set[str] = set()
        for node in ast.walk(tree):
            if isinstance(node, ast.ImportFrom) and node.level:
                parts = package.split(".") if package else []
                base = ".".join(parts[: len(parts) - (node.level - 1)])
                module = ".".join(p for p in (base, node.module or "") if p)
                targets |= {module} | {f"{module}.{alias.name}".strip(".") for alias in node.names}
            elif isinstance(node, ast.ImportFrom) and node.module and node.module.startswith("gallery_builder"):
                module = node.module.removeprefix("gallery_builder").lstrip(".")
                targets |= {module} | {f"{module}.{alias.name}".strip(".") for alias in node.names}
            elif isinstance(node, ast.Import):
                targets |= {a.name.removeprefix("gallery_builder.") for a in node.names
                            if a.name.startswith("gallery_builder.")}
        found = set()
        for target in targets:  # every package on the way is imported too
            parts = target.split(".")
            found |= {f for i in range(1, len(parts) + 1) if (f := module_file(".".join(parts[:i])))}
        return found

    seen: set[str] = set()
    todo = ["run/execute.py", "run/warmup.py"]
    while todo:
        name = todo.pop()
        if name not in seen:
            seen.add(name)
            todo += sorted(imports(name) - seen)
    return seen


def test_modules_left_out_of_the_digest_never_run_in_a_worker(tmp_path: Path) -> None:
    """The proof behind NOT_OUTPUT_SHAPING: a worker, which writes every cached file, cannot
    import those modules (and build.py, which makes the Jobs, is hashed)."""
    folders = tuple(name for name in keys.NOT_OUTPUT_SHAPING if name.endswith("/"))
    reachable = worker_modules()
    assert {"run/execute.py", "capture/capture.py", "views/standalone.py", "views/vendored.py", "run/deps.py",
            "run/record.py", "views/layout.py"} <= reachable
    assert {m for m in reachable if m in keys.NOT_OUTPUT_SHAPING or m.startswith(folders)} == set()
    assert "build.py" not in keys.NOT_OUTPUT_SHAPING
    # And in a real worker, after the imports a script's cell triggers.
    script = tmp_path / "modules.py"
    code = "import sys\n\nprint(sorted(m for m in sys.modules if m.startswith('gallery_builder')))\n"
    script.write_text(HEADER.format(title="Modules") + code)
    parsed = parse_script(script)
    job = Job(script, script.name, parsed.title, parsed.cells, tmp_path / "out", project_root=tmp_path, timeout=120)
    (outcome,) = run_all([job], 1)
    assert outcome.record is not None and outcome.failure is None
    loaded = {m.removeprefix("gallery_builder").lstrip(".") for m in eval(outcome.record.cells[0][0].text)}  # noqa: S307
    as_files = {keys.PACKAGE_DIR.joinpath(*m.split(".")) for m in loaded if m}
    as_files = {(f / "__init__.py" if f.is_dir() else f.with_suffix(".py")).relative_to(keys.PACKAGE_DIR).as_posix()
                for f in as_files}
    assert "run/execute.py" in as_files and as_files <= reachable


# -- what a run read --------------------------------------------------------------------------

@pytest.fixture
def cache(tmp_path: Path) -> ResultCache:
    return ResultCache(tmp_path / "cache", tmp_path / "project", tmp_path / "hub")


def fresh(cache: ResultCache) -> ResultCache:
    """The same cache as the next build sees it (no memory of this build's fingerprints)."""
    return ResultCache(cache.root, cache.fingerprints.project_root, cache.fingerprints.hf_cache)


def store(cache: ResultCache, deps: Dependencies) -> None:
    cache.store("k", cache.staging_dir(), RunRecord(cells=[], deps=deps))
    assert fresh(cache).lookup("k") is not None


def test_an_edited_data_file_invalidates_the_entry(cache: ResultCache) -> None:
    data = cache.fingerprints.project_root / "gallery_src" / "_numbers.txt"
    data.parent.mkdir(parents=True)
    data.write_text("1 2 3\n")
    store(cache, Dependencies(files={"gallery_src/_numbers.txt": ""}))
    data.write_text("1 2 3\n")  # rewritten, same content: still usable
    assert fresh(cache).lookup("k") is not None
    data.write_text("4 5 6\n")
    assert fresh(cache).lookup("k") is None


def test_a_file_that_appears_invalidates_the_entry(cache: ResultCache) -> None:
    """The script looked for an optional file that was missing; now it exists."""
    cache.fingerprints.project_root.mkdir()
    store(cache, Dependencies(files={"_optional.txt": "missing"}))
    (cache.fingerprints.project_root / "_optional.txt").write_text("here now")
    assert fresh(cache).lookup("k") is None


def test_a_file_edited_while_the_script_ran_invalidates_the_entry(cache: ResultCache) -> None:
    data = cache.fingerprints.project_root / "_numbers.txt"
    data.parent.mkdir(parents=True)
    data.write_text("old")
    seen = "3:1:1"  # the state the worker saw at the first read: not the file's state now
    cache.store("k", cache.staging_dir(), RunRecord(cells=[], deps=Dependencies(files={"_numbers.txt": seen})))
    entry = RunRecord.read(cache.entries / "k")
    assert entry is not None and entry.fingerprints["file:_numbers.txt"] == CHANGED
    assert fresh(cache).lookup("k") is None


def test_a_changed_folder_listing_invalidates_the_entry(cache: ResultCache) -> None:
    folder = cache.fingerprints.project_root / "data"
    folder.mkdir(parents=True)
    (folder / "a.txt").write_text("a")
    store(cache, Dependencies(folders={"data": ""}))
    (folder / "__pycache__").mkdir()  # not something a script globs for
    (folder / ".a.txt.swp").write_text("")  # an editor's file
    assert fresh(cache).lookup("k") is not None
    (folder / "b.txt").write_text("b")
    assert fresh(cache).lookup("k") is None


def make_snapshot(hub: Path, revision: str, files: dict[str, bytes]) -> Path:
    repo = hub / "models--org--model"
    snapshot = repo / "snapshots" / revision
    snapshot.mkdir(parents=True)
    for name, data in files.items():
        (snapshot / name).write_bytes(data)
    (repo / "refs").mkdir(exist_ok=True)
    (repo / "refs" / "main").write_text(revision)
    return snapshot


def test_a_moved_model_ref_invalidates_the_entry(cache: ResultCache) -> None:
    """An upgraded model package makes a new snapshot and points refs/main at it; the old
    snapshot stays in place, unchanged."""
    hub = cache.fingerprints.hf_cache
    make_snapshot(hub, "r1", {"config.json": b"{}"})
    store(cache, Dependencies(models=["models--org--model/snapshots/r1"]))
    make_snapshot(hub, "r2", {"config.json": b'{"new": 1}'})
    assert (hub / "models--org--model" / "snapshots" / "r1" / "config.json").read_bytes() == b"{}"
    assert fresh(cache).lookup("k") is None


def test_model_content_is_compared_not_only_names_sizes_and_times(cache: ResultCache) -> None:
    hub = cache.fingerprints.hf_cache
    big = os.urandom(1 << 20) + b"weights"  # large enough for the memo of content hashes
    snapshot = make_snapshot(hub, "r1", {"config.json": b'{"a": 1}', "model.safetensors": big})
    store(cache, Dependencies(models=["models--org--model/snapshots/r1"]))
    for name, data in (("config.json", b'{"a": 2}'), ("model.safetensors", big[:-7] + b"WEIGHTS")):
        path = snapshot / name
        info = path.stat()
        original = path.read_bytes()
        path.write_bytes(data)  # same size ...
        os.utime(path, ns=(info.st_atime_ns, info.st_mtime_ns))  # ... same modification time
        assert fresh(cache).lookup("k") is None, name
        path.write_bytes(original)
        assert fresh(cache).lookup("k") is not None, name


def test_model_files_are_followed_through_links(cache: ResultCache, tmp_path: Path) -> None:
    """The embedded BERT's snapshot links into its PyPI package: a package reinstalled in place
    with other files changes the snapshot's fingerprint."""
    package = tmp_path / "site-packages" / "model"
    (package / "1_Pooling").mkdir(parents=True)
    (package / "config.json").write_text("{}")
    (package / "1_Pooling" / "config.json").write_text('{"pooling": "mean"}')
    snapshot = make_snapshot(cache.fingerprints.hf_cache, "r1", {})
    for item in package.iterdir():
        (snapshot / item.name).symlink_to(item, target_is_directory=item.is_dir())
    store(cache, Dependencies(models=["models--org--model/snapshots/r1"]))
    (package / "1_Pooling" / "config.json").write_text('{"pooling": "cls"}')
    assert fresh(cache).lookup("k") is None


# -- a build, end to end ----------------------------------------------------------------------

def tiny_gallery(root: Path) -> Path:
    section = root / "gallery_src" / "01_s"
    (section / "data").mkdir(parents=True)
    (root / "gallery_src" / "README.md").write_text("# G\n\nG.\n")
    (section / "README.md").write_text("# S\n\nS.\n")
    (section / "_numbers.txt").write_text("1 2 3\n")
    (section / "_helper.py").write_text("WORD = 'helper'\n")
    (section / "data" / "a.txt").write_text("a\n")
    (section / "01_reads.py").write_text(
        HEADER.format(title="Reads")
        + "from pathlib import Path\n\nfrom _helper import WORD\n\n"
        + "numbers = Path('_numbers.txt').read_text().split()\nprint(WORD, sum(map(int, numbers)))\n"
        + "Path('scratch.txt').write_text('an output, not an input')\n"
    )
    (section / "02_lists.py").write_text(
        HEADER.format(title="Lists") + "import glob\n\nprint(sorted(glob.glob('data/*.txt')))\n"
    )
    (section / "03_plain.py").write_text(HEADER.format(title="Plain") + "print('plain')\n")
    return root


def build(root: Path, cache: Path) -> tuple[dict[str, bytes], tuple[int, int, int]]:
    options = dataclasses.replace(BuildOptions.for_project(root), cache_dir=cache)
    files, report = build_gallery(options, lambda message: None)
    assert not report.failures, [r.failure for r in report.failures]
    return files, (report.count("ran"), report.count("cached"), report.count("failed"))


def test_editing_what_a_script_reads_reruns_that_script_only(tmp_path: Path) -> None:
    root = tiny_gallery(tmp_path / "project")
    section = root / "gallery_src" / "01_s"
    cache = tmp_path / "cache"
    files, counts = build(root, cache)
    assert counts == (3, 0, 0)
    records = [r for r in map(RunRecord.read, (cache / "entries").iterdir()) if r is not None]
    reads = next(r for r in records if "gallery_src/01_s/_numbers.txt" in r.deps.files)
    assert "gallery_src/01_s/_helper.py" in reads.deps.files
    assert not any("scratch" in name or "__pycache__" in name for name in reads.deps.files)  # outputs
    lists = next(r for r in records if r.deps.folders)
    assert list(lists.deps.folders) == ["gallery_src/01_s/data"]
    reads_page = "gallery/s/reads/index.md"
    assert "helper 6" in files[reads_page].decode()

    assert build(root, cache)[1] == (0, 3, 0)
    (section / "_numbers.txt").write_text("1 2 3\n")  # same content, new modification time
    assert build(root, cache)[1] == (0, 3, 0)

    (section / "_numbers.txt").write_text("10 20 30\n")
    files, counts = build(root, cache)
    assert counts == (1, 2, 0) and "helper 60" in files[reads_page].decode()

    (section / "_helper.py").write_text("WORD = 'changed'\n")
    files, counts = build(root, cache)
    assert counts == (1, 2, 0) and "changed 60" in files[reads_page].decode()

    (section / "data" / "b.txt").write_text("b\n")
    files, counts = build(root, cache)
    assert counts == (1, 2, 0) and "data/b.txt" in files["gallery/s/lists/index.md"].decode()
