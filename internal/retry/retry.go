// Package retry solves puzzles that have a cheap verifier (Sudoku, mazes)
// with re-attempts: a puzzle whose answer does not verify within the
// segment budget is run again as an equivalent puzzle — its digits
// relabelled and rows and columns permuted, a maze turned or mirrored —
// and the answer mapped back, until one verifies or the retries run out.
//
// Why: near the edge of what a model can do, whether it solves a puzzle
// depends on its exact trajectory. On 9×9 Sudoku with 60 blanks, weight
// noise of a tenth of an int8 step changes which 1.2–1.6% of the solved
// puzzles are solved, and a hundredth still 0.4% (hrm-bench accuracy
// -noise-scales). An equivalent puzzle is
// a fresh trajectory, so a few of them turn "solved by luck" into solved,
// and a model and its int8 export then agree on what they solve. Puzzles
// that verify at once cost nothing extra.
package retry

import (
	"fmt"

	"github.com/hrmgo/hrm/runtime"
)

// Default is hrm-run's retries for Sudoku and mazes under valid halting
// (retries need a verifier to stop on; max, the official evaluation, and q
// answer each puzzle once). On 1,000 9×9 puzzles with 60 blanks the
// built-in model solves 87.1% at the first attempt, 98.8% within 4
// retries, 99.4% within 6, 99.5% within 8; puzzles it cannot solve pay
// the budget 7 times (README: "Retries").
const Default = 6

// DefaultFor is the retries of a task's puzzles under halting h when none
// are asked for.
func DefaultFor(task string, h runtime.HaltMode) int {
	if (task == "sudoku" || task == "maze") && h == runtime.HaltValid {
		return Default
	}
	return 0
}

// Variant is one equivalent form of a puzzle.
type Variant struct {
	In   func(dst, src []int32) // the puzzle's tokens into the variant
	Back func(dst, src []int32) // a prediction for the variant into the puzzle's frame
}

// Puzzle is one puzzle to solve.
type Puzzle struct {
	Tokens []int32                 // in the model's layout
	Verify func(pred []int32) bool // pred in the puzzle's own frame
	// Variant returns equivalent form k ≥ 1, or false when there are no
	// more (a maze has 7).
	Variant func(k int) (Variant, bool)
}

// Result is a solved (or not) puzzle.
type Result struct {
	Pred   []int32 // the verified answer, else the first attempt's, in the puzzle's frame
	Solved bool
	// Retries is how many variants ran: for a solved puzzle, the variant
	// that verified (0: the puzzle as given).
	Retries int
	Steps   int     // segments of all attempts
	QHalt   float32 // of the kept answer's attempt
	QCont   float32
}

// Options controls Solve.
type Options struct {
	Run     runtime.Options // Accept is set by Solve for HaltValid
	Retries int             // variants tried per puzzle after the first attempt
	// Trace, if set, is called after every segment with the first running
	// batch row's prediction in its puzzle's frame (for one-puzzle traces).
	Trace func(attempt, step int, pred []int32, qHalt, qCont float32)
}

// Solve answers ps, at most sess.MaxBatch() of them: all as given in one
// batch, then the unsolved ones as their variant 1 in one batch, and so
// on. The observer of opt.Run, if any, watches the first attempt only:
// what it shows is in the puzzles' own frame.
func Solve(sess *runtime.Session, opt Options, ps []Puzzle) ([]Result, error) {
	if len(ps) > sess.MaxBatch() {
		return nil, fmt.Errorf("retry: %d puzzles for a session of batch %d", len(ps), sess.MaxBatch())
	}
	if opt.Retries < 0 {
		return nil, fmt.Errorf("retry: %d retries", opt.Retries)
	}
	S := sess.Model().Cfg.SeqLen
	res := make([]Result, len(ps))
	pending := make([]int, len(ps)) // puzzles of this attempt, by index
	for i := range ps {
		pending[i] = i
	}
	vars := make([]Variant, len(ps))
	pred := make([]int32, S)
	back := make([]int32, S)
	for attempt := 0; attempt <= opt.Retries && len(pending) > 0; attempt++ {
		if attempt > 0 {
			keep := pending[:0]
			for _, i := range pending {
				if ps[i].Variant == nil {
					continue
				}
				v, ok := ps[i].Variant(attempt)
				if !ok {
					continue
				}
				vars[i] = v
				keep = append(keep, i)
			}
			pending = keep
			if len(pending) == 0 {
				break
			}
		}
		// toOwn is a prediction of batch row r in its puzzle's frame.
		toOwn := func(r int, p []int32) []int32 {
			if attempt == 0 {
				return p
			}
			vars[pending[r]].Back(back, p)
			return back
		}
		flat := make([]int32, 0, len(pending)*S)
		pids := make([]int32, len(pending))
		for _, i := range pending {
			if len(ps[i].Tokens) != S {
				return nil, fmt.Errorf("retry: puzzle %d has %d tokens, the model %d", i, len(ps[i].Tokens), S)
			}
			if attempt == 0 {
				flat = append(flat, ps[i].Tokens...)
				continue
			}
			n := len(flat)
			flat = flat[:n+S]
			vars[i].In(flat[n:], ps[i].Tokens)
		}
		if err := sess.Begin(flat, pids); err != nil {
			return nil, err
		}
		ro := opt.Run
		if attempt > 0 {
			ro.Observer = nil
		}
		if ro.Halt == runtime.HaltValid {
			ro.Accept = func(r int, p []int32) bool { return ps[pending[r]].Verify(toOwn(r, p)) }
		}
		if opt.Trace != nil {
			ro.OnSegment = func(step int) {
				sess.Predict(0, pred)
				qh, qc := sess.Q(0)
				opt.Trace(attempt, step, toOwn(0, pred), qh, qc)
			}
		}
		if err := sess.Run(ro); err != nil {
			return nil, err
		}
		next := pending[:0:0]
		for r, i := range pending {
			sess.Predict(r, pred)
			own := toOwn(r, pred)
			qh, qc := sess.Q(r)
			res[i].Steps += sess.Steps(r)
			ok := ps[i].Verify(own)
			if attempt == 0 || ok {
				res[i].Pred = append(res[i].Pred[:0], own...)
				res[i].QHalt, res[i].QCont = qh, qc
			}
			res[i].Solved, res[i].Retries = ok, attempt
			if !ok {
				next = append(next, i)
			}
		}
		pending = next
	}
	return res, nil
}
