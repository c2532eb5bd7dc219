package trainer

import (
	"errors"
	"sync"

	"github.com/hrmgo/hrm/runtime"
	"github.com/hrmgo/hrm/trainer/data"
)

// EvalResult is the official evaluation metric set (spec §3) over a
// held-out set, run as the official evaluation does: every example for
// exactly halt_max_steps segments (or Steps, if set).
type EvalResult struct {
	Count         int     `json:"count"`
	Accuracy      float64 `json:"accuracy"`       // mean per-example token accuracy
	ExactAccuracy float64 `json:"exact_accuracy"` // fraction of examples entirely correct
}

// Evaluate runs m on the examples with `threads` sessions in parallel.
func Evaluate(m *runtime.Model, exs []data.Example, steps, threads, batch int) (EvalResult, error) {
	S := m.Cfg.SeqLen
	threads = max(1, min(threads, len(exs)))
	batch = max(1, batch)
	type part struct {
		exact int
		acc   float64
		err   error
	}
	parts := make([]part, threads)
	var wg sync.WaitGroup
	for k := 0; k < threads; k++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			p := &parts[k]
			sess, err := m.NewSession(batch, 1)
			if err != nil {
				p.err = err
				return
			}
			defer sess.Close()
			pred := make([]int32, S)
			lo, hi := k*len(exs)/threads, (k+1)*len(exs)/threads
			for b := lo; b < hi; b += batch {
				e := min(b+batch, hi)
				var toks, pids []int32
				for _, ex := range exs[b:e] {
					for _, v := range ex.Inputs {
						toks = append(toks, int32(v))
					}
					pids = append(pids, ex.PuzzleID)
				}
				if p.err = sess.Begin(toks, pids); p.err != nil {
					return
				}
				if p.err = sess.Run(runtime.Options{Steps: steps, Halt: runtime.HaltMax}); p.err != nil {
					return
				}
				for i, ex := range exs[b:e] {
					sess.Predict(i, pred)
					count, correct := 0, 0
					for j, l := range ex.Labels {
						if l == data.IgnoreLabel {
							continue
						}
						count++
						if pred[j] == l {
							correct++
						}
					}
					if correct == count {
						p.exact++
					}
					p.acc += float64(correct) / float64(max(count, 1))
				}
			}
		}()
	}
	wg.Wait()
	var r EvalResult
	var errs []error
	for _, p := range parts {
		r.ExactAccuracy += float64(p.exact)
		r.Accuracy += p.acc
		errs = append(errs, p.err)
	}
	if err := errors.Join(errs...); err != nil {
		return r, err
	}
	r.Count = len(exs)
	if r.Count > 0 {
		r.ExactAccuracy /= float64(r.Count)
		r.Accuracy /= float64(r.Count)
	}
	return r, nil
}
