package runtime_test

import (
	"math"
	"math/rand/v2"
	"testing"

	"github.com/hrmgo/hrm/runtime"
	"github.com/stretchr/testify/require"
)

// fullSizeModel is the random full-size Sudoku HRM of hrm-bench -random
// (D 512, 8 heads, 4+4 layers, puzzle prefix: 82 tokens).
func fullSizeModel(b *testing.B, int8 bool) *runtime.Model {
	c := runtime.DefaultConfig()
	c.SeqLen, c.VocabSize, c.HiddenSize, c.NumHeads = 81, 11, 512, 8
	c.HLayers, c.LLayers, c.HCycles, c.LCycles, c.Expansion = 4, 4, 2, 2, 4
	c.PuzzleEmbNdim, c.NumPuzzleIdentifiers, c.HaltMaxSteps = 512, 1, 16
	rng := rand.New(rand.NewPCG(42, 7))
	tensors := map[string][]float32{}
	for _, sp := range c.TensorSpecs() {
		n := 1
		for _, d := range sp.Shape {
			n *= d
		}
		v := make([]float32, n)
		std := 1 / math.Sqrt(float64(sp.Shape[len(sp.Shape)-1]))
		for i := range v {
			v[i] = float32(rng.NormFloat64() * std)
		}
		tensors[sp.Name] = v
	}
	m, err := runtime.New(c, runtime.SudokuVocab, tensors)
	require.NoError(b, err)
	if int8 {
		m, err = m.Quantize()
		require.NoError(b, err)
	}
	return m
}

func benchSegment(b *testing.B, int8 bool, threads, batch int) {
	m := fullSizeModel(b, int8)
	s, err := m.NewSession(batch, threads)
	require.NoError(b, err)
	defer s.Close()
	tokens := make([]int32, 81*batch)
	for i := range tokens {
		tokens[i] = int32(1 + i%10)
	}
	require.NoError(b, s.Begin(tokens, make([]int32, batch)))
	s.Segment()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		s.Segment()
	}
}

// One ACT segment of the full-size model at batch 1: the numbers behind
// hrm-bench model -random, for profiling.
func BenchmarkSegmentF32T1(b *testing.B)     { benchSegment(b, false, 1, 1) }
func BenchmarkSegmentInt8T1(b *testing.B)    { benchSegment(b, true, 1, 1) }
func BenchmarkSegmentInt8T2(b *testing.B)    { benchSegment(b, true, 2, 1) }
func BenchmarkSegmentInt8T1B16(b *testing.B) { benchSegment(b, true, 1, 16) }
