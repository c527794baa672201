// The CSRF failure page: "Back to the form" goes back in history, where the browser keeps what was
// typed; the link's own href (the form's page, opened afresh) stays for when there is no history.
(function () {
  "use strict";
  document.addEventListener("click", function (event) {
    var link = event.target.closest && event.target.closest("[data-history-back]");
    if (!link || window.history.length < 2) return;
    event.preventDefault();
    window.history.back();
  });
})();
