// Progressive enhancement for the portal. Every page works without this file.
(function () {
  "use strict";

  // A paint switch on the model page redraws only the gallery: carry the chosen paint into the
  // booking link, so the booking page opens on it.
  document.addEventListener("click", function (event) {
    var swatch = event.target instanceof Element && event.target.closest("a.swatch-link");
    var book = document.querySelector("a[data-book-link]");
    if (!swatch || !book) return;
    var paint = new URL(swatch.href, location.href).searchParams.get("paint");
    var url = new URL(book.href, location.href);
    url.searchParams.set("paint", paint);
    book.href = url.pathname + url.search;
  });

  document.addEventListener("submit", function (event) {
    var form = event.target;
    if (!(form instanceof HTMLFormElement)) return;

    // htmx may have pushed a new address since the page loaded; the language switch should
    // bring the customer back to where they are now, filters included.
    if (form.matches(".language-switch")) {
      var next = form.querySelector("input[name=next]");
      if (next) next.value = location.pathname + location.search;
    }

    // On a phone the open filter panel hides the results: fold it away and show them.
    if (form.matches("form.filters")) {
      var panel = form.querySelector("details.filters__panel");
      var summary = panel && panel.querySelector("summary");
      if (panel && summary && summary.offsetParent !== null) {
        panel.open = false;
        var results = document.getElementById("results");
        if (results) results.scrollIntoView({ behavior: "smooth", block: "start" });
      }
    }
  });
})();
