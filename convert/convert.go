package convert

import (
	"bytes"
	"encoding/json"
	"fmt"
	"maps"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"sort"
	"strconv"
	"strings"

	"github.com/hrmgo/hrm/loader"
	"github.com/hrmgo/hrm/runtime"
	"go.yaml.in/yaml/v3"
)

// Options says where the architecture config comes from. Fields left zero
// are derived from tensor shapes where possible.
type Options struct {
	// ConfigPath is an all_config.yaml (the official PretrainConfig dump) or
	// a JSON object of official config fields. For a checkpoint directory or
	// a file named "checkpoint", all_config.yaml beside it is used when this
	// is empty.
	ConfigPath string
	// Config holds explicit official config fields (e.g. from flags or a
	// golden case.json); they override the config file.
	Config map[string]any
	// SeqLen and Task override the sequence length and the task name
	// (sudoku, maze, arc).
	SeqLen int
	Task   string
	// Identifiers is the official dataset's identifiers.json, whose names
	// the converted model keeps for its puzzle-embedding rows (ARC).
	Identifiers string
}

// Import reads an official checkpoint and returns a float32 Model. path is a
// safetensors file, a torch.save zip file, or a directory holding a file
// named "checkpoint" (the released HRM checkpoints) or step_<N> files (what
// the trainers write; the largest N is taken), usually beside an
// all_config.yaml.
func Import(path string, opt Options) (*runtime.Model, error) {
	st, err := os.Stat(path)
	if err != nil {
		return nil, err
	}
	if st.IsDir() {
		if path, err = checkpointIn(path); err != nil {
			return nil, err
		}
		if st, err = os.Stat(path); err != nil {
			return nil, err
		}
	}
	if !st.Mode().IsRegular() {
		// Opening a fifo would wait for a writer forever.
		return nil, fmt.Errorf("%s: not a regular file", path)
	}
	if opt.ConfigPath == "" {
		if y := filepath.Join(filepath.Dir(path), "all_config.yaml"); fileExists(y) {
			opt.ConfigPath = y
		}
	}
	var tensors []loader.Tensor
	owned := false
	if isZip(path) {
		tensors, err = readTorchZip(path)
		if err != nil {
			return nil, err
		}
		owned = true // read into memory of our own: used in place
	} else {
		// Read, not mapped: the model keeps the float32 data in place, one
		// copy in memory whatever the size of the puzzle table.
		f, err := loader.ReadFile(path)
		if err != nil {
			return nil, err
		}
		tensors = f.Tensors()
		owned = true
	}
	m, err := fromTensors(tensors, opt, owned)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	if opt.Identifiers != "" {
		if m, err = WithIdentifiers(m, opt.Identifiers); err != nil {
			return nil, err
		}
	}
	return m, nil
}

// WithIdentifiers names the model's puzzle rows from an official
// identifiers.json: a JSON list, index → name, index 0 "<blank>".
func WithIdentifiers(m *runtime.Model, path string) (*runtime.Model, error) {
	b, err := os.ReadFile(path)
	if err != nil {
		return nil, err
	}
	var names []string
	if err := json.Unmarshal(b, &names); err != nil {
		return nil, fmt.Errorf("%s: want a JSON list of identifier names (the official identifiers.json): %w", path, err)
	}
	n, err := m.WithIdentifiers(names)
	if err != nil {
		return nil, fmt.Errorf("%s: %w (the identifiers must be the ones of the dataset the checkpoint was trained on)", path, err)
	}
	return n, nil
}

// checkpointIn names the checkpoint file of a directory.
func checkpointIn(dir string) (string, error) {
	if p := filepath.Join(dir, "checkpoint"); exists(p) {
		return p, nil // Import refuses it if it is not a regular file
	}
	entries, err := os.ReadDir(dir)
	if err != nil {
		return "", err
	}
	best, bestStep := "", -1
	for _, e := range entries {
		n, ok := strings.CutPrefix(e.Name(), "step_")
		step, err := strconv.Atoi(n)
		if ok && err == nil && step > bestStep && fileExists(filepath.Join(dir, e.Name())) {
			best, bestStep = e.Name(), step
		}
	}
	if best == "" {
		return "", fmt.Errorf("%s: no checkpoint file (named checkpoint or step_<N>)", dir)
	}
	return filepath.Join(dir, best), nil
}

func exists(p string) bool {
	_, err := os.Stat(p)
	return err == nil
}

func fileExists(p string) bool {
	st, err := os.Stat(p)
	return err == nil && st.Mode().IsRegular()
}

func isZip(path string) bool {
	f, err := os.Open(path)
	if err != nil {
		return false
	}
	defer f.Close()
	var magic [4]byte
	_, err = f.Read(magic[:])
	return err == nil && string(magic[:]) == "PK\x03\x04"
}

// prefixes a state-dict name may carry: compiled (torch.compile adds
// _orig_mod.), the loss head wrapper (model.), the ACT wrapper (inner.).
var prefixes = []string{"_orig_mod.model.inner.", "model.inner.", "inner.", ""}

// FromTensors builds a float32 Model from official state-dict tensors. The
// tensor data is copied, so the source may be closed afterwards.
func FromTensors(tensors []loader.Tensor, opt Options) (*runtime.Model, error) {
	return fromTensors(tensors, opt, false)
}

// fromTensors is FromTensors; owned says the tensors' data is memory the
// model may keep (a checkpoint read whole into memory), so float32 data is
// used in place instead of copied: an ARC checkpoint's 2 GB puzzle table is
// then held once.
func fromTensors(tensors []loader.Tensor, opt Options, owned bool) (*runtime.Model, error) {
	prefix, err := detectPrefix(tensors)
	if err != nil {
		return nil, err
	}
	byName := map[string]loader.Tensor{}
	for _, t := range tensors {
		name, ok := strings.CutPrefix(t.Name, prefix)
		if !ok {
			return nil, fmt.Errorf("tensor %s: does not carry the prefix %q of the other tensors", t.Name, prefix)
		}
		if _, dup := byName[name]; dup {
			return nil, fmt.Errorf("tensor %s: appears twice", t.Name)
		}
		byName[name] = t
	}
	cfg, vocab, err := resolveConfig(byName, opt)
	if err != nil {
		return nil, err
	}
	vals := map[string][]float32{}
	for _, sp := range cfg.TensorSpecs() {
		t, ok := byName[sp.Name]
		if !ok {
			return nil, fmt.Errorf("tensor %s%s: missing from the checkpoint", prefix, sp.Name)
		}
		if !slices.Equal(t.Shape, sp.Shape) {
			return nil, fmt.Errorf("tensor %s: shape %v, the config needs %v", t.Name, t.Shape, sp.Shape)
		}
		switch t.DType {
		case "F32", "BF16", "F16":
		default:
			return nil, fmt.Errorf("tensor %s: dtype %s, want F32, BF16 or F16", t.Name, t.DType)
		}
		v, err := t.Float32s()
		if err != nil {
			return nil, err
		}
		if !owned && t.DType == "F32" {
			v = slices.Clone(v) // the source may be a mapping about to close
		}
		vals[sp.Name] = v
	}
	for name, t := range byName {
		if _, ok := vals[name]; !ok {
			return nil, fmt.Errorf("tensor %s: not part of an %s model with this config", t.Name, cfg.Arch)
		}
	}
	return runtime.New(cfg, vocab, vals)
}

func detectPrefix(tensors []loader.Tensor) (string, error) {
	for _, t := range tensors {
		for _, p := range prefixes {
			if t.Name == p+runtime.KeyEmbed {
				return p, nil
			}
		}
	}
	return "", fmt.Errorf("no token embedding tensor (%s, with or without the prefixes _orig_mod.model.inner., model.inner., inner.): not an HRM checkpoint", runtime.KeyEmbed)
}

// configKeys are the official architecture fields the runtime uses, plus
// "arch" (hrm or trm, or an official arch.name) and TRM's no_ACT_continue,
// which are checked and then consumed.
var configKeys = map[string]bool{
	"seq_len": true, "vocab_size": true, "hidden_size": true, "num_heads": true,
	"H_layers": true, "L_layers": true, "H_cycles": true, "L_cycles": true,
	"expansion": true, "puzzle_emb_ndim": true, "num_puzzle_identifiers": true,
	"pos_encodings": true, "rms_norm_eps": true, "rope_theta": true,
	"halt_max_steps": true, "halt_exploration_prob": true,
	"mlp_t": true, "puzzle_emb_len": true, "arch": true, "no_ACT_continue": true,
}

// Official model classes (arch.name: module@class) of the two architectures.
// The TRM repository's copy of HRM (recursive_reasoning.hrm) is HRM ACT-v1
// with TRM's optional mlp_t.
var archNames = map[string]string{
	"hrm.hrm_act_v1@HierarchicalReasoningModel_ACTV1":           runtime.ArchHRM,
	"recursive_reasoning.hrm@HierarchicalReasoningModel_ACTV1":  runtime.ArchHRM,
	"recursive_reasoning.trm@TinyRecursiveReasoningModel_ACTV1": runtime.ArchTRM,
	runtime.ArchHRM: runtime.ArchHRM, "hrm": runtime.ArchHRM, runtime.ArchTRM: runtime.ArchTRM,
}

// archOf maps an arch value (ours or an official arch.name) to the
// runtime's name.
func archOf(v any) (string, error) {
	s, _ := v.(string)
	if a, ok := archNames[s]; ok {
		return a, nil
	}
	return "", fmt.Errorf("config: arch %q is not HRM ACT-v1 (hrm.hrm_act_v1@HierarchicalReasoningModel_ACTV1) or TRM (recursive_reasoning.trm@TinyRecursiveReasoningModel_ACTV1); other variants (trm_singlez, trm_hier6, ...) are not supported", fmt.Sprint(v))
}

// ignoredKeys are official fields that do not change inference numerics.
// forward_dtype is ignored on purpose: this runtime computes in float32,
// which the official config allows too.
var ignoredKeys = map[string]bool{"loss": true, "batch_size": true, "forward_dtype": true, "causal": true}

var layerRe = regexp.MustCompile(`^(H_level|L_level)\.layers\.(\d+)\.`)

// defaultTRMPrefix is TRM's puzzle_emb_len default: 16 prefix rows, of
// which the puzzle vector fills the first; only an explicit 0 falls back to
// HRM's ceil(puzzle_emb_ndim / hidden_size).
const defaultTRMPrefix = 16

func resolveConfig(byName map[string]loader.Tensor, opt Options) (runtime.Config, runtime.Vocab, error) {
	fields := map[string]any{}
	task := ""
	if opt.ConfigPath != "" {
		f, t, err := readConfigFile(opt.ConfigPath)
		if err != nil {
			return runtime.Config{}, runtime.Vocab{}, err
		}
		maps.Copy(fields, f)
		task = t
	}
	for k, v := range opt.Config {
		if ignoredKeys[k] {
			continue
		}
		if !configKeys[k] {
			return runtime.Config{}, runtime.Vocab{}, fmt.Errorf("config: unknown field %q", k)
		}
		fields[k] = v
	}
	if opt.SeqLen > 0 {
		fields["seq_len"] = opt.SeqLen
	}
	if opt.Task != "" {
		task = opt.Task
	}

	// Derive what the tensors say and refuse any disagreement.
	emb := byName[runtime.KeyEmbed]
	if len(emb.Shape) != 2 {
		return runtime.Config{}, runtime.Vocab{}, fmt.Errorf("tensor %s: shape %v, want [vocab, hidden]", emb.Name, emb.Shape)
	}
	derived := map[string]any{"vocab_size": emb.Shape[0], "hidden_size": emb.Shape[1]}
	if pe, ok := byName[runtime.KeyPuzzleEmb]; ok {
		if len(pe.Shape) != 2 {
			return runtime.Config{}, runtime.Vocab{}, fmt.Errorf("tensor %s: shape %v, want [ids, ndim]", pe.Name, pe.Shape)
		}
		derived["num_puzzle_identifiers"] = pe.Shape[0]
		derived["puzzle_emb_ndim"] = pe.Shape[1]
	} else {
		derived["puzzle_emb_ndim"] = 0
		if _, set := fields["num_puzzle_identifiers"]; !set {
			derived["num_puzzle_identifiers"] = 1
		}
	}
	if _, ok := byName[runtime.KeyPos]; ok {
		derived["pos_encodings"] = "learned"
	} else if fields["pos_encodings"] == "learned" {
		return runtime.Config{}, runtime.Vocab{}, fmt.Errorf("config says pos_encodings learned but there is no %s tensor", runtime.KeyPos)
	}
	layers := map[string]int{}
	for name := range byName {
		if m := layerRe.FindStringSubmatch(name); m != nil {
			i, _ := strconv.Atoi(m[2])
			layers[m[1]] = max(layers[m[1]], i+1)
		}
	}
	_, tokenMLP := byName[runtime.BlockKey(runtime.StackL, 0, runtime.KeyTokGateUp)]
	derived["mlp_t"] = tokenMLP
	// One stack means TRM, two HRM; a config that says otherwise is refused.
	arch := runtime.ArchHRM
	if layers[runtime.StackH] == 0 {
		arch = runtime.ArchTRM
	}
	if a, ok := fields["arch"]; ok {
		given, err := archOf(a)
		if err != nil {
			return runtime.Config{}, runtime.Vocab{}, err
		}
		if given != arch {
			return runtime.Config{}, runtime.Vocab{}, fmt.Errorf("config arch = %s, but the tensors are a %s model (%d H_level layers)", given, arch, layers[runtime.StackH])
		}
	}
	fields["arch"] = arch
	if arch == runtime.ArchTRM {
		// TRM ignores H_layers (its config keeps HRM's field); the runtime
		// stores 0.
		delete(fields, "H_layers")
		if v, ok := fields["no_ACT_continue"]; ok && v != true {
			return runtime.Config{}, runtime.Vocab{}, fmt.Errorf("config no_ACT_continue = %v: only true is supported (the official TRM crashes with false, and its Q-continue head is unused)", v)
		}
		if _, ok := fields["puzzle_emb_len"]; !ok {
			fields["puzzle_emb_len"] = defaultTRMPrefix
		}
	} else {
		if _, ok := fields["no_ACT_continue"]; ok {
			return runtime.Config{}, runtime.Vocab{}, fmt.Errorf("config no_ACT_continue is a TRM field; HRM halts on q_halt > q_continue")
		}
		if v, ok := fields["puzzle_emb_len"]; ok && !sameValue(v, 0) {
			return runtime.Config{}, runtime.Vocab{}, fmt.Errorf("config puzzle_emb_len = %v: HRM's prefix is always ceil(puzzle_emb_ndim / hidden_size)", v)
		}
	}
	delete(fields, "no_ACT_continue")
	derived["H_layers"] = layers[runtime.StackH]
	derived["L_layers"] = layers[runtime.StackL]
	for k, v := range derived {
		if have, ok := fields[k]; ok && !sameValue(have, v) {
			return runtime.Config{}, runtime.Vocab{}, fmt.Errorf("config %s = %v, but the tensors imply %v", k, have, v)
		}
		fields[k] = v
	}
	if task == "" {
		task = guessTask(emb.Shape[0])
	}
	if _, ok := fields["seq_len"]; !ok {
		switch task {
		case "sudoku":
			fields["seq_len"] = 81
		case "maze", "arc":
			fields["seq_len"] = 900
		}
	}
	var missing []string
	for _, k := range []string{"num_heads", "H_cycles", "L_cycles", "expansion", "halt_max_steps", "seq_len"} {
		if _, ok := fields[k]; !ok {
			missing = append(missing, k)
		}
	}
	if len(missing) > 0 {
		return runtime.Config{}, runtime.Vocab{}, fmt.Errorf("config: %s not given (pass a config file or flags)", strings.Join(missing, ", "))
	}
	cfg := runtime.DefaultConfig()
	raw, _ := json.Marshal(fields)
	dec := json.NewDecoder(bytes.NewReader(raw))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&cfg); err != nil {
		return runtime.Config{}, runtime.Vocab{}, fmt.Errorf("config: %w", err)
	}
	if err := cfg.Validate(); err != nil {
		return runtime.Config{}, runtime.Vocab{}, err
	}
	if gu, ok := byName[runtime.BlockKey(runtime.StackL, 0, runtime.KeyGateUp)]; ok && len(gu.Shape) == 2 && gu.Shape[0] != 2*cfg.Inter() {
		return runtime.Config{}, runtime.Vocab{}, fmt.Errorf("tensor %s has %d rows, but expansion %v gives an MLP width of %d (%d rows)", gu.Name, gu.Shape[0], cfg.Expansion, cfg.Inter(), 2*cfg.Inter())
	}
	// The position count T = seq_len + prefix is visible in the token
	// mixer's and the position table's shapes; name the fields if it
	// disagrees.
	T := cfg.TotalLen()
	for _, k := range []string{runtime.BlockKey(runtime.StackL, 0, runtime.KeyTokGateUp), runtime.KeyPos} {
		t, ok := byName[k]
		if !ok || len(t.Shape) != 2 {
			continue
		}
		n := t.Shape[1]
		if k == runtime.KeyPos {
			n = t.Shape[0]
		}
		if n != T {
			return runtime.Config{}, runtime.Vocab{}, fmt.Errorf("tensor %s covers %d positions, but seq_len %d + puzzle_emb_len %d = %d", t.Name, n, cfg.SeqLen, cfg.PrefixLen(), T)
		}
	}
	if tu, ok := byName[runtime.BlockKey(runtime.StackL, 0, runtime.KeyTokGateUp)]; ok && len(tu.Shape) == 2 && tu.Shape[0] != 2*cfg.TokenInter() {
		return runtime.Config{}, runtime.Vocab{}, fmt.Errorf("tensor %s has %d rows, but expansion %v over %d positions gives a token-MLP width of %d (%d rows)", tu.Name, tu.Shape[0], cfg.Expansion, T, cfg.TokenInter(), 2*cfg.TokenInter())
	}
	vocab, err := runtime.VocabFor(task)
	if err != nil {
		return runtime.Config{}, runtime.Vocab{}, err
	}
	if len(vocab.Tokens) != cfg.VocabSize {
		return runtime.Config{}, runtime.Vocab{}, fmt.Errorf("task %s has %d tokens, the checkpoint's vocabulary has %d", task, len(vocab.Tokens), cfg.VocabSize)
	}
	return cfg, vocab, nil
}

// guessTask names the official task with this vocabulary size.
func guessTask(vocab int) string {
	switch vocab {
	case len(runtime.SudokuVocab.Tokens):
		return "sudoku"
	case len(runtime.MazeVocab.Tokens):
		return "maze"
	case len(runtime.ARCVocab.Tokens):
		return "arc"
	}
	return ""
}

func sameValue(a, b any) bool {
	fa, okA := toFloat(a)
	fb, okB := toFloat(b)
	if okA && okB {
		return fa == fb
	}
	return fmt.Sprint(a) == fmt.Sprint(b)
}

func toFloat(v any) (float64, bool) {
	switch x := v.(type) {
	case int:
		return float64(x), true
	case int64:
		return float64(x), true
	case float64:
		return x, true
	case json.Number:
		f, err := x.Float64()
		return f, err == nil
	}
	return 0, false
}

// readConfigFile reads the arch section of all_config.yaml (YAML) or a flat
// JSON object of official fields (a golden case.json's "config" also works).
// It returns the fields and the task named by data_path, if any.
func readConfigFile(path string) (map[string]any, string, error) {
	b, err := os.ReadFile(path)
	if err != nil {
		return nil, "", err
	}
	var doc map[string]any
	if err := yaml.Unmarshal(b, &doc); err != nil { // YAML is a superset of JSON
		return nil, "", fmt.Errorf("%s: %w", path, err)
	}
	section := doc
	archName := ""
	switch a := doc["arch"].(type) {
	case map[string]any: // all_config.yaml: the arch section, named by arch.name
		section = a
		archName, _ = a["name"].(string)
		if archName == "" {
			return nil, "", fmt.Errorf("%s: arch.name is missing", path)
		}
	case nil:
		if c, ok := doc["config"].(map[string]any); ok {
			section = c
		}
	case string: // a flat object of fields with our "arch" key
	default:
		return nil, "", fmt.Errorf("%s: arch is neither a mapping nor a name", path)
	}
	fields := map[string]any{}
	var unknown []string
	for k, v := range section {
		switch {
		case k == "name":
		case ignoredKeys[k]:
		case configKeys[k]:
			fields[k] = v
		default:
			unknown = append(unknown, k)
		}
	}
	if archName != "" {
		a, err := archOf(archName)
		if err != nil {
			return nil, "", fmt.Errorf("%s: %w", path, err)
		}
		fields["arch"] = a
	}
	if len(unknown) > 0 {
		sort.Strings(unknown)
		return nil, "", fmt.Errorf("%s: unknown arch fields %s (refusing to guess their effect)", path, strings.Join(unknown, ", "))
	}
	// The task shows in the dataset path: HRM's data_path, TRM's data_paths.
	paths := []any{doc["data_path"]}
	if dps, ok := doc["data_paths"].([]any); ok {
		paths = append(paths, dps...)
	}
	task := ""
	for _, p := range paths {
		dp, _ := p.(string)
		for _, t := range []string{"sudoku", "maze", "arc"} {
			if dp != "" && strings.Contains(strings.ToLower(dp), t) {
				task = t
			}
		}
	}
	return fields, task, nil
}
