package trainer

import (
	"math"

	"github.com/hrmgo/hrm/runtime"
)

// blockW holds one block's weights (or gradients) as views into a flat
// buffer: the token mixer (attention's qkv and o, or mlp_t's tgu and
// tdown; the other pair is nil), then the channel MLP.
type blockW[T Float] struct{ qkv, o, tgu, tdown, gu, down []T }

// weights views a flat buffer as the named tensors of a config, in
// runtime.TensorSpecs order. The same layout serves parameters, gradients
// and optimizer moments.
type weights[T Float] struct {
	flat   []T
	byName map[string][]T
	embed  []T
	lmHead []T
	qW, qB []T
	puzzle []T // the persistent puzzle-embedding table; trained by sign-SGD
	pos    []T
	hInit  []T
	lInit  []T
	H, L   []blockW[T]
}

func numel(shape []int) int {
	n := 1
	for _, d := range shape {
		n *= d
	}
	return n
}

func newWeights[T Float](cfg runtime.Config) *weights[T] {
	specs := cfg.TensorSpecs()
	n := 0
	for _, s := range specs {
		n += numel(s.Shape)
	}
	w := &weights[T]{flat: make([]T, n), byName: map[string][]T{}}
	off := 0
	for _, s := range specs {
		k := numel(s.Shape)
		w.byName[s.Name] = w.flat[off : off+k : off+k]
		off += k
	}
	w.embed, w.lmHead = w.byName[runtime.KeyEmbed], w.byName[runtime.KeyLMHead]
	w.qW, w.qB = w.byName[runtime.KeyQHeadW], w.byName[runtime.KeyQHeadB]
	w.puzzle, w.pos = w.byName[runtime.KeyPuzzleEmb], w.byName[runtime.KeyPos]
	w.hInit, w.lInit = w.byName[runtime.KeyHInit], w.byName[runtime.KeyLInit]
	blocks := func(stack string, n int) []blockW[T] {
		b := make([]blockW[T], n)
		for i := range b {
			k := func(key string) []T { return w.byName[runtime.BlockKey(stack, i, key)] }
			b[i] = blockW[T]{k(runtime.KeyQKV), k(runtime.KeyO), k(runtime.KeyTokGateUp), k(runtime.KeyTokDown), k(runtime.KeyGateUp), k(runtime.KeyDown)}
		}
		return b
	}
	w.H, w.L = blocks(runtime.StackH, cfg.HLayers), blocks(runtime.StackL, cfg.LLayers)
	return w
}

// blockCache keeps what one block application's backward needs. The r
// fields hold each normalised row's factor 1/rms (rmsFwd).
type blockCache[T Float] struct {
	in, y1, gu, hid, y2, r2 []T
	// attention
	qkv, lse, att, r1 []T
	p                 []T // float32 only: attention probabilities [n, heads, T, T]
	// mlp_t, in the transposed layout [n·D, T]: its input, gate/up, hidden,
	// normalised output and the per-channel 1/rms over positions
	tin, tgu, thid, ty, tr []T
}

func newBlockCache[T Float](cfg runtime.Config, n int) *blockCache[T] {
	T_, D, F := cfg.TotalLen(), cfg.HiddenSize, cfg.Inter()
	N := n * T_
	f := func(k int) []T { return make([]T, k) }
	c := &blockCache[T]{in: f(N * D), y1: f(N * D), gu: f(N * 2 * F), hid: f(N * F), y2: f(N * D), r2: f(N)}
	if cfg.MLPT {
		It := cfg.TokenInter()
		c.tin, c.tgu, c.thid, c.ty, c.tr = f(N*D), f(n*D*2*It), f(n*D*It), f(N*D), f(n*D)
		return c
	}
	heads := cfg.NumHeads
	c.qkv, c.lse, c.att, c.r1 = f(N*3*D), f(N*heads), f(N*D), f(N)
	if _, ok := any(c.in).([]float32); ok {
		c.p = f(n * heads * T_ * T_)
	}
	return c
}

// net is the training-time model over n sequences: forward with saved
// activations where the recipe takes gradients, and the backward.
//
// Both recipes back-propagate through the last latent updates and the last
// answer update of a segment, and treat everything before as constants:
// HRM's one-step gradient is the last L update (gradL = 1) and the last H
// update; TRM's is the whole last round, its L_cycles latent updates and
// its answer update, all through the one L stack.
type net[T Float] struct {
	cfg              runtime.Config
	n, T, D, F       int
	heads, d, P      int
	gradL            int // latent updates with gradient, at the end of the last round
	ropeCos, ropeSin []float32
	w, g             *weights[T]
	aw, ag           []blockW[T] // the answer update's stack: H (HRM) or L (TRM)

	// activations
	x            []T // [n,T,D] input embedding
	zH, zL       []T // carry in/out
	tmp, inj     []T
	logits       []T                // [n,S,V]
	q            []T                // [n,2]
	lc           [][]*blockCache[T] // [gradL][L layers]
	hc           []*blockCache[T]   // the answer update
	scratch      *blockCache[T]     // no-grad blocks
	dh, dh2, dy1 []T
	datt, dhid   []T
	dgu, dqkv    []T
	dx           []T // gradient of x, summed over the latent updates
	dt, dthid    []T // mlp_t backward: [n·D, T] and [n·D, I_t]
	dtgu         []T // [n·D, 2·I_t]
	dlogits, dq  []T
	ws           *attnScratch // float32 attention operands
	tokens       []int32
	pids         []int32
	dpuzzle      []T // [n, ndim] gradient of the rows' puzzle embeddings
}

func newNet[T Float](cfg runtime.Config, w, g *weights[T], n int) *net[T] {
	T_, D, F := cfg.TotalLen(), cfg.HiddenSize, cfg.Inter()
	N := n * T_
	f := func(k int) []T { return make([]T, k) }
	m := &net[T]{cfg: cfg, n: n, T: T_, D: D, F: F, heads: cfg.NumHeads, d: cfg.HeadDim(), P: cfg.PrefixLen(), w: w, g: g,
		x: f(N * D), zH: f(N * D), zL: f(N * D), tmp: f(N * D), inj: f(N * D),
		logits: f(n * cfg.SeqLen * cfg.VocabSize), q: f(2 * n),
		dh: f(N * D), dh2: f(N * D), dy1: f(N * D), dhid: f(N * F), dgu: f(N * 2 * F), dx: f(N * D),
		dlogits: f(n * cfg.SeqLen * cfg.VocabSize), dq: f(2 * n),
		tokens: make([]int32, n*cfg.SeqLen), pids: make([]int32, n), dpuzzle: f(n * cfg.PuzzleEmbNdim),
	}
	m.ropeCos, m.ropeSin = runtime.RopeTables(cfg)
	m.gradL, m.aw, m.ag = 1, w.H, g.H
	answerLayers := cfg.HLayers
	if cfg.Arch == runtime.ArchTRM {
		m.gradL, m.aw, m.ag, answerLayers = cfg.LCycles, w.L, g.L, cfg.LLayers
	}
	if cfg.MLPT {
		It := cfg.TokenInter()
		m.dt, m.dthid, m.dtgu = f(N*D), f(n*D*It), f(n*D*2*It)
	} else {
		m.datt, m.dqkv = f(N*D), f(N*3*D)
		m.ws = newAttnScratch(T_, cfg.HeadDim())
	}
	for range m.gradL {
		var cs []*blockCache[T]
		for range cfg.LLayers {
			cs = append(cs, newBlockCache[T](cfg, n))
		}
		m.lc = append(m.lc, cs)
	}
	for range answerLayers {
		m.hc = append(m.hc, newBlockCache[T](cfg, n))
	}
	m.scratch = newBlockCache[T](cfg, n)
	return m
}

// embed writes x for the n sequences.
func (m *net[T]) embed() {
	c := m.cfg
	D, P, S := m.D, m.P, c.SeqLen
	scale := T(math.Sqrt(float64(D)))
	for i := 0; i < m.n; i++ {
		x := m.x[i*m.T*D : (i+1)*m.T*D]
		clear(x[:P*D])
		if c.PuzzleEmbNdim > 0 {
			id := int(m.pids[i])
			copy(x, m.w.puzzle[id*c.PuzzleEmbNdim:(id+1)*c.PuzzleEmbNdim])
		}
		for t, tok := range m.tokens[i*S : (i+1)*S] {
			copy(x[(P+t)*D:(P+t+1)*D], m.w.embed[int(tok)*D:int(tok+1)*D])
		}
		if c.PosEncodings == "learned" {
			for j := range x {
				x[j] = T(0.707106781) * (x[j] + m.w.pos[j])
			}
		}
		for j := range x {
			x[j] *= scale
		}
	}
}

// embedBwd scatters dx into the token, position and puzzle gradients.
func (m *net[T]) embedBwd(dx []T) {
	c := m.cfg
	D, P, S := m.D, m.P, c.SeqLen
	scale := T(math.Sqrt(float64(D)))
	if c.PosEncodings == "learned" {
		scale *= T(0.707106781)
	}
	for i := 0; i < m.n; i++ {
		de := dx[i*m.T*D : (i+1)*m.T*D]
		if c.PosEncodings == "learned" {
			for j, v := range de {
				m.g.pos[j] += scale * v
			}
		}
		for t, tok := range m.tokens[i*S : (i+1)*S] {
			ge, src := m.g.embed[int(tok)*D:int(tok+1)*D], de[(P+t)*D:(P+t+1)*D]
			for j, v := range src {
				ge[j] += scale * v
			}
		}
		if c.PuzzleEmbNdim > 0 {
			dp := m.dpuzzle[i*c.PuzzleEmbNdim : (i+1)*c.PuzzleEmbNdim]
			for j := range dp {
				dp[j] = scale * de[j]
			}
		}
	}
}

// block applies one block to h [N,D] in place, saving activations in c.
func (m *net[T]) block(w *blockW[T], c *blockCache[T], h []T) {
	N, D, F := m.n*m.T, m.D, m.F
	eps := T(m.cfg.RMSNormEps)
	// Only the backward reads the saved inputs; the no-grad updates run
	// in m.scratch and skip the copies.
	save := c != m.scratch
	if save {
		copy(c.in, h)
	}
	if m.cfg.MLPT {
		m.tokenMLP(w, c, h)
	} else {
		m.attention(w, c, h)
	}
	if save {
		copy(c.y1, h)
	}
	linearFwd(c.gu, h, w.gu, N, 2*F, D)
	swigluFwd(c.hid, c.gu, N, F)
	linearFwd(m.tmp, c.hid, w.down, N, D, F)
	rmsFwd(h, m.tmp, c.r2, D, eps)
	if save {
		copy(c.y2, h)
	}
}

// attention is the attention sub-block: h ← rms(h + O·Attn(QKV·h)).
func (m *net[T]) attention(w *blockW[T], c *blockCache[T], h []T) {
	N, D := m.n*m.T, m.D
	linearFwd(c.qkv, h, w.qkv, N, 3*D, D)
	if m.ropeCos != nil {
		ropeApply(c.qkv, m.ropeCos, m.ropeSin, N, m.T, m.heads, m.d, 1)
	}
	for i := 0; i < m.n; i++ {
		att, qkv := c.att[i*m.T*D:(i+1)*m.T*D], c.qkv[i*m.T*3*D:(i+1)*m.T*3*D]
		if p, ok := any(c.p).([]float32); ok {
			attnFwdF32(any(att).([]float32), p[i*m.heads*m.T*m.T:(i+1)*m.heads*m.T*m.T], any(qkv).([]float32), m.T, m.heads, m.d, m.ws)
		} else {
			attnFwd(att, c.lse[i*m.T*m.heads:(i+1)*m.T*m.heads], qkv, m.T, m.heads, m.d)
		}
	}
	linearFwd(m.tmp, c.att, w.o, N, D, D)
	rmsFwd(h, m.tmp, c.r1, D, T(m.cfg.RMSNormEps))
}

// tokenMLP is TRM's mlp_t sub-block: per sequence, with u = hᵀ [D, T],
// u ← rms_T(u + SwiGLU_T(u)) and h ← uᵀ; the norm runs over positions.
func (m *net[T]) tokenMLP(w *blockW[T], c *blockCache[T], h []T) {
	T_, D, It := m.T, m.D, m.cfg.TokenInter()
	R := m.n * D // rows of the transposed layout: one per (sequence, channel)
	transposeSeqs(c.tin, h, m.n, T_, D)
	linearFwd(c.tgu, c.tin, w.tgu, R, 2*It, T_)
	swigluFwd(c.thid, c.tgu, R, It)
	linearFwd(c.ty, c.thid, w.tdown, R, T_, It)
	rmsFwd(c.ty, c.tin, c.tr, T_, T(m.cfg.RMSNormEps))
	transposeSeqs(h, c.ty, m.n, D, T_)
}

// tokenMLPBwd turns dy (gradient of tokenMLP's output, [N, D]) into the
// gradient of its input, in place, accumulating into g.
func (m *net[T]) tokenMLPBwd(w, g *blockW[T], c *blockCache[T], dy []T) {
	T_, D, It := m.T, m.D, m.cfg.TokenInter()
	R := m.n * D
	du := m.dt
	transposeSeqs(du, dy, m.n, T_, D)
	rmsBwd(du, c.ty, c.tr, T_) // du = d(u + SwiGLU_T(u))
	linearBwd(m.dthid, g.tdown, du, c.thid, w.tdown, R, T_, It, false)
	swigluBwd(m.dtgu, m.dthid, c.tgu, R, It)
	linearBwd(du, g.tgu, m.dtgu, c.tin, w.tgu, R, 2*It, T_, true) // the residual keeps du
	transposeSeqs(dy, du, m.n, D, T_)
}

// transposeSeqs writes dst [n, C, R] = src [n, R, C] transposed per sequence.
// Four source rows at a time, so each destination row gets four adjacent
// stores per pass (a sequence fits in L2 at these sizes): 3.1× faster than
// 8×8 blocks element by element at 32 × 97 × 64.
func transposeSeqs[T Float](dst, src []T, n, R, C int) {
	for i := 0; i < n; i++ {
		s, d := src[i*R*C:(i+1)*R*C], dst[i*R*C:(i+1)*R*C]
		r := 0
		for ; r+4 <= R; r += 4 {
			s0, s1, s2, s3 := s[r*C:(r+1)*C], s[(r+1)*C:(r+2)*C], s[(r+2)*C:(r+3)*C], s[(r+3)*C:(r+4)*C]
			s1, s2, s3 = s1[:len(s0)], s2[:len(s0)], s3[:len(s0)]
			for c, v := range s0 {
				q := d[c*R+r : c*R+r+4]
				q[0], q[1], q[2], q[3] = v, s1[c], s2[c], s3[c]
			}
		}
		for ; r < R; r++ {
			for c, v := range s[r*C : (r+1)*C] {
				d[c*R+r] = v
			}
		}
	}
}

// blockBwd turns dh (gradient of the block output) into the gradient of
// its input, in place, accumulating weight gradients into g.
func (m *net[T]) blockBwd(w, g *blockW[T], c *blockCache[T], dh []T) {
	N, D, F := m.n*m.T, m.D, m.F
	rmsBwd(dh, c.y2, c.r2, D)
	linearBwd(m.dhid, g.down, dh, c.hid, w.down, N, D, F, false)
	swigluBwd(m.dgu, m.dhid, c.gu, N, F)
	copy(m.dy1, dh)
	linearBwd(m.dy1, g.gu, m.dgu, c.y1, w.gu, N, 2*F, D, true)
	if m.cfg.MLPT {
		m.tokenMLPBwd(w, g, c, m.dy1)
		copy(dh, m.dy1)
		return
	}
	rmsBwd(m.dy1, c.y1, c.r1, D)
	linearBwd(m.datt, g.o, m.dy1, c.att, w.o, N, D, D, false)
	clear(m.dqkv)
	for i := 0; i < m.n; i++ {
		o := i * m.T
		dqkv, do, qkv := m.dqkv[o*3*D:(o+m.T)*3*D], m.datt[o*D:(o+m.T)*D], c.qkv[o*3*D:(o+m.T)*3*D]
		if p, ok := any(c.p).([]float32); ok {
			attnBwdF32(any(dqkv).([]float32), any(do).([]float32), p[i*m.heads*m.T*m.T:(i+1)*m.heads*m.T*m.T], any(qkv).([]float32), m.T, m.heads, m.d, m.ws)
		} else {
			attnBwd(dqkv, do, c.att[o*D:(o+m.T)*D], c.lse[o*m.heads:(o+m.T)*m.heads], qkv, m.T, m.heads, m.d)
		}
	}
	if m.ropeCos != nil {
		ropeApply(m.dqkv, m.ropeCos, m.ropeSin, N, m.T, m.heads, m.d, -1)
	}
	copy(dh, m.dy1)
	linearBwd(dh, g.qkv, m.dqkv, c.in, w.qkv, N, 3*D, D, true)
}

// stack runs z ← blocks(z + inj); caches nil means no gradient is needed.
func (m *net[T]) stack(blocks []blockW[T], caches []*blockCache[T], z, inj []T) {
	for j := range z {
		z[j] += inj[j]
	}
	for i := range blocks {
		c := m.scratch
		if caches != nil {
			c = caches[i]
		}
		m.block(&blocks[i], c, z)
	}
}

// stackBwd back-propagates dz through a stack applied with caches: dz
// becomes the gradient of z + inj.
func (m *net[T]) stackBwd(blocks, grads []blockW[T], caches []*blockCache[T], dz []T) {
	for i := len(blocks) - 1; i >= 0; i-- {
		m.blockBwd(&blocks[i], &grads[i], caches[i], dz)
	}
}

// forward runs one segment from the carry in zH/zL: every update without
// saving activations except the last gradL latent updates and the last
// answer update (see net), then the heads.
func (m *net[T]) forward() {
	c := m.cfg
	m.embed()
	for h := 0; h < c.HCycles; h++ {
		last := h == c.HCycles-1
		for l := 0; l < c.LCycles; l++ {
			for j := range m.inj {
				m.inj[j] = m.zH[j] + m.x[j]
			}
			var caches []*blockCache[T]
			if k := l - (c.LCycles - m.gradL); last && k >= 0 {
				caches = m.lc[k]
			}
			m.stack(m.w.L, caches, m.zL, m.inj)
		}
		if last {
			m.stack(m.aw, m.hc, m.zH, m.zL)
		} else {
			m.stack(m.aw, nil, m.zH, m.zL)
		}
	}
	S, V, D, P := c.SeqLen, c.VocabSize, m.D, m.P
	for i := 0; i < m.n; i++ {
		zH := m.zH[i*m.T*D : (i+1)*m.T*D]
		linearFwd(m.logits[i*S*V:(i+1)*S*V], zH[P*D:], m.w.lmHead, S, V, D)
		linearFwd(m.q[2*i:2*i+2], zH[:D], m.w.qW, 1, 2, D)
		m.q[2*i] += m.w.qB[0]
		m.q[2*i+1] += m.w.qB[1]
	}
}

// backward propagates m.dlogits and m.dq (set by the loss) into g and
// m.dpuzzle. Nothing flows into the carry: it is detached.
func (m *net[T]) backward() {
	c := m.cfg
	S, V, D, P := c.SeqLen, c.VocabSize, m.D, m.P
	dz := m.dh
	clear(dz)
	for i := 0; i < m.n; i++ {
		zH := m.zH[i*m.T*D : (i+1)*m.T*D]
		dzi := dz[i*m.T*D : (i+1)*m.T*D]
		linearBwd(dzi[P*D:], m.g.lmHead, m.dlogits[i*S*V:(i+1)*S*V], zH[P*D:], m.w.lmHead, S, V, D, false)
		linearBwd(dzi[:D], m.g.qW, m.dq[2*i:2*i+2], zH[:D], m.w.qW, 1, 2, D, true)
		m.g.qB[0] += m.dq[2*i]
		m.g.qB[1] += m.dq[2*i+1]
	}
	m.stackBwd(m.aw, m.ag, m.hc, dz)
	// dz is now d(z_H + z_L): z_H entered the round as a constant; z_L is
	// the last latent update's output.
	clear(m.dx)
	for k := m.gradL - 1; k >= 0; k-- {
		m.stackBwd(m.w.L, m.g.L, m.lc[k], dz)
		// dz is d(z_L + z_H + x): x takes it, and z_L carries it on to the
		// previous latent update (the first one's z_L is a constant).
		for j, v := range dz {
			m.dx[j] += v
		}
	}
	m.embedBwd(m.dx)
}
