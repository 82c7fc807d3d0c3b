"""The gallery cards' thumbnails, in a light and a dark version, made in the worker.

Which picture depicts an example, in this order:

1. a figure: the one `# gallery_thumbnail_number = N` picks (the first by default), cropped to
   the panel `# gallery_thumbnail_panel = K` picks (the whole figure by default), from both the
   light and the dark PNG;
2. no figure but a matplotlib animation: the still of its last frame (animation.py);
3. no figure but an interactive bertviz view: a drawing of that view's own attention data, made
   with matplotlib (no browser): lines between tokens for a head view, the grid of heads for a
   model view, query and key vectors for a neuron view;
4. none of these: the example's title, set as a card.

Each is fitted into `SIZE` pixels, twice the size a card shows it at, so it is sharp on HiDPI
screens.
"""

from __future__ import annotations

import json
import textwrap
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from .capture import Output

FILE = "thumb.png"
DARK_FILE = "thumb-dark.png"
SIZE = (640, 400)  # pixels: a card shows it at 320 x 200 CSS px
PAD = 0.004  # of the figure, around a cropped panel: more picks up the next panel's title
PALETTE = (  # 16 colours that stay apart from each other on white and on the dark page
    "#1f77b4", "#ff7f0e", "#2ca02c", "#d62728", "#9467bd", "#8c564b", "#e377c2", "#17becf",
    "#bcbd22", "#7f7f7f", "#393b79", "#e7969c", "#637939", "#ad494a", "#3182bd", "#fdae6b",
)
_PARAMS_CALL = "window.galleryView.params("


def write_thumbnails(
    out_dir: Path, outputs: Sequence[Output], number: int, panel: int, title: str, given: Path = Path(".")
) -> None:
    """Write FILE and DARK_FILE into `out_dir` from a script's outputs (see the module docstring).

    `number` counts from 1, or from the end when negative (-1: the last figure), as in sphinx-gallery.
    `given`: an image file named by `thumbnail_path`, used as it is for both versions."""
    if given.is_file():
        _crop_fit_both(given, given, None, out_dir)
        return
    images = [o for o in outputs if o.kind == "image" and o.file]
    if images:
        chosen = images[number - 1 if number > 0 else number] if 0 < abs(number) <= len(images) else images[0]
        box = chosen.panels[panel - 1] if chosen.panels and 0 < panel <= len(chosen.panels) else None
        _crop_fit_both(out_dir / chosen.file, out_dir / (chosen.dark_file or chosen.file), box, out_dir)
        return
    animation = next((o for o in outputs if o.kind == "html" and o.still), None)
    if animation is not None:  # an animation: its last frame
        _crop_fit_both(out_dir / animation.still, out_dir / (animation.dark_still or animation.still), None, out_dir)
        return
    params = next((p for o in outputs if o.kind == "html" and (p := view_params(out_dir, o)) is not None), None)
    _draw_and_save(out_dir, lambda: _view_figure(params) if params is not None else _title_figure(title))


def view_params(out_dir: Path, output: Output) -> dict[str, Any] | None:
    """The bertviz params written into a view document, or None for other HTML."""
    if not output.file:
        return None
    document = (out_dir / output.file).read_text(encoding="utf-8")
    start = document.find(_PARAMS_CALL)
    if start < 0:
        return None
    try:
        params, _ = json.JSONDecoder().raw_decode(document, start + len(_PARAMS_CALL))
    except json.JSONDecodeError:
        return None
    return params if isinstance(params, dict) and "attention" in params else None


# ------------------------------------------------------------------------------------------------
# Figures: crop and fit
# ------------------------------------------------------------------------------------------------

def _crop_fit_both(light: Path, dark: Path, box: tuple[float, float, float, float] | None, out_dir: Path) -> None:
    """Both versions at once: Pillow releases the GIL while it decodes, resizes and encodes, so
    the dark one is made on another core (it is the worker's last step before its result)."""
    from concurrent.futures import ThreadPoolExecutor

    with ThreadPoolExecutor(max_workers=1) as pool:
        dark_done = pool.submit(_crop_fit, dark, box, out_dir / DARK_FILE, (0, 0, 0, 0))
        _crop_fit(light, box, out_dir / FILE, (255, 255, 255, 255))
        dark_done.result()


def _crop_fit(
    source: Path, box: tuple[float, float, float, float] | None, target: Path, fill: tuple[int, int, int, int]
) -> None:
    from PIL import Image

    with Image.open(source) as opened:
        image = opened.convert("RGBA")
    if box is not None:
        left, top, right, bottom = box
        w, h = image.size
        image = image.crop(
            (
                max(0, round((left - PAD) * w)),
                max(0, round((top - PAD) * h)),
                min(w, round((right + PAD) * w)),
                min(h, round((bottom + PAD) * h)),
            )
        )
    scale = min(SIZE[0] / image.width, SIZE[1] / image.height)
    # reducing_gap: an integer box reduction first, then Lanczos for the rest; half the time,
    # within 13/255 of a Lanczos from the full size (0.3 on average).
    fitted = image.resize(
        (max(1, round(image.width * scale)), max(1, round(image.height * scale))),
        Image.Resampling.LANCZOS,
        reducing_gap=2.0,
    )
    canvas = Image.new("RGBA", SIZE, fill)
    canvas.alpha_composite(fitted, ((SIZE[0] - fitted.width) // 2, (SIZE[1] - fitted.height) // 2))
    _save(canvas, target)


def _save(image: Any, target: Path) -> None:
    from PIL import Image

    # A 256-colour palette keeps a thumbnail near 40 KB instead of 300 KB, with no visible loss.
    # (Pillow's `optimize` would save 3% more for eight times the encoding time.)
    image.quantize(colors=256, method=Image.Quantize.FASTOCTREE).save(target)


# ------------------------------------------------------------------------------------------------
# Drawn thumbnails: views and titles
# ------------------------------------------------------------------------------------------------

def _draw_and_save(out_dir: Path, draw: Any) -> None:
    """Draw a thumbnail figure and save both versions (raster.light_and_dark)."""
    import io

    import matplotlib.pyplot as plt
    from PIL import Image

    from .raster import light_and_dark

    figure = draw()
    for name, png in zip((FILE, DARK_FILE), light_and_dark(figure, 1), strict=True):
        with Image.open(io.BytesIO(png)) as image:
            _save(image.convert("RGBA"), out_dir / name)
    plt.close(figure)


def _new_figure() -> tuple[Any, Any]:
    import matplotlib.pyplot as plt

    figure = plt.figure(figsize=(SIZE[0] / 100, SIZE[1] / 100), dpi=100)
    axes = figure.add_axes((0, 0, 1, 1))
    axes.set_axis_off()
    return figure, axes


def _view_figure(params: dict[str, Any]) -> Any:
    attention = params["attention"]
    if isinstance(attention, dict):  # neuron view: {filter: {attn, queries, keys, ...}}
        return _neuron_figure(attention.get("all") or next(iter(attention.values())), params)
    if "total_heads" in params:
        return _model_figure(attention[0])
    return _head_figure(attention[0], params)


def _layer_index(params: dict[str, Any], count: int) -> int:
    layer = params.get("layer")
    included = params.get("include_layers") or list(range(count))
    return included.index(layer) if layer in included else 0


def _token_lines(axes: Any, left: list[str], right: list[str], weights: list[tuple[Any, str]]) -> None:
    """bertviz's head view, drawn statically: tokens in two columns, one line per weight."""
    from matplotlib.collections import LineCollection
    from matplotlib.colors import to_rgba

    n_left, n_right = len(left), len(right)
    rows = max(n_left, n_right)
    size = max(8.0, min(17.0, 300 / rows))
    axes.set_xlim(0, 1)
    axes.set_ylim(rows - 0.5, -0.5)
    segments, colours = [], []
    for matrix, colour in weights:
        red, green, blue, _ = to_rgba(colour)
        for i in range(n_left):
            for j in range(n_right):
                alpha = float(matrix[i][j])
                if alpha > 0.03:
                    segments.append(((0.34, i), (0.66, j)))
                    colours.append((red, green, blue, min(1.0, alpha)))
    # One collection draws in one pass what a line per weight (over a thousand artists) took seconds to.
    axes.add_collection(LineCollection(segments, colors=colours, linewidths=2.2))
    for i, token in enumerate(left):
        axes.text(0.31, i, token, ha="right", va="center", fontsize=size, color="black")
    for j, token in enumerate(right):
        axes.text(0.69, j, token, ha="left", va="center", fontsize=size, color="black")


def _head_figure(view: dict[str, Any], params: dict[str, Any]) -> Any:
    figure, axes = _new_figure()
    layers = view["attn"]
    layer = layers[_layer_index(params, len(layers))]
    heads = params.get("heads") or range(len(layer))
    weights = [(layer[h], PALETTE[h % len(PALETTE)]) for h in heads]
    _token_lines(axes, view["left_text"], view["right_text"], weights)
    return figure


def _model_figure(view: dict[str, Any]) -> Any:
    import matplotlib.pyplot as plt

    layers = view["attn"]
    n_layers, n_heads = len(layers), len(layers[0])
    figure = plt.figure(figsize=(SIZE[0] / 100, SIZE[1] / 100), dpi=100)
    grid = figure.add_gridspec(n_layers, n_heads, left=0.02, right=0.98, top=0.97, bottom=0.03, wspace=0.08,
                               hspace=0.08)
    for layer in range(n_layers):
        for head in range(n_heads):
            axes = figure.add_subplot(grid[layer, head])
            axes.imshow(layers[layer][head], cmap="viridis", vmin=0, vmax=1, aspect="auto",
                        interpolation="nearest")
            axes.set_axis_off()
    return figure


def _neuron_figure(view: dict[str, Any], params: dict[str, Any]) -> Any:
    layer = int(params.get("layer") or 0)
    head = int(params.get("head") or 0)
    figure, axes = _new_figure()
    axes.set_position((0.0, 0.0, 0.56, 1.0))
    _token_lines(axes, view["left_text"], view["right_text"], [(view["attn"][layer][head], PALETTE[head])])
    queries = figure.add_axes((0.6, 0.06, 0.17, 0.88))
    keys = figure.add_axes((0.8, 0.06, 0.17, 0.88))
    for target, data in ((queries, view["queries"][layer][head]), (keys, view["keys"][layer][head])):
        target.imshow(data, cmap="RdBu_r", aspect="auto", interpolation="nearest")
        target.set_axis_off()
    return figure


def _title_figure(title: str) -> Any:
    figure, axes = _new_figure()
    axes.text(0.5, 0.5, "\n".join(textwrap.wrap(title, 22)), ha="center", va="center", fontsize=26,
              color="#3949ab", wrap=True)
    return figure
