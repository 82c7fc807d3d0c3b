"""What bertviz views need to be deterministic, safe and readable on the page.

- `stable_ids` replaces the random `bertviz-<uuid>` ids with ids derived from the view's id;
- `rewrite_params` rounds the attention values (and the neuron view's query/key vectors) in the
  view's JSON params to a few significant digits, re-serialises them with `<`, `>` and `&`
  escaped so that token text can never close the <script> element, and hands them to
  `window.galleryView.params`, which picks `display_mode` from the page's colour scheme;
- `apply_fixups` rewrites a few lines of bertviz's JS (FIXUPS) so that its colours come from the
  page: one distinct colour per head, attention lines that stay visible on a dark page, the
  page's background instead of black.

`window.galleryView` is defined by templates/view_frame.js, in every view's <head>.
"""

from __future__ import annotations

import json
import re
from typing import Any

from .safety import script_json

# Significant digits kept for floats in bertviz's params (3-4 is far below what a colour or an
# opacity can show; the neuron view carries 5x more numbers, so it keeps 3).
ROUND_DIGITS = {"bertviz-head": 4, "bertviz-model": 4, "bertviz-neuron": 3}

_UUID_ID_RE = re.compile(r"bertviz-[0-9a-f]{32}")
_PARAMS_START_RE = re.compile(r'\{\s*"attention"\s*:')
_PARAMS_ASSIGN_RE = re.compile(r"(?:\bconst\s+params|\bwindow\.bertviz_params)\s*=\s*\Z")

# (view kinds, bertviz's code, what it becomes). Each rewrite hands one decision to
# `window.galleryView` (templates/view_frame.js), which knows the page's scheme and colours.
# A rewrite whose code is not found (another bertviz version) is skipped: the view still works,
# with bertviz's own look; tests/test_views.py checks that all of them apply to the pinned one.
FIXUPS: tuple[tuple[tuple[str, ...], re.Pattern[str], str], ...] = (
    # Head colours: d3's 10-colour palette repeats from head 10 on; one colour per head, lighter
    # on a dark page.
    (("bertviz-head",), re.compile(r"d3\.scaleOrdinal\(d3\.schemeCategory10\)"),
     "window.galleryView.headColors(d3, params)"),
    # Line opacity: weight / active heads is a few thousandths for most lines; on a dark page
    # such strokes vanish (and round to near-black), so the view raises them, keeping the order.
    (("bertviz-head",), re.compile(r"return d / activeHeads\(\)"),
     "return window.galleryView.lineOpacity(d / activeHeads())"),
    # Switched-off heads are drawn lighter, which on a dark page makes them stand out instead.
    (("bertviz-head",), re.compile(r"lighten\(headColors\(i\)\)"),
     "window.galleryView.inactiveColor(headColors(i), lighten)"),
    # The head view has no display_mode: it draws itself again when the reader flips the scheme.
    (("bertviz-head",), re.compile(r"(initialize\(\);\s*renderVis\(\);)"),
     r"\1 window.galleryView.redraw(renderVis);"),
    # Model and neuron views: their backgrounds (black in dark mode) become the page's.
    (("bertviz-model", "bertviz-neuron"), re.compile(r"const PALETTE = (\{[^{}]*\{[^{}]*\}[^{}]*\{[^{}]*\}\s*\})"),
     r"const PALETTE = window.galleryView.palette(\1)"),
)


def _round_floats(value: Any, digits: int) -> Any:
    if isinstance(value, float):
        if value != value or value in (float("inf"), float("-inf")):
            return value
        return float(f"{value:.{digits}g}")
    if isinstance(value, list):
        return [_round_floats(v, digits) for v in value]
    if isinstance(value, dict):
        return {k: _round_floats(v, digits) for k, v in value.items()}
    return value


def bertviz_kind(params: Any) -> str | None:
    """"bertviz-head", "-model" or "-neuron" for a bertviz params object; None for other JSON."""
    if not isinstance(params, dict) or "attention" not in params or "root_div_id" not in params:
        return None
    if "bidirectional" in params:
        return "bertviz-neuron"
    if "display_mode" in params:
        return "bertviz-model"
    return "bertviz-head"


def rewrite_params(fragment: str) -> tuple[str, str | None]:
    """Round, escape and wrap every bertviz params object. Returns (fragment, kind).

    bertviz substitutes its params for *every* "PYTHON_PARAMS" in its JS, including the one in
    the comment `// HACK: PYTHON_PARAMS is a template marker...`, so each view carries a second,
    unescaped copy of its data inside a JS comment (half the file, and a way out of the <script>
    for token text). Copies that are not the value of the params assignment get the marker back.
    """
    decoder = json.JSONDecoder()
    out: list[str] = []
    pos = 0
    kind = None
    while True:
        match = _PARAMS_START_RE.search(fragment, pos)
        if match is None:
            break
        start = match.start()
        try:
            params, end = decoder.raw_decode(fragment, start)
        except json.JSONDecodeError:
            out.append(fragment[pos : start + 1])
            pos = start + 1
            continue
        this_kind = bertviz_kind(params)
        out.append(fragment[pos:start])
        pos = end
        if this_kind is None:
            out.append(fragment[start:end])
        elif _PARAMS_ASSIGN_RE.search(fragment, max(0, start - 80), start):
            kind = kind or this_kind
            params = _round_floats(params, ROUND_DIGITS[this_kind])
            # galleryView.params (defined in the document head) sets display_mode from the page.
            out.append(f"window.galleryView.params({script_json(params)})")
        else:
            out.append("PYTHON_PARAMS")
    out.append(fragment[pos:])
    return "".join(out), kind


def apply_fixups(fragment: str, kind: str | None) -> str:
    """Apply the rewrites of FIXUPS that concern a view of this kind."""
    for kinds, pattern, replacement in FIXUPS:
        if kind in kinds:
            fragment = pattern.sub(replacement, fragment, count=1)
    return fragment


def stable_ids(fragment: str, view_id: str) -> str:
    mapping: dict[str, str] = {}
    for found in _UUID_ID_RE.findall(fragment):
        if found not in mapping:
            n = len(mapping) + 1
            mapping[found] = f"bertviz-{view_id}" + ("" if n == 1 else f"-{n}")
    return _UUID_ID_RE.sub(lambda m: mapping[m.group(0)], fragment)
