package runtime

import (
	"fmt"
	"math"
)

// StepAgreement compares two models on one ACT step.
type StepAgreement struct {
	Step         int     `json:"step"`
	LogitsCosine float64 `json:"logits_cosine"` // cosine similarity of all logits of the step
	LogitsMaxAbs float64 `json:"logits_max_abs"`
	QMaxAbs      float64 `json:"q_max_abs"`
	ArgmaxAgree  float64 `json:"argmax_agree"` // fraction of positions with the same prediction
}

// Compare runs ref and test on the same batch, teacher-forced as in the
// golden protocol: before every step, test's carry is set to ref's, so each
// row of the result measures one segment's error, not the chaos of a
// recurrence. It reports steps 1..steps (0: ref's halt_max_steps).
func Compare(ref, test *Model, tokens, puzzleIDs []int32, steps int) ([]StepAgreement, error) {
	if ref.Cfg != test.Cfg {
		return nil, fmt.Errorf("compare: the models have different configs")
	}
	if steps <= 0 {
		steps = ref.Cfg.HaltMaxSteps
	}
	n := len(puzzleIDs)
	a, err := ref.NewSession(n, 0)
	if err != nil {
		return nil, err
	}
	defer a.Close()
	b, err := test.NewSession(n, 0)
	if err != nil {
		return nil, err
	}
	defer b.Close()
	if err := a.Begin(tokens, puzzleIDs); err != nil {
		return nil, err
	}
	if err := b.Begin(tokens, puzzleIDs); err != nil {
		return nil, err
	}
	S := ref.Cfg.SeqLen
	pa, pb := make([]int32, S), make([]int32, S)
	var out []StepAgreement
	for s := 1; s <= steps; s++ {
		for r := 0; r < n; r++ {
			zH, zL := a.Carry(r)
			if err := b.SetCarry(r, zH, zL); err != nil {
				return nil, err
			}
		}
		a.Segment()
		b.Segment()
		st := StepAgreement{Step: s}
		var dot, na, nb float64
		agree := 0
		for r := 0; r < n; r++ {
			la, lb := a.Logits(r), b.Logits(r)
			for i := range la {
				x, y := float64(la[i]), float64(lb[i])
				dot, na, nb = dot+x*y, na+x*x, nb+y*y
				st.LogitsMaxAbs = math.Max(st.LogitsMaxAbs, math.Abs(x-y))
			}
			qa, ca := a.Q(r)
			qb, cb := b.Q(r)
			st.QMaxAbs = math.Max(st.QMaxAbs, math.Max(math.Abs(float64(qa-qb)), math.Abs(float64(ca-cb))))
			a.Predict(r, pa)
			b.Predict(r, pb)
			for i := range pa {
				if pa[i] == pb[i] {
					agree++
				}
			}
		}
		st.LogitsCosine = dot / math.Sqrt(na*nb)
		if na == 0 && nb == 0 {
			st.LogitsCosine = 1
		}
		st.ArgmaxAgree = float64(agree) / float64(n*S)
		out = append(out, st)
	}
	return out, nil
}
