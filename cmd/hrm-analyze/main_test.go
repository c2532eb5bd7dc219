package main

import (
	"bytes"
	"encoding/json"
	"image/png"
	"math"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/hrmgo/hrm/convert"
	"github.com/hrmgo/hrm/models"
	"github.com/hrmgo/hrm/runtime"
	"github.com/hrmgo/hrm/task/sudoku"
	"github.com/stretchr/testify/require"
	"gonum.org/v1/gonum/blas/blas64"
)

func runCLI(args ...string) (int, string, string) {
	var out, errb bytes.Buffer
	code := run(args, &out, &errb)
	return code, out.String(), errb.String()
}

// Variance spread evenly over k of D directions is PR k; the PR from the
// eigenvalues equals tr(C)²/‖C‖²_F computed without them.
func TestParticipationRatio(t *testing.T) {
	const d, k = 8, 5
	m := newMoments(d)
	x := make([]float64, 2*k*d)
	for j := 0; j < k; j++ {
		x[(2*j)*d+j], x[(2*j+1)*d+j] = 1, -1
	}
	m.add(blas64.General{Rows: 2 * k, Cols: d, Stride: d, Data: x})
	pr, vals, err := m.participationRatio()
	require.NoError(t, err)
	require.InDelta(t, k, pr, 1e-12)
	require.Len(t, vals, d)

	// Unequal variances, correlated, with a mean: against the trace formula.
	m.reset()
	rows := 50
	y := make([]float64, rows*d)
	for r := 0; r < rows; r++ {
		for j := 0; j < d; j++ {
			y[r*d+j] = 3 + math.Sin(float64(r*(j+1)))*float64(j+1) + 0.5*math.Cos(float64(r))
		}
	}
	// Added in two parts: the moments are sums.
	m.add(blas64.General{Rows: 20, Cols: d, Stride: d, Data: y[:20*d]})
	o := newMoments(d)
	o.add(blas64.General{Rows: rows - 20, Cols: d, Stride: d, Data: y[20*d:]})
	m.merge(o)
	pr, _, err = m.participationRatio()
	require.NoError(t, err)
	c := m.covariance()
	var tr, fro float64
	for i := 0; i < d; i++ {
		tr += c.At(i, i)
		for j := 0; j < d; j++ {
			fro += c.At(i, j) * c.At(i, j)
		}
	}
	require.InDelta(t, tr*tr/fro, pr, 1e-9)
	require.Greater(t, pr, 1.0)
	require.Less(t, pr, float64(d))

	m.reset()
	m.add(blas64.General{Rows: 1, Cols: d, Stride: d, Data: y[:d]})
	_, _, err = m.participationRatio()
	require.ErrorContains(t, err, "at least 2")
}

// The samples: per puzzle, z_L after each of its H_cycles·L_cycles updates
// and z_H after each of its H_cycles updates, per segment and cell; the
// numbers do not depend on the batch size.
func TestMeasureSamplesAndBatches(t *testing.T) {
	m, err := runtime.LoadBytes(models.Sudoku4.Name, models.Sudoku4.File)
	require.NoError(t, err)
	defer m.Close()
	c := m.Cfg
	gen, err := sudoku.NewGenerator(2, 3, 0)
	require.NoError(t, err)
	var puzzles []puzzle
	for range 6 {
		p, _, err := gen.Generate(10)
		require.NoError(t, err)
		puzzles = append(puzzles, sudokuPuzzle(p))
	}
	one, err := measure(m, puzzles, 3, 1, 1, 2, atUpdate)
	require.NoError(t, err)
	four, err := measure(m, puzzles, 3, 4, 1, 2, atUpdate)
	require.NoError(t, err)
	require.Len(t, one, 3) // after 2, 4 and 6 puzzles
	for i := range one {
		require.Equal(t, 2*(i+1), one[i].N)
		require.Equal(t, one[i].N*3*c.HCycles*16, one[i].HCount)
		require.Equal(t, one[i].N*3*c.HCycles*c.LCycles*16, one[i].LCount)
		require.InDelta(t, one[i].ZH, four[i].ZH, 1e-6*one[i].ZH)
		require.InDelta(t, one[i].ZL, four[i].ZL, 1e-6*one[i].ZL)
	}
	seg, err := measure(m, puzzles, 3, 4, 1, 6, atSegment)
	require.NoError(t, err)
	require.Len(t, seg, 1)
	require.Equal(t, 6*3*16, seg[0].HCount)
	require.Equal(t, 6*3*16, seg[0].LCount)
}

func TestPRCommand(t *testing.T) {
	dir := t.TempDir()
	plot := filepath.Join(dir, "pr.png")
	code, out, stderr := runCLI("pr", "-model", "sudoku4", "-n", "12", "-sweep", "4", "-plot", plot, "-json")
	require.Equal(t, 0, code, stderr)
	var rs []prResult
	require.NoError(t, json.Unmarshal([]byte(out), &rs))
	require.Len(t, rs, 1)
	r := rs[0]
	require.Equal(t, models.Sudoku4.Name, r.Model)
	require.Equal(t, 12, r.Puzzles)
	require.Equal(t, 10, r.Blanks, "the built-in model's training blanks")
	require.Len(t, r.Trained, 3)
	require.Len(t, r.Random, 3)
	require.Greater(t, r.Solved, 9, "the 4×4 model solves nearly all")
	for _, p := range append(r.Trained, r.Random...) {
		require.True(t, p.ZH >= 1 && p.ZH <= 64 && p.ZL >= 1 && p.ZL <= 64, "%+v", p)
	}
	require.NotEqual(t, r.Trained[2].ZH, r.Random[2].ZH)
	f, err := os.Open(plot)
	require.NoError(t, err)
	img, err := png.Decode(f)
	f.Close()
	require.NoError(t, err)
	require.Greater(t, img.Bounds().Dx(), 300)

	svg := filepath.Join(dir, "pr.svg")
	code, out, stderr = runCLI("pr", "-model", "sudoku4", "-n", "4", "-at", "segment", "-plot", svg)
	require.Equal(t, 0, code, stderr)
	require.Contains(t, out, "z_H/z_L")
	require.Contains(t, out, "HRM paper")
	require.Contains(t, out, "both states at the end of every segment")
	b, err := os.ReadFile(svg)
	require.NoError(t, err)
	require.Contains(t, string(b), "<svg")
}

// A TRM file, as hrm-convert writes it from a checkpoint in pretrain.py's
// layout: its answer state z_H (y) and latent z_L (z).
func TestPRCommandTRM(t *testing.T) {
	m, err := convert.Import("../../testdata/checkpoint_trm", convert.Options{})
	require.NoError(t, err)
	require.Equal(t, runtime.ArchTRM, m.Cfg.Arch)
	path := filepath.Join(t.TempDir(), "trm.safetensors")
	require.NoError(t, m.Save(path))
	code, out, stderr := runCLI("pr", "-model", path, "-n", "4", "-sweep", "2", "-plot", "", "-json")
	require.Equal(t, 0, code, stderr)
	var rs []prResult
	require.NoError(t, json.Unmarshal([]byte(out), &rs))
	require.Len(t, rs[0].Trained, 2)
	c := m.Cfg
	require.Equal(t, 4*c.HaltMaxSteps*c.HCycles*c.LCycles*81, rs[0].Trained[1].LCount)
	require.Equal(t, 4*c.HaltMaxSteps*c.HCycles*81, rs[0].Trained[1].HCount)
}

// The built-in maze model is shown generated mazes of its size; -blanks
// and -in are Sudoku's.
func TestPRCommandMaze(t *testing.T) {
	code, out, stderr := runCLI("pr", "-model", "maze", "-n", "6", "-sweep", "3", "-plot", "", "-json")
	require.Equal(t, 0, code, stderr)
	var rs []prResult
	require.NoError(t, json.Unmarshal([]byte(out), &rs))
	r := rs[0]
	require.Equal(t, models.Maze.Name, r.Model)
	require.Equal(t, 6, r.Puzzles)
	require.GreaterOrEqual(t, r.Solved, 3, "the maze model solves most generated mazes")
	m, err := runtime.LoadBytes(models.Maze.Name, models.Maze.File)
	require.NoError(t, err)
	defer m.Close()
	c := m.Cfg
	require.Len(t, r.Trained, 2)
	require.Equal(t, 6*c.HaltMaxSteps*c.HCycles*c.LCycles*64, r.Trained[1].LCount)
	for _, p := range append(r.Trained, r.Random...) {
		require.True(t, p.ZH >= 1 && p.ZH <= float64(c.HiddenSize) && p.ZL >= 1 && p.ZL <= float64(c.HiddenSize), "%+v", p)
	}
	code, _, stderr = runCLI("pr", "-model", "maze", "-n", "6", "-blanks", "30", "-plot", "")
	require.Equal(t, 2, code)
	require.Contains(t, stderr, "-in and -blanks are for Sudoku models")
}

func TestBadInput(t *testing.T) {
	dir := t.TempDir()
	bad := filepath.Join(dir, "p.txt")
	require.NoError(t, os.WriteFile(bad, []byte("..3..2....1.4...\n..3..2....1.4..x\n"), 0o644))
	junk := filepath.Join(dir, "junk.safetensors")
	require.NoError(t, os.WriteFile(junk, []byte("not a weight file"), 0o644))
	for _, tc := range []struct {
		args []string
		want string
	}{
		{nil, "no command"},
		{[]string{"dims"}, `unknown command "dims"`},
		{[]string{"pr", "-n", "1"}, "-n 1: want 2..100000"},
		{[]string{"pr", "-at", "sometimes"}, `-at "sometimes"`},
		{[]string{"pr", "-plot", "x.pdf"}, "want a .svg or .png"},
		{[]string{"pr", "-bogus"}, "flag provided but not defined"},
		{[]string{"pr", "extra"}, `unexpected argument "extra"`},
		{[]string{"pr", "-model", filepath.Join(dir, "missing.safetensors")}, "no such file"},
		{[]string{"pr", "-model", junk, "-plot", ""}, "model " + junk},
		{[]string{"pr", "-model", "sudoku4", "-in", bad, "-plot", ""}, "p.txt line 2:"},
		{[]string{"pr", "-model", "sudoku4", "-blanks", "15", "-plot", ""}, "at most"},
	} {
		code, out, stderr := runCLI(tc.args...)
		require.Equal(t, 2, code, "%v: %s", tc.args, stderr)
		require.Contains(t, stderr, tc.want, "%v", tc.args)
		require.Empty(t, out, "%v", tc.args)
		require.Equal(t, 1, strings.Count(strings.TrimSpace(stderr), "\n")+1, "%v: %s", tc.args, stderr)
	}
}
