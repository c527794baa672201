// The order page: when the server offers the order's event stream, refresh the status at once on
// each update; polling (hx-trigger="every 5s") keeps running underneath as the fallback. An event
// carries only the order's new state ({"state": "Done"}): the status fragment shows the rest.
(function () {
  "use strict";
  var root = document.querySelector("[data-stream-url]");
  if (!root || !window.EventSource) return;
  var url = root.getAttribute("data-stream-url");
  var source = null, delay = 1000, stopped = false;

  function changed() { document.body.dispatchEvent(new CustomEvent("order-changed")); }
  function stop() { stopped = true; if (source) { source.close(); source = null; } }

  function connect() {
    if (stopped) return;
    source = new EventSource(url);
    source.addEventListener("message", function (event) {
      try { JSON.parse(event.data); } catch (e) { return; }
      delay = 1000;
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
