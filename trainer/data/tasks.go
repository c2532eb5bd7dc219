package data

import (
	"fmt"
	"math/rand/v2"

	"github.com/hrmgo/hrm/task"
	"github.com/hrmgo/hrm/task/arc"
	"github.com/hrmgo/hrm/task/maze"
	"github.com/hrmgo/hrm/task/sudoku"
)

// The training examples of each task: its puzzles as Examples with labels,
// the augmenters of the training streams and the maze builder. The formats
// themselves (tokens, parsing, verification, generators) live in task/.

// SudokuExample builds the training example of a puzzle and its solution:
// Inputs are the puzzle tokens, Labels the solution tokens of every cell,
// PuzzleID 0 (the builders use the single blank identifier) and Key the
// canonical key of sudoku.Key.
func SudokuExample(puzzle, solution sudoku.Grid) Example {
	return Example{Inputs: puzzle.Tokens(), Labels: solution.Labels(), Key: sudoku.Key(puzzle, solution)}
}

// SudokuAugmenter returns an Augmenter for sudoku Examples: a random
// sudoku.Aug applied identically to inputs and labels. Key is kept (it is
// invariant under the group).
func SudokuAugmenter() Augmenter {
	return func(ex Example, r rand.Source) Example {
		box := sudoku.Grid(ex.Inputs).Box()
		if box == 0 || len(ex.Labels) != len(ex.Inputs) {
			return ex
		}
		a := sudoku.RandomAug(r, box)
		out := ex
		out.Inputs = sudoku.ApplyTokens(a, ex.Inputs)
		out.Labels = sudoku.ApplyTokens(a, ex.Labels)
		return out
	}
}

// MazeExample pads a maze into a canvas×canvas square (canvas ≥ Side;
// canvas ≤ 0 means Side): Inputs PAD and Labels IgnoreLabel outside the
// grid. PuzzleID is 0 and Key is maze.Key of the input.
func MazeExample(m *maze.Maze, canvas int) Example {
	if canvas <= 0 {
		canvas = m.Side
	}
	ex := Example{Key: maze.Key(m.Input, m.Side)}
	ex.Inputs, ex.Labels = padSquare(m.Input, m.Label, m.Side, canvas)
	return ex
}

func padSquare(in, lab []uint8, side, canvas int) ([]uint8, []int32) {
	if canvas < side {
		panic(fmt.Sprintf("data: canvas %d smaller than grid %d", canvas, side))
	}
	inputs := make([]uint8, canvas*canvas)
	labels := make([]int32, canvas*canvas)
	for i := range labels {
		labels[i] = IgnoreLabel
	}
	for r := 0; r < side; r++ {
		copy(inputs[r*canvas:r*canvas+side], in[r*side:(r+1)*side])
		for c := 0; c < side; c++ {
			labels[r*canvas+c] = int32(lab[r*side+c])
		}
	}
	return inputs, labels
}

// MazeAugmenter returns an Augmenter applying a random dihedral transform
// (one of 8) to maze Examples whose side×side grid sits top-left in a
// canvas×canvas square (as MazeExample produces).
func MazeAugmenter(side, canvas int) Augmenter {
	return func(ex Example, r rand.Source) Example {
		t := task.Intn(r, task.NumDihedral)
		if canvas*canvas != len(ex.Inputs) || len(ex.Labels) != len(ex.Inputs) || t == 0 {
			return ex
		}
		in := make([]uint8, side*side)
		lab := make([]uint8, side*side)
		for rr := 0; rr < side; rr++ {
			copy(in[rr*side:(rr+1)*side], ex.Inputs[rr*canvas:rr*canvas+side])
			for c := 0; c < side; c++ {
				lab[rr*side+c] = uint8(ex.Labels[rr*canvas+c])
			}
		}
		in, _, _ = task.Dihedral(t, in, side, side)
		lab, _, _ = task.Dihedral(t, lab, side, side)
		out := ex
		out.Inputs, out.Labels = padSquare(in, lab, side, canvas)
		return out
	}
}

// MazeDatasetConfig configures BuildMazeDataset.
type MazeDatasetConfig struct {
	Maze        maze.Config
	Train, Test int    // distinct mazes per split
	AugPerMaze  int    // dihedral copies stored after each train maze (0 = none / on the fly)
	Seed        uint64 // everything is derived from it
	MaxRejects  int    // per split (default 1000 + 10·count)
}

// BuildMazeDataset builds the test split first from its own stream and then
// a train split from another stream, rejecting duplicates and any train
// maze whose dihedral canonical key (maze.Key) is a test key: no train maze
// is a rotation or reflection of a test maze (the test split is never
// augmented, as in spec §6.3).
func BuildMazeDataset(cfg MazeDatasetConfig) (*Dataset, error) {
	if err := cfg.Maze.Validate(); err != nil {
		return nil, err
	}
	mc := cfg.Maze.WithDefaults()
	ds := &Dataset{SeqLen: mc.Canvas * mc.Canvas, Vocab: maze.Vocab}
	gen := func(stream uint64, n int, exclude KeySet, split string) ([]Example, KeySet, error) {
		g, _ := maze.NewGenerator(mc, cfg.Seed, stream)
		seen := KeySet{}
		out := make([]Example, 0, n)
		maxRej := cfg.MaxRejects
		if maxRej <= 0 {
			maxRej = 1000 + 10*n
		}
		rej := 0
		for len(out) < n {
			m, err := g.Generate()
			if err != nil {
				return nil, nil, fmt.Errorf("%s split: %w", split, err)
			}
			ex := MazeExample(m, mc.Canvas)
			if seen.Has(ex.Key) || (exclude != nil && exclude.Has(ex.Key)) {
				if rej++; rej > maxRej {
					return nil, nil, fmt.Errorf("maze %s split: %d candidates rejected as duplicates (have %d of %d)", split, rej, len(out), n)
				}
				continue
			}
			seen.Add(ex.Key)
			out = append(out, ex)
		}
		return out, seen, nil
	}
	var err error
	if ds.Test, ds.TestKeys, err = gen(streamTest, cfg.Test, nil, "test"); err != nil {
		return nil, err
	}
	base, _, err := gen(streamTrain, cfg.Train, ds.TestKeys, "train")
	if err != nil {
		return nil, err
	}
	aug := MazeAugmenter(mc.Cells, mc.Canvas)
	augSrc := task.NewPCG(cfg.Seed, streamAug)
	for _, ex := range base {
		ds.Train = append(ds.Train, ex)
		for k := 0; k < cfg.AugPerMaze; k++ {
			ds.Train = append(ds.Train, aug(ex, augSrc))
		}
	}
	return ds, nil
}

// ARCLabels turns an encoded output canvas into labels: PAD → IgnoreLabel,
// so the output colours and the EOS border are supervised.
func ARCLabels(canvas []uint8) []int32 {
	l := make([]int32, len(canvas))
	for i, t := range canvas {
		if t == arc.PadToken {
			l[i] = IgnoreLabel
		} else {
			l[i] = int32(t)
		}
	}
	return l
}

// ARCPairExample encodes one pair at offset (r0, c0) as an Example: Inputs
// the input canvas, Labels the output canvas with PAD ignored (all ignored
// when the pair has no output).
func ARCPairExample(p arc.Pair, r0, c0 int, id int32) (Example, error) {
	return arcPairExampleOn(p, r0, c0, id, arc.MaxSize)
}

func arcPairExampleOn(p arc.Pair, r0, c0 int, id int32, side int) (Example, error) {
	in, err := arc.EncodeOn(p.Input, r0, c0, side)
	if err != nil {
		return Example{}, fmt.Errorf("input: %w", err)
	}
	ex := Example{Inputs: in, PuzzleID: id}
	if p.Output.Empty() {
		ex.Labels = ARCLabels(make([]uint8, side*side))
		return ex, nil
	}
	out, err := arc.EncodeOn(p.Output, r0, c0, side)
	if err != nil {
		return Example{}, fmt.Errorf("output: %w", err)
	}
	ex.Labels = ARCLabels(out)
	return ex, nil
}

// ARCTaskExamples encodes a task with the split rule of spec §6.4: train
// pairs always go to train; test pairs go to test if evaluation is true and
// to train otherwise. Train examples are translated when translate is
// non-nil (arc.TranslateOffsets over the train examples); test examples
// never are.
func ARCTaskExamples(t *arc.Task, id int32, evaluation bool, translate rand.Source) (train, test []Example, err error) {
	return arcTaskExamplesOn(t, id, evaluation, translate, arc.MaxSize)
}

func arcTaskExamplesOn(t *arc.Task, id int32, evaluation bool, translate rand.Source, side int) (train, test []Example, err error) {
	trainPairs := append([]arc.Pair(nil), t.Train...)
	if !evaluation {
		trainPairs = append(trainPairs, t.Test...)
	}
	offs := make([][2]int, len(trainPairs))
	if translate != nil {
		offs = arc.TranslateOffsetsOn(trainPairs, translate, side)
	}
	for i, p := range trainPairs {
		ex, err := arcPairExampleOn(p, offs[i][0], offs[i][1], id, side)
		if err != nil {
			return nil, nil, fmt.Errorf("arc: %s: train example %d: %w", t.Name, i, err)
		}
		train = append(train, ex)
	}
	if evaluation {
		for i, p := range t.Test {
			ex, err := arcPairExampleOn(p, 0, 0, id, side)
			if err != nil {
				return nil, nil, fmt.Errorf("arc: %s: test example %d: %w", t.Name, i, err)
			}
			test = append(test, ex)
		}
	}
	return train, test, nil
}

// ARCDatasetConfig configures BuildARCDataset.
type ARCDatasetConfig struct {
	// Train are tasks whose test pairs train too (the official
	// "training" folders and ConceptARC); Eval are tasks whose test pairs
	// are held out (the "evaluation" folders).
	Train, Eval []*arc.Task
	// Augmentations is the number of augmented variants per task (the
	// official builder: 1000), besides the task itself; fewer are made
	// when a task has fewer distinct ones (a symmetric task).
	Augmentations int
	// Translate draws the translation augmentation of the train split.
	Translate bool
	// Canvas is the canvas side (0: 30, the official layout); grids
	// larger than the canvas are an error.
	Canvas int
	Seed   uint64
}

// ARCDataset is an ARC dataset with its puzzle identifiers: Names[i] is
// identifier i's, as in the official identifiers.json (0 is "<blank>").
type ARCDataset struct {
	Dataset
	Names []string
}

// BuildARCDataset builds the dataset of the official ARC builder (spec
// §6.4): every task and up to Augmentations variants of it (a random
// dihedral transform after a colour map fixing 0, deduplicated by the
// hash of the whole task), each variant its own puzzle identifier, named
// "<task>_t<d>_<map>"; the train split holds every variant's
// demonstrations (translated if asked), the test split the held-out test
// pairs of every variant, untranslated.
func BuildARCDataset(cfg ARCDatasetConfig) (*ARCDataset, error) {
	side := cfg.Canvas
	if side == 0 {
		side = arc.MaxSize
	}
	if side < 1 || side > arc.MaxSize {
		return nil, fmt.Errorf("arc: canvas %d, want 1..%d", side, arc.MaxSize)
	}
	if cfg.Augmentations < 0 {
		return nil, fmt.Errorf("arc: %d augmentations", cfg.Augmentations)
	}
	ds := &ARCDataset{Dataset: Dataset{SeqLen: side * side, Vocab: arc.Vocab}, Names: []string{"<blank>"}}
	r := task.NewPCG(cfg.Seed, streamAug)
	tr := task.NewPCG(cfg.Seed, streamTrain)
	seen := map[string]bool{}
	add := func(t *arc.Task, eval bool) error {
		if seen[t.Name] {
			return fmt.Errorf("arc: task %s appears twice", t.Name)
		}
		seen[t.Name] = true
		variants := []*arc.Task{t}
		hashes := map[uint64]bool{t.Hash(): true}
		// The official builder tries five times the variants it wants.
		for try := 0; try < 5*cfg.Augmentations && len(variants) <= cfg.Augmentations; try++ {
			d, m := task.Intn(r, task.NumDihedral), arc.RandomColorMap(r)
			v := t.Augment(d, m)
			if h := v.Hash(); !hashes[h] {
				hashes[h] = true
				variants = append(variants, v)
			}
		}
		for _, v := range variants {
			id := int32(len(ds.Names))
			ds.Names = append(ds.Names, v.Name)
			var translate rand.Source
			if cfg.Translate {
				translate = tr
			}
			train, test, err := arcTaskExamplesOn(v, id, eval, translate, side)
			if err != nil {
				return err
			}
			ds.Train = append(ds.Train, train...)
			ds.Test = append(ds.Test, test...)
		}
		return nil
	}
	for _, t := range cfg.Train {
		if err := add(t, false); err != nil {
			return nil, err
		}
	}
	for _, t := range cfg.Eval {
		if err := add(t, true); err != nil {
			return nil, err
		}
	}
	if len(ds.Train) == 0 {
		return nil, fmt.Errorf("arc: no tasks")
	}
	return ds, nil
}
