(function () {
  "use strict";
  var doc = document.documentElement;
  var embedded = window.parent !== window;
  var state = { usesMode: false, managed: false, height: -1, measurements: 0 };
  var MIN_ZOOM = 0.5;

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
    doc.setAttribute("data-gv-scheme", isDark(state.scheme) ? "dark" : "light");
    if (theme.bg) doc.style.setProperty("--gv-bg", theme.bg);
    if (theme.fg) doc.style.setProperty("--gv-fg", theme.fg);
  }
  var initial = fromParent();
  applyTheme(initial && initial.scheme ? initial : { scheme: systemScheme() });

  window.galleryView = {
    // bertviz params pass through here: views with a display_mode follow the page.
    params: function (params) {
      if (params && typeof params === "object" && "display_mode" in params) {
        state.usesMode = true;
        params.display_mode = isDark(state.scheme) ? "dark" : "light";
      }
      return params;
    },
    scheme: function () { return state.scheme; },
    measurements: function () { return state.measurements; }
  };

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
      if (changed && state.usesMode) {
        // The view drew itself with the old display_mode: draw it again from scratch.
        applyTheme(data);
        window.location.reload();
        return;
      }
      applyTheme(data);
    }
  });

  // Size: shrink content wider than the frame (down to MIN_ZOOM, then scroll sideways),
  // then tell the page how tall the content is.
  var pending = false;
  function schedule() {
    if (pending) return;
    pending = true;
    window.requestAnimationFrame(function () { pending = false; measure(); });
  }
  // bertviz sizes some of its SVGs at width="100%" and draws past that width (the neuron view's
  // expanded state, any view in a narrow frame), or left of x=0 (long tokens, right-aligned):
  // give each SVG the fixed width of its drawing, so that the zoom below shrinks the view
  // instead of the SVG clipping it.
  function fitSvgs(root) {
    if ((doc.getAttribute("data-gv-kind") || "").indexOf("bertviz") !== 0) return;
    var svgs = root.getElementsByTagName("svg");
    for (var i = 0; i < svgs.length; i++) {
      var svg = svgs[i];
      if (svg.ownerSVGElement) continue;
      var box;
      try { box = svg.getBBox(); } catch (e) { continue; }
      var declared = /^\s*\d+(\.\d+)?(px)?\s*$/.test(svg.getAttribute("width") || "")
        ? parseFloat(svg.getAttribute("width")) : 0;
      var width = Math.max(declared, Math.ceil(box.x + box.width + 4));
      if (width > (parseFloat(svg.style.width) || 0)) svg.style.width = width + "px";
      var left = Math.ceil(-box.x);
      if (left > (parseFloat(svg.style.marginLeft) || 0)) {
        svg.style.marginLeft = left + "px";
        svg.style.overflow = "visible";
      }
    }
  }
  function measure() {
    var root = document.getElementById("gv-root");
    if (!root) return;
    state.measurements++;
    fitSvgs(root);
    root.style.zoom = "";
    var available = doc.clientWidth;
    var needed = doc.scrollWidth;
    var zoom = needed > available + 1 ? available / needed : 1;
    var scroll = zoom < MIN_ZOOM;
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
