// Quietwire UI behaviour: bar widths, auto-submitting filters, live refresh of [data-live]
// regions (the page is fetched again and those regions swapped), and the map's pan, zoom and
// neighbour tracing. No framework; served under a CSP that forbids inline script.
(function () {
  "use strict";
  function bars(root) {
    root.querySelectorAll("[data-w]").forEach(function (el) {
      if (el.tagName.toLowerCase() !== "svg") el.style.width = el.getAttribute("data-w") + "%";
    });
  }
  function autosubmit() {
    document.querySelectorAll("select[data-autosubmit]").forEach(function (s) {
      s.addEventListener("change", function () { s.form.submit(); });
    });
  }
  function live() {
    if (!document.body.hasAttribute("data-live-page")) return;
    var status = document.getElementById("live-status");
    setInterval(function () {
      if (document.hidden) return;
      var a = document.activeElement;
      if (a && (a.tagName === "INPUT" || a.tagName === "TEXTAREA" || a.tagName === "SELECT")) return;
      fetch(location.href, { credentials: "same-origin", headers: { "X-Requested-With": "live" } })
        .then(function (r) { if (!r.ok || r.redirected) throw new Error(r.status); return r.text(); })
        .then(function (html) {
          var doc = new DOMParser().parseFromString(html, "text/html");
          document.querySelectorAll("[data-live]").forEach(function (el) {
            var n = el.id && doc.getElementById(el.id);
            if (n) { el.replaceWith(n); bars(n); }
          });
          if (status) { status.classList.remove("stale"); status.textContent = "● live " + new Date().toLocaleTimeString(); }
        })
        .catch(function () { if (status) { status.classList.add("stale"); status.textContent = "○ not updating"; } });
    }, 5000);
  }
  function map() {
    var svg = document.getElementById("netmap");
    if (!svg) return;
    var W = +svg.getAttribute("data-w"), H = +svg.getAttribute("data-h");
    var vb = { x: 0, y: 0, w: W, h: H };
    function apply() { svg.setAttribute("viewBox", vb.x + " " + vb.y + " " + vb.w + " " + vb.h); }
    svg.addEventListener("wheel", function (e) {
      e.preventDefault();
      var r = svg.getBoundingClientRect();
      var mx = vb.x + (e.clientX - r.left) / r.width * vb.w, my = vb.y + (e.clientY - r.top) / r.height * vb.h;
      var k = e.deltaY < 0 ? 0.85 : 1 / 0.85;
      var nw = Math.min(W * 4, Math.max(W / 8, vb.w * k)), nh = nw * H / W;
      vb.x = mx - (mx - vb.x) * nw / vb.w; vb.y = my - (my - vb.y) * nh / vb.h; vb.w = nw; vb.h = nh;
      apply();
    }, { passive: false });
    var drag = null, moved = false;
    svg.addEventListener("mousedown", function (e) { drag = { x: e.clientX, y: e.clientY, vx: vb.x, vy: vb.y }; moved = false; });
    window.addEventListener("mousemove", function (e) {
      if (!drag) return;
      var r = svg.getBoundingClientRect();
      var dx = (e.clientX - drag.x) / r.width * vb.w, dy = (e.clientY - drag.y) / r.height * vb.h;
      if (Math.abs(e.clientX - drag.x) + Math.abs(e.clientY - drag.y) > 3) moved = true;
      vb.x = drag.vx - dx; vb.y = drag.vy - dy; apply();
    });
    window.addEventListener("mouseup", function () { drag = null; });
    svg.addEventListener("click", function (e) { if (moved) { e.preventDefault(); moved = false; } }, true);
    var reset = document.getElementById("map-reset");
    if (reset) reset.addEventListener("click", function () { vb = { x: 0, y: 0, w: W, h: H }; apply(); });
    svg.querySelectorAll(".node").forEach(function (n) {
      n.addEventListener("mouseenter", function () {
        var id = n.getAttribute("data-id"), nb = (n.getAttribute("data-nb") || "").split(" ");
        svg.classList.add("tracing");
        n.classList.add("hot");
        svg.querySelectorAll(".node").forEach(function (m) { if (nb.indexOf(m.getAttribute("data-id")) >= 0) m.classList.add("hot"); });
        svg.querySelectorAll(".edge").forEach(function (l) { if (l.getAttribute("data-from") === id || l.getAttribute("data-to") === id) l.classList.add("hot"); });
      });
      n.addEventListener("mouseleave", function () {
        svg.classList.remove("tracing");
        svg.querySelectorAll(".hot").forEach(function (m) { m.classList.remove("hot"); });
      });
    });
  }
  document.addEventListener("DOMContentLoaded", function () { bars(document); autosubmit(); live(); map(); });
})();
