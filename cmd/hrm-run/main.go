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
	"math"
	"os"
	"strings"
	"time"

	"github.com/hrmgo/hrm/asm"
	"github.com/hrmgo/hrm/internal/cli"
	"github.com/hrmgo/hrm/loader"
	"github.com/hrmgo/hrm/runtime"
	"github.com/hrmgo/hrm/task/sudoku"
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
	noMmap  bool
	mem     cli.Bytes // budget for the session's buffers
	// batchGiven: -batch was on the command line, so it is not lowered to
	// fit -mem, and is an error if it does not.
	batchGiven bool
	// stepsGiven: -steps N (N > 0) was on the command line, the user's
	// override of the work budget.
	stepsGiven bool
}

func run(args []string, stdout, stderr io.Writer) int {
	cfg, err := parseFlags(args, stderr)
	if err == flag.ErrHelp {
		return 0
	}
	if err == nil {
		out := cli.NewOutput(stdout)
		err = solve(cfg, out, stderr)
		if oerr := out.Err(); oerr != nil {
			err = oerr // the cause of whatever else failed
		}
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

// Limits of the runtime (runtime.Session.Run and NewSession), checked here
// so that asking for more is bad input named up front, not a failure after
// the model has loaded (TestLimitsMatchRuntime pins them).
const (
	maxSteps   = 1 << 20
	maxThreads = 1024
	maxBatch   = 4096
)

func parseFlags(args []string, stderr io.Writer) (config, error) {
	var c config
	fs := flag.NewFlagSet("hrm-run", flag.ContinueOnError)
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
	c.mem = cli.Bytes(cli.DefaultMemBudget())
	fs.Var(&c.mem, "mem", "working memory for a batch, e.g. 512M or 2G (default: a quarter of this machine's memory, at most 1 GiB); a default -batch is lowered to fit")
	fs.BoolVar(&c.noMmap, "no-mmap", false, "read the model into memory instead of mapping it, for a file that may be rewritten in place while hrm-run runs")
	fs.Usage = func() {
		fmt.Fprintf(stderr, "usage: hrm-run [-model FILE] (-puzzle P | -in FILE) [flags]\n"+
			"With no flags the built-in model solves a sample puzzle, segment by segment.\n\n"+
			"The model file is memory-mapped: replace it with mv (or hrm-convert/hrm-train,\n"+
			"which rename), never with cp over it while hrm-run runs, which kills hrm-run\n"+
			"with SIGBUS; or use -no-mmap.\n\n")
		fs.PrintDefaults()
	}
	if err := cli.Parse(fs, args, stderr); err != nil {
		if err == flag.ErrHelp {
			return c, err
		}
		return c, usageError{err}
	}
	given := cli.Given(fs)
	c.batchGiven = given["batch"]
	c.stepsGiven = given["steps"] && c.steps > 0
	var err error
	if c.halt, err = runtime.ParseHaltMode(*halt); err != nil {
		return c, usageError{err}
	}
	switch {
	case fs.NArg() > 0:
		return c, badInput("unexpected argument %q", fs.Arg(0))
	case given["puzzle"] && strings.TrimSpace(c.puzzle) == "":
		return c, badInput("-puzzle is empty")
	case given["in"] && c.in == "":
		return c, badInput("-in is empty (use - for stdin)")
	case c.puzzle != "" && c.in != "":
		return c, badInput("give -puzzle or -in, not both")
	case c.model != "" && c.puzzle == "" && c.in == "":
		return c, badInput("give -puzzle or -in")
	case c.steps < 0 || c.steps > maxSteps:
		return c, badInput("-steps %d: want 1..%d, or 0 for the model's halt_max_steps", c.steps, maxSteps)
	case c.threads < 0 || c.threads > maxThreads:
		return c, badInput("-threads %d: want 1..%d, or 0 for every CPU", c.threads, maxThreads)
	case c.batch < 1 || c.batch > maxBatch:
		return c, badInput("-batch %d: want 1..%d", c.batch, maxBatch)
	}
	if c.puzzle == "" && c.in == "" {
		// The demo: the built-in 9×9 model solves its sample puzzle,
		// showing the grid after every segment (unless the output is JSON).
		c.puzzle, c.trace = builtinSudoku9.sample, c.trace || !c.json
	}
	if c.trace && c.puzzle == "" {
		return c, badInput("-trace works with -puzzle")
	}
	return c, nil
}

// result is one solved puzzle, as written with -json.
type result struct {
	ID        string `json:"id,omitempty"`
	Puzzle    string `json:"puzzle"`
	Solution  string `json:"solution"`
	Solved    bool   `json:"solved"`
	Steps     int    `json:"steps"`
	QHalt     qValue `json:"q_halt"`
	QContinue qValue `json:"q_continue"`

	grid sudoku.Grid // the prediction, for the text grid
}

// fitBatch is the batch to run n puzzles with: -batch, or fewer puzzles,
// as long as the session's buffers fit the -mem budget. They grow with
// the batch (46 MB a puzzle for a 901-token full-size model; -batch 2048
// of the built-in 9×9 model is 2.5 GB), which is fatal on a small machine.
// A default batch is lowered to fit; one given on the command line is an
// error if it does not.
func fitBatch(m *runtime.Model, c config, n int) (int, error) {
	batch := min(c.batch, n)
	budget := int64(c.mem)
	need := m.SessionBytes(batch, c.threads)
	if need <= budget {
		return batch, nil
	}
	lo, hi := 0, batch // SessionBytes(lo) fits (or lo is 0), SessionBytes(hi) does not
	for hi-lo > 1 {
		mid := (lo + hi) / 2
		if m.SessionBytes(mid, c.threads) <= budget {
			lo = mid
		} else {
			hi = mid
		}
	}
	switch {
	case lo == 0:
		return 0, badInput("the model needs %s of working memory for one puzzle, over the -mem budget of %s; raise -mem",
			cli.FormatBytes(m.SessionBytes(1, c.threads)), cli.FormatBytes(budget))
	case c.batchGiven:
		return 0, badInput("a batch of %d puzzles needs %s of working memory with this model, over the -mem budget of %s: use -batch %d or less, or raise -mem",
			batch, cli.FormatBytes(need), cli.FormatBytes(budget), lo)
	}
	return lo, nil
}

// qValue is a Q head output. A broken model (diverged weights, a float
// overflow) yields NaN or ±Inf, which encoding/json refuses, failing the
// run mid-batch after earlier batches were written; such a value is written
// as null instead, and counted so the run can say so on stderr.
type qValue float32

func (q qValue) finite() bool {
	f := float64(q)
	return !math.IsNaN(f) && !math.IsInf(f, 0)
}

func (q qValue) MarshalJSON() ([]byte, error) {
	if !q.finite() {
		return []byte("null"), nil
	}
	return json.Marshal(float32(q))
}

func solve(c config, stdout, stderr io.Writer) error {
	if err := asm.EnvError(); err != nil {
		return usageError{err}
	}
	// The first puzzle picks the built-in model; the input is opened (and
	// a missing file reported) before any model is loaded.
	var src *source
	var first item
	var err error
	if c.puzzle != "" {
		first = item{puzzle: string(bytes.TrimPrefix([]byte(c.puzzle), bom))}
	} else {
		if src, err = openSource(c.in); err != nil {
			return err
		}
		defer src.close()
		if first, err = src.next(); err == io.EOF {
			return badInput("%s: no puzzles", src.name)
		} else if err != nil {
			return err
		}
	}
	t0 := time.Now()
	var m *runtime.Model
	if c.model == "" {
		b := builtinFor(first.puzzle)
		c.model = b.name
		m, err = runtime.LoadBytes(b.name, b.file)
	} else if c.noMmap {
		var f *loader.File
		if f, err = loader.ReadFile(c.model); err == nil {
			if m, err = runtime.FromFile(f); err != nil {
				err = fmt.Errorf("%s: %w", c.model, err)
			}
		}
	} else {
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
	if !c.stepsGiven {
		if err := cli.CheckWork(c.model, mc, mc.HaltMaxSteps); err != nil {
			return usageError{err}
		}
	}
	if c.verbose {
		fmt.Fprintf(stderr, "model %s: %s; loaded in %v\n", c.model, mc.Describe(), time.Since(t0).Round(time.Microsecond))
		fmt.Fprintf(stderr, "kernels: %s\n", asm.Describe())
	}

	// Validate every puzzle before running any, so bad input never leaves
	// half the output written.
	ps := &puzzleSet{cells: mc.SeqLen}
	for it := first; ; {
		g, err := parseSudoku(it.puzzle, mc.SeqLen)
		if err != nil {
			if src == nil {
				return badInput("puzzle: %v", err)
			}
			return badInput("%s line %d: %v", src.name, it.line, err)
		}
		ps.add(g, it)
		if src == nil {
			break
		}
		if it, err = src.next(); err == io.EOF {
			break
		} else if err != nil {
			return err
		}
		if ps.len() == maxPuzzles {
			return badInput("%s: more than %d puzzles; split the input", src.name, maxPuzzles)
		}
	}

	batch, err := fitBatch(m, c, ps.len())
	if err != nil {
		return err
	}
	if c.verbose && batch < min(c.batch, ps.len()) {
		fmt.Fprintf(stderr, "batch %d (the most that fits -mem %s)\n", batch, &c.mem)
	}
	sess, err := m.NewSession(batch, c.threads)
	if err != nil {
		return err
	}
	defer sess.Close()
	w := bufio.NewWriter(stdout)
	broken, err := solveBatches(c, sess, ps, w)
	if err != nil {
		w.Flush() // what was solved before the failure
		return err
	}
	if err := w.Flush(); err != nil {
		return err
	}
	if broken > 0 {
		fmt.Fprintf(stderr, "hrm-run: warning: the model's Q values are not finite (NaN or infinite) for %d of %d puzzles; they are written as null. The model is broken: diverged or corrupt weights.\n", broken, ps.len())
	}
	return nil
}

// solveBatches solves and writes every puzzle; it returns how many had
// non-finite Q values.
func solveBatches(c config, sess *runtime.Session, ps *puzzleSet, w io.Writer) (broken int, err error) {
	mc := sess.Model().Cfg
	opt := runtime.Options{Steps: c.steps, Halt: c.halt}
	pred := make([]int32, mc.SeqLen)
	if c.trace {
		fmt.Fprintf(w, "puzzle (%s)\n%s\n", c.model, ps.at(0).Grid())
		opt.OnSegment = func(step int) {
			sess.Predict(0, pred)
			qh, qc := sess.Q(0)
			fmt.Fprintf(w, "segment %d  q_halt %+.3f  q_continue %+.3f\n%s\n", step, qh, qc, gridOf(pred).Grid())
		}
	}
	for lo := 0; lo < ps.len(); lo += sess.MaxBatch() {
		hi := min(lo+sess.MaxBatch(), ps.len())
		var flat, pids []int32
		for i := lo; i < hi; i++ {
			for _, t := range ps.at(i).Tokens() {
				flat = append(flat, int32(t))
			}
			pids = append(pids, 0)
		}
		if err := sess.Begin(flat, pids); err != nil {
			return broken, err
		}
		if err := sess.Run(opt); err != nil {
			return broken, err
		}
		for i := lo; i < hi; i++ {
			sess.Predict(i-lo, pred)
			qh, qc := sess.Q(i - lo)
			sol := gridOf(pred)
			r := result{ID: ps.id(i), Puzzle: ps.at(i).String(), Solution: sol.String(),
				Solved: sudoku.Verify(ps.at(i), sol) == nil, Steps: sess.Steps(i - lo), QHalt: qValue(qh), QContinue: qValue(qc), grid: sol}
			if !r.QHalt.finite() || !r.QContinue.finite() {
				broken++
			}
			if err := writeResult(w, r, c); err != nil {
				return broken, err
			}
		}
	}
	return broken, nil
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
func parseSudoku(s string, cells int) (sudoku.Grid, error) {
	s = strings.TrimSpace(s)
	if len(s) != cells {
		side := 9
		if cells == 16 {
			side = 4
		}
		return nil, fmt.Errorf("sudoku has %d characters, this model reads %d×%d = %d", len(s), side, side, cells)
	}
	g, err := sudoku.Parse(s)
	if err != nil {
		return nil, err
	}
	return g, g.CheckGivens()
}

// gridOf turns predicted tokens into a grid; a token that is not a digit
// (PAD or blank) shows as '?' or '.'.
func gridOf(toks []int32) sudoku.Grid {
	g := make(sudoku.Grid, len(toks))
	for i, t := range toks {
		if t > sudoku.BlankToken && t <= 10 {
			g[i] = uint8(t - sudoku.DigitBase)
		} else if t != sudoku.BlankToken {
			g[i] = 10 // renders as '?'
		}
	}
	return g
}
