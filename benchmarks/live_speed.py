"""Live-view benchmark: the in-browser models, measured in Debian's chromium from a local server.

The site is the one `make site` built (site/, or --site DIR; built with `mkdocs build --strict`
when missing). Every request outside the local server is refused, as in the browser tests.

MiniLM (`bench_minilm`), on the head view, in a fresh browser context (nothing cached):
- first run: from pressing Enter to the drawn result: download of onnxruntime-web, the tokenizer
  and the model's parts, the session's start and the first run (target <= FIRST_RUN_TARGET s);
- later runs of a 20-token sentence: the model's own run time, as the page reports it after each
  run (target <= LATER_RUN_TARGET s), and from Enter to the redrawn view.

Page weight (`page_bytes`): every live page's bytes before the reader asks (the page, its
assets and its views, as loaded), against the same page with the live box and its module
removed (target: within PAGE_BYTES_TARGET, 5%).

Targets are reported, not asserted. Timings taken on a shared machine vary; the median counts.
SmolLM2 (`bench_decoder`), on the decoder's your-prompt page, the same way: first run
(target <= 30 s), later runs of a 20-token prompt (target <= 2 s).

Usage: .venv/bin/python benchmarks/live_speed.py [--site DIR] [--runs N]  (part of `make bench`).
"""

from __future__ import annotations

import argparse
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

from build_speed import RESULTS, ROOT, build_env, progress

sys.path.insert(0, str(ROOT / "tests"))
from browser_helpers import CHROMIUM_ARGS, OfflineContext, find_chromium, serve  # noqa: E402

FIRST_RUN_TARGET = 5.0
LATER_RUN_TARGET = 0.3
PAGE_BYTES_TARGET = 0.05
HEAD_VIEW = "gallery/interactive/head-view/"
SENTENCE_20 = "The old lighthouse keeper watched the storm roll in slowly across the dark and restless bay tonight."
LIVE_BOX = re.compile(r'<div class="gallery-live".*?live-page\.mjs"></script>', re.S)
REDRAWN = """() => window.__benchOld === undefined && window.galleryView && window.galleryView.live()
    && document.querySelectorAll('svg text').length > 0"""
FINISHED = "() => /^(Ran|Could not)/.test(document.querySelector('.gallery-live__status').textContent)"


@dataclass
class Timing:
    what: str
    seconds: list[float]
    target: float

    @property
    def median(self) -> float:
        return statistics.median(self.seconds)


@dataclass
class PageWeight:
    page: str
    with_box: int
    without_box: int

    @property
    def ratio(self) -> float:
        return self.with_box / self.without_box - 1


def ensure_site(site: Path) -> Path:
    if not (site / "index.html").is_file():
        progress(f"no site in {site}: building it (mkdocs build --strict)")
        subprocess.run([sys.executable, "-m", "mkdocs", "build", "--strict", "--site-dir", str(site)],
                       cwd=ROOT, env=build_env(), check=True)
    return site


def _ran_ms(status: str) -> float:
    match = re.match(r"Ran in (\d+) ms on (\d+) tokens", status)
    if not match:
        raise RuntimeError(f"the live view did not run: {status}")
    return float(match.group(1))


def bench_minilm(browser, base: str, runs: int) -> list[Timing]:
    """MiniLM on the head view: first run with everything downloaded, then `runs` later runs."""
    ctx = OfflineContext(browser, base)
    page = ctx.new_page()
    page.goto(base + HEAD_VIEW, wait_until="load")
    box = page.locator(".gallery-live input")
    box.fill(SENTENCE_20)
    started = time.perf_counter()
    box.press("Enter")
    page.wait_for_function(FINISHED, timeout=300_000, polling=20)
    first = time.perf_counter() - started
    status = page.locator(".gallery-live__status").text_content() or ""
    tokens = int(re.search(r"on (\d+) tokens", status).group(1)) if "Ran in" in status else 0
    _ran_ms(status)
    model_ms, whole = [], []
    frame = page.frames[1]
    for _ in range(runs):
        page.evaluate("() => { document.querySelector('.gallery-live__status').textContent = ''; }")
        frame.evaluate("() => { window.__benchOld = true; }")  # gone once the frame has reloaded
        started = time.perf_counter()
        box.press("Enter")
        page.wait_for_function(FINISHED, timeout=60_000, polling=20)
        frame.wait_for_function(REDRAWN, timeout=60_000, polling=20)
        whole.append(time.perf_counter() - started)
        model_ms.append(_ran_ms(page.locator(".gallery-live__status").text_content() or "") / 1000)
    ctx.close()
    if ctx.blocked or ctx.errors:
        raise RuntimeError(f"requests outside the site: {ctx.blocked}; errors: {ctx.errors}")
    return [
        Timing("MiniLM: download + session + first run (s)", [first], FIRST_RUN_TARGET),
        Timing(f"MiniLM: later run, model only, {tokens} tokens (s)", model_ms, LATER_RUN_TARGET),
        Timing(f"MiniLM: later run, Enter to redrawn view, {tokens} tokens (s)", whole, LATER_RUN_TARGET),
    ]


DECODER_PAGE = "gallery/decoder/your-prompt/"
DECODER_FIRST_RUN_TARGET = 30.0
DECODER_LATER_RUN_TARGET = 2.0
PROMPT_20 = (  # 20 SmolLM2 tokens
    "In the small village by the sea, the old fisherman quietly told his young grandson that the best bait"
)


def bench_decoder(browser, base: str, runs: int) -> list[Timing]:
    """SmolLM2 on the your-prompt page: first run (download of about 115 MB, session, run), then
    `runs` later runs of a prompt of about 20 tokens, timed from Enter to the redrawn lens grid."""
    ctx = OfflineContext(browser, base)
    page = ctx.new_page()
    page.goto(base + DECODER_PAGE, wait_until="load")
    box = page.locator(".gallery-live__input")
    box.fill(PROMPT_20)
    started = time.perf_counter()
    box.press("Enter")
    page.wait_for_function(FINISHED, timeout=600_000, polling=20)
    first = time.perf_counter() - started
    status = page.locator(".gallery-live__status").text_content() or ""
    _ran_ms(status)
    tokens = int(re.search(r"on (\d+) tokens", status).group(1))
    model_ms, whole = [], []
    for _ in range(runs):
        page.evaluate("() => { document.querySelector('.gallery-live__status').textContent = '';"
                      " document.querySelector('.dp-lens').remove(); }")
        started = time.perf_counter()
        box.press("Enter")
        page.wait_for_function(FINISHED + " && document.querySelector('.dp-lens') !== null",
                               timeout=120_000, polling=20)
        whole.append(time.perf_counter() - started)
        model_ms.append(_ran_ms(page.locator(".gallery-live__status").text_content() or "") / 1000)
    ctx.close()
    if ctx.blocked or ctx.errors:
        raise RuntimeError(f"requests outside the site: {ctx.blocked}; errors: {ctx.errors}")
    return [
        Timing("SmolLM2: download + session + first run (s)", [first], DECODER_FIRST_RUN_TARGET),
        Timing(f"SmolLM2: later run, model only, {tokens} tokens (s)", model_ms, DECODER_LATER_RUN_TARGET),
        Timing(f"SmolLM2: later run, Enter to redrawn grid, {tokens} tokens (s)", whole,
               DECODER_LATER_RUN_TARGET),
    ]


def _loaded_bytes(browser, base: str, path: str) -> int:
    ctx = OfflineContext(browser, base)
    page = ctx.new_page()
    responses = []
    page.on("response", lambda response: responses.append(response))
    page.goto(base + path, wait_until="networkidle")
    total = sum(len(r.body()) for r in responses if r.ok)
    ctx.close()
    return total


def page_bytes(browser, site: Path) -> list[PageWeight]:
    """Each live page's bytes before the reader asks, with and without its live box."""
    weights = []
    pages = sorted(p for p in (site / "gallery").rglob("index.html") if 'class="gallery-live"' in p.read_text())
    with tempfile.TemporaryDirectory() as tmp:
        bare = Path(tmp) / "site"
        shutil.copytree(site, bare)
        for page in pages:
            copy = bare / page.relative_to(site)
            copy.write_text(LIVE_BOX.sub("", page.read_text()))
        with serve(site) as with_box, serve(bare) as without_box:
            for page in pages:
                path = page.parent.relative_to(site).as_posix() + "/"
                weights.append(PageWeight(path, _loaded_bytes(browser, with_box, path),
                                          _loaded_bytes(browser, without_box, path)))
    return weights


def report(timings: list[Timing], weights: list[PageWeight]) -> str:
    lines = ["| Measure | Median | Runs | Target |", "| --- | --- | --- | --- |"]
    for t in timings:
        verdict = "met" if t.median <= t.target else "missed"
        lines.append(f"| {t.what} | {t.median:.3f} | {len(t.seconds)} | <= {t.target} ({verdict}) |")
    lines += ["", "| Live page | Bytes before asking | Without the box | Difference |", "| --- | --- | --- | --- |"]
    for w in weights:
        verdict = "met" if w.ratio <= PAGE_BYTES_TARGET else "missed"
        lines.append(f"| {w.page} | {w.with_box:,} | {w.without_box:,} | {100 * w.ratio:+.2f}% ({verdict}) |")
    return "\n".join(lines) + "\n"


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--site", type=Path, default=ROOT / "site")
    parser.add_argument("--runs", type=int, default=5)
    args = parser.parse_args()
    from playwright.sync_api import sync_playwright

    site = ensure_site(args.site.resolve())
    chromium = find_chromium()
    if chromium is None:
        print("no chromium found (make browser installs Debian's)", file=sys.stderr)
        return 1
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=chromium, args=CHROMIUM_ARGS)
        progress("MiniLM on the head view")
        with serve(site) as base:
            timings = bench_minilm(browser, base, args.runs)
            progress("SmolLM2 on the your-prompt page")
            timings += bench_decoder(browser, base, args.runs)
        progress("live pages' bytes before the reader asks")
        weights = page_bytes(browser, site)
        browser.close()
    table = report(timings, weights)
    RESULTS.mkdir(parents=True, exist_ok=True)
    (RESULTS / "live_speed.md").write_text(table)
    print(table)
    return 0


if __name__ == "__main__":
    sys.exit(main())
