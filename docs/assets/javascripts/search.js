/* Site search that ranks as the API does. Nothing loads until the reader opens search (the
   header's button, "/" or "s"). Then, under `ambidex serve`, the box asks /api/v1/search; on a
   static host it loads search/index.json, which the build writes from the search engine's own
   index, and ranks here exactly as ambidex/search.py does (Whoosh's Porter stemmer, the
   vocabulary's synonyms, typo and prefix expansion, coverage, name bonuses). Every value is
   inserted as text; only <mark> is taken from the API's snippets. */
(function () {
  "use strict";

  var WORD = /[\p{L}\p{N}_]+/gu;

  // ------------------------------------------------------------ Whoosh's Porter stemmer

  var STEP2 = {
    ational: "ate", tional: "tion", enci: "ence", anci: "ance", izer: "ize", bli: "ble",
    alli: "al", entli: "ent", eli: "e", ousli: "ous", ization: "ize", ation: "ate", ator: "ate",
    alism: "al", iveness: "ive", fulness: "ful", ousness: "ous", aliti: "al", iviti: "ive",
    biliti: "ble", logi: "log"
  };
  var STEP3 = { icate: "ic", ative: "", alize: "al", iciti: "ic", ical: "ic", ful: "", ness: "" };
  var C = "[^aeiouy]+", V = "[aeiou]+";
  var MGR0 = new RegExp("^(" + C + ")?" + V + C, "u");
  var MEQ1 = new RegExp("^(" + C + ")?" + V + C + "(" + V + ")?$", "u");
  var MGR1 = new RegExp("^(" + C + ")?" + V + C + V + C, "u");
  var S_V = new RegExp("^(" + C + ")?[aeiouy]", "u");
  var C_V = new RegExp("^" + C + "[aeiouy][^aeiouwxy]$", "u");
  var ED_ING = /^(.*)(ed|ing)$/u;
  // Python's re.match anchors at the start: these two match whole words only, as in Whoosh.
  var AT_BL_IZ = /^(at|bl|iz)$/u;
  var DOUBLE = /^([^aeiouylsz])\1$/u;
  var RE2 = /^(.+?)(ational|tional|enci|anci|izer|bli|alli|entli|eli|ousli|ization|ation|ator|alism|iveness|fulness|ousness|aliti|iviti|biliti|logi)$/u;
  var RE3 = /^(.+?)(icate|ative|alize|iciti|ical|ful|ness)$/u;
  var RE4 = /^(.+?)(al|ance|ence|er|ic|able|ible|ant|ement|ment|ent|ou|ism|ate|iti|ous|ive|ize)$/u;
  var RE4B = /^(.+?)(s|t)(ion)$/u;
  var RE5 = /^(.+?)e$/u;

  function porter(w) {
    if (w.length < 3) return w;
    var firstY = w[0] === "y", m, s;
    if (firstY) w = "Y" + w.slice(1);
    if (w.endsWith("s")) {
      if (w.endsWith("sses") || w.endsWith("ies")) w = w.slice(0, -2);
      else if (w[w.length - 2] !== "s") w = w.slice(0, -1);
    }
    if (w.endsWith("eed")) {
      if (MGR0.test(w.slice(0, -3))) w = w.slice(0, -1);
    } else if ((m = ED_ING.exec(w)) && S_V.test(m[1])) {
      w = m[1];
      if (AT_BL_IZ.test(w)) w += "e";
      else if (DOUBLE.test(w)) w = w.slice(0, -1);
      else if (C_V.test(w)) w += "e";
    }
    if (w.endsWith("y") && S_V.test(w.slice(0, -1))) w = w.slice(0, -1) + "i";
    if ((m = RE2.exec(w)) && MGR0.test(m[1])) w = m[1] + STEP2[m[2]];
    if ((m = RE3.exec(w)) && MGR0.test(m[1])) w = m[1] + STEP3[m[2]];
    if ((m = RE4.exec(w))) {
      if (MGR1.test(m[1])) w = m[1];
    } else if ((m = RE4B.exec(w))) {
      s = m[1] + m[2];
      if (MGR1.test(s)) w = s;
    }
    if ((m = RE5.exec(w))) {
      s = m[1];
      if (MGR1.test(s) || (MEQ1.test(s) && !C_V.test(s))) w = s;
    }
    if (w.endsWith("ll") && MGR1.test(w)) w = w.slice(0, -1);
    if (firstY) w = "y" + w.slice(1);
    return w;
  }

  // ------------------------------------------------------------ the static ranker

  function Ranker(data) {
    var self = this;
    this.c = data.constants;
    this.size = data.size;
    this.docs = data.docs;
    this.terms = new Map(Object.entries(data.terms));
    this.exact = new Map(Object.entries(data.exact));
    this.stop = new Set(data.stop);
    this.analyzerStop = new Set(data.analyzer_stop);
    this.roles = new Set(data.roles || []);
    this.names = new Map(Object.entries(data.names));
    this.words = Array.from(this.names.keys()).sort(byCodePoint);
    this.groups = data.groups;
    this.synonyms = new Map();
    data.groups.forEach(function (g, i) { g.forEach(function (k) { self.synonyms.set(k, i); }); });
    this.deletions = new Map();
    var letters = new Set();
    this.words.forEach(function (word) {
      Array.from(word).forEach(function (ch) { letters.add(ch); });
      new Set([word].concat(deletions(word))).forEach(function (v) {
        if (!self.deletions.has(v)) self.deletions.set(v, []);
        self.deletions.get(v).push(word);
      });
    });
    this.alphabet = Array.from(letters).sort(byCodePoint);
    this.cache = new Map();
  }

  function byCodePoint(a, b) { return a < b ? -1 : a > b ? 1 : 0; }

  function deletions(word) {
    var out = [], chars = Array.from(word);
    for (var i = 0; i < chars.length; i++) out.push(chars.slice(0, i).concat(chars.slice(i + 1)).join(""));
    return out;
  }

  function levenshtein(a, b, cap) {
    a = Array.from(a); b = Array.from(b);
    if (Math.abs(a.length - b.length) > cap) return cap + 1;
    var prev = [], i, j;
    for (j = 0; j <= b.length; j++) prev.push(j);
    for (i = 1; i <= a.length; i++) {
      var cur = [i];
      for (j = 1; j <= b.length; j++) {
        cur.push(Math.min(prev[j] + 1, cur[j - 1] + 1, prev[j - 1] + (a[i - 1] !== b[j - 1] ? 1 : 0)));
      }
      if (Math.min.apply(null, cur) > cap) return cap + 1;
      prev = cur;
    }
    return prev[b.length];
  }

  Ranker.prototype.stemOf = function (word) {
    // Whoosh's StemmingAnalyzer on one lower-case word: stop words and single letters give none.
    if (Array.from(word).length < 2 || this.analyzerStop.has(word)) return "";
    var hit = this.cache.get(word);
    if (hit === undefined) { hit = porter(word); this.cache.set(word, hit); }
    return hit;
  };

  Ranker.prototype.within = function (word, distance, limit) {
    var self = this, variants = new Set([word]), frontier = new Set([word]);
    for (var k = 0; k < distance; k++) {
      var next = new Set();
      frontier.forEach(function (w) { deletions(w).forEach(function (d) { next.add(d); }); });
      frontier = next;
      next.forEach(function (d) { variants.add(d); });
    }
    if (distance >= 2) {
      var chars = Array.from(word);
      for (var i = 1; i <= chars.length; i++) {
        this.alphabet.forEach(function (ch) {
          variants.add(chars.slice(0, i).join("") + ch + chars.slice(i).join(""));
        });
      }
    }
    var found = new Map(), first = Array.from(word)[0];
    variants.forEach(function (v) {
      (self.deletions.get(v) || []).forEach(function (cand) {
        if (!found.has(cand) && Array.from(cand)[0] === first) {
          var d = levenshtein(word, cand, distance);
          if (d <= distance) found.set(cand, d);
        }
      });
    });
    return Array.from(found.keys()).sort(function (a, b) {
      return found.get(a) - found.get(b) || self.names.get(b)[0] - self.names.get(a)[0] || byCodePoint(a, b);
    }).slice(0, limit);
  };

  Ranker.prototype.starting = function (prefix, limit) {
    var self = this, words = this.words.filter(function (w) { return w.startsWith(prefix); });
    if (words.length <= limit) return words;
    return words.sort(function (a, b) {
      return self.names.get(b)[0] - self.names.get(a)[0] || byCodePoint(b, a);
    }).slice(0, limit);
  };

  Ranker.prototype.correct = function (word) {
    if (Array.from(word).length < 4 || this.names.has(word)) return word;
    var best = this.within(word, 2, 1);
    return best.length ? best[0] : word;
  };

  function normalise(text, max) {
    text = text.slice(0, max * 4).normalize("NFKC");
    text = text.replace(/[\x00-\x1f\x7f-\x9f]/g, " ").replace(/[*?~^:\[\]{}()<>\\/+!"]/g, " ");
    return text.replace(/\s+/g, " ").trim().slice(0, max).trim();
  }

  Ranker.prototype.queryWords = function (text) {
    var c = this.c;
    var normal = normalise(text, c.max_query_chars);
    var words = (normal.match(WORD) || []).map(function (w) { return w.toLowerCase().slice(0, c.max_word); });
    return words.slice(0, c.max_terms);
  };

  Ranker.prototype.slots = function (words) {
    var self = this, c = this.c, stop = this.stop;
    var kept = words.filter(function (w) { return !stop.has(w); });
    if (!kept.length) kept = words;
    var stemmed = kept.map(function (w) { return self.stemOf(w) || w; });
    var slots = [], fuzzy = false, i = 0;
    while (i < kept.length) {
      var matched = false;
      for (var n = Math.min(c.max_phrase, kept.length - i); n > 0; n--) {
        var key = Array.from(new Set(stemmed.slice(i, i + n))).sort(byCodePoint).join(" ");
        var group = this.synonyms.get(key);
        if (group !== undefined) {
          var options = [[key.split(" "), 1.0]];
          this.groups[group].forEach(function (k) { if (k !== key) options.push([k.split(" "), c.synonym_weight]); });
          slots.push({ text: kept.slice(i, i + n).join(" "), options: options, words: n, correction: "" });
          i += n;
          matched = true;
          break;
        }
      }
      if (matched) continue;
      var word = kept[i], stem = stemmed[i], length = Array.from(word).length;
      if (this.terms.has(stem)) {
        slots.push({ text: word, options: [[[stem], 1.0]], words: 1, correction: "" });
      } else {
        var expansions = new Map(), near = [];
        if (length >= 4) {
          near = this.within(word, length < 8 ? 1 : 2, 8);
          near.forEach(function (w) { var t = self.names.get(w)[1]; if (!expansions.has(t)) expansions.set(t, c.fuzzy_weight); });
        }
        if (i === kept.length - 1 && length >= 2) {
          this.starting(word, 30).forEach(function (w) { var t = self.names.get(w)[1]; if (!expansions.has(t)) expansions.set(t, c.prefix_weight); });
        }
        var opts = [];
        expansions.forEach(function (weight, t) { if (self.terms.has(t)) opts.push([[t], weight]); });
        if (opts.length) {
          fuzzy = true;
          var correction = near.find(function (w) { return self.terms.has(self.names.get(w)[1]); }) || "";
          slots.push({ text: word, options: opts, words: 1, correction: correction });
        }
      }
      i += 1;
    }
    return { slots: slots, fuzzy: fuzzy };
  };

  Ranker.prototype.term = function (stem) {
    // A stem's documents (ascending) and scores: its BM25 in the text plus, as float32 both,
    // its BM25 in titles and aliases.
    var entry = this.terms.get(stem), docs = entry[1] || [], text = entry[2] || [], heading = entry[3];
    var scores = new Float64Array(docs.length);
    for (var k = 0; k < docs.length; k++) {
      scores[k] = Math.fround(text[k]);
      if (heading) scores[k] += Math.fround(heading[k]) * this.c.heading_weight;
    }
    return { docs: docs.slice(), scores: Array.from(scores) };
  };

  Ranker.prototype.option = function (stems, weight) {
    var self = this;
    if (stems.some(function (t) { return !self.terms.has(t); })) return { docs: [], scores: [] };
    var acc = this.term(stems[0]);
    for (var s = 1; s < stems.length; s++) {
      var more = this.term(stems[s]), at = new Map(), docs = [], scores = [];
      more.docs.forEach(function (d, k) { at.set(d, k); });
      acc.docs.forEach(function (d, k) {
        if (at.has(d)) { docs.push(d); scores.push(acc.scores[k] + more.scores[at.get(d)]); }
      });
      acc = { docs: docs, scores: scores };
    }
    if (weight !== 1.0) acc.scores = acc.scores.map(function (x) { return x * weight; });
    return acc;
  };

  Ranker.prototype.slotScores = function (slot) {
    if (slot.options.length === 1) return this.option(slot.options[0][0], slot.options[0][1]);
    var best = new Map(), self = this;
    slot.options.forEach(function (o) {
      var r = self.option(o[0], o[1]);
      r.docs.forEach(function (d, k) { best.set(d, Math.max(best.get(d) || 0, r.scores[k])); });
    });
    var docs = Array.from(best.keys()).filter(function (d) { return best.get(d) > 0; }).sort(function (a, b) { return a - b; });
    return { docs: docs, scores: docs.map(function (d) { return best.get(d); }) };
  };

  Ranker.prototype.idf = function (df) { return Math.log1p((this.size - df + 0.5) / (df + 0.5)); };

  Ranker.prototype.rarity = function (slot) {
    var self = this, best = 0.0;
    slot.options.forEach(function (o) {
      var sizes = o[0].map(function (t) { var e = self.terms.get(t); return e ? e[0] : 0; });
      if (sizes.length && Math.min.apply(null, sizes) > 0) best = Math.max(best, self.idf(Math.max.apply(null, sizes)));
    });
    return best / (this.idf(1) || 1.0);
  };

  Ranker.prototype.nameBonus = function (slots) {
    var c = this.c, bonus = new Map(), parts = slots.map(function (s) { return s.options[0][0]; });
    for (var i = 0; i < parts.length; i++) {
      for (var j = i + 1; j <= parts.length; j++) {
        var set = new Set();
        parts.slice(i, j).forEach(function (p) { p.forEach(function (t) { set.add(t); }); });
        var named = this.exact.get(Array.from(set).sort(byCodePoint).join(" "));
        if (!named) continue;
        var covered = slots.slice(i, j).reduce(function (a, s) { return a + s.words; }, 0);
        var value = c.name_bonus * covered + (i === 0 && j === parts.length ? c.exact_bonus : 0.0);
        named.forEach(function (d) { bonus.set(d, Math.max(bonus.has(d) ? bonus.get(d) : 0.0, value)); });
      }
    }
    return bonus;
  };

  Ranker.prototype.search = function (text, limit) {
    var self = this, c = this.c, words = this.queryWords(text);
    var found = this.slots(words), slots = found.slots;
    var perSlot = slots.map(function (s) { return self.slotScores(s); });
    var rarity = slots.map(function (s) { return self.rarity(s); });
    // A word that only says who counts for little beside the others (ambidex.roles).
    if (slots.length > 1) {
      var roles = this.roles;
      slots.forEach(function (s, k) {
        if (roles.has(s.text)) {
          perSlot[k] = { docs: perSlot[k].docs, scores: perSlot[k].scores.map(function (x) { return x * c.role_weight; }) };
          rarity[k] *= c.role_weight;
        }
      });
    }
    var score = new Map();
    if (perSlot.length === 1) {
      perSlot[0].docs.forEach(function (d, k) { score.set(d, perSlot[0].scores[k] * (rarity[0] > 0 ? c.coverage : 0.0)); });
    } else if (perSlot.length) {
      var total = new Map(), covered = new Map();
      perSlot.forEach(function (r, s) {
        r.docs.forEach(function (d, k) {
          total.set(d, (total.get(d) || 0.0) + r.scores[k]);
          covered.set(d, (covered.get(d) || 0.0) + rarity[s]);
        });
      });
      var sum = rarity.reduce(function (a, b) { return a + b; }, 0);
      total.forEach(function (t, d) { if (t > 0) score.set(d, t * (c.coverage * covered.get(d) / (sum || 1.0))); });
    }
    this.nameBonus(slots).forEach(function (b, d) { score.set(d, (score.has(d) ? score.get(d) : 0) + b); });
    var ranked = Array.from(score.keys()).filter(function (d) { return score.get(d) > 0; });
    ranked.sort(function (a, b) { return score.get(b) - score.get(a) || a - b; });
    var wanted = new Set();
    slots.forEach(function (s) { s.options.forEach(function (o) { o[0].forEach(function (t) { wanted.add(t); }); }); });
    var fixes = new Map();
    slots.forEach(function (s) { if (s.correction) fixes.set(s.text, s.correction); });
    var corrected = fixes.size ? words.map(function (w) { return fixes.get(w) || w; }).join(" ") : null;
    var suggestion = null;
    if (!ranked.length && words.length) {
      var fixed = words.map(function (w) { return self.correct(w); });
      if (fixed.join(" ") !== words.join(" ")) suggestion = fixed.join(" ");
    }
    return {
      total: ranked.length,
      corrected: corrected,
      suggestion: suggestion,
      items: ranked.slice(0, limit).map(function (d) {
        var doc = self.docs[d];
        return { id: doc[0], type: doc[1], title: doc[2], score: score.get(d), marks: self.highlight(doc[3], wanted) };
      })
    };
  };

  Ranker.prototype.highlight = function (text, wanted) {
    // [text, marked] pieces of the summary around its first match, words whose stem is wanted marked.
    var self = this, hits = [], m, width = 220;
    WORD.lastIndex = 0;
    while ((m = WORD.exec(text))) {
      if (wanted.has(self.stemOf(m[0].toLowerCase()))) hits.push([m.index, m.index + m[0].length]);
    }
    var start = hits.length ? Math.max(0, hits[0][0] - Math.floor(width / 3)) : 0;
    if (start) start = text.indexOf(" ", start) + 1 || start;
    var end = Math.min(text.length, start + width), out = [], last = start;
    if (start) out.push(["… ", false]);
    hits.forEach(function (h) {
      if (start <= h[0] && h[1] <= end) {
        out.push([text.slice(last, h[0]), false], [text.slice(h[0], h[1]), true]);
        last = h[1];
      }
    });
    out.push([text.slice(last, end) + (end < text.length ? " …" : ""), false]);
    return out;
  };

  // ------------------------------------------------------------ where answers come from

  function siteRoot() {
    var config = document.getElementById("__config");
    var root = config ? JSON.parse(config.textContent).base : ".";
    return new URL(root.replace(/\/?$/, "/"), window.location.href);
  }

  var backend = null;

  function staticBackend() {
    var loading = fetch(new URL("search/index.json", siteRoot()).href)
      .then(function (r) { if (!r.ok) throw new Error("no search index"); return r.json(); })
      .then(function (data) { return new Ranker(data); });
    return { name: "static", ask: function (q) { return loading.then(function (r) { return r.search(q, 10); }); } };
  }

  function marksOf(snippet) {
    // The API's snippet is escaped text with <mark> around matches: keep the text and the marks.
    var doc = new DOMParser().parseFromString("<p>" + snippet + "</p>", "text/html");
    return Array.from(doc.body.firstChild.childNodes).map(function (n) {
      return [n.textContent, n.nodeName === "MARK"];
    });
  }

  function servedBackend() {
    var api = new URL("api/v1/search", siteRoot());
    return {
      name: "served",
      ask: function (q) {
        var url = new URL(api.href);
        url.search = new URLSearchParams({ q: q, kind: "concept", per_page: "10" }).toString();
        return fetch(url.href, { headers: { Accept: "application/json" } }).then(function (r) {
          if (!r.ok && r.status !== 422) throw new Error("search failed");
          return r.json();
        }).then(function (answer) {
          return {
            total: answer.total || 0,
            corrected: answer.corrected || null,
            suggestion: answer.suggestion || null,
            items: (answer.items || []).map(function (h) {
              return { id: h.id, type: h.type, title: h.title, score: h.score, marks: marksOf(h.snippet || "") };
            })
          };
        });
      }
    };
  }

  function chooseBackend() {
    // One cheap request the first time search opens: the API's health answers under
    // `ambidex serve`; a static host has no such page.
    if (!backend) {
      backend = fetch(new URL("api/v1/health", siteRoot()).href, { headers: { Accept: "application/json" } })
        .then(function (r) {
          var json = (r.headers.get("content-type") || "").indexOf("json") !== -1;
          return r.ok && json ? servedBackend() : staticBackend();
        })
        .catch(function () { return staticBackend(); });
    }
    return backend;
  }

  // ------------------------------------------------------------ the dialog

  var dialog = null, input, status, list, sequence = 0, timer = null;
  var labels = null;

  function el(tag, attrs, children) {
    var node = document.createElement(tag);
    Object.keys(attrs || {}).forEach(function (k) { node.setAttribute(k, attrs[k]); });
    (children || []).forEach(function (c) { node.appendChild(typeof c === "string" ? document.createTextNode(c) : c); });
    return node;
  }

  function typeLabel(type) {
    if (!labels) {
      var button = document.querySelector("[data-ambidex-search]");
      try { labels = JSON.parse((button && button.getAttribute("data-types")) || "{}"); } catch (e) { labels = {}; }
    }
    return labels[type] || type;
  }

  function build() {
    input = el("input", {
      id: "ambidex-search-input", type: "search", autocomplete: "off", spellcheck: "false",
      autocapitalize: "off", placeholder: "Search concepts", "aria-controls": "ambidex-search-results",
      "aria-describedby": "ambidex-search-status"
    });
    var label = el("label", { for: "ambidex-search-input", class: "ambidex-search-label" }, ["Search concepts"]);
    var close = el("button", { type: "button", class: "ambidex-search-close", "aria-label": "Close search" }, ["×"]);
    status = el("p", { id: "ambidex-search-status", class: "ambidex-search-status", role: "status" });
    list = el("ul", { id: "ambidex-search-results", class: "ambidex-search-results", "aria-label": "Results" });
    var form = el("form", { role: "search", class: "ambidex-search-form" }, [label, input, close]);
    dialog = el("dialog", { class: "ambidex-search", "aria-label": "Search" }, [form, status, list]);
    document.body.appendChild(dialog);
    form.addEventListener("submit", function (e) {
      e.preventDefault();
      var first = list.querySelector("a");
      if (first) first.click();
    });
    close.addEventListener("click", function () { dialog.close(); });
    input.addEventListener("input", function () {
      clearTimeout(timer);
      timer = setTimeout(run, 80);
    });
    dialog.addEventListener("keydown", keys);
    dialog.addEventListener("click", function (e) {
      if (e.target === dialog) dialog.close(); // a click on the backdrop
      else if (e.target.closest && e.target.closest("a")) dialog.close();
    });
  }

  function keys(e) {
    var links = Array.from(list.querySelectorAll("a")), at = links.indexOf(document.activeElement);
    if (e.key === "Escape") {
      // A search field's own Escape only empties it: Escape always closes search.
      e.preventDefault();
      dialog.close();
    } else if (e.key === "ArrowDown") {
      e.preventDefault();
      if (links.length) links[Math.min(at + 1, links.length - 1)].focus();
    } else if (e.key === "ArrowUp") {
      e.preventDefault();
      if (at > 0) links[at - 1].focus();
      else input.focus();
    }
  }

  function render(answer, query) {
    list.textContent = "";
    var root = siteRoot();
    answer.items.forEach(function (item) {
      var summary = el("span", { class: "ambidex-search-summary" });
      item.marks.forEach(function (part) {
        summary.appendChild(part[1] ? el("mark", {}, [part[0]]) : document.createTextNode(part[0]));
      });
      var link = el("a", { href: new URL("concepts/" + encodeURIComponent(item.id) + "/", root).href, "data-id": item.id }, [
        el("span", { class: "ambidex-search-title" }, [item.title]),
        el("span", { class: "ambidex-search-kind" }, [typeLabel(item.type)]),
        summary
      ]);
      list.appendChild(el("li", {}, [link]));
    });
    status.textContent = "";
    if (answer.corrected && answer.items.length) {
      status.appendChild(document.createTextNode("Showing results for "));
      status.appendChild(el("strong", { class: "ambidex-search-corrected" }, [answer.corrected]));
      status.appendChild(document.createTextNode(" · "));
    }
    list.setAttribute("data-query", query);
    if (!answer.items.length) {
      status.appendChild(document.createTextNode("Nothing matches “" + query + "”."));
      if (answer.suggestion) status.appendChild(document.createTextNode(" Did you mean “" + answer.suggestion + "”?"));
    } else {
      status.appendChild(document.createTextNode(answer.total === 1 ? "1 concept" : answer.total + " concepts"));
    }
  }

  function run() {
    var query = input.value.trim(), mine = ++sequence;
    if (!query) { list.textContent = ""; status.textContent = ""; return; }
    chooseBackend().then(function (b) {
      return b.ask(query).catch(function () {
        // An API that went away (or a host that answers health but not search): rank here.
        if (b.name === "served") { backend = Promise.resolve(staticBackend()); return backend.then(function (s) { return s.ask(query); }); }
        throw new Error("search unavailable");
      });
    }).then(function (answer) {
      if (mine === sequence) render(answer, query);
    }).catch(function () {
      if (mine === sequence) status.textContent = "Search is not available right now.";
    });
  }

  function open() {
    if (!dialog) build();
    if (!dialog.open) dialog.showModal();
    input.focus();
    input.select();
    chooseBackend();
  }

  document.addEventListener("click", function (e) {
    if (e.target.closest && e.target.closest("[data-ambidex-search]")) { e.preventDefault(); open(); }
  });
  document.addEventListener("keydown", function (e) {
    var t = e.target, typing = t && (t.isContentEditable || /^(INPUT|TEXTAREA|SELECT)$/.test(t.tagName));
    if (!typing && !e.ctrlKey && !e.metaKey && !e.altKey && (e.key === "/" || e.key === "s")) {
      e.preventDefault();
      e.stopImmediatePropagation();
      open();
    }
  }, true);

  window.ambidexSearch = { porter: porter, Ranker: Ranker, open: open };
})();
