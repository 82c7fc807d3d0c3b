"""Shared set-up: offline by default, the project's model cache, helpers to build small galleries,
and the browser fixtures (Debian's chromium, the built sites, offline browser contexts)."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from browser_helpers import CHROMIUM_ARGS, OfflineContext, find_chromium, serve, write_showcase

ROOT = Path(__file__).resolve().parent.parent
FIXTURE_GALLERY = Path(__file__).parent / "fixture_gallery"

os.environ.setdefault("HF_HUB_OFFLINE", "1")
os.environ.setdefault("GALLERY_HF_CACHE", str(ROOT / ".cache" / "huggingface" / "hub"))
os.environ.setdefault("HF_HUB_CACHE", os.environ["GALLERY_HF_CACHE"])
os.environ.setdefault("NO_MKDOCS_2_WARNING", "true")
os.environ.setdefault("DISABLE_MKDOCS_2_WARNING", "true")


def make_project(target: Path, gallery: Path | None = None) -> Path:
    """A copy of the real site configuration around a gallery (the fixture one by default)."""
    target.mkdir(parents=True, exist_ok=True)
    shutil.copy(ROOT / "mkdocs.yml", target / "mkdocs.yml")
    shutil.copy(ROOT / "CONTRIBUTING.md", target / "CONTRIBUTING.md")
    shutil.copytree(ROOT / "docs", target / "docs")
    shutil.copytree(gallery or FIXTURE_GALLERY, target / "gallery_src")
    (target / "gallery_builder").symlink_to(ROOT / "gallery_builder")  # watched by mkdocs.yml
    return target


def mkdocs_build(project: Path, cache: Path, *extra: str, env: dict[str, str] | None = None):
    """Run the real `mkdocs build --strict` in `project`; return the completed process."""
    full_env = dict(os.environ, GALLERY_CACHE=str(cache), **(env or {}))
    return subprocess.run(
        [sys.executable, "-m", "mkdocs", "build", "--strict", *extra],
        cwd=project,
        env=full_env,
        capture_output=True,
        text=True,
        timeout=900,
    )


@pytest.fixture
def project(tmp_path: Path) -> Path:
    return make_project(tmp_path / "project")


# --------------------------------------------------------------------------------------------
# Browser fixtures (tests/test_browser.py, tests/test_reader.py): Debian's chromium through
# Playwright, the built sites served on 127.0.0.1, and browser contexts with no network.
# --------------------------------------------------------------------------------------------


@pytest.fixture(scope="session")
def chromium() -> str:
    path = find_chromium()
    if path is None:
        message = "Debian's chromium is not installed (`make test` installs it: apt-get install chromium)"
        if os.environ.get("CI", "").lower() not in ("", "0", "false", "no"):
            pytest.fail(message + "; under CI a missing browser is a failure")
        pytest.skip(message)
    return path


@pytest.fixture(scope="session")
def browser(chromium):
    playwright_api = pytest.importorskip("playwright.sync_api")
    with playwright_api.sync_playwright() as p:
        instance = p.chromium.launch(executable_path=chromium, args=CHROMIUM_ARGS)
        yield instance
        instance.close()


def _build_site(project: Path, dest: Path, env: dict | None = None) -> None:
    result = subprocess.run(
        [sys.executable, "-m", "mkdocs", "build", "--strict", "-d", str(dest)],
        check=False,
        cwd=project,
        env=dict(os.environ, **(env or {})),
        capture_output=True,
        text=True,
        timeout=1800,
    )
    if result.returncode != 0:
        pytest.fail(f"mkdocs build --strict failed in {project}:\n{result.stderr[-6000:]}")


@pytest.fixture(scope="session")
def real_site(tmp_path_factory, chromium) -> Path:
    """The project's site: $GALLERY_SITE_DIR if set (e.g. after `make site`), else built now."""
    given = os.environ.get("GALLERY_SITE_DIR")
    if given:
        site = Path(given)
        if not (site / "index.html").is_file():
            pytest.fail(f"GALLERY_SITE_DIR={given} holds no built site")
        return site
    site = tmp_path_factory.mktemp("real") / "site"
    _build_site(ROOT, site)
    return site


@pytest.fixture(scope="session")
def showcase_site(tmp_path_factory, chromium) -> Path:
    """A gallery with every kind of view (tests/browser_helpers.py), built with the real mkdocs.yml."""
    base = tmp_path_factory.mktemp("showcase")
    gallery = write_showcase(base / "gallery_src")
    project = make_project(base / "project", gallery)
    site = base / "site"
    _build_site(project, site, env={"GALLERY_CACHE": str(base / "cache")})
    return site


@pytest.fixture(scope="session")
def real_server(real_site):
    with serve(real_site) as base:
        yield base


@pytest.fixture(scope="session")
def showcase_server(showcase_site):
    with serve(showcase_site) as base:
        yield base


@pytest.fixture
def offline(browser):
    """Factory for offline contexts: `offline(base, color_scheme=..., viewport=...)`.
    Asserts at teardown that nothing tried to leave the machine."""
    made: list[OfflineContext] = []

    def make(base: str, **kwargs) -> OfflineContext:
        ctx = OfflineContext(browser, base, **kwargs)
        made.append(ctx)
        return ctx

    yield make
    for ctx in made:
        ctx.close()
    leaks = [url for ctx in made for url in ctx.blocked]
    assert leaks == [], f"requests tried to leave the machine: {leaks}"
