/* The Guide page: sends the situation to the Ambidex API and shows the answer as a short card
   (what is at stake, what to do now, questions to ask, what to watch, evidence).

   The API is the one serving this site, or the one named at build time (AMBIDEX_API_URL, in a
   <meta name="ambidex-api"> tag). Before anything is typed the page asks it for its health; when
   there is none, the page says what it needs. Every value from the answer is inserted as text,
   never as HTML; the live region announces a one-line summary only. */
(function () {
  "use strict";

  function siteBase() {
    var config = document.getElementById("__config");
    var root = config ? JSON.parse(config.textContent).base : ".";
    return new URL(root.replace(/\/?$/, "/"), window.location.href);
  }

  function apiBase() {
    var meta = document.querySelector('meta[name="ambidex-api"]');
    var named = meta && meta.getAttribute("content");
    return named ? new URL(named.replace(/\/?$/, "/"), window.location.href) : siteBase();
  }

  function el(tag, attrs, children) {
    var node = document.createElement(tag);
    Object.keys(attrs || {}).forEach(function (k) { node.setAttribute(k, attrs[k]); });
    (children || []).forEach(function (c) {
      if (c !== null && c !== undefined) {
        node.appendChild(typeof c === "string" ? document.createTextNode(c) : c);
      }
    });
    return node;
  }

  function conceptLink(id, title) {
    return el("a", { href: new URL("concepts/" + encodeURIComponent(id) + "/", siteBase()).href }, [title]);
  }

  function cite(citation) {
    if (!citation) return null;
    var link = el("a", { href: new URL("references/#" + encodeURIComponent(citation.key), siteBase()).href }, [
      citation.in_text
    ]);
    var badge = citation.label ? el("span", { class: "ambidex-guide-badge" }, [citation.label]) : null;
    return el("span", { class: "ambidex-guide-cite" }, [" ", link, badge ? " " : null, badge]);
  }

  function strength(confidence) {
    if (confidence >= 0.7) return "strong match";
    if (confidence >= 0.5) return "good match";
    return "partial match";
  }

  function section(title, children) {
    return el("section", { class: "ambidex-guide-part" }, [el("h3", {}, [title])].concat(children));
  }

  function quoted(words) {
    return words.map(function (w) { return "“" + w + "”"; }).join(", ");
  }

  function diagnosis(answer) {
    return answer.diagnosis.map(function (d) {
      var lean = d.lean
        ? el("p", { class: "ambidex-guide-lean" }, [
            el("strong", {}, ["Your team leans towards: "]), d.lean.pole.toLowerCase(),
            d.lean.signalled_by.length ? " (you said " + quoted(d.lean.signalled_by.slice(0, 4)) + ")" : ""
          ])
        : el("p", { class: "ambidex-guide-lean" }, ["No clear lean either way in what you describe."]);
      return el("div", { class: "ambidex-guide-tension" }, [
        el("p", { class: "ambidex-guide-title" }, [
          conceptLink(d.id, d.title), " ", el("span", { class: "ambidex-guide-match" }, [strength(d.confidence)])
        ]),
        el("p", {}, [d.stake]),
        lean
      ]);
    });
  }

  function list(tag, items, render) {
    return el(tag, { class: "ambidex-guide-list" }, items.map(function (item) { return el("li", {}, render(item)); }));
  }

  function summary(answer) {
    if (!answer.diagnosis.length) return answer.message || "The guide found nothing to say.";
    var first = answer.diagnosis[0];
    var line = first.title + (first.lean ? ", leaning towards " + first.lean.pole.toLowerCase() : ", no clear lean");
    var counts = [];
    if (answer.moves.length) counts.push(answer.moves.length + (answer.moves.length === 1 ? " move" : " moves"));
    if (answer.questions.length) counts.push(answer.questions.length + (answer.questions.length === 1 ? " question" : " questions"));
    if (answer.watch.length) counts.push(answer.watch.length + (answer.watch.length === 1 ? " risk" : " risks") + " to watch");
    return "Answer: " + line + (counts.length ? ". " + counts.join(", ") + "." : ".");
  }

  function render(answer, target) {
    target.textContent = "";
    var card = el("article", { class: "ambidex-guide-card", "aria-labelledby": "guide-answer-title" }, [
      el("h2", { id: "guide-answer-title", tabindex: "-1" }, ["The guide’s answer"])
    ]);
    if (answer.message) {
      card.appendChild(el("p", { class: "ambidex-guide-message" }, [answer.message]));
    }
    if (answer.did_you_mean.length) {
      card.appendChild(el("p", {}, ["Perhaps one of these: "].concat(
        answer.did_you_mean.reduce(function (acc, c, i) {
          return acc.concat(i ? [", "] : [], [conceptLink(c.id, c.title)]);
        }, [])
      )));
    }
    if (answer.diagnosis.length) {
      card.appendChild(section("What is at stake", diagnosis(answer)));
    }
    if (answer.moves.length) {
      card.appendChild(section("What to do now", [list("ol", answer.moves, function (m) {
        return [m.text, cite(m.citation)];
      })]));
    }
    if (answer.questions.length) {
      card.appendChild(section("Questions to ask", [list("ul", answer.questions, function (q) { return [q.text]; })]));
    }
    if (answer.watch.length) {
      card.appendChild(section("What to watch", [list("ul", answer.watch, function (w) {
        return [conceptLink(w.id, w.title), ": " + w.evidence, cite(w.citation)];
      })]));
    }
    if (answer.evidence.length) {
      card.appendChild(section("Evidence", [list("ul", answer.evidence, function (e) {
        return [e.text, cite(e.citation), " — ", conceptLink(e.concept.id, e.concept.title)];
      })]));
    }
    target.appendChild(card);
  }

  function needsApi(notice, button) {
    notice.textContent = "";
    notice.appendChild(document.createTextNode(
      "The guide needs the Ambidex API, and this copy of the site is served without it. Run "));
    notice.appendChild(el("code", {}, ["ambidex serve"]));
    notice.appendChild(document.createTextNode(" (or "));
    notice.appendChild(el("code", {}, ["make serve"]));
    notice.appendChild(document.createTextNode(") and open this page there."));
    notice.hidden = false;
    button.disabled = true;
  }

  function setUp() {
    var form = document.getElementById("guide-form");
    if (!form || form.dataset.ready) return;
    form.dataset.ready = "1";
    var target = document.getElementById("guide-answer");
    var status = document.getElementById("guide-status");
    var notice = document.getElementById("guide-needs");
    var button = form.querySelector("button[type=submit]");
    var api = apiBase();
    fetch(new URL("api/v1/health", api).href, { headers: { Accept: "application/json" } })
      .then(function (r) {
        if (!r.ok || (r.headers.get("content-type") || "").indexOf("json") === -1) throw new Error(String(r.status));
      })
      .catch(function () { needsApi(notice, button); });
    form.addEventListener("submit", function (event) {
      event.preventDefault();
      var situation = document.getElementById("guide-situation").value.trim();
      if (!situation) return;
      status.textContent = "Asking the guide…";
      target.setAttribute("aria-busy", "true");
      var url = new URL("api/v1/guide", api);
      url.searchParams.set("situation", situation);
      fetch(url.href, { headers: { Accept: "application/json" } })
        .then(function (r) {
          if ((r.headers.get("content-type") || "").indexOf("json") === -1) throw new Error(String(r.status));
          return r.json().then(function (body) {
            if (!r.ok) throw new Error(body.detail || String(r.status));
            return body;
          });
        })
        .then(function (answer) {
          render(answer, target);
          status.textContent = summary(answer);
          var heading = document.getElementById("guide-answer-title");
          if (heading) heading.focus();
        })
        .catch(function (error) {
          target.textContent = "";
          if (/^\d+$/.test(error.message) || error instanceof TypeError) {
            needsApi(notice, button);
            status.textContent = "The guide is not available here.";
          } else {
            status.textContent = error.message;
          }
        })
        .then(function () { target.removeAttribute("aria-busy"); });
    });
  }

  if (typeof window.document$ !== "undefined") {
    window.document$.subscribe(setUp);
  } else {
    document.addEventListener("DOMContentLoaded", setUp);
  }
})();
