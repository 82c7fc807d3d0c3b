"""Static checks, configured in pyproject.toml: mypy --strict on gallery_builder/ and ruff's wide
rule set (pyflakes, pycodestyle, isort, bugbear, pyupgrade, simplify and more) on the code."""

from __future__ import annotations

import subprocess
import sys

from conftest import ROOT


def run(*command: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", *command], cwd=ROOT, capture_output=True, text=True, timeout=900)


def test_mypy_strict_passes() -> None:
    done = run("mypy")
    assert done.returncode == 0, done.stdout + done.stderr


def test_ruff_passes() -> None:
    done = run("ruff", "check", "--no-cache", ".")
    assert done.returncode == 0, done.stdout + done.stderr


def test_sub_packages_import_only_the_ones_below_them() -> None:
    """The generator's phases form layers: a module imports from its own sub-package or from one
    listed before its own in LAYERS, never from a later one (no back arrows, so no cycles)."""
    import ast

    layers = ["sources", "views", "capture", "run", "cache", "live", "page", ""]  # "": the entry points at the top
    package = ROOT / "gallery_builder"
    packages = {p.name for p in package.iterdir() if (p / "__init__.py").is_file()}
    assert packages == set(layers) - {""}, "a new sub-package needs its place in LAYERS"
    back_arrows = []
    for path in sorted(package.rglob("*.py")):
        own = path.parent.name if path.parent != package else ""
        for node in ast.walk(ast.parse(path.read_text())):
            if not isinstance(node, ast.ImportFrom):
                continue
            if node.level:
                start = [] if own == "" else [own]
                parts = [*start[: len(start) - (node.level - 1)], *(node.module or "").split(".")]
            elif (node.module or "").startswith("gallery_builder."):  # mkdocs_hooks.py, loaded as a file
                parts = (node.module or "").split(".")[1:]
            else:
                continue
            target = parts[0] if parts[0] in packages else own if node.level else ""
            if layers.index(target) > layers.index(own):
                back_arrows.append(f"{path.relative_to(ROOT)}:{node.lineno} imports from {target or 'the top'}")
    assert back_arrows == []


def test_no_generator_module_is_longer_than_a_newcomer_reads_at_once() -> None:
    lengths = {p.relative_to(ROOT).as_posix(): len(p.read_text().splitlines())
               for p in (ROOT / "gallery_builder").rglob("*.py")}
    assert {name: n for name, n in lengths.items() if n > 400} == {}


def test_gallery_code_fits_the_page() -> None:
    """Readers see the scripts' code on the page: formatted by ruff at gallery_src/ruff.toml's
    line length, and no line of a code cell longer than that (ruff splits neither strings nor
    comments), so no code block scrolls sideways. Prose cells are Markdown and may be longer."""
    import tomllib

    from gallery_builder.sources.parse import parse_script

    done = run("ruff", "format", "--check", "--no-cache", "gallery_src")
    assert done.returncode == 0, done.stdout + done.stderr
    limit = tomllib.loads((ROOT / "gallery_src" / "ruff.toml").read_text())["line-length"]
    long_lines = []
    for path in sorted((ROOT / "gallery_src").rglob("*.py")):
        if path.name.startswith("_"):
            code = [path.read_text()]
        else:
            code = [cell.source for cell in parse_script(path).cells if cell.kind == "code"]
        for source in code:
            long_lines += [f"{path.relative_to(ROOT)}: {line}" for line in source.splitlines() if len(line) > limit]
    assert long_lines == [], f"{len(long_lines)} code lines over {limit} characters:\n" + "\n".join(long_lines)
