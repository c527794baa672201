// Cart and checkout behaviours; everything also works without this file.
(function () {
  "use strict";
  document.documentElement.classList.add("js");

  function onReady(fn) {
    if (document.readyState !== "loading") fn(); else document.addEventListener("DOMContentLoaded", fn);
  }

  // Show the full-name field only when a Tron network is picked (the server enforces the rule).
  function syncFullName(form) {
    var box = form.querySelector("[data-full-name]");
    if (!box || !box.classList.contains("js-collapsible")) return;
    var picked = form.querySelector("input[name=payment]:checked");
    var needed = !!(picked && picked.hasAttribute("data-needs-full-name"));
    box.classList.toggle("is-collapsed", !needed);
  }

  onReady(function () {
    var form = document.querySelector("[data-checkout-form]");
    if (form) {
      syncFullName(form);
      form.addEventListener("change", function (event) {
        if (event.target.name === "payment") syncFullName(form);
      });
      // One click, one submit: the idempotency key makes a double submit harmless, this makes it rare.
      form.addEventListener("submit", function () {
        var button = form.querySelector("[data-submit]");
        if (button) {
          setTimeout(function () { button.disabled = true; }, 0);
          button.setAttribute("aria-busy", "true");
        }
      });
    }
    var problems = document.getElementById("form-problems");
    if (problems) problems.focus();
  });
  // A removed cart line takes its Remove button with it: put focus on the Remove button of the
  // line now in its place (or the one before it) instead of leaving it on <body>. An empty cart
  // focuses its "empty" sentence (shop.js, data-focus-fallback).
  var removedIndex = -1;
  document.addEventListener("htmx:beforeRequest", function (event) {
    var form = event.target;
    if (!(form.matches && form.matches(".cart-line-remove"))) return;
    var buttons = Array.prototype.slice.call(document.querySelectorAll("[data-remove-line]"));
    removedIndex = buttons.indexOf(form.querySelector("[data-remove-line]"));
  });
  document.addEventListener("htmx:afterSwap", function (event) {
    if (removedIndex < 0 || !event.target || event.target.id !== "cart") return;
    var buttons = document.querySelectorAll("[data-remove-line]");
    var next = buttons[Math.min(removedIndex, buttons.length - 1)];
    removedIndex = -1;
    if (next) next.focus();
  });

  // Page restored from the back-forward cache: let the shopper submit again (same key, same order).
  window.addEventListener("pageshow", function () {
    var button = document.querySelector("[data-submit]");
    if (button) { button.disabled = false; button.removeAttribute("aria-busy"); }
  });
})();
