package data

import (
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/hrmgo/hrm/task/maze"
	"github.com/hrmgo/hrm/task/sudoku"
)

// runSampler draws n batches.
func runSampler(t *testing.T, s *Sampler, n int) [][]Example {
	t.Helper()
	var out [][]Example
	for i := 0; i < n; i++ {
		b, err := s.Next()
		require.NoError(t, err)
		out = append(out, b)
	}
	return out
}

// checkResume runs 100 steps, and separately 40 steps, saves, restores into
// a fresh sampler and runs 60 more: the two runs must agree.
func checkResume(t *testing.T, mk func() Source, batch int) {
	t.Helper()
	s1, err := NewSampler(mk(), batch)
	require.NoError(t, err)
	full := runSampler(t, s1, 100)
	require.Equal(t, uint64(100), s1.Step())

	s2, _ := NewSampler(mk(), batch)
	first := runSampler(t, s2, 40)
	require.Equal(t, full[:40], first)
	state, err := s2.MarshalBinary()
	require.NoError(t, err)

	s3, _ := NewSampler(mk(), 1) // batch size comes from the state
	require.NoError(t, s3.UnmarshalBinary(state))
	require.Equal(t, uint64(40), s3.Step())
	require.Equal(t, batch, s3.BatchSize())
	s3.Workers = 2 // parallel generation gives the same batches
	rest := runSampler(t, s3, 60)
	require.Equal(t, full[40:], rest)

	s4, _ := NewSampler(mk(), batch)
	s4.Seek(77)
	b, err := s4.Next()
	require.NoError(t, err)
	require.Equal(t, full[77], b)
}

func TestShuffleSourceResume(t *testing.T) {
	ds, err := BuildSudokuDataset(SudokuDatasetConfig{Box: 3, Blanks: 35, Train: 30, Test: 10, Seed: 9})
	require.NoError(t, err)
	mk := func() Source {
		s, err := NewShuffleSource(ds.Train, 123, SudokuAugmenter())
		require.NoError(t, err)
		return s
	}
	checkResume(t, mk, 7)

	// without augmentation each epoch is a permutation of the base set
	src, _ := NewShuffleSource(ds.Train, 5, nil)
	for e := uint64(0); e < 3; e++ {
		seen := map[uint64]int{}
		for i := uint64(0); i < 30; i++ {
			ex, err := src.At(e*30 + i)
			require.NoError(t, err)
			seen[ex.Key]++
		}
		require.Len(t, seen, 30)
	}
	var ep0, ep1 []uint64
	for i := uint64(0); i < 30; i++ {
		a, _ := src.At(i)
		b, _ := src.At(30 + i)
		ep0, ep1 = append(ep0, a.Key), append(ep1, b.Key)
	}
	require.NotEqual(t, ep0, ep1, "epochs are reshuffled")

	// augmented samples are valid puzzles and keep their key
	s, _ := NewSampler(mk(), 16)
	batch, err := s.Next()
	require.NoError(t, err)
	for _, ex := range batch {
		p, _ := sudoku.FromTokens(ex.Inputs)
		sol, _ := sudoku.FromTokens(ex.Labels)
		require.NoError(t, sudoku.Verify(p, sol))
		require.Equal(t, ex.Key, sudoku.Key(p, sol))
	}

	// state from another seed or data is refused
	other, _ := NewShuffleSource(ds.Train, 124, nil)
	st, _ := s.MarshalBinary()
	so, _ := NewSampler(other, 16)
	require.ErrorContains(t, so.UnmarshalBinary(st), "sampler state is for source")
	other2, _ := NewShuffleSource(ds.Train[:29], 123, nil)
	so2, _ := NewSampler(other2, 16)
	require.Error(t, so2.UnmarshalBinary(st))
	require.Error(t, so2.UnmarshalBinary(st[:10]))
	_, err = NewShuffleSource(nil, 1, nil)
	require.Error(t, err)
}

func TestSudokuStreamResumeAndExclusion(t *testing.T) {
	ds, err := BuildSudokuDataset(SudokuDatasetConfig{Box: 3, Blanks: 45, Train: 1, Test: 20, Seed: 2})
	require.NoError(t, err)
	mk := func() Source {
		s, err := NewSudokuStream(3, 45, 77, ds.TestKeys)
		require.NoError(t, err)
		return s
	}
	checkResume(t, mk, 3)
	s, _ := NewSampler(mk(), 50)
	b, err := s.Next()
	require.NoError(t, err)
	require.NoError(t, CheckDisjoint(b, ds.Test))
	for _, ex := range b {
		p, _ := sudoku.FromTokens(ex.Inputs)
		require.Equal(t, 45, p.Blanks())
		require.Equal(t, 1, sudoku.CountSolutions(p, 2))
	}

	// exclusion is deterministic: exclude the puzzle at position 0 and it
	// is replaced
	src := mk().(*SudokuStream)
	first, _ := src.At(0)
	ex2 := KeySet{first.Key: {}}
	src2, _ := NewSudokuStream(3, 45, 77, ex2)
	repl, err := src2.At(0)
	require.NoError(t, err)
	require.NotEqual(t, first.Key, repl.Key)
	require.NotEqual(t, src.Fingerprint(), src2.Fingerprint())

	g4, err := NewSudokuStream(2, 8, 1, nil)
	require.NoError(t, err)
	e4, err := g4.At(5)
	require.NoError(t, err)
	require.Len(t, e4.Inputs, 16)
	_, err = NewSudokuStream(3, 70, 1, nil)
	require.Error(t, err)
}

func TestMazeStreamResume(t *testing.T) {
	cfg := maze.Config{Cells: 6, Loops: 2, MinPathLen: 10}
	mk := func() Source {
		s, err := NewMazeStream(cfg, 31, nil)
		require.NoError(t, err)
		return s
	}
	checkResume(t, mk, 2)
	s, _ := NewSampler(mk(), 4)
	b, err := s.Next()
	require.NoError(t, err)
	for _, ex := range b {
		lab := make([]uint8, len(ex.Labels))
		for i, l := range ex.Labels {
			lab[i] = uint8(l)
		}
		require.NoError(t, maze.Verify(ex.Inputs, lab, 6))
	}
}

func TestCollate(t *testing.T) {
	exs := []Example{
		{Inputs: []uint8{1, 2, 3}, Labels: []int32{4, IgnoreLabel, 6}, PuzzleID: 7},
		{Inputs: []uint8{3, 2, 1}, Labels: []int32{1, 2, 3}, PuzzleID: 8},
	}
	b, err := Collate(exs, 3)
	require.NoError(t, err)
	require.Equal(t, 3, b.Size)
	require.Equal(t, 2, b.Real)
	require.Equal(t, 3, b.SeqLen)
	require.Equal(t, []int32{1, 2, 3, 3, 2, 1, 0, 0, 0}, b.Inputs)
	require.Equal(t, []int32{4, -100, 6, 1, 2, 3, -100, -100, -100}, b.Labels)
	require.Equal(t, []int32{7, 8, 0}, b.PuzzleIDs)
	_, err = Collate(exs, 1)
	require.Error(t, err)
	_, err = Collate(append(exs, Example{Inputs: []uint8{1}, Labels: []int32{1}}), 0)
	require.ErrorContains(t, err, "example 2")
}

// A path range draws short and long mazes, deterministically per
// position, with the held-out mazes excluded.
func TestMazeStreamPathRange(t *testing.T) {
	cfg := maze.DefaultConfig()
	ds, err := BuildMazeDataset(MazeDatasetConfig{Maze: cfg, Train: 1, Test: 20, Seed: 2})
	require.NoError(t, err)
	base, err := NewMazeStream(cfg, 5, ds.TestKeys)
	require.NoError(t, err)
	s, err := base.WithPathRange(2)
	require.NoError(t, err)
	require.NotEqual(t, base.Fingerprint(), s.Fingerprint())
	short, long := 0, 0
	var b []Example
	for pos := uint64(0); pos < 80; pos++ {
		ex, err := s.At(pos)
		require.NoError(t, err)
		again, _ := s.At(pos)
		require.Equal(t, ex, again)
		path := 0
		for _, l := range ex.Labels {
			if l == int32(maze.PathToken) {
				path++
			}
		}
		// PathLen moves visit PathLen-1 squares between S and G.
		require.GreaterOrEqual(t, path+1, 2)
		if path+1 < 9 {
			short++
		}
		if path+1 >= cfg.MinPathLen {
			long++
		}
		b = append(b, ex)
		bex, err := base.At(pos)
		require.NoError(t, err)
		n := 0
		for _, l := range bex.Labels {
			if l == int32(maze.PathToken) {
				n++
			}
		}
		require.GreaterOrEqual(t, n+1, cfg.MinPathLen, "the base stream keeps its minimum")
	}
	require.NoError(t, CheckDisjoint(b, ds.Test))
	require.Positive(t, short)
	require.Positive(t, long)
	for _, bad := range []int{0, -1, cfg.MinPathLen + 1} {
		_, err := base.WithPathRange(bad)
		require.Error(t, err)
	}
	checkResume(t, func() Source { return s }, 3)
}

// A blank range draws every count in [min, blanks], deterministically per
// position, with unique solutions and the held-out puzzles excluded.
func TestSudokuStreamBlankRange(t *testing.T) {
	ds, err := BuildSudokuDataset(SudokuDatasetConfig{Box: 3, Blanks: 30, Train: 1, Test: 20, Seed: 2})
	require.NoError(t, err)
	base, err := NewSudokuStream(3, 30, 5, ds.TestKeys)
	require.NoError(t, err)
	s, err := base.WithBlankRange(26)
	require.NoError(t, err)
	require.NotEqual(t, base.Fingerprint(), s.Fingerprint())
	seen := map[int]int{}
	var b []Example
	for pos := uint64(0); pos < 60; pos++ {
		ex, err := s.At(pos)
		require.NoError(t, err)
		again, _ := s.At(pos)
		require.Equal(t, ex.Key, again.Key)
		p, _ := sudoku.FromTokens(ex.Inputs)
		require.Equal(t, 1, sudoku.CountSolutions(p, 2))
		seen[p.Blanks()]++
		b = append(b, ex)
	}
	require.NoError(t, CheckDisjoint(b, ds.Test))
	for k := 26; k <= 30; k++ {
		require.Positive(t, seen[k], "%d blanks never drawn: %v", k, seen)
	}
	require.Len(t, seen, 5)
	for _, bad := range []int{-1, 31} {
		_, err := base.WithBlankRange(bad)
		require.Error(t, err)
	}
	checkResume(t, func() Source { return s }, 3)
}
