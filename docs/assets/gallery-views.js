/*
 * Page side of the gallery's interactive views (gallery_builder/views/standalone.py writes the views).
 *
 * Each view is a standalone document in an <iframe class="gallery-view__frame">. The view and
 * the page talk with window.postMessage ({gv: 1, type, ...}):
 *   view -> page  {type: "hello"}            the view has loaded and wants the colour scheme;
 *   view -> page  {type: "size", height}     the height of the view's content, in CSS pixels;
 *   page -> view  {type: "theme", scheme, bg, fg}
 *                 Material's data-md-color-scheme ("default" | "slate") and the page colours,
 *                 sent on "hello" and whenever the reader flips the light/dark toggle.
 * Messages are matched to frames by event.source, never by anything the message says.
 */
(function () {
  "use strict";

  var FRAME = "iframe.gallery-view__frame";

  function frames() {
    return Array.prototype.slice.call(document.querySelectorAll(FRAME));
  }

  function theme() {
    var body = document.body;
    var style = window.getComputedStyle(body);
    return {
      gv: 1,
      type: "theme",
      scheme: body.getAttribute("data-md-color-scheme") || "default",
      bg: style.backgroundColor,
      fg: style.color
    };
  }

  function send(frame) {
    if (frame.contentWindow) frame.contentWindow.postMessage(theme(), "*");
  }

  function frameFor(source) {
    var all = frames();
    for (var i = 0; i < all.length; i++) {
      if (all[i].contentWindow === source) return all[i];
    }
    return null;
  }

  window.addEventListener("message", function (event) {
    var data = event.data;
    if (!data || data.gv !== 1) return;
    var frame = frameFor(event.source);
    if (!frame) return;
    if (data.type === "hello") {
      send(frame);
    } else if (data.type === "size") {
      var height = Number(data.height);
      if (isFinite(height) && height > 0 && height < 100000) {
        frame.style.height = Math.ceil(height) + "px";
        frame.setAttribute("data-gv-sized", "");
      }
    }
  });

  var lastScheme = null;
  function schemeChanged() {
    var scheme = document.body.getAttribute("data-md-color-scheme");
    if (scheme === lastScheme) return;
    lastScheme = scheme;
    // Material changes the colours through CSS variables: read them after the style recalc.
    window.requestAnimationFrame(function () { frames().forEach(send); });
  }

  function start() {
    lastScheme = document.body.getAttribute("data-md-color-scheme");
    new MutationObserver(schemeChanged).observe(document.body, {
      attributes: true,
      attributeFilter: ["data-md-color-scheme"]
    });
    // Frames that loaded before this script ran said "hello" to nobody: greet them now.
    frames().forEach(send);
  }

  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", start);
  else start();
})();
