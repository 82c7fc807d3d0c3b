"""Sharded builds: `build --shard I/N` runs a stable, balanced share; `merge` then a build runs 0."""

from __future__ import annotations

import dataclasses
import json
import os
import random
import re
import subprocess
import sys
from pathlib import Path

import pytest
from conftest import FIXTURE_GALLERY

from gallery_builder.build import build_gallery, build_shard
from gallery_builder.cache.shard import TIMES_FILE, Shard, assign, longest_first
from gallery_builder.cache.store import ResultCache
from gallery_builder.cli import export_entries
from gallery_builder.options import BuildOptions
from gallery_builder.page.render import file_bytes

SUMMARY = re.compile(r"^gallery: (\d+) ran, (\d+) cached, (\d+) failed in [\d.]+ s$", re.M)
HEADER = '"""\n# {title}\n\nAn example.\n"""\n\n# %%\n'


def test_shard_parsing() -> None:
    assert Shard.parse("2/3") == Shard(2, 3) and str(Shard.parse(" 1 / 2 ")) == "1/2"
    for bad in ("0/2", "3/2", "1", "a/b", "1/0"):
        with pytest.raises(ValueError):
            Shard.parse(bad)


def test_shares_are_complete_stable_and_balanced_by_run_times() -> None:
    names = [f"gallery_src/0{i // 10}_s/{i:02d}_x.py" for i in range(40)]
    rng = random.Random(0)
    seconds = {name: rng.uniform(0.5, 30) for name in names[:35]}  # five never timed
    shares = assign(names, seconds, 3)
    assert sorted(n for share in shares for n in share) == sorted(names)  # each script exactly once
    assert all(shares)
    shuffled = names[:]
    rng.shuffle(shuffled)
    assert assign(shuffled, dict(reversed(seconds.items())), 3) == shares  # no order dependence
    median = sorted(seconds.values())[17]
    loads = [sum(seconds.get(n, median) for n in share) for share in shares]
    assert max(loads) - min(loads) <= max(seconds.values())  # longest-first keeps them close
    # Run times decide: the one long script gets a shard to itself.
    assert assign(["a", "b", "c", "d"], {"a": 100, "b": 1, "c": 1, "d": 1}, 2) == [["a"], ["b", "c", "d"]]
    # Without any times, scripts are spread evenly by name.
    assert [len(s) for s in assign(names, {}, 3)] == [14, 13, 13]


def tiny_gallery(root: Path, count: int = 4) -> Path:
    section = root / "gallery_src" / "01_s"
    section.mkdir(parents=True)
    (root / "gallery_src" / "README.md").write_text("# G\n\nG.\n")
    (section / "README.md").write_text("# S\n\nS.\n")
    for i in range(1, count + 1):
        (section / f"0{i}_script.py").write_text(HEADER.format(title=f"Script {i}") + f"print('script {i}')\n")
    return root


def gallery_cli(root: Path, cache: Path, *args: str, **env: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "gallery_builder", *args, "--project", str(root)],
        env=dict(os.environ, GALLERY_CACHE=str(cache), **env), capture_output=True, text=True, timeout=600,
    )


def counts(stderr: str) -> tuple[int, ...]:
    found = SUMMARY.findall(stderr)
    assert len(found) == 1, stderr
    return tuple(int(n) for n in found[0])


def ran(stderr: str) -> set[str]:
    return set(re.findall(r"^gallery: \[\d+/\d+\] ran +(\S+)", stderr, re.M))


@pytest.mark.slow
def test_workers_take_the_longest_scripts_first() -> None:
    """Two workers, scripts of 6.6, 4.6, 4.4, 2.6 and 0.6 s in gallery order: taken in that
    order they finish after 11 s; longest first, after 9.6 s."""
    seconds = {"a.py": 4.6, "b.py": 6.6, "c.py": 2.6, "d.py": 4.4, "e.py": 0.6}
    assert longest_first(list(seconds), seconds) == ["b.py", "a.py", "d.py", "c.py", "e.py"]
    # A script never timed counts as the median of the known ones (here 4.4 s).
    assert longest_first(["new.py", *seconds], seconds) == ["b.py", "a.py", "d.py", "new.py", "c.py", "e.py"]
    assert longest_first(["z.py", "y.py"], {}) == ["y.py", "z.py"]  # nothing known: by name


def test_shards_one_after_another_then_merge_and_build_runs_nothing(tmp_path: Path) -> None:
    root = tiny_gallery(tmp_path / "project")
    cache, shipped = tmp_path / "cache", tmp_path / "shipped"
    first = gallery_cli(root, cache, "build", "--shard", "1/2", "--export", str(shipped))
    second = gallery_cli(root, cache, "build", "--shard", "2/2", "--export", str(shipped))
    assert first.returncode == 0 and second.returncode == 0, first.stderr + second.stderr
    assert "gallery: shard 1/2: 2 of 4 scripts" in first.stderr
    assert counts(first.stderr) == (2, 0, 0) and counts(second.stderr) == (2, 0, 0)
    # Together every script, each once: shard 2's share ignores what shard 1 put in the cache.
    assert len(ran(first.stderr) | ran(second.stderr)) == 4 and not ran(first.stderr) & ran(second.stderr)
    assert not (cache / TIMES_FILE).exists()  # shards leave the times that shares come from alone
    assert len(list((shipped / "entries").iterdir())) == 4

    merged = tmp_path / "merged"
    merge = gallery_cli(root, merged, "merge", str(shipped))
    assert merge.returncode == 0 and "merged 4 entries" in merge.stderr, merge.stderr
    full = gallery_cli(root, merged, "build", "--out", str(tmp_path / "out"), GALLERY_REQUIRE_CACHED="1")
    assert full.returncode == 0, full.stderr
    assert counts(full.stderr) == (0, 4, 0)
    timed = set(json.loads((merged / TIMES_FILE).read_text()))
    assert timed == {f"gallery_src/01_s/0{i}_script.py" for i in range(1, 5)}

    # With nothing cached, a build that may not run scripts fails instead of running them.
    empty = gallery_cli(root, tmp_path / "empty", "build", "--out", str(tmp_path / "o"), GALLERY_REQUIRE_CACHED="1")
    assert empty.returncode == 1 and counts(empty.stderr) == (0, 0, 4)
    assert "GALLERY_REQUIRE_CACHED" in empty.stderr


def fixture_options(cache: Path, **changes: object) -> BuildOptions:
    options = BuildOptions.for_project(FIXTURE_GALLERY.parent, FIXTURE_GALLERY)
    return dataclasses.replace(options, cache_dir=cache, **changes)  # type: ignore[arg-type]


@pytest.mark.slow
def test_two_shards_and_a_merge_build_the_same_site_as_one_build(tmp_path: Path, monkeypatch) -> None:
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "1764028800")
    quiet = lambda message: None  # noqa: E731
    one_files, one = build_gallery(fixture_options(tmp_path / "one"), quiet)
    assert one.count("ran") == 3 and not one.failures

    shipped = tmp_path / "shipped"
    shares = []
    for index in (1, 2):  # two runners, each with its own (empty) cache
        report = build_shard(fixture_options(tmp_path / f"runner-{index}"), Shard(index, 2), quiet)
        assert report.results and report.count("ran") == len(report.results) and not report.failures
        shares.append({r.display_path for r in report.results})
        export_entries([r.files_dir for r in report.results if r.files_dir], shipped)
    assert not shares[0] & shares[1] and len(shares[0] | shares[1]) == 3

    options = fixture_options(tmp_path / "merged", require_cached=True)
    store = ResultCache(options.cache_dir, options.project_root, options.hf_cache)
    assert len(store.merge_from(shipped)) == 3
    merged_files, merged = build_gallery(options, quiet)
    assert (merged.count("ran"), merged.count("cached"), merged.count("failed")) == (0, 3, 0)
    assert sorted(merged_files) == sorted(one_files)
    assert [name for name in one_files if file_bytes(one_files[name]) != file_bytes(merged_files[name])] == []
