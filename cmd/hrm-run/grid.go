package main

import (
	"bufio"
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"time"

	"github.com/hrmgo/hrm/internal/retry"
	"github.com/hrmgo/hrm/runtime"
	"github.com/hrmgo/hrm/task/sudoku"
)

// gridTask is a task whose puzzle is one grid, answered by one grid that a
// cheap verifier checks: Sudoku and mazes.
type gridTask interface {
	// parse validates one puzzle and returns its tokens in the model's
	// layout and its own side (a maze may be smaller than the model's).
	parse(text string) (toks []uint8, side int, err error)
	// check verifies a prediction for a puzzle.
	check(toks []uint8, side int, pred []int32) verdict
	// text is the compact form of a puzzle or a prediction (-json, and
	// plain -in output): Sudoku's 81 characters, a maze's rows.
	text(toks []uint8, side int, pred []int32) string
	// grid is the form for people (-puzzle and -trace).
	grid(toks []uint8, side int, pred []int32) string
	// inputField is the -json field of the puzzle: "puzzle" or "maze".
	inputField() string
	// separate says whether plain -in output puts a blank line between
	// answers (multi-line answers).
	separate() bool
	// variants are the puzzle's equivalent forms for -retries, and what
	// they are in words.
	variants(side int) func(k int) (retry.Variant, bool)
	variantWords() string
}

// verdict is a prediction checked.
type verdict struct {
	solved bool
	reason string         // why it is not a solution, "" if it is
	report *sudoku.Report // Sudoku's counts, for -json
}

// result is one answered puzzle, as written with -json (README: "JSON
// output").
type result struct {
	ID       string `json:"id,omitempty"`
	Puzzle   string `json:"puzzle,omitempty"`
	Maze     string `json:"maze,omitempty"`
	Solution string `json:"solution"`
	Solved   bool   `json:"solved"`
	*sudoku.Report
	Reason    string `json:"reason,omitempty"`
	Steps     int    `json:"steps"`
	Retries   int    `json:"retries"`
	QHalt     qValue `json:"q_halt"`
	QContinue qValue `json:"q_continue"`
}

// solveGrid reads, validates and answers every puzzle of a grid task.
func solveGrid(c config, m *runtime.Model, t gridTask, src *source, stdout, stderr io.Writer) error {
	ps, err := readPuzzles(c, m, t, src)
	if err != nil {
		return err
	}
	if c.trace && ps.len() > 1 {
		return badInput("-trace follows one puzzle; %s holds %d", src.name, ps.len())
	}
	finishHTML := func() error { return nil }
	if c.html != "" {
		if t.inputField() != "puzzle" || ps.len() != 1 {
			return badInput("-html draws one Sudoku (-puzzle); mazes and ARC have no page yet")
		}
		g, err := sudoku.FromTokens(ps.at(0))
		if err != nil {
			return err
		}
		c.observe = runtime.Options{Steps: c.steps}
		if finishHTML, err = startHTML(c.html, c.model, m, g, &c.observe); err != nil {
			return err
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
	t0 := time.Now()
	st, err := solveBatches(c, sess, t, ps, w)
	if err != nil {
		w.Flush() // what was solved before the failure
		return err
	}
	if err := w.Flush(); err != nil {
		return err
	}
	if err := finishHTML(); err != nil {
		return err
	}
	if st.broken > 0 {
		fmt.Fprintf(stderr, "hrm-run: warning: the model's Q values are not finite (NaN or infinite) for %d of %d puzzles; they are written as null. The model is broken: diverged or corrupt weights.\n", st.broken, ps.len())
	}
	if src != nil {
		n := ps.len()
		retried := ""
		if st.retried > 0 {
			retried = fmt.Sprintf("; %d on a retry", st.retried)
		}
		fmt.Fprintf(stderr, "hrm-run: solved %d of %d (%.1f%%%s), mean %.2f segments, %v per puzzle\n",
			st.solved, n, 100*float64(st.solved)/float64(n), retried, float64(st.segments)/float64(n), (time.Since(t0) / time.Duration(n)).Round(10*time.Microsecond))
	}
	return nil
}

// readPuzzles validates every puzzle before any runs, so bad input never
// leaves half the output written.
func readPuzzles(c config, m *runtime.Model, t gridTask, src *source) (*puzzleSet, error) {
	ps := &puzzleSet{cells: m.Cfg.SeqLen}
	if src == nil {
		toks, side, err := t.parse(string(bytes.TrimPrefix([]byte(c.puzzle), bom)))
		if err != nil {
			return nil, badInput("puzzle: %v", err)
		}
		ps.add(toks, side, item{})
		return ps, nil
	}
	if _, ok := t.(*mazeTask); ok && src.peeked == nil {
		it, ndjson, err := src.mazeFile()
		switch {
		case err == io.EOF:
			return nil, badInput("%s: no puzzles", src.name)
		case err != nil:
			return nil, err
		case !ndjson:
			toks, side, err := t.parse(it.puzzle)
			if err != nil {
				return nil, badInput("%s: %v", src.name, err)
			}
			ps.add(toks, side, it)
			return ps, nil
		}
	}
	for {
		it, err := src.next()
		if err == io.EOF {
			break
		} else if err != nil {
			return nil, err
		}
		if ps.len() == maxPuzzles {
			return nil, badInput("%s: more than %d puzzles; split the input", src.name, maxPuzzles)
		}
		toks, side, err := t.parse(it.puzzle)
		if err != nil {
			return nil, badInput("%s line %d: %v", src.name, it.line, err)
		}
		ps.add(toks, side, it)
	}
	if ps.len() == 0 {
		return nil, badInput("%s: no puzzles", src.name)
	}
	return ps, nil
}

// stats sums up a run.
type stats struct {
	solved, segments, broken int
	retried                  int // solved on a retry
}

// solveBatches solves and writes every puzzle.
func solveBatches(c config, sess *runtime.Session, t gridTask, ps *puzzleSet, w io.Writer) (st stats, err error) {
	opt := retry.Options{Run: runtime.Options{Steps: c.steps, Halt: c.halt, Observer: c.observe.Observer}, Retries: c.retries}
	if c.trace {
		fmt.Fprintf(w, "puzzle (%s)\n%s\n", c.model, t.grid(ps.at(0), ps.side(0), nil))
		opt.Trace = func(attempt, step int, pred []int32, qh, qc float32) {
			if attempt > 0 && step == 1 {
				fmt.Fprintf(w, "retry %d: the puzzle %s, answers shown mapped back\n", attempt, t.variantWords())
			}
			fmt.Fprintf(w, "segment %d  q_halt %+.3f  q_continue %+.3f\n%s\n", step, qh, qc, t.grid(ps.at(0), ps.side(0), pred))
		}
	}
	for lo := 0; lo < ps.len(); lo += sess.MaxBatch() {
		hi := min(lo+sess.MaxBatch(), ps.len())
		batch := make([]retry.Puzzle, 0, hi-lo)
		for i := lo; i < hi; i++ {
			in, side := ps.at(i), ps.side(i)
			toks := make([]int32, len(in))
			for j, tok := range in {
				toks[j] = int32(tok)
			}
			batch = append(batch, retry.Puzzle{Tokens: toks, Verify: func(pred []int32) bool { return t.check(in, side, pred).solved }, Variant: t.variants(side)})
		}
		res, err := retry.Solve(sess, opt, batch)
		if err != nil {
			return st, err
		}
		for i := lo; i < hi; i++ {
			rr := res[i-lo]
			in, side := ps.at(i), ps.side(i)
			v := t.check(in, side, rr.Pred)
			r := result{ID: ps.id(i), Solution: t.text(in, side, rr.Pred), Solved: v.solved, Report: v.report, Reason: v.reason,
				Steps: rr.Steps, Retries: rr.Retries, QHalt: qValue(rr.QHalt), QContinue: qValue(rr.QCont)}
			if t.inputField() == "maze" {
				r.Maze = t.text(in, side, nil)
			} else {
				r.Puzzle = t.text(in, side, nil)
			}
			if !r.QHalt.finite() || !r.QContinue.finite() {
				st.broken++
			}
			if v.solved {
				st.solved++
				if rr.Retries > 0 {
					st.retried++
				}
			}
			st.segments += r.Steps
			if err := writeResult(w, t, r, in, side, rr.Pred, c, i); err != nil {
				return st, err
			}
		}
	}
	return st, nil
}

func writeResult(w io.Writer, t gridTask, r result, in []uint8, side int, pred []int32, c config, i int) error {
	status := func() string {
		if r.Solved && r.Retries > 0 {
			return fmt.Sprintf("valid solution (on retry %d)", r.Retries)
		}
		if r.Solved {
			return "valid solution"
		}
		return "NOT a valid solution: " + r.Reason
	}
	switch {
	case c.json:
		b, err := json.Marshal(r)
		if err != nil {
			return err
		}
		_, err = fmt.Fprintf(w, "%s\n", b)
		return err
	case c.puzzle != "" || c.trace:
		grid := t.grid(in, side, pred) + "\n"
		if c.trace {
			grid = "" // the last segment's grid is already printed
		}
		in := ""
		if r.Retries > 0 {
			in = fmt.Sprintf(" in %d attempts", r.Retries+1)
		}
		_, err := fmt.Fprintf(w, "%s%s after %s%s (q_halt %+.3f, q_continue %+.3f)\n", grid, status(), segments(r.Steps), in, r.QHalt, r.QContinue)
		return err
	case t.separate():
		sep := "\n"
		if i == 0 {
			sep = ""
		}
		id := ""
		if r.ID != "" {
			id = r.ID + ": "
		}
		_, err := fmt.Fprintf(w, "%s%s\n%s%s\n", sep, r.Solution, id, status())
		return err
	case r.Solved:
		_, err := fmt.Fprintf(w, "%s\n", r.Solution)
		return err
	default:
		_, err := fmt.Fprintf(w, "%s  invalid: %s\n", r.Solution, r.Reason)
		return err
	}
}

// segments is "1 segment" or "N segments".
func segments(n int) string {
	if n == 1 {
		return "1 segment"
	}
	return fmt.Sprintf("%d segments", n)
}
