package runtime_test

import (
	"encoding/json"
	"math"
	"os"
	"path/filepath"
	"testing"

	"github.com/hrmgo/hrm/convert"
	"github.com/hrmgo/hrm/loader"
	"github.com/hrmgo/hrm/runtime"
	"github.com/stretchr/testify/require"
)

// maxNoiseRatio bounds int8's teacher-forced logit error per segment as a
// multiple of the model's own sensitivity: the error of the same float32
// model with int8-sized random weight noise (Model.WithWeightNoise, mean of
// noiseSeeds draws). Absolute bars (cosine ≥ 0.995) cannot be sound:
// random-weight recurrences are chaotic to very different degrees — the
// trm_mlp_sudoku case's float32 noise floor is 10× the others', and a
// full-size random HRM moves 20% under int8-sized noise in one segment —
// while this ratio is a property of the quantizer. Measured: 1.06–1.77 over
// every case and step here, 0.87–1.16 on full-size random HRM and TRM-MLP
// models (one noise draw); a quantizer that loses a factor shows above the
// bar.
const (
	maxNoiseRatio = 2.5
	noiseSeeds    = 5
)

func TestInt8Goldens(t *testing.T) {
	root := goldensDir()
	for _, name := range forwardCases(t, root) {
		dir := filepath.Join(root, name)
		t.Run(name, func(t *testing.T) {
			var gc goldenCase
			raw, err := os.ReadFile(filepath.Join(dir, "case.json"))
			require.NoError(t, err)
			require.NoError(t, json.Unmarshal(raw, &gc))
			in, err := loader.Open(filepath.Join(dir, gc.Inputs.File))
			require.NoError(t, err)
			defer in.Close()
			tokens, pids := tensorI32(t, in, "inputs"), tensorI32(t, in, "puzzle_identifiers")
			var wf string
			for name := range gc.Variants[0].Weights {
				wf = name
				break
			}
			f32, err := convert.Import(filepath.Join(dir, gc.Variants[0].Weights[wf].Path), convert.Options{Config: gc.Config})
			require.NoError(t, err)
			q, err := f32.Quantize()
			require.NoError(t, err)
			// Through the file: the int8 model that runs is the mapped one.
			path := filepath.Join(t.TempDir(), "int8.safetensors")
			require.NoError(t, q.Save(path))
			q8, err := runtime.Load(path)
			require.NoError(t, err)
			defer q8.Close()

			full, err := runtime.Compare(f32, q8, tokens, pids, 0)
			require.NoError(t, err)
			wonly, err := runtime.Compare(f32, q8.Dequantize(), tokens, pids, 0)
			require.NoError(t, err)
			noise := make([]float64, len(full))
			for seed := range uint64(noiseSeeds) {
				nm, err := f32.WithWeightNoise(seed, 1)
				require.NoError(t, err)
				r, err := runtime.Compare(f32, nm, tokens, pids, 0)
				require.NoError(t, err)
				for i := range r {
					noise[i] += r[i].RelErr / noiseSeeds
				}
			}
			for i, s := range full {
				ratio := s.RelErr / noise[i]
				t.Logf("step %d: W8A8 rel.err %.4f (%.2f× the noise reference %.4f) cosine %.5f agree %.3f q %.4f | weights-only rel.err %.4f",
					s.Step, s.RelErr, ratio, noise[i], s.LogitsCosine, s.ArgmaxAgree, s.QMaxAbs, wonly[i].RelErr)
				require.LessOrEqual(t, ratio, maxNoiseRatio, "step %d: int8 error %.4f vs noise reference %.4f", s.Step, s.RelErr, noise[i])
				// Weights-only int8 is at least as close as W8A8:
				// activations add error, they do not cancel it.
				require.LessOrEqual(t, wonly[i].RelErr, s.RelErr*1.05, "step %d", s.Step)
			}
		})
	}
}

// The noise reference is reproducible (the same seed gives the same
// weights, whatever order the layers are kept in), differs between seeds,
// is the model itself at scale 0, and refuses a scale that is no size.
func TestWeightNoiseReproducible(t *testing.T) {
	c := runtime.DefaultConfig()
	c.SeqLen, c.VocabSize, c.HiddenSize, c.NumHeads = 16, 11, 32, 2
	c.HLayers, c.LLayers, c.HCycles, c.LCycles, c.Expansion = 2, 2, 1, 1, 2
	c.PuzzleEmbNdim, c.NumPuzzleIdentifiers, c.HaltMaxSteps = 32, 1, 2
	m, err := runtime.NewRandom(c, 4)
	require.NoError(t, err)
	weights := func(m *runtime.Model) map[string]string {
		out := map[string]string{}
		for _, tn := range m.Tensors() {
			out[tn.Name] = string(tn.Data)
		}
		return out
	}
	orig := weights(m)
	first := map[string]string{}
	for i := range 20 { // a map's order would show within a few calls
		nm, err := m.WithWeightNoise(3, 1)
		require.NoError(t, err)
		w := weights(nm)
		if i == 0 {
			first = w
			require.NotEqual(t, orig, w)
			continue
		}
		require.Equal(t, first, w, "call %d", i)
	}
	other, err := m.WithWeightNoise(4, 1)
	require.NoError(t, err)
	require.NotEqual(t, first, weights(other))
	zero, err := m.WithWeightNoise(3, 0)
	require.NoError(t, err)
	require.Equal(t, orig, weights(zero))
	require.Equal(t, orig, weights(m), "the model itself is untouched")
	for _, bad := range []float64{-1, math.NaN(), math.Inf(1)} {
		_, err := m.WithWeightNoise(3, bad)
		require.ErrorContains(t, err, "weight noise scale")
	}
}
