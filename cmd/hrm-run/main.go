// Command hrm-run solves puzzles with an HRM weight file on the CPU. With no
// flags it runs its built-in model on a sample puzzle.
//
//	hrm-run
//	hrm-run -model sudoku.hrm.safetensors -puzzle 53..7....6..195....98....6.8...
//	hrm-run -model sudoku.hrm.safetensors -in puzzles.txt -json
//
// Exit status: 0 on success, 2 for bad flags or bad input (a malformed
// puzzle, a model for another task, a missing file), 1 for other failures.
package main

import (
	"bufio"
	"bytes"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"strings"
	"time"

	"github.com/hrmgo/hrm/asm"
	"github.com/hrmgo/hrm/runtime"
	"github.com/hrmgo/hrm/trainer/data"
)

func main() { os.Exit(run(os.Args[1:], os.Stdout, os.Stderr)) }

// usageError marks bad input: exit status 2.
type usageError struct{ error }

func badInput(format string, a ...any) error { return usageError{fmt.Errorf(format, a...)} }

type config struct {
	model   string
	puzzle  string
	in      string
	json    bool
	steps   int
	halt    runtime.HaltMode
	threads int
	batch   int
	verbose bool
	trace   bool
	html    string
}

func run(args []string, stdout, stderr io.Writer) int {
	cfg, err := parseFlags(args, stderr)
	if err == flag.ErrHelp {
		return 0
	}
	if err == nil {
		err = solve(cfg, stdout, stderr)
	}
	if err != nil {
		fmt.Fprintf(stderr, "hrm-run: %v\n", err)
		var ue usageError
		if errors.As(err, &ue) {
			return 2
		}
		return 1
	}
	return 0
}

func parseFlags(args []string, stderr io.Writer) (config, error) {
	var c config
	fs := flag.NewFlagSet("hrm-run", flag.ContinueOnError)
	fs.SetOutput(stderr)
	fs.StringVar(&c.model, "model", "", "weight file (hrm-convert or hrm-train output; default: the built-in model)")
	fs.StringVar(&c.puzzle, "puzzle", "", "one Sudoku as 81 characters, '.' or '0' for blanks")
	fs.StringVar(&c.in, "in", "", "file of puzzles: one per line, or NDJSON objects with a \"puzzle\" field ('-' for stdin)")
	fs.BoolVar(&c.json, "json", false, "write one JSON object per puzzle")
	fs.IntVar(&c.steps, "steps", 0, "ACT segment budget (default: the model's halt_max_steps; more is inference-time scaling)")
	halt := fs.String("halt", "max", "halting: max (always run the budget, the official evaluation) or q (stop once q_halt > q_continue)")
	fs.IntVar(&c.threads, "threads", 0, "worker threads (default GOMAXPROCS)")
	fs.IntVar(&c.batch, "batch", 16, "puzzles per batch with -in")
	fs.BoolVar(&c.verbose, "v", false, "print the model and the selected kernels to stderr")
	fs.BoolVar(&c.trace, "trace", false, "print the grid and q values after every ACT segment (-puzzle only)")
	fs.StringVar(&c.html, "html", "", "write the trajectory as a self-contained HTML page to this file (-puzzle only)")
	fs.Usage = func() {
		fmt.Fprintf(stderr, "usage: hrm-run -model FILE (-puzzle P | -in FILE) [flags]\n\n")
		fs.PrintDefaults()
	}
	if err := fs.Parse(args); err != nil {
		if err == flag.ErrHelp {
			return c, err
		}
		return c, usageError{err}
	}
	var err error
	if c.halt, err = runtime.ParseHaltMode(*halt); err != nil {
		return c, usageError{err}
	}
	switch {
	case fs.NArg() > 0:
		return c, badInput("unexpected argument %q", fs.Arg(0))
	case c.model == "" && c.puzzle == "" && c.in == "":
		// The demo: the built-in 9×9 model solves its sample puzzle,
		// showing the grid after every segment.
		c.puzzle, c.trace = builtinSudoku9.sample, true
	case c.puzzle == "" && c.in == "":
		return c, badInput("give -puzzle or -in")
	case c.puzzle != "" && c.in != "":
		return c, badInput("give -puzzle or -in, not both")
	case c.steps < 0:
		return c, badInput("-steps %d: must be positive", c.steps)
	case c.threads < 0:
		return c, badInput("-threads %d: must be positive", c.threads)
	case c.batch < 1 || c.batch > 4096:
		return c, badInput("-batch %d: want 1..4096", c.batch)
	case c.trace && c.puzzle == "":
		return c, badInput("-trace works with -puzzle")
	case c.html != "" && c.puzzle == "":
		return c, badInput("-html works with -puzzle")
	}
	return c, nil
}

// result is one solved puzzle, as written with -json.
type result struct {
	ID        string  `json:"id,omitempty"`
	Puzzle    string  `json:"puzzle"`
	Solution  string  `json:"solution"`
	Solved    bool    `json:"solved"`
	Steps     int     `json:"steps"`
	QHalt     float32 `json:"q_halt"`
	QContinue float32 `json:"q_continue"`

	grid data.SudokuGrid // the prediction, for the text grid
}

func solve(c config, stdout, stderr io.Writer) error {
	if err := asm.EnvError(); err != nil {
		return usageError{err}
	}
	var items []item
	var err error
	if c.puzzle != "" {
		items = []item{{puzzle: c.puzzle}}
	} else if items, err = readItems(c.in); err != nil {
		return err
	}
	t0 := time.Now()
	var m *runtime.Model
	if c.model == "" {
		b := builtinFor(items[0].puzzle)
		c.model = b.name
		m, err = runtime.LoadBytes(b.name, b.file)
	} else {
		if _, err := os.Stat(c.model); err != nil {
			return badInput("model: %v", err)
		}
		m, err = runtime.Load(c.model)
	}
	if err != nil {
		return badInput("model: %v", err)
	}
	defer m.Close()
	mc := m.Cfg
	if m.Vocab.Task != "sudoku" || (mc.SeqLen != 81 && mc.SeqLen != 16) {
		return badInput("model %s was trained for %s with %d cells; hrm-run reads 9×9 or 4×4 Sudoku puzzles", c.model, m.Vocab.Task, mc.SeqLen)
	}
	if c.verbose {
		fmt.Fprintf(stderr, "model %s: %s; loaded in %v\n", c.model, mc.Describe(), time.Since(t0).Round(time.Microsecond))
		fmt.Fprintf(stderr, "kernels: %s\n", asm.Describe())
	}

	// Validate every puzzle before running any, so bad input never leaves
	// half the output written.
	grids := make([]data.SudokuGrid, len(items))
	for i, it := range items {
		grids[i], err = parseSudoku(it.puzzle, mc.SeqLen)
		if err != nil {
			if c.puzzle != "" {
				return badInput("puzzle: %v", err)
			}
			return badInput("%s line %d: %v", c.in, it.line, err)
		}
	}

	sess, err := m.NewSession(min(c.batch, max(len(items), 1)), c.threads)
	if err != nil {
		return err
	}
	defer sess.Close()
	w := bufio.NewWriter(stdout)
	defer w.Flush()
	opt := runtime.Options{Steps: c.steps, Halt: c.halt}
	pred := make([]int32, mc.SeqLen)
	if c.trace {
		fmt.Fprintf(w, "puzzle (%s)\n%s\n", c.model, grids[0].Grid())
		opt.OnSegment = func(step int) {
			sess.Predict(0, pred)
			qh, qc := sess.Q(0)
			fmt.Fprintf(w, "segment %d  q_halt %+.3f  q_continue %+.3f\n%s\n", step, qh, qc, gridOf(pred).Grid())
		}
	}
	finishHTML := func() error { return nil }
	if c.html != "" {
		if finishHTML, err = startHTML(c.html, c.model, m, grids[0], &opt); err != nil {
			return err
		}
	}
	for lo := 0; lo < len(items); lo += sess.MaxBatch() {
		hi := min(lo+sess.MaxBatch(), len(items))
		var flat, pids []int32
		for i := lo; i < hi; i++ {
			for _, t := range grids[i].Tokens() {
				flat = append(flat, int32(t))
			}
			pids = append(pids, 0)
		}
		if err := sess.Begin(flat, pids); err != nil {
			return err
		}
		if err := sess.Run(opt); err != nil {
			return err
		}
		for i := lo; i < hi; i++ {
			sess.Predict(i-lo, pred)
			qh, qc := sess.Q(i - lo)
			sol := gridOf(pred)
			r := result{ID: items[i].id, Puzzle: grids[i].String(), Solution: sol.String(),
				Solved: data.CheckSolution(grids[i], sol) == nil, Steps: sess.Steps(i - lo), QHalt: qh, QContinue: qc, grid: sol}
			if err := writeResult(w, r, c); err != nil {
				return err
			}
		}
	}
	return finishHTML()
}

func writeResult(w io.Writer, r result, c config) error {
	switch {
	case c.json:
		b, err := json.Marshal(r)
		if err != nil {
			return err
		}
		_, err = fmt.Fprintf(w, "%s\n", b)
		return err
	case c.puzzle != "":
		status := "valid solution"
		if !r.Solved {
			status = "NOT a valid solution"
		}
		grid := r.grid.Grid() + "\n"
		if c.trace {
			grid = "" // the last segment's grid is already printed
		}
		_, err := fmt.Fprintf(w, "%s%s after %d segments (q_halt %+.3f, q_continue %+.3f)\n", grid, status, r.Steps, r.QHalt, r.QContinue)
		return err
	default:
		_, err := fmt.Fprintf(w, "%s\n", r.Solution)
		return err
	}
}

// parseSudoku reads a puzzle of the model's size and refuses givens that
// break the rules, which no model can solve.
func parseSudoku(s string, cells int) (data.SudokuGrid, error) {
	s = strings.TrimSpace(s)
	if len(s) != cells {
		side := 9
		if cells == 16 {
			side = 4
		}
		return nil, fmt.Errorf("sudoku has %d characters, this model reads %d×%d = %d", len(s), side, side, cells)
	}
	g, err := data.ParseSudoku(s)
	if err != nil {
		return nil, err
	}
	return g, g.CheckGivens()
}

// gridOf turns predicted tokens into a grid; a token that is not a digit
// (PAD or blank) shows as '?' or '.'.
func gridOf(toks []int32) data.SudokuGrid {
	g := make(data.SudokuGrid, len(toks))
	for i, t := range toks {
		if t > data.SudokuBlankToken && t <= 10 {
			g[i] = uint8(t - data.SudokuDigitBase)
		} else if t != data.SudokuBlankToken {
			g[i] = 10 // renders as '?'
		}
	}
	return g
}

// item is one input puzzle with where it came from.
type item struct {
	id     string
	puzzle string
	line   int
}

// readItems reads plain lines or NDJSON objects {"puzzle": "...", "id": ...}.
func readItems(path string) ([]item, error) {
	var data []byte
	var err error
	if path == "-" {
		data, err = io.ReadAll(os.Stdin)
	} else {
		data, err = os.ReadFile(path)
	}
	if err != nil {
		return nil, badInput("%v", err)
	}
	first := bytes.TrimSpace(data)
	if len(first) > 0 && first[0] == '{' {
		items, err := parseNDJSON(data)
		if err != nil {
			return nil, badInput("%s: %v", path, err)
		}
		return items, nil
	}
	var items []item
	for i, line := range strings.Split(string(data), "\n") {
		line = strings.TrimSpace(line)
		if line == "" || strings.HasPrefix(line, "#") {
			continue
		}
		items = append(items, item{puzzle: line, line: i + 1})
	}
	if len(items) == 0 {
		return nil, badInput("%s: no puzzles", path)
	}
	return items, nil
}
