package runtime_test

import (
	"encoding/json"
	"os"
	"path/filepath"
	"testing"

	"github.com/hrmgo/hrm/convert"
	"github.com/hrmgo/hrm/loader"
	"github.com/hrmgo/hrm/runtime"
	"github.com/stretchr/testify/require"
)

// int8 thresholds on the random-weight golden models, per teacher-forced
// segment. Measured over all cases and steps: cosine ≥ 0.9991 and argmax
// agreement ≥ 0.94 (b_small_puzzle step 1, d_edge step 1); random weights
// give many near-ties, which is what costs agreement. The bars leave a margin
// for kernel tiers that round the float epilogue differently.
const (
	minCosineInt8 = 0.995
	minAgreeInt8  = 0.90
)

func TestInt8Goldens(t *testing.T) {
	root := goldensDir()
	entries, err := os.ReadDir(root)
	require.NoError(t, err)
	for _, e := range entries {
		dir := filepath.Join(root, e.Name())
		if !fileExists(filepath.Join(dir, "case.json")) {
			continue
		}
		t.Run(e.Name(), func(t *testing.T) {
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
			for i, s := range full {
				t.Logf("step %d: W8A8 cosine %.5f max|Δ| %.4f q %.4f agree %.3f | weights-only cosine %.5f agree %.3f",
					s.Step, s.LogitsCosine, s.LogitsMaxAbs, s.QMaxAbs, s.ArgmaxAgree, wonly[i].LogitsCosine, wonly[i].ArgmaxAgree)
				require.GreaterOrEqual(t, s.LogitsCosine, minCosineInt8, "step %d", s.Step)
				require.GreaterOrEqual(t, s.ArgmaxAgree, minAgreeInt8, "step %d", s.Step)
				// Weights-only int8 is at least as close as W8A8 on average:
				// activations add error, they do not cancel it.
				require.GreaterOrEqual(t, wonly[i].LogitsCosine, s.LogitsCosine-1e-3)
			}
		})
	}
}
