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
  var es = new EventSource("/__playbook/events");
  // Tests (and the curious) can tell when the page is listening.
  es.onopen = function () { document.documentElement.setAttribute("data-playbook-live", "open"); };
  es.addEventListener("reload", function () { location.reload(); });
  es.addEventListener("css", function (e) { hideOverlay(); swapCSS(JSON.parse(e.data)); });
  es.addEventListener("problems", function (e) { showOverlay(JSON.parse(e.data)); });
})();
