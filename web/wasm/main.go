//go:build js && wasm

// Command wasm is the model in a browser: built with GOOS=js GOARCH=wasm
// (generic kernels) and run in a Web Worker by the page web.Build writes.
// It answers solve requests with the trajectory, one step at a time, as
// messages to the page.
package main

import (
	"encoding/json"
	"fmt"
	"syscall/js"
	"time"

	"github.com/hrmgo/hrm/models"
	"github.com/hrmgo/hrm/runtime"
	"github.com/hrmgo/hrm/trajectory"
)

// loaded holds each built-in model and its one-puzzle session, made on
// first use: the 4×4 model need not be parsed for a 9×9 visitor.
var loaded = map[string]*runtime.Session{}

func session(b models.Builtin) (*runtime.Session, error) {
	if s := loaded[b.Key]; s != nil {
		return s, nil
	}
	m, err := runtime.LoadBytes(b.Name, b.File)
	if err != nil {
		return nil, err
	}
	// One thread: a worker has one, and the pool would only spin.
	s, err := m.NewSession(1, 1)
	if err != nil {
		return nil, err
	}
	loaded[b.Key] = s
	return s, nil
}

func post(kind string, payload any) {
	b, err := json.Marshal(map[string]any{"type": kind, "data": payload})
	if err != nil {
		b, _ = json.Marshal(map[string]any{"type": "error", "data": err.Error()})
	}
	js.Global().Call("postMessage", string(b))
}

// solve runs one request: {puzzle, steps, halt}. Errors are one line
// naming the problem, as the command line gives them.
func solve(req string) {
	var r struct {
		Puzzle string `json:"puzzle"`
		Steps  int    `json:"steps"`
		Halt   string `json:"halt"`
	}
	if err := json.Unmarshal([]byte(req), &r); err != nil {
		post("error", "request: "+err.Error())
		return
	}
	p := trajectory.Normalize(r.Puzzle)
	b := models.For(p)
	if b.Task != "sudoku" {
		// The page is a Sudoku page: a maze-like text gets the 9×9
		// model, whose parser names the first character that is wrong.
		b = models.Sudoku9
	}
	halt, err := runtime.ParseHaltMode(r.Halt)
	if err != nil {
		post("error", err.Error())
		return
	}
	if r.Steps < 0 || r.Steps > 256 {
		post("error", fmt.Sprintf("segments %d: want 1..256, or 0 for the model's budget", r.Steps))
		return
	}
	t0 := time.Now()
	s, err := session(b)
	if err != nil {
		post("error", "model: "+err.Error())
		return
	}
	load := time.Since(t0)
	g, err := trajectory.ParsePuzzle(p, s.Model().Cfg.SeqLen)
	if err != nil {
		post("error", "puzzle: "+err.Error())
		return
	}
	// The header first, with no steps, so the page can draw the grid.
	rec, err := trajectory.NewRecorder(s.Model(), b.Name, g, 0, true)
	if err != nil {
		post("error", err.Error())
		return
	}
	if r.Steps > 0 {
		rec.T.Budget = r.Steps
	}
	rec.T.Steps = []trajectory.Step{}
	post("start", rec.T)
	t1 := time.Now()
	var post_ time.Duration // time spent posting steps, not solving
	t, err := trajectory.Run(s, b.Name, g, runtime.Options{Steps: r.Steps, Halt: halt}, true, func(st *trajectory.Step) {
		t := time.Now()
		post("step", st)
		post_ += time.Since(t)
	})
	if err != nil {
		post("error", err.Error())
		return
	}
	total := time.Since(t1)
	post("done", map[string]any{
		"solved": t.Solved, "segments": t.Segments, "steps": len(t.Steps),
		"ms": float64(total-post_) / 1e6, "wall_ms": float64(total) / 1e6, "load_ms": float64(load) / 1e6,
	})
}

func main() {
	js.Global().Set("hrmSolve", js.FuncOf(func(_ js.Value, args []js.Value) any {
		if len(args) != 1 || args[0].Type() != js.TypeString {
			post("error", "hrmSolve wants one JSON string")
			return nil
		}
		// A callback must not block the event loop: solve on a goroutine.
		go solve(args[0].String())
		return nil
	}))
	samples := map[string]string{}
	for _, b := range models.All() {
		if b.Task == "sudoku" {
			samples[b.Key] = b.Sample
		}
	}
	post("ready", map[string]any{"samples": samples})
	select {}
}
