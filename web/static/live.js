// The intake page refreshes its lists by itself: the page's CSP allows only this file's script.
(function () {
  var box = document.getElementById("live");
  if (!box) return;
  function refresh() {
    fetch(box.dataset.src, {credentials: "same-origin", headers: {"X-Requested-With": "fetch"}})
      .then(function (r) {
        // signed out meanwhile (idle, or elsewhere): let the whole page go to the sign-in
        if (r.redirected || r.status === 401 || r.status === 403) { window.location.reload(); return null; }
        return r.ok ? r.text() : null;
      })
      .then(function (html) { if (html !== null) box.innerHTML = html; })
      .catch(function () {})
      .then(function () { setTimeout(refresh, 2000); });
  }
  setTimeout(refresh, 2000);
})();
