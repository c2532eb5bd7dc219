// Runs the model off the page's thread: Go's wasm_exec.js and hrm.wasm,
// which posts "ready" and then answers each request with its trajectory.
importScripts("wasm_exec.js");
var go = new Go();
var pending = [];
self.onmessage = function (ev) {
  if (typeof self.hrmSolve === "function") self.hrmSolve(ev.data);
  else pending.push(ev.data);
};
function start(result) {
  go.run(result.instance);
  while (pending.length && typeof self.hrmSolve === "function") self.hrmSolve(pending.shift());
}
var load = WebAssembly.instantiateStreaming
  ? WebAssembly.instantiateStreaming(fetch("hrm.wasm"), go.importObject).catch(function () {
      // Served without application/wasm: compile from the bytes instead.
      return fetch("hrm.wasm").then(function (r) { return r.arrayBuffer(); })
        .then(function (b) { return WebAssembly.instantiate(b, go.importObject); });
    })
  : fetch("hrm.wasm").then(function (r) { return r.arrayBuffer(); })
      .then(function (b) { return WebAssembly.instantiate(b, go.importObject); });
load.then(start, function (e) {
  self.postMessage(JSON.stringify({ type: "error", data: "loading hrm.wasm: " + e }));
});
