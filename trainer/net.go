package trainer

import (
	"math"

	"github.com/hrmgo/hrm/runtime"
)

// blockW holds one block's weights (or gradients) as views into a flat
// buffer.
type blockW[T Float] struct{ qkv, o, gu, down []T }

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
			b[i] = blockW[T]{
				w.byName[runtime.BlockKey(stack, i, runtime.KeyQKV)], w.byName[runtime.BlockKey(stack, i, runtime.KeyO)],
				w.byName[runtime.BlockKey(stack, i, runtime.KeyGateUp)], w.byName[runtime.BlockKey(stack, i, runtime.KeyDown)],
			}
		}
		return b
	}
	w.H, w.L = blocks(runtime.StackH, cfg.HLayers), blocks(runtime.StackL, cfg.LLayers)
	return w
}

// blockCache keeps what one block application's backward needs.
type blockCache[T Float] struct {
	in, qkv, lse, att, y1, r1, gu, hid, y2, r2 []T
	p                                          []T // float32 only: attention probabilities [n, heads, T, T]
}

func newBlockCache[T Float](N, n, heads, D, F int) *blockCache[T] {
	f := func(k int) []T { return make([]T, k) }
	c := &blockCache[T]{in: f(N * D), qkv: f(N * 3 * D), lse: f(N * heads), att: f(N * D),
		y1: f(N * D), r1: f(N), gu: f(N * 2 * F), hid: f(N * F), y2: f(N * D), r2: f(N)}
	if _, ok := any(c.in).([]float32); ok {
		T := N / n
		c.p = f(n * heads * T * T)
	}
	return c
}

// net is the training-time model over n sequences: forward with saved
// activations for the one-step gradient, and the backward.
type net[T Float] struct {
	cfg              runtime.Config
	n, T, D, F       int
	heads, d, P      int
	ropeCos, ropeSin []float32
	w, g             *weights[T]

	// activations
	x            []T // [n,T,D] input embedding
	zH, zL       []T // carry in/out
	tmp, inj     []T
	logits       []T // [n,S,V]
	q            []T // [n,2]
	lc, hc       []*blockCache[T]
	scratch      *blockCache[T] // no-grad blocks
	dh, dh2, dy1 []T
	datt, dhid   []T
	dgu, dqkv    []T
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
		dh: f(N * D), dh2: f(N * D), dy1: f(N * D), datt: f(N * D), dhid: f(N * F), dgu: f(N * 2 * F), dqkv: f(N * 3 * D),
		dlogits: f(n * cfg.SeqLen * cfg.VocabSize), dq: f(2 * n),
		tokens: make([]int32, n*cfg.SeqLen), pids: make([]int32, n), dpuzzle: f(n * cfg.PuzzleEmbNdim),
	}
	m.ropeCos, m.ropeSin = runtime.RopeTables(cfg)
	for range cfg.LLayers {
		m.lc = append(m.lc, newBlockCache[T](N, n, cfg.NumHeads, D, F))
	}
	for range cfg.HLayers {
		m.hc = append(m.hc, newBlockCache[T](N, n, cfg.NumHeads, D, F))
	}
	m.scratch = newBlockCache[T](N, n, cfg.NumHeads, D, F)
	m.ws = newAttnScratch(T_, cfg.HeadDim())
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
	copy(c.in, h)
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
	for j := range h {
		h[j] += m.tmp[j]
	}
	rmsFwd(h, c.r1, D, eps)
	copy(c.y1, h)
	linearFwd(c.gu, h, w.gu, N, 2*F, D)
	swigluFwd(c.hid, c.gu, N, F)
	linearFwd(m.tmp, c.hid, w.down, N, D, F)
	for j := range h {
		h[j] += m.tmp[j]
	}
	rmsFwd(h, c.r2, D, eps)
	copy(c.y2, h)
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

// forward runs one segment from the carry in zH/zL: every cycle but the last
// L and H updates without saving activations, those two with (the official
// one-step gradient), then the heads.
func (m *net[T]) forward() {
	c := m.cfg
	m.embed()
	for h := 0; h < c.HCycles; h++ {
		for l := 0; l < c.LCycles; l++ {
			last := h == c.HCycles-1 && l == c.LCycles-1
			for j := range m.inj {
				m.inj[j] = m.zH[j] + m.x[j]
			}
			if last {
				m.stack(m.w.L, m.lc, m.zL, m.inj)
			} else {
				m.stack(m.w.L, nil, m.zL, m.inj)
			}
		}
		if h == c.HCycles-1 {
			m.stack(m.w.H, m.hc, m.zH, m.zL)
		} else {
			m.stack(m.w.H, nil, m.zH, m.zL)
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
	for i := len(m.w.H) - 1; i >= 0; i-- {
		m.blockBwd(&m.w.H[i], &m.g.H[i], m.hc[i], dz)
	}
	// dz is now d(z_H + z_L_g): z_H is a constant, z_L_g carries gradient.
	for i := len(m.w.L) - 1; i >= 0; i-- {
		m.blockBwd(&m.w.L[i], &m.g.L[i], m.lc[i], dz)
	}
	// dz is d(z_L + z_H + x): only x carries gradient.
	m.embedBwd(dz)
}
