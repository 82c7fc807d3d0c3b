"""Restyle a finished matplotlib figure for a dark page, so every figure has a dark variant.

Scripts draw once, with matplotlib's defaults. After the light PNG is saved, `darken` walks the
figure's artists and changes their colours in place:

- neutral colours (white, greys, black: text, spines, ticks, grid, lines, bars, legend frames)
  get their lightness inverted into the range between the page's dark background and its light
  text, so black text becomes light grey and a white axes background becomes the page colour;
- saturated colours keep their hue and saturation; very dark ones are lifted a little so that
  they stay visible on a dark background;
- data drawn through a colormap (images, heatmaps, colorbars, scatter plots coloured by value)
  keeps its colours, and so does text written over such data (a heatmap's cell numbers were
  chosen to contrast with their cells);
- except a diverging colormap with a light centre (RdBu, coolwarm, PiYG...): its white middle would
  glare on a dark page, so it becomes the dark-centred map among matplotlib's `berlin`, `managua`
  and `vanimo` (or their reverses) whose ends have the nearest hues, and the neutral text over its
  cells becomes black or white, whichever contrasts with the cell's new colour;
- masked cells (a colormap's "bad" colour, such as a causal mask) show the page's background;
- the figure's own background becomes transparent, so the page shows through.
"""

from __future__ import annotations

import colorsys
from typing import Any

from matplotlib import colormaps
from matplotlib.axes import Axes
from matplotlib.cm import ScalarMappable
from matplotlib.collections import Collection, QuadMesh
from matplotlib.colors import Colormap, to_rgba
from matplotlib.figure import Figure
from matplotlib.image import AxesImage
from matplotlib.lines import Line2D
from matplotlib.patches import Patch
from matplotlib.text import Text

RGBA = tuple[float, float, float, float]

# Material's slate background, hsl(232, 15%, 14%), and its body text, #e2e4e9: greys map onto the
# line between them, so white becomes the page's own colour and black its text colour.
DARK_BACKGROUND = (0.119, 0.127, 0.161)
LIGHT_TEXT = (0.886, 0.894, 0.914)
NEUTRAL_CHROMA = 0.12  # max(rgb) - min(rgb) below this counts as a grey
MIN_COLOURED_L = 0.42  # saturated colours darker than this are lifted to it
DARK_CENTRED = ("berlin", "managua", "vanimo")  # matplotlib's diverging maps with a dark middle


def dark_colour(colour: Any) -> RGBA:
    """The dark-page counterpart of one matplotlib colour."""
    r, g, b, a = to_rgba(colour)
    if a == 0:
        return (r, g, b, a)
    if max(r, g, b) - min(r, g, b) < NEUTRAL_CHROMA:
        darkness = 1 - (r + g + b) / 3
        r, g, b = (bg + darkness * (fg - bg) for bg, fg in zip(DARK_BACKGROUND, LIGHT_TEXT, strict=True))
        return (r, g, b, a)
    hue, lightness, saturation = colorsys.rgb_to_hls(r, g, b)
    if lightness < MIN_COLOURED_L:
        r, g, b = colorsys.hls_to_rgb(hue, MIN_COLOURED_L, saturation)
    return (r, g, b, a)


def dark_twin(cmap: Colormap) -> Colormap | None:
    """The dark-centred counterpart of a diverging colormap with a light centre, or None for any
    other colormap (sequential and cyclic maps keep their colours)."""
    low, middle, high = (colorsys.rgb_to_hls(*cmap(x)[:3]) for x in (0.0, 0.5, 1.0))
    if middle[1] < 0.8 or max(low[1], high[1]) > 0.7 or _hue_distance(low[0], high[0]) < 0.1:
        return None

    def mismatch(name: str) -> float:
        ends = [colorsys.rgb_to_hls(*colormaps[name](x)[:3])[0] for x in (0.0, 1.0)]
        return _hue_distance(ends[0], low[0]) + _hue_distance(ends[1], high[0])

    best = min((n + r for n in DARK_CENTRED for r in ("", "_r")), key=mismatch)
    return colormaps[best].with_extremes(bad=(0, 0, 0, 0))


def _hue_distance(a: float, b: float) -> float:
    return min(abs(a - b), 1 - abs(a - b))


def darken(figure: Figure) -> None:
    """Restyle `figure` in place for a dark page (see the module docstring)."""
    figure.patch.set_facecolor((0, 0, 0, 0))
    figure.patch.set_edgecolor((0, 0, 0, 0))
    swapped = _darken_colormaps(figure)
    for axes in figure.axes:
        _darken_axes_background(axes)
    for artist in figure.findobj(match=lambda a: isinstance(a, (Text, Line2D, Patch, Collection))):
        if artist is figure.patch or any(artist is axes.patch for axes in figure.axes):
            continue
        if isinstance(artist, Text):
            if _over_swapped_image(artist, swapped):
                continue
            if not _over_colormapped_data(artist):
                artist.set_color(dark_colour(artist.get_color()))
                box = artist.get_bbox_patch()
                if box is not None:
                    _darken_patch(box)
        elif isinstance(artist, Line2D):
            _darken_line(artist)
        elif isinstance(artist, Patch):
            _darken_patch(artist)
        elif isinstance(artist, Collection):
            _darken_collection(artist)


def _darken_colormaps(figure: Figure) -> list[AxesImage]:
    """Swap light-centred diverging colormaps for their dark twins and make masked cells show the
    page, in every colormapped artist (colorbars follow their mappable). Returns the images whose
    colormap changed, for the text drawn over them."""
    swapped: list[AxesImage] = []
    mappables: list[Any] = [a for a in figure.findobj() if isinstance(a, ScalarMappable)]
    for artist in mappables:
        if artist.get_array() is None:
            continue
        cmap = artist.get_cmap()
        twin = dark_twin(cmap)
        if twin is not None:
            artist.set_cmap(twin)
            if isinstance(artist, AxesImage):
                swapped.append(artist)
        elif cmap.get_bad()[3] > 0:
            artist.set_cmap(cmap.with_extremes(bad=(0, 0, 0, 0)))
    return swapped


def _over_swapped_image(text: Text, swapped: list[AxesImage]) -> bool:
    """Neutral text in a cell of an image whose colormap was swapped: black or white, whichever
    contrasts with the cell's new colour. False if the text is elsewhere."""
    r, g, b, _ = to_rgba(text.get_color())
    for image in swapped:
        if text.axes is not image.axes or text.get_transform() != image.axes.transData:
            continue
        cell = _cell_colour(image, *text.get_position())
        if cell is None or max(r, g, b) - min(r, g, b) >= NEUTRAL_CHROMA:
            continue
        luminance = 0.2126 * cell[0] + 0.7152 * cell[1] + 0.0722 * cell[2]
        text.set_color("black" if luminance > 0.45 else "white")
        return True
    return False


def _cell_colour(image: AxesImage, x: Any, y: Any) -> RGBA | None:
    """The colour the image shows at data position (x, y), or None outside it."""
    data = image.get_array()
    if data is None or data.ndim != 2:
        return None
    left, right, bottom, top = image.get_extent()
    rows, columns = data.shape
    try:
        column = int((float(x) - left) / (right - left) * columns)
        first_row = bottom if image.origin == "lower" else top  # the y of row 0's edge
        row = int((float(y) - first_row) / ((top + bottom) - 2 * first_row) * rows)
    except (TypeError, ValueError):
        return None
    if not (0 <= row < rows and 0 <= column < columns):
        return None
    rgba = image.to_rgba(data[row : row + 1, column : column + 1])[0, 0]
    return (float(rgba[0]), float(rgba[1]), float(rgba[2]), float(rgba[3]))


def _darken_axes_background(axes: Axes) -> None:
    face = to_rgba(axes.patch.get_facecolor())
    if min(face[:3]) > 0.97:
        axes.patch.set_facecolor((0, 0, 0, 0))  # let the page's own background show
    elif face[3] > 0:
        axes.patch.set_facecolor(dark_colour(face))


def _darken_line(line: Line2D) -> None:
    line.set_color(dark_colour(line.get_color()))
    for getter, setter in (
        (line.get_markerfacecolor, line.set_markerfacecolor),
        (line.get_markeredgecolor, line.set_markeredgecolor),
    ):
        value = getter()
        if isinstance(value, str) and value in ("none", "auto"):
            continue
        setter(dark_colour(value))


def _darken_patch(patch: Patch) -> None:
    patch.set_facecolor(dark_colour(patch.get_facecolor()))
    patch.set_edgecolor(dark_colour(patch.get_edgecolor()))


def _darken_collection(collection: Collection) -> None:
    if isinstance(collection, QuadMesh) or collection.get_array() is not None:
        return  # colours come from a colormap: they are data
    faces = collection.get_facecolor()
    edges = collection.get_edgecolor()
    if len(faces):
        collection.set_facecolor([dark_colour(c) for c in faces])
    if len(edges):
        collection.set_edgecolor([dark_colour(c) for c in edges])


def _over_colormapped_data(text: Text) -> bool:
    """True for text placed in data coordinates inside axes that show an image or a heatmap."""
    axes = text.axes
    if axes is None or text.get_transform() != axes.transData:
        return False
    if not (axes.images or any(isinstance(c, QuadMesh) or c.get_array() is not None for c in axes.collections)):
        return False
    x, y = text.get_position()
    (x0, x1), (y0, y1) = sorted(axes.get_xlim()), sorted(axes.get_ylim())
    try:
        return bool(x0 <= float(x) <= x1 and y0 <= float(y) <= y1)
    except (TypeError, ValueError):  # categorical positions
        return True

