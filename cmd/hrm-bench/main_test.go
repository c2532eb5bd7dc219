package main

import (
	"bytes"
	"encoding/json"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/hrmgo/hrm/convert"
	"github.com/hrmgo/hrm/runtime"
	"github.com/hrmgo/hrm/task/maze"
	"github.com/stretchr/testify/require"
)

func runCLI(args ...string) (int, string, string) {
	var out, errb bytes.Buffer
	code := run(args, &out, &errb)
	return code, out.String(), errb.String()
}

func TestModelBench(t *testing.T) {
	m, err := convert.Import("../../testdata/checkpoint", convert.Options{})
	require.NoError(t, err)
	p := filepath.Join(t.TempDir(), "tiny.safetensors")
	require.NoError(t, m.Save(p))
	tmp := t.TempDir()
	t.Setenv("TMPDIR", tmp)
	code, out, stderr := runCLI("model", "-model", p, "-threads", "1,2", "-batch", "1,3", "-reps", "2", "-quant", "int8")
	require.Equal(t, 0, code, stderr)
	require.Equal(t, 4, strings.Count(out, "int8 "), out)
	left, err := os.ReadDir(tmp)
	require.NoError(t, err)
	require.Empty(t, left, "the converted model's file is removed once mapped")

	code, out, stderr = runCLI("model", "-model", p, "-reps", "3", "-json", "-steps", "4")
	require.Equal(t, 0, code, stderr)
	var r modelResult
	require.NoError(t, json.Unmarshal([]byte(out), &r))
	require.Equal(t, "f32", r.Quant)
	require.Len(t, r.SamplesMS, 3)
	require.InDelta(t, 4*r.SegmentMS, r.PuzzleMS, 1e-9)
	require.Greater(t, r.GOPS, 0.0)
	require.Greater(t, r.PeakRSSMB, 0.0)
	require.Equal(t, 81, r.SeqLen) // no puzzle prefix in the tiny model
}

func TestKernelBench(t *testing.T) {
	code, out, stderr := runCLI("kernels", "-family", "attention", "-time", "1ms")
	require.Equal(t, 0, code, stderr)
	require.Contains(t, out, "generic")
	require.Contains(t, out, "T=901")
}

func TestBenchBadFlags(t *testing.T) {
	for _, tc := range []struct {
		args []string
		want string
	}{
		{nil, "usage"},
		{[]string{"speed"}, `unknown command "speed"`},
		{[]string{"model"}, "give -model FILE or -random"},
		{[]string{"model", "-random", "-threads", "0"}, "-threads"},
		{[]string{"model", "-random", "-quant", "int4"}, "-quant"},
		{[]string{"model", "-model", "/nonexistent"}, "no such file"},
		{[]string{"kernels", "-family", "fft"}, "fft"},
	} {
		code, _, stderr := runCLI(tc.args...)
		require.Equal(t, 2, code, "%v: %s", tc.args, stderr)
		require.Contains(t, stderr, tc.want, "%v", tc.args)
	}
}

func TestAccuracyHarness(t *testing.T) {
	m, err := convert.Import("../../testdata/checkpoint", convert.Options{})
	require.NoError(t, err)
	dir := t.TempDir()
	p := filepath.Join(dir, "tiny.safetensors")
	require.NoError(t, m.Save(p))
	code, out, stderr := runCLI("accuracy", "-model", p, "-n", "6", "-json")
	require.Equal(t, 0, code, stderr)
	var rep accuracyReport
	require.NoError(t, json.Unmarshal([]byte(out), &rep))
	require.Len(t, rep.Steps, 4) // halt_max_steps of the tiny model
	require.Len(t, rep.WeightsOnly, 4)
	for _, s := range rep.Steps {
		require.Greater(t, s.LogitsCosine, 0.99)
	}
	q, err := m.Quantize()
	require.NoError(t, err)
	p8 := filepath.Join(dir, "tiny8.safetensors")
	require.NoError(t, q.Save(p8))
	require.Len(t, rep.NoiseKept, 3)
	for _, f := range rep.NoiseKept {
		require.True(t, f >= 0 && f <= 1, "%v", rep.NoiseKept)
	}
	code, out, stderr = runCLI("accuracy", "-model", p, "-int8", p8, "-n", "4")
	require.Equal(t, 0, code, stderr)
	require.Contains(t, out, "weights-only cosine")
	require.Contains(t, out, "solved (halt valid, 6 retries)", "hrm-run's default for Sudoku")
	require.Regexp(t, `\nretries  solved f32  solved int8  int8 keeps  noise reference keeps\n +0 (.+\n){6} +6 `, out, "the solve counts for each number of retries")
	require.Contains(t, out, "noise reference (f32 with int8-sized weight noise, 3 draws) solves")
	code, out, stderr = runCLI("accuracy", "-model", p, "-int8", p8, "-n", "4", "-halt", "max")
	require.Equal(t, 0, code, stderr)
	require.Contains(t, out, "solved (halt max, 0 retries)")
	require.NotContains(t, out, "noise reference keeps", "no retries, no table")
	code, _, stderr = runCLI("accuracy", "-model", p, "-halt", "soon")
	require.Equal(t, 2, code)
	require.Contains(t, stderr, "-halt")
	code, _, stderr = runCLI("accuracy", "-model", p8)
	require.Equal(t, 2, code)
	require.Contains(t, stderr, "must be the float32 model")

	// A TRM-MLP model, through the same harness.
	tm, err := convert.Import("../../testdata/checkpoint_trm", convert.Options{})
	require.NoError(t, err)
	pt := filepath.Join(dir, "trm.safetensors")
	require.NoError(t, tm.Save(pt))
	code, out, stderr = runCLI("accuracy", "-model", pt, "-n", "3", "-json")
	require.Equal(t, 0, code, stderr)
	rep = accuracyReport{}
	require.NoError(t, json.Unmarshal([]byte(out), &rep))
	require.Len(t, rep.Steps, 4)
	for i, s := range rep.Steps {
		require.Less(t, s.RelErr, 2.5*rep.NoiseRelErr[i], "step %d", s.Step)
	}
}

// hrm-bench train measures every recipe side by side and reports
// throughput against the f32 GEMM yardstick.
func TestTrainBench(t *testing.T) {
	code, out, stderr := runCLI("train", "-task", "sudoku4", "-hidden", "16", "-heads", "2", "-batch", "4", "-steps", "1", "-threads", "1", "-json")
	require.Equal(t, 0, code, stderr)
	lines := strings.Split(strings.TrimSpace(out), "\n")
	require.Len(t, lines, 3)
	for i, want := range []string{"hrm", "trm-att", "trm-mlp"} {
		var r trainResult
		require.NoError(t, json.Unmarshal([]byte(lines[i]), &r))
		require.Equal(t, want, r.Recipe)
		require.Greater(t, r.RowSegments, 0.0)
		require.Greater(t, r.GFLOPS, 0.0)
		require.Greater(t, r.ShareOfGemm, 0.0)
	}
	code, _, stderr = runCLI("train", "-recipe", "rnn")
	require.Equal(t, 2, code)
	require.Contains(t, stderr, `-recipe "rnn"`)
}

// hrm-bench solve scores a model per blank count and halting mode.
func TestSolveBench(t *testing.T) {
	code, out, stderr := runCLI("solve", "-model", "../../models/sudoku4.safetensors", "-blanks", "4,10", "-n", "20", "-halt", "max,valid", "-json")
	require.Equal(t, 0, code, stderr)
	lines := strings.Split(strings.TrimSpace(out), "\n")
	require.Len(t, lines, 2)
	for i, b := range []int{4, 10} {
		var r solveRow
		require.NoError(t, json.Unmarshal([]byte(lines[i]), &r))
		require.Equal(t, b, r.Blanks)
		require.Equal(t, 20, r.Puzzles)
		// The built-in 4×4 model solves these; valid halting stops early
		// and solves at least as many as running the whole budget.
		require.Greater(t, r.Solved["max"], 0.8)
		require.GreaterOrEqual(t, r.Solved["valid"], r.Solved["max"])
		require.LessOrEqual(t, r.Segments["valid"], r.Segments["max"])
	}
	for _, tc := range []struct {
		args []string
		want string
	}{
		{[]string{"solve"}, "-model FILE is required"},
		{[]string{"solve", "-model", "../../models/sudoku4.safetensors", "-blanks", "13"}, "at most 12"},
		{[]string{"solve", "-model", "../../models/sudoku4.safetensors", "-halt", "never"}, `halt mode "never"`},
	} {
		code, _, stderr := runCLI(tc.args...)
		require.Equal(t, 2, code, "%v: %s", tc.args, stderr)
		require.Contains(t, stderr, tc.want)
	}
}

type fullWriter struct{}

func (fullWriter) Write(p []byte) (int, error) { return 0, errors.New("no space left on device") }

// A failed write of the results is an error (exit 1).
func TestBenchOutputFails(t *testing.T) {
	m, err := convert.Import("../../testdata/checkpoint", convert.Options{})
	require.NoError(t, err)
	p := filepath.Join(t.TempDir(), "tiny.safetensors")
	require.NoError(t, m.Save(p))
	for _, args := range [][]string{
		{"kernels", "-family", "vector", "-time", "1ms"},
		{"kernels", "-family", "vector", "-time", "1ms", "-json"},
		{"model", "-model", p, "-reps", "1"},
		{"model", "-model", p, "-reps", "1", "-json"},
		{"accuracy", "-model", p, "-n", "2"},
	} {
		var stderr bytes.Buffer
		code := run(args, fullWriter{}, &stderr)
		require.Equal(t, 1, code, "%v: %s", args, stderr.String())
		require.Equal(t, "hrm-bench: writing the output: no space left on device\n", stderr.String(), "%v", args)
	}
}

// Out-of-range flags are bad input (exit 2, one line) before any work.
func TestBenchFlagLimits(t *testing.T) {
	m, err := convert.Import("../../testdata/checkpoint", convert.Options{})
	require.NoError(t, err)
	p := filepath.Join(t.TempDir(), "tiny.safetensors")
	require.NoError(t, m.Save(p))
	for _, tc := range []struct {
		args []string
		want string
	}{
		{[]string{"model", "-random", "-threads", "5000"}, "-threads 5000: want at most 1024"},
		{[]string{"model", "-model", p, "-batch", "100000"}, "-batch 100000: want at most 65536"},
		{[]string{"kernels", "-time", "-1s"}, "-time -1s: must be positive"},
		{[]string{"kernels", "-time", "0s"}, "-time 0s: must be positive"},
		{[]string{"accuracy", "-model", p, "-int8", p}, "-int8 must be an int8 model, this one is f32"},
		{[]string{"kernels", "-bogus"}, "flag provided but not defined: -bogus (hrm-bench kernels -h for help)"},
		{[]string{"model", "-reps", "x"}, `invalid value "x" for flag -reps`},
		{[]string{"accuracy", "-n"}, "flag needs an argument: -n"},
	} {
		code, out, stderr := runCLI(tc.args...)
		require.Equal(t, 2, code, "%v: %s", tc.args, stderr)
		require.Contains(t, stderr, tc.want, "%v", tc.args)
		require.Equal(t, 1, strings.Count(stderr, "\n"), "%v: one line:\n%s", tc.args, stderr)
		require.Empty(t, out)
	}
	for _, args := range [][]string{{"-h"}, {"model", "-h"}} {
		code, _, stderr := runCLI(args...)
		require.Equal(t, 0, code, "%v", args)
		require.Contains(t, stderr, "sage", "%v", args)
	}
}

// A batch whose session buffers exceed -mem is refused before measuring.
func TestBenchMemoryBudget(t *testing.T) {
	m, err := convert.Import("../../testdata/checkpoint", convert.Options{})
	require.NoError(t, err)
	p := filepath.Join(t.TempDir(), "tiny.safetensors")
	require.NoError(t, m.Save(p))
	code, out, stderr := runCLI("model", "-model", p, "-batch", "1,3", "-mem", "1M", "-reps", "1")
	require.Equal(t, 2, code, stderr)
	require.Empty(t, out)
	require.Contains(t, stderr, "-batch 3 with -threads 1 needs 1.")
	require.Contains(t, stderr, "over the -mem budget of 1.00 MiB; raise -mem")
	code, _, stderr = runCLI("model", "-model", p, "-batch", "1,3", "-mem", "2M", "-reps", "1")
	require.Equal(t, 0, code, stderr)
}

// solve scores maze models too: mazes of the model's side per minimum path
// length, solved when maze.Verify accepts the path. A random model solves
// none, so valid halting runs every maze to the budget.
func TestSolveBenchMaze(t *testing.T) {
	c := runtime.DefaultConfig()
	c.SeqLen, c.VocabSize, c.HiddenSize, c.NumHeads = 36, 6, 32, 2
	c.HLayers, c.LLayers, c.HCycles, c.LCycles, c.Expansion = 1, 1, 1, 1, 2
	c.NumPuzzleIdentifiers, c.HaltMaxSteps = 1, 3
	m, err := runtime.NewRandom(c, 2)
	require.NoError(t, err)
	m.Vocab = runtime.MazeVocab
	p := filepath.Join(t.TempDir(), "maze.safetensors")
	require.NoError(t, m.Save(p))
	code, out, stderr := runCLI("solve", "-model", p, "-n", "5", "-halt", "max,valid", "-json")
	require.Equal(t, 0, code, stderr)
	lines := strings.Split(strings.TrimSpace(out), "\n")
	require.Len(t, lines, 4, "four path lengths by default")
	for _, l := range lines {
		var r solveRow
		require.NoError(t, json.Unmarshal([]byte(l), &r))
		require.Positive(t, r.MinPath)
		require.Zero(t, r.Blanks)
		require.Equal(t, 5, r.Puzzles)
		require.Equal(t, 21.0, r.Segments["valid"], "the budget of 3, and on each of hrm-run's 6 retries")
		require.Equal(t, 3.0, r.Segments["max"])
	}
	code, out, stderr = runCLI("solve", "-model", p, "-n", "2", "-halt", "valid", "-retries", "0", "-json")
	require.Equal(t, 0, code, stderr)
	var r solveRow
	require.NoError(t, json.Unmarshal([]byte(strings.SplitN(out, "\n", 2)[0]), &r))
	require.Equal(t, 3.0, r.Segments["valid"])
	code, out, stderr = runCLI("solve", "-model", p, "-n", "3", "-min-path", "4", "-halt", "max")
	require.Equal(t, 0, code, stderr)
	require.Contains(t, out, "6×6 mazes with unique shortest paths")
	require.Contains(t, out, "min path")

	mz, err := mazeBench(m, p, "4", 1)
	require.NoError(t, err)
	bp, err := mz.gen(4)
	require.NoError(t, err)
	g, _ := maze.NewGenerator(maze.Config{Cells: 6, Loops: maze.DefaultConfig().Loops, MinPathLen: 4}, 1, 4)
	want, _ := g.Generate()
	require.Equal(t, want.Input, bp.toks)
	lab := make([]int32, 36)
	for i, x := range want.Label {
		lab[i] = int32(x)
	}
	require.True(t, bp.verifies(lab), "the generator's own path verifies")
	lab[want.Start] = maze.OpenToken
	require.False(t, bp.verifies(lab))

	// The int8 harness generates mazes of the model's side.
	code, out, stderr = runCLI("accuracy", "-model", p, "-n", "4", "-json")
	require.Equal(t, 0, code, stderr)
	var rep accuracyReport
	require.NoError(t, json.Unmarshal([]byte(out), &rep))
	require.Len(t, rep.Steps, 3)
	require.Equal(t, 4, rep.Puzzles)
	code, _, stderr = runCLI("accuracy", "-model", p, "-blanks", "10")
	require.Equal(t, 2, code)
	require.Contains(t, stderr, "a maze model is shown generated mazes")
}

// hrm-bench arc runs every task of a directory through the official
// pipeline and scores it; a task without identifiers is named and fails.
// (That the pipeline answers right is TestARCEndToEnd of hrm-run, on a
// trained model; this one is random.)
func TestARCBench(t *testing.T) {
	c := runtime.DefaultConfig()
	c.SeqLen, c.VocabSize, c.HiddenSize, c.NumHeads = 36, 12, 32, 2
	c.HLayers, c.LLayers, c.HCycles, c.LCycles, c.Expansion = 1, 1, 1, 1, 2
	c.PuzzleEmbNdim, c.NumPuzzleIdentifiers, c.HaltMaxSteps = 32, 4, 2
	m, err := runtime.NewRandom(c, 3)
	require.NoError(t, err)
	m.Vocab = runtime.ARCVocab
	m, err = m.WithIdentifiers([]string{"<blank>", "swap12", "swap12_t1_0213456789", "fill4"})
	require.NoError(t, err)
	dir := t.TempDir()
	p := filepath.Join(dir, "arc.safetensors")
	require.NoError(t, m.Save(p))
	sub := filepath.Join(dir, "submission.json")
	code, out, stderr := runCLI("arc", "-model", p, "-submission", sub, "../hrm-run/testdata/arc")
	require.Equal(t, 0, code, stderr)
	require.Contains(t, out, "swap12  2 variants, 1 test inputs: pass@1 ")
	require.Contains(t, out, "fill4  1 variants, 1 test inputs")
	require.Contains(t, out, `erase3  not answered: the model has no puzzle identifiers for task "erase3"`)
	require.Contains(t, out, "3 tasks (2 answered, 2 with known test outputs)")
	require.Contains(t, stderr, "1 of 3 tasks not answered (erase3) count as failed")
	b, err := os.ReadFile(sub)
	require.NoError(t, err)
	var s map[string][]map[string][][]int
	require.NoError(t, json.Unmarshal(b, &s))
	require.Len(t, s, 2)
	require.Len(t, s["swap12"], 1)
	require.Contains(t, s["swap12"][0], "attempt_2")

	code, out, _ = runCLI("arc", "-model", p, "-json", "../hrm-run/testdata/arc")
	require.Equal(t, 0, code)
	require.Len(t, strings.Split(strings.TrimSpace(out), "\n"), 3)

	for _, tc := range []struct {
		args []string
		want string
	}{
		{[]string{"arc", "../hrm-run/testdata/arc"}, "-model FILE is required"},
		{[]string{"arc", "-model", p}, "want one directory"},
		{[]string{"arc", "-model", "../../models/sudoku4.safetensors", "../hrm-run/testdata/arc"}, "a sudoku model; arc scores ARC models"},
		{[]string{"arc", "-model", p, t.TempDir()}, "no *.json files"},
	} {
		code, _, stderr := runCLI(tc.args...)
		require.Equal(t, 2, code, "%v: %s", tc.args, stderr)
		require.Contains(t, stderr, tc.want, "%v", tc.args)
	}
}
