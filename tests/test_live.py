"""The reader's own text, in the real browser: the live head and model views run the exported
MiniLM with onnxruntime-web from the site's own files, offline, and match PyTorch.

Uses the real site (conftest.py's real_site: built once per session, or $GALLERY_SITE_DIR).
"""

from __future__ import annotations

import hashlib
import json
import os
from pathlib import Path

import pytest

pytestmark = [pytest.mark.browser, pytest.mark.slow]

HEAD_VIEW = "gallery/interactive/head-view/"
MODEL_VIEW = "gallery/interactive/model-view/"
HOSTILE = """</script><img src=x onerror="window.__pwned=1"> & "quotes" 'single' <b>bold</b>"""
# Accents, emoji, CJK, numbers, markup-like text, and one past the maximum length.
TOKENIZER_TEXTS = [
    "The quick brown fox jumps over the lazy dog.",
    "Café naïve émigré — déjà vu",
    "emoji 🙂👍🏽 and more",
    "中文字符和日本語のテキスト",
    "$1,234.56 and 3.14159 on 2026-11-25",
    HOSTILE,
    "a long sentence that keeps going " * 20,
]


def manifest(site: Path) -> dict:
    return json.loads((site / "gallery/_live/minilm/manifest.json").read_text())


def python_tokenizer(site: Path):
    from transformers import AutoTokenizer

    os.environ.setdefault("HF_HUB_OFFLINE", "1")
    return AutoTokenizer.from_pretrained(manifest(site)["hub_id"])


def test_the_published_model_is_in_checked_parts_under_25_mib(real_site) -> None:
    found = manifest(real_site)
    folder = real_site / "gallery/_live/minilm"
    joined = b""
    for part in found["parts"]:
        data = (folder / part["name"]).read_bytes()
        assert len(data) == part["bytes"] <= 25 * 2**20
        assert hashlib.sha256(data).hexdigest() == part["sha256"]
        joined += data
    assert hashlib.sha256(joined).hexdigest() == found["sha256"] and len(joined) <= 45 * 10**6
    assert found["parity"]["attention_max_abs"] <= found["parity"]["attention_tolerance"] <= 0.01
    assert (folder / "LICENSE.txt").read_text().count("Apache License") == 1


def _run(page, text: str) -> str:
    box = page.locator(".gallery-live").first
    box.locator("input").fill(text)
    box.locator("input").press("Enter")
    page.wait_for_function(
        "() => /^(Ran|Could not)/.test(document.querySelector('.gallery-live__status').textContent)",
        timeout=120_000,
    )
    return box.locator(".gallery-live__status").text_content()


def _frame_live(page) -> dict:
    frame = page.frame_locator("iframe").first.locator("html")
    frame.wait_for(timeout=30_000)
    handle = page.frames[1]
    handle.wait_for_function("() => window.galleryView && window.galleryView.live() !== null", timeout=30_000)
    return handle.evaluate("() => JSON.parse(window.name).galleryLive")


def test_head_view_draws_the_readers_sentence_as_pytorch_computes_it(offline, real_site, real_server) -> None:
    import torch
    from transformers import AutoModel

    ctx = offline(real_server)
    page = ctx.new_page()
    requested: list[str] = []
    page.on("request", lambda r: requested.append(r.url))
    page.goto(real_server + HEAD_VIEW, wait_until="load")
    assert not any("/_live/minilm/" in u or "onnxruntime" in u for u in requested), "downloaded before asked"
    sentence = "The cat sat on the mat because it was warm."
    status = _run(page, sentence)
    assert status.startswith("Ran in"), status
    live = _frame_live(page)
    tokenizer = python_tokenizer(real_site)
    encoded = tokenizer(sentence, return_tensors="pt")
    assert live["tokens"] == tokenizer.convert_ids_to_tokens(encoded["input_ids"][0])
    model = AutoModel.from_pretrained(manifest(real_site)["hub_id"], attn_implementation="eager").eval()
    with torch.no_grad():
        expected = torch.stack(model(**encoded, output_attentions=True).attentions)[:, 0]
    got = torch.tensor(live["attention"])
    tolerance = manifest(real_site)["parity"]["attention_tolerance"]
    assert got.shape == expected.shape and (got - expected).abs().max() <= tolerance
    drawn = page.frames[1].evaluate("() => [...document.querySelectorAll('svg text')].map(t => t.textContent)")
    assert "cat" in drawn and "warm" in drawn
    assert "#text=" in page.url
    assert ctx.errors == [], ctx.errors


def test_model_view_redraws_and_the_fragment_fills_the_box_without_running(offline, real_server) -> None:
    ctx = offline(real_server)
    page = ctx.new_page()
    requested: list[str] = []
    page.on("request", lambda r: requested.append(r.url))
    page.goto(real_server + MODEL_VIEW + "#text=" + "Rivers%20flow%20to%20the%20sea.", wait_until="load")
    page.wait_for_timeout(500)
    assert page.locator(".gallery-live input").input_value() == "Rivers flow to the sea."
    assert not any("/_live/minilm/" in u for u in requested), "a shared link ran the model"
    status = _run(page, "Rivers flow to the sea.")
    assert status.startswith("Ran in"), status
    assert _frame_live(page)["tokens"][1:4] == ["rivers", "flow", "to"]
    assert ctx.errors == [], ctx.errors


def test_hostile_text_stays_text_typed_or_linked(offline, real_server) -> None:
    from urllib.parse import quote

    ctx = offline(real_server)
    for how in ("typed", "linked"):
        page = ctx.new_page()
        suffix = "#text=" + quote(HOSTILE) if how == "linked" else ""
        page.goto(real_server + HEAD_VIEW + suffix, wait_until="load")
        images_before = page.evaluate("() => document.images.length")
        status = _run(page, HOSTILE)
        assert status.startswith("Ran in"), status
        live = _frame_live(page)
        frame = page.frames[1]
        assert "<" in live["tokens"] and "script" in live["tokens"]
        for where in (page, frame):
            assert where.evaluate("() => window.__pwned === undefined")
            assert where.evaluate("() => document.querySelector('img[src=\"x\"], b') === null")
        assert page.evaluate("() => document.images.length") == images_before
        page.close()
    assert ctx.errors == [], ctx.errors


def test_browser_tokenizer_equals_python(offline, real_site, real_server) -> None:
    ctx = offline(real_server)
    page = ctx.new_page()
    page.goto(real_server + HEAD_VIEW, wait_until="load")
    encoded = page.evaluate(
        """async (texts) => {
            const box = document.querySelector('.gallery-live');
            const core = await import(new URL('../../_live/js/live-core.mjs', location.href).href);
            const at = (href) => new URL(href, location.href);
            const urls = {live: at(box.dataset.live), vendor: at(box.dataset.vendor)};
            const model = await core.loadModel(urls, 'minilm', () => {});
            return texts.map(t => core.encode(model, t));
        }""",
        TOKENIZER_TEXTS,
    )
    tokenizer = python_tokenizer(real_site)
    limit = manifest(real_site)["max_tokens"]
    for text, got in zip(TOKENIZER_TEXTS, encoded, strict=True):
        expected = tokenizer(text, truncation=True, max_length=limit)["input_ids"]
        assert got["ids"] == expected, text
        assert got["tokens"] == tokenizer.convert_ids_to_tokens(expected), text
        assert got["truncated"] == (len(tokenizer(text)["input_ids"]) > limit)
    assert ctx.errors == [], ctx.errors


def test_live_box_fits_a_phone_and_runs_from_the_keyboard(offline, real_server) -> None:
    ctx = offline(real_server, viewport={"width": 390, "height": 844})
    page = ctx.new_page()
    page.goto(real_server + HEAD_VIEW, wait_until="load")
    page.locator(".gallery-live input").focus()
    page.keyboard.type("Short one.")
    page.keyboard.press("Enter")
    page.wait_for_function("() => document.querySelector('.gallery-live__status').textContent.startsWith('Ran')",
                           timeout=120_000)
    assert page.evaluate("() => document.documentElement.scrollWidth <= window.innerWidth")
    box = page.locator(".gallery-live").bounding_box()
    assert box is not None and box["width"] <= 390
    assert ctx.errors == [], ctx.errors


ONE_HEAD = "gallery/attention/one-head/"
LAYER_HEADS = "gallery/attention/all-heads-one-layer/"
PAIR_VIEW = "gallery/interactive/sentence-pair-head-view/"


def _heatmap_labels(page) -> list[list[str]]:
    return page.evaluate(
        """() => [...document.querySelectorAll('.gallery-live__heatmap')].map(
            svg => [...svg.querySelectorAll('text')].map(t => t.textContent))"""
    )


@pytest.mark.parametrize("path, heads", [(ONE_HEAD, 1), (LAYER_HEADS, 12)])
def test_figure_widgets_draw_the_readers_heatmaps(offline, real_site, real_server, path, heads) -> None:
    ctx = offline(real_server, viewport={"width": 390, "height": 844})
    page = ctx.new_page()
    page.goto(real_server + path, wait_until="load")
    # The box sits right under the page's first figure, and nothing is drawn before the reader asks.
    assert page.evaluate(
        "() => document.querySelector('.gallery-live').previousElementSibling.querySelector('img') !== null"
    )
    assert page.locator(".gallery-live__heatmap").count() == 0
    status = _run(page, "The cat sat on the mat.")
    assert status.startswith("Ran in"), status
    labels = _heatmap_labels(page)
    assert len(labels) == heads
    for texts in labels:
        # every token on both axes, both axis labels, the colour scale's label
        assert texts.count("cat") == 2 and texts.count("[CLS]") == 2
        assert "query token (attending)" in texts and "key token (attended to)" in texts
        assert "attention weight" in texts
    cells = page.evaluate("() => document.querySelector('.gallery-live__heatmap').querySelectorAll('rect').length")
    n = len(python_tokenizer(real_site)("The cat sat on the mat.")["input_ids"])
    assert cells >= n * n
    # readable on a phone: no label under 9 px, and the page itself never scrolls sideways
    sizes = page.evaluate(
        """() => [...document.querySelectorAll('.gallery-live__heatmap text')].map(
            t => parseFloat(getComputedStyle(t).fontSize))"""
    )
    assert min(sizes) >= 9
    assert page.evaluate("() => document.documentElement.scrollWidth <= window.innerWidth")
    # the layer picker redraws from the same run, without running the model again
    page.select_option(".gallery-live__pick select >> nth=0", "3")
    assert _heatmap_labels(page)[0][0].startswith("Layer 3")
    assert ctx.errors == [], ctx.errors


def test_figure_heatmap_follows_the_page_scheme(offline, real_server) -> None:
    ctx = offline(real_server)
    page = ctx.new_page()
    page.goto(real_server + ONE_HEAD, wait_until="load")
    _run(page, "Colours on both pages.")
    colours = []
    for scheme in ("default", "slate"):
        page.evaluate("(s) => document.body.setAttribute('data-md-color-scheme', s)", scheme)
        colours.append(page.evaluate(
            "() => getComputedStyle(document.querySelector('.gallery-live__heatmap text')).fill"))
    assert colours[0] != colours[1], colours  # dark text on the light page, light text on the dark one
    assert ctx.errors == [], ctx.errors


def test_sentence_pair_redraws_with_the_pythons_pair_encoding(offline, real_site, real_server) -> None:
    from urllib.parse import quote

    a, b = "The dog sleeps.", "It does not wake up & dream."
    ctx = offline(real_server)
    page = ctx.new_page()
    requested: list[str] = []
    page.on("request", lambda r: requested.append(r.url))
    page.goto(real_server + PAIR_VIEW + f"#text={quote(a)}&pair={quote(b)}", wait_until="load")
    page.wait_for_timeout(300)
    inputs = page.locator(".gallery-live input")
    assert inputs.count() == 2 and [inputs.nth(0).input_value(), inputs.nth(1).input_value()] == [a, b]
    assert not any("/_live/minilm/" in u for u in requested), "a shared link ran the model"
    inputs.nth(1).press("Enter")
    page.wait_for_function(
        "() => /^(Ran|Could not)/.test(document.querySelector('.gallery-live__status').textContent)",
        timeout=120_000,
    )
    live = _frame_live(page)
    tokenizer = python_tokenizer(real_site)
    encoded = tokenizer(a, b)
    tokens = tokenizer.convert_ids_to_tokens(encoded["input_ids"])
    assert live["tokens"] == tokens and live["bStart"] == encoded["token_type_ids"].index(1)
    drawn = page.frames[1].evaluate("() => [...document.querySelectorAll('svg text')].map(t => t.textContent)")
    assert "dog" in drawn and "dream" in drawn
    # bertviz's filter: All, A->A, B->B, A->B, B->A draw the reader's own halves on each side
    start = live["bStart"]
    halves = {"all": tokens, "a": tokens[:start], "b": tokens[start:]}
    for index, (left, right) in enumerate([("all", "all"), ("a", "a"), ("b", "b"), ("a", "b"), ("b", "a")]):
        page.frames[1].select_option("#filter", index=index)
        page.wait_for_timeout(100)
        drawn = page.frames[1].evaluate("() => [...document.querySelectorAll('svg text')].map(t => t.textContent)")
        assert drawn == halves[left] + halves[right], index
    assert ctx.errors == [], ctx.errors


def test_browser_pair_truncation_equals_python(offline, real_site, real_server) -> None:
    pairs = [("short one", "a much longer second sentence " * 12), ("word " * 50, "word " * 50),
             ("café 🙂 中文", "$1,234.56 <b>x</b>")]
    ctx = offline(real_server)
    page = ctx.new_page()
    page.goto(real_server + PAIR_VIEW, wait_until="load")
    encoded = page.evaluate(
        """async (pairs) => {
            const box = document.querySelector('.gallery-live');
            const core = await import(new URL('../../_live/js/live-core.mjs', location.href).href);
            const at = (href) => new URL(href, location.href);
            const model = await core.loadModel({live: at(box.dataset.live), vendor: at(box.dataset.vendor)},
                                               'minilm', () => {});
            return pairs.map(([a, b]) => core.encodePair(model, a, b));
        }""",
        pairs,
    )
    tokenizer = python_tokenizer(real_site)
    limit = manifest(real_site)["max_tokens"]
    for (a, b), got in zip(pairs, encoded, strict=True):
        expected = tokenizer(a, b, truncation=True, max_length=limit)
        assert got["ids"] == expected["input_ids"], (a, b)
        assert got["typeIds"] == expected["token_type_ids"], (a, b)
        assert got["truncated"] == (len(tokenizer(a, b)["input_ids"]) > limit)
    assert ctx.errors == [], ctx.errors


@pytest.mark.parametrize("path", [ONE_HEAD, LAYER_HEADS, PAIR_VIEW])
def test_hostile_text_stays_text_in_the_new_widgets(offline, real_server, path) -> None:
    from urllib.parse import quote

    ctx = offline(real_server)
    for how in ("typed", "linked"):
        page = ctx.new_page()
        suffix = f"#text={quote(HOSTILE)}&pair={quote(HOSTILE)}" if how == "linked" else ""
        page.goto(real_server + path + suffix, wait_until="load")
        images_before = page.evaluate("() => document.images.length")
        for input_ in page.locator(".gallery-live input").all():
            input_.fill(HOSTILE)
        page.locator(".gallery-live input").first.press("Enter")
        page.wait_for_function(
            "() => /^(Ran|Could not)/.test(document.querySelector('.gallery-live__status').textContent)",
            timeout=120_000,
        )
        assert page.locator(".gallery-live__status").text_content().startswith("Ran in")
        for where in page.frames:
            assert where.evaluate("() => window.__pwned === undefined")
            assert where.evaluate("() => document.querySelector('img[src=\"x\"], b') === null")
        assert page.evaluate("() => document.images.length") == images_before
        page.close()
    assert ctx.errors == [], ctx.errors
