package data

import (
	"os"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/hrmgo/hrm/task"
	"github.com/hrmgo/hrm/task/arc"
	"github.com/hrmgo/hrm/task/maze"
	"github.com/hrmgo/hrm/task/sudoku"
)

func TestMazeExamplePadding(t *testing.T) {
	g, _ := maze.NewGenerator(maze.Config{Cells: 5, Canvas: 12}, 1, 0)
	m, err := g.Generate()
	require.NoError(t, err)
	ex := MazeExample(m, 12)
	require.Equal(t, maze.Key(m.Input, 5), ex.Key)
	for i := range ex.Inputs {
		r, c := i/12, i%12
		if r < 5 && c < 5 {
			require.Equal(t, m.Input[r*5+c], ex.Inputs[i])
			require.Equal(t, int32(m.Label[r*5+c]), ex.Labels[i])
		} else {
			require.Equal(t, uint8(maze.PadToken), ex.Inputs[i])
			require.Equal(t, IgnoreLabel, ex.Labels[i])
		}
	}
}

func TestMazeAugmenter(t *testing.T) {
	g, _ := maze.NewGenerator(maze.Config{Cells: 7, Loops: 3, MinPathLen: 12, Canvas: 10}, 8, 0)
	m, err := g.Generate()
	require.NoError(t, err)
	key := maze.Key(m.Input, m.Side)
	aug := MazeAugmenter(m.Side, 10)
	ex := MazeExample(m, 10)
	r := task.NewPCG(0, 0)
	seen := map[string]bool{}
	for k := 0; k < 16; k++ {
		out := aug(ex, r)
		require.Equal(t, ex.Key, out.Key)
		in := make([]uint8, m.Side*m.Side)
		lab := make([]uint8, m.Side*m.Side)
		for i := range out.Inputs {
			rr, c := i/10, i%10
			if rr < m.Side && c < m.Side {
				in[rr*m.Side+c], lab[rr*m.Side+c] = out.Inputs[i], uint8(out.Labels[i])
			} else {
				require.Equal(t, uint8(0), out.Inputs[i])
				require.Equal(t, IgnoreLabel, out.Labels[i])
			}
		}
		require.NoError(t, maze.Verify(in, lab, m.Side))
		require.Equal(t, key, maze.Key(in, m.Side))
		seen[string(in)] = true
	}
	require.Greater(t, len(seen), 1, "the augmenter transforms")
}

func TestARCTranslationAndExamples(t *testing.T) {
	b, _ := os.ReadFile("../../task/arc/testdata/ok/ok_basic.json")
	tk, _ := arc.ParseTask("ok_basic", b)
	r := task.NewPCG(9, 9)
	for k := 0; k < 50; k++ {
		offs := arc.TranslateOffsets(tk.Train, r)
		zero := 0
		for i, o := range offs {
			p := tk.Train[i]
			require.LessOrEqual(t, o[0]+max(p.Input.H, p.Output.H), 30)
			require.LessOrEqual(t, o[1]+max(p.Input.W, p.Output.W), 30)
			if o == [2]int{} {
				zero++
			}
			ex, err := ARCPairExample(p, o[0], o[1], 5)
			require.NoError(t, err)
			require.Equal(t, int32(5), ex.PuzzleID)
			require.Len(t, ex.Inputs, 900)
		}
		require.GreaterOrEqual(t, zero, 1)
	}

	train, test, err := ARCTaskExamples(tk, 3, true, r)
	require.NoError(t, err)
	require.Len(t, train, 2)
	require.Len(t, test, 1)
	g, _ := arc.Decode(test[0].Inputs)
	require.True(t, g.Equal(tk.Test[0].Input))
	g, _ = arc.Decode(test[0].Labels)
	require.True(t, g.Equal(tk.Test[0].Output))

	train, test, err = ARCTaskExamples(tk, 3, false, nil)
	require.NoError(t, err)
	require.Len(t, train, 3, "non-evaluation test pairs train too")
	require.Empty(t, test)

	ex, err := ARCPairExample(arc.Pair{Input: arc.MustGrid([][]int{{1}})}, 0, 0, 1)
	require.NoError(t, err)
	for _, l := range ex.Labels {
		require.Equal(t, IgnoreLabel, l, "missing output: nothing supervised")
	}
}

func TestARCLabels(t *testing.T) {
	enc, err := arc.Encode(arc.MustGrid([][]int{{0, 1, 2}, {3, 4, 5}}), 0, 0)
	require.NoError(t, err)
	lab := ARCLabels(enc)
	require.Equal(t, IgnoreLabel, lab[2*30+3], "the corner is PAD, unsupervised")
	require.Equal(t, int32(2), lab[0])
	require.Equal(t, int32(1), lab[3], "the EOS border is supervised")
}

func TestSudokuAugmenterOnExamples(t *testing.T) {
	g, _ := sudoku.NewGenerator(3, 2, 0)
	p, s, _ := g.Generate(45)
	ex := SudokuExample(p, s)
	orig := ex.Clone()
	aug := SudokuAugmenter()
	r := task.NewPCG(1, 2)
	for k := 0; k < 10; k++ {
		out := aug(ex, r)
		require.Equal(t, orig, ex, "input example untouched")
		ap, err := sudoku.FromTokens(out.Inputs)
		require.NoError(t, err)
		as, err := sudoku.FromTokens(out.Labels)
		require.NoError(t, err)
		require.NoError(t, sudoku.Verify(ap, as))
		require.Equal(t, 1, sudoku.CountSolutions(ap, 2))
		require.Equal(t, ex.Key, out.Key)
		require.Equal(t, ex.Key, sudoku.Key(ap, as))
	}
}

func TestBuildARCDataset(t *testing.T) {
	b, err := os.ReadFile("../../task/arc/testdata/ok/ok_basic.json")
	require.NoError(t, err)
	tk, err := arc.ParseTask("ok_basic", b)
	require.NoError(t, err)
	other := tk.Augment(4, arc.IdentityColorMap())
	other.Name = "other"
	ds, err := BuildARCDataset(ARCDatasetConfig{Train: []*arc.Task{other}, Eval: []*arc.Task{tk}, Augmentations: 5, Seed: 1})
	require.NoError(t, err)
	require.Equal(t, "<blank>", ds.Names[0])
	require.Len(t, ds.Names, 1+6+6)
	require.Equal(t, "other", ds.Names[1])
	require.Equal(t, "ok_basic", ds.Names[7])
	seenNames := map[string]bool{}
	for _, n := range ds.Names[7:] {
		v, ok := arc.VariantOf(n, "ok_basic")
		require.True(t, ok, n)
		require.False(t, seenNames[n])
		seenNames[n] = true
		_ = v
	}
	// "other" trains on its test pair too; ok_basic's is held out, once
	// per variant, at the top left, and decodes to the variant's output
	require.Len(t, ds.Train, 6*(len(other.Train)+len(other.Test))+6*len(tk.Train))
	require.Len(t, ds.Test, 6*len(tk.Test))
	for _, ex := range ds.Test {
		v, ok := arc.VariantOf(ds.Names[ex.PuzzleID], "ok_basic")
		require.True(t, ok)
		g, err := arc.Decode(ex.Labels)
		require.NoError(t, err)
		require.True(t, v.Undo(g).Equal(tk.Test[0].Output), ds.Names[ex.PuzzleID])
	}
	small, err := BuildARCDataset(ARCDatasetConfig{Eval: []*arc.Task{tk}, Augmentations: 2, Canvas: 6, Translate: true, Seed: 1})
	require.NoError(t, err)
	require.Equal(t, 36, small.SeqLen)
	require.Len(t, small.Train[0].Inputs, 36)
	_, err = BuildARCDataset(ARCDatasetConfig{Eval: []*arc.Task{tk}, Canvas: 2})
	require.ErrorContains(t, err, "does not fit the 2×2 canvas")
	_, err = BuildARCDataset(ARCDatasetConfig{Eval: []*arc.Task{tk, tk}})
	require.ErrorContains(t, err, "task ok_basic appears twice")
}
