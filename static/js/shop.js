// Small behaviours shared by every page; no inline scripts, so the CSP can forbid them.
(function () {
  "use strict";

  function onReady(fn) {
    if (document.readyState !== "loading") fn(); else document.addEventListener("DOMContentLoaded", fn);
  }

  // The language switcher changes the language only when its button is pressed: a select that
  // submitted on change would reload the page at the first arrow key (WCAG 3.2.2).
  document.addEventListener("submit", function (event) {
    var form = event.target;
    if (form.matches && form.matches(".language-switcher")) keepCurrentPage(form);
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

  // One live region per page (#announcer, in base.html), there and empty from the first paint:
  // screen readers ignore a live region that is inserted already filled, so fragments never carry
  // their own; what they mark data-announce is copied here after each swap.
  var pending = [], flushTimer = null;
  function announce(text) {
    var region = document.getElementById("announcer");
    text = (text || "").replace(/\s+/g, " ").trim();
    if (!region || !text) return;
    pending.push(text);
    clearTimeout(flushTimer);
    // Emptied first, so the same words said twice (two copies, the same count) are spoken twice.
    region.textContent = "";
    flushTimer = setTimeout(function () {
      region.textContent = pending.join(" ");
      pending = [];
    }, 150);
  }
  window.shopAnnounce = announce;

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
      var original = button.getAttribute("data-label") || button.textContent;
      button.setAttribute("data-label", original);
      button.textContent = label;
      announce(label);
      setTimeout(function () { button.textContent = original; }, 1600);
    };
    if (navigator.clipboard && window.isSecureContext) {
      navigator.clipboard.writeText(text).then(done, function () {});
    } else {
      var area = document.createElement("textarea");
      area.value = text; document.body.appendChild(area); area.select();
      try { document.execCommand("copy"); done(); } catch (e) { /* the text stays selectable */ }
      document.body.removeChild(area);
      button.focus();
    }
  });

  // A polled fragment marked data-swap-if-changed is swapped only when its answer differs from
  // what is shown (the countdown's text aside): every swap would replace the focused button and
  // make screen readers read it again. The signatures are the browser's own serialization of the
  // server's HTML, taken before any script touched the page, so equal answers compare equal.
  var signatures = {};
  function signature(el) {
    var copy = el.cloneNode(true);
    copy.querySelectorAll("[data-countdown-to]").forEach(function (timer) { timer.textContent = ""; });
    return copy.outerHTML;
  }
  document.querySelectorAll("[data-swap-if-changed][id]").forEach(function (el) {
    signatures[el.id] = signature(el);
  });
  document.addEventListener("htmx:beforeSwap", function (event) {
    var target = event.detail.target;
    if (!target || !event.detail.shouldSwap) return;
    target.setAttribute("data-had-focus", target.contains(document.activeElement) ? "1" : "");
    if (!target.id || !target.hasAttribute("data-swap-if-changed")) return;
    var holder = document.createElement("template");
    holder.innerHTML = event.detail.serverResponse || "";
    var next = holder.content.getElementById(target.id);
    if (!next) return;
    var sig = signature(next);
    if (sig === signatures[target.id]) event.detail.shouldSwap = false;
    else signatures[target.id] = sig;
  });

  // After a swap: say what the fragment marks data-announce, and if the focused element went with
  // the old fragment (and htmx found no element with its id to focus again), focus the new
  // fragment's [data-focus-fallback] rather than leave focus on <body>.
  var lastSaid = {};
  document.addEventListener("htmx:afterSettle", function (event) {
    var root = event.target;
    if (!root || !root.querySelectorAll || !root.isConnected) return;
    var parts = [];
    var marked = root.matches("[data-announce]") ? [root] : [];
    root.querySelectorAll("[data-announce]").forEach(function (el) { marked.push(el); });
    marked.forEach(function (el) {
      var text = el.textContent.replace(/\s+/g, " ").trim();
      var key = el.getAttribute("data-announce");
      // data-announce="changed": said only when it differs from the last time (a status headline).
      if (key && key !== "always") {
        if (lastSaid[key] === text) return;
        lastSaid[key] = text;
      }
      parts.push(text);
    });
    var hadFocus = event.detail.target && event.detail.target.getAttribute("data-had-focus") === "1";
    var lost = !document.activeElement || document.activeElement === document.body;
    if (hadFocus && lost) {
      var fallback = root.matches("[data-focus-fallback]") ? root : root.querySelector("[data-focus-fallback]");
      if (fallback) fallback.focus();
    }
    if (parts.length) announce(parts.join(" "));
  });
  onReady(function () {
    document.querySelectorAll("[data-announce]").forEach(function (el) {
      var key = el.getAttribute("data-announce");
      if (key && key !== "always") lastSaid[key] = el.textContent.replace(/\s+/g, " ").trim();
    });
  });

  // Elements with data-countdown-to="<ISO time>" count down to it (the server's clock decides expiry).
  // The timer is not a live region: it is read on demand, and #announcer says the time left only
  // when it crosses 10, 5 and 1 minutes (data-say-10, data-say-5, data-say-1 hold the words).
  var crossed = {};
  function tick() {
    document.querySelectorAll("[data-countdown-to]").forEach(function (el) {
      var end = Date.parse(el.getAttribute("data-countdown-to"));
      if (isNaN(end)) return;
      var left = Math.max(0, Math.floor((end - Date.now()) / 1000));
      var m = Math.floor(left / 60), s = left % 60;
      el.textContent = m + ":" + (s < 10 ? "0" : "") + s;
      el.classList.toggle("countdown-low", left < 300);
      [10, 5, 1].forEach(function (minutes) {
        var key = el.getAttribute("data-countdown-to") + "|" + minutes;
        var below = left <= minutes * 60;
        // Said when seen crossing, not on a page opened below the mark.
        if (below && crossed[key] === false) announce(el.getAttribute("data-say-" + minutes));
        crossed[key] = below;
      });
    });
  }
  onReady(function () { tick(); setInterval(tick, 1000); });
  document.addEventListener("htmx:afterSwap", tick);
})();
