// Playbook default theme: progressive enhancement only. Every page works
// without this script; with it, headings get copy-link anchors, the
// header gets search over /search.json, and the adoption form shows the
// team's status and sends an idempotency key. No external requests.
(function () {
  "use strict";

  var doc = document;

  function el(tag, cls, text) {
    var e = doc.createElement(tag);
    if (cls) e.className = cls;
    if (text != null) e.textContent = text;
    return e;
  }

  // Where you are: the section tree marks the current page.
  var here = location.pathname;
  doc.querySelectorAll(".tree a").forEach(function (a) {
    if (a.pathname === here) a.setAttribute("aria-current", "page");
    else if (a.getAttribute("aria-current")) a.removeAttribute("aria-current");
  });

  var home = doc.querySelector(".site-title");
  doc.querySelectorAll(".main-nav a").forEach(function (a) {
    if (a.pathname !== (home ? home.pathname : "/") && a.origin === location.origin && here.indexOf(a.pathname) === 0) {
      a.setAttribute("aria-current", a.pathname === here ? "page" : "true");
    }
  });

  // Printed cards carry the page's full address.
  doc.querySelectorAll(".print-url").forEach(function (e) {
    e.textContent = location.origin + location.pathname;
  });

  // Copy-link anchors on headings with ids.
  doc.querySelectorAll("main :is(h2, h3, h4)[id]").forEach(function (h) {
    if (h.closest(".toc")) return;
    var a = el("a", "anchor", "#");
    a.href = "#" + h.id;
    a.setAttribute("aria-label", "Copy link to section " + h.textContent.trim());
    a.addEventListener("click", function () {
      var url = location.origin + location.pathname + location.search + "#" + h.id;
      if (navigator.clipboard) {
        navigator.clipboard.writeText(url).then(function () {
          a.classList.add("copied");
          setTimeout(function () { a.classList.remove("copied"); }, 1500);
        }, function () {});
      }
    });
    h.appendChild(a);
  });

  adoption();
  search();

  // uuid is a random idempotency key; crypto.randomUUID needs a secure
  // context, getRandomValues does not.
  function uuid() {
    if (crypto.randomUUID) return crypto.randomUUID();
    var b = crypto.getRandomValues(new Uint8Array(16));
    return Array.prototype.map.call(b, function (x) { return (x + 256).toString(16).slice(1); }).join("");
  }

  function adoption() {
    var form = doc.querySelector(".adopt form");
    if (!form) return;
    var key = el("input");
    key.type = "hidden";
    key.name = "key";
    key.value = uuid();
    form.appendChild(key);

    var practice = form.elements.practice.value;
    var base = form.getAttribute("action").replace(/\/report$/, "");
    var out = doc.querySelector(".adopt-status");
    var labels = { trying: "Trying it", adopted: "Adopted", dropped: "Dropped", "not-started": "Not started" };
    fetch(base + "/api/status?practice=" + encodeURIComponent(practice), {
      credentials: "include", headers: { Accept: "application/json" }
    }).then(function (r) {
      return r.ok ? r.json() : null;
    }).then(function (s) {
      if (!s || !out) return;
      out.textContent = "";
      if (s.team) {
        out.appendChild(doc.createTextNode("Your team, " + s.team + ": "));
        out.appendChild(el("strong", "", s.status ? (labels[s.status] || s.status) : "not reported yet"));
        if (s.stale) out.appendChild(doc.createTextNode(" (please confirm it still holds)"));
        out.appendChild(doc.createTextNode(". "));
        var radio = s.status && form.querySelector('input[name="status"][value="' + s.status + '"]');
        if (radio && !form.querySelector('input[name="status"]:checked')) radio.checked = true;
      }
      if (s.teams > 0) {
        out.appendChild(el("span", "adopt-count", "Adopted by " + s.adopted + " of " + s.teams +
          (s.teams === 1 ? " team." : " teams.")));
      }
      out.hidden = !out.textContent;
    }).catch(function () {});
  }

  function search() {
    var box = doc.querySelector(".search");
    if (!box || !window.fetch) return;
    var input = box.querySelector("input");
    var panel = box.querySelector(".search-panel");
    var list = box.querySelector("#search-results");
    var status = box.querySelector(".search-status");
    var kinds = { practice: "Practice", questions: "Question set", script: "Resistance script", section: "Section" };
    var index = null, loading = null, results = [];
    box.hidden = false;

    function load() {
      if (!loading) {
        loading = fetch(box.getAttribute("data-index")).then(function (r) {
          if (!r.ok) throw new Error(r.status);
          return r.json();
        }).then(prepare).catch(function () {
          status.textContent = "Search is not available right now.";
        });
      }
      return loading;
    }

    // prepare decodes each page's delta-coded word ids into postings:
    // for every dictionary word, the pages whose body uses it, in typed
    // arrays (two passes: count, then fill) to keep large sites light.
    function prepare(data) {
      var more = "wxyzABCDEFGHIJKLMNOPQRSTUVWXYZ-_", last = "0123456789abcdefghijklmnopqrstuv";
      function each(f) {
        data.pages.forEach(function (p, i) {
          var w = p.w || "", id = 0, v = 0;
          for (var j = 0; j < w.length; j++) {
            var c = w.charAt(j), d = more.indexOf(c);
            if (d >= 0) { v = v * 32 + d; continue; }
            id += v * 32 + last.indexOf(c);
            v = 0;
            f(id, i);
          }
        });
      }
      var count = new Uint32Array(data.words.length);
      each(function (id) { count[id]++; });
      var post = Array.prototype.map.call(count, function (n) { return new Uint32Array(n); });
      count.fill(0);
      each(function (id, i) { post[id][count[id]++] = i; });
      data.pages.forEach(function (p) { p.w = null; });
      index = { data: data, post: post };
    }

    // heading returns a page's heading n as [id, text].
    function heading(p, n) {
      var h = p.h[n];
      return typeof h === "string" ? [slug(h), h] : h;
    }

    // slug is the heading id the build gave ASCII text whose id the index
    // left out: lower case, spaces and hyphens to one hyphen, the rest of
    // the punctuation dropped (generator/markdown's Slugify).
    function slug(s) {
      var out = "", dash = false;
      s.toLowerCase().split("").forEach(function (c) {
        if (/[a-z0-9_]/.test(c)) {
          if (dash && out) out += "-";
          dash = false;
          out += c;
        } else if (c === "-" || /\s/.test(c)) dash = true;
      });
      return out;
    }

    function words(s) {
      return s.toLowerCase().split(/[^\p{L}\p{N}]+/u).filter(Boolean);
    }

    // lowerBound is the first dictionary index whose word is >= w.
    function lowerBound(dict, w) {
      var lo = 0, hi = dict.length;
      while (lo < hi) {
        var mid = (lo + hi) >> 1;
        if (dict[mid] < w) lo = mid + 1; else hi = mid;
      }
      return lo;
    }

    // matcher returns a function that scores how well a text matches a
    // query term: 2 for a whole word, 1 for the start of a word, 0 for none.
    function matcher(term) {
      var re = new RegExp("(?:^|[^\\p{L}\\p{N}])" + term.replace(/[.*+?^${}()|[\]\\]/g, "\\$&") +
        "([\\p{L}\\p{N}]?)", "giu");
      return function (text) {
        var best = 0, m;
        re.lastIndex = 0;
        while (best < 2 && (m = re.exec(text))) best = m[1] ? 1 : 2;
        return best;
      };
    }

    function run(q) {
      var terms = words(q);
      results = [];
      if (!terms.length || !index) return;
      var data = index.data, dict = data.words;
      var inBody = terms.map(function (t) {
        var seen = new Uint8Array(data.pages.length);
        for (var k = lowerBound(dict, t); k < dict.length && dict[k].lastIndexOf(t, 0) === 0; k++) {
          var exact = dict[k] === t ? 2 : 1;
          var list = index.post[k];
          for (var j = 0; j < list.length; j++) if (seen[list[j]] < exact) seen[list[j]] = exact;
        }
        return seen;
      });
      var phrase = terms.join(" "), match = terms.map(matcher);
      data.pages.forEach(function (p, i) {
        var score = 0, head = -1, hs = p.h || [];
        for (var n = 0; n < terms.length; n++) {
          var s = 0, ht = match[n](p.t);
          s += ht * 10;
          for (var h = 0; h < hs.length; h++) {
            var hh = match[n](typeof hs[h] === "string" ? hs[h] : hs[h][1]);
            if (hh) { s += hh * 3; if (head < 0 && !ht) head = h; break; }
          }
          s += match[n](p.d || "") * 2 + inBody[n][i];
          if (!s) return; // every term must match somewhere
          score += s;
        }
        if (p.t.toLowerCase().indexOf(phrase) >= 0) score += 15;
        if (p.k === "section") score -= 1;
        results.push({ p: p, score: score, heading: head });
      });
      results.sort(function (a, b) { return b.score - a.score || a.p.t.localeCompare(b.p.t); });
      results = results.slice(0, 12);
    }

    // highlight writes text into parent with the query terms marked.
    function highlight(parent, text, terms) {
      var re = new RegExp("(^|[^\\p{L}\\p{N}])(" + terms.map(function (t) {
        return t.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
      }).join("|") + ")", "giu");
      var at = 0, m;
      while ((m = re.exec(text))) {
        var start = m.index + m[1].length;
        parent.appendChild(doc.createTextNode(text.slice(at, start)));
        parent.appendChild(el("mark", "", m[2]));
        at = start + m[2].length;
        if (!m[0].length) re.lastIndex++;
      }
      parent.appendChild(doc.createTextNode(text.slice(at)));
    }

    // render lists the results as plain links: Tab and the arrow keys
    // move through them, Enter follows one, and they open in a new tab as
    // any link does.
    function render(q) {
      var terms = words(q);
      list.textContent = "";
      if (!terms.length) { close(); return; }
      status.textContent = results.length ? results.length + (results.length === 1 ? " result" : " results") +
        (results.length === 12 ? " (best first)" : "") : "Nothing found for “" + q + "”.";
      results.forEach(function (r) {
        var p = r.p, li = el("li"), a = el("a");
        var h = r.heading >= 0 ? heading(p, r.heading) : null;
        a.href = p.u + (h ? "#" + h[0] : "");
        var title = el("span", "r-title");
        highlight(title, p.t, terms);
        a.appendChild(title);
        var kind = kinds[p.k] || "", section = p.s >= 0 ? index.data.sections[p.s] : "";
        if (kind && section.toLowerCase().indexOf(kind.toLowerCase()) >= 0) section = ""; // "Practice · Practices"
        var meta = [kind, section].filter(Boolean).join(" · ");
        if (meta) a.appendChild(el("span", "r-meta", meta));
        var text = el("span", "r-text");
        highlight(text, h ? "§ " + h[1] : (p.d || ""), terms);
        a.appendChild(text);
        li.appendChild(a);
        list.appendChild(li);
      });
      panel.hidden = false;
    }

    function close() {
      panel.hidden = true;
    }

    // move focuses result i of the list, or the input below 0.
    function move(i) {
      var links = list.querySelectorAll("a");
      if (i < 0 || !links.length) { input.focus(); return; }
      links[Math.min(i, links.length - 1)].focus();
    }

    var pending = 0;
    input.addEventListener("input", function () {
      var q = input.value, n = ++pending;
      load().then(function () {
        if (n !== pending) return; // a newer query is on its way
        run(q);
        render(q);
      });
    });
    input.addEventListener("focus", function () {
      load();
      if (input.value && list.children.length) panel.hidden = false;
    });
    box.addEventListener("focusout", function (e) {
      if (!box.contains(e.relatedTarget)) close();
    });
    box.addEventListener("keydown", function (e) {
      var links = Array.prototype.slice.call(list.querySelectorAll("a"));
      var at = links.indexOf(doc.activeElement);
      if (e.key === "ArrowDown") {
        e.preventDefault();
        panel.hidden = false;
        move(at + 1);
      } else if (e.key === "ArrowUp") {
        e.preventDefault();
        move(at - 1);
      } else if (e.key === "Enter" && e.target === input) {
        if (links.length && !panel.hidden) { e.preventDefault(); location.href = links[0].href; }
      } else if (e.key === "Escape") {
        if (!panel.hidden) close(); else input.value = "";
        input.focus();
      } else if (at >= 0 && e.key.length === 1 && !e.ctrlKey && !e.metaKey && !e.altKey) {
        input.focus(); // typing goes on in the search box
      }
    });
    doc.addEventListener("keydown", function (e) {
      if (e.key !== "/" || e.ctrlKey || e.metaKey || e.altKey) return;
      var t = e.target;
      if (t.isContentEditable || /^(INPUT|TEXTAREA|SELECT)$/.test(t.tagName)) return;
      e.preventDefault();
      input.focus();
      input.select();
    });
  }
})();
