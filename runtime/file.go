package runtime

import (
	"bytes"
	"encoding/json"
	"fmt"
	"slices"

	"github.com/hrmgo/hrm/loader"
)

// Weight file metadata keys and values. The file is a safetensors file with
// 64-byte aligned tensors; __metadata__ describes everything a loader needs
// besides the tensors themselves.
const (
	MetaFormat        = "format"
	MetaFormatVersion = "format_version"
	MetaArch          = "arch"
	MetaConfig        = "config"
	MetaVocab         = "vocab"
	MetaQuant         = "quantization"

	FormatName    = "hrm-weights"
	FormatVersion = "1"
	QuantF32      = "f32"
)

// Load maps a weight file read-only and builds a Model over it. Float32
// tensors are used in place, without copies.
func Load(path string) (*Model, error) {
	f, err := loader.Open(path)
	if err != nil {
		return nil, err
	}
	m, err := FromFile(f)
	if err != nil {
		f.Close()
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	m.closer = f.Close
	return m, nil
}

// FromFile checks a parsed weight file against its declared architecture and
// builds a Model whose tensors alias the file's data. The caller keeps the
// file open for the Model's lifetime.
func FromFile(f *loader.File) (*Model, error) {
	meta := f.Metadata()
	if meta[MetaFormat] != FormatName {
		return nil, fmt.Errorf("not an hrm weight file: metadata format = %q, want %q", meta[MetaFormat], FormatName)
	}
	if meta[MetaFormatVersion] != FormatVersion {
		return nil, fmt.Errorf("weight file format version %q, this build reads %q", meta[MetaFormatVersion], FormatVersion)
	}
	if !f.Aligned() {
		return nil, fmt.Errorf("weight file tensors are not 64-byte aligned")
	}
	cfg, err := decodeConfig(meta[MetaConfig])
	if err != nil {
		return nil, err
	}
	if meta[MetaArch] != cfg.Arch {
		return nil, fmt.Errorf("metadata arch %q disagrees with config arch %q", meta[MetaArch], cfg.Arch)
	}
	var vocab Vocab
	if err := strictUnmarshal(meta[MetaVocab], &vocab); err != nil {
		return nil, fmt.Errorf("metadata vocab: %w", err)
	}
	if q := meta[MetaQuant]; q != QuantF32 {
		return nil, fmt.Errorf("quantization scheme %q is not supported (want %q)", q, QuantF32)
	}
	tensors := map[string][]float32{}
	for _, t := range f.Tensors() {
		if t.DType != "F32" {
			return nil, fmt.Errorf("tensor %s: dtype %s, want F32", t.Name, t.DType)
		}
		v, err := t.Float32s()
		if err != nil {
			return nil, err
		}
		tensors[t.Name] = v
		if err := checkShape(cfg, t.Name, t.Shape); err != nil {
			return nil, err
		}
	}
	return New(cfg, vocab, tensors)
}

func decodeConfig(s string) (Config, error) {
	cfg := DefaultConfig()
	if err := strictUnmarshal(s, &cfg); err != nil {
		return Config{}, fmt.Errorf("metadata config: %w", err)
	}
	return cfg, cfg.Validate()
}

func strictUnmarshal(s string, v any) error {
	if s == "" {
		return fmt.Errorf("missing")
	}
	dec := json.NewDecoder(bytes.NewReader([]byte(s)))
	dec.DisallowUnknownFields()
	if err := dec.Decode(v); err != nil {
		return err
	}
	if dec.More() {
		return fmt.Errorf("trailing data after JSON value")
	}
	return nil
}

func checkShape(cfg Config, name string, shape []int) error {
	for _, sp := range cfg.TensorSpecs() {
		if sp.Name == name {
			if !slices.Equal(sp.Shape, shape) {
				return fmt.Errorf("tensor %s: shape %v, config needs %v", name, shape, sp.Shape)
			}
			return nil
		}
	}
	return fmt.Errorf("tensor %s: not part of a %s model with this config", name, cfg.Arch)
}

// New builds a Model from float32 tensors named as in Config.TensorSpecs.
// The slices are used in place. Every expected tensor must be present with
// its exact element count and finite values; extra tensors are refused.
func New(cfg Config, vocab Vocab, tensors map[string][]float32) (*Model, error) {
	if err := cfg.Validate(); err != nil {
		return nil, err
	}
	if err := vocab.Validate(cfg.VocabSize); err != nil {
		return nil, err
	}
	specs := cfg.TensorSpecs()
	known := map[string]bool{}
	for _, sp := range specs {
		known[sp.Name] = true
		v, ok := tensors[sp.Name]
		if !ok {
			return nil, fmt.Errorf("tensor %s: missing", sp.Name)
		}
		n := 1
		for _, d := range sp.Shape {
			n *= d
		}
		if len(v) != n {
			return nil, fmt.Errorf("tensor %s: %d values, shape %v needs %d", sp.Name, len(v), sp.Shape, n)
		}
		if i := firstNonFinite(v); i >= 0 {
			return nil, fmt.Errorf("tensor %s: non-finite value %v at index %d", sp.Name, v[i], i)
		}
	}
	for name := range tensors {
		if !known[name] {
			return nil, fmt.Errorf("tensor %s: not part of a %s model with this config", name, cfg.Arch)
		}
	}
	D, F := cfg.HiddenSize, cfg.Inter()
	m := &Model{
		Cfg: cfg, Vocab: vocab,
		embed:     tensors[KeyEmbed],
		lmHead:    tensors[KeyLMHead],
		qW:        tensors[KeyQHeadW],
		qB:        tensors[KeyQHeadB],
		puzzleEmb: tensors[KeyPuzzleEmb],
		pos:       tensors[KeyPos],
		hInit:     tensors[KeyHInit],
		lInit:     tensors[KeyLInit],
	}
	blocks := func(stack string, n int) []Block {
		bs := make([]Block, n)
		for i := range bs {
			bs[i] = Block{
				QKV:    Linear{tensors[BlockKey(stack, i, KeyQKV)], 3 * D, D},
				O:      Linear{tensors[BlockKey(stack, i, KeyO)], D, D},
				GateUp: Linear{tensors[BlockKey(stack, i, KeyGateUp)], 2 * F, D},
				Down:   Linear{tensors[BlockKey(stack, i, KeyDown)], D, F},
			}
		}
		return bs
	}
	m.H = blocks(StackH, cfg.HLayers)
	m.L = blocks(StackL, cfg.LLayers)
	m.buildRope()
	return m, nil
}

func firstNonFinite(v []float32) int {
	for i, x := range v {
		if x-x != 0 { // NaN or ±Inf
			return i
		}
	}
	return -1
}

// Tensors returns the model's weights by name, in TensorSpecs order, for
// writing or conversion.
func (m *Model) Tensors() []loader.Tensor {
	byName := map[string][]float32{
		KeyHInit: m.hInit, KeyLInit: m.lInit, KeyEmbed: m.embed, KeyLMHead: m.lmHead,
		KeyQHeadW: m.qW, KeyQHeadB: m.qB, KeyPuzzleEmb: m.puzzleEmb, KeyPos: m.pos,
	}
	for _, st := range []struct {
		name   string
		blocks []Block
	}{{StackH, m.H}, {StackL, m.L}} {
		for i, b := range st.blocks {
			byName[BlockKey(st.name, i, KeyQKV)] = b.QKV.W
			byName[BlockKey(st.name, i, KeyO)] = b.O.W
			byName[BlockKey(st.name, i, KeyGateUp)] = b.GateUp.W
			byName[BlockKey(st.name, i, KeyDown)] = b.Down.W
		}
	}
	var out []loader.Tensor
	for _, sp := range m.Cfg.TensorSpecs() {
		out = append(out, loader.F32Tensor(sp.Name, sp.Shape, byName[sp.Name]))
	}
	return out
}

// Metadata is the weight file metadata describing this model.
func (m *Model) Metadata() map[string]string {
	vocab, _ := json.Marshal(m.Vocab)
	return map[string]string{
		MetaFormat:        FormatName,
		MetaFormatVersion: FormatVersion,
		MetaArch:          m.Cfg.Arch,
		MetaConfig:        m.Cfg.String(),
		MetaVocab:         string(vocab),
		MetaQuant:         QuantF32,
	}
}

// Save writes the model as a weight file (atomically).
func (m *Model) Save(path string) error {
	return loader.WriteFile(path, m.Metadata(), m.Tensors())
}
