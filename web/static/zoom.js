// A page image can be zoomed to check small print: the button toggles full size, and the
// figure scrolls. Pinch-zoom works as well (the viewport allows it).
(function () {
  "use strict";
  document.querySelectorAll("figure.page").forEach(function (fig) {
    var button = document.createElement("button");
    button.type = "button";
    button.className = "zoom";
    button.textContent = fig.dataset.zoomIn || "+";
    button.setAttribute("aria-pressed", "false");
    button.addEventListener("click", function () {
      var on = fig.classList.toggle("zoomed");
      button.setAttribute("aria-pressed", on ? "true" : "false");
      button.textContent = on ? (fig.dataset.zoomOut || "−") : (fig.dataset.zoomIn || "+");
      document.querySelectorAll(".box-mark").forEach(function (el) { el.remove(); });
    });
    fig.insertBefore(button, fig.firstChild);
  });
})();
