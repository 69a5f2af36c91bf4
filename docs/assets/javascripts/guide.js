/* The Guide page: sends the situation to the API served beside the site and shows the answer.
   Every value from the answer is inserted as text, never as HTML. */
(function () {
  "use strict";

  function base() {
    var config = document.getElementById("__config");
    var root = config ? JSON.parse(config.textContent).base : ".";
    return new URL(root.replace(/\/?$/, "/"), window.location.href);
  }

  function el(tag, attrs, children) {
    var node = document.createElement(tag);
    Object.keys(attrs || {}).forEach(function (k) { node.setAttribute(k, attrs[k]); });
    (children || []).forEach(function (c) {
      node.appendChild(typeof c === "string" ? document.createTextNode(c) : c);
    });
    return node;
  }

  function conceptLink(item) {
    return el("a", { href: new URL("concepts/" + encodeURIComponent(item.id) + "/", base()).href }, [item.title]);
  }

  function why(item) {
    var parts = [];
    if (item.why.matched.length) {
      parts.push("matched “" + item.why.matched.join("”, “") + "”");
    }
    if (item.why.path.length) {
      parts.push("via " + item.why.path.map(function (step) {
        var cites = step.citations.map(function (c) { return c.in_text; }).join(" ");
        return step.source + " —" + step.relation + "→ " + step.target + (cites ? " " + cites : "");
      }).join(", "));
    }
    return el("span", { class: "ambidex-why" }, [parts.length ? " — " + parts.join("; ") : ""]);
  }

  function entry(item) {
    var cites = item.citations.map(function (c) { return c.in_text; }).join(" ");
    return el("li", { "data-id": item.id }, [conceptLink(item), ": " + item.summary + (cites ? " " + cites : ""), why(item)]);
  }

  function section(title, items) {
    if (!items.length) return null;
    return el("section", { class: "ambidex-guide-section" }, [el("h2", {}, [title]), el("ul", {}, items.map(entry))]);
  }

  function render(answer, target) {
    target.textContent = "";
    if (!answer.tensions.length) {
      target.appendChild(el("p", {}, ["No tension in the knowledge base matches these words. Try describing who wants what."]));
      return;
    }
    var tensions = el("section", { class: "ambidex-guide-section" }, [el("h2", {}, ["Tensions at play"])]);
    answer.tensions.forEach(function (t) {
      var poles = t.poles.map(function (p) {
        var li = entry(p);
        if (p.id === t.lean) li.insertBefore(el("strong", { class: "ambidex-lean" }, ["Your situation leans here: "]), li.firstChild);
        return li;
      });
      tensions.appendChild(el("article", { class: "ambidex-tension", "data-id": t.tension.id }, [
        el("h3", {}, [conceptLink(t.tension)]), el("p", {}, [t.tension.summary, why(t.tension)]),
        el("ul", { "aria-label": "Its poles" }, poles)
      ]));
    });
    target.appendChild(tensions);
    [["Risks of leaning too far", answer.risks], ["Practices that help", answer.practices],
     ["Traits that help", answer.traits], ["Drivers", answer.drivers], ["Outcomes", answer.outcomes]]
      .forEach(function (pair) {
        var s = section(pair[0], pair[1]);
        if (s) target.appendChild(s);
      });
  }

  function setUp() {
    var form = document.getElementById("guide-form");
    if (!form || form.dataset.ready) return;
    form.dataset.ready = "1";
    var target = document.getElementById("guide-answer");
    form.addEventListener("submit", function (event) {
      event.preventDefault();
      var situation = document.getElementById("guide-situation").value.trim();
      if (!situation) return;
      target.textContent = "Asking the guide…";
      var url = new URL("api/v1/guide", base());
      url.searchParams.set("situation", situation);
      fetch(url.href, { headers: { Accept: "application/json" } })
        .then(function (r) {
          if (!r.ok || (r.headers.get("content-type") || "").indexOf("json") === -1) throw new Error(String(r.status));
          return r.json();
        })
        .then(function (answer) { render(answer, target); })
        .catch(function () {
          target.textContent = "";
          target.appendChild(el("p", { class: "ambidex-guide-offline", role: "status" }, [
            "The guide needs the Ambidex API, which this host does not serve. Run `ambidex serve` " +
            "(or `make serve`) and open this page there, or ask any running copy at /api/v1/guide?situation=…"
          ]));
        });
    });
  }

  if (typeof window.document$ !== "undefined") {
    window.document$.subscribe(setUp);
  } else {
    document.addEventListener("DOMContentLoaded", setUp);
  }
})();
