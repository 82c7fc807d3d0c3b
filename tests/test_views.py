"""Unit tests for gallery_builder.views.standalone on real bertviz output from the embedded MiniLM.

The fragments are what bertviz 1.4.1 returns with html_action="return" (the runner's grouping of
the display() calls has the same shape), computed from the real all-MiniLM-L6-v2 attentions.
"""

from __future__ import annotations

import hashlib
import json
import os
import re
from html.parser import HTMLParser
from pathlib import Path, PurePosixPath

import pytest

os.environ.setdefault("HF_HUB_OFFLINE", "1")
os.environ.setdefault("HF_HUB_CACHE", str(Path(__file__).resolve().parent.parent / ".cache" / "huggingface" / "hub"))

from gallery_builder.views import (
    bertviz_fixups,  # noqa: E402
    standalone,  # noqa: E402
    vendored,  # noqa: E402
)

BERT_ID = "sentence-transformers/all-MiniLM-L6-v2"
SENTENCE = "The quick brown fox jumps over the lazy dog."
VENDOR_HREF = "../../_vendor/"
# Hosts that serve JS libraries; written out here rather than taken from views/safety.CDN_HOSTS, so the
# test does not trust the code it checks.
CDN_PATTERN = re.compile(
    r"cdnjs|jsdelivr|unpkg\.com|googleapis\.com|code\.jquery\.com|cloudflare\.com|d3js\.org/d3\.v",
    re.IGNORECASE,
)
HOSTILE_TOKENS = [
    "[CLS]",
    "</script><img src=x onerror=window.__pwned=1>",
    "<!--",
    "<script>window.__pwned=2</script>",
    "a&amp;b & c",
    "\"double\" 'single'",
    "</SCRIPT >",
    "\u2028line\u2029sep",
    "[SEP]",
]


# --------------------------------------------------------------------------------------------
# Real bertviz fragments
# --------------------------------------------------------------------------------------------

@pytest.fixture(scope="module")
def minilm():
    torch = pytest.importorskip("torch")
    transformers = pytest.importorskip("transformers")
    tokenizer = transformers.AutoTokenizer.from_pretrained(BERT_ID)
    model = transformers.AutoModel.from_pretrained(BERT_ID, output_attentions=True)
    model.eval()

    def run(text, text_b=None):
        encoded = tokenizer(text, text_b, return_tensors="pt")
        with torch.no_grad():
            attentions = model(**encoded).attentions
        tokens = tokenizer.convert_ids_to_tokens(encoded["input_ids"][0])
        return attentions, tokens, encoded

    return run


@pytest.fixture(scope="module")
def head_fragment(minilm) -> str:
    from bertviz import head_view

    attentions, tokens, _ = minilm(SENTENCE)
    assert len(attentions) == 6 and attentions[0].shape[1] == 12 and len(tokens) == 12
    return head_view(attentions, tokens, html_action="return").data


@pytest.fixture(scope="module")
def model_fragment(minilm) -> str:
    from bertviz import model_view

    attentions, tokens, _ = minilm(SENTENCE)
    return model_view(attentions, tokens, html_action="return").data


@pytest.fixture(scope="module")
def neuron_fragment() -> str:
    """bertviz's neuron view needs its own BERT classes; they load the embedded MiniLM's
    safetensors through `state_dict=`, with no pytorch_model.bin on disk."""
    safetensors_torch = pytest.importorskip("safetensors.torch")
    from bertviz import neuron_view
    from bertviz.transformers_neuron_view import BertConfig, BertModel, BertTokenizer
    from huggingface_hub import snapshot_download

    folder = Path(snapshot_download(BERT_ID))
    weights = folder / "model.safetensors"
    model, info = BertModel.from_pretrained(
        str(weights),
        config=BertConfig.from_json_file(str(folder / "config.json")),
        state_dict=safetensors_torch.load_file(str(weights)),
        output_loading_info=True,
    )
    assert info["missing_keys"] == []
    tokenizer = BertTokenizer.from_pretrained(str(folder))
    return neuron_view.show(model, "bert", tokenizer, SENTENCE, html_action="return").data


@pytest.fixture(scope="module")
def hostile_fragment(minilm) -> str:
    """Real attention for a 9-token input, shown with token strings that try to break out."""
    from bertviz import head_view

    attentions, tokens, _ = minilm("one two three four five six seven")
    assert len(tokens) == len(HOSTILE_TOKENS)
    return head_view(attentions, HOSTILE_TOKENS, html_action="return").data


def view(fragment: str, **kwargs) -> str:
    args = {"title": "A view", "vendor_href": VENDOR_HREF, "view_id": "view-1", **kwargs}
    return standalone.standalone_view(fragment, **args)


class Tags(HTMLParser):
    """What a browser's tokenizer sees: start tags, and the text of each <script>."""

    def __init__(self, text: str):
        super().__init__(convert_charrefs=True)
        self.tags: list[tuple[str, dict]] = []
        self.scripts: list[str] = []
        self._in_script = False
        self.feed(text)
        self.close()

    def handle_starttag(self, tag, attrs):
        self.tags.append((tag, dict(attrs)))
        if tag == "script":
            self._in_script = True
            self.scripts.append("")

    def handle_endtag(self, tag):
        if tag == "script":
            self._in_script = False

    def handle_data(self, data):
        if self._in_script:
            self.scripts[-1] += data

    def named(self, name: str) -> list[dict]:
        return [attrs for tag, attrs in self.tags if tag == name]


def params_span(document: str) -> tuple[int, int]:
    """Where the params object a view passes to bertviz (via window.galleryView.params) is."""
    start = document.index("window.galleryView.params(") + len("window.galleryView.params(")
    _, end = json.JSONDecoder().raw_decode(document, start)
    return start, end


def params_of(document: str):
    start, end = params_span(document)
    return json.loads(document[start:end])


def original_params(fragment: str):
    match = re.search(r"(?:const params|window\.bertviz_params) = ", fragment)
    params, _ = json.JSONDecoder().raw_decode(fragment, match.end())
    return params


def floats(value):
    if isinstance(value, float):
        yield value
    elif isinstance(value, list):
        for item in value:
            yield from floats(item)
    elif isinstance(value, dict):
        for item in value.values():
            yield from floats(item)


def significant_digits(x: float) -> int:
    """Digits in the shortest repr of x: 0.1235 -> 4, 1.2e-05 -> 2, 0.28565317392349243 -> 17."""
    mantissa = repr(abs(x)).split("e")[0].replace(".", "")
    return len(mantissa.strip("0"))


# --------------------------------------------------------------------------------------------
# Vendored libraries
# --------------------------------------------------------------------------------------------

def test_vendor_files_are_the_pinned_npm_builds_with_licences():
    readme = (vendored.VENDOR_SOURCE_DIR / "README.md").read_text()
    for lib in vendored.VENDORED_LIBRARIES:
        data = vendored.vendor_files()[lib.file]
        assert hashlib.sha256(data).hexdigest() == lib.sha256
        assert hashlib.sha256((vendored.VENDOR_SOURCE_DIR / lib.file).read_bytes()).hexdigest() == lib.sha256
        licence = vendored.vendor_files()[lib.license_file].decode()
        marker = "Redistribution and use" if lib.spdx == "BSD-3-Clause" else "Permission is hereby granted"
        assert marker in licence, lib.license_file
        # README names the file, the npm package and version, the licence and the hash.
        for needle in (lib.file, lib.npm, lib.license_file, lib.spdx, lib.sha256):
            assert needle in readme, needle
    names = {name for lib in vendored.VENDORED_LIBRARIES for name in (lib.file, lib.license_file)}
    assert set(vendored.vendor_files()) == names
    assert b"d3js.org v5.7.0" in vendored.vendor_files()["d3-5.7.0.min.js"][:200]
    assert b"jQuery v2.2.4" in vendored.vendor_files()["jquery-2.2.4.min.js"][:200]
    assert b"RequireJS 2.3.6" in vendored.vendor_files()["require-2.3.6.js"][:300]


def test_vendor_files_contain_no_cdn_url():
    for name, data in vendored.vendor_files().items():
        assert not CDN_PATTERN.search(data.decode("utf-8", "replace")), name


# --------------------------------------------------------------------------------------------
# The document
# --------------------------------------------------------------------------------------------

@pytest.mark.parametrize("which", ["head", "model", "neuron"])
def test_views_are_complete_documents(which, request):
    fragment = request.getfixturevalue(f"{which}_fragment")
    document = view(fragment)
    assert document.startswith("<!doctype html>\n")
    head = document[: document.index("</head>")]
    assert '<meta charset="utf-8">' in head
    assert head.index('<meta charset="utf-8">') < head.index("<title>")
    assert "Content-Security-Policy" in head
    assert document.rstrip().endswith("</html>")
    parsed = Tags(document)
    assert [t for t, _ in parsed.tags[:2]] == ["html", "head"]
    assert parsed.named("html")[0]["data-gv-kind"] == f"bertviz-{which}"


@pytest.mark.parametrize("which", ["head", "model", "neuron"])
def test_no_cdn_url_and_libraries_point_at_vendored_files(which, request):
    fragment = request.getfixturevalue(f"{which}_fragment")
    assert CDN_PATTERN.search(fragment)  # bertviz's own output does load from the CDN
    document = view(fragment)
    assert not CDN_PATTERN.search(document)
    assert not re.search(r"""(?:src|href)\s*=\s*["']?(?:https?:)?//""", document)

    view_dir = PurePosixPath("gallery/section/example")
    vendor_dir = PurePosixPath("gallery/_vendor")

    def resolves_to_vendor(url: str) -> str:
        parts = []
        for part in (view_dir / url).parts:
            if part == "..":
                parts.pop()
            else:
                parts.append(part)
        target = PurePosixPath(*parts)
        assert target.parent == vendor_dir, url
        return target.name

    parsed = Tags(document)
    sources = [attrs["src"] for attrs in parsed.named("script") if "src" in attrs]
    assert [resolves_to_vendor(s) for s in sources] == ["require-2.3.6.js"]
    paths = re.search(r"require\.config\(\{\s*paths:\s*\{(.*?)\}", document, re.S).group(1)
    modules = dict(re.findall(r"(\w+):\s*'([^']*)'", paths))
    assert {k: resolves_to_vendor(v) + ".js" for k, v in modules.items()} == {
        "d3": "d3-5.7.0.min.js",
        "jquery": "jquery-2.2.4.min.js",
    }
    for name in ("d3-5.7.0.min.js", "jquery-2.2.4.min.js", "require-2.3.6.js"):
        assert name in vendored.vendor_files()


def test_output_is_deterministic_and_free_of_bertviz_uuids(minilm):
    from bertviz import head_view

    attentions, tokens, _ = minilm(SENTENCE)
    first = head_view(attentions, tokens, html_action="return").data
    second = head_view(attentions, tokens, html_action="return").data
    assert first != second  # bertviz puts a fresh uuid in every call
    a, b = view(first), view(second)
    assert a == b == view(first)
    assert not re.search(r"[0-9a-f]{32}", a)
    assert 'id="bertviz-view-1"' in a
    assert params_of(a)["root_div_id"] == "bertviz-view-1"
    assert view(first, view_id="view-2") != a


def test_view_id_is_sanitised(head_fragment):
    document = view(head_fragment, view_id='x" onload="alert(1)')
    assert 'onload="' not in document
    assert params_of(document)["root_div_id"] == "bertviz-x-onload-alert-1"


# --------------------------------------------------------------------------------------------
# Page weight
# --------------------------------------------------------------------------------------------

def test_head_view_of_minilm_is_rounded_below_300_kb(head_fragment):
    before = len(head_fragment.encode())
    document = view(head_fragment)
    after = len(document.encode())
    assert before > 300_000  # the measurement means something: unrounded, it is over budget
    assert after <= 300_000, after

    original, rounded = original_params(head_fragment), params_of(document)
    old, new = list(floats(original)), list(floats(rounded))
    assert len(old) == len(new) == 6 * 12 * 12 * 12
    assert max(significant_digits(x) for x in new) <= 4
    assert max(significant_digits(x) for x in old) > 6
    for x, y in zip(old, new, strict=True):
        assert abs(x - y) <= abs(x) * 5e-4 + 1e-12
    # The structure (tokens, layers, names) survives unchanged.
    assert rounded["attention"][0]["left_text"] == original["attention"][0]["left_text"]
    assert rounded["include_layers"] == original["include_layers"]


def test_bertviz_comment_copy_of_the_params_is_dropped(head_fragment):
    # bertviz writes its params twice: once as code, once inside the "// HACK: PYTHON_PARAMS" comment.
    assert head_fragment.count('{"attention":') == 2
    document = view(head_fragment)
    assert document.count('{"attention":') == 1
    assert "// HACK: PYTHON_PARAMS is a template marker" in document


def test_model_view_is_rounded_and_follows_the_page_scheme(model_fragment):
    document = view(model_fragment)
    assert len(document.encode()) < len(model_fragment.encode()) / 3
    params = params_of(document)
    assert params["display_mode"] in ("light", "dark")
    assert max(significant_digits(x) for x in floats(params)) <= 4
    # display_mode is replaced in the browser, from the page's scheme, before bertviz reads it.
    assert "const params = window.galleryView.params({" in document
    assert "params: function (params)" in document


def test_neuron_view_is_rounded(neuron_fragment):
    before = len(neuron_fragment.encode())
    document = view(neuron_fragment)
    after = len(document.encode())
    assert after < before / 2.5, (before, after)
    params = params_of(document)
    values = list(floats(params))
    assert len(values) > 50_000
    assert max(significant_digits(x) for x in values) <= 3
    assert "window.bertviz_params = window.galleryView.params({" in document
    assert params["attention"]["all"]["left_text"] == original_params(neuron_fragment)["attention"]["all"]["left_text"]


# --------------------------------------------------------------------------------------------
# bertviz fix-ups: colours from the page (window.galleryView, templates/view_frame.js)
# --------------------------------------------------------------------------------------------

HEAD_FIXUPS = (
    "window.galleryView.headColors(d3, params)",
    "return window.galleryView.lineOpacity(d / activeHeads())",
    "window.galleryView.inactiveColor(headColors(i), lighten)",
    "renderVis(); window.galleryView.redraw(renderVis);",
)
PALETTE_FIXUP = "const PALETTE = window.galleryView.palette({"


def test_every_bertviz_fixup_finds_its_code_in_the_pinned_bertviz(head_fragment, model_fragment, neuron_fragment):
    """Each rewrite matches exactly once in the views it is for: a bertviz upgrade that moves
    the code fails here, instead of silently bringing back black backgrounds or faint lines."""
    fragments = {"bertviz-head": head_fragment, "bertviz-model": model_fragment, "bertviz-neuron": neuron_fragment}
    for kinds, pattern, _ in bertviz_fixups.FIXUPS:
        for kind in kinds:
            assert len(pattern.findall(fragments[kind])) == 1, (kind, pattern.pattern)


def test_head_view_takes_colours_and_opacity_from_the_page(head_fragment):
    document = view(head_fragment)
    for call in HEAD_FIXUPS:
        assert document.count(call) == 1, call
    assert "d3.scaleOrdinal(d3.schemeCategory10)" not in document
    assert PALETTE_FIXUP not in document
    for name in ("headColors: function", "lineOpacity: function", "inactiveColor: function", "redraw: function"):
        assert name in document  # defined by the frame script in the document's head


def test_model_and_neuron_views_take_the_page_background(model_fragment, neuron_fragment):
    for fragment in (model_fragment, neuron_fragment):
        document = view(fragment)
        assert document.count(PALETTE_FIXUP) == 1
        assert "palette: function" in document
        assert not any(call in document for call in HEAD_FIXUPS)


# --------------------------------------------------------------------------------------------
# Hostile text
# --------------------------------------------------------------------------------------------

def test_hostile_tokens_cannot_leave_the_script(hostile_fragment):
    # As bertviz writes it, the token text ends the script and injects an <img>.
    raw = Tags(hostile_fragment)
    assert raw.named("img"), "the fixture should be hostile"

    document = view(hostile_fragment)
    parsed = Tags(document)
    assert parsed.named("img") == []
    benign = Tags(view(head_fragment_like(hostile_fragment)))
    assert len(parsed.named("script")) == len(benign.named("script")) == 3
    assert all("</script" not in s.lower() and "<!--" not in s for s in parsed.scripts)
    # The data still says exactly what the tokenizer said.
    params = params_of(document)
    assert params["attention"][0]["left_text"] == HOSTILE_TOKENS
    assert params["attention"][0]["right_text"] == HOSTILE_TOKENS
    start, end = params_span(document)
    assert not set("<>&") & set(document[start:end])


def head_fragment_like(fragment: str) -> str:
    """The same fragment with harmless token text (same number of scripts expected)."""
    out = fragment
    for i, token in enumerate(HOSTILE_TOKENS):
        out = out.replace(json.dumps(token), json.dumps(f"token{i}"))
    return out


def test_title_is_escaped(head_fragment):
    title = '</title><script>alert(1)</script> & "quotes"'
    document = view(head_fragment, title=title)
    assert "<title>&lt;/title&gt;&lt;script&gt;alert(1)&lt;/script&gt; &amp; &quot;quotes&quot;</title>" in document
    assert len(Tags(document).named("script")) == len(Tags(view(head_fragment)).named("script"))


def test_script_content_is_escaped_for_html():
    fragment = '<div id="x"></div><script>var s = "</div>", t = "<!-- x";</script>'
    document = view(fragment)
    assert 'var s = "<\\/div>", t = "\\x3C!-- x";' in document


# --------------------------------------------------------------------------------------------
# Any _repr_html_
# --------------------------------------------------------------------------------------------

def test_pandas_styler_gets_the_same_standalone_treatment():
    pd = pytest.importorskip("pandas")
    pytest.importorskip("jinja2")
    frame = pd.DataFrame({"token": ["[CLS]", "<b>", "fox"], "weight": [0.25, 0.5, 0.125]})
    fragment = frame.style.format(precision=2, escape="html").set_uuid("tokens")._repr_html_()
    document = view(fragment, title="Styler")
    assert document.startswith("<!doctype html>")
    assert '<meta charset="utf-8">' in document
    parsed = Tags(document)
    assert parsed.named("html")[0]["data-gv-kind"] == "html"
    assert len(parsed.named("table")) == 1
    sources = [attrs.get("src") for attrs in parsed.named("script")]
    assert sources == [None]  # only the frame script: no require.js for HTML that does not use it
    assert "window.galleryView" in parsed.scripts[0]
    assert "&lt;b&gt;" in document


def test_custom_html_with_a_require_call_gets_the_vendored_loader():
    fragment = "<div id='v'></div><script>require(['d3'], function (d3) {});</script>"
    document = view(fragment)
    sources = [a["src"] for a in Tags(document).named("script") if "src" in a]
    assert sources == [VENDOR_HREF + "require-2.3.6.js"]


@pytest.mark.parametrize(
    "fragment",
    [
        '<script src="https://cdn.plot.ly/plotly-2.35.2.min.js"></script>',
        '<script src="https://example.org/widget.js"></script>',
        '<link rel="stylesheet" href="https://fonts.googleapis.com/css?family=Roboto">',
        '<img src="https://example.org/picture.png">',
        '<div style="background: url(https://example.org/bg.png)"></div>',
        "<script>require.config({paths: {d3: 'https://cdn.jsdelivr.net/npm/d3@7/dist/d3.min'}});</script>",
        "<script>require.config({paths: {x: 'https://unpkg.com/some-lib@1.0.0/dist/x'}});</script>",
    ],
)
def test_remote_resources_that_are_not_vendored_are_refused(fragment):
    with pytest.raises(standalone.ViewError):
        view(fragment)


def test_plain_links_to_other_sites_are_fine():
    document = view('<p>See <a href="https://github.com/jessevig/bertviz">bertviz</a>.</p>')
    assert 'href="https://github.com/jessevig/bertviz"' in document


def test_other_cdn_spellings_of_the_same_libraries_are_vendored():
    fragment = (
        '<script src="https://cdn.jsdelivr.net/npm/requirejs@2.3.7/require.min.js"></script>'
        "<script>require.config({paths: {d3: '//unpkg.com/d3@5.16.0/dist/d3.min', "
        "jquery: 'https://code.jquery.com/jquery-2.1.4.min'}});</script>"
    )
    document = view(fragment)
    assert not CDN_PATTERN.search(document)
    assert f"d3: '{VENDOR_HREF}d3-5.7.0.min'" in document
    assert f"jquery: '{VENDOR_HREF}jquery-2.2.4.min'" in document
    assert f'<script src="{VENDOR_HREF}require-2.3.6.js"></script>' in document


def test_vendor_href_must_be_relative(head_fragment):
    with pytest.raises(standalone.ViewError):
        view(head_fragment, vendor_href="https://cdnjs.cloudflare.com/ajax/libs/")
    assert view(head_fragment, vendor_href="../../_vendor") == view(head_fragment)


# --------------------------------------------------------------------------------------------
# iframe_tag
# --------------------------------------------------------------------------------------------

def test_iframe_tag_is_lazy_and_escaped():
    tag = standalone.iframe_tag("view-2.html", 'Attention "heads" <1> & more')
    parsed = Tags(tag)
    frames = parsed.named("iframe")
    assert len(frames) == 1
    frame = frames[0]
    assert frame["src"] == "view-2.html"
    assert frame["loading"] == "lazy"
    assert frame["title"] == 'Attention "heads" <1> & more'
    assert "gallery-view__frame" in frame["class"].split()
    assert "<1>" not in tag
    assert "\n\n" not in tag  # one Markdown raw-HTML block
    assert tag.startswith("<div")
