// Command hrm-run solves puzzles with an HRM or TRM weight file on the CPU:
// Sudoku, mazes and ARC-AGI tasks, whichever the model was trained for (its
// file says). With no flags it runs its built-in model on a sample puzzle.
//
//	hrm-run
//	hrm-run -model sudoku.hrm.safetensors -puzzle 53..7....6..195....98....6.8...
//	hrm-run -model sudoku.hrm.safetensors -in puzzles.txt -json
//	hrm-run -model maze.safetensors -in maze.txt        # one maze, one row a line
//	hrm-run -model arc.safetensors -in 00576224.json    # an ARC-AGI task file
//
// The code is laid out by task: main.go (flags, the model, dispatch),
// grid.go (what Sudoku and mazes share: batches, verification, output),
// sudoku.go, maze.go, arc.go, input.go (reading puzzles).
//
// Exit status: 0 on success, 2 for bad flags or bad input (a malformed
// puzzle, a model for another task, a missing file), 1 for other failures.
package main

import (
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
	"github.com/hrmgo/hrm/internal/retry"
	"github.com/hrmgo/hrm/loader"
	"github.com/hrmgo/hrm/runtime"
	"github.com/hrmgo/hrm/task/maze"
)

func main() { os.Exit(run(os.Args[1:], os.Stdout, os.Stderr)) }

// usageError marks bad input: exit status 2.
type usageError struct{ error }

func badInput(format string, a ...any) error { return usageError{fmt.Errorf(format, a...)} }

type config struct {
	model    string
	puzzle   string
	in       string
	json     bool
	steps    int
	halt     runtime.HaltMode
	threads  int
	batch    int
	verbose  bool
	trace    bool
	noMmap   bool
	variants int // ARC: at most this many variants of a task (0: all)
	// retries: Sudoku and mazes, unsolved puzzles run again as equivalent
	// ones up to this many times; -1 until the task picks (defaultRetries).
	retries int
	mem     cli.Bytes // budget for the session's buffers
	// batchGiven: -batch was on the command line, so it is not lowered to
	// fit -mem, and is an error if it does not.
	batchGiven bool
	// stepsGiven: -steps N (N > 0) was on the command line, the user's
	// override of the work budget.
	stepsGiven bool
	// haltGiven: -halt was on the command line; otherwise the task picks
	// (defaultHalt).
	haltGiven bool
	html      string
	observe   runtime.Options // -html: the recorder's observer, set by startHTML
	loadTime  time.Duration
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
	fs.StringVar(&c.puzzle, "puzzle", "", "one Sudoku as 81 characters, '.' or '0' for blanks; or one maze, one row a line")
	fs.StringVar(&c.in, "in", "", "file of puzzles ('-' for stdin): Sudoku one per line, or NDJSON objects with a \"puzzle\" field; a maze (one row a line), or NDJSON {\"maze\": ...} lines; an ARC-AGI task file (JSON)")
	fs.BoolVar(&c.json, "json", false, "write one JSON object per puzzle")
	fs.IntVar(&c.steps, "steps", 0, "ACT segment budget (default: the model's halt_max_steps; more is inference-time scaling)")
	halt := fs.String("halt", "", "halting: valid (stop once the prediction verifies, else run the budget; the default for Sudoku and mazes, whose answers have a verifier), max (always run the budget: the official evaluation, and ARC's default) or q (stop once the Q head says halt)")
	fs.IntVar(&c.threads, "threads", 0, "worker threads (default GOMAXPROCS)")
	fs.IntVar(&c.batch, "batch", 16, "puzzles per batch with -in")
	fs.BoolVar(&c.verbose, "v", false, "print the model and the selected kernels to stderr")
	fs.BoolVar(&c.trace, "trace", false, "print the grid and q values after every ACT segment (one puzzle)")
	c.mem = cli.Bytes(cli.DefaultMemBudget())
	fs.Var(&c.mem, "mem", "working memory for a batch, e.g. 512M or 2G (default: a quarter of this machine's memory, at most 1 GiB); a default -batch is lowered to fit")
	fs.IntVar(&c.retries, "retries", -1, fmt.Sprintf("Sudoku and mazes: run a puzzle whose answer does not verify again as an equivalent puzzle (digits relabelled and rows and columns permuted; a maze turned or mirrored, 7 at most), up to N times, keeping the first answer that verifies (default: %d with -halt valid, else 0)", retry.Default))
	fs.IntVar(&c.variants, "variants", 0, "ARC: run at most N of the task's variants, the task itself first (0: every one the model knows; official models know about 1000)")
	fs.BoolVar(&c.noMmap, "no-mmap", false, "read the model into memory instead of mapping it, for a file that may be rewritten in place while hrm-run runs")
	fs.StringVar(&c.html, "html", "", "write the trajectory as a self-contained HTML page to this file (-puzzle only)")
	fs.Usage = func() {
		fmt.Fprintf(stderr, "usage: hrm-run [-model FILE] (-puzzle P | -in FILE) [flags]\n"+
			"With no flags the built-in model solves a sample puzzle, segment by segment.\n"+
			"The task (Sudoku, maze, ARC) is the model's; see the README for each input and output.\n\n"+
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
	if c.haltGiven = given["halt"]; c.haltGiven {
		if c.halt, err = runtime.ParseHaltMode(*halt); err != nil {
			return c, usageError{err}
		}
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
	case given["retries"] && (c.retries < 0 || c.retries > maxRetries):
		return c, badInput("-retries %d: want 0..%d", c.retries, maxRetries)
	case c.variants < 0:
		return c, badInput("-variants %d: want 1 or more, or 0 for all", c.variants)
	case c.batch < 1 || c.batch > maxBatch:
		return c, badInput("-batch %d: want 1..%d", c.batch, maxBatch)
	case c.html != "" && c.in != "":
		return c, badInput("-html works with -puzzle")
	}
	if c.puzzle == "" && c.in == "" {
		// The demo: the built-in 9×9 model solves its sample puzzle,
		// showing the grid after every segment (unless the output is JSON).
		c.puzzle, c.trace = builtinSudoku9.sample, c.trace || !c.json
	}
	return c, nil
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
	// The input is opened (and a missing file reported) before any model
	// is loaded; without -model its first puzzle picks the built-in one.
	var src *source
	var err error
	if c.in != "" {
		if src, err = openSource(c.in); err != nil {
			return err
		}
		defer src.close()
	}
	m, err := loadModel(&c, src)
	if err != nil {
		return err
	}
	defer m.Close()
	mc := m.Cfg
	if !c.stepsGiven {
		if err := cli.CheckWork(c.model, mc, mc.HaltMaxSteps); err != nil {
			return usageError{err}
		}
	}
	if c.verbose {
		fmt.Fprintf(stderr, "model %s: %s; task %s; loaded in %v\n", c.model, mc.Describe(), m.Vocab.Task, c.loadTime.Round(time.Microsecond))
		fmt.Fprintf(stderr, "kernels: %s\n", asm.Describe())
	}
	if !c.haltGiven {
		c.halt = defaultHalt(m.Vocab.Task)
	}
	if c.retries < 0 {
		c.retries = retry.DefaultFor(m.Vocab.Task, c.halt)
	} else if m.Vocab.Task == "arc" {
		return badInput("-retries: ARC answers have no verifier to retry on; -variants votes over the task's augmented variants")
	}
	switch m.Vocab.Task {
	case "sudoku":
		t, err := newSudokuTask(m, c.model)
		if err != nil {
			return err
		}
		return solveGrid(c, m, t, src, stdout, stderr)
	case "maze":
		t, err := newMazeTask(m, c.model)
		if err != nil {
			return err
		}
		return solveGrid(c, m, t, src, stdout, stderr)
	case "arc":
		return solveARC(c, m, src, stdout, stderr)
	}
	return badInput("model %s was trained for %q; hrm-run reads sudoku, maze and arc models", c.model, m.Vocab.Task)
}

// defaultHalt is the halting of a task when -halt is not given: valid
// where an answer can be checked (Sudoku, mazes), since running on after a
// verified answer only risks drifting off it and costs time; the official
// max elsewhere.
func defaultHalt(task string) runtime.HaltMode {
	switch task {
	case "sudoku", "maze":
		return runtime.HaltValid
	}
	return runtime.HaltMax
}

// maxRetries bounds -retries: every retry of a puzzle that never verifies
// costs the whole budget again.
const maxRetries = 64

// loadModel loads -model, or the built-in model that fits the first
// puzzle (a maze, or a 4×4 or 9×9 Sudoku).
func loadModel(c *config, src *source) (*runtime.Model, error) {
	t0 := time.Now()
	var m *runtime.Model
	var err error
	switch {
	case c.model == "":
		first := c.puzzle
		if src != nil {
			// A plain maze file is one maze, read whole (its rows start
			// with '#', a comment in a Sudoku file): only its first row
			// is looked at. Anything else is read as puzzles, the
			// first peeked.
			line, err := src.firstLine()
			if err != nil {
				return nil, err
			}
			first = line
			if !maze.LooksLike(line, true) {
				it, err := src.peek()
				if err == io.EOF {
					return nil, badInput("%s: no puzzles", src.name)
				} else if err != nil {
					return nil, err
				}
				first = it.puzzle
			}
		}
		b := builtinFor(string(bytes.TrimPrefix([]byte(first), bom)))
		c.model = b.name
		m, err = runtime.LoadBytes(b.name, b.file)
	case c.noMmap:
		var f *loader.File
		if f, err = loader.ReadFile(c.model); err == nil {
			if m, err = runtime.FromFile(f); err != nil {
				err = fmt.Errorf("%s: %w", c.model, err)
			}
		}
	default:
		m, err = runtime.Load(c.model)
	}
	if err != nil {
		return nil, badInput("model: %v", err)
	}
	if c.verbose {
		c.loadTime = time.Since(t0)
	}
	return m, nil
}
