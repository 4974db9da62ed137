// Small progressive enhancement: clicking a field's name outlines where it was read on
// the page image. Without JavaScript the page works the same, minus the outline.
(function () {
  "use strict";
  function outline(button) {
    document.querySelectorAll(".box-mark").forEach(function (el) { el.remove(); });
    var fig = document.querySelector('figure.page[data-page="' + button.dataset.page + '"]');
    if (!fig) { return; }
    var img = fig.querySelector("img");
    var b = button.dataset.box.split(",").map(Number);
    if (b.length !== 4 || !img.naturalWidth) { return; }
    var sx = img.clientWidth / img.naturalWidth, sy = img.clientHeight / img.naturalHeight;
    var mark = document.createElement("div");
    mark.className = "box-mark";
    mark.style.left = (img.offsetLeft + b[0] * sx) + "px";
    mark.style.top = (img.offsetTop + b[1] * sy) + "px";
    mark.style.width = ((b[2] - b[0]) * sx) + "px";
    mark.style.height = ((b[3] - b[1]) * sy) + "px";
    fig.appendChild(mark);
    mark.scrollIntoView({ block: "center", behavior: "smooth" });
  }
  document.querySelectorAll("button.fieldlink").forEach(function (button) {
    button.addEventListener("click", function () { outline(button); });
  });
})();
