package runtime_test

import (
	"encoding/json"
	"fmt"
	"math"
	"os"
	"path/filepath"
	goruntime "runtime"
	"slices"
	"testing"

	"github.com/hrmgo/hrm/convert"
	"github.com/hrmgo/hrm/loader"
	"github.com/hrmgo/hrm/runtime"
	"github.com/stretchr/testify/require"
)

// smallModel is the b_small_puzzle golden model (D 128, 2+2 layers, puzzle
// prefix) with its five inputs.
func smallModel(t testing.TB) (*runtime.Model, []int32, []int32) {
	return goldenModel(t, "b_small_puzzle", map[string]any{
		"num_heads": 4, "H_cycles": 2, "L_cycles": 3, "expansion": 4, "halt_max_steps": 5, "seq_len": 81})
}

// tinyModel is the a_tiny golden model (D 64, 1+1 layers) with its four
// inputs: cheap enough for a thousand segments.
func tinyModel(t testing.TB) (*runtime.Model, []int32, []int32) {
	return goldenModel(t, "a_tiny", map[string]any{
		"num_heads": 2, "H_cycles": 2, "L_cycles": 2, "expansion": 4, "halt_max_steps": 4, "seq_len": 81})
}

// caseModel is a golden case's model, imported with its case.json config.
func caseModel(t testing.TB, name string) (*runtime.Model, []int32, []int32) {
	raw, err := os.ReadFile(filepath.Join("..", "testdata", "goldens", name, "case.json"))
	require.NoError(t, err)
	var gc goldenCase
	require.NoError(t, json.Unmarshal(raw, &gc))
	return goldenModel(t, name, gc.Config)
}

// archModels are one model of each block kind: HRM, TRM with attention,
// TRM with mlp_t.
func archModels(t testing.TB) map[string]func(testing.TB) (*runtime.Model, []int32, []int32) {
	return map[string]func(testing.TB) (*runtime.Model, []int32, []int32){
		"hrm":     smallModel,
		"trm_att": func(t testing.TB) (*runtime.Model, []int32, []int32) { return caseModel(t, "trm_att_puzzle") },
		"trm_mlp": func(t testing.TB) (*runtime.Model, []int32, []int32) { return caseModel(t, "trm_mlp_sudoku") },
	}
}

func goldenModel(t testing.TB, name string, cfg map[string]any) (*runtime.Model, []int32, []int32) {
	dir := filepath.Join("..", "testdata", "goldens", name)
	m, err := convert.Import(filepath.Join(dir, "weights_f32.safetensors"), convert.Options{Config: cfg})
	require.NoError(t, err)
	in, err := loader.Open(filepath.Join(dir, "inputs.safetensors"))
	require.NoError(t, err)
	defer in.Close()
	x, _ := in.Tensor("inputs")
	p, _ := in.Tensor("puzzle_identifiers")
	tok, err := x.Int32s()
	require.NoError(t, err)
	pid, err := p.Int32s()
	require.NoError(t, err)
	return m, append([]int32(nil), tok...), append([]int32(nil), pid...)
}

// With Q halting, sequences stop at different steps and are moved out of the
// active prefix of the buffers; each must still end exactly where a run of
// that sequence alone, for that many steps, ends.
func TestHaltQMatchesSingleRuns(t *testing.T) {
	for arch, load := range archModels(t) {
		t.Run(arch, func(t *testing.T) { testHaltQ(t, load) })
	}
}

func testHaltQ(t *testing.T, load func(testing.TB) (*runtime.Model, []int32, []int32)) {
	m, tok, pid := load(t)
	if m.Cfg.Arch == runtime.ArchTRM {
		m = haltingTRM(t, m, tok, pid)
	}
	S := m.Cfg.SeqLen
	n := len(pid)
	sess, err := m.NewSession(n, 2)
	require.NoError(t, err)
	require.NoError(t, sess.Begin(tok, pid))
	require.NoError(t, sess.Run(runtime.Options{Halt: runtime.HaltQ, Steps: 12}))
	steps := map[int]bool{}
	one, err := m.NewSession(1, 1)
	require.NoError(t, err)
	for r := 0; r < n; r++ {
		require.True(t, sess.Halted(r))
		k := sess.Steps(r)
		steps[k] = true
		qh, qc := sess.Q(r)
		if k < 12 {
			if m.Cfg.Arch == runtime.ArchTRM {
				require.Greater(t, qh, float32(0), "row %d halted early without q_halt > 0", r)
			} else {
				require.Greater(t, qh, qc, "row %d halted early without q_halt > q_continue", r)
			}
		}
		require.NoError(t, one.Begin(tok[r*S:(r+1)*S], pid[r:r+1]))
		require.NoError(t, one.Run(runtime.Options{Halt: runtime.HaltMax, Steps: k}))
		require.InDeltaSlice(t, toF64(one.Logits(0)), toF64(sess.Logits(r)), 1e-5, "row %d", r)
		zh1, _ := one.Carry(0)
		zh, _ := sess.Carry(r)
		require.InDeltaSlice(t, toF64(zh1), toF64(zh), 1e-5, "row %d", r)
	}
	t.Logf("halting steps seen: %v", steps)
}

// haltingTRM shifts a random TRM's q_halt bias so that rows cross
// q_halt > 0 at different steps (random weights leave q_halt far below 0):
// the threshold is set midway between row 0's q_halt after steps 2 and 3.
func haltingTRM(t *testing.T, m *runtime.Model, tok, pid []int32) *runtime.Model {
	s, err := m.NewSession(len(pid), 1)
	require.NoError(t, err)
	defer s.Close()
	require.NoError(t, s.Begin(tok, pid))
	var q []float32
	require.NoError(t, s.Run(runtime.Options{Steps: 3, OnSegment: func(int) { h, _ := s.Q(0); q = append(q, h) }}))
	tensors := map[string][]float32{}
	for _, x := range m.Tensors() {
		v, err := x.Float32s()
		require.NoError(t, err)
		tensors[x.Name] = slices.Clone(v)
	}
	tensors[runtime.KeyQHeadB][0] -= (q[1] + q[2]) / 2
	h, err := runtime.New(m.Cfg, m.Vocab, tensors)
	require.NoError(t, err)
	return h
}

func toF64(v []float32) []float64 {
	out := make([]float64, len(v))
	for i, x := range v {
		out[i] = float64(x)
	}
	return out
}

// The recurrence runs in buffers allocated once: no allocation per segment,
// whatever the step budget.
func TestSegmentAllocatesNothing(t *testing.T) {
	for arch, load := range archModels(t) {
		f32, tok, pid := load(t)
		i8, err := f32.Quantize()
		require.NoError(t, err)
		for _, m := range []*runtime.Model{f32, i8} {
			sess, err := m.NewSession(len(pid), 2)
			require.NoError(t, err)
			require.NoError(t, sess.Begin(tok, pid))
			sess.Segment()
			allocs := testing.AllocsPerRun(5, sess.Segment)
			require.Zero(t, allocs, "%s %s", arch, m.Metadata()[runtime.MetaQuant])
			allocs = testing.AllocsPerRun(2, func() {
				if err := sess.Run(runtime.Options{Steps: 3, Halt: runtime.HaltQ}); err != nil {
					t.Fatal(err)
				}
			})
			require.Zero(t, allocs, "%s %s", arch, m.Metadata()[runtime.MetaQuant])
			sess.Close()
		}
	}
}

func TestBeginRejectsBadInput(t *testing.T) {
	m, tok, pid := smallModel(t)
	sess, err := m.NewSession(2, 1)
	require.NoError(t, err)
	require.ErrorContains(t, sess.Begin(tok, pid), "batch of 5 sequences, want 1..2")
	require.ErrorContains(t, sess.Begin(tok[:80], pid[:1]), "got 80 tokens for 1 sequences of 81")
	bad := append([]int32(nil), tok[:81]...)
	bad[7] = 12
	require.ErrorContains(t, sess.Begin(bad, pid[:1]), "position 7: token 12 outside vocabulary 0..11")
	require.ErrorContains(t, sess.Begin(tok[:81], []int32{5}), "puzzle id 5 outside 0..4")
	require.ErrorIs(t, (func() error { s, _ := m.NewSession(1, 1); return s.Run(runtime.Options{}) })(), runtime.ErrNoBatch)
	_, err = m.NewSession(0, 1)
	require.Error(t, err)
}

func TestConfigDerived(t *testing.T) {
	c := runtime.DefaultConfig()
	c.HiddenSize, c.Expansion = 512, 4
	require.Equal(t, 1536, c.Inter())
	c.HiddenSize, c.Expansion = 64, 2.5
	require.Equal(t, 256, c.Inter())
	c.PuzzleEmbNdim = 80
	require.Equal(t, 2, c.PrefixLen())
	require.InDelta(t, 8.0, float64(c.EmbedScale()), 1e-7)
	require.False(t, math.IsNaN(float64(c.EmbedScale())))
}

func TestLoadBytes(t *testing.T) {
	m, tok, pid := tinyModel(t)
	q, err := m.Quantize()
	require.NoError(t, err)
	p := filepath.Join(t.TempDir(), "m.safetensors")
	require.NoError(t, q.Save(p))
	b, err := os.ReadFile(p)
	require.NoError(t, err)
	fromBytes, err := runtime.LoadBytes("embedded", b)
	require.NoError(t, err)
	fromFile, err := runtime.Load(p)
	require.NoError(t, err)
	for _, mm := range []*runtime.Model{fromBytes, fromFile} {
		s, err := mm.NewSession(len(pid), 1)
		require.NoError(t, err)
		require.NoError(t, s.Begin(tok, pid))
		require.NoError(t, s.Run(runtime.Options{}))
		ref, _ := q.NewSession(len(pid), 1)
		require.NoError(t, ref.Begin(tok, pid))
		require.NoError(t, ref.Run(runtime.Options{}))
		require.Equal(t, ref.Logits(1), s.Logits(1))
	}
	_, err = runtime.LoadBytes("junk", []byte("xx"))
	require.ErrorContains(t, err, "junk:")
}

func TestSegmentMACs(t *testing.T) {
	// The TRM paper's effective depths: HRM 2·(2·4 + 4) = 24 block
	// applications per segment, TRM 3·(6+1)·2 = 42.
	c := runtime.FullSizeConfig(81)
	require.Equal(t, 24, c.BlockApplications())
	T, D, F := 82.0, 512.0, 1536.0
	require.InDelta(t, 24*(T*3*F*D+T*4*D*D+2*T*T*D)+81*D*11+2*D, c.SegmentMACs(), 1)
	tm := runtime.FullSizeTRMConfig(81, true)
	require.Equal(t, 42, tm.BlockApplications())
	require.Equal(t, 97, tm.TotalLen())
	require.Equal(t, 512, tm.TokenInter())
	require.InDelta(t, 42*(97*3*F*D+D*3*512*97)+81*D*11+2*D, tm.SegmentMACs(), 1)
}

// An observer sees every segment and, when it asks, every inner update: a
// state after each latent and answer update whose logits are the heads over
// the z_H of that moment, ending with the segment's outputs. Observing
// allocates nothing and does not change the results.
func TestObserver(t *testing.T) {
	for arch, load := range archModels(t) {
		m, tok, pid := load(t)
		c := m.Cfg
		ref, err := m.NewSession(len(pid), 1)
		require.NoError(t, err)
		require.NoError(t, ref.Begin(tok, pid))
		require.NoError(t, ref.Run(runtime.Options{Steps: 2}))

		s, err := m.NewSession(len(pid), 2)
		require.NoError(t, err)
		var seen []string
		pred := make([]int32, c.SeqLen)
		conf := make([]float32, c.SeqLen)
		obs := &runtime.Observer{Updates: true, OnState: func(st *runtime.State) {
			seen = append(seen, fmt.Sprintf("%d/%d/%d", st.Step, st.Round, st.Update))
			st.Predict(0, pred)
			st.Confidence(0, conf)
			for _, p := range conf {
				if !(p > 0 && p <= 1) {
					t.Fatalf("confidence %v", p)
				}
			}
		}}
		require.NoError(t, s.Begin(tok, pid))
		require.NoError(t, s.Run(runtime.Options{Steps: 2, Observer: obs}))
		perSeg := c.HCycles*(c.LCycles+1) - 1 + 1 // inner updates but the last answer update, then the segment end
		require.Len(t, seen, 2*perSeg, arch)
		require.Equal(t, fmt.Sprintf("1/0/0"), seen[0])
		require.Equal(t, fmt.Sprintf("1/-1/-1"), seen[perSeg-1])
		require.Equal(t, fmt.Sprintf("2/-1/-1"), seen[2*perSeg-1])
		for r := range pid {
			require.Equal(t, ref.Logits(r), s.Logits(r), "%s row %d", arch, r)
		}
		obs.OnState = func(st *runtime.State) { st.Confidence(0, conf) }
		for _, o := range []*runtime.Observer{obs, {OnState: obs.OnState}} {
			allocs := testing.AllocsPerRun(2, func() {
				if err := s.Begin(tok, pid); err != nil {
					t.Fatal(err)
				}
				if err := s.Run(runtime.Options{Steps: 2, Observer: o}); err != nil {
					t.Fatal(err)
				}
			})
			require.Zero(t, allocs, "%s updates=%v", arch, o.Updates)
		}
	}
}

// HaltValid stops a row as soon as the verifier accepts its prediction and
// runs the others to the budget; without a verifier it is an error.
func TestHaltValid(t *testing.T) {
	m, tok, pid := smallModel(t)
	s, err := m.NewSession(len(pid), 1)
	require.NoError(t, err)
	require.NoError(t, s.Begin(tok, pid))
	calls := map[int]int{}
	accept := func(row int, pred []int32) bool {
		require.Len(t, pred, m.Cfg.SeqLen)
		calls[row]++
		return row%2 == 0
	}
	require.NoError(t, s.Run(runtime.Options{Steps: 4, Halt: runtime.HaltValid, Accept: accept}))
	for r := range pid {
		want := 4
		if r%2 == 0 {
			want = 1
		}
		require.Equal(t, want, s.Steps(r), "row %d", r)
	}
	require.Equal(t, 1, calls[0])
	require.Equal(t, 3, calls[1]) // not asked after the last segment: the budget halts it
	require.Error(t, s.Run(runtime.Options{Halt: runtime.HaltValid}))
	h, err := runtime.ParseHaltMode("valid")
	require.NoError(t, err)
	require.Equal(t, "valid", h.String())
}

// SessionBytes is what NewSession allocates, for every block kind, float32
// and int8 (within the slices' and goroutines' bookkeeping).
func TestSessionBytesAllArchs(t *testing.T) {
	for arch, load := range archModels(t) {
		f32, _, _ := load(t)
		i8, err := f32.Quantize()
		require.NoError(t, err)
		for _, m := range []*runtime.Model{f32, i8} {
			for _, tc := range []struct{ batch, threads int }{{1, 1}, {16, 2}} {
				var before, after goruntime.MemStats
				goruntime.GC()
				goruntime.ReadMemStats(&before)
				s, err := m.NewSession(tc.batch, tc.threads)
				require.NoError(t, err)
				goruntime.ReadMemStats(&after)
				s.Close()
				got, want := int64(after.TotalAlloc-before.TotalAlloc), m.SessionBytes(tc.batch, tc.threads)
				require.InDelta(t, want, got, float64(want)/100+128<<10, "%s %s batch %d threads %d", arch, m.Metadata()[runtime.MetaQuant], tc.batch, tc.threads)
			}
		}
	}
}
