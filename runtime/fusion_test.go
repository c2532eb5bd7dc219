package runtime

import (
	"math"
	"testing"

	"github.com/stretchr/testify/require"
)

// Quantizing a layer's input in the step that writes it (rowwiseQ) instead
// of in the layer (linearQ) is a change of where, not of what: logits, q
// and carry keep their bits, for HRM, TRM-Att and TRM-MLP, at batch 1 and
// 3 and at 1 and 2 threads.
func TestQuantizeFusionSameBits(t *testing.T) {
	small := func(c Config) Config {
		c.HiddenSize, c.NumHeads, c.Expansion = 64, 2, 4
		return c
	}
	for name, c := range map[string]Config{
		"hrm":     small(FullSizeConfig(16)),
		"trm-att": small(FullSizeTRMConfig(16, false)),
		"trm-mlp": small(FullSizeTRMConfig(16, true)),
	} {
		c.PuzzleEmbNdim = c.HiddenSize
		f, err := NewRandom(c, 3)
		require.NoError(t, err, name)
		m, err := f.Quantize()
		require.NoError(t, err, name)
		for _, batch := range []int{1, 3} {
			for _, threads := range []int{1, 2} {
				run := func(off bool) (logits, q, carry []float32) {
					unfused = off
					defer func() { unfused = false }()
					s, err := m.NewSession(batch, threads)
					require.NoError(t, err)
					defer s.Close()
					tokens := make([]int32, batch*c.SeqLen)
					for i := range tokens {
						tokens[i] = int32(1 + (i*7)%(c.VocabSize-1))
					}
					require.NoError(t, s.Begin(tokens, make([]int32, batch)))
					for range 3 {
						s.Segment()
					}
					for r := 0; r < batch; r++ {
						logits = append(logits, s.Logits(r)...)
						h, c := s.Q(r)
						q = append(q, h, c)
						zH, zL := s.Carry(r)
						carry = append(append(carry, zH...), zL...)
					}
					return
				}
				l0, q0, c0 := run(true)
				l1, q1, c1 := run(false)
				for _, p := range [][2][]float32{{l0, l1}, {q0, q1}, {c0, c1}} {
					require.Equal(t, len(p[0]), len(p[1]))
					for i := range p[0] {
						if math.Float32bits(p[0][i]) != math.Float32bits(p[1][i]) {
							t.Fatalf("%s batch %d threads %d: value %d is %v fused, %v unfused", name, batch, threads, i, p[1][i], p[0][i])
						}
					}
				}
			}
		}
	}
}
