// The order page: when the server offers the order's event stream, refresh the status at once on
// each update; polling (hx-trigger="every 5s") keeps running underneath as the fallback. An event
// carries only what the page shows ({"state": "Done", "paid": "25", "due": "0"}); the first one is
// the order as the server knows it, so the page refreshes only when that differs from what it shows.
(function () {
  "use strict";
  var root = document.querySelector("[data-stream-url]");
  if (!root || !window.EventSource) return;
  var url = root.getAttribute("data-stream-url");
  var source = null, delay = 1000, stopped = false;
  var shown = root.getAttribute("data-live");

  function changed() { document.body.dispatchEvent(new CustomEvent("order-changed")); }
  function stop() { stopped = true; if (source) { source.close(); source = null; } }

  function connect() {
    if (stopped) return;
    source = new EventSource(url);
    source.addEventListener("message", function (event) {
      try { JSON.parse(event.data); } catch (e) { return; }
      delay = 1000;
      if (event.data === shown) return;
      shown = event.data;
      changed();
    });
    source.addEventListener("stop", function () { changed(); stop(); });
    source.addEventListener("error", function () {
      if (stopped) return;
      source.close(); source = null;
      // Back off; after a few failures polling alone carries the page.
      if (delay > 30000) return;
      setTimeout(connect, delay);
      delay *= 2;
    });
  }
  connect();
  window.addEventListener("pagehide", stop);
})();
