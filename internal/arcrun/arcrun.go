// Package arcrun answers ARC-AGI tasks with a model the official way
// (spec §6.4–6.5), for hrm-run and hrm-bench: every augmented variant of
// the task that the model has a puzzle identifier for answers every test
// input; each answer is cropped at EOS and mapped back through the
// inverse augmentation, and the answers vote.
package arcrun

import (
	"errors"
	"fmt"
	"math"

	"github.com/hrmgo/hrm/runtime"
	"github.com/hrmgo/hrm/task/arc"
)

// ErrNoIdentifiers is the error of a model without an identifiers table.
var ErrNoIdentifiers = errors.New("the model has no puzzle identifiers: convert it with hrm-convert -identifiers identifiers.json (the official dataset's), or train it with hrm-train -task arc")

// Canvas is the side of a model's square canvas: 30 for the official
// 900-token models.
func Canvas(m *runtime.Model) (int, error) {
	n := m.Cfg.SeqLen
	side := int(math.Round(math.Sqrt(float64(n))))
	if side*side != n || side > arc.MaxSize {
		return 0, fmt.Errorf("an ARC model's seq_len is a square canvas of at most 30×30 = 900 cells; this one has %d", n)
	}
	return side, nil
}

// Variant is a variant of a task with the model's puzzle id for it.
type Variant struct {
	arc.Variant
	ID int32
}

// Variants lists the model's variants of the named task, in name order.
func Variants(m *runtime.Model, task string) ([]Variant, error) {
	if !m.HasIdentifiers() {
		return nil, ErrNoIdentifiers
	}
	ids, err := m.IdentifiersWithPrefix(task)
	if err != nil {
		return nil, err
	}
	var out []Variant
	for _, id := range ids {
		if v, ok := arc.VariantOf(id.Name, task); ok {
			out = append(out, Variant{Variant: v, ID: id.ID})
		}
	}
	if len(out) == 0 {
		return nil, fmt.Errorf("the model has no puzzle identifiers for task %q: an ARC model answers only the tasks whose variants it was trained on", task)
	}
	return out, nil
}

// Limit keeps at most n variants (n ≤ 0: all): the task itself first, then
// the others in name order. An official ARC model knows about a thousand
// variants of a task, hours of CPU at 900 tokens; the ARC Prize analysis
// of HRM found about 300 augmentations enough.
func Limit(vs []Variant, n int) []Variant {
	if n <= 0 || n >= len(vs) {
		return vs
	}
	out := make([]Variant, 0, n)
	for _, v := range vs {
		if v.D == 0 && v.Map == arc.IdentityColorMap() {
			out = append(out, v)
		}
	}
	for _, v := range vs {
		if len(out) == n {
			break
		}
		if !(v.D == 0 && v.Map == arc.IdentityColorMap()) {
			out = append(out, v)
		}
	}
	return out[:n]
}

// Answer is what the variants made of one test input.
type Answer struct {
	// Candidates are the distinct answers, ranked by the vote.
	Candidates []arc.Candidate
	// Known says whether the task file gave the test output; Pass1 and
	// Pass2 whether it is the first attempt, or one of the first two.
	Known, Pass1, Pass2 bool
}

// Attempt is the k-th attempt (0 or 1) of a submission: the k-th
// candidate, or the best one again when there is no other.
func (a Answer) Attempt(k int) arc.Grid {
	if k < len(a.Candidates) {
		return a.Candidates[k].Grid
	}
	if len(a.Candidates) == 0 {
		return arc.Grid{}
	}
	return a.Candidates[0].Grid
}

// Result is a task answered.
type Result struct {
	Task     string
	Variants int
	Tests    []Answer
	// Segments is the mean number of ACT segments a variant ran.
	Segments float64
}

// Pass reports whether every test input passed at k = 1 or 2 (the ARC
// metric is pass@2), and whether every test output was known.
func (r *Result) Pass(k int) (pass, known bool) {
	pass, known = true, true
	for _, a := range r.Tests {
		known = known && a.Known
		pass = pass && ((k == 1 && a.Pass1) || (k >= 2 && a.Pass2))
	}
	return pass && known, known
}

// Fits checks that every test input, under every variant's transform,
// fits the model's canvas.
func Fits(t *arc.Task, side int) error {
	for k, p := range t.Test {
		if p.Input.H > side || p.Input.W > side {
			return fmt.Errorf("%s: test input %d is %d×%d, larger than this model's %d×%d canvas", t.Name, k, p.Input.H, p.Input.W, side, side)
		}
	}
	return nil
}

// Solve answers every test input of t with every variant, in batches of
// the session's size.
func Solve(sess *runtime.Session, t *arc.Task, vs []Variant, side int, opt runtime.Options) (*Result, error) {
	if err := Fits(t, side); err != nil {
		return nil, err
	}
	type row struct{ test, variant int }
	var rows []row
	for k := range t.Test {
		for j := range vs {
			rows = append(rows, row{k, j})
		}
	}
	preds := make([][]arc.Prediction, len(t.Test))
	pred := make([]int32, side*side)
	steps := 0
	for lo := 0; lo < len(rows); lo += sess.MaxBatch() {
		hi := min(lo+sess.MaxBatch(), len(rows))
		var flat, pids []int32
		for _, r := range rows[lo:hi] {
			v := vs[r.variant]
			enc, err := arc.EncodeOn(v.Apply(t.Test[r.test].Input), 0, 0, side)
			if err != nil {
				return nil, fmt.Errorf("%s: test input %d, variant %s: %w", t.Name, r.test, v.Name, err)
			}
			for _, x := range enc {
				flat = append(flat, int32(x))
			}
			pids = append(pids, v.ID)
		}
		if err := sess.Begin(flat, pids); err != nil {
			return nil, err
		}
		if err := sess.Run(opt); err != nil {
			return nil, err
		}
		for i, r := range rows[lo:hi] {
			sess.Predict(i, pred)
			qh, _ := sess.Q(i)
			steps += sess.Steps(i)
			g, err := arc.DecodeOn(pred, side)
			if err != nil {
				return nil, err
			}
			v := vs[r.variant]
			if !g.Empty() {
				g = v.Undo(g)
			}
			preds[r.test] = append(preds[r.test], arc.Prediction{Grid: g, QHalt: qh})
		}
	}
	res := &Result{Task: t.Name, Variants: len(vs), Segments: float64(steps) / float64(max(len(rows), 1))}
	for k, p := range t.Test {
		a := Answer{Candidates: arc.Vote(preds[k]), Known: !p.Output.Empty()}
		if a.Known {
			a.Pass1 = a.Attempt(0).Equal(p.Output)
			a.Pass2 = a.Pass1 || a.Attempt(1).Equal(p.Output)
		}
		res.Tests = append(res.Tests, a)
	}
	return res, nil
}

// Rows is the number of model rows Solve runs for t.
func Rows(t *arc.Task, vs []Variant) int { return len(t.Test) * len(vs) }
