/* The full concept map: it opens fitted to its frame; pan (drag with a mouse, two fingers on a
   touch screen), zoom (buttons, + and - keys, the wheel while Ctrl, Alt or Cmd is held, a pinch),
   filters by kind of concept and by relation ("related" starts hidden), and a box that finds a
   concept and brings it into view. A plain wheel and a one-finger swipe scroll the page. The map
   itself is an SVG drawn at build time; without this script it is shown whole and scrolls. */
(function () {
  "use strict";
  function init() {
    var frame = document.querySelector('.ambidex-map[data-map="full"]');
    if (!frame || frame.dataset.ready) return;
    frame.dataset.ready = "1";
    var svg = frame.querySelector("svg");
    var full = svg.viewBox.baseVal;
    var bounds = { x: full.x, y: full.y, w: full.width, h: full.height };
    frame.classList.add("is-interactive");
    var view = { x: 0, y: 0, w: bounds.w, h: bounds.h };
    var status = document.querySelector(".ambidex-map-status");

    function apply() {
      svg.setAttribute("viewBox", [view.x, view.y, view.w, view.h].map(function (v) {
        return Math.round(v * 10) / 10;
      }).join(" "));
      svg.dataset.scale = String(scale());
    }
    function scale() {
      return svg.clientWidth / view.w;
    }
    function aspect() {
      return svg.clientHeight / Math.max(svg.clientWidth, 1);
    }
    // The map opens fitted by the SVG itself (its viewBox is the whole map, "meet"): the view is
    // worked out from the frame's size only when the reader first moves or zooms, so opening
    // the page forces no layout.
    var synced = false;
    function sync() {
      if (synced) return;
      synced = true;
      fit();
    }
    function zoomTo(s, cx, cy) {
      sync();
      var w = svg.clientWidth / s;
      var h = w * aspect();
      view = { x: cx - w / 2, y: cy - h / 2, w: w, h: h };
      apply();
    }
    function zoomBy(factor, px, py) {
      sync();
      var s = scale() * factor;
      s = Math.min(Math.max(s, 0.1), 4);
      var rect = svg.getBoundingClientRect();
      var fx = px === undefined ? 0.5 : (px - rect.left) / rect.width;
      var fy = py === undefined ? 0.5 : (py - rect.top) / rect.height;
      var ax = view.x + view.w * fx;
      var ay = view.y + view.h * fy;
      var w = svg.clientWidth / s;
      var h = w * aspect();
      view = { x: ax - w * fx, y: ay - h * fy, w: w, h: h };
      apply();
    }
    function fit() {
      synced = true;
      var s = Math.min(svg.clientWidth / bounds.w, svg.clientHeight / bounds.h);
      zoomTo(s, bounds.x + bounds.w / 2, bounds.y + bounds.h / 2);
    }
    function say(text) {
      if (status) status.textContent = text;
    }

    // Dragging pans; a drag never counts as a click on a concept.
    var pointers = new Map();
    var dragged = false;
    var pinch = null;
    frame.addEventListener("pointerdown", function (e) {
      if (e.pointerType === "touch") return; // touch: see the touch handlers below
      pointers.set(e.pointerId, { x: e.clientX, y: e.clientY });
      dragged = false;
      if (pointers.size === 2) {
        var p = Array.from(pointers.values());
        pinch = { d: Math.hypot(p[0].x - p[1].x, p[0].y - p[1].y) };
      }
    });
    frame.addEventListener("pointermove", function (e) {
      var last = pointers.get(e.pointerId);
      if (!last) return;
      var dx = e.clientX - last.x;
      var dy = e.clientY - last.y;
      if (!dragged && Math.hypot(dx, dy) < 4) return;
      if (!dragged) {
        dragged = true;
        frame.classList.add("is-dragging");
        try { frame.setPointerCapture(e.pointerId); } catch (err) { /* not capturable */ }
      }
      pointers.set(e.pointerId, { x: e.clientX, y: e.clientY });
      if (pointers.size === 2 && pinch) {
        var p = Array.from(pointers.values());
        var d = Math.hypot(p[0].x - p[1].x, p[0].y - p[1].y);
        zoomBy(d / pinch.d, (p[0].x + p[1].x) / 2, (p[0].y + p[1].y) / 2);
        pinch.d = d;
        return;
      }
      sync();
      var k = view.w / svg.clientWidth;
      view.x -= dx * k;
      view.y -= dy * k;
      apply();
    });
    function release(e) {
      pointers.delete(e.pointerId);
      if (pointers.size < 2) pinch = null;
      frame.classList.remove("is-dragging");
    }
    frame.addEventListener("pointerup", release);
    frame.addEventListener("pointercancel", release);
    frame.addEventListener("click", function (e) {
      if (dragged) {
        e.preventDefault();
        e.stopPropagation();
        dragged = false;
      }
    }, true);
    var hinted = false;
    frame.addEventListener("wheel", function (e) {
      if (!(e.ctrlKey || e.metaKey || e.altKey)) {
        // The page scrolls; say once how to zoom.
        if (!hinted) { hinted = true; say("To zoom, hold Ctrl (or Cmd) while using the wheel, or use the buttons."); }
        return;
      }
      e.preventDefault();
      zoomBy(e.deltaY < 0 ? 1.15 : 1 / 1.15, e.clientX, e.clientY);
    }, { passive: false });
    // Touch: one finger scrolls the page; two fingers move and pinch the map.
    var touch = null;
    function touchState(list) {
      var a = list[0], b = list[1];
      return { x: (a.clientX + b.clientX) / 2, y: (a.clientY + b.clientY) / 2, d: Math.hypot(a.clientX - b.clientX, a.clientY - b.clientY) };
    }
    frame.addEventListener("touchstart", function (e) {
      touch = e.touches.length === 2 ? touchState(e.touches) : null;
    }, { passive: true });
    frame.addEventListener("touchmove", function (e) {
      if (e.touches.length !== 2) {
        if (!hinted) { hinted = true; say("Use two fingers to move the map."); }
        return;
      }
      if (e.cancelable) e.preventDefault();
      var now = touchState(e.touches);
      if (touch) {
        sync();
        var k = view.w / svg.clientWidth;
        view.x -= (now.x - touch.x) * k;
        view.y -= (now.y - touch.y) * k;
        apply();
        if (touch.d > 0) zoomBy(now.d / touch.d, now.x, now.y);
      }
      touch = now;
    }, { passive: false });
    frame.addEventListener("touchend", function () { touch = null; });
    frame.addEventListener("keydown", function (e) {
      if (e.key === "+" || e.key === "=") zoomBy(1.25);
      else if (e.key === "-") zoomBy(1 / 1.25);
      else return;
      e.preventDefault();
    });
    // A concept reached with the keyboard is brought into view.
    svg.addEventListener("focusin", function (e) {
      var node = e.target.closest && e.target.closest(".node");
      if (node) show(node, false);
    });

    document.querySelectorAll("[data-zoom]").forEach(function (button) {
      button.addEventListener("click", function () {
        var how = button.getAttribute("data-zoom");
        if (how === "in") zoomBy(1.25);
        else if (how === "out") zoomBy(1 / 1.25);
        else fit();
      });
    });

    // Filters: kinds of concept and relations.
    function filter() {
      var types = {};
      var relations = {};
      document.querySelectorAll('.ambidex-map-controls input[name="type"]').forEach(function (box) {
        types[box.value] = box.checked;
      });
      document.querySelectorAll('.ambidex-map-controls input[name="relation"]').forEach(function (box) {
        relations[box.value] = box.checked;
      });
      var hidden = {};
      svg.classList.add("is-filtered");
      svg.querySelectorAll(".node").forEach(function (node) {
        var off = types[node.dataset.type] === false;
        node.classList.toggle("is-hidden", off);
        if (off) hidden[node.dataset.id] = true;
        if (off && node.tagName.toLowerCase() === "a") node.setAttribute("tabindex", "-1");
        else node.removeAttribute("tabindex");
      });
      svg.querySelectorAll(".edge").forEach(function (edge) {
        var off = relations[edge.dataset.relation] === false || hidden[edge.dataset.from] || hidden[edge.dataset.to];
        edge.classList.toggle("is-hidden", Boolean(off));
      });
    }
    document.querySelectorAll(".ambidex-map-controls input[type=checkbox]").forEach(function (box) {
      box.addEventListener("change", filter);
    });

    // Find a concept: bring it into view, mark it and its neighbours.
    function show(node, mark) {
      sync();
      var box = node.querySelector("rect").getBBox();
      var s = Math.max(scale(), 1.1);
      var cx = box.x + box.width / 2;
      var cy = box.y + box.height / 2;
      var inside = cx > view.x && cx < view.x + view.w && cy > view.y && cy < view.y + view.h;
      if (mark || !inside) zoomTo(mark ? s : scale(), cx, cy);
      if (!mark) return;
      var id = node.dataset.id;
      svg.querySelectorAll(".is-near, .is-found").forEach(function (el) {
        el.classList.remove("is-near", "is-found");
      });
      node.classList.add("is-near", "is-found");
      svg.querySelectorAll(".edge").forEach(function (edge) {
        if (edge.dataset.from === id || edge.dataset.to === id) {
          edge.classList.add("is-near");
          var other = edge.dataset.from === id ? edge.dataset.to : edge.dataset.from;
          var peer = svg.querySelector('.node[data-id="' + other + '"]');
          if (peer) peer.classList.add("is-near");
        }
      });
      svg.classList.add("has-focus");
    }
    var find = document.getElementById("ambidex-map-find");
    function lookup() {
      var wanted = find.value.trim().toLowerCase();
      svg.classList.remove("has-focus");
      if (!wanted) {
        status.textContent = "";
        return;
      }
      var options = Array.from(document.querySelectorAll("#ambidex-map-titles option"));
      var hit = options.find(function (o) { return o.value.toLowerCase() === wanted; }) ||
        options.find(function (o) { return o.value.toLowerCase().indexOf(wanted) === 0; }) ||
        options.find(function (o) { return o.value.toLowerCase().indexOf(wanted) >= 0; });
      var node = hit && svg.querySelector('.node[data-id="' + hit.dataset.id + '"]');
      if (!node) {
        status.textContent = "No concept called “" + find.value.trim() + "” on the map.";
        return;
      }
      if (node.classList.contains("is-hidden")) {
        var box = document.querySelector('.ambidex-map-controls input[name="type"][value="' + node.dataset.type + '"]');
        if (box) { box.checked = true; filter(); }
      }
      show(node, true);
      status.textContent = "Showing " + hit.value + " and its connections.";
    }
    find.addEventListener("change", lookup);
    // The skip link leads to the same graph as a list: open it there.
    var skip = document.querySelector(".ambidex-map-skip");
    if (skip) {
      skip.addEventListener("click", function (e) {
        var list = document.getElementById(new URL(skip.href, window.location.href).hash.slice(1));
        if (!list) return;
        e.preventDefault();
        list.open = true;
        list.querySelector("summary").focus();
      });
    }
    find.addEventListener("keydown", function (e) {
      if (e.key === "Enter") { e.preventDefault(); lookup(); }
    });

    // The filters' first state ("related" hidden) is the stylesheet's: nothing to do on opening.
    window.addEventListener("resize", function () {
      if (!synced) return;
      var s = scale();
      zoomTo(s, view.x + view.w / 2, view.y + view.h / 2);
    });
  }

  init();
})();
