package trainer

import (
	"encoding/binary"
	"encoding/json"
	"fmt"
	"math"
	"os"
	"path/filepath"
	"slices"
	"sort"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/hrmgo/hrm/convert"
	"github.com/hrmgo/hrm/loader"
	"github.com/hrmgo/hrm/trainer/data"
)

// trainCase is the part of a train_step golden case.json the replay reads.
type trainCase struct {
	Kind        string         `json:"kind"`
	Config      map[string]any `json:"config"`
	GlobalBatch int            `json:"global_batch_size"`
	Weights     struct {
		File string `json:"file"`
	} `json:"weights"`
	Inputs struct {
		File string `json:"file"`
	} `json:"inputs"`
	Outputs struct {
		File string `json:"file"`
	} `json:"outputs"`
	Grads struct {
		File      string   `json:"file"`
		Trainable []string `json:"trainable_parameters"`
	} `json:"grads"`
	Tolerance struct {
		ForwardAbs float64 `json:"forward_abs"`
		LossAbs    float64 `json:"loss_abs"`
		GradAbs    float64 `json:"grad_abs"`
		GradRel    float64 `json:"grad_rel"`
	} `json:"tolerance"`
}

// replaySource hands out the new batch's rows in the order the trainer asks
// for examples: the rows that start fresh, in row order.
type replaySource struct{ rows []data.Example }

func (s replaySource) At(pos uint64) (data.Example, error) {
	if pos >= uint64(len(s.rows)) {
		return data.Example{}, fmt.Errorf("replay: no row %d", pos)
	}
	return s.rows[pos], nil
}
func (replaySource) Fingerprint() uint64 { return 0 }

func trainGoldensDir() string {
	if d := os.Getenv("HRM_GOLDENS"); d != "" {
		return d
	}
	return filepath.Join("..", "testdata", "goldens")
}

// TestTrainStepGoldens replays every train_step golden case — one training
// step of the official model and loss code — through the trainer: the same
// carry in, the same batch, then the loss, metrics, halting decisions,
// logits, new carry and every gradient compared at the case's tolerances.
func TestTrainStepGoldens(t *testing.T) {
	root := trainGoldensDir()
	entries, err := os.ReadDir(root)
	require.NoError(t, err)
	n := 0
	for _, e := range entries {
		raw, err := os.ReadFile(filepath.Join(root, e.Name(), "case.json"))
		if err != nil {
			continue
		}
		var gc trainCase
		require.NoError(t, json.Unmarshal(raw, &gc))
		if gc.Kind != "train_step" {
			continue
		}
		n++
		for _, threads := range []int{1, 2} {
			t.Run(fmt.Sprintf("%s/threads=%d", e.Name(), threads), func(t *testing.T) {
				replayTrainStep(t, filepath.Join(root, e.Name()), gc, threads)
			})
		}
	}
	require.NotZero(t, n, "no train_step cases under %s", root)
}

func openST(t *testing.T, path string) *loader.File {
	f, err := loader.Open(path)
	require.NoError(t, err)
	t.Cleanup(func() { f.Close() })
	return f
}

func stF32(t *testing.T, f *loader.File, name string) []float32 {
	x, ok := f.Tensor(name)
	require.True(t, ok, "tensor %s missing", name)
	v, err := x.Float32s()
	require.NoError(t, err)
	return slices.Clone(v)
}

func stF64(t *testing.T, f *loader.File, name string) float64 {
	x, ok := f.Tensor(name)
	require.True(t, ok, "tensor %s missing", name)
	require.Equal(t, loader.DType("F64"), x.DType, name)
	return math.Float64frombits(binary.LittleEndian.Uint64(x.Data))
}

func stI32(t *testing.T, f *loader.File, name string) []int32 {
	x, ok := f.Tensor(name)
	require.True(t, ok, "tensor %s missing", name)
	v, err := x.Int32s()
	require.NoError(t, err)
	return slices.Clone(v)
}

func replayTrainStep(t *testing.T, dir string, gc trainCase, threads int) {
	m, err := convert.Import(filepath.Join(dir, gc.Weights.File), convert.Options{Config: gc.Config})
	require.NoError(t, err)
	mc := m.Cfg
	mc.HaltExplorationProb = 0 // the case's min_halt_steps are all 0
	B, S, TD := gc.GlobalBatch, mc.SeqLen, mc.TotalLen()*mc.HiddenSize

	in, out, gr := openST(t, filepath.Join(dir, gc.Inputs.File)), openST(t, filepath.Join(dir, gc.Outputs.File)), openST(t, filepath.Join(dir, gc.Grads.File))
	require.Equal(t, make([]int32, B), stI32(t, in, "min_halt_steps"))
	halted, steps := stI32(t, in, "carry_in_halted"), stI32(t, in, "carry_in_steps")
	example := func(prefix string, r int) data.Example {
		toks, labels, pids := stI32(t, in, prefix+"inputs"), stI32(t, in, prefix+"labels"), stI32(t, in, prefix+"puzzle_identifiers")
		ex := data.Example{Inputs: make([]uint8, S), Labels: labels[r*S : (r+1)*S], PuzzleID: pids[r]}
		for j, v := range toks[r*S : (r+1)*S] {
			ex.Inputs[j] = uint8(v)
		}
		return ex
	}
	var fresh []data.Example
	for r := 0; r < B; r++ {
		if halted[r] != 0 {
			fresh = append(fresh, example("batch_", r))
		}
	}

	cfg := Config{Model: mc, Vocab: m.Vocab, Batch: B, Steps: 10, LR: 1e-4, PuzzleLR: 1e-2, WeightDecay: 0.1, PuzzleWD: 0.1,
		Beta1: 0.9, Beta2: 0.95, LRMinRatio: 1, Loss: "stablemax_cross_entropy", Threads: threads}
	tr, err := New(cfg, replaySource{fresh})
	require.NoError(t, err)
	for _, x := range m.Tensors() {
		v, err := x.Float32s()
		require.NoError(t, err)
		copy(tr.w.byName[x.Name], v)
	}
	zH, zL := stF32(t, in, "carry_in_z_H"), stF32(t, in, "carry_in_z_L")
	for r := 0; r < B; r++ {
		tr.halted[r] = halted[r] != 0
		if tr.halted[r] {
			continue // the trainer resets it; its carry is garbage on purpose
		}
		tr.steps[r], tr.cur[r] = int(steps[r]), example("carry_in_", r)
		w := tr.chunkOf(r)
		i := r - w.lo
		copy(w.net.zH[i*TD:(i+1)*TD], zH[r*TD:(r+1)*TD])
		copy(w.net.zL[i*TD:(i+1)*TD], zL[r*TD:(r+1)*TD])
	}

	res, err := tr.Step()
	require.NoError(t, err)
	tol := gc.Tolerance
	fB := float64(B)

	// Losses: the trainer reports them per row of the batch.
	require.InDelta(t, stF64(t, out, "loss"), res.Loss*fB, tol.LossAbs, "loss")
	require.InDelta(t, stF64(t, out, "lm_loss"), res.LMLoss*fB, tol.LossAbs, "lm_loss")
	require.InDelta(t, float64(stF32(t, out, "q_halt_loss")[0]), res.QHaltLoss*fB, tol.LossAbs, "q_halt_loss")
	if _, ok := out.Tensor("q_continue_loss"); ok {
		require.InDelta(t, float64(stF32(t, out, "q_continue_loss")[0]), res.QContLoss*fB, tol.LossAbs, "q_continue_loss")
	} else {
		require.Zero(t, res.QContLoss)
	}
	// Metrics, exactly (the trainer reports means over the counted rows).
	count := int(stI32(t, out, "metric_count")[0])
	require.Equal(t, count, res.Count)
	cnt := float64(max(count, 1))
	require.InDelta(t, float64(stF32(t, out, "metric_accuracy")[0]), res.Accuracy*cnt, 1e-5)
	require.Equal(t, float64(stI32(t, out, "metric_exact_accuracy")[0]), math.Round(res.ExactAccuracy*cnt))
	require.Equal(t, float64(stI32(t, out, "metric_q_halt_accuracy")[0]), math.Round(res.QHaltAccuracy*cnt))
	require.Equal(t, float64(stI32(t, out, "metric_steps")[0]), math.Round(res.MeanSteps*cnt))

	// Halting, steps, and the forward outputs row by row.
	wantHalted, wantSteps, preds := stI32(t, out, "carry_out_halted"), stI32(t, out, "carry_out_steps"), stI32(t, out, "preds")
	logits, qh, qc := stF32(t, out, "logits"), stF32(t, out, "q_halt_logits"), stF32(t, out, "q_continue_logits")
	cH, cL := stF32(t, out, "carry_out_z_H"), stF32(t, out, "carry_out_z_L")
	V := mc.VocabSize
	var dLogits, dQ, dCarry float64
	for r := 0; r < B; r++ {
		require.Equal(t, wantHalted[r] != 0, tr.halted[r], "row %d halted", r)
		require.Equal(t, int(wantSteps[r]), tr.steps[r], "row %d steps", r)
		w := tr.chunkOf(r)
		i := r - w.lo
		nt := w.net
		dLogits = math.Max(dLogits, maxAbs(nt.logits[i*S*V:(i+1)*S*V], logits[r*S*V:(r+1)*S*V]))
		dQ = math.Max(dQ, math.Max(math.Abs(float64(nt.q[2*i]-qh[r])), math.Abs(float64(nt.q[2*i+1]-qc[r]))))
		dCarry = math.Max(dCarry, math.Max(maxAbs(nt.zH[i*TD:(i+1)*TD], cH[r*TD:(r+1)*TD]), maxAbs(nt.zL[i*TD:(i+1)*TD], cL[r*TD:(r+1)*TD])))
		for p := 0; p < S; p++ {
			require.Equal(t, int(preds[r*S+p]), argmax(nt.logits[(i*S+p)*V:(i*S+p+1)*V]), "row %d position %d prediction", r, p)
		}
	}
	require.LessOrEqual(t, dLogits, tol.ForwardAbs, "logits")
	require.LessOrEqual(t, dQ, tol.ForwardAbs, "q logits")
	require.LessOrEqual(t, dCarry, tol.ForwardAbs, "carry")

	// Gradients of loss / global batch: the reduced buffer of chunk 0 (the
	// optimizer has read it, not changed it) and the per-row puzzle rows.
	g := tr.chunks[0].g
	worst, worstName := 0.0, ""
	check := func(name string, got, want []float32) {
		require.Len(t, got, len(want), name)
		scale := maxAbs(want, make([]float32, len(want)))
		bound := tol.GradAbs + tol.GradRel*scale
		d := maxAbs(got, want)
		require.LessOrEqual(t, d, bound, "gradient %s: max|Δ| %.3g, bound %.3g", name, d, bound)
		if scale > 0 && d/scale > worst {
			worst, worstName = d/scale, name
		}
	}
	for _, name := range gc.Grads.Trainable {
		check(name, g.byName[strings.TrimPrefix(name, "model.inner.")], stF32(t, gr, name))
	}
	if mc.PuzzleEmbNdim > 0 {
		nd := mc.PuzzleEmbNdim
		rows := make([]float32, 0, B*nd)
		sums := map[int32][]float32{}
		for _, w := range tr.chunks {
			for i := 0; i < w.hi-w.lo; i++ {
				row := w.net.dpuzzle[i*nd : (i+1)*nd]
				rows = append(rows, row...)
				id := w.net.pids[i]
				if sums[id] == nil {
					sums[id] = make([]float32, nd)
				}
				for j, v := range row {
					sums[id][j] += v
				}
			}
		}
		check("puzzle_emb.local_weights", rows, stF32(t, gr, "model.inner.puzzle_emb.local_weights"))
		ids := stI32(t, gr, "puzzle_emb_grad_ids")
		var got []float32
		keys := slices.Collect(func(yield func(int32) bool) {
			for k := range sums {
				if !yield(k) {
					return
				}
			}
		})
		sort.Slice(keys, func(a, b int) bool { return keys[a] < keys[b] })
		require.Equal(t, ids, keys, "puzzle ids with a gradient")
		for _, k := range keys {
			got = append(got, sums[k]...)
		}
		check("puzzle_emb_grad_rows", got, stF32(t, gr, "puzzle_emb_grad_rows"))
	}
	t.Logf("%s: loss %.9g (Δ %.2g), max|Δ| logits %.2g q %.2g carry %.2g; largest gradient error %.2g of its tensor's max|g| (%s)",
		mc.Arch, res.Loss*fB, math.Abs(res.Loss*fB-stF64(t, out, "loss")), dLogits, dQ, dCarry, worst, worstName)
}

func maxAbs(a, b []float32) float64 {
	var m float64
	for i := range a {
		m = math.Max(m, math.Abs(float64(a[i])-float64(b[i])))
	}
	return m
}
