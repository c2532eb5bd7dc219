package main

import (
	"encoding/json"
	"flag"
	"fmt"
	"io"
	"math"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/hrmgo/hrm/internal/retry"
	"github.com/hrmgo/hrm/runtime"
	"github.com/hrmgo/hrm/task/maze"
	"github.com/hrmgo/hrm/task/sudoku"
)

// solveRow is one blank count (Sudoku) or minimum path length (maze) of a
// solve-rate report.
type solveRow struct {
	Blanks   int                `json:"blanks,omitempty"`
	MinPath  int                `json:"min_path,omitempty"`
	Puzzles  int                `json:"puzzles"`
	Solved   map[string]float64 `json:"solved"`   // halt mode → fraction of puzzles whose answer verifies
	Segments map[string]float64 `json:"segments"` // halt mode → mean segments run
	MSPer    map[string]float64 `json:"ms_per_puzzle"`
}

// solve scores a Sudoku or maze model on freshly generated puzzles at
// several levels and under several halting modes: for Sudoku, uniquely
// solvable puzzles at several blank counts, solved when the answer is a
// valid solution keeping every given (for a unique puzzle, exactly the
// solution); for mazes of the model's side, several minimum shortest-path
// lengths, solved when the path verifies (maze.Verify: connected, on open
// squares, S to G, shortest).
func solve(args []string, stdout, stderr io.Writer) error {
	fs := flag.NewFlagSet("hrm-bench solve", flag.ContinueOnError)
	fs.SetOutput(stderr)
	path := fs.String("model", "", "Sudoku or maze weight file (float32 or int8)")
	blanksF := fs.String("blanks", "20,25,30,35,40,45,50,55,60", "Sudoku: blank counts")
	pathsF := fs.String("min-path", "", "maze: minimum shortest-path lengths in moves (default: a spread up to the longest the model's side allows)")
	n := fs.Int("n", 200, "puzzles per blank count")
	seed := fs.Uint64("seed", 0x5eed0f, "puzzle seed (the trainers use other streams)")
	haltF := fs.String("halt", "max,q,valid", "halting modes to compare")
	steps := fs.Int("steps", 0, "ACT segment budget (0: the model's halt_max_steps)")
	retriesF := fs.Int("retries", -1, fmt.Sprintf("retries of unsolved puzzles as equivalent ones, as hrm-run's -retries (default: hrm-run's, %d for valid, 0 for max and q)", retry.Default))
	batch := fs.Int("batch", 50, "puzzles per session batch")
	threads := fs.Int("threads", 0, "worker threads (0: all cores)")
	asJSON := fs.Bool("json", false, "JSON output, one object per blank count")
	if err := fs.Parse(args); err != nil {
		if err == flag.ErrHelp {
			return err
		}
		return usageError{err}
	}
	var modes []runtime.HaltMode
	for _, h := range strings.Split(*haltF, ",") {
		m, err := runtime.ParseHaltMode(h)
		if err != nil {
			return bad("-halt: %v", err)
		}
		modes = append(modes, m)
	}
	switch {
	case *path == "":
		return bad("-model FILE is required")
	case *n < 1 || *n > 100000:
		return bad("-n %d: want 1..100000", *n)
	case *batch < 1 || *batch > 1024:
		return bad("-batch %d: want 1..1024", *batch)
	case *steps < 0 || *steps > 10000:
		return bad("-steps %d: want 0..10000", *steps)
	case *retriesF < -1 || *retriesF > 64:
		return bad("-retries %d: want 0..64", *retriesF)
	case *threads < 0 || *threads > 256:
		return bad("-threads %d: want 0..256", *threads)
	}
	m, err := runtime.Load(*path)
	if err != nil {
		return usageError{err}
	}
	defer m.Close()
	var b *bench
	switch m.Vocab.Task {
	case "sudoku":
		b, err = sudokuBench(m, *path, *blanksF, *seed)
	case "maze":
		b, err = mazeBench(m, *path, *pathsF, *seed)
	default:
		err = bad("%s: a %s model; solve scores Sudoku and maze models", *path, m.Vocab.Task)
	}
	if err != nil {
		return err
	}
	sess, err := m.NewSession(*batch, *threads)
	if err != nil {
		return err
	}
	defer sess.Close()
	var rows []solveRow
	for _, level := range b.levels {
		var puzzles []benchPuzzle
		for len(puzzles) < *n {
			p, err := b.gen(level)
			if err != nil {
				return err
			}
			puzzles = append(puzzles, p)
		}
		row := solveRow{Puzzles: len(puzzles), Solved: map[string]float64{}, Segments: map[string]float64{}, MSPer: map[string]float64{}}
		if m.Vocab.Task == "maze" {
			row.MinPath = level
		} else {
			row.Blanks = level
		}
		rps := retryPuzzles(puzzles)
		for _, mode := range modes {
			solved, segs := 0, 0
			t0 := time.Now()
			opt := retry.Options{Run: runtime.Options{Steps: *steps, Halt: mode}, Retries: *retriesF}
			if opt.Retries < 0 {
				opt.Retries = retry.DefaultFor(m.Vocab.Task, mode)
			}
			for i0 := 0; i0 < len(rps); i0 += *batch {
				res, err := retry.Solve(sess, opt, rps[i0:min(i0+*batch, len(rps))])
				if err != nil {
					return err
				}
				for _, r := range res {
					if r.Solved {
						solved++
					}
					segs += r.Steps
				}
			}
			k := mode.String()
			row.Solved[k] = float64(solved) / float64(len(puzzles))
			row.Segments[k] = float64(segs) / float64(len(puzzles))
			row.MSPer[k] = float64(time.Since(t0).Microseconds()) / 1e3 / float64(len(puzzles))
		}
		rows = append(rows, row)
	}
	if *asJSON {
		enc := json.NewEncoder(stdout)
		for _, r := range rows {
			if err := enc.Encode(r); err != nil {
				return err
			}
		}
		return nil
	}
	retries := "retries as hrm-run's"
	if *retriesF >= 0 {
		retries = fmt.Sprintf("%d retries", *retriesF)
	}
	fmt.Fprintf(stdout, "%s (%s) on %d generated %s (seed %#x); %s; %s\n\n",
		*path, m.Metadata()[runtime.MetaQuant], *n, b.what, *seed, b.solved, retries)
	tw := tabwriter.NewWriter(stdout, 0, 0, 2, ' ', tabwriter.AlignRight)
	head := b.level + "\t"
	for _, mode := range modes {
		head += fmt.Sprintf("solved (%s)\tsegments\tms/puzzle\t", mode)
	}
	fmt.Fprintln(tw, head)
	for _, r := range rows {
		line := fmt.Sprintf("%d\t", r.Blanks+r.MinPath)
		for _, mode := range modes {
			k := mode.String()
			line += fmt.Sprintf("%.1f%%\t%.1f\t%.1f\t", 100*r.Solved[k], r.Segments[k], r.MSPer[k])
		}
		fmt.Fprintln(tw, line)
	}
	return tw.Flush()
}

// bench is a task's side of solve: its levels and its puzzles.
type bench struct {
	levels              []int
	gen                 func(level int) (benchPuzzle, error)
	level, what, solved string // words of the report
}

// benchPuzzle is a generated puzzle in the model's layout with its verifier.
type benchPuzzle struct {
	toks     []uint8
	verifies func(pred []int32) bool
	variants func(k int) (retry.Variant, bool) // hrm-run's retries
}

// retryPuzzles is ps as package retry takes them.
func retryPuzzles(ps []benchPuzzle) []retry.Puzzle {
	out := make([]retry.Puzzle, len(ps))
	for i, p := range ps {
		toks := make([]int32, len(p.toks))
		for j, t := range p.toks {
			toks[j] = int32(t)
		}
		out[i] = retry.Puzzle{Tokens: toks, Verify: p.verifies, Variant: p.variants}
	}
	return out
}

func sudokuBench(m *runtime.Model, path, blanksF string, seed uint64) (*bench, error) {
	box := map[int]int{16: 2, 81: 3}[m.Cfg.SeqLen]
	if box == 0 {
		return nil, bad("%s: a sudoku model with %d cells; solve scores 9×9 or 4×4 Sudoku models", path, m.Cfg.SeqLen)
	}
	blanks, err := intList(blanksF, "blanks", 64)
	if err != nil {
		return nil, err
	}
	what := "uniquely solvable puzzles per blank count"
	for _, b := range blanks {
		if b > sudoku.MaxBlanks(box) {
			return nil, bad("-blanks %d: a %d×%d Sudoku with a unique solution has at most %d", b, box*box, box*box, sudoku.MaxBlanks(box))
		}
		if b > sudoku.UniqueReach(box) {
			what = fmt.Sprintf("uniquely solvable puzzles per blank count up to %d; above, puzzles cut at random from a full grid (not unique: any valid completion counts)", sudoku.UniqueReach(box))
		}
	}
	gen, err := sudoku.NewGenerator(box, seed, 3)
	if err != nil {
		return nil, err
	}
	return &bench{levels: blanks, level: "blanks", what: what, solved: "solved = valid and keeps the givens",
		gen: func(b int) (benchPuzzle, error) {
			generate := gen.Generate
			if b > sudoku.UniqueReach(box) {
				generate = gen.Thin
			}
			p, _, err := generate(b)
			if err != nil {
				return benchPuzzle{}, fmt.Errorf("generating %d-blank puzzles: %w", b, err)
			}
			return sudokuPuzzle(p), nil
		}}, nil
}

func mazeBench(m *runtime.Model, path, pathsF string, seed uint64) (*bench, error) {
	side := int(math.Round(math.Sqrt(float64(m.Cfg.SeqLen))))
	if side*side != m.Cfg.SeqLen || side < maze.MinCells || side > maze.MaxCells {
		return nil, bad("%s: a maze model with %d cells; solve scores N×N mazes, %d ≤ N ≤ %d", path, m.Cfg.SeqLen, maze.MinCells, maze.MaxCells)
	}
	if pathsF == "" {
		// up to the hrm-train default's hardness for its side (17 moves
		// at 8×8), in four steps
		top := maze.DefaultConfig().MinPathLen * side * side / 64
		pathsF = fmt.Sprintf("%d,%d,%d,%d", max(top/4, 1), max(top/2, 1), max(3*top/4, 1), max(top, 1))
	}
	paths, err := intList(pathsF, "min-path", side*side)
	if err != nil {
		return nil, err
	}
	gens := map[int]*maze.Generator{}
	for _, p := range paths {
		g, err := maze.NewGenerator(maze.Config{Cells: side, Loops: maze.DefaultConfig().Loops, MinPathLen: p}, seed, uint64(p))
		if err != nil {
			return nil, bad("-min-path %d: %v", p, err)
		}
		gens[p] = g
	}
	return &bench{levels: paths, level: "min path", what: fmt.Sprintf("%d×%d mazes with unique shortest paths per minimum length", side, side),
		solved: "solved = the path verifies (connected, on open squares, S to G, shortest)",
		gen: func(p int) (benchPuzzle, error) {
			mz, err := gens[p].Generate()
			if err != nil {
				return benchPuzzle{}, fmt.Errorf("-min-path %d: %w", p, err)
			}
			return mazePuzzle(mz, side), nil
		}}, nil
}

// mazePuzzle is a generated maze with its verifier.
func mazePuzzle(mz *maze.Maze, side int) benchPuzzle {
	return benchPuzzle{toks: mz.Input, verifies: func(pred []int32) bool {
		lab := make([]uint8, len(pred))
		for i, t := range pred {
			lab[i] = uint8(t)
		}
		return maze.Verify(mz.Input, lab, side) == nil
	}, variants: retry.MazeVariants(side, side)}
}

// sudokuPuzzle is a generated Sudoku with its verifier.
func sudokuPuzzle(p sudoku.Grid) benchPuzzle {
	return benchPuzzle{toks: p.Tokens(), verifies: func(pred []int32) bool { return verifies(p, pred) }, variants: retry.SudokuVariants(p.Box())}
}

// verifies reports whether pred is a valid solution of p keeping its givens.
func verifies(p sudoku.Grid, pred []int32) bool {
	g, err := sudoku.FromTokens(pred)
	return err == nil && sudoku.Verify(p, g) == nil
}
