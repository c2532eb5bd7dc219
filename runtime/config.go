package runtime

import (
	"encoding/json"
	"fmt"
	"math"
)

// Architectures the runtime knows. Both run the same post-norm transformer
// blocks; they differ in which stacks exist and in the recurrence schedule
// (see Model.segment).
const (
	// ArchHRM is the official HRM ACT-v1: two stacks, H and L.
	ArchHRM = "hrm_act_v1"
	// ArchTRM is TRM (TinyRecursiveReasoningModel_ACTV1): one stack (L)
	// serves both updates, optionally with a token-mixing MLP (mlp_t) in
	// place of attention.
	ArchTRM = "trm"
)

// Config is the architecture description. JSON names follow the official
// pydantic config (HierarchicalReasoningModel_ACTV1Config) so that
// all_config.yaml and golden case files map onto it directly.
type Config struct {
	Arch                 string  `json:"arch"`
	SeqLen               int     `json:"seq_len"`
	VocabSize            int     `json:"vocab_size"`
	HiddenSize           int     `json:"hidden_size"`
	NumHeads             int     `json:"num_heads"`
	HLayers              int     `json:"H_layers"`
	LLayers              int     `json:"L_layers"`
	HCycles              int     `json:"H_cycles"`
	LCycles              int     `json:"L_cycles"`
	Expansion            float64 `json:"expansion"`
	PuzzleEmbNdim        int     `json:"puzzle_emb_ndim"`
	PuzzleEmbLen         int     `json:"puzzle_emb_len,omitempty"` // 0: derived, ceil(ndim/D)
	MLPT                 bool    `json:"mlp_t,omitempty"`          // token-mixing SwiGLU over positions instead of attention (TRM's code, for both archs)
	NumPuzzleIdentifiers int     `json:"num_puzzle_identifiers"`
	PosEncodings         string  `json:"pos_encodings"`
	RMSNormEps           float64 `json:"rms_norm_eps"`
	RopeTheta            float64 `json:"rope_theta"`
	HaltMaxSteps         int     `json:"halt_max_steps"`
	HaltExplorationProb  float64 `json:"halt_exploration_prob"`
}

// Limits keep a hostile config from sizing absurd buffers before any tensor
// is read. They are far above every published HRM/TRM configuration.
const (
	maxHidden    = 8192
	maxHeads     = 256
	maxLayers    = 64
	maxCycles    = 64
	maxSeqLen    = 1 << 16
	maxVocab     = 1 << 16
	maxPuzzleIDs = 1 << 24
	maxSteps     = 1 << 20
)

// DefaultConfig returns the class defaults of the official config for the
// fields that all_config.yaml may omit.
func DefaultConfig() Config {
	return Config{Arch: ArchHRM, RMSNormEps: 1e-5, RopeTheta: 10000, PosEncodings: "rope"}
}

// HeadDim is d = D/H.
func (c Config) HeadDim() int { return c.HiddenSize / c.NumHeads }

// PrefixLen is P, the number of puzzle-embedding rows in front of the tokens.
func (c Config) PrefixLen() int {
	if c.PuzzleEmbLen > 0 {
		return c.PuzzleEmbLen
	}
	if c.PuzzleEmbNdim <= 0 {
		return 0
	}
	return (c.PuzzleEmbNdim + c.HiddenSize - 1) / c.HiddenSize
}

// TotalLen is T = S + P.
func (c Config) TotalLen() int { return c.SeqLen + c.PrefixLen() }

// Inter is the SwiGLU width F = 256·ceil(round(expansion·D·2/3)/256), with
// Python's round-half-to-even.
func (c Config) Inter() int {
	r := int(math.RoundToEven(c.Expansion * float64(c.HiddenSize) * 2 / 3))
	return 256 * ((r + 255) / 256)
}

// TokenInter is the width I_t of the token-mixing SwiGLU (mlp_t), the
// same rounding as Inter over T = S + P positions instead of D channels.
func (c Config) TokenInter() int {
	r := int(math.RoundToEven(c.Expansion * float64(c.TotalLen()) * 2 / 3))
	return 256 * ((r + 255) / 256)
}

// Attention reports whether the blocks mix tokens by self-attention (the
// alternative is TRM's mlp_t).
func (c Config) Attention() bool { return !c.MLPT }

// BlockApplications is the number of block applications in one segment:
// every L and H update runs its stack once.
func (c Config) BlockApplications() int {
	answer := c.HLayers
	if c.Arch == ArchTRM {
		answer = c.LLayers
	}
	return c.HCycles * (c.LCycles*c.LLayers + answer)
}

// BlockMACs is the multiply-add count of one block application on one
// sequence: the channel MLP and the token mixer (attention's projections,
// scores and weighted sums, or mlp_t's two position-axis products). The
// row-wise steps (norms, activations) are not counted.
func (c Config) BlockMACs() float64 {
	T, D, F := float64(c.TotalLen()), float64(c.HiddenSize), float64(c.Inter())
	macs := T * 3 * F * D // gate_up 2F·D, down D·F per token
	if c.MLPT {
		return macs + D*3*float64(c.TokenInter())*T
	}
	return macs + T*4*D*D + 2*T*T*D
}

// SegmentMACs is the multiply-add count of one segment of one sequence:
// every block application and the heads.
func (c Config) SegmentMACs() float64 {
	D := float64(c.HiddenSize)
	return float64(c.BlockApplications())*c.BlockMACs() + float64(c.SeqLen)*D*float64(c.VocabSize) + 2*D
}

// EmbedScale is sqrt(D), applied to the whole input embedding.
func (c Config) EmbedScale() float32 { return float32(math.Sqrt(float64(c.HiddenSize))) }

// Validate checks every field for consistency and sanity; a model file's
// config is untrusted input.
func (c Config) Validate() error {
	bad := func(f string, a ...any) error { return fmt.Errorf("config: "+f, a...) }
	switch c.Arch {
	case ArchHRM:
		if e := inRange("H_layers", c.HLayers, 1, maxLayers); e != nil {
			return bad("%v", e)
		}
	case ArchTRM:
		if c.HLayers != 0 {
			return bad("H_layers = %d: TRM has one stack (L_level) for both updates, so H_layers must be 0", c.HLayers)
		}
	default:
		return bad("unknown arch %q (want %q or %q)", c.Arch, ArchHRM, ArchTRM)
	}
	in := func(name string, v, lo, hi int) error {
		if e := inRange(name, v, lo, hi); e != nil {
			return bad("%v", e)
		}
		return nil
	}
	for _, e := range []error{
		in("hidden_size", c.HiddenSize, 1, maxHidden),
		in("num_heads", c.NumHeads, 1, maxHeads),
		in("L_layers", c.LLayers, 1, maxLayers),
		in("H_cycles", c.HCycles, 1, maxCycles),
		in("L_cycles", c.LCycles, 1, maxCycles),
		in("seq_len", c.SeqLen, 1, maxSeqLen),
		in("vocab_size", c.VocabSize, 1, maxVocab),
		in("puzzle_emb_ndim", c.PuzzleEmbNdim, 0, 64*maxHidden),
		in("puzzle_emb_len", c.PuzzleEmbLen, 0, 1024),
		in("num_puzzle_identifiers", c.NumPuzzleIdentifiers, 1, maxPuzzleIDs),
		in("halt_max_steps", c.HaltMaxSteps, 1, maxSteps),
	} {
		if e != nil {
			return e
		}
	}
	if c.HiddenSize%c.NumHeads != 0 {
		return bad("hidden_size %d is not a multiple of num_heads %d", c.HiddenSize, c.NumHeads)
	}
	if c.PosEncodings == "rope" && c.Attention() && c.HeadDim()%2 != 0 {
		return bad("head dim %d must be even for rotary embeddings", c.HeadDim())
	}
	if !(c.Expansion > 0 && c.Expansion <= 64) {
		return bad("expansion = %v, want (0, 64]", c.Expansion)
	}
	if c.PuzzleEmbLen > 0 && c.PuzzleEmbLen*c.HiddenSize < c.PuzzleEmbNdim {
		return bad("puzzle_emb_len %d rows cannot hold puzzle_emb_ndim %d", c.PuzzleEmbLen, c.PuzzleEmbNdim)
	}
	if c.TotalLen() > maxSeqLen {
		return bad("sequence length %d + prefix %d is too long", c.SeqLen, c.PrefixLen())
	}
	switch c.PosEncodings {
	case "rope":
		if !(c.RopeTheta > 1 && c.RopeTheta < 1e12) {
			return bad("rope_theta = %v, want > 1", c.RopeTheta)
		}
	case "learned":
	case "none": // TRM's mlp_t configs: the token mixer carries positions
	default:
		return bad("pos_encodings %q, want rope, learned or none", c.PosEncodings)
	}
	if !(c.RMSNormEps > 0 && c.RMSNormEps < 1) {
		return bad("rms_norm_eps = %v, want (0, 1)", c.RMSNormEps)
	}
	if !(c.HaltExplorationProb >= 0 && c.HaltExplorationProb <= 1) {
		return bad("halt_exploration_prob = %v, want [0, 1]", c.HaltExplorationProb)
	}
	return nil
}

func inRange(name string, v, lo, hi int) error {
	if v < lo || v > hi {
		return fmt.Errorf("%s = %d, want %d..%d", name, v, lo, hi)
	}
	return nil
}

// Describe is a one-line summary of the architecture for people.
func (c Config) Describe() string {
	mixer := fmt.Sprintf("attention %d heads", c.NumHeads)
	if c.MLPT {
		mixer = fmt.Sprintf("mlp_t width %d", c.TokenInter())
	}
	sched := fmt.Sprintf("H %d cycles × %d layers, L %d cycles × %d layers", c.HCycles, c.HLayers, c.LCycles, c.LLayers)
	if c.Arch == ArchTRM {
		sched = fmt.Sprintf("%d rounds × (%d latent + 1 answer) updates of %d layers", c.HCycles, c.LCycles, c.LLayers)
	}
	return fmt.Sprintf("%s: hidden %d, %s, pos %s, %s, %d prefix + %d tokens, %d ACT steps",
		c.Arch, c.HiddenSize, mixer, c.PosEncodings, sched, c.PrefixLen(), c.SeqLen, c.HaltMaxSteps)
}

// String is the JSON encoding stored in a weight file's metadata.
func (c Config) String() string {
	b, _ := json.Marshal(c)
	return string(b)
}
