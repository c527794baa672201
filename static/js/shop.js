// Small behaviours shared by every page; no inline scripts, so the CSP can forbid them.
(function () {
  "use strict";

  function onReady(fn) {
    if (document.readyState !== "loading") fn(); else document.addEventListener("DOMContentLoaded", fn);
  }

  // Selects marked data-autosubmit submit their form on change (language and country pickers).
  document.addEventListener("change", function (event) {
    var el = event.target;
    if (!(el.matches && el.matches("select[data-autosubmit]") && el.form)) return;
    keepCurrentPage(el.form);
    el.form.submit();
  });

  // htmx may have pushed a new URL (a search, a page) since the switcher was rendered: send the
  // address bar's page, without its language prefix, so the shopper stays where they are.
  function keepCurrentPage(form) {
    var input = form.querySelector("input[data-current-page]");
    if (!input) return;
    var prefix = input.getAttribute("data-language-prefix") || "";
    var path = window.location.pathname;
    if (prefix && (path === prefix || path.indexOf(prefix + "/") === 0)) path = path.slice(prefix.length) || "/";
    input.value = path + window.location.search;
  }

  // Buttons with data-copy="text" or data-copy-target="#id" copy to the clipboard and say so.
  document.addEventListener("click", function (event) {
    var button = event.target.closest && event.target.closest("[data-copy],[data-copy-target]");
    if (!button) return;
    var text = button.getAttribute("data-copy");
    if (text === null) {
      var target = document.querySelector(button.getAttribute("data-copy-target"));
      text = target ? target.textContent.trim() : "";
    }
    var done = function () {
      var label = button.getAttribute("data-copied-label") || "Copied";
      var original = button.textContent;
      button.textContent = label;
      setTimeout(function () { button.textContent = original; }, 1600);
    };
    if (navigator.clipboard && window.isSecureContext) {
      navigator.clipboard.writeText(text).then(done, function () {});
    } else {
      var area = document.createElement("textarea");
      area.value = text; document.body.appendChild(area); area.select();
      try { document.execCommand("copy"); done(); } catch (e) { /* the text stays selectable */ }
      document.body.removeChild(area);
    }
  });

  // Elements with data-countdown-to="<ISO time>" count down to it (the server's clock decides expiry).
  function tick() {
    document.querySelectorAll("[data-countdown-to]").forEach(function (el) {
      var end = Date.parse(el.getAttribute("data-countdown-to"));
      if (isNaN(end)) return;
      var left = Math.max(0, Math.floor((end - Date.now()) / 1000));
      var m = Math.floor(left / 60), s = left % 60;
      el.textContent = m + ":" + (s < 10 ? "0" : "") + s;
      el.classList.toggle("countdown-low", left < 300);
    });
  }
  onReady(function () { tick(); setInterval(tick, 1000); });
  document.addEventListener("htmx:afterSwap", tick);
})();
