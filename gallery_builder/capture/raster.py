"""A figure's light and dark PNGs from one drawing.

Drawing a figure (laying out its text, rasterising it at 2x) is most of what saving it costs, and
the dark variant used to cost a second drawing. Now the figure is drawn once, with its white
backgrounds transparent. The light PNG is that raster on white. The dark PNG is the same raster,
each pixel recoloured by `dark_figures.dark_pixels` (the rule `darken` applies to each artist's
colour), except inside colormapped images and meshes: their pixels are data, and so is what is
drawn over them (a heatmap's cell numbers), so they stay as drawn. The axes' frames along their
edges, and legends over them, are restyled like everything else.

Pixels cannot tell what `darken` would do in a few figures, which are drawn a second time after
`darken` instead, with the layout their light drawing settled (`one_draw` says which figures and
why; `light_and_dark` chooses):

- a light-centred diverging colormap: its cells take another map's colours, and the text over them
  is re-contrasted;
- masked cells of a colour other than transparent (they become transparent);
- a colormap outside an image or a mesh (a scatter plot coloured by value: its points are data,
  yet they lie among the lines and text that change);
- a figure background that is neither white nor transparent, or non-default `savefig.*` settings.
"""

from __future__ import annotations

import io
from typing import Any

import matplotlib as mpl
import numpy as np
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.cm import ScalarMappable
from matplotlib.collections import QuadMesh
from matplotlib.colors import to_rgba
from matplotlib.figure import Figure
from matplotlib.image import AxesImage
from matplotlib.legend import Legend
from matplotlib.spines import Spine

from .dark_figures import dark_pixels, dark_twin, darken

WHITE = 0.97  # a background lighter than this in every channel counts as white
DEFAULT_SAVEFIG = (None, False, "auto")  # matplotlib's savefig.bbox, savefig.transparent, savefig.facecolor


def light_and_dark(figure: Figure, scale: int) -> tuple[bytes, bytes]:
    """The light and the dark PNG of `figure` at `scale` times its size: from one drawing if
    pixels can restyle it, else drawn again after `darken` (which leaves it restyled)."""
    if one_draw(figure) == "":
        return draw_both(figure, scale)
    return png(figure, scale), darkened_png(figure, scale)


def png(figure: Figure, scale: int) -> bytes:
    """The figure as drawn, at `scale` times its size, with no metadata that changes between builds."""
    buffer = io.BytesIO()
    figure.savefig(buffer, format="png", dpi=figure.dpi * scale, metadata={"Software": None})
    return buffer.getvalue()


def darkened_png(figure: Figure, scale: int) -> bytes:
    """`darken` the figure, and draw it again with the layout its last drawing settled: a layout
    engine run a second time moves things by a few pixels off the light PNG."""
    darken(figure)
    engine = figure.get_layout_engine()
    if engine is not None:
        figure.set_layout_engine("none")
    try:
        return png(figure, scale)
    finally:
        if engine is not None:
            figure.set_layout_engine(engine)


def one_draw(figure: Figure) -> str:
    """'' when one drawing can make both PNGs of `figure`, else why not (see the module docstring)."""
    rc = mpl.rcParams
    if (rc["savefig.bbox"], rc["savefig.transparent"], rc["savefig.facecolor"]) != DEFAULT_SAVEFIG:
        return "savefig.bbox, savefig.transparent or savefig.facecolor is set"
    if not _white_or_clear(figure.patch.get_facecolor()):
        return "the figure's background is coloured"
    mappables: list[Any] = [a for a in figure.findobj() if isinstance(a, ScalarMappable)]
    for artist in mappables:
        if artist.get_array() is None:
            continue
        if not isinstance(artist, (AxesImage, QuadMesh)):
            return f"colours from a colormap on a {type(artist).__name__}"
        cmap = artist.get_cmap()
        if dark_twin(cmap) is not None:
            return f"the light-centred colormap {cmap.name}"
        if cmap.get_bad()[3] > 0:
            return "masked cells with a colour"
    return ""


def draw_both(figure: Figure, scale: int) -> tuple[bytes, bytes]:
    """The light and the dark PNG of `figure` at `scale` times its size, from one drawing.
    Call only when `one_draw(figure)` is ''."""
    canvas = figure.canvas if isinstance(figure.canvas, FigureCanvasAgg) else FigureCanvasAgg(figure)
    cleared = [p for p in (figure.patch, *(a.patch for a in figure.axes)) if _white_or_clear(p.get_facecolor())]
    faces = [p.get_facecolor() for p in cleared]
    dpi = figure.dpi
    engine = figure.get_layout_engine()
    try:
        for patch in cleared:
            patch.set_facecolor((1, 1, 1, 0))
        figure.dpi = dpi * scale
        if engine is not None:  # as savefig does: the layout runs once, then the drawing
            engine.execute(figure)
            figure.set_layout_engine("none")
        canvas.draw()  # type: ignore[no-untyped-call]  # matplotlib's Agg canvas is untyped
        rgba = np.asarray(canvas.buffer_rgba()).copy()  # type: ignore[no-untyped-call]
        keep = _data_mask(figure, canvas, rgba.shape[0], rgba.shape[1])
    finally:
        figure.dpi = dpi
        if engine is not None:
            figure.set_layout_engine(engine)
        for patch, face in zip(cleared, faces, strict=True):
            patch.set_facecolor(face)
    return _encode(_on_white(rgba), dpi * scale), _encode(dark_pixels(rgba, keep), dpi * scale)


def _white_or_clear(colour: object) -> bool:
    r, g, b, a = to_rgba(colour)  # type: ignore[arg-type]
    return a == 0 or min(r, g, b) > WHITE


def _data_mask(figure: Figure, canvas: FigureCanvasAgg, height: int, width: int) -> np.ndarray:
    """Where colormapped images and meshes were drawn (clipped to their axes), less the axes'
    frames drawn over their edges and any legend: those are restyled like the rest."""
    renderer = canvas.get_renderer()  # type: ignore[no-untyped-call]
    mask = np.zeros((height, width), bool)
    for artist in figure.findobj(lambda a: isinstance(a, (AxesImage, QuadMesh))):
        if isinstance(artist, (AxesImage, QuadMesh)) and artist.get_visible():
            drawn = artist.get_window_extent(renderer)
            box = drawn.intersection(drawn, artist.axes.bbox) if artist.axes is not None else drawn
            if box is not None:
                _fill(mask, box.x0, box.y0, box.x1, box.y1, True)
    for legend in figure.findobj(lambda a: isinstance(a, Legend)):
        if isinstance(legend, Legend) and legend.get_visible():
            box = legend.get_window_extent(renderer)
            _fill(mask, box.x0, box.y0, box.x1, box.y1, False)
    for spine in figure.findobj(lambda a: isinstance(a, Spine)):
        if isinstance(spine, Spine) and spine.get_visible() and spine.axes is not None and spine.axes.axison:
            box = spine.get_window_extent(renderer)  # a line, or a colorbar's whole outline
            pad = spine.get_linewidth() * figure.dpi / 72 / 2 + 1  # its line's half width, and antialiasing
            for x0, y0, x1, y1 in (
                (box.x0, box.y0, box.x0, box.y1),
                (box.x1, box.y0, box.x1, box.y1),
                (box.x0, box.y0, box.x1, box.y0),
                (box.x0, box.y1, box.x1, box.y1),
            ):  # the box's four edges: what a spine draws
                _fill(mask, x0 - pad, y0 - pad, x1 + pad, y1 + pad, False)
    return mask


def _fill(mask: np.ndarray, x0: float, y0: float, x1: float, y1: float, value: bool) -> None:
    """Set a box given in display coordinates (origin bottom left) in a raster's mask."""
    height = mask.shape[0]
    top, bottom = max(0, round(height - y1)), min(height, round(height - y0))
    left, right = max(0, round(x0)), min(mask.shape[1], round(x1))
    if top < bottom and left < right:
        mask[top:bottom, left:right] = value


def _on_white(rgba: np.ndarray) -> Any:
    """The raster composited on white (a Pillow image): the figure with its white backgrounds."""
    from PIL import Image

    drawn = Image.fromarray(rgba)
    return Image.alpha_composite(Image.new("RGBA", drawn.size, (255, 255, 255, 255)), drawn).convert("RGB")


def _encode(pixels: Any, dpi: float) -> bytes:
    """A PNG of a Pillow image or a uint8 raster, with only its resolution as metadata."""
    from PIL import Image

    image = pixels if isinstance(pixels, Image.Image) else Image.fromarray(pixels)
    buffer = io.BytesIO()
    image.save(buffer, format="png", dpi=(dpi, dpi))
    return buffer.getvalue()
