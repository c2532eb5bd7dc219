// The page around the viewer: a puzzle box, and a Web Worker running the
// model (worker.js, hrm.wasm) that sends the trajectory a step at a time.
(function () {
  "use strict";
  var $ = function (id) { return document.getElementById(id); };
  var status = $("app-status"), solveBtn = $("solve");
  var app = window.hrmApp = { ready: false, busy: false, viewer: null, runs: [], samples: {}, error: "" };
  var worker = new Worker("worker.js");
  var t0 = 0;

  function say(text, err) {
    status.textContent = text;
    status.classList.toggle("app-err", !!err);
  }

  worker.onmessage = function (ev) {
    var msg = typeof ev.data === "string" ? JSON.parse(ev.data) : ev.data;
    var d = msg.data;
    switch (msg.type) {
      case "ready":
        app.ready = true;
        app.samples = d.samples;
        if (!$("puzzle").value) $("puzzle").value = d.samples.sudoku9;
        solveBtn.disabled = false;
        say("ready: press Solve");
        break;
      case "start":
        if (!app.viewer) app.viewer = HRMViewer.create($("viewer"), d);
        else app.viewer.load(d);
        say("solving…");
        break;
      case "step":
        app.viewer.push(d);
        break;
      case "done":
        d.page_ms = performance.now() - t0;
        app.runs.push(d);
        app.viewer.finish(d.solved);
        app.busy = false;
        solveBtn.disabled = false;
        say((d.solved ? "solved" : "not solved") + ": " + d.segments + " segments in " + d.ms.toFixed(0) +
          " ms of model time (" + d.page_ms.toFixed(0) + " ms on the page)");
        break;
      case "error":
        app.busy = false;
        app.error = d;
        solveBtn.disabled = !app.ready;
        say(d, true);
        break;
    }
  };
  worker.onerror = function (e) { say("the model could not start: " + (e.message || "worker error"), true); };

  solveBtn.addEventListener("click", function () {
    if (app.busy || !app.ready) return;
    app.busy = true;
    app.error = "";
    solveBtn.disabled = true;
    t0 = performance.now();
    worker.postMessage(JSON.stringify({ puzzle: $("puzzle").value, steps: +$("steps").value || 0, halt: $("halt").value }));
  });
  $("sample9").addEventListener("click", function () { $("puzzle").value = app.samples.sudoku9 || ""; });
  $("sample4").addEventListener("click", function () { $("puzzle").value = app.samples.sudoku4 || ""; });
})();
