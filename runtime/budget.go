package runtime

import (
	goruntime "runtime"

	"github.com/hrmgo/hrm/asm"
)

// SessionBytes is the memory, in bytes, of the buffers NewSession(batch,
// threads) allocates for this model (threads <= 0: GOMAXPROCS), from the
// same sizes (sizesOf), so that a caller can bound a batch before
// allocating it. It grows linearly with the batch: about T·(9D+3F)·4 bytes
// per sequence for float32 HRM models and T·9F more for int8 ones, which
// for a 901-token full-size model is 46 MB per puzzle. The weights are not
// included.
func (m *Model) SessionBytes(batch, threads int) int64 {
	if threads <= 0 {
		threads = goruntime.GOMAXPROCS(0)
	}
	c := m.Cfg
	z := sizesOf(c)
	B, T, D, S, V := int64(batch), int64(c.TotalLen()), int64(c.HiddenSize), int64(c.SeqLen), int64(c.VocabSize)
	floats := 4*B*T*D + // x, zH, zL, inj
		B*int64(z.qkv) + 2*B*T*D + // qkv; att, tmp
		B*int64(z.gu) + B*int64(z.hid) + // gu; hid
		B*S*V + 2*B + T*D // logits; q; rowBuf
	if c.Attention() {
		floats += int64(threads) * int64(asm.AttentionWorkspace(int(T), c.HeadDim()))
	}
	n := 4*floats +
		3*B*8 + // slotOf, rowOf, steps
		4*(B*S+B) + 4*S // tokens, puzzleIDs; pred
	if m.quantized() {
		n += B*int64(z.actQ) + 4*B*int64(z.actRows) // activations and their scales
	}
	return n
}
