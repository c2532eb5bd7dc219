package trainer

import (
	"encoding/base64"
	"encoding/json"
	"fmt"
	"math/rand/v2"
	"reflect"
	"slices"
	"strconv"

	"github.com/hrmgo/hrm/loader"
	"github.com/hrmgo/hrm/runtime"
	"github.com/hrmgo/hrm/trainer/data"
)

const (
	ckptFormat  = "hrm-train-checkpoint"
	ckptVersion = "1"
)

// SaveCheckpoint writes the whole training state — weights, optimizer
// moments, step, data position, exploration RNG and the carry of every row —
// atomically (loader.WriteFile: temp file, fsync, rename), so a crash at any
// moment leaves the previous checkpoint intact.
func (t *Trainer) SaveCheckpoint(path string) error { return t.SaveCheckpointMeta(path, nil) }

// SaveCheckpointMeta is SaveCheckpoint with extra metadata entries that the
// caller needs to resume along with the trainer (hrm-train: the training
// time so far), read back with loader.Open(path).Metadata(). Resume ignores
// them; a key the checkpoint uses itself is an error.
func (t *Trainer) SaveCheckpointMeta(path string, extra map[string]string) error {
	if t.failed {
		return errFailed
	}
	mc := t.Cfg.Model
	B, S, TD := t.Cfg.Batch, mc.SeqLen, mc.TotalLen()*mc.HiddenSize
	cfg, err := json.Marshal(t.Cfg)
	if err != nil {
		return err
	}
	rngState, err := t.rng.MarshalBinary()
	if err != nil {
		return err
	}
	zH, zL := make([]float32, B*TD), make([]float32, B*TD)
	steps, halted := make([]int32, B), make([]int32, B)
	inputs, labels, pids := make([]int32, B*S), make([]int32, B*S), make([]int32, B)
	for _, w := range t.chunks {
		copy(zH[w.lo*TD:w.hi*TD], w.net.zH)
		copy(zL[w.lo*TD:w.hi*TD], w.net.zL)
	}
	for r := 0; r < B; r++ {
		steps[r] = int32(t.steps[r])
		if t.halted[r] {
			halted[r] = 1
			continue // its example is replaced before it is used again
		}
		ex := t.cur[r]
		for j, v := range ex.Inputs {
			inputs[r*S+j] = int32(v)
		}
		copy(labels[r*S:(r+1)*S], ex.Labels)
		pids[r] = ex.PuzzleID
	}
	meta := map[string]string{
		"format": ckptFormat, "format_version": ckptVersion, "config": string(cfg),
		"step": strconv.Itoa(t.step), "data_position": strconv.FormatUint(t.pos, 10),
		"data_fingerprint": strconv.FormatUint(t.src.Fingerprint(), 10),
		"rng":              base64.StdEncoding.EncodeToString(rngState),
	}
	for k, v := range extra {
		if _, ok := meta[k]; ok || k == loader.AlignmentKey {
			return fmt.Errorf("checkpoint metadata key %q is reserved", k)
		}
		meta[k] = v
	}
	n := len(t.w.flat)
	tensors := []loader.Tensor{
		loader.F32Tensor("params", []int{n}, t.w.flat),
		loader.F32Tensor("adam_m", []int{n}, t.m1.flat),
		loader.F32Tensor("adam_v", []int{n}, t.m2.flat),
		loader.F32Tensor("carry_zH", []int{B, TD}, zH),
		loader.F32Tensor("carry_zL", []int{B, TD}, zL),
		loader.I32Tensor("carry_steps", []int{B}, steps),
		loader.I32Tensor("carry_halted", []int{B}, halted),
		loader.I32Tensor("carry_inputs", []int{B, S}, inputs),
		loader.I32Tensor("carry_labels", []int{B, S}, labels),
		loader.I32Tensor("carry_pids", []int{B}, pids),
	}
	if t.ema != nil {
		tensors = append(tensors, loader.F32Tensor("ema", []int{n}, t.ema.flat))
	}
	return loader.WriteFile(path, meta, tensors)
}

// Resume loads a checkpoint written by SaveCheckpoint and continues on src,
// which must be the same data stream (checked by fingerprint). The run
// continues bit for bit as if uninterrupted, with any thread count (see
// chunk). Every tensor and field of the file is checked against its config
// as untrusted input.
func Resume(path string, src data.Source, threads int) (*Trainer, error) {
	f, err := loader.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	meta := f.Metadata()
	if meta["format"] != ckptFormat || meta["format_version"] != ckptVersion {
		return nil, fmt.Errorf("%s: not an hrm training checkpoint (format %q version %q)", path, meta["format"], meta["format_version"])
	}
	var cfg Config
	if err := json.Unmarshal([]byte(meta["config"]), &cfg); err != nil {
		return nil, fmt.Errorf("%s: config: %w", path, err)
	}
	if err := cfg.Validate(); err != nil {
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	cfg.Threads = threads
	if fp := strconv.FormatUint(src.Fingerprint(), 10); fp != meta["data_fingerprint"] {
		return nil, fmt.Errorf("%s: the checkpoint was trained on another data stream (fingerprint %s, this one %s)", path, meta["data_fingerprint"], fp)
	}
	mc := cfg.Model
	t := &Trainer{Cfg: cfg, src: src, w: newWeights[float32](mc), m1: newWeights[float32](mc), m2: newWeights[float32](mc),
		rng: &rand.PCG{}, steps: make([]int, cfg.Batch), halted: make([]bool, cfg.Batch), cur: make([]data.Example, cfg.Batch)}
	if t.step, err = strconv.Atoi(meta["step"]); err != nil || t.step < 0 {
		return nil, fmt.Errorf("%s: bad step %q", path, meta["step"])
	}
	if t.pos, err = strconv.ParseUint(meta["data_position"], 10, 64); err != nil {
		return nil, fmt.Errorf("%s: bad data position %q", path, meta["data_position"])
	}
	rs, err := base64.StdEncoding.DecodeString(meta["rng"])
	if err == nil {
		err = t.rng.UnmarshalBinary(rs)
	}
	if err != nil {
		return nil, fmt.Errorf("%s: rng state: %w", path, err)
	}
	B, S, TD := cfg.Batch, mc.SeqLen, mc.TotalLen()*mc.HiddenSize
	n := len(t.w.flat)
	get := func(name string, shape []int) (loader.Tensor, error) {
		x, ok := f.Tensor(name)
		if !ok {
			return x, fmt.Errorf("%s: tensor %s missing", path, name)
		}
		if !reflect.DeepEqual(x.Shape, shape) {
			return x, fmt.Errorf("%s: tensor %s has shape %v, want %v", path, name, x.Shape, shape)
		}
		return x, nil
	}
	// Tensors the file must hold, and no others.
	want := map[string]bool{"params": true, "adam_m": true, "adam_v": true, "carry_zH": true, "carry_zL": true,
		"carry_steps": true, "carry_halted": true, "carry_inputs": true, "carry_labels": true, "carry_pids": true, "ema": cfg.EMA > 0}
	for _, x := range f.Tensors() {
		if !want[x.Name] {
			return nil, fmt.Errorf("%s: unexpected tensor %s", path, x.Name)
		}
	}
	f32 := func(name string, shape []int, dst []float32) error {
		x, err := get(name, shape)
		if err != nil {
			return err
		}
		if x.DType != "F32" {
			return fmt.Errorf("%s: tensor %s is %s, want F32", path, name, x.DType)
		}
		v, err := x.Float32s()
		if err != nil {
			return fmt.Errorf("%s: tensor %s: %w", path, name, err)
		}
		if i := firstNonFinite(v); i >= 0 {
			return fmt.Errorf("%s: tensor %s holds %v at %d", path, name, v[i], i)
		}
		copy(dst, v)
		return nil
	}
	i32 := func(name string, shape []int) ([]int32, error) {
		x, err := get(name, shape)
		if err != nil {
			return nil, err
		}
		v, err := x.Int32s()
		return slices.Clone(v), err
	}
	for _, e := range []error{f32("params", []int{n}, t.w.flat), f32("adam_m", []int{n}, t.m1.flat), f32("adam_v", []int{n}, t.m2.flat)} {
		if e != nil {
			return nil, e
		}
	}
	for i, v := range t.m2.flat {
		if v < 0 {
			return nil, fmt.Errorf("%s: tensor adam_v holds %v at %d; second moments are never negative", path, v, i)
		}
	}
	if cfg.EMA > 0 {
		t.ema = newWeights[float32](mc)
		if err := f32("ema", []int{n}, t.ema.flat); err != nil {
			return nil, err
		}
	}
	if err := t.setup(); err != nil {
		return nil, err
	}
	zH, zL := make([]float32, B*TD), make([]float32, B*TD)
	if err := f32("carry_zH", []int{B, TD}, zH); err != nil {
		return nil, err
	}
	if err := f32("carry_zL", []int{B, TD}, zL); err != nil {
		return nil, err
	}
	for _, w := range t.chunks {
		copy(w.net.zH, zH[w.lo*TD:w.hi*TD])
		copy(w.net.zL, zL[w.lo*TD:w.hi*TD])
	}
	var ints [5][]int32
	for k, spec := range []struct {
		name  string
		shape []int
	}{{"carry_steps", []int{B}}, {"carry_halted", []int{B}}, {"carry_inputs", []int{B, S}}, {"carry_labels", []int{B, S}}, {"carry_pids", []int{B}}} {
		if ints[k], err = i32(spec.name, spec.shape); err != nil {
			return nil, err
		}
	}
	for r := 0; r < B; r++ {
		steps, halted := int(ints[0][r]), ints[1][r]
		if halted != 0 && halted != 1 {
			return nil, fmt.Errorf("%s: carry_halted of row %d is %d, want 0 or 1", path, r, halted)
		}
		// A running row has run 1..halt_max_steps-1 segments; a halted one
		// at most halt_max_steps (0 before the first step).
		lo, hi := 1, mc.HaltMaxSteps-1
		if halted == 1 {
			lo, hi = 0, mc.HaltMaxSteps
		}
		if steps < lo || steps > hi {
			return nil, fmt.Errorf("%s: carry_steps of row %d is %d, want %d..%d", path, r, steps, lo, hi)
		}
		t.steps[r], t.halted[r] = steps, halted == 1
		if t.halted[r] {
			continue // its example is replaced before it is used again
		}
		ex := data.Example{Inputs: make([]uint8, S), Labels: slices.Clone(ints[3][r*S : (r+1)*S]), PuzzleID: ints[4][r]}
		for j, v := range ints[2][r*S : (r+1)*S] {
			if v < 0 || int(v) >= mc.VocabSize {
				return nil, fmt.Errorf("%s: carry_inputs row %d position %d holds token %d, want 0..%d", path, r, j, v, mc.VocabSize-1)
			}
			ex.Inputs[j] = uint8(v)
		}
		for j, l := range ex.Labels {
			if l != data.IgnoreLabel && (l < 0 || int(l) >= mc.VocabSize) {
				return nil, fmt.Errorf("%s: carry_labels row %d position %d holds %d, want %d or 0..%d", path, r, j, l, data.IgnoreLabel, mc.VocabSize-1)
			}
		}
		if ex.PuzzleID < 0 || int(ex.PuzzleID) >= mc.NumPuzzleIdentifiers {
			return nil, fmt.Errorf("%s: carry_pids row %d is %d, want 0..%d", path, r, ex.PuzzleID, mc.NumPuzzleIdentifiers-1)
		}
		t.cur[r] = ex
	}
	return t, nil
}

// CheckCheckpoint reports whether path is a readable training checkpoint of
// this format (its metadata; the tensors are checked when it is used).
func CheckCheckpoint(path string) error {
	f, err := loader.Open(path)
	if err != nil {
		return err
	}
	defer f.Close()
	if meta := f.Metadata(); meta["format"] != ckptFormat || meta["format_version"] != ckptVersion {
		return fmt.Errorf("%s: not an hrm training checkpoint (format %q version %q)", path, meta["format"], meta["format_version"])
	}
	return nil
}

// Export writes the weights to evaluate (EvalModel: with EMA, the moving
// average) as an hrm weight file (float32).
func (t *Trainer) Export(path string) error { return t.EvalModel().Save(path) }

// ExportCheckpoint writes the weights held in a training checkpoint (with
// EMA, their moving average) as an hrm weight file, float32 or (int8 true)
// quantized, without needing the run's data.
func ExportCheckpoint(ckpt, out string, int8 bool) error {
	return ExportCheckpointSteps(ckpt, out, int8, 0)
}

// ExportCheckpointSteps is ExportCheckpoint with the exported model's
// halt_max_steps — the segment budget hrm-run uses by default — set to
// steps (0: as trained). A recurrent model trained with k segments keeps
// improving its answer past k (inference-time scaling); this ships a
// larger default budget without changing a weight.
func ExportCheckpointSteps(ckpt, out string, int8 bool, steps int) error {
	f, err := loader.Open(ckpt)
	if err != nil {
		return err
	}
	defer f.Close()
	meta := f.Metadata()
	if meta["format"] != ckptFormat {
		return fmt.Errorf("%s: not an hrm training checkpoint", ckpt)
	}
	var cfg Config
	if err := json.Unmarshal([]byte(meta["config"]), &cfg); err != nil {
		return fmt.Errorf("%s: config: %w", ckpt, err)
	}
	if err := cfg.Validate(); err != nil {
		return fmt.Errorf("%s: %w", ckpt, err)
	}
	w := newWeights[float32](cfg.Model)
	if steps != 0 {
		cfg.Model.HaltMaxSteps = steps
		if err := cfg.Model.Validate(); err != nil {
			return err
		}
	}
	x, ok := f.Tensor("params")
	if !ok || len(x.Shape) != 1 || x.Shape[0] != len(w.flat) {
		return fmt.Errorf("%s: params tensor missing or of the wrong size", ckpt)
	}
	v, err := x.Float32s()
	if err != nil {
		return err
	}
	copy(w.flat, v)
	if cfg.EMA > 0 {
		// The run evaluates and ships its moving average (see EvalModel).
		x, ok := f.Tensor("ema")
		if !ok || len(x.Shape) != 1 || x.Shape[0] != len(w.flat) {
			return fmt.Errorf("%s: ema tensor missing or of the wrong size", ckpt)
		}
		ev, err := x.Float32s()
		if err != nil {
			return err
		}
		for _, rg := range trainableRanges(cfg.Model) {
			copy(w.flat[rg[0]:rg[1]], ev[rg[0]:rg[1]])
		}
	}
	m, err := runtime.New(cfg.Model, cfg.Vocab, w.byName)
	if err != nil {
		return fmt.Errorf("%s: %w", ckpt, err)
	}
	if int8 {
		if m, err = m.Quantize(); err != nil {
			return err
		}
	}
	return m.Save(out)
}
