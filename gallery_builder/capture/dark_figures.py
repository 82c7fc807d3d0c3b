"""Restyle a finished matplotlib figure for a dark page, so every figure has a dark variant.

Scripts draw once, with matplotlib's defaults. After the light PNG is saved, `darken` walks the
figure's artists and changes their colours in place:

- neutral colours (white, greys, black: text, spines, ticks, grid, lines, bars, legend frames)
  get their lightness inverted into the range between the page's dark background and its light
  text, so black text becomes light grey and a white axes background becomes the page colour;
- saturated colours keep their hue and saturation; very dark ones are lifted a little so that
  they stay visible on a dark background; pale ones (pastels, or a translucent fill over a
  legend's white frame) count as their hue mixed with white, and the white turns dark;
- data drawn through a colormap (images, heatmaps, colorbars, scatter plots coloured by value)
  keeps its colours, and so does text written over such data (a heatmap's cell numbers were
  chosen to contrast with their cells);
- except a diverging colormap with a light centre (RdBu, coolwarm, PiYG...): its white middle would
  glare on a dark page, so it becomes the dark-centred map among matplotlib's `berlin`, `managua`
  and `vanimo` (or their reverses) whose ends have the nearest hues, and the neutral text over its
  cells becomes black or white, whichever contrasts with the cell's new colour;
- masked cells (a colormap's "bad" colour, such as a causal mask) show the page's background;
- the figure's own background becomes transparent, so the page shows through.

`dark_pixels` applies the same colour rule to a drawn raster, pixel by pixel: raster.py makes most
dark figures that way, from the light figure's own drawing, and calls `darken` (and draws again)
only for the figures whose pixels cannot tell what `darken` would do.
"""

from __future__ import annotations

import colorsys
from typing import Any

import numpy as np
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
PALE, PALE_RAMP = 0.45, 0.2  # a colour whose smallest channel passes PALE counts as mixed with white
DARK_CENTRED = ("berlin", "managua", "vanimo")  # matplotlib's diverging maps with a dark middle


def dark_colour(colour: Any) -> RGBA:
    """The dark-page counterpart of one matplotlib colour."""
    r, g, b, a = to_rgba(colour)
    if a == 0:
        return (r, g, b, a)
    dark = dark_rgb(np.array([[r, g, b]], np.float32))[0]
    return (float(dark[0]), float(dark[1]), float(dark[2]), a)


def dark_pixels(rgba: np.ndarray, keep: np.ndarray) -> np.ndarray:
    """`dark_colour` on every pixel of an (h, w, 4) uint8 raster with straight alpha, except where
    `keep` (an (h, w) boolean mask) is set. Alpha is kept. Returns a new uint8 raster."""
    result = rgba.copy()
    flat = result.reshape(-1, 4)
    todo = np.flatnonzero((rgba[..., 3] > 0).ravel() & ~keep.ravel())  # most pixels are clear or data
    dark = dark_rgb(flat[todo, :3].astype(np.float32) / 255)
    flat[todo, :3] = np.clip(np.rint(dark * 255), 0, 255).astype(np.uint8)
    return result


def dark_rgb(rgb: np.ndarray) -> np.ndarray:
    """The colour rule of the module docstring on (n, 3) float RGB rows in [0, 1]:

    - a grey's lightness is inverted onto the line from the page's background to its text;
    - a saturated colour keeps its hue and HLS saturation, lifted to MIN_COLOURED_L if darker;
    - a pale colour (its smallest channel above PALE) is read as its hue mixed with white, and
      the white part takes the page's colour, as white itself does: a translucent fill over a
      legend's white frame, or a pastel bar, does not glare. The share ramps up over PALE_RAMP,
      so neighbouring shades do not jump.
    """
    high, low = rgb.max(axis=1), rgb.min(axis=1)
    background, text = np.array(DARK_BACKGROUND, np.float32), np.array(LIGHT_TEXT, np.float32)
    out = _lifted(rgb)
    grey = high - low < NEUTRAL_CHROMA
    out[grey] = background + (1 - rgb[grey].mean(axis=1, keepdims=True)) * (text - background)
    pale = ~grey & (low > PALE)
    white = low[pale][:, None]
    hue = _lifted((rgb[pale] - white) / (1 - white))
    share = np.clip((white - PALE) / PALE_RAMP, 0, 1)
    out[pale] = (1 - share) * out[pale] + share * (white * background + (1 - white) * hue)
    return out


def _lifted(rgb: np.ndarray) -> np.ndarray:
    """Colours darker than MIN_COLOURED_L raised to it, with the same hue and HLS saturation:
    scaling (rgb - min) keeps the hue, and the new chroma follows from the saturation."""
    out = rgb.copy()
    high, low = rgb.max(axis=1), rgb.min(axis=1)
    chroma, lightness = high - low, (high + low) / 2
    dim = (lightness < MIN_COLOURED_L) & (chroma > 0)
    saturation = chroma[dim] / (1 - np.abs(2 * lightness[dim] - 1))
    new_chroma = saturation * (1 - abs(2 * MIN_COLOURED_L - 1))
    scale = (new_chroma / chroma[dim])[:, None]
    out[dim] = (MIN_COLOURED_L - new_chroma / 2)[:, None] + (rgb[dim] - low[dim][:, None]) * scale
    return out


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

