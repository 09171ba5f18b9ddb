// Live figures (collabcomm.live): draw every embedded Vega-Lite specification with the vendored
// vega-embed, as SVG, without its action menu (which links to the internet). Glue only: the
// figures, their controls and their numbers are all in the specifications.
(function () {
  "use strict";
  function controls(el) {
    el.querySelectorAll(".vega-bindings input").forEach(function (input) {
      // in the slides, arrow keys move a focused slider and reveal.js leaves them alone;
      // Escape or Enter hands the keyboard back to the deck, and so does letting go of the mouse
      input.addEventListener("keydown", function (ev) {
        if (ev.key === "Escape" || ev.key === "Enter") { input.blur(); ev.stopPropagation(); }
      });
      input.addEventListener("pointerup", function () { input.blur(); });
    });
  }
  function embedAll() {
    document.querySelectorAll("script.collabcomm-live-spec").forEach(function (script) {
      var el = document.getElementById(script.getAttribute("data-target"));
      if (!el || el.getAttribute("data-state")) { return; }
      el.setAttribute("data-state", "drawing");
      vegaEmbed(el, JSON.parse(script.textContent),
                {mode: "vega-lite", renderer: "svg", actions: false})
        .then(function (result) {
          el.collabcommView = result.view;
          controls(el);
          el.setAttribute("data-state", "ready");
        })
        .catch(function (err) {
          el.setAttribute("data-state", "failed");
          el.textContent = "This live figure could not be drawn: " + err;
          console.error(err);
        });
    });
  }
  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", embedAll);
  } else {
    embedAll();
  }
})();
