"""Scripts written for sphinx-gallery or mkdocs-gallery render unedited (issue 12).

Fast cases test each piece on its own; the slow one builds `tests/peer_gallery/` (scripts in the
peers' formats, written for these tests) with the settings a peer gallery needs.
"""

from __future__ import annotations

import re
import shutil
from pathlib import Path

import pytest

from gallery_builder.capture.capture import last_value_bundle
from gallery_builder.page.markdown import escape_prose, link_examples, plain_text
from gallery_builder.page.render import file_bytes
from gallery_builder.sources.headers import HeaderError, header_file, read_header
from gallery_builder.sources.parse import parse_script
from gallery_builder.sources.project import Gallery
from gallery_builder.sources.rest import rest_to_html
from gallery_builder.sources.settings import SettingsError, load_settings

PEER_GALLERY = Path(__file__).parent / "peer_gallery"
PEER_SETTINGS = """
[tool.gallery.sections."01_rest_section"]
filename_pattern = "/plot"
capture_repr = ["_repr_html_", "__repr__"]
expected_failures = ["more/plot_raise.py", "more/plot_syntaxerror.py"]
"""


# -- headers ---------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("name", "text", "title", "intro"),
    [
        ("README.md", "---\ntitle: x\n---\n\n# Title\n\nIntro.\n", "Title", "Intro."),
        ("README.md", "<!--\n  comment\n-->\n## Second level\n\nIntro.\n", "Second level", "Intro."),
        ("GALLERY_HEADER.md", "# Title\n", "Title", ""),
        ("GALLERY_HEADER.rst", ".. _label:\n\nTitle\n=====\n\nIntro.\n", "Title", "Intro."),
        ("README.rst", "=====\nTitle\n=====\n\nIntro.\n", "Title", "Intro."),
        ("README.txt", "Title\n-----\nIntro.\n", "Title", "Intro."),
    ],
)
def test_header_formats(tmp_path: Path, name: str, text: str, title: str, intro: str) -> None:
    (tmp_path / name).write_text(text)
    found = header_file(tmp_path)
    assert found is not None and found.name == name
    header = read_header(found)
    assert (header.title, header.intro) == (title, intro)
    assert header.markup == ("markdown" if name.endswith(".md") else "rst")


@pytest.mark.parametrize(
    ("name", "text", "line", "words"),
    [
        ("README.md", "---\ntitle: x\n", 1, "never closed"),
        ("README.md", "---\na: 1\nb: [unclosed\n---\n# T\n", 3, "not valid"),
        ("README.md", "Just text.\n", 1, "# Title"),
        ("README.rst", "Title\n===\n", 2, "shorter than the title"),
        ("README.txt", "No title here.\n", 1, "title underlined"),
    ],
)
def test_malformed_headers_name_file_and_line(tmp_path: Path, name: str, text: str, line: int, words: str) -> None:
    (tmp_path / name).write_text(text)
    with pytest.raises(HeaderError) as caught:
        read_header(tmp_path / name)
    assert caught.value.line == line and words in caught.value.message
    assert str(caught.value).startswith(f"{tmp_path / name}:{line}:")


def test_sub_galleries_and_a_broken_header_do_not_stop_loading() -> None:
    gallery = Gallery.load(PEER_GALLERY)
    by_dir = {s.url_dir: s for s in gallery.sections()}
    assert list(by_dir) == ["rest-section", "rest-section/more", "markdown-section", "broken-header"]
    assert by_dir["rest-section/more"].parent == by_dir["rest-section"]
    assert by_dir["rest-section"].title == "reST section" and by_dir["rest-section"].markup == "rst"
    assert by_dir["markdown-section"].title == "Markdown section"
    assert [e.line for e in gallery.header_errors()] == [2]
    example = next(e for e in gallery.examples() if e.path.name == "plot_raise.py")
    assert example.url_dir == "rest-section/more/raise"


# -- settings --------------------------------------------------------------------------------------


def test_settings_defaults_and_section_tables(tmp_path: Path) -> None:
    defaults = load_settings(tmp_path).for_section("01_x")  # no pyproject.toml: the project's defaults
    assert defaults.runs("01_x/anything.py") and not defaults.expects_failure("01_x/a.py")
    assert defaults.capture_repr is None and defaults.timeout is None
    (tmp_path / "pyproject.toml").write_text(PEER_SETTINGS + "\n[tool.gallery]\ntimeout = 60\n")
    settings = load_settings(tmp_path)
    section = settings.for_section("01_rest_section")
    sub = settings.for_section("01_rest_section/more")  # inherits its section's table
    assert section.runs("01_rest_section/plot_1.py") and not section.runs("01_rest_section/helper_module.py")
    assert sub.expects_failure("01_rest_section/more/plot_raise.py")
    assert sub.capture_repr == ("_repr_html_", "__repr__") and sub.timeout == 60
    assert settings.for_section("02_other").runs("02_other/helper.py")


@pytest.mark.parametrize(
    ("table", "words"),
    [
        ("[tool.gallery]\nfilename_patern = 'x'\n", "unknown setting 'filename_patern'"),
        ("[tool.gallery]\nfilename_pattern = '('\n", "not a valid regular expression"),
        ("[tool.gallery]\ncapture_repr = ['__html__']\n", "capture_repr"),
        ("[tool.gallery.sections.'a']\ntimeout = -1\n", "positive"),
    ],
)
def test_bad_settings_are_named(tmp_path: Path, table: str, words: str) -> None:
    (tmp_path / "pyproject.toml").write_text(table)
    with pytest.raises(SettingsError, match=r"pyproject\.toml") as caught:
        load_settings(tmp_path)
    assert words in str(caught.value)


# -- text cells ------------------------------------------------------------------------------------


def test_rest_is_rendered_by_docutils() -> None:
    html = rest_to_html(
        "Title\n=====\n\n:func:`numpy.sum`, :class:`~a.b.C`, :ref:`words <label>`, ``x < y``, :math:`a^2`.\n\n"
        ".. note::\n\n   A note.\n\n.. warning:: Careful.\n\n.. math::\n\n   e = mc^2\n\n"
        ".. currentmodule:: numpy\n\n.. raw:: html\n\n   <script>alert(1)</script>\n"
    )
    assert "<h2>Title</h2>" in html
    assert "<code>numpy.sum</code>" in html and "<code>C</code>" in html and "words" in html
    assert "<code>x &lt; y</code>" in html
    assert r"\(a^2\)" in html and "e = mc^2" in html and 'class="math"' in html
    assert 'class="note admonition"' in html and 'class="warning admonition"' in html
    assert "<script" not in html and "currentmodule" not in html


def test_markdown_escaping_keeps_code_and_math() -> None:
    assert escape_prose("a <b> ``x<y`` `z<w`") == "a &lt;b> ``x<y`` `z<w`"
    assert escape_prose("$a<b$ and $$c<d$$") == r"$a\lt b$ and $$c\lt d$$"
    assert escape_prose("costs $5 and $10 <i>") == "costs $5 and $10 &lt;i>"


def test_cards_carry_no_links() -> None:
    text = "See [the guide](../guide.md), <https://example.org>, :func:`f` and `words <https://x.org>`_."
    assert plain_text(text) == "See the guide, https://example.org, `f` and words."


def test_links_to_other_examples_point_at_their_pages(tmp_path: Path) -> None:
    pages = {tmp_path / "plot_a.py": "sec/a", tmp_path / "sub" / "plot_b.py": "sec/sub/b"}
    text = (
        "[B](./sub/plot_b.md#part), [script](sub/plot_b.py), `[B](./sub/plot_b.md)`, [x](other.md), [w](https://x.org)"
    )
    assert link_examples(text, tmp_path, "sec/a", pages) == (
        "[B](../../sec/sub/b/index.md#part), [script](../../sec/sub/b/plot_b.py), `[B](./sub/plot_b.md)`, "
        "[x](other.md), [w](https://x.org)"
    )


# -- script format ---------------------------------------------------------------------------------


def test_prefixes_and_the_blank_line_rule(tmp_path: Path) -> None:
    script = tmp_path / "plot_x.py"
    script.write_text(
        '"""\nTitle\n=====\n\nIntro.\n"""\n'
        '# mkdocs_gallery_thumbnail_number = 2\n# sphinx_gallery_multi_image = "single"\n'
        "\n# %%\n# Prose.\n\nx = 1\n\n# %%\n\n# a code comment\ny = 2\n"
        '# sphinx_gallery_multi_image_block = "multi"\n'
    )
    parsed = parse_script(script)
    assert parsed.settings == {"thumbnail_number": 2, "multi_image": "single"}
    assert parsed.markup == "rst"
    assert [(c.kind, c.source, c.multi_image) for c in parsed.cells] == [
        ("markdown", "Prose.", ""),
        ("code", "x = 1", ""),
        ("code", "# a code comment\ny = 2", "multi"),
    ]


class _Plain:
    def __repr__(self) -> str:
        return "<_Plain object at 0x7f3a2b1c0d90>"


class _Html(_Plain):
    def _repr_html_(self) -> str:
        return "<b>html</b>"


def test_capture_repr_follows_sphinx_gallery() -> None:
    rule = ("_repr_html_", "__repr__")
    assert last_value_bundle(None, _Html(), rule) == {"text/html": "<b>html</b>"}
    assert last_value_bundle(None, _Plain(), rule) == {"text/plain": "<_Plain object at 0x…>"}
    assert last_value_bundle(None, None, rule) is None  # its repr is "None"
    assert last_value_bundle(None, _Plain(), ("__repr__",), ignore_repr_types="_Plain") is None
    assert last_value_bundle(None, _Html(), ()) is None


def test_animation_player_is_offline_and_stable() -> None:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt
    from matplotlib.animation import FuncAnimation

    from gallery_builder.capture.animation import animations_in, offline_player

    def player() -> FuncAnimation:  # a new animation each time: matplotlib caches one's HTML
        fig, ax = plt.subplots(figsize=(2, 1.5), dpi=40)
        (line,) = ax.plot([0, 1], [0, 1])
        return FuncAnimation(fig, lambda i: (line.set_ydata([0, i]), line)[1:], frames=3)

    first_player, second_player = player(), player()
    assert animations_in({"player": first_player, "other": 1}) == [first_player]
    first, second = offline_player(first_player, 1), offline_player(second_player, 1)
    plt.close("all")
    assert first == second  # no random ids: two builds give the same page
    assert not re.search(r"[0-9a-f]{32}", first), "a uuid is left in the player"
    assert "http" not in first and "font-awesome" not in first and 'id="_anim_img1_' in first


# -- the whole peer-format gallery ------------------------------------------------------------------


@pytest.fixture(scope="module")
def peer_build(tmp_path_factory: pytest.TempPathFactory):
    from gallery_builder.build import build_gallery
    from gallery_builder.options import BuildOptions

    root = tmp_path_factory.mktemp("peer")
    shutil.copytree(PEER_GALLERY, root / "gallery_src")
    (root / "pyproject.toml").write_text(PEER_SETTINGS)
    options = BuildOptions.for_project(root)
    options = BuildOptions(
        project_root=options.project_root,
        source_dir=options.source_dir,
        cache_dir=root / "cache",
        hf_cache=Path(__file__).resolve().parent.parent / ".cache" / "huggingface" / "hub",
    )
    messages: list[str] = []
    files, report = build_gallery(options, messages.append)
    return files, report, messages


@pytest.mark.slow
def test_a_second_clean_build_draws_the_same_animation(peer_build, tmp_path: Path) -> None:
    """The animation's player (light and dark frames, element ids) is byte-identical from one clean
    build to the next: no uuid, no time stamp (the reproducible-build promise of test_determinism)."""
    from gallery_builder.build import build_gallery
    from gallery_builder.options import BuildOptions

    files, _, _ = peer_build
    shutil.copytree(PEER_GALLERY, tmp_path / "gallery_src")
    (tmp_path / "pyproject.toml").write_text(PEER_SETTINGS)
    options = BuildOptions.for_project(tmp_path)
    options = BuildOptions(project_root=options.project_root, source_dir=options.source_dir,
                           cache_dir=tmp_path / "cache", hf_cache=options.hf_cache)
    again, report = build_gallery(options, lambda message: None)
    assert all("4-animation" not in r.location for r in report.failures)
    name = "gallery/rest-section/4-animation/view-1.html"
    assert 'class="gv-only-dark"' in file_bytes(files[name]).decode()
    assert file_bytes(again[name]) == file_bytes(files[name])


def _page(files: dict[str, bytes], url_dir: str) -> str:
    return files[f"gallery/{url_dir}/index.md"].decode()


@pytest.mark.slow
def test_peer_gallery_builds(peer_build) -> None:
    files, report, messages = peer_build
    status = {r.example.path.name: r.status for r in report.results}
    assert status == {
        "helper_module.py": "shown",  # not /plot: code, not run (it raises if run)
        "plot_1_rest_text.py": "ran",
        "plot_2_two_figures.py": "ran",
        "plot_3_await.py": "ran",
        "plot_4_animation.py": "ran",
        "plot_raise.py": "ran",  # its failure is expected
        "plot_syntaxerror.py": "shown",
        "plot_math.py": "ran",
        "plot_linked.py": "ran",
        "plot_fine.py": "ran",
    }
    assert report.failures == []
    assert len(report.errors) == 1 and "03_broken_header/README.md:2" in report.errors[0]
    assert any("ERROR" in m and "README.md:2" in m for m in messages)

    index = files["gallery/index.md"].decode()
    assert "This gallery header could not be read: README.md, line 2" in index
    assert "### [More examples](rest-section/more/index.md)" in index
    assert "](../guide" not in index and "(https://arxiv.org" not in index  # cards: no links inside
    section = _page(files, "rest-section")
    assert 'class="note admonition"' in section and "## [More examples](more/index.md)" in section

    rest = _page(files, "rest-section/1-rest-text")
    assert "<h2>Section title in a cell</h2>" in rest and r"\(a^2 + b^2 = c^2\)" in rest
    assert "[<matplotlib.lines.Line2D object at 0x…>]" in rest  # capture_repr = sphinx-gallery's
    assert "```python\n# a comment after a blank line is code" in rest
    assert "line 199" in rest

    assert "42" in _page(files, "rest-section/3-await")
    two = _page(files, "rest-section/2-two-figures")
    assert two.count('<div class="gallery-multi-image">') == 1
    thumbs = file_bytes(files["gallery/rest-section/2-two-figures/thumb.png"])
    assert thumbs  # the second figure (mkdocs_gallery_thumbnail_number = 2)

    raised = _page(files, "rest-section/more/raise")
    assert '!!! quote "Expected error"' in raised and "line 14, in fail" in raised
    assert "execute.py" not in raised and "gallery_builder" not in raised
    syntax = _page(files, "rest-section/more/syntaxerror")
    assert syntax.startswith("# A syntax error") and "This script cannot be parsed" in syntax
    assert "Invalid Python code!" in syntax and "line 12" in syntax and "SyntaxError" in syntax

    animation = _page(files, "rest-section/4-animation")
    assert "view-1.html" in animation and "image-1.png" not in animation  # a player, not blank axes
    assert "gallery/rest-section/4-animation/thumb.png" in files
    player = file_bytes(files["gallery/rest-section/4-animation/view-1.html"]).decode()
    assert "https://" not in player and "_anim_img1_" in player

    linked = _page(files, "markdown-section/linked")  # underlined title, Markdown section: Markdown
    assert "**Markdown**" in linked and "[the math example](../../markdown-section/math/index.md)" in linked
    assert "`[math](./plot_math.md)`" in linked

    math = _page(files, "markdown-section/math")
    assert r"$\mathrm{softmax}(QK^\top / \sqrt{d})V$" in math
    assert "assets/katex/katex.min.js" in files and "assets/katex/fonts/KaTeX_Main-Regular.woff2" in files
