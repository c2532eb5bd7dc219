package data

import (
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/hrmgo/hrm/task"
	"github.com/hrmgo/hrm/task/maze"
	"github.com/hrmgo/hrm/task/sudoku"
)

func TestBuildSudokuDatasetDisjoint(t *testing.T) {
	ds, err := BuildSudokuDataset(SudokuDatasetConfig{Box: 3, Blanks: 40, Train: 60, Test: 30, AugPerPuzzle: 2, Seed: 1})
	require.NoError(t, err)
	require.Len(t, ds.Test, 30)
	require.Len(t, ds.Train, 60*3)
	require.Equal(t, 81, ds.SeqLen)
	require.Equal(t, 11, ds.Vocab)
	require.NoError(t, CheckDisjoint(ds.Train, ds.Test))

	for i, ex := range append(append([]Example(nil), ds.Train...), ds.Test...) {
		p, err := sudoku.FromTokens(ex.Inputs)
		require.NoError(t, err)
		s, err := sudoku.FromTokens(ex.Labels)
		require.NoError(t, err)
		require.Equal(t, 40, p.Blanks())
		require.NoError(t, sudoku.Verify(p, s))
		require.Equal(t, sudoku.Key(p, s), ex.Key, "stored key recomputes (example %d)", i)
	}
	// groups: original followed by its augmented copies, same key
	for g := 0; g < 60; g++ {
		k := ds.Train[3*g].Key
		require.Equal(t, k, ds.Train[3*g+1].Key)
		require.Equal(t, k, ds.Train[3*g+2].Key)
	}
	// the test split does not depend on the train size
	ds2, err := BuildSudokuDataset(SudokuDatasetConfig{Box: 3, Blanks: 40, Train: 5, Test: 30, Seed: 1})
	require.NoError(t, err)
	require.Equal(t, ds.Test, ds2.Test)

	// an augmented copy of a test puzzle smuggled into train is caught
	aug := SudokuAugmenter()
	r := task.NewPCG(2, 2)
	leak := aug(ds.Test[7], r)
	require.NotEqual(t, ds.Test[7].Inputs, leak.Inputs)
	p, _ := sudoku.FromTokens(leak.Inputs)
	leak.Key = sudoku.Key(p, nil)
	require.ErrorContains(t, CheckDisjoint(append(ds.Train[:10:10], leak), ds.Test), "train example 10 has the canonical key")
	// and an exact copy even without keys
	exact := ds.Test[3].Clone()
	exact.Key = 0
	require.ErrorContains(t, CheckDisjoint([]Example{exact}, ds.Test), "same inputs as test example 3")
}

func TestBuildSudoku4x4Dataset(t *testing.T) {
	ds, err := BuildSudokuDataset(SudokuDatasetConfig{Box: 2, Blanks: 10, Train: 40, Test: 20, Seed: 3})
	require.NoError(t, err)
	require.Equal(t, 16, ds.SeqLen)
	require.NoError(t, CheckDisjoint(ds.Train, ds.Test))
	// exact canonical forms: no train puzzle is an augmentation of a test one
	canon := map[uint64]bool{}
	for _, ex := range ds.Test {
		p, _ := sudoku.FromTokens(ex.Inputs)
		canon[sudoku.Key(p, nil)] = true
	}
	for _, ex := range ds.Train {
		p, _ := sudoku.FromTokens(ex.Inputs)
		require.False(t, canon[sudoku.Key(p, nil)])
	}
	// the 4×4 puzzle space is small: asking for too many reports it
	_, err = BuildSudokuDataset(SudokuDatasetConfig{Box: 2, Blanks: 12, Train: 500, Test: 10, Seed: 3, MaxRejects: 200})
	require.ErrorContains(t, err, "rejected as duplicates")
	_, err = BuildSudokuDataset(SudokuDatasetConfig{Box: 5})
	require.Error(t, err)
}

func TestBuildMazeDatasetDisjoint(t *testing.T) {
	cfg := MazeDatasetConfig{Maze: maze.Config{Cells: 6, Loops: 3, MinPathLen: 10, Canvas: 8}, Train: 40, Test: 20, AugPerMaze: 1, Seed: 4}
	ds, err := BuildMazeDataset(cfg)
	require.NoError(t, err)
	require.Len(t, ds.Train, 80)
	require.Len(t, ds.Test, 20)
	require.Equal(t, 64, ds.SeqLen)
	require.Equal(t, maze.Vocab, ds.Vocab)
	require.NoError(t, CheckDisjoint(ds.Train, ds.Test))
	crop := func(ex Example) []uint8 {
		g := make([]uint8, 0, 36)
		for r := 0; r < 6; r++ {
			g = append(g, ex.Inputs[r*8:r*8+6]...)
		}
		return g
	}
	for _, ex := range append(append([]Example(nil), ds.Train...), ds.Test...) {
		require.Equal(t, maze.Key(crop(ex), 6), ex.Key)
	}
	// a rotated test maze in train is caught
	in := crop(ds.Test[0])
	rot, _, _ := task.Dihedral(1, in, 6, 6)
	leak := Example{Inputs: rot, Key: maze.Key(rot, 6)}
	require.Error(t, CheckDisjoint([]Example{leak}, ds.Test))
}

// 4×4 with exact keys: a 1000-puzzle test set exists at any reasonable
// blank count, train streams never yield a test puzzle, and both agree on
// what a key is.
func TestSudokuExactKeys(t *testing.T) {
	ds, err := BuildSudokuDataset(SudokuDatasetConfig{Box: 2, Blanks: 10, Test: 1000, Train: 200, AugPerPuzzle: 2, Seed: 4, ExactKeys: true})
	require.NoError(t, err)
	require.Len(t, ds.Test, 1000)
	require.NoError(t, CheckDisjoint(ds.Train, ds.Test))
	src, err := NewSudokuStream(2, 10, 9, ds.TestKeys)
	require.NoError(t, err)
	ex := src.WithExactKeys()
	require.NotEqual(t, src.Fingerprint(), ex.Fingerprint())
	for pos := uint64(0); pos < 2000; pos++ {
		e, err := ex.At(pos)
		require.NoError(t, err)
		g, err := sudoku.FromTokens(e.Inputs)
		require.NoError(t, err)
		require.Equal(t, sudoku.ExactKey(g), e.Key)
		require.False(t, ds.TestKeys.Has(e.Key), "position %d yields a test puzzle", pos)
	}
}
