// The trajectory viewer: a grid per step shaded by confidence, changed cells
// ringed, givens grey, a slider and a play button, and two small charts (Q
// values, changed cells per step). No dependencies and no network, so a page
// opened from disk works; the browser build feeds it steps as they come.
(function () {
  "use strict";
  var SVG = "http://www.w3.org/2000/svg";

  function el(tag, cls, text) {
    var e = document.createElement(tag);
    if (cls) e.className = cls;
    if (text !== undefined) e.textContent = text;
    return e;
  }
  function svg(tag, attrs) {
    var e = document.createElementNS(SVG, tag);
    for (var k in attrs) e.setAttribute(k, attrs[k]);
    return e;
  }
  function fmt(v) { return v === null || v === undefined ? "—" : (v >= 0 ? "+" : "") + v.toFixed(3); }

  function Viewer(root, traj) {
    this.root = root;
    this.inner = false;
    this.index = 0;
    this.timer = null;
    this.build();
    this.load(traj);
  }

  Viewer.prototype.build = function () {
    var self = this, r = this.root;
    r.classList.add("hv");
    r.innerHTML = "";
    var head = el("div", "hv-head");
    this.title = el("h1", "hv-title");
    this.sub = el("div", "hv-sub");
    this.status = el("div", "hv-status");
    this.status.id = "hv-status";
    head.append(this.title, this.sub, this.status);

    var main = el("div", "hv-main");
    this.grid = el("div", "hv-grid");
    this.grid.id = "hv-grid";
    var side = el("div", "hv-side");

    var ctl = el("div", "hv-controls");
    this.play = el("button", "hv-btn", "▶ Play");
    this.play.id = "hv-play";
    this.prev = el("button", "hv-btn", "◀");
    this.prev.id = "hv-prev";
    this.prev.title = "previous step (←)";
    this.next = el("button", "hv-btn", "▶");
    this.next.id = "hv-next";
    this.next.title = "next step (→)";
    this.slider = el("input", "hv-slider");
    this.slider.id = "hv-step";
    this.slider.type = "range";
    this.slider.min = 0;
    this.slider.value = 0;
    this.slider.setAttribute("aria-label", "step");
    var lab = el("label", "hv-check");
    this.innerBox = el("input");
    this.innerBox.type = "checkbox";
    this.innerBox.id = "hv-inner";
    lab.append(this.innerBox, document.createTextNode(" inner updates"));
    ctl.append(this.play, this.prev, this.slider, this.next, lab);

    this.label = el("div", "hv-label");
    this.label.id = "hv-label";
    this.stats = el("div", "hv-stats");
    this.stats.id = "hv-stats";
    this.qchart = svg("svg", { id: "hv-qchart", "class": "hv-chart", viewBox: "0 0 400 150", role: "img" });
    this.cchart = svg("svg", { id: "hv-changechart", "class": "hv-chart", viewBox: "0 0 400 110", role: "img" });

    var legend = el("div", "hv-legend");
    legend.innerHTML =
      '<span><i class="hv-sw hv-sw-given"></i>given</span>' +
      '<span><i class="hv-sw hv-sw-lo"></i><i class="hv-sw hv-sw-hi"></i>confidence of the top choice, low → high</span>' +
      '<span><i class="hv-sw hv-sw-changed"></i>changed since the previous step</span>' +
      '<span><i class="hv-sw hv-sw-wrong"></i>differs from the solution</span>';

    side.append(ctl, this.label, this.stats, el("div", "hv-cap", "Q head"), this.qchart,
      el("div", "hv-cap", "cells changed per step"), this.cchart, legend);
    main.append(this.grid, side);
    r.append(head, main);

    this.slider.addEventListener("input", function () { self.stop(); self.show(+self.slider.value); });
    this.prev.addEventListener("click", function () { self.stop(); self.show(self.index - 1); });
    this.next.addEventListener("click", function () { self.stop(); self.show(self.index + 1); });
    this.play.addEventListener("click", function () { self.timer ? self.stop() : self.start(); });
    this.innerBox.addEventListener("change", function () { self.setInner(self.innerBox.checked); });
    var pick = function (ev) {
      var box = ev.currentTarget.getBoundingClientRect();
      var n = self.visible.length;
      if (n < 1) return;
      var x = (ev.clientX - box.left) / box.width * 400;
      self.stop();
      self.show(Math.round((x - 40) / Math.max(1, 350) * Math.max(1, n - 1)));
    };
    this.qchart.addEventListener("click", pick);
    this.cchart.addEventListener("click", pick);
    document.addEventListener("keydown", function (ev) {
      // Form controls keep their own keys (a focused slider already moves).
      var t = ev.target && ev.target.tagName;
      if (t === "TEXTAREA" || t === "INPUT" || t === "SELECT" || t === "BUTTON") return;
      if (ev.key === "ArrowLeft") { self.stop(); self.show(self.index - 1); ev.preventDefault(); }
      if (ev.key === "ArrowRight") { self.stop(); self.show(self.index + 1); ev.preventDefault(); }
    });
  };

  // load shows a (possibly still empty) trajectory from its first step.
  Viewer.prototype.load = function (traj) {
    this.stop();
    this.t = traj;
    this.title.textContent = traj.model;
    this.sub.textContent = traj.describe + " · " + traj.side + "×" + traj.side + " Sudoku, " +
      traj.puzzle.filter(function (d) { return d === 0; }).length + " blanks · halts when " + traj.halt_rule;
    this.grid.innerHTML = "";
    this.grid.style.gridTemplateColumns = "repeat(" + traj.side + ", 1fr)";
    this.grid.classList.toggle("hv-small", traj.side < 9);
    this.cells = [];
    for (var i = 0; i < traj.side * traj.side; i++) {
      var c = el("div", "hv-cell");
      var row = Math.floor(i / traj.side), col = i % traj.side;
      if ((col + 1) % traj.box === 0 && col + 1 < traj.side) c.classList.add("hv-br");
      if ((row + 1) % traj.box === 0 && row + 1 < traj.side) c.classList.add("hv-bb");
      if (traj.puzzle[i]) { c.classList.add("hv-given"); c.textContent = traj.puzzle[i]; }
      c.dataset.cell = i;
      this.grid.append(c);
      this.cells.push(c);
    }
    this.refresh(0);
    this.summary();
  };

  // push appends a step that just ran; the view follows it when it was
  // showing the latest step.
  Viewer.prototype.push = function (step) {
    var atEnd = this.index >= this.visible.length - 1;
    this.t.steps.push(step);
    if (step.update < 0) this.t.segments = step.segment;
    var before = this.visible.length;
    this.filter();
    this.refresh(atEnd || before === 0 ? this.visible.length - 1 : this.index);
  };

  Viewer.prototype.finish = function (solved) {
    this.t.solved = solved;
    this.summary();
  };

  Viewer.prototype.summary = function () {
    var t = this.t, s = "";
    if (t.steps.length) {
      s = (t.solved ? "valid solution" : "not a valid solution") + " after " + t.segments +
        " segment" + (t.segments === 1 ? "" : "s") + " (budget " + t.budget + ")";
    }
    this.status.textContent = s;
    this.status.classList.toggle("hv-ok", !!t.solved);
  };

  Viewer.prototype.filter = function () {
    var all = this.t.steps, inner = this.inner;
    this.visible = all.filter(function (s) { return inner || s.update < 0; });
    if (!this.visible.length) this.visible = all.slice();
    // Changes are counted against the step shown before, the first step
    // against the puzzle as given.
    var prev = this.t.puzzle;
    this.changes = this.visible.map(function (s) {
      var n = 0;
      for (var i = 0; i < s.pred.length; i++) if (s.pred[i] !== prev[i]) n++;
      prev = s.pred;
      return n;
    });
  };

  Viewer.prototype.setInner = function (on) {
    var cur = this.visible[this.index];
    this.inner = on;
    this.innerBox.checked = on;
    this.filter();
    var k = this.visible.indexOf(cur);
    if (k < 0) {
      // The segment end at or after the inner step that was shown.
      for (k = 0; k < this.visible.length - 1 && this.visible[k].segment < cur.segment; k++);
    }
    this.refresh(k);
  };

  Viewer.prototype.refresh = function (k) {
    this.filter();
    this.slider.max = Math.max(0, this.visible.length - 1);
    this.root.dataset.steps = this.visible.length;
    this.show(k);
  };

  Viewer.prototype.describe = function (s) {
    if (s.update < 0) return "segment " + s.segment + " of " + this.t.budget;
    var what = s.update === this.innerUpdates() ? "z_H update" : "z_L update " + (s.update + 1);
    return "segment " + s.segment + " · round " + (s.round + 1) + " · " + what;
  };

  // innerUpdates is L_cycles: the Update index of an answer (z_H) update.
  Viewer.prototype.innerUpdates = function () {
    var m = -1;
    this.t.steps.forEach(function (s) { if (s.update > m) m = s.update; });
    return m;
  };

  Viewer.prototype.show = function (k) {
    var n = this.visible.length;
    if (!n) {
      this.label.textContent = "no steps yet";
      this.stats.textContent = "";
      this.cells.forEach(function (c) { if (!c.classList.contains("hv-given")) c.textContent = ""; });
      this.charts();
      return;
    }
    k = Math.max(0, Math.min(n - 1, k | 0));
    this.index = k;
    this.slider.value = k;
    this.root.dataset.index = k;
    var s = this.visible[k], prev = k > 0 ? this.visible[k - 1].pred : this.t.puzzle;
    var sol = this.t.solution, wrong = 0;
    for (var i = 0; i < this.cells.length; i++) {
      var c = this.cells[i], d = s.pred[i];
      var changed = d !== prev[i];
      c.classList.toggle("hv-changed", changed);
      c.dataset.changed = changed ? "1" : "0";
      var bad = !!sol && d !== sol[i];
      if (bad) wrong++;
      c.classList.toggle("hv-wrong", bad);
      if (this.t.puzzle[i]) {
        // A given the model overwrites is shown, not hidden.
        c.textContent = d === this.t.puzzle[i] ? d : this.t.puzzle[i] + "→" + (d || "·");
        continue;
      }
      c.textContent = d >= 1 && d <= this.t.side ? d : (d ? "?" : "·");
      var p = s.conf[i] === null ? 0 : s.conf[i];
      var light = 96 - 52 * p;
      c.style.background = "hsl(212, 85%, " + light.toFixed(1) + "%)";
      c.style.color = light < 64 ? "#fff" : "#123";
      c.dataset.conf = p;
      c.title = "row " + (Math.floor(i / this.t.side) + 1) + ", column " + (i % this.t.side + 1) +
        ": " + (d || "no digit") + " with p = " + p.toFixed(3);
    }
    this.label.textContent = "step " + (k + 1) + " of " + n + " · " + this.describe(s);
    this.stats.textContent = "q_halt " + fmt(s.q_halt) + " · q_continue " + fmt(s.q_continue) +
      " · changed " + this.changes[k] + (sol ? " · wrong " + wrong : "");
    this.charts();
  };

  Viewer.prototype.x = function (i) {
    var n = this.visible.length;
    return n < 2 ? 215 : 40 + 350 * i / (n - 1);
  };

  Viewer.prototype.charts = function () {
    var self = this, vis = this.visible, n = vis.length;
    // Q values.
    var q = this.qchart;
    q.innerHTML = "";
    var vals = [];
    vis.forEach(function (s) {
      if (s.q_halt !== null) vals.push(s.q_halt);
      if (s.q_continue !== null) vals.push(s.q_continue);
    });
    var lo = Math.min.apply(null, vals.concat([0])), hi = Math.max.apply(null, vals.concat([0]));
    if (hi - lo < 1e-6) { hi += 1; lo -= 1; }
    var y = function (v) { return 12 + 110 * (hi - v) / (hi - lo); };
    q.append(svg("line", { x1: 40, x2: 390, y1: y(0), y2: y(0), "class": "hv-zero" }));
    var ylab = function (v) {
      var t = svg("text", { x: 36, y: y(v) + 4, "text-anchor": "end", "class": "hv-tick" });
      t.textContent = v.toFixed(1);
      q.append(t);
    };
    ylab(hi); ylab(lo); if (hi > 0 && lo < 0) ylab(0);
    [["q_halt", "hv-qh"], ["q_continue", "hv-qc"]].forEach(function (p) {
      var d = "", pen = false;
      vis.forEach(function (s, i) {
        var v = s[p[0]];
        if (v === null) { pen = false; return; }
        d += (pen ? "L" : "M") + self.x(i).toFixed(1) + " " + y(v).toFixed(1);
        pen = true;
      });
      if (d) q.append(svg("path", { d: d, "class": "hv-line " + p[1] }));
      if (n <= 60) vis.forEach(function (s, i) {
        if (s[p[0]] !== null) q.append(svg("circle", { cx: self.x(i), cy: y(s[p[0]]), r: 2.5, "class": p[1] + "-dot" }));
      });
    });
    var lg = svg("text", { x: 44, y: 146, "class": "hv-tick" });
    lg.innerHTML = '<tspan class="hv-qh-t">● q_halt</tspan>  <tspan class="hv-qc-t">● q_continue</tspan>  halt when ' +
      this.t.halt_rule.replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;");
    q.append(lg);
    if (n) q.append(svg("line", { x1: this.x(this.index), x2: this.x(this.index), y1: 8, y2: 126, "class": "hv-cursor" }));

    // Changed cells.
    var c = this.cchart;
    c.innerHTML = "";
    var mx = Math.max.apply(null, this.changes.concat([1]));
    var w = Math.max(2, Math.min(24, 300 / Math.max(1, n)));
    this.changes.forEach(function (v, i) {
      var h = 80 * v / mx;
      c.append(svg("rect", { x: self.x(i) - w / 2, y: 90 - h, width: w, height: Math.max(h, 0.5),
        "class": i === self.index ? "hv-bar hv-bar-cur" : "hv-bar" }));
    });
    var t = svg("text", { x: 36, y: 14, "text-anchor": "end", "class": "hv-tick" });
    t.textContent = mx;
    c.append(t, svg("line", { x1: 40, x2: 390, y1: 90, y2: 90, "class": "hv-zero" }));
    var cap = svg("text", { x: 215, y: 106, "text-anchor": "middle", "class": "hv-tick" });
    cap.textContent = n ? "step 1 … " + n : "";
    c.append(cap);
  };

  Viewer.prototype.start = function () {
    var self = this;
    if (this.visible.length < 2) return;
    if (this.index >= this.visible.length - 1) this.show(0);
    this.play.textContent = "❚❚ Pause";
    this.timer = setInterval(function () {
      if (self.index >= self.visible.length - 1) { self.stop(); return; }
      self.show(self.index + 1);
    }, 700);
  };

  Viewer.prototype.stop = function () {
    if (this.timer) clearInterval(this.timer);
    this.timer = null;
    this.play.textContent = "▶ Play";
  };

  window.HRMViewer = {
    create: function (root, traj) { return new Viewer(root, traj); }
  };
})();
