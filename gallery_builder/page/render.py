"""Render examples into Markdown pages and the files they show, for mkdocs.

Every generated page is an ``index.md`` inside its own folder (``gallery/<section>/<example>/``),
so a relative link means the same thing to Markdown and to the browser, with or without
directory URLs. The nav is a literate-nav ``SUMMARY.md``: adding a script needs no mkdocs.yml edit.

Text that comes from scripts is never trusted as HTML: prose may use Markdown but not raw HTML,
and outputs are shown as literal text.
"""

from __future__ import annotations

import html
from pathlib import Path

from ..capture import thumbnails
from ..capture.capture import Output
from ..run import provenance
from ..run.results import ExampleResult
from ..sources.project import Gallery
from ..views import standalone, vendored
from ..views.layout import GALLERY_DIR, SITE_VENDOR_DIR
from . import downloads, indexes, katex
from .live_box import live_box, wants_figure
from .markdown import escape_inline, fence, link_examples, prose, text_file

Files = dict[str, "bytes | Path"]  # by path under docs/: generated content, or a file to publish as it is


def file_bytes(value: bytes | Path) -> bytes:
    """The content of a generated file, whichever way it is given."""
    return value.read_bytes() if isinstance(value, Path) else value


def render_gallery(gallery: Gallery, results: list[ExampleResult], show_times: bool = True) -> Files:
    """All generated files, by path under the docs folder.

    show_times: print measured run times. Reproducible builds (SOURCE_DATE_EPOCH set) leave
    them out, since no two runs take the same time.
    """
    files: Files = {}
    by_section: dict[Path, list[ExampleResult]] = {}
    for result in results:
        by_section.setdefault(result.example.section.path, []).append(result)
    sections = indexes.shown_sections(gallery.sections(), by_section)
    pages = {r.example.path: r.example.url_dir for r in results}
    for result in results:
        files.update(render_example(result, show_times, pages))
    for section in sections:
        page = indexes.section_page(section, [s for s in sections if s.parent == section], by_section)
        files[f"{GALLERY_DIR}/{section.url_dir}/index.md"] = text_file(page)
    files[f"{GALLERY_DIR}/index.md"] = text_file(indexes.gallery_page(gallery, sections, by_section))
    files[f"{GALLERY_DIR}/times.md"] = text_file(indexes.times_page(results, show_times))
    files[f"{GALLERY_DIR}/{indexes.NAV_FILE}"] = text_file(indexes.nav_file(sections, by_section))
    files[f"{GALLERY_DIR}/{indexes.SCRIPTS_ZIP}"] = downloads.scripts_zip(
        {p.relative_to(gallery.root).as_posix(): p.read_bytes() for p in sorted(gallery.root.rglob("*.py"))}
    )
    for name, data in vendored.vendor_files().items():
        files[f"{GALLERY_DIR}/{SITE_VENDOR_DIR}/{name}"] = data
    files.update(katex.katex_files())
    return files


def render_example(result: ExampleResult, show_times: bool = True, pages: dict[Path, str] | None = None) -> Files:
    """The example's page and files. `pages`: every example's url_dir by script, for links between them."""
    base = f"{GALLERY_DIR}/{result.example.url_dir}"
    files: Files = {}
    lines = [f"# {escape_inline(result.title)}", ""]
    if result.failure and not result.expected_failure:
        lines += _failure_banner(result)
    if result.parsed is None:
        files[f"{base}/index.md"] = text_file("\n".join(lines))
        return files
    def text(source: str) -> str:
        if result.parsed is not None and result.parsed.markup == "markdown" and pages:
            source = link_examples(source, result.example.path.parent, result.example.url_dir, pages)
        return prose(source, result.parsed.markup if result.parsed else "markdown")

    if result.parsed.intro:
        lines += [text(result.parsed.intro), ""]
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
    live_pending = wants_figure(result)  # a heatmap widget's box goes under the first figure
    for cell in result.parsed.cells:
        if cell.kind == "markdown":
            lines += [text(cell.source), ""]
            continue
        lines += [fence(cell.source, "python"), ""]
        if code_index < len(result.outputs):
            outputs = result.outputs[code_index]
            side_by_side = _side_by_side(outputs, cell.multi_image or result.parsed.settings.get("multi_image"))
            for number, output in enumerate(outputs):
                if output.kind == "html" and result.files_dir is not None:
                    view_count += 1
                    files[f"{base}/{output.file}"] = _output_file(result, output.file)
                    lines += [standalone.iframe_tag(output.file, f"{result.title}: interactive view {view_count}"), ""]
                    if view_count == 1 and not wants_figure(result):
                        lines += live_box(result, output.file)
                else:
                    if number not in side_by_side:
                        lines += [_render_output(output), ""]
                    else:  # one HTML block: no blank line until it closes
                        opening = '<div class="gallery-multi-image">' if number - 1 not in side_by_side else ""
                        lines += [opening + _render_output(output)]
                        lines += ["</div>", ""] if number + 1 not in side_by_side else []
                    if output.kind == "image" and result.files_dir is not None:
                        for name in filter(None, (output.file, output.dark_file)):
                            files[f"{base}/{name}"] = _output_file(result, name)
                        if live_pending and (number not in side_by_side or number + 1 not in side_by_side):
                            lines += ["", *live_box(result)]
                            live_pending = False
        if result.failure and code_index == _failing_cell(result):
            lines += _traceback_block(result)
        code_index += 1
    if live_pending:  # a figure widget on a page that drew no figure: its box goes at the end
        lines += live_box(result)
    if result.status in ("ran", "cached"):
        duration = result.duration if show_times else None
        lines += provenance.render(result.provenance, duration, result.computed_at)
    if indexes.has_thumbnail(result) and result.files_dir is not None:
        for name in (thumbnails.FILE, thumbnails.DARK_FILE):
            files[f"{base}/{name}"] = _output_file(result, name)
    files[f"{base}/index.md"] = text_file("\n".join(lines))
    return files


def _output_file(result: ExampleResult, name: str) -> bytes | Path:
    """A file the run wrote, published from its cache entry; a failed run's folder is deleted
    once the pages are rendered (build.discard_failed_runs), so its files are read now."""
    assert result.files_dir is not None
    path = result.files_dir / name
    return path.read_bytes() if result.status == "failed" else path


SIDE_BY_SIDE_MAX_WIDTH = 344


def _side_by_side(outputs: list[Output], multi_image: object) -> set[int]:
    """Indexes of a cell's figures shown in one row: runs of 2+ consecutive figures, as sphinx-gallery
    shows them, unless the script sets `multi_image = "single"` or a figure is too wide to halve
    (`multi_image = "multi"` insists)."""
    if multi_image == "single":
        return set()
    found: set[int] = set()
    run: list[int] = []
    for number, output in enumerate([*outputs, Output("text")]):
        narrow = multi_image == "multi" or 0 < output.width <= SIDE_BY_SIDE_MAX_WIDTH
        if output.kind == "image" and narrow:
            run.append(number)
            continue
        if len(run) > 1:
            found.update(run)
        run = []
    return found


def _failing_cell(result: ExampleResult) -> int:
    """The code cell after which the error shows: the last that ran, or the one holding the error's line."""
    if result.outputs:
        return len(result.outputs) - 1
    if result.parsed is None or result.failure is None:
        return -1
    cells = result.parsed.code_cells
    return max((i for i, c in enumerate(cells) if c.line <= result.failure.line), default=0)


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


