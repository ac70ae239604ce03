// Kerro for staff: the inbox looks for new flags every few seconds (no reload), and a
// print button prints. Everything works without this file.
(function () {
  "use strict";

  function poll(box) {
    var seconds = parseInt(box.getAttribute("data-poll"), 10) || 20;
    var url = box.getAttribute("data-live");
    var news = document.getElementById("inbox-news");
    window.setInterval(function () {
      fetch(url, { credentials: "same-origin", headers: { "Accept": "text/html" } })
        .then(function (response) {
          if (response.redirected || !response.ok) {
            if (response.redirected) { window.location.reload(); }
            return null;
          }
          return response.text();
        })
        .then(function (html) {
          if (!html) { return; }
          var fresh = new DOMParser().parseFromString(html, "text/html").querySelector(".inbox-list");
          var shown = box.querySelector(".inbox-list");
          if (!fresh || !shown) { return; }
          if (fresh.getAttribute("data-signature") === shown.getAttribute("data-signature")) { return; }
          var focused = document.activeElement && shown.contains(document.activeElement);
          shown.replaceWith(document.importNode(fresh, true));
          if (news) { news.textContent = box.getAttribute("data-news") || news.getAttribute("data-text") || ""; }
          if (focused) { box.focus(); }
        })
        .catch(function () { /* the next round tries again */ });
    }, seconds * 1000);
  }

  document.addEventListener("DOMContentLoaded", function () {
    var box = document.getElementById("inbox");
    if (box) { poll(box); }
    var buttons = document.querySelectorAll("[data-print]");
    for (var i = 0; i < buttons.length; i++) {
      buttons[i].addEventListener("click", function () { window.print(); });
    }
  });
})();
