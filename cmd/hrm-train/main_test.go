package main

import (
	"bytes"
	"encoding/json"
	"math"
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/hrmgo/hrm/runtime"
	"github.com/hrmgo/hrm/trainer"
	"github.com/stretchr/testify/require"
)

func runCLI(stop chan os.Signal, args ...string) (int, string, string) {
	var out, errb bytes.Buffer
	if stop == nil {
		stop = make(chan os.Signal)
	}
	code := run(args, &out, &errb, stop)
	return code, out.String(), errb.String()
}

var tiny = []string{"-task", "sudoku4", "-blanks", "8", "-hidden", "32", "-heads", "2", "-h-layers", "1", "-l-layers", "1",
	"-h-cycles", "1", "-l-cycles", "2", "-max-steps", "2", "-batch", "16", "-test-size", "40", "-lr", "3e-3", "-warmup", "5", "-q"}

// A short run writes a checkpoint, metrics and a model that hrm-run's
// loader accepts; -resume continues it; -export rewrites the weights.
func TestTrainResumeExport(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "run")
	code, out, stderr := runCLI(nil, append(tiny, "-out", dir, "-steps", "6", "-eval-every", "3")...)
	require.Equal(t, 0, code, stderr)
	require.Contains(t, out, "step limit reached after 6 steps")
	m, err := runtime.Load(filepath.Join(dir, "model.safetensors"))
	require.NoError(t, err)
	require.Equal(t, "sudoku", m.Vocab.Task)
	require.Equal(t, 16, m.Cfg.SeqLen)
	m.Close()

	b, err := os.ReadFile(filepath.Join(dir, "metrics.jsonl"))
	require.NoError(t, err)
	var evals int
	for _, l := range strings.Split(strings.TrimSpace(string(b)), "\n") {
		var rec map[string]any
		require.NoError(t, json.Unmarshal([]byte(l), &rec))
		if rec["kind"] == "eval" {
			evals++
			require.Contains(t, rec, "exact_accuracy")
		}
	}
	require.Equal(t, 3, evals) // steps 3 and 6, and the final one

	code, _, stderr = runCLI(nil, append(tiny, "-out", dir, "-steps", "6")...)
	require.Equal(t, 2, code)
	require.Contains(t, stderr, "already holds a run")

	code, out, stderr = runCLI(nil, "-out", dir, "-resume", "-q")
	require.Equal(t, 0, code, stderr)
	require.Contains(t, out, "after 6 steps") // the run had reached its step limit

	exp := filepath.Join(t.TempDir(), "exported.safetensors")
	code, _, stderr = runCLI(nil, "-export", exp, "-from", filepath.Join(dir, "checkpoint.safetensors"))
	require.Equal(t, 0, code, stderr)
	a, _ := os.ReadFile(exp)
	c, _ := os.ReadFile(filepath.Join(dir, "model.safetensors"))
	require.Equal(t, c, a)

	code, _, stderr = runCLI(nil, "-export", filepath.Join(t.TempDir(), "no", "x.st"), "-from", filepath.Join(dir, "checkpoint.safetensors"))
	require.Equal(t, 2, code, stderr)
	require.Contains(t, stderr, "-export ")

	long := filepath.Join(t.TempDir(), "long.safetensors")
	code, _, stderr = runCLI(nil, "-export", long, "-export-max-steps", "64", "-from", filepath.Join(dir, "checkpoint.safetensors"))
	require.Equal(t, 0, code, stderr)
	ml, err := runtime.Load(long)
	require.NoError(t, err)
	require.Equal(t, 64, ml.Cfg.HaltMaxSteps, "the shipped segment budget")
	ml.Close()

	exp8 := filepath.Join(t.TempDir(), "exported8.safetensors")
	code, _, stderr = runCLI(nil, "-export", exp8, "-quant", "int8", "-from", filepath.Join(dir, "checkpoint.safetensors"))
	require.Equal(t, 0, code, stderr)
	code, out, stderr = runCLI(nil, "-eval", exp8, "-out", dir)
	require.Equal(t, 0, code, stderr)
	require.Contains(t, out, "(int8): held-out exact accuracy")
	require.Contains(t, out, "on 40 puzzles")
	m8, err := runtime.Load(exp8)
	require.NoError(t, err)
	require.Equal(t, runtime.QuantInt8, m8.Metadata()[runtime.MetaQuant])
	m8.Close()
}

// An interrupt saves a checkpoint and exits cleanly.
func TestInterruptSaves(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "run")
	stop := make(chan os.Signal, 1)
	stop <- os.Interrupt
	code, out, stderr := runCLI(stop, append(tiny, "-out", dir, "-steps", "1000")...)
	require.Equal(t, 0, code, stderr)
	require.Contains(t, out, "interrupted after 0 steps")
	_, err := os.Stat(filepath.Join(dir, "checkpoint.safetensors"))
	require.NoError(t, err)
}

func TestBadFlags(t *testing.T) {
	dir := t.TempDir()
	cfg := filepath.Join(dir, "c.json")
	require.NoError(t, os.WriteFile(cfg, []byte(`{"task": "sudoku4", "hiden": 3}`), 0o644))
	for _, tc := range []struct {
		args []string
		want string
	}{
		{[]string{"-task", "sudoku4"}, "-out DIR is required"},
		{[]string{"-out", dir, "-task", "chess"}, `-task "chess"`},
		{[]string{"-out", dir, "-blanks", "99"}, "blanks"},
		{[]string{"-out", dir, "-blanks", "8", "-min-blanks", "9"}, "-min-blanks 9: want 1..8"},
		{[]string{"-out", dir, "-blanks", "8", "-min-blanks", "-2"}, "-min-blanks -2"},
		{[]string{"-out", dir, "-heads", "3"}, "not a multiple of num_heads 3"},
		{[]string{"-out", dir, "-lr", "-1"}, "learning rates"},
		{[]string{"-out", dir, "-task", "maze", "-maze-cells", "3"}, "-maze-cells 3: want a grid side of 4..30 squares"},
		{[]string{"-out", dir, "-task", "maze", "-maze-cells", "31"}, "-maze-cells 31"},
		{[]string{"-out", dir, "-task", "maze", "-maze-cells", "4", "-maze-min-path", "40"}, "minimum path length not met"},
		{[]string{"-out", dir, "-task", "maze", "-maze-path-from", "18"}, "-maze-path-from 18: want 1..17"},
		{[]string{"-out", dir, "-task", "maze", "-maze-path-from", "-1"}, "-maze-path-from -1"},
		{[]string{"-out", dir, "-time", "-1s"}, "-time -1s"},
		{[]string{"-out", dir, "-config", cfg}, `unknown field "hiden"`},
		{[]string{"-out", filepath.Join(dir, "none"), "-resume"}, "-resume:"},
		{[]string{"-export", "x"}, "-export needs -from"},
		{[]string{"-export", filepath.Join(dir, "m.st"), "-from", filepath.Join(dir, "none")}, "-from: "},
		{[]string{"-export", filepath.Join(dir, "m.st"), "-from", cfg}, "-from: "},
		{[]string{"-export", filepath.Join(dir, "no", "m.st"), "-from", "../../testdata/goldens/a_tiny/weights_f32.safetensors"}, "-from: "},
		{[]string{"-nope"}, "flag provided but not defined"},
	} {
		code, _, stderr := runCLI(nil, tc.args...)
		require.Equal(t, 2, code, "%v: %s", tc.args, stderr)
		require.Contains(t, stderr, tc.want, "%v", tc.args)
	}
}

func TestTrainMaze(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "maze")
	code, out, stderr := runCLI(nil, "-task", "maze", "-maze-cells", "6", "-maze-min-path", "10", "-hidden", "32", "-heads", "2",
		"-h-layers", "1", "-l-layers", "1", "-max-steps", "2", "-batch", "8", "-steps", "3", "-test-size", "10", "-q", "-out", dir)
	require.Equal(t, 0, code, stderr)
	require.Contains(t, out, "on 10 puzzles")
	m, err := runtime.Load(filepath.Join(dir, "model.safetensors"))
	require.NoError(t, err)
	require.Equal(t, "maze", m.Vocab.Task)
	require.Equal(t, 36, m.Cfg.SeqLen) // 6×6 squares
	m.Close()
}

// -arch trm trains a TRM (with -mlp-t its token-mixing variant): the model
// file has one stack and the official 16-row prefix, the checkpoint holds
// the EMA weights, and export ships them.
func TestTrainTRM(t *testing.T) {
	for _, mlp := range []bool{false, true} {
		dir := filepath.Join(t.TempDir(), "trm")
		args := []string{"-arch", "trm", "-task", "sudoku4", "-blanks", "8", "-hidden", "32", "-heads", "2", "-l-layers", "2",
			"-h-cycles", "2", "-l-cycles", "2", "-max-steps", "2", "-batch", "8", "-test-size", "20", "-lr", "3e-3", "-warmup", "2",
			"-q", "-out", dir, "-steps", "4", "-eval-every", "2"}
		if mlp {
			args = append(args, "-mlp-t")
		}
		code, out, stderr := runCLI(nil, args...)
		require.Equal(t, 0, code, stderr)
		require.Contains(t, out, "after 4 steps")
		require.Contains(t, stderr, "ema 0.999")
		m, err := runtime.Load(filepath.Join(dir, "model.safetensors"))
		require.NoError(t, err)
		require.Equal(t, runtime.ArchTRM, m.Cfg.Arch)
		require.Equal(t, 0, m.Cfg.HLayers)
		require.Equal(t, 16, m.Cfg.PrefixLen())
		require.Equal(t, mlp, m.Cfg.MLPT)
		if mlp {
			require.Equal(t, "none", m.Cfg.PosEncodings)
		}
		m.Close()
		exp := filepath.Join(t.TempDir(), "exported.safetensors")
		code, _, stderr = runCLI(nil, "-export", exp, "-from", filepath.Join(dir, "checkpoint.safetensors"))
		require.Equal(t, 0, code, stderr)
		a, _ := os.ReadFile(exp)
		c, _ := os.ReadFile(filepath.Join(dir, "model.safetensors"))
		require.Equal(t, c, a)
		code, _, stderr = runCLI(nil, "-out", dir, "-resume", "-q")
		require.Equal(t, 0, code, stderr)
	}
	code, _, stderr := runCLI(nil, "-arch", "hrx", "-out", t.TempDir())
	require.Equal(t, 2, code)
	require.Contains(t, stderr, `-arch "hrx": want hrm or trm`)
}

// NaN and infinite hyperparameters are refused as flags, before anything
// is written.
func TestNonFiniteFlags(t *testing.T) {
	for _, flagName := range []string{"-wd", "-lr-min-ratio", "-lr", "-expansion", "-explore"} {
		for _, v := range []string{"NaN", "Inf", "-inf"} {
			dir := filepath.Join(t.TempDir(), "run")
			code, _, stderr := runCLI(nil, append(tiny, "-out", dir, "-steps", "2", flagName, v)...)
			require.Equal(t, 2, code, "%s %s: %s", flagName, v, stderr)
			require.Contains(t, stderr, `invalid value "`+v+`" for flag `+flagName+": not a finite number", flagName)
			_, err := os.Stat(dir)
			require.True(t, os.IsNotExist(err), "%s %s created the run directory", flagName, v)
		}
	}
}

// A metrics record keeps every field; a non-finite value becomes null.
func TestRecordNonFinite(t *testing.T) {
	r := trainer.StepResult{LR: 1e-3, Loss: math.NaN(), LMLoss: math.Inf(1), Accuracy: 0.5, Count: 3}
	b, err := record("train", time.Unix(0, 0), r, map[string]any{"step": 50, "elapsed_s": math.Inf(-1)})
	require.NoError(t, err)
	var m map[string]any
	require.NoError(t, json.Unmarshal(b, &m))
	require.Equal(t, "train", m["kind"])
	require.Equal(t, 1e-3, m["lr"])
	require.Equal(t, 0.5, m["accuracy"])
	require.Equal(t, 3.0, m["count"])
	require.Equal(t, 50.0, m["step"])
	for _, k := range []string{"loss", "lm_loss", "elapsed_s"} {
		v, ok := m[k]
		require.True(t, ok, k)
		require.Nil(t, v, k)
	}
}

// Out-of-range flags and an -out that cannot be a run directory are bad
// input: exit 2, one line.
func TestFlagLimits(t *testing.T) {
	dir := t.TempDir()
	file := filepath.Join(dir, "hostname")
	require.NoError(t, os.WriteFile(file, []byte("x\n"), 0o644))
	for _, tc := range []struct {
		args []string
		want string
	}{
		{[]string{"-out", dir, "-save-every", "-1s"}, "-save-every -1s: must be positive"},
		{[]string{"-out", dir, "-save-every", "0s"}, "-save-every 0s: must be positive"},
		{[]string{"-out", dir, "-threads", "5000"}, "-threads 5000: want 1..1024"},
		{[]string{"-out", dir, "-threads", "-2"}, "-threads -2"},
		{[]string{"-out", file}, "-out " + file + ": not a directory"},
		{[]string{"-out", filepath.Join(file, "sub")}, "-out: mkdir " + file + ": not a directory"},
		{[]string{"-out", dir, "-steps", "x"}, `invalid value "x" for flag -steps: parse error (hrm-train -h for help)`},
		{[]string{"-bogus"}, "flag provided but not defined: -bogus (hrm-train -h for help)"},
	} {
		code, out, stderr := runCLI(nil, append(tc.args, "-q")...)
		require.Equal(t, 2, code, "%v: %s", tc.args, stderr)
		require.Contains(t, stderr, tc.want, "%v", tc.args)
		require.Equal(t, 1, strings.Count(stderr, "\n"), "%v: one line:\n%s", tc.args, stderr)
		require.Empty(t, out)
	}
}

// The first signal of a training run asks it to stop; the second, or the
// first outside training, cleans up and exits with 128+n.
func TestInterrupts(t *testing.T) {
	type result struct {
		cleaned bool
		code    int
	}
	run := func(graceful bool, sent ...os.Signal) (chan os.Signal, result) {
		sigs, stop := make(chan os.Signal, len(sent)), make(chan os.Signal, 1)
		for _, s := range sent {
			sigs <- s
		}
		close(sigs)
		var r result
		r.code = -1
		interrupts(sigs, stop, func() bool { return graceful }, func() { r.cleaned = true }, func(c int) { r.code = c })
		return stop, r
	}
	stop, r := run(true, os.Interrupt)
	require.Equal(t, os.Interrupt, <-stop)
	require.Equal(t, result{false, -1}, r, "one signal: the loop stops, nothing exits")

	stop, r = run(true, os.Interrupt, syscall.SIGTERM)
	require.Equal(t, os.Interrupt, <-stop)
	require.Equal(t, result{true, 128 + int(syscall.SIGTERM)}, r)

	stop, r = run(false, os.Interrupt)
	require.Empty(t, stop)
	require.Equal(t, result{true, 128 + int(syscall.SIGINT)}, r)
}

// -resume continues the run as configured: a flag that would change it is
// refused, naming it, and -time is the whole run's budget, kept across
// resumes unless given again.
func TestResumeFlags(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "run")
	code, _, stderr := runCLI(nil, append(tiny, "-out", dir, "-steps", "3")...)
	require.Equal(t, 0, code, stderr)
	for _, tc := range []struct {
		args []string
		want string
	}{
		{[]string{"-lr", "1e-4"}, "-lr 0.0001 (the run has 0.003)"},
		{[]string{"-steps", "50", "-task", "sudoku9"}, "-steps 50 (the run has 3), -task sudoku9 (the run has sudoku4)"},
	} {
		code, _, stderr := runCLI(nil, append([]string{"-out", dir, "-resume", "-q"}, tc.args...)...)
		require.Equal(t, 2, code, "%v: %s", tc.args, stderr)
		require.Contains(t, stderr, "-resume continues the run as it was configured", tc.args)
		require.Contains(t, stderr, tc.want, tc.args)
	}
	// The same value as the run's is no change.
	code, _, stderr = runCLI(nil, "-out", dir, "-resume", "-q", "-lr", "3e-3", "-threads", "1")
	require.Equal(t, 0, code, stderr)

	// A budget spent before the interruption is not granted again.
	dir2 := filepath.Join(t.TempDir(), "timed")
	code, out, stderr := runCLI(nil, append(tiny, "-out", dir2, "-steps", "30", "-time", "1ns")...)
	require.Equal(t, 0, code, stderr)
	require.Contains(t, out, "time budget reached after 0 steps")
	code, out, stderr = runCLI(nil, "-out", dir2, "-resume", "-q")
	require.Equal(t, 0, code, stderr)
	require.Contains(t, out, "time budget reached after 0 steps")
	code, out, stderr = runCLI(nil, "-out", dir2, "-resume", "-q", "-time", "1h", "-threads", "2")
	require.Equal(t, 0, code, stderr)
	require.Contains(t, out, "step limit reached after 30 steps")
}
