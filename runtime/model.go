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

// Block is one post-norm block: a token mixer then a SwiGLU MLP, each
// followed by a residual add and a weightless RMSNorm. The mixer is
// self-attention (QKV, O) or, for TRM's mlp_t, a SwiGLU over the position
// axis (TokGateUp, TokDown); the other pair is empty.
type Block struct {
	QKV, O             Linear
	TokGateUp, TokDown Linear
	GateUp, Down       Linear
}

// linear returns the block's linear layer of a tensor key.
func (b *Block) linear(key string) *Linear {
	switch key {
	case KeyQKV:
		return &b.QKV
	case KeyO:
		return &b.O
	case KeyTokGateUp:
		return &b.TokGateUp
	case KeyTokDown:
		return &b.TokDown
	case KeyGateUp:
		return &b.GateUp
	case KeyDown:
		return &b.Down
	}
	panic("runtime: unknown block tensor " + key)
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
	// lazyPuzzle: puzzleEmb's values were not checked at load (a mapped
	// table of up to millions of rows); Begin checks the rows it uses.
	lazyPuzzle bool
	idents     []byte    // the identifiers table (identifiers.go), or nil
	pos        []float32 // [T, D], learned positions only
	hInit      []float32 // [D]
	lInit      []float32 // [D]
	H, L       []Block

	ropeCos, ropeSin []float32 // [T, d/2]: columns j and j+d/2 share angle j

	// downRot is the order of the Walsh–Hadamard rotation applied to the
	// down projections' input (their int8 weights hold its transpose; see
	// quantConfig); 0 for none.
	downRot int

	closer func() error
}

// Quantized reports whether the model's linear layers hold int8 weights
// (hrm-analyze builds its random control the same way).
func (m *Model) Quantized() bool { return m.quantized() }

// quantized reports whether any linear layer holds int8 weights.
func (m *Model) quantized() bool {
	for _, l := range m.linears() {
		if l.Q != nil {
			return true
		}
	}
	return false
}

// answerStack is the stack of the z_H update: HRM's H_level, or for TRM
// the one L_level stack that also does the latent updates.
func (m *Model) answerStack() []Block {
	if m.Cfg.Arch == ArchTRM {
		return m.L
	}
	return m.H
}

// halts is the Q rule of the architecture: HRM halts when q_halt >
// q_continue, TRM (no_ACT_continue) when q_halt > 0.
func (m *Model) halts(qHalt, qCont float32) bool {
	if m.Cfg.Arch == ArchTRM {
		return qHalt > 0
	}
	return qHalt > qCont
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
// the config has no rotary embedding (learned or no positions, or mlp_t,
// whose blocks ignore them as the official code does).
func RopeTables(c Config) (cos, sin []float32) {
	if c.PosEncodings != "rope" || !c.Attention() {
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
	t0 := s.profStart()
	for i := range z {
		z[i] += inj[i]
	}
	s.profEnd(ProfResidual, t0, 0)
	quantized := false
	for i := range blocks {
		var next *Linear
		if i+1 < len(blocks) && !m.Cfg.MLPT {
			next = &blocks[i+1].QKV
		}
		quantized = m.block(s, &blocks[i], z, n, quantized, next)
	}
}

// block applies one post-norm block in place to h [n·T, D]:
// h ← rms(h + Mix(h)); h ← rms(h + MLP(h)). On the int8 path each step
// that feeds an int8 layer quantizes its output rows as it writes them:
// quantized says that acts already hold h (the block before did it), and
// next, the first layer of the following block, if any, asks the last
// RMSNorm to do the same. It returns whether it did.
func (m *Model) block(s *Session, b *Block, h []float32, n int, quantized bool, next *Linear) bool {
	c := m.Cfg
	D, F := c.HiddenSize, c.Inter()
	rows := n * c.TotalLen()

	if c.MLPT {
		m.tokenMLP(s, b, h, n)
		quantized = false
	} else {
		qkv := s.qkv[:rows*3*D]
		s.linearQ(&b.QKV, qkv, h, rows, quantized)
		if c.PosEncodings == "rope" {
			s.rowwise(opRoPE, qkv, nil, rows, 3*D)
		}
		att := s.att[:rows*D]
		s.attention(att, qkv, n)
		tmp := s.tmp[:rows*D]
		s.linear(&b.O, tmp, att, rows)
		quantized = b.GateUp.Q != nil
		s.rowwiseQ(opAddRMSNorm, h, tmp, rows, D, quantized)
	}

	tmp := s.tmp[:rows*D]
	hid := s.hid[:rows*F]
	if q := b.GateUp.Q; q != nil && q.SwiGLUTiles() > 0 && !unfused {
		s.linearSwiGLU(&b.GateUp, hid, h, rows, quantized)
		s.rowwiseQ(opRotate, hid, nil, rows, F, b.Down.Q != nil)
	} else {
		gu := s.gu[:rows*2*F]
		s.linearQ(&b.GateUp, gu, h, rows, quantized)
		s.rowwiseQ(opSwiGLU, hid, gu, rows, F, b.Down.Q != nil)
	}
	s.linearQ(&b.Down, tmp, hid, rows, b.Down.Q != nil)
	quantized = next != nil && next.Q != nil
	s.rowwiseQ(opAddRMSNorm, h, tmp, rows, D, quantized)
	return quantized
}

// tokenMLP is TRM's mlp_t mixer on h [n·T, D]: per sequence, the SwiGLU
// runs over the position axis of hᵀ [D, T] and the RMSNorm normalises each
// channel over positions. The transpose goes to a session buffer so that
// both matrix products are ordinary row-major GEMMs (rows = n·D channels,
// K = T or I_t), on the same int8 and float32 kernels as everything else.
func (m *Model) tokenMLP(s *Session, b *Block, h []float32, n int) {
	c := m.Cfg
	T, D, It := c.TotalLen(), c.HiddenSize, c.TokenInter()
	rows := n * D
	ht := s.att[:rows*T]
	s.transpose(ht, h, n, T, D)
	gu := s.gu[:rows*2*It]
	s.linear(&b.TokGateUp, gu, ht, rows)
	hid := s.hid[:rows*It]
	s.rowwiseQ(opSwiGLU, hid, gu, rows, It, b.TokDown.Q != nil)
	tmp := s.tmp[:rows*T]
	s.linearQ(&b.TokDown, tmp, hid, rows, b.TokDown.Q != nil)
	s.rowwise(opAddRMSNorm, ht, tmp, rows, T)
	s.transpose(h, ht, n, D, T)
}

// The row-wise steps of a block; Session.rowwise splits rows across workers.
const (
	opRoPE       = iota // rotate the q and k heads of qkv rows [r, 3D] in place
	opAddRMSNorm        // dst ← rms(dst + src), rows of width w
	opSwiGLU            // dst[r, w] ← silu(gate)·up, src rows [gate w | up w]
	opRotate            // the down input's rotation of dst rows in place (SwiGLU done in the GEMM)
)

// rowOp applies a row-wise step to rows [r0, r1) of width w.
func (m *Model) rowOp(op int, dst, src []float32, r0, r1, w int) {
	c := m.Cfg
	T, D := c.TotalLen(), c.HiddenSize
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
			asm.AddRMSNorm(dst[r*w:(r+1)*w], src[r*w:(r+1)*w], float32(c.RMSNormEps))
		}
	case opSwiGLU:
		for r := r0; r < r1; r++ {
			asm.SwiGLU(dst[r*w:(r+1)*w], src[r*2*w:r*2*w+w], src[r*2*w+w:(r+1)*2*w])
			if m.downRot > 0 {
				asm.Hadamard(dst[r*w:(r+1)*w], m.downRot)
			}
		}
	case opRotate:
		if m.downRot > 0 {
			for r := r0; r < r1; r++ {
				asm.Hadamard(dst[r*w:(r+1)*w], m.downRot)
			}
		}
	}
}

// segment runs one ACT segment for the first n sequences of the session:
// H_cycles × (L_cycles latent updates z_L ← L(z_L + z_H + x), then one
// answer update z_H ← H(z_H + z_L)). HRM and TRM share this schedule; TRM's
// answer update runs the L stack (answerStack). At inference the official
// gradient split (HRM's one step, TRM's last round) does not matter; this
// is the plain loop.
func (m *Model) segment(s *Session, n int) {
	c := m.Cfg
	sz := n * c.TotalLen() * c.HiddenSize
	zH, zL, x, inj := s.zH[:sz], s.zL[:sz], s.x[:sz], s.inj[:sz]
	answer := m.answerStack()
	inner := s.obs != nil && s.obs.Updates
	for h := 0; h < c.HCycles; h++ {
		for l := 0; l < c.LCycles; l++ {
			t0 := s.profStart()
			for i := range inj {
				inj[i] = zH[i] + x[i]
			}
			s.profEnd(ProfResidual, t0, 0)
			m.stack(s, m.L, zL, inj, n)
			if inner {
				s.observe(h, l)
			}
		}
		m.stack(s, answer, zH, zL, n)
		if inner && h < c.HCycles-1 {
			s.observe(h, c.LCycles)
		}
	}
	t0 := s.profStart()
	m.heads(s, n)
	s.profEnd(ProfHeads, t0, float64(n)*float64(c.SeqLen)*float64(c.VocabSize)*float64(c.HiddenSize))
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
