package runtime

import (
	"math"
	"math/rand/v2"
	"path/filepath"
	"testing"

	"github.com/hrmgo/hrm/asm"
	"github.com/hrmgo/hrm/quant"
	"github.com/stretchr/testify/require"
)

// TestDownRotation checks the int8 scheme's Walsh–Hadamard rotation of the
// down projections' input: with a few outlier channels in the SwiGLU
// output (the case it exists for) it brings int8 closer to f32 than the
// plain scheme at every step; Dequantize undoes the folded rotation; and
// both schemes survive a save and load with their metadata.
func TestDownRotation(t *testing.T) {
	c := DefaultConfig()
	c.SeqLen, c.VocabSize, c.HiddenSize, c.NumHeads = 16, 6, 64, 2
	c.HLayers, c.LLayers, c.HCycles, c.LCycles, c.Expansion = 1, 1, 2, 2, 4
	c.NumPuzzleIdentifiers, c.HaltMaxSteps = 1, 4
	m, err := NewRandom(c, 3)
	require.NoError(t, err)
	F := c.Inter()
	require.Equal(t, 64, downHadamardOrder(F))
	// Outliers: four channels whose up rows are 10× larger.
	for _, st := range [][]Block{m.H, m.L} {
		for i := range st {
			w := st[i].GateUp.W
			for _, ch := range []int{3, 77, 130, 201} {
				for p := 0; p < c.HiddenSize; p++ {
					w[(F+ch)*c.HiddenSize+p] *= 10
				}
			}
		}
	}
	r := rand.New(rand.NewPCG(1, 2))
	n := 8
	tokens, pids := make([]int32, n*c.SeqLen), make([]int32, n)
	for i := range tokens {
		tokens[i] = int32(1 + r.IntN(c.VocabSize-1))
	}

	rot, err := m.Quantize()
	require.NoError(t, err)
	plain, err := m.quantize(0)
	require.NoError(t, err)
	cr, err := Compare(m, rot, tokens, pids, 0)
	require.NoError(t, err)
	cp, err := Compare(m, plain, tokens, pids, 0)
	require.NoError(t, err)
	for i := range cr {
		t.Logf("step %d: cosine rotated %.6f plain %.6f; agree %.3f / %.3f", cr[i].Step, cr[i].LogitsCosine, cp[i].LogitsCosine, cr[i].ArgmaxAgree, cp[i].ArgmaxAgree)
		// The other layers' int8 error is the same in both, so the gain
		// here is modest; TestDownRotationLayer measures the layer alone.
		require.Less(t, 1-cr[i].LogitsCosine, 1-cp[i].LogitsCosine, "step %d", cr[i].Step)
	}

	// Weights-only: the dequantized down weights are back in the
	// unrotated basis, within the int8 rounding of the rotated rows.
	d := rot.Dequantize()
	for si, st := range [][]Block{m.H, m.L} {
		got := [][]Block{d.H, d.L}[si]
		for i := range st {
			w, g := st[i].Down.W, got[i].Down.W
			var num, den float64
			for j := range w {
				e := float64(g[j] - w[j])
				num += e * e
				den += float64(w[j]) * float64(w[j])
			}
			require.Less(t, num/den, 1e-4, "block %d: relative squared error of the dequantized down weights", i)
		}
	}

	for _, tc := range []struct {
		q      *Model
		config string
		rot    int
	}{{rot, quantConfig, 64}, {plain, quantConfigPlain, 0}} {
		path := filepath.Join(t.TempDir(), "m.safetensors")
		require.NoError(t, tc.q.Save(path))
		l, err := Load(path)
		require.NoError(t, err)
		require.Equal(t, tc.config, l.Metadata()[MetaQuantConfig])
		require.Equal(t, tc.rot, l.downRot)
		same, err := Compare(tc.q, l, tokens, pids, 2)
		require.NoError(t, err)
		for _, s := range same {
			require.Zero(t, s.LogitsMaxAbs, "a loaded model runs exactly like the one saved")
		}
		require.NoError(t, l.Close())
	}
}

// TestDownRotationLayer measures one down projection alone on
// heavy-tailed inputs (SwiGLU-like: a few channels far larger than the
// rest): rotating the input and folding the rotation into the weights
// must cut the int8 error at least threefold.
func TestDownRotationLayer(t *testing.T) {
	const rows, F, D = 32, 512, 128
	r := rand.New(rand.NewPCG(5, 6))
	w := make([]float32, D*F)
	for i := range w {
		w[i] = float32(r.NormFloat64() / math.Sqrt(F))
	}
	x := make([]float32, rows*F)
	for i := range x {
		x[i] = float32(r.NormFloat64() * 0.3)
		if i%F == 17 || i%F == 300 {
			x[i] *= 60
		}
	}
	want := make([]float32, rows*D)
	asm.GemmF32NT(want, x, w, rows, D, F, false)

	run := func(rot int) float64 {
		xr, wr := append([]float32(nil), x...), append([]float32(nil), w...)
		if rot > 0 {
			for i := 0; i < rows; i++ {
				asm.Hadamard(xr[i*F:(i+1)*F], rot)
			}
			for j := 0; j < D; j++ {
				asm.Hadamard(wr[j*F:(j+1)*F], rot)
				for p := j * F; p < (j+1)*F; p++ {
					wr[p] /= float32(rot)
				}
			}
		}
		qm, err := quant.Quantize(wr, D, F)
		require.NoError(t, err)
		acts := quant.Activations{Q: make([]int8, rows*F), Scale: make([]float32, rows)}
		acts.QuantizeRows(xr, rows, F)
		got := make([]float32, rows*D)
		qm.ApplyTiles(got, &acts, rows, 0, qm.Q.Tiles())
		var num, den float64
		for i := range got {
			e := float64(got[i] - want[i])
			num += e * e
			den += float64(want[i]) * float64(want[i])
		}
		return math.Sqrt(num / den)
	}
	plain, rotated := run(0), run(downHadamardOrder(F))
	t.Logf("relative error: plain %.5f, rotated %.5f", plain, rotated)
	require.Less(t, 3*rotated, plain)
}

// BenchmarkDownRotation prices the rotation: one full-size int8 segment
// (batch 1, 1 thread) with the plain scheme and with the rotation, side by
// side.
func BenchmarkDownRotation(b *testing.B) {
	m, err := NewRandom(FullSizeConfig(81), 42)
	require.NoError(b, err)
	for _, tc := range []struct {
		name string
		rot  int
	}{{"plain", 0}, {"rotated", downHadamardOrder(m.Cfg.Inter())}} {
		b.Run(tc.name, func(b *testing.B) {
			q, err := m.quantize(tc.rot)
			require.NoError(b, err)
			s, err := q.NewSession(1, 1)
			require.NoError(b, err)
			defer s.Close()
			tokens := make([]int32, 81)
			for i := range tokens {
				tokens[i] = int32(1 + i%10)
			}
			require.NoError(b, s.Begin(tokens, []int32{0}))
			s.Segment()
			b.ResetTimer()
			for i := 0; i < b.N; i++ {
				s.Segment()
			}
		})
	}
}
