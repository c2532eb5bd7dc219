package data

import (
	"fmt"
	"slices"

	"github.com/hrmgo/hrm/task"
	"github.com/hrmgo/hrm/task/sudoku"
)

// IgnoreLabel is the label id excluded from the loss and the metrics
// (spec §3). The builders' ignore_label_id (0, PAD) is remapped to it.
const IgnoreLabel int32 = -100

// Example is one training/evaluation row.
type Example struct {
	// Inputs are the input tokens, one per position (seq_len of the task).
	Inputs []uint8
	// Labels are the target tokens; IgnoreLabel (-100) where unsupervised.
	Labels []int32
	// PuzzleID is the puzzle identifier (0 = the blank identifier, which is
	// what the sudoku and maze builders use for every example).
	PuzzleID int32
	// Key is the canonical key of the underlying puzzle (invariant under the
	// task's augmentation group; see sudoku.Key, maze.Key). 0 means unknown.
	// Augmented copies carry the key of their original.
	Key uint64
}

// Clone returns a deep copy of e.
func (e Example) Clone() Example {
	e.Inputs = slices.Clone(e.Inputs)
	e.Labels = slices.Clone(e.Labels)
	return e
}

// KeySet is a set of canonical keys.
type KeySet map[uint64]struct{}

// Has reports whether k is in the set.
func (s KeySet) Has(k uint64) bool { _, ok := s[k]; return ok }

// Add inserts k.
func (s KeySet) Add(k uint64) { s[k] = struct{}{} }

// CheckDisjoint verifies that no train example duplicates a test example:
// no train Inputs sequence equals a test Inputs sequence exactly, and no
// non-zero train Key equals a test Key (for sudoku and maze keys this
// excludes every augmented copy of a test puzzle). The error names the
// first offending pair of indices.
func CheckDisjoint(train, test []Example) error {
	keys := make(map[uint64]int, len(test))
	inputs := make(map[string]int, len(test))
	for i, e := range test {
		if e.Key != 0 {
			if _, ok := keys[e.Key]; !ok {
				keys[e.Key] = i
			}
		}
		if _, ok := inputs[string(e.Inputs)]; !ok {
			inputs[string(e.Inputs)] = i
		}
	}
	for i, e := range train {
		if j, ok := inputs[string(e.Inputs)]; ok {
			return fmt.Errorf("data: train example %d has the same inputs as test example %d", i, j)
		}
		if e.Key != 0 {
			if j, ok := keys[e.Key]; ok {
				return fmt.Errorf("data: train example %d has the canonical key %#x of test example %d", i, e.Key, j)
			}
		}
	}
	return nil
}

// Dataset is a train split and a disjoint held-out test split.
type Dataset struct {
	Train, Test []Example
	// TestKeys holds the canonical keys of the test puzzles; pass it to a
	// stream Source so that on-the-fly training data stays disjoint.
	TestKeys KeySet
	SeqLen   int
	Vocab    int
}

// SudokuDatasetConfig configures BuildSudokuDataset.
type SudokuDatasetConfig struct {
	Box          int    // 3 (9×9) or 2 (4×4)
	Blanks       int    // blanks per puzzle
	Train, Test  int    // number of distinct puzzles per split
	AugPerPuzzle int    // augmented copies stored after each train puzzle (spec's 1k variant uses 1000; 0 = augment on the fly)
	Seed         uint64 // everything is derived from it
	MaxRejects   int    // give up after this many rejected candidates per split (default 1000 + 10·count)
	// ExactKeys keys puzzles by their exact cells (sudoku.ExactKey) instead
	// of their augmentation class (sudoku.Key): train and test then share no
	// puzzle, but a train puzzle may be an augmented copy of a test one.
	// 4×4 needs it for large test sets: it has only about a thousand
	// classes at any blank count (1000 test puzzles exhaust them at 8 blanks,
	// and no other count has 1000), so class-disjoint splits would leave
	// nothing to train on.
	ExactKeys bool
}

// Streams of one seed used by the builders. The test split is always
// generated first and from its own stream, so its content does not depend on
// the train size.
const (
	streamTest  = 1
	streamTrain = 2
	streamAug   = 3
)

// BuildSudokuDataset generates the test split first (its own PCG stream),
// remembers the canonical keys of its puzzles, then generates train puzzles
// from another stream rejecting any whose key is a test key (and duplicates
// within a split). Guarantee: no train example — including augmented copies
// — is equivalent under the sudoku augmentation group to a test puzzle (for
// 9×9: none even shares an equivalent solution grid); see sudoku.Key.
func BuildSudokuDataset(cfg SudokuDatasetConfig) (*Dataset, error) {
	testGen, err := sudoku.NewGenerator(cfg.Box, cfg.Seed, streamTest)
	if err != nil {
		return nil, err
	}
	trainGen, _ := sudoku.NewGenerator(cfg.Box, cfg.Seed, streamTrain)
	augSrc := task.NewPCG(cfg.Seed, streamAug)
	ds := &Dataset{TestKeys: KeySet{}, SeqLen: cfg.Box * cfg.Box * cfg.Box * cfg.Box, Vocab: sudoku.Vocab}
	gen := func(g *sudoku.Generator, n int, exclude KeySet, split string) ([]Example, KeySet, error) {
		seen := KeySet{}
		out := make([]Example, 0, n)
		maxRej := cfg.MaxRejects
		if maxRej <= 0 {
			maxRej = 1000 + 10*n
		}
		rej := 0
		for len(seen) < n {
			p, s, err := g.Generate(cfg.Blanks)
			if err != nil {
				return nil, nil, fmt.Errorf("%s split: %w", split, err)
			}
			ex := SudokuExample(p, s)
			if cfg.ExactKeys {
				ex.Key = sudoku.ExactKey(p)
			}
			if seen.Has(ex.Key) || (exclude != nil && exclude.Has(ex.Key)) {
				if rej++; rej > maxRej {
					return nil, nil, fmt.Errorf("sudoku %s split: %d candidates rejected as duplicates (have %d of %d puzzles); the puzzle space is too small for this size", split, rej, len(seen), n)
				}
				continue
			}
			seen.Add(ex.Key)
			out = append(out, ex)
		}
		return out, seen, nil
	}
	var testKeys KeySet
	if ds.Test, testKeys, err = gen(testGen, cfg.Test, nil, "test"); err != nil {
		return nil, err
	}
	ds.TestKeys = testKeys
	base, _, err := gen(trainGen, cfg.Train, testKeys, "train")
	if err != nil {
		return nil, err
	}
	aug := SudokuAugmenter()
	ds.Train = make([]Example, 0, len(base)*(1+max(cfg.AugPerPuzzle, 0)))
	for _, ex := range base {
		ds.Train = append(ds.Train, ex)
		for k := 0; k < cfg.AugPerPuzzle; k++ {
			a := aug(ex, augSrc)
			if cfg.ExactKeys {
				g, _ := sudoku.FromTokens(a.Inputs)
				if a.Key = sudoku.ExactKey(g); testKeys.Has(a.Key) {
					continue // an augmented copy that is exactly a test puzzle
				}
			}
			ds.Train = append(ds.Train, a)
		}
	}
	return ds, nil
}
