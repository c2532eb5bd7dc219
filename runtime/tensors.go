package runtime

import "fmt"

// TensorSpec names one weight tensor of an architecture and its shape. The
// names are the official state-dict names with the "model.inner." prefix
// stripped, so importing a PyTorch checkpoint is a rename, not a remap.
type TensorSpec struct {
	Name  string
	Shape []int
}

// Stack names, as in the official modules.
const (
	StackH = "H_level"
	StackL = "L_level"
)

// Per-block tensor suffixes, in the order the official state dict saves them.
const (
	KeyQKV    = "self_attn.qkv_proj.weight"
	KeyO      = "self_attn.o_proj.weight"
	KeyGateUp = "mlp.gate_up_proj.weight"
	KeyDown   = "mlp.down_proj.weight"
	// TRM's token-mixing SwiGLU (mlp_t), in place of the attention pair.
	KeyTokGateUp = "mlp_t.gate_up_proj.weight"
	KeyTokDown   = "mlp_t.down_proj.weight"
)

// BlockLinearKeys lists the linear layers of one block of config c, in the
// official save order: the token mixer (attention or mlp_t), then the MLP.
func (c Config) BlockLinearKeys() []string {
	if c.MLPT {
		return []string{KeyTokGateUp, KeyTokDown, KeyGateUp, KeyDown}
	}
	return []string{KeyQKV, KeyO, KeyGateUp, KeyDown}
}

// LinearShape is the [out, in] shape of a block's linear layer.
func (c Config) LinearShape(key string) []int {
	D, F, T, It := c.HiddenSize, c.Inter(), c.TotalLen(), c.TokenInter()
	switch key {
	case KeyQKV:
		return []int{3 * D, D}
	case KeyO:
		return []int{D, D}
	case KeyGateUp:
		return []int{2 * F, D}
	case KeyDown:
		return []int{D, F}
	case KeyTokGateUp:
		return []int{2 * It, T}
	case KeyTokDown:
		return []int{T, It}
	}
	panic("runtime: unknown block tensor " + key)
}

// Top-level tensor names.
const (
	KeyHInit     = "H_init"
	KeyLInit     = "L_init"
	KeyEmbed     = "embed_tokens.embedding_weight"
	KeyLMHead    = "lm_head.weight"
	KeyQHeadW    = "q_head.weight"
	KeyQHeadB    = "q_head.bias"
	KeyPuzzleEmb = "puzzle_emb.weights"
	KeyPos       = "embed_pos.embedding_weight"
)

// BlockKey is the name of one tensor of block i of a stack.
func BlockKey(stack string, i int, key string) string {
	return fmt.Sprintf("%s.layers.%d.%s", stack, i, key)
}

// Stacks lists the transformer stacks of the architecture with their depth.
func (c Config) Stacks() []struct {
	Name   string
	Layers int
} {
	type st = struct {
		Name   string
		Layers int
	}
	if c.Arch == ArchTRM {
		return []st{{StackL, c.LLayers}}
	}
	return []st{{StackH, c.HLayers}, {StackL, c.LLayers}}
}

// TensorSpecs lists every tensor a model file of this config must hold, in
// the official save order. It is the single source of truth for the
// converter, the loader's checks and the trainer's initialisation.
func (c Config) TensorSpecs() []TensorSpec {
	D, V := c.HiddenSize, c.VocabSize
	s := []TensorSpec{
		{KeyHInit, []int{D}},
		{KeyLInit, []int{D}},
		{KeyEmbed, []int{V, D}},
		{KeyLMHead, []int{V, D}},
		{KeyQHeadW, []int{2, D}},
		{KeyQHeadB, []int{2}},
	}
	if c.PuzzleEmbNdim > 0 {
		s = append(s, TensorSpec{KeyPuzzleEmb, []int{c.NumPuzzleIdentifiers, c.PuzzleEmbNdim}})
	}
	if c.PosEncodings == "learned" {
		s = append(s, TensorSpec{KeyPos, []int{c.TotalLen(), D}})
	}
	for _, st := range c.Stacks() {
		for i := 0; i < st.Layers; i++ {
			for _, k := range c.BlockLinearKeys() {
				s = append(s, TensorSpec{BlockKey(st.Name, i, k), c.LinearShape(k)})
			}
		}
	}
	return s
}
