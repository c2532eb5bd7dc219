// Command hrm-analyze studies a trained model's internals; the edge binary
// hrm-run stays lean.
//
//	hrm-analyze pr                          # every built-in model
//	hrm-analyze pr -model sudoku.safetensors -n 100 -plot pr.png
//
// pr measures the participation ratio PR = (Σλ)²/Σλ² of the covariance of
// z_H and of z_L over the states of n puzzles' runs, for the model and for
// the same architecture with random weights, as in the HRM paper's
// brain-correspondence analysis (README: "Participation ratio").
//
// Exit status: 0 on success, 2 for bad flags or bad input, 1 otherwise.
package main

import (
	"bufio"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"math"
	"os"
	"strings"
	"text/tabwriter"

	"github.com/hrmgo/hrm/asm"
	"github.com/hrmgo/hrm/models"
	"github.com/hrmgo/hrm/runtime"
	"github.com/hrmgo/hrm/task/maze"
	"github.com/hrmgo/hrm/task/sudoku"
	"github.com/hrmgo/hrm/trajectory"
)

func main() { os.Exit(run(os.Args[1:], os.Stdout, os.Stderr)) }

type usageError struct{ error }

func badInput(format string, a ...any) error { return usageError{fmt.Errorf(format, a...)} }

const usage = "usage: hrm-analyze pr [-model FILE|sudoku9|sudoku4] [flags]  (hrm-analyze pr -h for the flags)"

func run(args []string, stdout, stderr io.Writer) int {
	var err error
	switch {
	case len(args) == 0:
		err = badInput("no command; %s", usage)
	case args[0] == "pr":
		err = prCommand(args[1:], stdout, stderr)
	case args[0] == "-h" || args[0] == "-help" || args[0] == "--help" || args[0] == "help":
		fmt.Fprintln(stderr, usage)
		return 0
	default:
		err = badInput("unknown command %q; %s", args[0], usage)
	}
	if err == flag.ErrHelp {
		return 0
	}
	if err != nil {
		fmt.Fprintf(stderr, "hrm-analyze: %v\n", err)
		var ue usageError
		if errors.As(err, &ue) {
			return 2
		}
		return 1
	}
	return 0
}

type prFlags struct {
	model      string
	n, blanks  int
	in         string
	seed       uint64
	randomSeed uint64
	steps      int
	at         sampleAt
	batch      int
	threads    int
	sweep      int
	plot       string
	json       bool
}

func parsePR(args []string, stderr io.Writer) (prFlags, error) {
	var f prFlags
	fs := flag.NewFlagSet("hrm-analyze pr", flag.ContinueOnError)
	fs.SetOutput(io.Discard)
	fs.StringVar(&f.model, "model", "", "weight file, or sudoku9 / sudoku4 / maze for a built-in model (default: every built-in model)")
	fs.IntVar(&f.n, "n", 100, "puzzles (trajectories), as in the HRM paper's analysis")
	fs.IntVar(&f.blanks, "blanks", 0, "blanks of the generated puzzles (default: the built-in model's training value; 30 for a 9×9 file, 10 for 4×4)")
	fs.StringVar(&f.in, "in", "", "file of puzzles, one per line, instead of generated ones (the first -n are used)")
	fs.Uint64Var(&f.seed, "seed", 1, "seed of the puzzle generator")
	fs.Uint64Var(&f.randomSeed, "random-seed", 1, "seed of the random-weight control model")
	fs.IntVar(&f.steps, "steps", 0, "ACT segments per puzzle (default: the model's halt_max_steps; every puzzle runs them all)")
	at := fs.String("at", "update", "sampling times: update (each state after each of its own updates) or segment (both at every segment's end)")
	fs.IntVar(&f.batch, "batch", 8, "puzzles per batch")
	fs.IntVar(&f.threads, "threads", 0, "worker threads (default GOMAXPROCS)")
	fs.IntVar(&f.sweep, "sweep", 10, "also measure PR after every this many puzzles (the paper's PR against the number of trajectories)")
	fs.StringVar(&f.plot, "plot", "pr.svg", "plot of PR against the number of puzzles: .svg or .png (\"\" for none)")
	fs.BoolVar(&f.json, "json", false, "write the results as JSON instead of a table")
	if err := fs.Parse(args); err != nil {
		if err == flag.ErrHelp {
			fmt.Fprintln(stderr, usage)
			fs.SetOutput(stderr)
			fs.PrintDefaults()
			return f, err
		}
		return f, usageError{err}
	}
	var err error
	if f.at, err = parseAt(*at); err != nil {
		return f, usageError{err}
	}
	switch {
	case fs.NArg() > 0:
		return f, badInput("unexpected argument %q", fs.Arg(0))
	case f.n < 2 || f.n > 100000:
		return f, badInput("-n %d: want 2..100000", f.n)
	case f.blanks < 0:
		return f, badInput("-blanks %d: must be positive", f.blanks)
	case f.steps < 0 || f.steps > 4096:
		return f, badInput("-steps %d: want 1..4096, or 0 for the model's budget", f.steps)
	case f.batch < 1 || f.batch > 256:
		return f, badInput("-batch %d: want 1..256", f.batch)
	case f.threads < 0 || f.threads > 1024:
		return f, badInput("-threads %d: want 1..1024, or 0 for every CPU", f.threads)
	case f.sweep < 1:
		return f, badInput("-sweep %d: must be positive", f.sweep)
	case f.plot != "" && !strings.HasSuffix(f.plot, ".svg") && !strings.HasSuffix(f.plot, ".png"):
		return f, badInput("-plot %s: want a .svg or .png file", f.plot)
	}
	return f, nil
}

// prResult is one model's analysis.
type prResult struct {
	Model    string    `json:"model"`
	Describe string    `json:"describe"`
	Hidden   int       `json:"hidden"`
	Puzzles  int       `json:"puzzles"`
	Blanks   int       `json:"blanks,omitempty"` // 0: read with -in
	Segments int       `json:"segments"`
	At       string    `json:"at"`
	Solved   int       `json:"solved"` // puzzles whose last prediction is valid
	Trained  []prPoint `json:"trained"`
	Random   []prPoint `json:"random"`
}

func (r prResult) final(p []prPoint) prPoint { return p[len(p)-1] }

// modelSpec is what to analyse: a built-in or a file.
type modelSpec struct {
	name   string
	load   func() (*runtime.Model, error)
	blanks int
}

func specs(f prFlags) ([]modelSpec, error) {
	builtin := func(b models.Builtin) modelSpec {
		return modelSpec{b.Name, func() (*runtime.Model, error) { return runtime.LoadBytes(b.Name, b.File) }, b.Blanks}
	}
	if f.model == "" {
		var out []modelSpec
		for _, b := range models.All() {
			out = append(out, builtin(b))
		}
		return out, nil
	}
	if b, ok := models.ByKey(f.model); ok {
		return []modelSpec{builtin(b)}, nil
	}
	if _, err := os.Stat(f.model); err != nil {
		return nil, badInput("model: %v", err)
	}
	return []modelSpec{{f.model, func() (*runtime.Model, error) { return runtime.Load(f.model) }, 0}}, nil
}

func prCommand(args []string, stdout, stderr io.Writer) error {
	f, err := parsePR(args, stderr)
	if err != nil {
		return err
	}
	if err := asm.EnvError(); err != nil {
		return usageError{err}
	}
	sp, err := specs(f)
	if err != nil {
		return err
	}
	var results []prResult
	for _, s := range sp {
		r, err := analyse(s, f)
		if err != nil {
			return err
		}
		results = append(results, r)
	}
	if f.plot != "" {
		if err := writePlot(f.plot, results); err != nil {
			return fmt.Errorf("-plot: %v", err)
		}
	}
	w := bufio.NewWriter(stdout)
	if f.json {
		b, err := json.MarshalIndent(results, "", "  ")
		if err != nil {
			return err
		}
		fmt.Fprintf(w, "%s\n", b)
	} else {
		writeTable(w, results, f)
	}
	return w.Flush()
}

func analyse(s modelSpec, f prFlags) (prResult, error) {
	m, err := s.load()
	if err != nil {
		return prResult{}, badInput("model %s: %v", s.name, err)
	}
	defer m.Close()
	c := m.Cfg
	var puzzles []puzzle
	var blanks int
	switch {
	case m.Vocab.Task == "sudoku" && sudoku.Side(c.SeqLen) != 0:
		puzzles, blanks, err = sudokuPuzzles(f, s, c.SeqLen)
	case m.Vocab.Task == "maze":
		puzzles, err = mazePuzzles(f, s.name, c.SeqLen)
	default:
		return prResult{}, badInput("model %s was trained for %s with %d cells; hrm-analyze pr runs Sudoku (9×9, 4×4) and maze models", s.name, m.Vocab.Task, c.SeqLen)
	}
	if err != nil {
		return prResult{}, err
	}
	steps := f.steps
	if steps == 0 {
		steps = c.HaltMaxSteps
	}
	res := prResult{Model: s.name, Describe: c.Describe(), Hidden: c.HiddenSize, Puzzles: len(puzzles), Blanks: blanks,
		Segments: steps, At: map[sampleAt]string{atUpdate: "update", atSegment: "segment"}[f.at]}
	if res.Solved, err = countSolved(m, puzzles, steps, f); err != nil {
		return prResult{}, err
	}
	if res.Trained, err = measure(m, puzzles, steps, f.batch, f.threads, f.sweep, f.at); err != nil {
		return prResult{}, fmt.Errorf("%s: %v", s.name, err)
	}
	// The control: the same architecture, random weights, quantized as the
	// model is, shown the same puzzles.
	rnd, err := runtime.NewRandom(c, f.randomSeed)
	if err != nil {
		return prResult{}, err
	}
	if m.Quantized() {
		if rnd, err = rnd.Quantize(); err != nil {
			return prResult{}, err
		}
	}
	if res.Random, err = measure(rnd, puzzles, steps, f.batch, f.threads, f.sweep, f.at); err != nil {
		return prResult{}, fmt.Errorf("%s, random weights: %v", s.name, err)
	}
	return res, nil
}

// puzzle is one input with its verifier.
type puzzle struct {
	toks   []int32
	solved func(pred []int32) bool
}

func sudokuPuzzle(g sudoku.Grid) puzzle {
	toks := make([]int32, len(g))
	for i, t := range g.Tokens() {
		toks[i] = int32(t)
	}
	return puzzle{toks, func(pred []int32) bool {
		sol, err := sudoku.FromTokens(pred)
		return err == nil && sudoku.Verify(g, sol) == nil
	}}
}

// mazePuzzles generates n mazes of the model's size, as the trainer's
// default maze task draws them.
func mazePuzzles(f prFlags, name string, seqLen int) ([]puzzle, error) {
	side := int(math.Round(math.Sqrt(float64(seqLen))))
	cfg := maze.ConfigFor(side)
	if cfg.Validate() != nil || side*side != seqLen {
		return nil, badInput("model %s was trained for mazes of %d cells, not a square of %d×%d to %d×%d", name, seqLen, maze.MinCells, maze.MinCells, maze.MaxCells, maze.MaxCells)
	}
	if f.in != "" || f.blanks != 0 {
		return nil, badInput("-in and -blanks are for Sudoku models; a maze model is shown generated mazes (-n, -seed)")
	}
	gen, err := maze.NewGenerator(cfg, f.seed, 0)
	if err != nil {
		return nil, err
	}
	out := make([]puzzle, f.n)
	for i := range out {
		mz, err := gen.Generate()
		if err != nil {
			return nil, err
		}
		toks := make([]int32, len(mz.Input))
		for j, t := range mz.Input {
			toks[j] = int32(t)
		}
		out[i] = puzzle{toks, func(pred []int32) bool {
			label := make([]uint8, len(pred))
			for j, p := range pred {
				label[j] = uint8(p)
			}
			return maze.Verify(mz.Input, label, side) == nil
		}}
	}
	return out, nil
}

// sudokuPuzzles reads -in or generates n puzzles of the model's size.
func sudokuPuzzles(f prFlags, s modelSpec, cells int) ([]puzzle, int, error) {
	if f.in != "" {
		b, err := os.ReadFile(f.in)
		if err != nil {
			return nil, 0, badInput("%v", err)
		}
		var out []puzzle
		for i, line := range strings.Split(string(b), "\n") {
			line = strings.TrimSpace(line)
			if line == "" || strings.HasPrefix(line, "#") {
				continue
			}
			g, err := trajectory.ParsePuzzle(line, cells)
			if err != nil {
				return nil, 0, badInput("%s line %d: %v", f.in, i+1, err)
			}
			if out = append(out, sudokuPuzzle(g)); len(out) == f.n {
				break
			}
		}
		if len(out) < 2 {
			return nil, 0, badInput("%s: %d puzzles of %d cells; PR needs at least 2", f.in, len(out), cells)
		}
		return out, 0, nil
	}
	box := 3
	if cells == 16 {
		box = 2
	}
	blanks := f.blanks
	if blanks == 0 {
		blanks = s.blanks
	}
	if blanks == 0 {
		blanks = map[int]int{3: 30, 2: 10}[box]
	}
	if mx := sudoku.MaxBlanks(box); blanks > mx {
		return nil, 0, badInput("-blanks %d: a %d×%d puzzle with a unique solution has at most %d", blanks, box*box, box*box, mx)
	}
	gen, err := sudoku.NewGenerator(box, f.seed, 0)
	if err != nil {
		return nil, 0, err
	}
	out := make([]puzzle, f.n)
	for i := range out {
		g, _, err := gen.Generate(blanks)
		if err != nil {
			return nil, 0, err
		}
		out[i] = sudokuPuzzle(g)
	}
	return out, blanks, nil
}

// countSolved runs the puzzles plainly: how many the model solves, so that
// the table says what kind of model the PR belongs to.
func countSolved(m *runtime.Model, puzzles []puzzle, steps int, f prFlags) (int, error) {
	batch := min(f.batch, len(puzzles))
	sess, err := m.NewSession(batch, f.threads)
	if err != nil {
		return 0, err
	}
	defer sess.Close()
	pred := make([]int32, m.Cfg.SeqLen)
	solved := 0
	for lo := 0; lo < len(puzzles); lo += batch {
		hi := min(lo+batch, len(puzzles))
		var toks, ids []int32
		for _, p := range puzzles[lo:hi] {
			toks = append(toks, p.toks...)
			ids = append(ids, 0)
		}
		if err := sess.Begin(toks, ids); err != nil {
			return 0, err
		}
		if err := sess.Run(runtime.Options{Steps: steps}); err != nil {
			return 0, err
		}
		for r := 0; r < hi-lo; r++ {
			sess.Predict(r, pred)
			if puzzles[lo+r].solved(pred) {
				solved++
			}
		}
	}
	return solved, nil
}

// The HRM paper's numbers (arXiv 2506.21734, section 4 and Figure 8).
const paperLine = "HRM paper (Sudoku-Extreme Full, D 512, 100 trajectories): trained z_H 89.95, z_L 30.22, ratio 2.98; random weights z_H 40.75, z_L 42.09, ratio 0.97; mouse cortex ratio ≈ 2.25"

func writeTable(w io.Writer, rs []prResult, f prFlags) {
	tw := tabwriter.NewWriter(w, 2, 8, 2, ' ', 0)
	fmt.Fprintf(tw, "model\tD\tpuzzles\tsolved\tsegments\tz_H PR\tz_L PR\tz_H/z_L\trandom z_H\trandom z_L\trandom z_H/z_L\tsamples z_H / z_L\n")
	for _, r := range rs {
		t, x := r.final(r.Trained), r.final(r.Random)
		fmt.Fprintf(tw, "%s\t%d\t%d\t%d\t%d\t%.2f\t%.2f\t%.2f\t%.2f\t%.2f\t%.2f\t%d / %d\n", r.Model, r.Hidden, r.Puzzles, r.Solved, r.Segments,
			t.ZH, t.ZL, t.Ratio, x.ZH, x.ZL, x.Ratio, t.HCount, t.LCount)
	}
	tw.Flush()
	at := "each state after each of its own updates"
	if f.at == atSegment {
		at = "both states at the end of every segment"
	}
	fmt.Fprintf(w, "samples: one cell's row of the state, %s; covariance pooled over puzzles, times and cells\n", at)
	fmt.Fprintln(w, paperLine)
	if f.plot != "" {
		fmt.Fprintf(w, "plot: %s\n", f.plot)
	}
}
