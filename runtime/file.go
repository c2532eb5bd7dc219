package runtime

import (
	"bytes"
	"encoding/json"
	"fmt"
	"maps"
	"slices"
	"strings"

	"github.com/hrmgo/hrm/asm"
	"github.com/hrmgo/hrm/loader"
	"github.com/hrmgo/hrm/quant"
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

	FormatName      = "hrm-weights"
	FormatVersion   = "1"
	MetaQuantConfig = "quant_config"
	QuantF32        = "f32"
	QuantInt8       = "int8"
)

// quantConfig describes the int8 scheme Quantize writes: symmetric
// per-output-row weights in [-127, 127], packed in asm's 16-row tiles of
// 4-byte k groups, with activations quantized per token at run time, and
// the down projection's input rotated by a Walsh–Hadamard transform
// (downHadamardOrder) whose transpose is folded into the down weights.
//
// Why the rotation: SwiGLU outputs are heavy-tailed, so one per-token
// scale set by a few large channels leaves the rest with few levels. On
// the built-in 9×9 model, int8 without it solved 91 of the 103 held-out
// puzzles that f32 solves; keeping only the down projections in f32
// restored all 103, and so did the rotation (103), at no cost in weights
// and a few vector passes per row.
const quantConfig = `{"weights":"int8-symmetric-per-row","packing":"tiles-16x4","tile_n":16,"k_align":16,"activations":"int8-dynamic-per-token","down_input":"walsh-hadamard-chunks"}`

// quantConfigPlain is the earlier scheme without the rotation; its files
// still load.
const quantConfigPlain = `{"weights":"int8-symmetric-per-row","packing":"tiles-16x4","tile_n":16,"k_align":16,"activations":"int8-dynamic-per-token"}`

// downHadamardOrder is the order b of the rotation for an MLP width F: the
// largest power of two dividing F, at most 64 (F is a multiple of 256 for
// every config, so 64). Rotating chunks (asm.Hadamard) spreads each
// channel over b channels, shrinking an outlier's share of the scale by √b.
func downHadamardOrder(f int) int {
	b := 1
	for b < 64 && f%(2*b) == 0 {
		b *= 2
	}
	return b
}

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

// LoadBytes builds a Model over a weight file held in memory (for example
// one embedded in a binary with go:embed). The bytes must stay unchanged for
// the Model's lifetime; name is used in messages.
func LoadBytes(name string, b []byte) (*Model, error) {
	f, err := loader.Parse(b)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", name, err)
	}
	m, err := FromFile(f)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", name, err)
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
	int8, rotated := false, false
	switch q := meta[MetaQuant]; q {
	case QuantF32:
	case QuantInt8:
		switch meta[MetaQuantConfig] {
		case quantConfig:
			rotated = true
		case quantConfigPlain:
		default:
			return nil, fmt.Errorf("int8 quantization config %q is not supported (want %s)", meta[MetaQuantConfig], quantConfig)
		}
		int8 = true
	default:
		return nil, fmt.Errorf("quantization scheme %q is not supported (want %q or %q)", q, QuantF32, QuantInt8)
	}
	byName := map[string]loader.Tensor{}
	for _, t := range f.Tensors() {
		byName[t.Name] = t
	}
	get := func(name string, dtype loader.DType, shape []int) (loader.Tensor, error) {
		t, ok := byName[name]
		if !ok {
			return t, fmt.Errorf("tensor %s: missing", name)
		}
		delete(byName, name)
		if t.DType != dtype {
			return t, fmt.Errorf("tensor %s: dtype %s, want %s", name, t.DType, dtype)
		}
		if !slices.Equal(t.Shape, shape) {
			return t, fmt.Errorf("tensor %s: shape %v, config needs %v", name, t.Shape, shape)
		}
		return t, nil
	}
	tensors := map[string][]float32{}
	linears := map[string]*quant.Matrix{}
	for _, sp := range cfg.TensorSpecs() {
		if int8 && isLinear(sp.Name) {
			n, k := sp.Shape[0], sp.Shape[1]
			q, err := get(sp.Name+".q", "I8", packedShape(n, k))
			if err != nil {
				return nil, err
			}
			st, err := get(sp.Name+".scale", "F32", []int{n})
			if err != nil {
				return nil, err
			}
			rt, err := get(sp.Name+".rowsum", "I32", []int{n})
			if err != nil {
				return nil, err
			}
			scale, err := st.Float32s()
			if err != nil {
				return nil, err
			}
			rowsum, err := rt.Int32s()
			if err != nil {
				return nil, err
			}
			qm, err := quant.FromParts(q.Data, rowsum, scale, n, k)
			if err != nil {
				return nil, fmt.Errorf("tensor %s: %w", sp.Name, err)
			}
			linears[sp.Name] = &qm
			continue
		}
		t, err := get(sp.Name, "F32", sp.Shape)
		if err != nil {
			return nil, err
		}
		if tensors[sp.Name], err = t.Float32s(); err != nil {
			return nil, err
		}
	}
	var idents []byte
	if t, ok := byName[KeyIdentifiers]; ok {
		delete(byName, KeyIdentifiers)
		if t.DType != "U8" || len(t.Shape) != 1 {
			return nil, fmt.Errorf("tensor %s: dtype %s shape %v, want a 1-D U8 table", KeyIdentifiers, t.DType, t.Shape)
		}
		// Only the last byte is checked here: the table of an ARC model is
		// tens of megabytes, read a few lines at a time by lookups that
		// check what they read.
		if n := len(t.Data); n == 0 || t.Data[n-1] != '\n' {
			return nil, fmt.Errorf("tensor %s: does not end with a newline", KeyIdentifiers)
		}
		idents = t.Data
	}
	if len(byName) > 0 {
		extra := slices.Sorted(maps.Keys(byName))
		return nil, fmt.Errorf("tensor %s: not part of a %s model with this config", extra[0], cfg.Arch)
	}
	// The puzzle table of an official ARC checkpoint is about 2 GB of the
	// file; reading it to check its values would bring all of it into
	// memory. Its rows are checked as Session.Begin uses them instead.
	m, err := build(cfg, vocab, tensors, linears, true)
	if err != nil {
		return nil, err
	}
	if rotated {
		m.downRot = downOrder(cfg)
	}
	m.idents = idents
	return m, nil
}

// isLinear reports whether a tensor is a block's linear weight, the
// tensors int8 quantization applies to.
func isLinear(name string) bool {
	if !strings.HasPrefix(name, StackH+".") && !strings.HasPrefix(name, StackL+".") {
		return false
	}
	for _, k := range []string{KeyQKV, KeyO, KeyTokGateUp, KeyTokDown, KeyGateUp, KeyDown} {
		if strings.HasSuffix(name, "."+k) {
			return true
		}
	}
	return false
}

// isDown reports whether a linear layer takes a SwiGLU output as its input
// (the channel MLP's or mlp_t's down projection): the layers whose input
// int8 rotates (see quantConfig).
func isDown(name string) bool {
	return strings.HasSuffix(name, "."+KeyDown) || strings.HasSuffix(name, "."+KeyTokDown)
}

// downOrder is the rotation order for every down projection of c: the
// largest that divides each SwiGLU width.
func downOrder(c Config) int {
	b := downHadamardOrder(c.Inter())
	if c.MLPT {
		b = min(b, downHadamardOrder(c.TokenInter()))
	}
	return b
}

// packedShape is the 4-D shape of a packed int8 [n, k] matrix in the file:
// [NP/16][KP/4][16][4], the tile layout of asm.PackedS8.
func packedShape(n, k int) []int {
	np := (n + asm.S8TileN - 1) / asm.S8TileN
	kp := (k + asm.S8KAlign - 1) / asm.S8KAlign * asm.S8KAlign
	return []int{np, kp / 4, asm.S8TileN, 4}
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

// New builds a Model from float32 tensors named as in Config.TensorSpecs.
// The slices are used in place. Every expected tensor must be present with
// its exact element count and finite values; extra tensors are refused.
func New(cfg Config, vocab Vocab, tensors map[string][]float32) (*Model, error) {
	return build(cfg, vocab, tensors, nil, false)
}

// build is New with some linear layers given as int8 matrices instead.
// lazyPuzzle leaves the puzzle table's values unchecked (see FromFile).
func build(cfg Config, vocab Vocab, tensors map[string][]float32, linears map[string]*quant.Matrix, lazyPuzzle bool) (*Model, error) {
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
		if q, ok := linears[sp.Name]; ok {
			if q.Rows() != sp.Shape[0] || q.Cols() != sp.Shape[1] {
				return nil, fmt.Errorf("tensor %s: int8 matrix [%d, %d], config needs %v", sp.Name, q.Rows(), q.Cols(), sp.Shape)
			}
			continue
		}
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
		if lazyPuzzle && sp.Name == KeyPuzzleEmb {
			continue
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
	m := &Model{
		Cfg: cfg, Vocab: vocab,
		embed:      tensors[KeyEmbed],
		lmHead:     tensors[KeyLMHead],
		qW:         tensors[KeyQHeadW],
		qB:         tensors[KeyQHeadB],
		puzzleEmb:  tensors[KeyPuzzleEmb],
		pos:        tensors[KeyPos],
		lazyPuzzle: lazyPuzzle,
		hInit:      tensors[KeyHInit],
		lInit:      tensors[KeyLInit],
	}
	blocks := func(stack string, n int) []Block {
		bs := make([]Block, n)
		for i := range bs {
			for _, k := range cfg.BlockLinearKeys() {
				name, sh := BlockKey(stack, i, k), cfg.LinearShape(k)
				*bs[i].linear(k) = Linear{W: tensors[name], Q: linears[name], Out: sh[0], In: sh[1]}
			}
		}
		return bs
	}
	m.H = blocks(StackH, cfg.HLayers)
	m.L = blocks(StackL, cfg.LLayers)
	m.ropeCos, m.ropeSin = RopeTables(cfg)
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

// linears lists the model's linear layers by tensor name.
func (m *Model) linears() map[string]*Linear {
	out := map[string]*Linear{}
	for _, st := range []struct {
		name   string
		blocks []Block
	}{{StackH, m.H}, {StackL, m.L}} {
		for i := range st.blocks {
			for _, k := range m.Cfg.BlockLinearKeys() {
				out[BlockKey(st.name, i, k)] = st.blocks[i].linear(k)
			}
		}
	}
	return out
}

// Tensors returns the model's weights in TensorSpecs order, as written to
// a weight file: an int8 linear layer becomes its packed data, scales and
// row sums; the identifiers table, if any, comes last. The tensors alias
// the model's memory (read-only), so that writing a model with a 2 GB
// puzzle table does not hold a second copy of it.
func (m *Model) Tensors() []loader.Tensor {
	byName := map[string][]float32{
		KeyHInit: m.hInit, KeyLInit: m.lInit, KeyEmbed: m.embed, KeyLMHead: m.lmHead,
		KeyQHeadW: m.qW, KeyQHeadB: m.qB, KeyPuzzleEmb: m.puzzleEmb, KeyPos: m.pos,
	}
	lins := m.linears()
	var out []loader.Tensor
	for _, sp := range m.Cfg.TensorSpecs() {
		l, ok := lins[sp.Name]
		switch {
		case ok && l.Q != nil:
			out = append(out,
				loader.Tensor{Name: sp.Name + ".q", DType: "I8", Shape: packedShape(l.Out, l.In), Data: l.Q.Q.Bytes()},
				loader.F32Tensor(sp.Name+".scale", []int{l.Out}, l.Q.Scale),
				loader.I32Tensor(sp.Name+".rowsum", []int{l.Out}, l.Q.Q.RowSum))
		case ok:
			out = append(out, loader.F32View(sp.Name, sp.Shape, l.W))
		default:
			out = append(out, loader.F32View(sp.Name, sp.Shape, byName[sp.Name]))
		}
	}
	if m.idents != nil {
		out = append(out, loader.Tensor{Name: KeyIdentifiers, DType: "U8", Shape: []int{len(m.idents)}, Data: m.idents})
	}
	return out
}

// Metadata is the weight file metadata describing this model.
func (m *Model) Metadata() map[string]string {
	vocab, _ := json.Marshal(m.Vocab)
	meta := map[string]string{
		MetaFormat:        FormatName,
		MetaFormatVersion: FormatVersion,
		MetaArch:          m.Cfg.Arch,
		MetaConfig:        m.Cfg.String(),
		MetaVocab:         string(vocab),
		MetaQuant:         QuantF32,
	}
	if m.quantized() {
		meta[MetaQuant], meta[MetaQuantConfig] = QuantInt8, quantConfigPlain
		if m.downRot > 0 {
			meta[MetaQuantConfig] = quantConfig
		}
	}
	return meta
}

// Quantize returns an int8 copy of the model: every block's linear weights
// quantized per output row and packed for the kernels (the down
// projections after folding in the rotation of their input, see
// quantConfig); embeddings, heads, positions and H_init/L_init stay
// float32 (they are tiny). The result shares those float32 tensors with m.
func (m *Model) Quantize() (*Model, error) {
	return m.quantize(downOrder(m.Cfg))
}

// quantize quantizes with a down-input rotation of order rot (0: none, the
// plain scheme).
func (m *Model) quantize(rot int) (*Model, error) {
	if m.quantized() {
		return nil, fmt.Errorf("model is already int8")
	}
	q := *m
	q.closer = nil
	q.H, q.L = slices.Clone(m.H), slices.Clone(m.L)
	q.downRot = rot
	for name, l := range q.linears() {
		w := l.W
		if rot > 0 && isDown(name) {
			// y = W·x = (W·H/b)·(H·x) since H·H = b·I and H is symmetric;
			// the rows of W·H are H applied to the rows of W, and 1/b is a
			// power of two, so the scaling is exact.
			w = slices.Clone(l.W)
			inv := 1 / float32(q.downRot)
			for r := 0; r < l.Out; r++ {
				row := w[r*l.In : (r+1)*l.In]
				asm.Hadamard(row, q.downRot)
				for i := range row {
					row[i] *= inv
				}
			}
		}
		qm, err := quant.Quantize(w, l.Out, l.In)
		if err != nil {
			return nil, fmt.Errorf("tensor %s: %w", name, err)
		}
		l.W, l.Q = nil, &qm
	}
	return &q, nil
}

// Dequantize returns a float32 copy of an int8 model whose linear weights
// are the dequantized int8 values: "weights-only int8", which tells the
// weight error apart from the activation quantization error.
func (m *Model) Dequantize() *Model {
	d := *m
	d.closer = nil
	d.H, d.L = slices.Clone(m.H), slices.Clone(m.L)
	d.downRot = 0
	for name, l := range d.linears() {
		if l.Q != nil {
			l.W, l.Q = l.Q.Dequantize(), nil
			if m.downRot > 0 && isDown(name) {
				// Undo the folded rotation: (W·H/b)·H = W.
				for r := 0; r < l.Out; r++ {
					asm.Hadamard(l.W[r*l.In:(r+1)*l.In], m.downRot)
				}
			}
		}
	}
	return &d
}

// Save writes the model as a weight file (atomically).
func (m *Model) Save(path string) error {
	return loader.WriteFile(path, m.Metadata(), m.Tensors())
}

// IsWeightFile reports whether path is a readable hrm weight file (by its
// metadata; the tensors are not checked).
func IsWeightFile(path string) bool {
	f, err := loader.Open(path)
	if err != nil {
		return false
	}
	defer f.Close()
	return f.Metadata()[MetaFormat] == FormatName
}
