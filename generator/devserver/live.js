// Playbook's live reload, injected by `playbook serve` only.
(function () {
  "use strict";
  var overlayID = "playbook-problems";
  function hideOverlay() {
    var o = document.getElementById(overlayID);
    if (o) o.remove();
  }
  function showOverlay(problems) {
    hideOverlay();
    var o = document.createElement("div");
    o.id = overlayID;
    o.setAttribute("role", "alert");
    o.style.cssText = "position:fixed;inset:auto 0 0 0;max-height:60vh;overflow:auto;z-index:2147483647;" +
      "background:#2b0b0b;color:#fff;font:14px/1.5 ui-monospace,monospace;padding:1em 1.5em;border-top:4px solid #e5484d";
    var h = document.createElement("strong");
    h.textContent = "The last rebuild failed; this is the last good version of the site.";
    o.appendChild(h);
    var ul = document.createElement("ul");
    problems.forEach(function (p) {
      var li = document.createElement("li");
      var pos = p.file + (p.line ? ":" + p.line + (p.col ? ":" + p.col : "") : "");
      li.textContent = (pos ? pos + ": " : "") + p.message;
      ul.appendChild(li);
    });
    o.appendChild(ul);
    document.body.appendChild(o);
  }
  function swapCSS(files) {
    var links = document.querySelectorAll('link[rel="stylesheet"]');
    Array.prototype.forEach.call(links, function (l) {
      var u = new URL(l.href, location.href);
      var match = files.some(function (f) { return u.pathname === "/" + f; });
      if (!match || u.origin !== location.origin) return;
      u.searchParams.set("live", Date.now());
      var n = l.cloneNode();
      n.href = u.href;
      n.onload = function () { l.remove(); };
      l.after(n);
    });
  }
  function handle(name, data) {
    if (name === "reload") location.reload();
    else if (name === "css") { hideOverlay(); swapCSS(JSON.parse(data)); }
    else if (name === "problems") showOverlay(JSON.parse(data));
  }
  // Tests (and the curious) can tell when the page is listening.
  function listening() { document.documentElement.setAttribute("data-playbook-live", "open"); }

  // A browser opens at most six connections to a host over HTTP/1.1, and
  // an event stream holds one for good: with a stream per tab, the
  // seventh tab of the preview would never load. So one tab holds the
  // stream (the Web Lock) and passes its events to the others.
  var channel = typeof BroadcastChannel === "function" ? new BroadcastChannel("playbook-live") : null;
  function stream() {
    var es = new EventSource("/__playbook/events");
    var lost = false;
    es.onerror = function () { lost = true; };
    es.onopen = function () {
      listening();
      // Back after the server went away: it may be a new build.
      if (lost) { if (channel) channel.postMessage({ name: "reload" }); location.reload(); }
    };
    ["reload", "css", "problems"].forEach(function (name) {
      es.addEventListener(name, function (e) {
        if (channel) channel.postMessage({ name: name, data: e.data });
        handle(name, e.data);
      });
    });
  }
  function lead() {
    stream();
    return new Promise(function () {}); // held until the tab goes
  }
  if (channel && navigator.locks) {
    channel.onmessage = function (m) { handle(m.data.name, m.data.data); };
    navigator.locks.request("playbook-live", { ifAvailable: true }, function (lock) {
      if (lock) return lead();
      listening(); // another tab holds the stream and passes events on
      navigator.locks.request("playbook-live", lead); // and this one, after it
    });
  } else {
    stream();
  }
})();
