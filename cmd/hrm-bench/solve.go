package main

import (
	"encoding/json"
	"flag"
	"fmt"
	"io"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/hrmgo/hrm/runtime"
	"github.com/hrmgo/hrm/task/sudoku"
)

// solveRow is one blank count of a solve-rate report.
type solveRow struct {
	Blanks   int                `json:"blanks"`
	Puzzles  int                `json:"puzzles"`
	Solved   map[string]float64 `json:"solved"`   // halt mode → fraction of puzzles whose answer verifies
	Segments map[string]float64 `json:"segments"` // halt mode → mean segments run
	MSPer    map[string]float64 `json:"ms_per_puzzle"`
}

// solve scores a Sudoku model on freshly generated, uniquely solvable
// puzzles at several blank counts and under several halting modes: the
// fraction whose answer is a valid solution keeping every given (for a
// unique puzzle, exactly the solution).
func solve(args []string, stdout, stderr io.Writer) error {
	fs := flag.NewFlagSet("hrm-bench solve", flag.ContinueOnError)
	fs.SetOutput(stderr)
	path := fs.String("model", "", "Sudoku weight file (float32 or int8)")
	blanksF := fs.String("blanks", "20,25,30,35,40,45,50,55,60", "blank counts")
	n := fs.Int("n", 200, "puzzles per blank count")
	seed := fs.Uint64("seed", 0x5eed0f, "puzzle seed (the trainers use other streams)")
	haltF := fs.String("halt", "max,q,valid", "halting modes to compare")
	steps := fs.Int("steps", 0, "ACT segment budget (0: the model's halt_max_steps)")
	batch := fs.Int("batch", 50, "puzzles per session batch")
	threads := fs.Int("threads", 0, "worker threads (0: all cores)")
	asJSON := fs.Bool("json", false, "JSON output, one object per blank count")
	if err := fs.Parse(args); err != nil {
		if err == flag.ErrHelp {
			return err
		}
		return usageError{err}
	}
	blanks, err := intList(*blanksF, "blanks", 64)
	if err != nil {
		return err
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
	case *threads < 0 || *threads > 256:
		return bad("-threads %d: want 0..256", *threads)
	}
	m, err := runtime.Load(*path)
	if err != nil {
		return usageError{err}
	}
	defer m.Close()
	box := map[int]int{16: 2, 81: 3}[m.Cfg.SeqLen]
	if m.Vocab.Task != "sudoku" || box == 0 {
		return bad("%s: a %s model with %d cells; solve scores 9×9 or 4×4 Sudoku models", *path, m.Vocab.Task, m.Cfg.SeqLen)
	}
	for _, b := range blanks {
		if b > sudoku.MaxBlanks(box) {
			return bad("-blanks %d: a %d×%d Sudoku with a unique solution has at most %d", b, box*box, box*box, sudoku.MaxBlanks(box))
		}
	}
	sess, err := m.NewSession(*batch, *threads)
	if err != nil {
		return err
	}
	defer sess.Close()
	gen, err := sudoku.NewGenerator(box, *seed, 3)
	if err != nil {
		return err
	}
	S := m.Cfg.SeqLen
	var rows []solveRow
	for _, b := range blanks {
		var puzzles []sudoku.Grid
		for len(puzzles) < *n {
			p, _, err := gen.Generate(b)
			if err != nil {
				return fmt.Errorf("generating %d-blank puzzles: %w", b, err)
			}
			puzzles = append(puzzles, p)
		}
		row := solveRow{Blanks: b, Puzzles: len(puzzles), Solved: map[string]float64{}, Segments: map[string]float64{}, MSPer: map[string]float64{}}
		for _, mode := range modes {
			solved, segs := 0, 0
			t0 := time.Now()
			for i0 := 0; i0 < len(puzzles); i0 += *batch {
				part := puzzles[i0:min(i0+*batch, len(puzzles))]
				toks := make([]int32, 0, len(part)*S)
				for _, p := range part {
					for _, t := range p.Tokens() {
						toks = append(toks, int32(t))
					}
				}
				if err := sess.Begin(toks, make([]int32, len(part))); err != nil {
					return err
				}
				opt := runtime.Options{Steps: *steps, Halt: mode, Accept: func(r int, pred []int32) bool { return verifies(part[r], pred) }}
				if err := sess.Run(opt); err != nil {
					return err
				}
				pred := make([]int32, S)
				for r := range part {
					sess.Predict(r, pred)
					if verifies(part[r], pred) {
						solved++
					}
					segs += sess.Steps(r)
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
	fmt.Fprintf(stdout, "%s (%s) on %d generated uniquely solvable puzzles per blank count (seed %#x); solved = valid and keeps the givens\n\n",
		*path, m.Metadata()[runtime.MetaQuant], *n, *seed)
	tw := tabwriter.NewWriter(stdout, 0, 0, 2, ' ', tabwriter.AlignRight)
	head := "blanks\t"
	for _, mode := range modes {
		head += fmt.Sprintf("solved (%s)\tsegments\tms/puzzle\t", mode)
	}
	fmt.Fprintln(tw, head)
	for _, r := range rows {
		line := fmt.Sprintf("%d\t", r.Blanks)
		for _, mode := range modes {
			k := mode.String()
			line += fmt.Sprintf("%.1f%%\t%.1f\t%.1f\t", 100*r.Solved[k], r.Segments[k], r.MSPer[k])
		}
		fmt.Fprintln(tw, line)
	}
	return tw.Flush()
}

// verifies reports whether pred is a valid solution of p keeping its givens.
func verifies(p sudoku.Grid, pred []int32) bool {
	g, err := sudoku.FromTokens(pred)
	return err == nil && sudoku.Verify(p, g) == nil
}
