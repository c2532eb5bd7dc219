package runtime

import (
	"fmt"
	"maps"
	"math"
	"math/rand/v2"
	"slices"
)

// StepAgreement compares two models on one ACT step.
type StepAgreement struct {
	Step         int     `json:"step"`
	LogitsCosine float64 `json:"logits_cosine"` // cosine similarity of all logits of the step
	LogitsMaxAbs float64 `json:"logits_max_abs"`
	QMaxAbs      float64 `json:"q_max_abs"`
	ArgmaxAgree  float64 `json:"argmax_agree"` // fraction of positions with the same prediction
	// RelErr is ‖Δlogits‖ / ‖ref logits‖ over the step's whole batch.
	RelErr float64 `json:"rel_err"`
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
		st.RelErr = math.Sqrt(max(0, na-2*dot+nb) / na)
		if na == 0 && nb == 0 {
			st.LogitsCosine = 1
		}
		st.ArgmaxAgree = float64(agree) / float64(n*S)
		out = append(out, st)
	}
	return out, nil
}

// WithWeightNoise returns a float32 copy of m whose linear weights carry
// independent uniform noise of ±half an int8 step of their row
// (max|w|/127/2) times scale: at scale 1 the error of int8 weight rounding, without its
// determinism and without activation quantization. How far that moves the
// outputs measures the model's own sensitivity (random-weight recurrences
// amplify any error many times within one segment), which is the yardstick
// int8 is judged against: an int8 model whose error is a small multiple of
// this reference loses nothing a model of that sensitivity could keep.
func (m *Model) WithWeightNoise(seed uint64, scale float64) (*Model, error) {
	if !(scale >= 0) || math.IsInf(scale, 0) {
		return nil, fmt.Errorf("weight noise scale %v: want a finite number ≥ 0", scale)
	}
	if m.quantized() {
		return nil, fmt.Errorf("model is int8; the noise reference perturbs float32 weights")
	}
	rng := rand.New(rand.NewPCG(seed, 0x9e3779b9))
	d := *m
	d.closer = nil
	d.H, d.L = slices.Clone(m.H), slices.Clone(m.L)
	// In name order: a map's order would hand the generator's stream to
	// the layers differently on every call, and the reference would not
	// be reproducible.
	lins := d.linears()
	for _, name := range slices.Sorted(maps.Keys(lins)) {
		l := lins[name]
		w := slices.Clone(l.W)
		for r := 0; r < l.Out; r++ {
			row := w[r*l.In : (r+1)*l.In]
			var amax float32
			for _, x := range row {
				amax = max(amax, float32(math.Abs(float64(x))))
			}
			step := amax / 127 * float32(scale)
			for i := range row {
				row[i] += step * float32(rng.Float64()-0.5)
			}
		}
		l.W = w
	}
	return &d, nil
}
