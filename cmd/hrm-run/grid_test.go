package main

import (
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/hrmgo/hrm/runtime"
	"github.com/hrmgo/hrm/task/maze"
)

// Every Sudoku answer says whether it verifies and, if not, how far off it
// is; plain -in output marks invalid grids; an -in run ends with a summary.
func TestSudokuVerdicts(t *testing.T) {
	code, out, stderr := runCLI("-model", tinyModel(t), "-puzzle", sample, "-json")
	require.Equal(t, 0, code, stderr)
	var m map[string]any
	require.NoError(t, json.Unmarshal([]byte(out), &m))
	require.Equal(t, false, m["solved"], "the tiny model's weights are random")
	for _, k := range []string{"conflicts", "givens_changed", "unfilled"} {
		require.Contains(t, m, k)
	}
	require.NotEmpty(t, m["reason"])
	require.Greater(t, m["conflicts"].(float64)+m["givens_changed"].(float64)+m["unfilled"].(float64), 0.0)

	code, out, _ = runCLI("-model", tinyModel(t), "-puzzle", sample)
	require.Equal(t, 0, code)
	require.Contains(t, out, "NOT a valid solution: ")

	p := filepath.Join(t.TempDir(), "p.txt")
	require.NoError(t, os.WriteFile(p, []byte(sample+"\n"+sample+"\n"), 0o644))
	code, out, stderr = runCLI("-model", tinyModel(t), "-in", p)
	require.Equal(t, 0, code, stderr)
	for _, l := range strings.Split(strings.TrimSpace(out), "\n") {
		require.Regexp(t, `^[1-9.?]{81}  invalid: \d+ `, l)
	}
	require.Regexp(t, `^hrm-run: solved 0 of 2 \(0\.0%\), mean 28\.00 segments, .+ per puzzle\n$`, stderr, "6 retries by default, each the budget of 4")

	// The built-in 4×4 model solves its sample: the JSON says so, with no
	// reason, and the summary counts it.
	p4 := filepath.Join(t.TempDir(), "p4.txt")
	require.NoError(t, os.WriteFile(p4, []byte(builtinSudoku4.sample+"\n"), 0o644))
	code, out, stderr = runCLI("-in", p4, "-json")
	require.Equal(t, 0, code, stderr)
	require.Contains(t, out, `"solved":true,"conflicts":0,"givens_changed":0,"unfilled":0,"steps":`)
	require.NotContains(t, out, "reason")
	require.Contains(t, stderr, "solved 1 of 1 (100.0%)")
}

// -halt valid stops a puzzle as soon as its prediction verifies: the
// built-in 4×4 model solves its sample before its last segment. It is the
// default for a Sudoku.
func TestHaltValidStopsWhenSolved(t *testing.T) {
	steps := func(halt string) (int, bool) {
		r := solveJSON(t, builtinSudoku4.sample, halt)
		return r.Steps, r.Solved
	}
	maxSteps, solved := steps("max")
	require.True(t, solved)
	validSteps, solved := steps("valid")
	require.True(t, solved)
	require.Less(t, validSteps, maxSteps)
	defaultSteps, _ := steps("")
	require.Equal(t, validSteps, defaultSteps, "a Sudoku halts as -halt valid by default")
	// a puzzle that never verifies runs the whole budget, on every retry
	code, out, stderr := runCLI("-model", tinyModel(t), "-puzzle", sample, "-json", "-halt", "valid", "-steps", "3")
	require.Equal(t, 0, code, stderr)
	require.Contains(t, out, `"steps":21,"retries":6,`)
	code, out, stderr = runCLI("-model", tinyModel(t), "-puzzle", sample, "-json", "-halt", "valid", "-steps", "3", "-retries", "0")
	require.Equal(t, 0, code, stderr)
	require.Contains(t, out, `"steps":3,"retries":0,`)
}

// solveJSON runs one built-in-model puzzle with -json and -halt halt
// ("": the default) and returns its result.
func solveJSON(t *testing.T, puzzle, halt string) result {
	t.Helper()
	args := []string{"-puzzle", puzzle, "-json"}
	if halt != "" {
		args = append(args, "-halt", halt)
	}
	code, out, stderr := runCLI(args...)
	require.Equal(t, 0, code, stderr)
	var r result
	require.NoError(t, json.Unmarshal([]byte(out), &r))
	return r
}

var (
	mazeOnce  sync.Once
	mazeModel string
	mazeErr   error
)

// randomMaze is a random 8×8 maze model (seq_len 64): its answers are
// wrong, but every path of the CLI runs.
func randomMaze(t *testing.T) string {
	mazeOnce.Do(func() {
		c := runtime.DefaultConfig()
		c.SeqLen, c.VocabSize, c.HiddenSize, c.NumHeads = 64, 6, 32, 2
		c.HLayers, c.LLayers, c.HCycles, c.LCycles, c.Expansion = 1, 1, 1, 1, 2
		c.NumPuzzleIdentifiers, c.HaltMaxSteps = 1, 3
		var m *runtime.Model
		if m, mazeErr = runtime.NewRandom(c, 5); mazeErr != nil {
			return
		}
		m.Vocab = runtime.MazeVocab
		dir, err := os.MkdirTemp("", "hrm-run-maze")
		if err != nil {
			mazeErr = err
			return
		}
		mazeModel = filepath.Join(dir, "maze.safetensors")
		mazeErr = m.Save(mazeModel)
	})
	require.NoError(t, mazeErr)
	return mazeModel
}

const maze6 = "" +
	"S.#...\n" +
	"#.#.#.\n" +
	"#...#.\n" +
	"####..\n" +
	"#....#\n" +
	"#.##.G\n"

func TestMazeRun(t *testing.T) {
	model := randomMaze(t)
	dir := t.TempDir()
	one := filepath.Join(dir, "m.txt")
	require.NoError(t, os.WriteFile(one, []byte(maze6), 0o644))

	code, out, stderr := runCLI("-model", model, "-in", one)
	require.Equal(t, 0, code, stderr)
	lines := strings.Split(out, "\n")
	require.Len(t, lines, 6+2, "the 6×6 maze with the predicted path, then the verdict:\n%s", out)
	require.Regexp(t, `^NOT a valid solution: maze: `, lines[6])
	require.Contains(t, stderr, "hrm-run: solved 0 of 1")

	code, out, stderr = runCLI("-model", model, "-in", one, "-json", "-steps", "2")
	require.Equal(t, 0, code, stderr)
	var r result
	require.NoError(t, json.Unmarshal([]byte(out), &r))
	require.Equal(t, strings.TrimSpace(maze6), r.Maze)
	require.Len(t, strings.Split(r.Solution, "\n"), 6)
	require.False(t, r.Solved)
	require.NotEmpty(t, r.Reason)
	require.Equal(t, 14, r.Steps, "the budget of 2, and again on each of 6 retries")
	require.Equal(t, 6, r.Retries)
	require.Nil(t, r.Report, "no Sudoku counts for a maze")

	code, out, stderr = runCLI("-model", model, "-in", one, "-trace")
	require.Equal(t, 0, code, stderr)
	require.Contains(t, out, "segment 3  q_halt")
	require.Contains(t, out, "retry 6: the puzzle turned or mirrored, answers shown mapped back\nsegment 1  q_halt")

	code, out, _ = runCLI("-model", model, "-puzzle", maze6, "-halt", "valid")
	require.Equal(t, 0, code)
	require.Contains(t, out, "after 21 segments in 7 attempts", "a maze that never verifies runs the budget, on every retry")

	nd := filepath.Join(dir, "m.ndjson")
	b, _ := json.Marshal(map[string]string{"maze": maze6, "id": "first"})
	b2, _ := json.Marshal(map[string]string{"maze": strings.ReplaceAll(maze6, ".", " ")})
	require.NoError(t, os.WriteFile(nd, append(append(b, '\n'), append(b2, '\n')...), 0o644))
	code, out, stderr = runCLI("-model", model, "-in", nd, "-json", "-batch", "2")
	require.Equal(t, 0, code, stderr)
	got := strings.Split(strings.TrimSpace(out), "\n")
	require.Len(t, got, 2)
	require.Contains(t, got[0], `"id":"first"`)
	var r1, r2 result
	require.NoError(t, json.Unmarshal([]byte(got[0]), &r1))
	require.NoError(t, json.Unmarshal([]byte(got[1]), &r2))
	require.Equal(t, r1.Solution, r2.Solution, "'.' and ' ' are the same open square")
	require.Contains(t, stderr, "solved 0 of 2")
}

// The checker of a maze answer is maze.Verify on the maze's own squares,
// also when the maze is walled into a larger model's square.
func TestMazeCheck(t *testing.T) {
	g, _ := maze.NewGenerator(maze.Config{Cells: 6, Loops: 2, MinPathLen: 8}, 3, 0)
	mz, err := g.Generate()
	require.NoError(t, err)
	task := &mazeTask{side: 8}
	toks, n, err := task.parse(maze.Text(mz.Input, 6))
	require.NoError(t, err)
	require.Equal(t, 6, n)
	pred := make([]int32, 64)
	for i, x := range maze.Place(mz.Label, 6, 8) {
		pred[i] = int32(x)
	}
	v := task.check(toks, n, pred)
	require.True(t, v.solved, v.reason)
	require.Equal(t, maze.Text(mz.Label, 6), task.text(toks, n, pred))
	// one path square dropped: the path breaks
	for i, x := range pred {
		if x == maze.PathToken {
			pred[i] = maze.OpenToken
			break
		}
	}
	v = task.check(toks, n, pred)
	require.False(t, v.solved)
	require.Contains(t, v.reason, "maze: ")
}

func TestMazeBadInput(t *testing.T) {
	model := randomMaze(t)
	dir := t.TempDir()
	write := func(name, s string) string {
		p := filepath.Join(dir, name)
		require.NoError(t, os.WriteFile(p, []byte(s), 0o644))
		return p
	}
	big := strings.Repeat(strings.Repeat(".", 9)+"\n", 8) + "S.......G\n"
	for _, tc := range []struct {
		in, want string
	}{
		{"S.#\n#.\n#.G\n", "not square: 3 rows, but row 2 has 2 squares"},
		{"S.S\n#.#\n#.G\n", "two S, at row 1 column 1 and row 1 column 3"},
		{"S.#\n###\n#.G\n", "no path of open squares"},
		{"S.#\n#x#\n#.G\n", `row 2 column 2: 'x' is not a square`},
		{big, "maze is 9×9, this model reads mazes up to 8×8"},
		{strings.Repeat("#\n", 70), "more than 64 lines: not one maze"},
		{`{"maze": "S."}` + "\n", "line 1: maze: 1 row"},
		{`{"maze": "S.", "puzzle": "x"}` + "\n", `both "puzzle" and "maze"`},
	} {
		code, out, stderr := runCLI("-model", model, "-in", write("m.txt", tc.in))
		require.Equal(t, 2, code, "%q: %s", tc.in, stderr)
		require.Contains(t, stderr, tc.want, "%q", tc.in)
		require.Empty(t, out)
		require.Equal(t, 1, strings.Count(stderr, "\n"), "%q: one line:\n%s", tc.in, stderr)
	}
	two := write("two.ndjson", `{"maze": "S.\n.G"}`+"\n"+`{"maze": "S.\n.G"}`+"\n")
	code, _, stderr := runCLI("-model", model, "-in", two, "-trace")
	require.Equal(t, 2, code)
	require.Contains(t, stderr, "-trace follows one puzzle")
}
