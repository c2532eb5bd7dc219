package runtime

import (
	"math"

	"github.com/hrmgo/hrm/asm"
	"github.com/hrmgo/hrm/quant"
)

// Linear is a bias-free linear layer y = x·Wᵀ with W [Out, In]: float32
// weights (W) or int8 weights (Q), never both.
type Linear struct {
	W       []float32
	Q       *quant.Matrix
	Out, In int
}

// Block is one post-norm transformer block: attention then SwiGLU, each
// followed by a residual add and a weightless RMSNorm.
type Block struct {
	QKV, O, GateUp, Down Linear
}

// Model is an immutable, loaded network. It may be shared by any number of
// Sessions running concurrently; all mutable state lives in Session.
type Model struct {
	Cfg   Config
	Vocab Vocab

	embed     []float32 // [V, D]
	lmHead    []float32 // [V, D]
	qW        []float32 // [2, D]; row 0 halt, row 1 continue
	qB        []float32 // [2]
	puzzleEmb []float32 // [num_ids, ndim]
	pos       []float32 // [T, D], learned positions only
	hInit     []float32 // [D]
	lInit     []float32 // [D]
	H, L      []Block

	ropeCos, ropeSin []float32 // [T, d/2]: columns j and j+d/2 share angle j

	// downRot is the order of the Walsh–Hadamard rotation applied to the
	// down projections' input (their int8 weights hold its transpose; see
	// quantConfig); 0 for none.
	downRot int

	closer func() error
}

// quantized reports whether any linear layer holds int8 weights.
func (m *Model) quantized() bool {
	for _, st := range [][]Block{m.H, m.L} {
		for _, b := range st {
			if b.QKV.Q != nil || b.O.Q != nil || b.GateUp.Q != nil || b.Down.Q != nil {
				return true
			}
		}
	}
	return false
}

// Close releases the weight file mapping. The Model must not be used after.
func (m *Model) Close() error {
	if m.closer == nil {
		return nil
	}
	err := m.closer()
	m.closer = nil
	return err
}

// RopeTables returns the half-split ("rotate_half") tables [T, d/2] that
// the official code computes in float32: inv_freq[j] = 1/θ^(2j/d), angle =
// p·inv_freq[j]; columns j and j+d/2 of a head share angle j. Both nil when
// the config uses learned positions.
func RopeTables(c Config) (cos, sin []float32) {
	if c.PosEncodings != "rope" {
		return nil, nil
	}
	T, half := c.TotalLen(), c.HeadDim()/2
	d := float32(c.HeadDim())
	cos, sin = make([]float32, T*half), make([]float32, T*half)
	for j := 0; j < half; j++ {
		invFreq := 1 / float32(math.Pow(c.RopeTheta, float64(float32(2*j)/d)))
		for p := 0; p < T; p++ {
			a := float64(float32(p) * invFreq)
			cos[p*half+j], sin[p*half+j] = float32(math.Cos(a)), float32(math.Sin(a))
		}
	}
	return cos, sin
}

// ---------------------------------------------------------------------------
// The forward pass, top to bottom. Shapes: B rows (sequences) of T = P + S
// positions of width D; a Session's buffers hold B·T rows.

// embedInputs writes x[T, D] for one sequence: the puzzle-embedding prefix
// (zero-padded to P·D), then token embeddings, optional learned positions,
// all scaled by sqrt(D).
func (m *Model) embedInputs(x []float32, tokens []int32, puzzleID int32) {
	c := m.Cfg
	D, P := c.HiddenSize, c.PrefixLen()
	prefix := x[:P*D]
	clear(prefix)
	if c.PuzzleEmbNdim > 0 {
		n := c.PuzzleEmbNdim
		copy(prefix, m.puzzleEmb[int(puzzleID)*n:int(puzzleID)*n+n])
	}
	for i, t := range tokens {
		copy(x[(P+i)*D:(P+i+1)*D], m.embed[int(t)*D:int(t)*D+D])
	}
	x = x[:c.TotalLen()*D]
	if c.PosEncodings == "learned" {
		const invSqrt2 = float32(0.707106781) // the official constant, not 1/√2 to full precision
		for i := range x {
			x[i] = invSqrt2 * (x[i] + m.pos[i])
		}
	}
	scale := c.EmbedScale()
	for i := range x {
		x[i] *= scale
	}
}

// stack runs z ← blocks(z + inj) over rows = n·T rows of width D.
func (m *Model) stack(s *Session, blocks []Block, z, inj []float32, n int) {
	for i := range z {
		z[i] += inj[i]
	}
	for i := range blocks {
		m.block(s, &blocks[i], z, n)
	}
}

// block applies one post-norm block in place to h [n·T, D]:
// h ← rms(h + Attn(h)); h ← rms(h + MLP(h)).
func (m *Model) block(s *Session, b *Block, h []float32, n int) {
	c := m.Cfg
	D, F := c.HiddenSize, c.Inter()
	rows := n * c.TotalLen()

	qkv := s.qkv[:rows*3*D]
	s.linear(&b.QKV, qkv, h, rows)
	if c.PosEncodings == "rope" {
		s.rowwise(opRoPE, qkv, nil, rows)
	}
	att := s.att[:rows*D]
	s.attention(att, qkv, n)
	tmp := s.tmp[:rows*D]
	s.linear(&b.O, tmp, att, rows)
	s.rowwise(opAddRMSNorm, h, tmp, rows)

	gu := s.gu[:rows*2*F]
	s.linear(&b.GateUp, gu, h, rows)
	hid := s.hid[:rows*F]
	s.rowwise(opSwiGLU, hid, gu, rows)
	s.linear(&b.Down, tmp, hid, rows)
	s.rowwise(opAddRMSNorm, h, tmp, rows)
}

// The row-wise steps of a block; Session.rowwise splits rows across workers.
const (
	opRoPE       = iota // rotate the q and k heads of qkv rows [r, 3D] in place
	opAddRMSNorm        // dst ← rms(dst + src), rows of D
	opSwiGLU            // dst[r, F] ← silu(gate)·up, src rows [gate F | up F]
)

// rowOp applies a row-wise step to rows [r0, r1).
func (m *Model) rowOp(op int, dst, src []float32, r0, r1 int) {
	c := m.Cfg
	T, D, F := c.TotalLen(), c.HiddenSize, c.Inter()
	switch op {
	case opRoPE:
		half := c.HeadDim() / 2
		for r := r0; r < r1; r++ {
			p := r % T
			// All q heads, then all k heads; v is not rotated.
			asm.RoPEHalf(dst[r*3*D:r*3*D+2*D], m.ropeCos[p*half:(p+1)*half], m.ropeSin[p*half:(p+1)*half])
		}
	case opAddRMSNorm:
		for r := r0; r < r1; r++ {
			asm.AddRMSNorm(dst[r*D:(r+1)*D], src[r*D:(r+1)*D], float32(c.RMSNormEps))
		}
	case opSwiGLU:
		for r := r0; r < r1; r++ {
			asm.SwiGLU(dst[r*F:(r+1)*F], src[r*2*F:r*2*F+F], src[r*2*F+F:(r+1)*2*F])
			if m.downRot > 0 {
				asm.Hadamard(dst[r*F:(r+1)*F], m.downRot)
			}
		}
	}
}

// segment runs one ACT segment for the first n sequences of the session:
// H_cycles × (L_cycles L-updates, then one H-update). At inference the
// official one-step-gradient split does not matter; this is the plain loop.
func (m *Model) segment(s *Session, n int) {
	c := m.Cfg
	sz := n * c.TotalLen() * c.HiddenSize
	zH, zL, x, inj := s.zH[:sz], s.zL[:sz], s.x[:sz], s.inj[:sz]
	for h := 0; h < c.HCycles; h++ {
		for l := 0; l < c.LCycles; l++ {
			for i := range inj {
				inj[i] = zH[i] + x[i]
			}
			m.stack(s, m.L, zL, inj, n)
		}
		m.stack(s, m.H, zH, zL, n)
	}
	m.heads(s, n)
}

// heads computes logits = lm_head(z_H)[P:] and q = q_head(z_H[0]) per row.
func (m *Model) heads(s *Session, n int) {
	c := m.Cfg
	T, D, S, V, P := c.TotalLen(), c.HiddenSize, c.SeqLen, c.VocabSize, c.PrefixLen()
	for i := 0; i < n; i++ {
		zH := s.zH[i*T*D : (i+1)*T*D]
		asm.GemmF32NT(s.logits[i*S*V:(i+1)*S*V], zH[P*D:], m.lmHead, S, V, D, false)
		asm.GemmF32NT(s.q[2*i:2*i+2], zH[:D], m.qW, 1, 2, D, false)
		s.q[2*i] += m.qB[0]
		s.q[2*i+1] += m.qB[1]
	}
}
