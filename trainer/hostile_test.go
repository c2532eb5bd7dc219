package trainer

import (
	"math"
	"os"
	"path/filepath"
	"slices"
	"testing"

	"github.com/hrmgo/hrm/loader"
	"github.com/stretchr/testify/require"
)

// A checkpoint is untrusted input: every tensor is checked against the
// config before anything runs, and a corrupt one is refused with the tensor
// named, never a panic later.
func TestResumeRejectsCorruptCheckpoint(t *testing.T) {
	cfg, src := tinyRun(t, 2, 21)
	cfg.Model.HaltMaxSteps = 4
	tr, err := New(cfg, src)
	require.NoError(t, err)
	for i := 0; i < 2; i++ {
		_, err := tr.Step()
		require.NoError(t, err)
	}
	running := -1
	for r, h := range tr.halted {
		if !h {
			running = r
			break
		}
	}
	require.GreaterOrEqual(t, running, 0, "no running row to corrupt")
	dir := t.TempDir()
	good := filepath.Join(dir, "good.safetensors")
	require.NoError(t, tr.SaveCheckpoint(good))
	S := cfg.Model.SeqLen

	for _, tc := range []struct {
		tensor string
		edit   func(f []float32, i []int32)
		want   string
	}{
		{"carry_labels", func(_ []float32, i []int32) { i[running*S+3] = 1000000 }, "carry_labels row"},
		{"carry_labels", func(_ []float32, i []int32) { i[running*S] = -7 }, "carry_labels row"},
		{"carry_steps", func(_ []float32, i []int32) { i[running] = -1 }, "carry_steps of row"},
		{"carry_steps", func(_ []float32, i []int32) { i[running] = 4 }, "carry_steps of row"},
		{"carry_halted", func(_ []float32, i []int32) { i[0] = 2 }, "carry_halted of row 0 is 2"},
		{"carry_pids", func(_ []float32, i []int32) { i[running] = 9 }, "carry_pids row"},
		{"carry_inputs", func(_ []float32, i []int32) { i[running*S] = 99 }, "carry_inputs row"},
		{"adam_v", func(f []float32, _ []int32) { f[5] = float32(math.NaN()) }, "tensor adam_v holds NaN"},
		{"adam_v", func(f []float32, _ []int32) { f[5] = -1 }, "second moments are never negative"},
		{"adam_m", func(f []float32, _ []int32) { f[0] = float32(math.Inf(1)) }, "tensor adam_m holds +Inf"},
		{"params", func(f []float32, _ []int32) { f[1] = float32(math.NaN()) }, "tensor params holds NaN"},
		{"carry_zH", func(f []float32, _ []int32) { f[2] = float32(math.Inf(-1)) }, "tensor carry_zH holds -Inf"},
	} {
		f, err := loader.Open(good)
		require.NoError(t, err)
		meta := f.Metadata()
		var out []loader.Tensor
		for _, x := range f.Tensors() {
			if x.Name == tc.tensor {
				if x.DType == "F32" {
					v, _ := x.Float32s()
					v = slices.Clone(v)
					tc.edit(v, nil)
					x = loader.F32Tensor(x.Name, x.Shape, v)
				} else {
					v, _ := x.Int32s()
					v = slices.Clone(v)
					tc.edit(nil, v)
					x = loader.I32Tensor(x.Name, x.Shape, v)
				}
			} else {
				x.Data = slices.Clone(x.Data)
			}
			out = append(out, x)
		}
		f.Close()
		bad := filepath.Join(dir, "bad.safetensors")
		require.NoError(t, loader.WriteFile(bad, meta, out))
		_, err = Resume(bad, src, 1)
		require.ErrorContains(t, err, tc.want, tc.tensor)
	}
	// An unexpected tensor is refused too.
	f, err := loader.Open(good)
	require.NoError(t, err)
	out := slices.Clone(f.Tensors())
	out = append(out, loader.F32Tensor("stowaway", []int{1}, []float32{1}))
	bad := filepath.Join(dir, "extra.safetensors")
	require.NoError(t, loader.WriteFile(bad, f.Metadata(), out))
	f.Close()
	_, err = Resume(bad, src, 1)
	require.ErrorContains(t, err, "unexpected tensor stowaway")
	_, err = Resume(good, src, 1)
	require.NoError(t, err)
}

// A step whose loss or gradient is not finite updates nothing, and the
// trainer then refuses to step or to save: the last good checkpoint stays
// as it was and resumes.
func TestFailedStepSavesNothing(t *testing.T) {
	cfg, src := tinyRun(t, 2, 23)
	tr, err := New(cfg, src)
	require.NoError(t, err)
	for i := 0; i < 2; i++ {
		_, err := tr.Step()
		require.NoError(t, err)
	}
	path := filepath.Join(t.TempDir(), "ckpt.safetensors")
	require.NoError(t, tr.SaveCheckpoint(path))
	before, err := os.ReadFile(path)
	require.NoError(t, err)

	tr.w.lmHead[3] = float32(math.NaN()) // as if an update had overflowed
	w0, m0, v0 := slices.Clone(tr.w.flat), slices.Clone(tr.m1.flat), slices.Clone(tr.m2.flat)
	_, err = tr.Step()
	require.ErrorContains(t, err, "nothing was updated")
	same := func(a, b []float32) bool {
		for i := range a {
			if math.Float32bits(a[i]) != math.Float32bits(b[i]) {
				return false
			}
		}
		return true
	}
	require.True(t, same(w0, tr.w.flat), "weights changed by a failed step")
	require.True(t, same(m0, tr.m1.flat) && same(v0, tr.m2.flat), "moments changed by a failed step")
	require.ErrorIs(t, tr.SaveCheckpoint(path), errFailed)
	_, err = tr.Step()
	require.ErrorIs(t, err, errFailed)
	after, err := os.ReadFile(path)
	require.NoError(t, err)
	require.Equal(t, before, after)
	_, err = Resume(path, src, 2)
	require.NoError(t, err)
}

// Non-finite hyperparameters fail validation (NaN compares false, so every
// bound must be written to fail on it).
func TestConfigRejectsNonFinite(t *testing.T) {
	cfg, _ := tinyRun(t, 2, 1)
	require.NoError(t, cfg.Validate())
	nan, inf := math.NaN(), math.Inf(1)
	for name, set := range map[string]func(c *Config, v float64){
		"lr": func(c *Config, v float64) { c.LR = v }, "puzzle_lr": func(c *Config, v float64) { c.PuzzleLR = v },
		"wd": func(c *Config, v float64) { c.WeightDecay = v }, "puzzle_wd": func(c *Config, v float64) { c.PuzzleWD = v },
		"beta1": func(c *Config, v float64) { c.Beta1 = v }, "beta2": func(c *Config, v float64) { c.Beta2 = v },
		"lr_min_ratio": func(c *Config, v float64) { c.LRMinRatio = v }, "ema": func(c *Config, v float64) { c.EMA = v },
		"expansion":    func(c *Config, v float64) { c.Model.Expansion = v },
		"explore":      func(c *Config, v float64) { c.Model.HaltExplorationProb = v },
		"rms_norm_eps": func(c *Config, v float64) { c.Model.RMSNormEps = v },
		"rope_theta":   func(c *Config, v float64) { c.Model.RopeTheta = v },
	} {
		for _, v := range []float64{nan, inf, -inf} {
			c := cfg
			set(&c, v)
			require.Error(t, c.Validate(), "%s = %v", name, v)
		}
	}
}
