package retry_test

import (
	"fmt"
	"slices"
	"testing"

	"github.com/hrmgo/hrm/internal/retry"
	"github.com/hrmgo/hrm/models"
	"github.com/hrmgo/hrm/runtime"
	"github.com/hrmgo/hrm/task/maze"
	"github.com/hrmgo/hrm/task/sudoku"
	"github.com/stretchr/testify/require"
)

func int32s(b []uint8) []int32 {
	out := make([]int32, len(b))
	for i, x := range b {
		out[i] = int32(x)
	}
	return out
}

// A Sudoku variant is a puzzle whose solution is the variant of the
// original's, and Back undoes In on any tokens, non-digits included.
func TestSudokuVariants(t *testing.T) {
	for _, box := range []int{2, 3} {
		gen, err := sudoku.NewGenerator(box, 5, 1)
		require.NoError(t, err)
		vs := retry.SudokuVariants(box)
		seen := map[string]bool{}
		_, sol0, err := gen.Generate(0)
		require.NoError(t, err)
		for k := 1; k <= 20; k++ {
			p, sol, err := gen.Generate(box * box * box)
			require.NoError(t, err)
			v, ok := vs(k)
			require.True(t, ok)
			n := len(p)
			vp, vsol := make([]int32, n), make([]int32, n)
			v.In(vp, int32s(p.Tokens()))
			v.In(vsol, int32s(sol.Tokens()))
			g, err := sudoku.FromTokens(vp)
			require.NoError(t, err)
			require.NoError(t, g.CheckGivens())
			want, _, err := sudoku.Solve(g)
			require.NoError(t, err)
			require.Equal(t, int32s(want.Tokens()), vsol, "box %d variant %d: the variant's solution is the original's, transformed", box, k)
			back := make([]int32, n)
			v.Back(back, vsol)
			require.Equal(t, int32s(sol.Tokens()), back)
			odd := int32s(p.Tokens())
			odd[0], odd[1] = 0, sudoku.BlankToken // PAD and blank are kept
			v.In(vp, odd)
			v.Back(back, vp)
			require.Equal(t, odd, back)
			v.In(vsol, int32s(sol0.Tokens()))
			seen[fmt.Sprint(vsol)] = true
		}
		require.GreaterOrEqual(t, len(seen), 18, "box %d: the variants differ (4×4 has only 288 grids, so some may meet)", box)
	}
}

// A maze turned or mirrored is a maze whose shortest paths are the turned
// ones; Back undoes In; a smaller maze's walled-in canvas stays; there are
// 7 variants.
func TestMazeVariants(t *testing.T) {
	for _, tc := range []struct{ side, canvas int }{{8, 8}, {6, 8}} {
		gen, err := maze.NewGenerator(maze.ConfigFor(tc.side), 3, 1)
		require.NoError(t, err)
		mz, err := gen.Generate()
		require.NoError(t, err)
		in := int32s(maze.Place(mz.Input, tc.side, tc.canvas))
		lab := int32s(maze.Place(mz.Label, tc.side, tc.canvas))
		vs := retry.MazeVariants(tc.side, tc.canvas)
		seen := map[string]bool{}
		for k := 1; k <= 7; k++ {
			v, ok := vs(k)
			require.True(t, ok)
			vin, vlab := make([]int32, len(in)), make([]int32, len(in))
			v.In(vin, in)
			v.In(vlab, lab)
			for i := range in {
				if i%tc.canvas >= tc.side || i/tc.canvas >= tc.side {
					require.Equal(t, in[i], vin[i], "the canvas beyond the maze is kept")
				}
			}
			own := func(x []int32) []uint8 {
				var b []uint8
				for _, t := range maze.Crop(x, tc.side, tc.canvas) {
					b = append(b, uint8(t))
				}
				return b
			}
			require.NoError(t, maze.Verify(own(vin), own(vlab), tc.side), "variant %d", k)
			back := make([]int32, len(in))
			v.Back(back, vlab)
			require.Equal(t, lab, back)
			seen[string(own(vin))] = true
		}
		require.Len(t, seen, 7)
		_, ok := vs(8)
		require.False(t, ok)
	}
}

// Solve with no retries is a plain run; with retries it solves every
// puzzle the plain run solves, the same way, and more, each answer mapped
// back so that it verifies against the puzzle as given.
func TestSolve(t *testing.T) {
	m, err := runtime.LoadBytes(models.Sudoku9.Name, models.Sudoku9.File)
	require.NoError(t, err)
	defer m.Close()
	gen, err := sudoku.NewGenerator(3, 21, 1)
	require.NoError(t, err)
	const n = 48
	var ps []retry.Puzzle
	var grids []sudoku.Grid
	for range n {
		p, _, err := gen.Generate(60)
		require.NoError(t, err)
		grids = append(grids, p)
		ps = append(ps, retry.Puzzle{Tokens: int32s(p.Tokens()), Verify: func(pred []int32) bool {
			g, err := sudoku.FromTokens(pred)
			return err == nil && sudoku.Verify(p, g) == nil
		}, Variant: retry.SudokuVariants(3)})
	}
	sess, err := m.NewSession(n, 1)
	require.NoError(t, err)
	defer sess.Close()
	budget := m.Cfg.HaltMaxSteps

	once, err := retry.Solve(sess, retry.Options{Run: runtime.Options{Halt: runtime.HaltValid}}, ps)
	require.NoError(t, err)
	// the same batch by hand
	var flat []int32
	for _, p := range ps {
		flat = append(flat, p.Tokens...)
	}
	require.NoError(t, sess.Begin(flat, make([]int32, n)))
	require.NoError(t, sess.Run(runtime.Options{Halt: runtime.HaltValid, Accept: func(r int, pred []int32) bool { return ps[r].Verify(pred) }}))
	pred := make([]int32, m.Cfg.SeqLen)
	for i, r := range once {
		sess.Predict(i, pred)
		require.Equal(t, pred, r.Pred)
		require.Equal(t, sess.Steps(i), r.Steps)
		require.Equal(t, ps[i].Verify(pred), r.Solved)
		require.Equal(t, 0, r.Retries)
	}

	var traced []int
	retried, err := retry.Solve(sess, retry.Options{Run: runtime.Options{Halt: runtime.HaltValid}, Retries: 4,
		Trace: func(attempt, step int, pred []int32, qh, qc float32) {
			if step == 1 {
				traced = append(traced, attempt)
			}
		}}, ps)
	require.NoError(t, err)
	var first, later int
	for i, r := range retried {
		g, err := sudoku.FromTokens(r.Pred)
		require.NoError(t, err)
		require.Equal(t, r.Solved, sudoku.Verify(grids[i], g) == nil, "puzzle %d: the kept answer is in the puzzle's frame", i)
		switch {
		case once[i].Solved:
			require.Equal(t, once[i], r, "puzzle %d: solved at once, nothing else runs", i)
			first++
		case r.Solved:
			require.Greater(t, r.Retries, 0)
			require.Greater(t, r.Steps, r.Retries*budget, "every failed attempt ran the budget")
			require.LessOrEqual(t, r.Steps, (r.Retries+1)*budget)
			later++
		default:
			require.Equal(t, 4, r.Retries)
			require.Equal(t, 5*budget, r.Steps)
			require.Equal(t, once[i].Pred, r.Pred, "an unsolved puzzle keeps its first answer")
		}
	}
	t.Logf("%d of %d solved at once, %d more on a retry", first, n, later)
	require.Less(t, first, n, "some 60-blank puzzles are not solved at once (else this tests nothing)")
	require.Greater(t, later, 0, "a retry solves some of them")
	require.Equal(t, 0, traced[0])
	require.True(t, slices.IsSorted(traced) && len(traced) > 1, "the trace follows the attempts in order: %v", traced)

	_, err = retry.Solve(sess, retry.Options{}, append(ps, ps[0]))
	require.ErrorContains(t, err, "49 puzzles for a session of batch 48")
}
