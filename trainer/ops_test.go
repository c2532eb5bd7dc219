package trainer

import (
	"math"
	"math/rand/v2"
	"testing"

	"github.com/hrmgo/hrm/runtime"
	"github.com/stretchr/testify/require"
)

// fdCheck compares analytic gradients with central finite differences of a
// float64 scalar function at a sample of coordinates.
func fdCheck(t *testing.T, name string, x []float64, grad []float64, f func() float64, samples int, rng *rand.Rand) {
	t.Helper()
	const h = 1e-6
	n := len(x)
	for s := 0; s < min(samples, n); s++ {
		i := s
		if samples < n {
			i = rng.IntN(n)
		}
		old := x[i]
		x[i] = old + h
		fp := f()
		x[i] = old - h
		fm := f()
		x[i] = old
		num := (fp - fm) / (2 * h)
		tol := 1e-6 + 1e-5*math.Abs(num)
		require.InDelta(t, num, grad[i], tol, "%s[%d]: numeric %.9g analytic %.9g", name, i, num, grad[i])
	}
}

func randVec(rng *rand.Rand, n int, scale float64) []float64 {
	v := make([]float64, n)
	for i := range v {
		v[i] = rng.NormFloat64() * scale
	}
	return v
}

func dot(a, b []float64) float64 {
	var s float64
	for i := range a {
		s += a[i] * b[i]
	}
	return s
}

func TestGradLinear(t *testing.T) {
	rng := rand.New(rand.NewPCG(1, 2))
	n, out, in := 3, 4, 5
	x, w, r := randVec(rng, n*in, 1), randVec(rng, out*in, 1), randVec(rng, n*out, 1)
	y := make([]float64, n*out)
	f := func() float64 { linearFwd(y, x, w, n, out, in); return dot(y, r) }
	dx, dw := make([]float64, n*in), make([]float64, out*in)
	linearBwd(dx, dw, r, x, w, n, out, in, false)
	fdCheck(t, "x", x, dx, f, 100, rng)
	fdCheck(t, "w", w, dw, f, 100, rng)
}

func TestGradRMSNorm(t *testing.T) {
	rng := rand.New(rand.NewPCG(3, 4))
	n, D := 3, 7
	h, r := randVec(rng, n*D, 2), randVec(rng, n*D, 1)
	y, rr := make([]float64, n*D), make([]float64, n)
	f := func() float64 { copy(y, h); rmsFwd(y, nil, rr, D, 1e-5); return dot(y, r) }
	f()
	g := append([]float64(nil), r...)
	rmsBwd(g, y, rr, D)
	fdCheck(t, "h", h, g, f, 100, rng)
}

func TestGradSwiGLU(t *testing.T) {
	rng := rand.New(rand.NewPCG(5, 6))
	n, F := 2, 5
	gu, r := randVec(rng, n*2*F, 2), randVec(rng, n*F, 1)
	hid := make([]float64, n*F)
	f := func() float64 { swigluFwd(hid, gu, n, F); return dot(hid, r) }
	dgu := make([]float64, n*2*F)
	swigluBwd(dgu, r, gu, n, F)
	fdCheck(t, "gu", gu, dgu, f, 100, rng)
}

func TestGradRoPEAndAttention(t *testing.T) {
	rng := rand.New(rand.NewPCG(7, 8))
	cfg := runtime.Config{PosEncodings: "rope", RopeTheta: 10000, SeqLen: 5, HiddenSize: 8, NumHeads: 2}
	cos, sin := runtime.RopeTables(cfg)
	T, heads, d := 5, 2, 4
	D := heads * d
	qkv, r := randVec(rng, T*3*D, 1), randVec(rng, T*D, 1)
	rot, o, lse := make([]float64, T*3*D), make([]float64, T*D), make([]float64, T*heads)
	f := func() float64 {
		copy(rot, qkv)
		ropeApply(rot, cos, sin, T, T, heads, d, 1)
		attnFwd(o, lse, rot, T, heads, d)
		return dot(o, r)
	}
	f()
	g := make([]float64, T*3*D)
	attnBwd(g, r, o, lse, rot, T, heads, d)
	ropeApply(g, cos, sin, T, T, heads, d, -1)
	fdCheck(t, "qkv", qkv, g, f, 200, rng)
}

func TestGradLosses(t *testing.T) {
	rng := rand.New(rand.NewPCG(9, 10))
	for _, lossFn := range []func([]float64, int, []float64, float64) float64{stablemaxCE[float64], softmaxCE[float64]} {
		x := randVec(rng, 6, 3)
		g := make([]float64, 6)
		lossFn(x, 2, g, 1)
		fdCheck(t, "logits", x, g, func() float64 { return lossFn(x, 2, nil, 1) }, 6, rng)
	}
	for _, z := range []float64{-30, -2, 0.3, 5, 40} {
		for _, tt := range []float64{0, 0.4, 1} {
			_, g := bceLogits(z, tt)
			h := 1e-6
			lp, _ := bceLogits(z+h, tt)
			lm, _ := bceLogits(z-h, tt)
			require.InDelta(t, (lp-lm)/(2*h), g, 1e-6)
		}
	}
	// stablemax probabilities sum to one and match the definition.
	l := stablemaxCE([]float64{-1, 0, 2}, 2, nil, 1)
	require.InDelta(t, -math.Log(3/(0.5+1+3)), l, 1e-12)
}

// tinyCfg has no no-grad cycles (1/1), so the one-step gradient is the full
// gradient of the segment and finite differences apply directly.
func tinyCfg(pos string) runtime.Config {
	c := runtime.DefaultConfig()
	c.SeqLen, c.VocabSize, c.HiddenSize, c.NumHeads = 5, 6, 8, 2
	c.HLayers, c.LLayers, c.HCycles, c.LCycles = 2, 1, 1, 1
	c.Expansion, c.PuzzleEmbNdim, c.NumPuzzleIdentifiers = 4, 10, 3
	c.PosEncodings, c.HaltMaxSteps = pos, 4
	return c
}

// tinyTRM is tinyCfg as a TRM: one H round, so the whole round's gradient
// is the segment's, with two latent updates through a two-block stack and a
// three-row prefix (two puzzle rows, one of zero padding).
func tinyTRM(pos string, mlpT bool) runtime.Config {
	c := tinyCfg(pos)
	c.Arch, c.HLayers, c.LLayers, c.LCycles, c.PuzzleEmbLen, c.MLPT = runtime.ArchTRM, 0, 2, 2, 3, mlpT
	return c
}

// The whole segment's backward against finite differences, for every
// tensor: HRM and TRM, attention with both position encodings, and the
// token-mixing MLP (with and without positions), all with a puzzle prefix.
func TestGradSegment(t *testing.T) {
	for name, cfg := range map[string]runtime.Config{
		"hrm/rope": tinyCfg("rope"), "hrm/learned": tinyCfg("learned"),
		"trm/rope": tinyTRM("rope", false), "trm/learned": tinyTRM("learned", false),
		"trm/mlp_t": tinyTRM("none", true), "trm/mlp_t+learned": tinyTRM("learned", true),
	} {
		t.Run(name, func(t *testing.T) {
			require.NoError(t, cfg.Validate())
			rng := rand.New(rand.NewPCG(11, 12))
			w, g := newWeights[float64](cfg), newWeights[float64](cfg)
			for i := range w.flat {
				w.flat[i] = rng.NormFloat64() * 0.5
			}
			n := 2
			m := newNet(cfg, w, g, n)
			for i := range m.tokens {
				m.tokens[i] = int32(rng.IntN(cfg.VocabSize))
			}
			m.pids[0], m.pids[1] = 2, 0
			zH0, zL0 := randVec(rng, len(m.zH), 1), randVec(rng, len(m.zL), 1)
			rl, rq := randVec(rng, len(m.logits), 1), randVec(rng, 2*n, 1)
			f := func() float64 {
				copy(m.zH, zH0)
				copy(m.zL, zL0)
				m.forward()
				return dot(m.logits, rl) + dot(m.q, rq)
			}
			f()
			copy(m.dlogits, rl)
			copy(m.dq, rq)
			m.backward()
			// Puzzle rows get their gradient in m.dpuzzle (sign-SGD applies
			// it); fold it into g for the check.
			nd := cfg.PuzzleEmbNdim
			for i, id := range m.pids {
				for j := 0; j < nd; j++ {
					g.puzzle[int(id)*nd+j] += m.dpuzzle[i*nd+j]
				}
			}
			for _, sp := range cfg.TensorSpecs() {
				if sp.Name == runtime.KeyHInit || sp.Name == runtime.KeyLInit {
					continue // not used inside a segment: the carry is given
				}
				fdCheck(t, sp.Name, w.byName[sp.Name], g.byName[sp.Name], f, 12, rng)
			}
		})
	}
}

// The token-mixing MLP sub-block alone (transpose, SwiGLU over positions,
// residual, RMSNorm over positions, transpose back) against finite
// differences, for its input and both weight matrices.
func TestGradTokenMLP(t *testing.T) {
	cfg := tinyTRM("none", true)
	rng := rand.New(rand.NewPCG(15, 16))
	w, g := newWeights[float64](cfg), newWeights[float64](cfg)
	for i := range w.flat {
		w.flat[i] = rng.NormFloat64() * 0.5
	}
	n := 2
	m := newNet(cfg, w, g, n)
	N, D := n*m.T, m.D
	h0, r := randVec(rng, N*D, 1), randVec(rng, N*D, 1)
	h := make([]float64, N*D)
	c := m.lc[0][0]
	f := func() float64 { copy(h, h0); m.tokenMLP(&w.L[0], c, h); return dot(h, r) }
	f()
	dh := append([]float64(nil), r...)
	m.tokenMLPBwd(&w.L[0], &g.L[0], c, dh)
	fdCheck(t, "h", h0, dh, f, 60, rng)
	fdCheck(t, "mlp_t.gate_up", w.L[0].tgu, g.L[0].tgu, f, 60, rng)
	fdCheck(t, "mlp_t.down", w.L[0].tdown, g.L[0].tdown, f, 60, rng)
}

// The float32 GEMM attention of training equals the generic one.
func TestAttentionF32MatchesGeneric(t *testing.T) {
	rng := rand.New(rand.NewPCG(13, 14))
	for _, sh := range [][3]int{{5, 2, 4}, {17, 3, 8}, {82, 4, 32}} {
		T, heads, d := sh[0], sh[1], sh[2]
		D := heads * d
		f := func(n int, s float64) []float32 {
			v := make([]float32, n)
			for i := range v {
				v[i] = float32(rng.NormFloat64() * s)
			}
			return v
		}
		qkv, do := f(T*3*D, 1), f(T*D, 1)
		o1, lse := make([]float32, T*D), make([]float32, T*heads)
		attnFwd(o1, lse, qkv, T, heads, d)
		o2, p := make([]float32, T*D), make([]float32, heads*T*T)
		ws := newAttnScratch(T, d)
		attnFwdF32(o2, p, qkv, T, heads, d, ws)
		g1, g2 := make([]float32, T*3*D), make([]float32, T*3*D)
		attnBwd(g1, do, o1, lse, qkv, T, heads, d)
		attnBwdF32(g2, do, p, qkv, T, heads, d, ws)
		for i := range o1 {
			require.InDelta(t, o1[i], o2[i], 1e-5, "o[%d] shape %v", i, sh)
		}
		for i := range g1 {
			require.InDelta(t, g1[i], g2[i], 1e-4*(1+math.Abs(float64(g1[i]))), "dqkv[%d] shape %v", i, sh)
		}
	}
}

// The float32 SwiGLU backward (asm.SwiGLUBwd) equals the plain formula in
// float64 to float32 precision, including at gate 0 and for large |gate|.
func TestSwiGLUBwdF32(t *testing.T) {
	rng := rand.New(rand.NewPCG(17, 18))
	n, F := 3, 37
	gu, dh := make([]float32, n*2*F), make([]float32, n*F)
	for i := range gu {
		gu[i] = float32(rng.NormFloat64() * 4)
	}
	gu[0], gu[1], gu[2] = 0, 30, -30
	for i := range dh {
		dh[i] = float32(rng.NormFloat64())
	}
	got := make([]float32, n*2*F)
	swigluBwd(got, dh, gu, n, F)
	g64, d64, want := make([]float64, len(gu)), make([]float64, len(dh)), make([]float64, len(got))
	for i, v := range gu {
		g64[i] = float64(v)
	}
	for i, v := range dh {
		d64[i] = float64(v)
	}
	swigluBwd(want, d64, g64, n, F)
	for i := range got {
		require.InDelta(t, want[i], float64(got[i]), 1e-5*(1+math.Abs(want[i])), "dgu[%d]", i)
	}
}
