package runtime_test

import (
	"testing"

	"github.com/hrmgo/hrm/models"
	"github.com/hrmgo/hrm/runtime"
	"github.com/stretchr/testify/require"
)

// fullSizeModel is a random full-size Sudoku model of hrm-bench -random:
// HRM (82 tokens with the puzzle prefix) or TRM (97).
func fullSizeModel(b *testing.B, c runtime.Config, int8 bool) *runtime.Model {
	m, err := runtime.NewRandom(c, 42)
	require.NoError(b, err)
	if int8 {
		m, err = m.Quantize()
		require.NoError(b, err)
	}
	return m
}

func benchSegment(b *testing.B, int8 bool, threads, batch int) {
	benchSegmentOf(b, runtime.FullSizeConfig(81), int8, threads, batch)
}

func benchSegmentOf(b *testing.B, c runtime.Config, int8 bool, threads, batch int) {
	m := fullSizeModel(b, c, int8)
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

// The full-size TRMs of the TRM paper's Sudoku runs (3 rounds of 6+1
// updates through 2 blocks): attention, and the token-mixing MLP.
func BenchmarkSegmentTRMAttInt8T1(b *testing.B) {
	benchSegmentOf(b, runtime.FullSizeTRMConfig(81, false), true, 1, 1)
}
func BenchmarkSegmentTRMMLPInt8T1(b *testing.B) {
	benchSegmentOf(b, runtime.FullSizeTRMConfig(81, true), true, 1, 1)
}
func BenchmarkSegmentTRMMLPF32T1(b *testing.B) {
	benchSegmentOf(b, runtime.FullSizeTRMConfig(81, true), false, 1, 1)
}

// A whole run of the built-in 9×9 model (8 segments, one thread) without
// an observer, observed at segment ends, and observed at every inner
// update (which also runs the heads there): the cost of watching, and
// allocations per run, which must be 0 in all three.
func benchObserver(b *testing.B, obs *runtime.Observer) {
	m, err := runtime.LoadBytes(models.Sudoku9.Name, models.Sudoku9.File)
	require.NoError(b, err)
	s, err := m.NewSession(1, 1)
	require.NoError(b, err)
	defer s.Close()
	tokens := make([]int32, 81)
	for i, c := range models.Sudoku9.Sample {
		tokens[i] = 1
		if c != '.' {
			tokens[i] = int32(c-'0') + 1
		}
	}
	pred, conf := make([]int32, 81), make([]float32, 81)
	if obs != nil {
		obs.OnState = func(st *runtime.State) {
			st.Predict(0, pred)
			st.Confidence(0, conf)
			st.Q(0)
			st.Carry(0)
		}
	}
	b.ReportAllocs()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		require.NoError(b, s.Begin(tokens, []int32{0}))
		require.NoError(b, s.Run(runtime.Options{Observer: obs}))
	}
}

func BenchmarkObserverNone(b *testing.B)     { benchObserver(b, nil) }
func BenchmarkObserverSegments(b *testing.B) { benchObserver(b, &runtime.Observer{}) }
func BenchmarkObserverUpdates(b *testing.B)  { benchObserver(b, &runtime.Observer{Updates: true}) }
