package runtime

import (
	"math"
	"math/rand/v2"
	"slices"
)

// FullSizeConfig is the full-size HRM of the paper's Sudoku runs (D 512,
// 8 heads, 4+4 layers, 2×2 cycles, a 512-wide puzzle-embedding prefix) for
// seq tokens: the model behind hrm-bench -random and the segment benchmarks.
func FullSizeConfig(seq int) Config {
	c := DefaultConfig()
	c.SeqLen, c.VocabSize, c.HiddenSize, c.NumHeads = seq, 11, 512, 8
	c.HLayers, c.LLayers, c.HCycles, c.LCycles, c.Expansion = 4, 4, 2, 2, 4
	c.PuzzleEmbNdim, c.NumPuzzleIdentifiers, c.HaltMaxSteps = 512, 1, 16
	return c
}

// FullSizeTRMConfig is the TRM of the paper's Sudoku runs (the official
// README's command line: D 512, 8 heads, L_layers 2, H_cycles 3, L_cycles 6,
// a 16-row puzzle prefix); mlpT selects TRM-MLP (token-mixing MLP, no
// positions) over TRM-Att (attention with RoPE).
func FullSizeTRMConfig(seq int, mlpT bool) Config {
	c := FullSizeConfig(seq)
	c.Arch, c.HLayers, c.LLayers, c.HCycles, c.LCycles, c.PuzzleEmbLen = ArchTRM, 0, 2, 3, 6, 16
	if mlpT {
		c.MLPT, c.PosEncodings = true, "none"
	}
	return c
}

// NewRandom builds a model of config c with Gaussian weights of standard
// deviation 1/√fan-in from seed, so that timing and memory can be measured
// with no weight file. Its vocabulary is Sudoku's for 81 tokens and an
// anonymous one otherwise.
func NewRandom(c Config, seed uint64) (*Model, error) {
	rng := rand.New(rand.NewPCG(seed, 7))
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
	vocab := SudokuVocab
	if c.SeqLen != 81 || c.VocabSize != 11 {
		vocab = Vocab{Task: "synthetic", Tokens: slices.Repeat([]string{"?"}, c.VocabSize)}
	}
	return New(c, vocab, tensors)
}
