// Catalog behaviours: live country filtering and logo placeholders. No inline scripts (strict CSP).
(function () {
  "use strict";

  // Lowercase and strip accents, so "cote" finds "Côte d'Ivoire" (the server folds the same way).
  function fold(text) {
    return text.toLowerCase().normalize("NFD").replace(/[\u0300-\u036f]/g, "").trim();
  }

  // <input data-country-filter="#list"> hides the list items that do not match as the shopper types.
  document.addEventListener("input", function (event) {
    var input = event.target;
    if (!input.matches || !input.matches("[data-country-filter]")) return;
    var list = document.querySelector(input.getAttribute("data-country-filter"));
    if (!list) return;
    var needle = fold(input.value);
    var shown = 0;
    list.querySelectorAll("li[data-search]").forEach(function (item) {
      var haystack = fold(item.getAttribute("data-search"));
      var code = haystack.slice(0, 2);
      var match = !needle || code === needle || haystack.indexOf(needle) !== -1;
      item.hidden = !match;
      if (match) shown += 1;
    });
    document.querySelectorAll("[data-hide-when-filtering]").forEach(function (el) { el.hidden = !!needle; });
    var empty = document.querySelector("[data-country-empty]");
    if (empty) empty.hidden = shown > 0;
  });

  // A logo that fails to load leaves its initials placeholder showing instead of a broken image.
  function markBroken(img) {
    var holder = img.closest(".logo");
    if (holder) holder.classList.add("is-broken");
  }
  document.addEventListener("error", function (event) {
    var el = event.target;
    if (el && el.matches && el.matches("img.logo-img")) markBroken(el);
  }, true);
  function checkLoaded(root) {
    root.querySelectorAll("img.logo-img").forEach(function (img) {
      if (img.complete && img.naturalWidth === 0 && img.currentSrc) markBroken(img);
    });
  }
  if (document.readyState !== "loading") checkLoaded(document);
  else document.addEventListener("DOMContentLoaded", function () { checkLoaded(document); });

  // When a fragment request fails (supplier down, rate limit), say so where the result would have gone.
  document.addEventListener("htmx:responseError", function (event) {
    var target = event.detail.target;
    if (!target) return;
    var note = document.createElement("p");
    note.className = "notice notice-warn";
    note.setAttribute("role", "alert");
    note.textContent = target.getAttribute("data-error-text") || "Something went wrong. Please try again.";
    var old = target.querySelector(":scope > .notice-warn[role=alert]");
    if (old) old.remove();
    target.prepend(note);
  });
})();
