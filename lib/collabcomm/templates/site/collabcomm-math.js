// Typesets the site's formulas with the vendored KaTeX (collabcomm.pipeline.site): Sphinx writes
// each formula as \( ... \) in span.math or \[ ... \] in div.math; nothing else on a page is
// read as math, so a dollar sign in a table stays a dollar sign.
document.addEventListener("DOMContentLoaded", function () {
  document.querySelectorAll(".math").forEach(function (element) {
    renderMathInElement(element, {
      delimiters: [
        {left: "\\[", right: "\\]", display: true},
        {left: "\\(", right: "\\)", display: false},
        {left: "\\begin{equation}", right: "\\end{equation}", display: true},
        {left: "\\begin{align}", right: "\\end{align}", display: true}
      ],
      throwOnError: false
    });
  });
});
