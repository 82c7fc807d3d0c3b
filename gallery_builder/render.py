"""Render examples into Markdown pages and the files they show, for mkdocs.

Every generated page is an ``index.md`` inside its own folder (``gallery/<section>/<example>/``),
so a relative link means the same thing to Markdown and to the browser, with or without
directory URLs. The nav is a literate-nav ``SUMMARY.md``: adding a script needs no mkdocs.yml edit.

Text that comes from scripts is never trusted as HTML: prose may use Markdown but not raw HTML,
and outputs are shown as literal text.
"""

from __future__ import annotations

import html
import re
from pathlib import Path

from . import downloads, provenance, thumbnails, views
from .capture import Output
from .project import Gallery, Section
from .results import ExampleResult

GALLERY_DIR = "gallery"
VENDOR_DIR = "_vendor"
NAV_FILE = "SUMMARY.md"  # read by mkdocs-literate-nav
SCRIPTS_ZIP = "gallery-scripts.zip"
# Gallery and section pages use the page's whole width for their grid of cards.
WIDE_PAGE = "---\nhide:\n  - navigation\n  - toc\n---\n"
HOME_STRIP_MARKER = "<!-- gallery:strip -->"  # docs/index.md: where the strip of thumbnails goes
HOME_STRIP_SIZE = 6

Files = dict[str, bytes]


def render_gallery(gallery: Gallery, results: list[ExampleResult], show_times: bool = True) -> Files:
    """All generated files, by path under the docs folder.

    show_times: print measured run times. Reproducible builds (SOURCE_DATE_EPOCH set) leave
    them out, since no two runs take the same time.
    """
    files: Files = {}
    by_section: dict[Path, list[ExampleResult]] = {}
    for result in results:
        by_section.setdefault(result.example.section.path, []).append(result)
    sections = [s for s in gallery.sections() if s.path in by_section]
    for result in results:
        files.update(render_example(result, show_times))
    for section in sections:
        files[f"{GALLERY_DIR}/{section.slug}/index.md"] = _text(_section_page(section, by_section[section.path]))
    files[f"{GALLERY_DIR}/index.md"] = _text(_gallery_page(gallery, sections, by_section))
    files[f"{GALLERY_DIR}/times.md"] = _text(_times_page(results, show_times))
    files[f"{GALLERY_DIR}/{NAV_FILE}"] = _text(_summary(sections, by_section))
    files[f"{GALLERY_DIR}/{SCRIPTS_ZIP}"] = downloads.scripts_zip(
        {p.relative_to(gallery.root).as_posix(): p.read_bytes() for p in sorted(gallery.root.rglob("*.py"))}
    )
    for name, data in views.VENDOR_FILES.items():
        files[f"{GALLERY_DIR}/{VENDOR_DIR}/{name}"] = data
    return files


def render_example(result: ExampleResult, show_times: bool = True) -> Files:
    base = f"{GALLERY_DIR}/{result.example.url_dir}"
    files: Files = {}
    lines = [f"# {escape_inline(result.title)}", ""]
    if result.failure and not result.expected_failure:
        lines += _failure_banner(result)
    if result.parsed is None:
        files[f"{base}/index.md"] = _text("\n".join(lines))
        return files
    if result.parsed.intro:
        lines += [escape_prose(result.parsed.intro), ""]
    script_name = result.example.path.name
    notebook_name = result.example.path.with_suffix(".ipynb").name
    files[f"{base}/{script_name}"] = result.example.path.read_bytes()
    files[f"{base}/{notebook_name}"] = downloads.notebook(result.parsed)
    lines += [
        f"[Download the script]({script_name}){{ .md-button download }} "
        f"[Download the notebook]({notebook_name}){{ .md-button download }}",
        "",
    ]
    view_count = 0
    code_index = 0
    for cell in result.parsed.cells:
        if cell.kind == "markdown":
            lines += [escape_prose(cell.source), ""]
            continue
        lines += [fence(cell.source, "python"), ""]
        if code_index < len(result.outputs):
            for output in result.outputs[code_index]:
                if output.kind == "html" and result.files_dir is not None:
                    view_count += 1
                    files[f"{base}/{output.file}"] = (result.files_dir / output.file).read_bytes()
                    lines += [views.iframe_tag(output.file, f"{result.title}: interactive view {view_count}"), ""]
                else:
                    lines += [_render_output(output), ""]
                    if output.kind == "image" and result.files_dir is not None:
                        for name in filter(None, (output.file, output.dark_file)):
                            files[f"{base}/{name}"] = (result.files_dir / name).read_bytes()
        if result.failure and code_index == len(result.outputs) - 1:
            lines += _traceback_block(result)
        code_index += 1
    if result.status != "failed":
        duration = result.duration if show_times else None
        lines += provenance.render(result.provenance, duration, result.computed_at)
    if _has_thumbnail(result) and result.files_dir is not None:
        for name in (thumbnails.FILE, thumbnails.DARK_FILE):
            files[f"{base}/{name}"] = (result.files_dir / name).read_bytes()
    files[f"{base}/index.md"] = _text("\n".join(lines))
    return files


def _render_output(output: Output) -> str:
    if output.kind == "image":
        alt = html.escape(output.alt or "figure", quote=True)
        width = f' width="{output.width}"' if output.width else ""
        if output.text_px:  # the smallest font at the figure's own width, for the readability tests
            width += f' data-text-px="{output.text_px:g}"'
        if not output.dark_file:
            return f'<img class="gallery-image" src="{output.file}" alt="{alt}"{width} loading="lazy">'
        # Material shows the `#only-light` image in light mode and the `#only-dark` one in dark mode.
        return "".join(
            f'<img class="gallery-image" src="{name}#only-{mode}" alt="{alt}"{width} loading="lazy">'
            for name, mode in ((output.file, "light"), (output.dark_file, "dark"))
        )
    css = "gallery-stderr" if output.kind == "stderr" else "gallery-output"
    return f'<div class="{css}" markdown>\n\n{fence(output.text.rstrip(), "text")}\n\n</div>'


def _failure_banner(result: ExampleResult) -> list[str]:
    failure = result.failure
    summary = failure.summary if failure else "the script failed"
    return [
        f'!!! failure "This example failed at line {failure.line if failure else 1} of {result.display_path}"',
        "",
        f"    {escape_inline(summary)}",
        "",
        "    Its outputs below are incomplete; the build reports this failure.",
        "",
    ]


def _traceback_block(result: ExampleResult) -> list[str]:
    failure = result.failure
    if failure is None:
        return []
    text = failure.traceback or failure.summary
    kind = "quote" if result.expected_failure else "failure"
    title = "Expected error" if result.expected_failure else f"Error at {result.location}"
    body = "\n".join("    " + row for row in fence(text, "pytb").splitlines())
    return [f'!!! {kind} "{title}"', "", body, ""]


def _has_thumbnail(result: ExampleResult) -> bool:
    return result.files_dir is not None and (result.files_dir / thumbnails.FILE).exists()


def _card(result: ExampleResult, prefix: str) -> str:
    """One card: thumbnail, title and at most two lines of text, all one link to the example.

    `prefix` leads from the page to the section folder. The link is Markdown, so mkdocs checks it."""
    folder = f"{prefix}{result.example.slug}"
    title = escape_link_text(result.title)
    if _has_thumbnail(result):
        pictures = "".join(
            f"![]({folder}/{name}#only-{mode}){{ .gallery-card__thumb .off-glb loading=lazy }}"
            for name, mode in ((thumbnails.FILE, "light"), (thumbnails.DARK_FILE, "dark"))
        )
    else:
        pictures = f'<span class="gallery-card__thumb gallery-card__thumb--none">{title}</span>'
    description = result.parsed.description if result.parsed else "This example failed to build."
    text = f'<span class="gallery-card__text">{escape_link_text(description)}</span>'
    heading = f'<span class="gallery-card__title">{title}</span>'
    return f"[{pictures}{heading}{text}]({folder}/index.md){{ .gallery-card }}"


def _grid(cards: list[str], css: str = "gallery-grid") -> list[str]:
    """Cards as paragraphs of one grid (the blank lines make each card its own grid item)."""
    return [f'<div class="{css}" markdown>', "", "\n\n".join(cards), "", "</div>", ""]


def _cards(results: list[ExampleResult], prefix: str) -> list[str]:
    return _grid([_card(r, prefix) for r in results])


def _section_page(section: Section, results: list[ExampleResult]) -> str:
    lines = [WIDE_PAGE, f"# {escape_inline(section.title)}", "", escape_prose(section.intro), ""]
    return "\n".join(lines + _cards(results, ""))


def _gallery_page(gallery: Gallery, sections: list[Section], by_section: dict[Path, list[ExampleResult]]) -> str:
    lines = [WIDE_PAGE, f"# {escape_inline(gallery.title)}", "", escape_prose(gallery.intro), ""]
    lines += [f"[Download all scripts]({SCRIPTS_ZIP}){{ .md-button download }}", ""]
    for section in sections:
        lines += [f"## [{escape_link_text(section.title)}]({section.slug}/index.md)", ""]
        lines += _cards(by_section[section.path], f"{section.slug}/")
    return "\n".join(lines)


def home_strip(results: list[ExampleResult]) -> str:
    """A row of thumbnails for the home page (a page at the docs root), leading into the gallery.

    Taken in turn from each section (every section's first example, then every second one...)."""
    by_section: dict[Path, list[ExampleResult]] = {}
    for result in results:
        if _has_thumbnail(result) and result.status != "failed":
            by_section.setdefault(result.example.section.path, []).append(result)
    columns = [by_section[key] for key in by_section]
    taken = [column[i] for i in range(max(map(len, columns), default=0)) for column in columns if i < len(column)]
    cards = [_card(r, f"{GALLERY_DIR}/{r.example.section.slug}/") for r in taken[:HOME_STRIP_SIZE]]
    return "\n".join(_grid(cards, "gallery-grid gallery-grid--strip"))


def _times_page(results: list[ExampleResult], show_times: bool) -> str:
    lines = [
        "# Computation times",
        "",
        "How long each example took to run, and whether this build ran it or reused its cached outputs.",
        "",
    ]
    if not show_times:
        lines += ["This is a reproducible build (`SOURCE_DATE_EPOCH` is set): run times are not recorded.", ""]
        results = sorted(results, key=lambda r: r.example.url_dir)
    lines += [
        "| Example | Run time | This build |",
        "| --- | ---: | --- |",
    ]
    for r in sorted(results, key=lambda r: -r.duration) if show_times else results:
        seconds = f"{r.duration:.1f} s" if show_times else "—"
        status = r.status if show_times else "—"
        lines.append(f"| [{escape_link_text(r.title)}]({r.example.url_dir}/index.md) | {seconds} | {status} |")
    if show_times:
        total = sum(r.duration for r in results)
        lines += ["", f"Total: {total:.1f} s of script run time over {len(results)} examples.", ""]
    return "\n".join(lines)


def _summary(sections: list[Section], by_section: dict[Path, list[ExampleResult]]) -> str:
    lines = ["* [Overview](index.md)"]
    for section in sections:
        lines.append(f"* {escape_link_text(section.title)}")
        lines.append(f"    * [{escape_link_text(section.title)}]({section.slug}/index.md)")
        for r in by_section[section.path]:
            lines.append(f"    * [{escape_link_text(r.title)}]({r.example.url_dir}/index.md)")
    lines.append("* [Computation times](times.md)")
    return "\n".join(lines) + "\n"


def fence(text: str, language: str) -> str:
    longest = max((len(m) for m in re.findall(r"`{3,}", text)), default=2)
    ticks = "`" * (longest + 1)
    return f"{ticks}{language}\n{text}\n{ticks}"


_CODE_SPAN = re.compile(r"(```.*?```|`[^`\n]*`)", re.S)


def escape_prose(markdown: str) -> str:
    """Keep Markdown, but show `<` and `&` literally: prose cannot inject HTML into a page."""
    parts = _CODE_SPAN.split(markdown)
    return "".join(p if i % 2 else p.replace("&", "&amp;").replace("<", "&lt;") for i, p in enumerate(parts))


def escape_inline(text: str) -> str:
    return escape_prose(" ".join(text.split()))


def escape_link_text(text: str) -> str:
    return escape_inline(text).replace("[", "\\[").replace("]", "\\]")


def _text(text: str) -> bytes:
    return (text.rstrip() + "\n").encode("utf-8")
