// Typeset math with the site's own KaTeX (served from assets/katex/, see gallery_builder/page/katex.py):
// \( \) and \[ \] come from pymdownx.arithmatex ($...$ in Markdown) and from docutils (reST).
(function () {
  var options = {
    delimiters: [
      { left: "\\[", right: "\\]", display: true },
      { left: "\\(", right: "\\)", display: false },
      { left: "\\begin{equation*}", right: "\\end{equation*}", display: true },
      { left: "\\begin{equation}", right: "\\end{equation}", display: true },
      { left: "\\begin{align*}", right: "\\end{align*}", display: true },
      { left: "\\begin{align}", right: "\\end{align}", display: true },
    ],
    throwOnError: false,
  };
  function typeset() {
    if (typeof window.renderMathInElement !== "function") return;
    document.querySelectorAll(".arithmatex, .gallery-rest .math").forEach(function (element) {
      window.renderMathInElement(element, options);
    });
  }
  if (window.document$ && typeof window.document$.subscribe === "function") {
    window.document$.subscribe(typeset); // Material: on every page, instant navigation included
  } else {
    document.addEventListener("DOMContentLoaded", typeset);
  }
})();
