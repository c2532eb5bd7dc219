package trainer

import (
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/hrmgo/hrm/runtime"
	"github.com/hrmgo/hrm/trainer/data"
)

// BenchmarkStepSudoku9 times one optimizer step of the 9×9 recipe that
// hrm-train uses (hidden 128, 4 heads, 2+2 layers, 2×2 cycles, batch 32).
func BenchmarkStepSudoku9(b *testing.B) {
	mc := runtime.DefaultConfig()
	mc.SeqLen, mc.VocabSize, mc.HiddenSize, mc.NumHeads = 81, 11, 128, 4
	mc.HLayers, mc.LLayers, mc.HCycles, mc.LCycles = 2, 2, 2, 2
	mc.Expansion, mc.NumPuzzleIdentifiers, mc.HaltMaxSteps, mc.HaltExplorationProb = 4, 1, 4, 0.1
	src, err := data.NewSudokuStream(3, 30, 1, nil)
	require.NoError(b, err)
	cfg := Config{Model: mc, Vocab: runtime.SudokuVocab, Batch: 32, Steps: 1000, LR: 1e-3, PuzzleLR: 1e-2,
		WeightDecay: 0.1, PuzzleWD: 0.1, Beta1: 0.9, Beta2: 0.95, Warmup: 20, LRMinRatio: 1,
		Loss: "stablemax_cross_entropy", Seed: 1}
	tr, err := New(cfg, src)
	require.NoError(b, err)
	for i := 0; i < 3; i++ {
		_, err := tr.Step()
		require.NoError(b, err)
	}
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		if _, err := tr.Step(); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkStepTRMMLP9 times one optimizer step of a small 9×9 TRM-MLP
// (hidden 64, 2 blocks, 2 rounds of 3+1 updates, 16-row prefix, batch 32),
// one thread.
func BenchmarkStepTRMMLP9(b *testing.B) {
	mc := runtime.DefaultConfig()
	mc.Arch, mc.SeqLen, mc.VocabSize, mc.HiddenSize, mc.NumHeads = runtime.ArchTRM, 81, 11, 64, 2
	mc.HLayers, mc.LLayers, mc.HCycles, mc.LCycles, mc.MLPT, mc.PosEncodings = 0, 2, 2, 3, true, "none"
	mc.PuzzleEmbNdim, mc.PuzzleEmbLen = 64, 16
	mc.Expansion, mc.NumPuzzleIdentifiers, mc.HaltMaxSteps, mc.HaltExplorationProb = 4, 1, 8, 0.1
	src, err := data.NewSudokuStream(3, 30, 1, nil)
	require.NoError(b, err)
	cfg := Config{Model: mc, Vocab: runtime.SudokuVocab, Batch: 32, Steps: 1000, LR: 1e-3, PuzzleLR: 1e-2,
		WeightDecay: 0.1, PuzzleWD: 0.1, Beta1: 0.9, Beta2: 0.95, Warmup: 20, LRMinRatio: 1,
		Loss: "stablemax_cross_entropy", EMA: 0.999, Seed: 1, Threads: 1}
	tr, err := New(cfg, src)
	require.NoError(b, err)
	for i := 0; i < 3; i++ {
		_, err := tr.Step()
		require.NoError(b, err)
	}
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		if _, err := tr.Step(); err != nil {
			b.Fatal(err)
		}
	}
	b.ReportMetric(float64(cfg.Batch)*float64(b.N)/b.Elapsed().Seconds(), "rows/s")
	b.ReportMetric(2*StepMACs(mc)*float64(cfg.Batch)*float64(b.N)/b.Elapsed().Seconds()/1e9, "GFLOP/s")
}
