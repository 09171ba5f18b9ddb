// Figures of the companion website (collabcomm.pipeline.site): a click on a figure's image shows
// it enlarged over the page (scrollable when larger than the screen); a click or Escape closes it.
document.addEventListener("DOMContentLoaded", function () {
  var overlay = null;
  function close() { if (overlay) { overlay.remove(); overlay = null; } }
  document.querySelectorAll("main figure img").forEach(function (img) {
    img.classList.add("cc-zoomable");
    img.setAttribute("title", "Click to enlarge");
    img.addEventListener("click", function () {
      close();
      overlay = document.createElement("div");
      overlay.className = "cc-zoom";
      overlay.setAttribute("role", "dialog");
      overlay.setAttribute("aria-label", img.alt || "Enlarged figure");
      var big = document.createElement("img");
      big.src = img.src;
      big.alt = img.alt;
      overlay.appendChild(big);
      overlay.addEventListener("click", close);
      document.body.appendChild(overlay);
    });
  });
  document.addEventListener("keydown", function (e) { if (e.key === "Escape") { close(); } });
});
