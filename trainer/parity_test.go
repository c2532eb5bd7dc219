package trainer

import (
	"path/filepath"
	"testing"

	"github.com/hrmgo/hrm/convert"
	"github.com/hrmgo/hrm/loader"
	"github.com/stretchr/testify/require"
)

// The trainer's forward (with saved activations) computes the same segment
// as the runtime's inference forward, on a golden model with a puzzle prefix
// and asymmetric cycles.
func TestTrainerForwardMatchesRuntime(t *testing.T) {
	dir := filepath.Join("..", "testdata", "goldens", "b_small_puzzle")
	m, err := convert.Import(filepath.Join(dir, "weights_f32.safetensors"), convert.Options{Config: map[string]any{
		"num_heads": 4, "H_cycles": 2, "L_cycles": 3, "expansion": 4, "halt_max_steps": 5, "seq_len": 81}})
	require.NoError(t, err)
	in, err := loader.Open(filepath.Join(dir, "inputs.safetensors"))
	require.NoError(t, err)
	defer in.Close()
	xt, _ := in.Tensor("inputs")
	pt, _ := in.Tensor("puzzle_identifiers")
	tok, err := xt.Int32s()
	require.NoError(t, err)
	pid, err := pt.Int32s()
	require.NoError(t, err)

	cfg := m.Cfg
	w := newWeights[float32](cfg)
	for _, tn := range m.Tensors() {
		v, err := tn.Float32s()
		require.NoError(t, err)
		copy(w.byName[tn.Name], v)
	}
	n := len(pid)
	net := newNet(cfg, w, newWeights[float32](cfg), n)
	copy(net.tokens, tok)
	copy(net.pids, pid)
	TD, D := cfg.TotalLen()*cfg.HiddenSize, cfg.HiddenSize
	for p := 0; p < n*TD; p += D {
		copy(net.zH[p:p+D], w.hInit)
		copy(net.zL[p:p+D], w.lInit)
	}
	sess, err := m.NewSession(n, 1)
	require.NoError(t, err)
	defer sess.Close()
	require.NoError(t, sess.Begin(tok, pid))
	for step := 0; step < 2; step++ {
		net.forward()
		sess.Segment()
		SV := cfg.SeqLen * cfg.VocabSize
		for r := 0; r < n; r++ {
			require.InDeltaSlice(t, f64(sess.Logits(r)), f64(net.logits[r*SV:(r+1)*SV]), 1e-4, "step %d row %d", step+1, r)
			qh, qc := sess.Q(r)
			require.InDelta(t, float64(qh), float64(net.q[2*r]), 1e-4)
			require.InDelta(t, float64(qc), float64(net.q[2*r+1]), 1e-4)
			zH, _ := sess.Carry(r)
			require.InDeltaSlice(t, f64(zH), f64(net.zH[r*TD:(r+1)*TD]), 1e-4)
		}
	}
}

func f64(v []float32) []float64 {
	out := make([]float64, len(v))
	for i, x := range v {
		out[i] = float64(x)
	}
	return out
}
