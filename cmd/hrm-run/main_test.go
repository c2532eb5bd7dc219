package main

import (
	"bytes"
	"encoding/json"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/hrmgo/hrm/convert"
	"github.com/hrmgo/hrm/task/sudoku"
)

const sample = "53..7....6..195....98....6.8...6...34..8.3..17...2...6.6....28....419..5....8..79"

var (
	modelOnce sync.Once
	modelPath string
	modelErr  error
)

// tinyModel converts the tiny golden checkpoint into a weight file. Its
// weights are random, so answers are wrong, but every path of the CLI runs.
func tinyModel(t *testing.T) string {
	modelOnce.Do(func() {
		dir, err := os.MkdirTemp("", "hrm-run-test")
		if err != nil {
			modelErr = err
			return
		}
		m, err := convert.Import("../../testdata/checkpoint", convert.Options{})
		if err != nil {
			modelErr = err
			return
		}
		modelPath = filepath.Join(dir, "tiny.safetensors")
		modelErr = m.Save(modelPath)
	})
	require.NoError(t, modelErr)
	return modelPath
}

func runCLI(args ...string) (int, string, string) {
	var out, errb bytes.Buffer
	code := run(args, &out, &errb)
	return code, out.String(), errb.String()
}

func TestSolveOnePuzzle(t *testing.T) {
	code, out, stderr := runCLI("-model", tinyModel(t), "-puzzle", sample)
	require.Equal(t, 0, code, stderr)
	require.Contains(t, out, "after 28 segments in 7 attempts")
	require.Equal(t, 9, strings.Count(out, "|")/2, "nine grid rows with two box separators each:\n%s", out)

	code, out, stderr = runCLI("-model", tinyModel(t), "-puzzle", sample, "-json", "-steps", "7", "-retries", "0", "-v")
	require.Equal(t, 0, code, stderr)
	var r result
	require.NoError(t, json.Unmarshal([]byte(out), &r))
	require.Equal(t, sample, r.Puzzle)
	require.Len(t, r.Solution, 81)
	require.Equal(t, 7, r.Steps)
	require.Equal(t, 0, r.Retries)
	require.Contains(t, stderr, "kernels:")

	code, out, _ = runCLI("-model", tinyModel(t), "-puzzle", sample, "-trace", "-steps", "2")
	require.Equal(t, 0, code)
	require.Contains(t, out, "segment 1  q_halt")
	require.Contains(t, out, "segment 2  q_halt")
	require.Contains(t, out, "retry 1: the puzzle with its digits relabelled and its rows and columns permuted, answers shown mapped back\nsegment 1  q_halt")
	require.Contains(t, out, "after 14 segments in 7 attempts")
}

// Batched runs give the same answers as one puzzle at a time.
func TestSolveFileBatched(t *testing.T) {
	dir := t.TempDir()
	puzzles := []string{sample, strings.Repeat(".", 81), "1" + strings.Repeat(".", 80)}
	txt := filepath.Join(dir, "p.txt")
	require.NoError(t, os.WriteFile(txt, []byte("# comment\n"+strings.Join(puzzles, "\n")+"\n\n"), 0o644))
	code, out, stderr := runCLI("-model", tinyModel(t), "-in", txt, "-batch", "2", "-json")
	require.Equal(t, 0, code, stderr)
	lines := strings.Split(strings.TrimSpace(out), "\n")
	require.Len(t, lines, 3)
	for i, l := range lines {
		var r result
		require.NoError(t, json.Unmarshal([]byte(l), &r))
		code, one, _ := runCLI("-model", tinyModel(t), "-puzzle", puzzles[i], "-json")
		require.Equal(t, 0, code)
		var r1 result
		require.NoError(t, json.Unmarshal([]byte(one), &r1))
		require.Equal(t, r1.Solution, r.Solution, "puzzle %d", i)
	}

	nd := filepath.Join(dir, "p.ndjson")
	require.NoError(t, os.WriteFile(nd, []byte(`{"id": "a", "puzzle": "`+sample+`"}`+"\n"+`{"puzzle": "`+puzzles[1]+`", "id": 7}`+"\n"), 0o644))
	code, out, stderr = runCLI("-model", tinyModel(t), "-in", nd, "-json", "-halt", "q")
	require.Equal(t, 0, code, stderr)
	lines = strings.Split(strings.TrimSpace(out), "\n")
	require.Len(t, lines, 2)
	require.Contains(t, lines[0], `"id":"a"`)
	require.Contains(t, lines[1], `"id":"7"`)

	code, out, _ = runCLI("-model", tinyModel(t), "-in", txt)
	require.Equal(t, 0, code)
	require.Len(t, strings.Split(strings.TrimSpace(out), "\n"), 3)
}

// With no flags, the built-in 9×9 model solves its sample, segment by
// segment; a 4×4 puzzle picks the built-in 4×4 model.
func TestBuiltinDemo(t *testing.T) {
	code, out, stderr := runCLI()
	require.Equal(t, 0, code, stderr)
	require.Contains(t, out, "segment 1  q_halt")
	require.Contains(t, out, "valid solution after")
	require.NotContains(t, out, "NOT a valid solution")
	for _, b := range []builtin{builtinSudoku9, builtinSudoku4} {
		g, err := sudoku.Parse(b.sample)
		require.NoError(t, err)
		_, n, err := sudoku.Solve(g)
		require.NoError(t, err)
		require.Equal(t, 1, n, "%s: the sample has exactly one solution", b.name)
		code, out, stderr = runCLI("-puzzle", b.sample, "-json", "-v")
		require.Equal(t, 0, code, stderr)
		require.Contains(t, stderr, b.name)
		require.Contains(t, out, `"solved":true`, b.name)
	}
}

// A maze with no -model picks the built-in maze model, whether given with
// -puzzle, as a plain file (its rows start with '#', a comment in a Sudoku
// file) or as NDJSON, and the model solves its sample.
func TestBuiltinMaze(t *testing.T) {
	dir := t.TempDir()
	plain := filepath.Join(dir, "maze.txt")
	require.NoError(t, os.WriteFile(plain, []byte("\n"+builtinMaze.sample+"\n"), 0o644))
	b, err := json.Marshal(map[string]string{"maze": builtinMaze.sample})
	require.NoError(t, err)
	nd := filepath.Join(dir, "maze.ndjson")
	require.NoError(t, os.WriteFile(nd, append(b, '\n'), 0o644))
	for _, args := range [][]string{
		{"-puzzle", builtinMaze.sample},
		{"-in", plain},
		{"-in", nd},
	} {
		code, out, stderr := runCLI(append(args, "-json", "-v")...)
		require.Equal(t, 0, code, stderr)
		require.Contains(t, stderr, builtinMaze.name, args)
		require.Contains(t, out, `"solved":true`, args)
	}
	// It halts as -halt valid by default, before the budget; the sample
	// also holds its path through the whole budget (-halt max).
	steps := map[string]int{}
	for _, halt := range []string{"", "valid", "max"} {
		r := solveJSON(t, builtinMaze.sample, halt)
		require.True(t, r.Solved, halt)
		steps[halt] = r.Steps
	}
	require.Equal(t, steps["valid"], steps[""])
	require.Less(t, steps["valid"], steps["max"])
	// A Sudoku file that starts with a comment is still a Sudoku file.
	commented := filepath.Join(dir, "sudoku.txt")
	require.NoError(t, os.WriteFile(commented, []byte("# from the README\n"+builtinSudoku4.sample+"\n"), 0o644))
	code, _, stderr := runCLI("-in", commented, "-v")
	require.Equal(t, 0, code, stderr)
	require.Contains(t, stderr, builtinSudoku4.name)
}

func TestBadInput(t *testing.T) {
	model := tinyModel(t)
	dir := t.TempDir()
	badLine := filepath.Join(dir, "bad.txt")
	require.NoError(t, os.WriteFile(badLine, []byte(sample+"\n"+sample[:80]+"x\n"), 0o644))
	badJSON := filepath.Join(dir, "bad.ndjson")
	require.NoError(t, os.WriteFile(badJSON, []byte(`{"puzzle": "`+sample+`"}`+"\n"+`{"puzzle": 5`+"\n"), 0o644))
	noPuzzle := filepath.Join(dir, "np.ndjson")
	require.NoError(t, os.WriteFile(noPuzzle, []byte(`{"id": 1}`+"\n"), 0o644))
	twoPuzzles := filepath.Join(dir, "two.txt")
	require.NoError(t, os.WriteFile(twoPuzzles, []byte(sample+"\n"+sample+"\n"), 0o644))
	notModel := filepath.Join(dir, "junk.safetensors")
	require.NoError(t, os.WriteFile(notModel, []byte("this is not a weight file"), 0o644))

	// A model for another task.
	otherTask := filepath.Join(dir, "arc.safetensors")
	arc, err := convert.Import("../../testdata/goldens/b_small_puzzle/weights_f32.safetensors", convert.Options{Config: map[string]any{
		"num_heads": 4, "H_cycles": 2, "L_cycles": 3, "expansion": 4, "halt_max_steps": 5, "seq_len": 81}})
	require.NoError(t, err)
	require.NoError(t, arc.Save(otherTask))

	for _, tc := range []struct {
		args []string
		want string
	}{
		{[]string{"-puzzle", sample[:17]}, "sudoku has 17 characters, this model reads 9×9 = 81"}, // not 4×4: the built-in 9×9 model
		{[]string{"-puzzle", "1...3..1..4...22"}, "digit 2 twice"},                                // the built-in 4×4 model
		{[]string{"-model", model}, "give -puzzle or -in"},
		{[]string{"-model", model, "-puzzle", sample[:80]}, "puzzle: sudoku has 80 characters, this model reads 9×9 = 81"},
		{[]string{"-model", model, "-puzzle", "x" + sample[1:]}, "invalid character 'x'"},
		{[]string{"-model", model, "-puzzle", "55" + sample[2:]}, "digit 5 twice in row 1 (columns 1 and 2)"},
		{[]string{"-model", model, "-in", badLine}, "bad.txt line 2:"},
		{[]string{"-model", model, "-in", badJSON}, "line 2:"},
		{[]string{"-model", model, "-in", noPuzzle}, `line 1: no "puzzle" field`},
		{[]string{"-model", model, "-in", filepath.Join(dir, "missing.txt")}, "no such file"},
		{[]string{"-model", filepath.Join(dir, "missing.safetensors"), "-puzzle", sample}, "no such file"},
		{[]string{"-model", notModel, "-puzzle", sample}, "model:"},
		{[]string{"-model", otherTask, "-puzzle", sample}, "an ARC model answers a task file: give -in TASK.json"},
		{[]string{"-model", model, "-in", twoPuzzles, "-trace"}, "-trace follows one puzzle; " + twoPuzzles + " holds 2"},
		{[]string{"-model", model, "-puzzle", sample, "-halt", "sometimes"}, `halt mode "sometimes"`},
		{[]string{"-model", model, "-puzzle", sample, "-steps", "-1"}, "-steps -1"},
		{[]string{"-model", model, "-puzzle", sample, "-bogus"}, "flag provided but not defined"},
		{[]string{"-model", model, "-puzzle", sample, "extra"}, `unexpected argument "extra"`},
	} {
		code, out, stderr := runCLI(tc.args...)
		require.Equal(t, 2, code, "%v: %s", tc.args, stderr)
		require.Contains(t, stderr, tc.want, "%v", tc.args)
		require.Empty(t, out, "%v", tc.args)
		require.Equal(t, 1, strings.Count(strings.TrimSpace(lastLine(stderr)), "\n")+1)
	}
}

func lastLine(s string) string {
	lines := strings.Split(strings.TrimSpace(s), "\n")
	return lines[len(lines)-1]
}

// -no-mmap reads the model into memory: the same answers, and the file
// on disk may then be rewritten in place (see loader.TestReadFileIndependentOfDisk).
func TestNoMmap(t *testing.T) {
	code, a, stderr := runCLI("-model", tinyModel(t), "-puzzle", sample, "-json")
	require.Equal(t, 0, code, stderr)
	code, b, stderr := runCLI("-model", tinyModel(t), "-puzzle", sample, "-json", "-no-mmap")
	require.Equal(t, 0, code, stderr)
	require.Equal(t, a, b)
	code, _, stderr = runCLI("-model", filepath.Join(t.TempDir(), "missing"), "-puzzle", sample, "-no-mmap")
	require.Equal(t, 2, code)
	require.Contains(t, stderr, "no such file")
	code, _, stderr = runCLI("-h")
	require.Equal(t, 0, code)
	require.Contains(t, stderr, "SIGBUS")
}

// hrm-run is the edge binary: it reads task formats from task/, never the
// trainer (whose data streams and samplers it has no use for).
func TestNoTrainerDependency(t *testing.T) {
	out, err := exec.Command("go", "list", "-deps", ".").CombinedOutput()
	require.NoError(t, err, "%s", out)
	for _, p := range strings.Fields(string(out)) {
		require.False(t, strings.HasPrefix(p, "github.com/hrmgo/hrm/trainer"), "hrm-run depends on %s", p)
	}
	require.Contains(t, strings.Fields(string(out)), "github.com/hrmgo/hrm/task/sudoku")
}
