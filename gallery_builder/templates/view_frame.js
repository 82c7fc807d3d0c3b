(function () {
  "use strict";
  var doc = document.documentElement;
  var embedded = window.parent !== window;
  var state = { usesMode: false, managed: false, height: -1, measurements: 0 };
  var MIN_ZOOM = 0.5;  // other HTML (tables): below this, scroll sideways
  var DARK_LINE_GAIN = 2;  // see lineOpacity

  function fromParent() {
    if (!embedded) return null;
    try {
      var body = window.parent.document.body;
      if (!body) return null;
      var style = window.parent.getComputedStyle(body);
      return { scheme: body.getAttribute("data-md-color-scheme"),
               bg: style.backgroundColor, fg: style.color };
    } catch (e) {
      return null;  // another origin, or a file: URL
    }
  }
  function systemScheme() {
    return window.matchMedia && window.matchMedia("(prefers-color-scheme: dark)").matches
      ? "slate" : "default";
  }
  function isDark(scheme) { return scheme === "slate"; }
  function applyTheme(theme) {
    state.scheme = theme.scheme || "default";
    if (theme.bg) state.bg = theme.bg;
    doc.setAttribute("data-gv-scheme", isDark(state.scheme) ? "dark" : "light");
    if (theme.bg) doc.style.setProperty("--gv-bg", theme.bg);
    if (theme.fg) doc.style.setProperty("--gv-fg", theme.fg);
  }
  // The reader's own text (gallery_builder/live/js/live-page.mjs): the page stores the tokens and
  // every layer's attention in this frame's window.name and reloads it; bertviz then draws them
  // instead of the author's sentence. Tokens stay data: bertviz writes them with d3's .text().
  function liveParams(params) {
    var live = null;
    try {
      var stored = JSON.parse(window.name || "null");
      if (stored && stored.galleryLive) live = stored.galleryLive;
    } catch (e) { live = null; }
    if (!live || !params || !params.attention) return params;
    var layers = params.include_layers || live.attention.map(function (_, i) { return i; });
    var n = live.tokens.length;
    var a = [0, live.bStart || n], b = [live.bStart || n, n];
    // bertviz's entries: one sequence; or a pair's All, A->A, B->B, A->B, B->A (head_view.py).
    var spans = params.attention.length === 1 ? [[[0, n], [0, n]]]
      : params.attention.length === 5 && live.bStart ? [[[0, n], [0, n]], [a, a], [b, b], [a, b], [b, a]] : null;
    if (!spans) return params;
    spans.forEach(function (span, k) {
      var rows = span[0], cols = span[1];
      params.attention[k].attn = layers.map(function (l) {
        return live.attention[l].map(function (head) {
          return head.slice(rows[0], rows[1]).map(function (row) { return row.slice(cols[0], cols[1]); });
        });
      });
      params.attention[k].left_text = live.tokens.slice(rows[0], rows[1]);
      params.attention[k].right_text = live.tokens.slice(cols[0], cols[1]);
    });
    state.live = { tokens: live.tokens.slice(), layers: layers, bStart: live.bStart || null };
    return params;
  }

  var initial = fromParent();
  applyTheme(initial && initial.scheme ? initial : { scheme: systemScheme() });

  // Colours of the page behind the view (Material's default and slate backgrounds until the
  // page says otherwise).
  function pageBackground() {
    return state.bg || (isDark(state.scheme) ? "rgb(30, 33, 41)" : "rgb(255, 255, 255)");
  }

  // One colour per head. Up to 10 heads: d3's category10, as bertviz draws them. More heads:
  // hues evenly spaced around the HCL wheel, every other head darker, which keeps any two
  // heads at least about 20 CIELAB units apart up to 20 heads. On a dark page every colour is
  // lighter, so that thin strokes stand out from the background; the hues stay the same.
  function headPalette(d3, n, dark) {
    var colours = [];
    for (var i = 0; i < n; i++) {
      var c;
      if (n <= 10) {
        if (!dark) { colours.push(d3.schemeCategory10[i]); continue; }
        c = d3.hcl(d3.schemeCategory10[i]);
        c.l = Math.max(c.l + 15, 68);
      } else {
        var odd = i % 2 === 1;
        c = d3.hcl((50 + i * 360 / n) % 360, dark ? 40 : 50, dark ? (odd ? 64 : 82) : (odd ? 40 : 60));
      }
      colours.push(c.rgb().toString());  // d3 clamps out-of-gamut channels here
    }
    return colours;
  }

  window.galleryView = {
    // bertviz params pass through here: views with a display_mode follow the page.
    params: function (params) {
      if (params && typeof params === "object" && "display_mode" in params) {
        state.usesMode = true;
        params.display_mode = isDark(state.scheme) ? "dark" : "light";
      }
      return liveParams(params);
    },
    live: function () { return state.live || null; },
    scheme: function () { return state.scheme; },
    measurements: function () { return state.measurements; },

    // The head view's colour scale: a function of the head index, read at every draw.
    headColors: function (d3, params) {
      var n = 0;
      try {
        n = params.attention[params.default_filter].attn[0].length;
      } catch (e) { n = 10; }
      var cache = {};
      return function (i) {
        var key = isDark(state.scheme) ? "dark" : "light";
        if (!cache[key]) cache[key] = headPalette(d3, Math.max(n, 1), key === "dark");
        return cache[key][i % cache[key].length];
      };
    },
    // Stroke opacity of an attention line, given bertviz's (weight / active heads). Light pages
    // keep bertviz's value. On a dark page a thin line of opacity o is much fainter than on white
    // (and Chromium rounds very faint strokes towards black), so o is raised by a monotone curve:
    // the order of the weights stays readable, and weights near 1 stay near 1.
    lineOpacity: function (o) {
      if (!isDark(state.scheme) || !(o > 0)) return o;
      return Math.min(1, 1 - Math.pow(1 - Math.min(o, 1), DARK_LINE_GAIN));
    },
    // Colour of a switched-off head's box: bertviz lightens it; on a dark page, it fades into
    // the background instead.
    inactiveColor: function (colour, lighten) {
      if (!isDark(state.scheme)) return lighten(colour);
      return mix(colour, pageBackground(), 0.7);
    },
    // Model and neuron views: their palettes' backgrounds become the page's.
    palette: function (palette) {
      var bg = pageBackground();
      ["light", "dark"].forEach(function (mode) {
        if (!palette[mode]) return;
        if ("background" in palette[mode]) palette[mode].background = bg;
      });
      if (palette.dark && "highlight" in palette.dark) palette.dark.highlight = mix("#ffffff", bg, 0.9);
      return palette;
    },
    // A view without a display_mode registers how to draw itself again.
    redraw: function (fn) { state.redraw = fn; }
  };

  // "#rrggbb" or "rgb(r, g, b)" as [r, g, b].
  function rgb(colour) {
    var m = /^#([0-9a-f]{2})([0-9a-f]{2})([0-9a-f]{2})$/i.exec(colour);
    if (m) return [parseInt(m[1], 16), parseInt(m[2], 16), parseInt(m[3], 16)];
    m = /rgba?\(\s*([\d.]+)[,\s]+([\d.]+)[,\s]+([\d.]+)/i.exec(colour);
    return m ? [+m[1], +m[2], +m[3]] : [128, 128, 128];
  }
  // Colour a mixed with colour b: `amount` of b (0..1).
  function mix(a, b, amount) {
    var x = rgb(a), y = rgb(b);
    var out = x.map(function (v, k) { return Math.round(v + (y[k] - v) * amount); });
    return "rgb(" + out.join(", ") + ")";
  }

  function post(message) {
    if (!embedded) return;
    message.gv = 1;
    window.parent.postMessage(message, "*");
  }

  window.addEventListener("message", function (event) {
    var data = event.data;
    if (event.source !== window.parent || !data || data.gv !== 1) return;
    if (data.type === "theme") {
      if (!state.managed) {
        state.managed = true;
        doc.classList.add("gv-managed");
        state.height = -1;
        schedule();
      }
      var changed = isDark(data.scheme) !== isDark(state.scheme);
      if (changed && state.redraw) {
        applyTheme(data);
        state.redraw();
        return;
      }
      if (changed && state.usesMode) {
        // The view drew itself with the old display_mode: draw it again from scratch.
        applyTheme(data);
        window.location.reload();
        return;
      }
      applyTheme(data);
    }
  });

  // Size: shrink content wider than the frame, then tell the page how tall the content is.
  // bertviz views always shrink to fit (a phone shows all of the view, smaller); other HTML, such
  // as a wide table, shrinks down to MIN_ZOOM and then scrolls sideways.
  var pending = false;
  function schedule() {
    if (pending) return;
    pending = true;
    window.requestAnimationFrame(function () { pending = false; measure(); });
  }
  function isBertviz() { return (doc.getAttribute("data-gv-kind") || "").indexOf("bertviz") === 0; }

  // The box of what an SVG shows: getBBox() counts hidden groups too (the neuron view keeps its
  // 1000 px wide expanded drawing hidden while it shows the 420 px collapsed one), so groups that
  // are hidden, with nothing visible inside, are taken out while it measures.
  function visibleBox(svg) {
    var hidden = [];
    for (var i = 0; i < svg.children.length; i++) {
      var child = svg.children[i];
      if (window.getComputedStyle(child).visibility === "hidden" &&
          !child.querySelector('[visibility="visible"]')) {
        hidden.push([child, child.style.display]);
        child.style.display = "none";
      }
    }
    var box = null;
    try { box = svg.getBBox(); } catch (e) { box = null; }
    hidden.forEach(function (pair) { pair[0].style.display = pair[1]; });
    return box;
  }
  // bertviz sizes some of its SVGs at width="100%" and draws past that width (the neuron view's
  // expanded state, any view in a narrow frame), or left of x=0 (long tokens, right-aligned):
  // give each SVG the width of what it shows, so that the zoom below shrinks the view instead
  // of the SVG clipping it.
  function fitSvgs(root) {
    if (!isBertviz()) return;
    var svgs = root.getElementsByTagName("svg");
    for (var i = 0; i < svgs.length; i++) {
      var svg = svgs[i];
      if (svg.ownerSVGElement) continue;
      var box = visibleBox(svg);
      if (!box) continue;
      var declared = /^\s*\d+(\.\d+)?(px)?\s*$/.test(svg.getAttribute("width") || "")
        ? parseFloat(svg.getAttribute("width")) : 0;
      var left = Math.max(0, Math.ceil(-box.x));
      var width = Math.max(declared, Math.ceil(box.x + box.width + 4));
      svg.style.width = width + "px";
      svg.style.marginLeft = left ? left + "px" : "";
      svg.style.overflow = left ? "visible" : "";
    }
  }
  function measure() {
    var root = document.getElementById("gv-root");
    if (!root) return;
    state.measurements++;
    root.style.zoom = "";
    fitSvgs(root);
    var available = doc.clientWidth;
    var needed = doc.scrollWidth;
    var zoom = needed > available + 1 ? available / needed : 1;
    var scroll = !isBertviz() && zoom < MIN_ZOOM;
    if (scroll) zoom = MIN_ZOOM;
    if (zoom !== 1) root.style.zoom = String(zoom);
    doc.classList.toggle("gv-scroll-x", scroll);
    var rect = root.getBoundingClientRect();
    var height = Math.ceil(rect.height + (scroll ? window.innerHeight - doc.clientHeight : 0));
    if (height !== state.height) {
      state.height = height;
      post({ type: "size", height: height });
    }
    if (mutations) mutations.takeRecords();  // our own changes are no reason to measure again
  }

  var mutations = null;
  function start() {
    var root = document.getElementById("gv-root");
    if (window.ResizeObserver) new ResizeObserver(schedule).observe(root);
    // Re-measure when the view redraws (new layer, filter, expanded token). Not on "style":
    // hover effects change it constantly, and so does measure() itself.
    mutations = new MutationObserver(schedule);
    mutations.observe(root, {
      childList: true, subtree: true, characterData: true, attributes: true,
      attributeFilter: ["width", "height", "x", "y", "transform", "visibility", "class", "hidden", "open"]
    });
    window.addEventListener("resize", schedule);
    window.addEventListener("load", schedule);
    post({ type: "hello" });
    schedule();
  }
  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", start);
  else start();
})();
