package runtime

import (
	goruntime "runtime"

	"github.com/hrmgo/hrm/asm"
)

// SessionBytes is the memory, in bytes, of the buffers NewSession(batch,
// threads) allocates for this model (threads <= 0: GOMAXPROCS), from the
// same sizes, so that a caller can bound a batch before allocating it. It
// grows linearly with the batch: about T·(9D+3F)·4 bytes per sequence for
// float32 models and T·9F more for int8 ones, which for a 901-token
// full-size model is 46 MB per puzzle. The weights are not included.
func (m *Model) SessionBytes(batch, threads int) int64 {
	if threads <= 0 {
		threads = goruntime.GOMAXPROCS(0)
	}
	c := m.Cfg
	B, T, D, F, S, V := int64(batch), int64(c.TotalLen()), int64(c.HiddenSize), int64(c.Inter()), int64(c.SeqLen), int64(c.VocabSize)
	floats := 4*B*T*D + // x, zH, zL, inj
		B*T*3*D + 2*B*T*D + // qkv; att, tmp
		B*T*2*F + B*T*F + // gu; hid
		B*S*V + 2*B + T*D + // logits; q; rowBuf
		int64(threads)*int64(asm.AttentionWorkspace(int(T), c.HeadDim()))
	n := 4*floats +
		3*B*8 + // slotOf, rowOf, steps
		4*(B*S+B) // tokens, puzzleIDs
	if m.quantized() {
		n += B*T*F + 4*B*T + // activations and their scales
			4*B*T*2*F // int32 products
	}
	return n
}
