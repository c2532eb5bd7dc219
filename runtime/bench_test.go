package runtime_test

import (
	"testing"

	"github.com/hrmgo/hrm/runtime"
	"github.com/stretchr/testify/require"
)

// fullSizeModel is the random full-size Sudoku HRM of hrm-bench -random
// (82 tokens with the puzzle prefix).
func fullSizeModel(b *testing.B, int8 bool) *runtime.Model {
	m, err := runtime.NewRandom(runtime.FullSizeConfig(81), 42)
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
