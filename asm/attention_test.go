package asm

import (
	"math"
	"math/rand/v2"
	"testing"
)

// Attention tolerance: for every output o[t][h·d+i],
//
//	|o − exact| <= attnTol · (1 + S_t/10) · Σ_s p_s·|v_s[i]| + 1e-30
//
// where p is the exact softmax row, S_t = max_s |q_t·k_s|/sqrt(d) the
// largest score magnitude of the row, and exact is computed in float64
// with a two-pass softmax. Σ p|v| is the natural scale of the output (it is
// |o| when v has one sign), so this is a relative error of 1e-5 for
// ordinary scores. The (1 + S/10) factor is float32's own limit, shared by
// the generic kernel: a score of magnitude S carries a rounding error of
// about 2e-7·S, which exp turns into the same relative error of p
// (measured: 4e-7 at S = 5, 1e-5 at S = 38, 2.4e-5 at S = 95).
const attnTol = 1e-5

// refAttention returns the exact output of head h, the scale Σ p|v| of
// each output, and the tolerance factor 1 + S_t/10 of each row.
func refAttention(qkv []float32, T, heads, d, h int) (o, mag, rowTol []float64) {
	D := heads * d
	ld := 3 * D
	o, mag, rowTol = make([]float64, T*d), make([]float64, T*d), make([]float64, T)
	sc := make([]float64, T)
	for t := 0; t < T; t++ {
		mx := math.Inf(-1)
		var smax float64
		for s := 0; s < T; s++ {
			var dot float64
			for i := 0; i < d; i++ {
				dot += float64(qkv[t*ld+h*d+i]) * float64(qkv[s*ld+D+h*d+i])
			}
			sc[s] = dot / math.Sqrt(float64(d))
			mx = math.Max(mx, sc[s])
			smax = math.Max(smax, math.Abs(sc[s]))
		}
		rowTol[t] = 1 + smax/10
		var l float64
		for s := range sc {
			sc[s] = math.Exp(sc[s] - mx)
			l += sc[s]
		}
		for s := 0; s < T; s++ {
			p := sc[s] / l
			for i := 0; i < d; i++ {
				v := float64(qkv[s*ld+2*D+h*d+i])
				o[t*d+i] += p * v
				mag[t*d+i] += p * math.Abs(v)
			}
		}
	}
	return o, mag, rowTol
}

func checkAttention(t *testing.T, r *rand.Rand, T, heads, d int, qScale float32) {
	t.Helper()
	D := heads * d
	qkv := randF32(r, T*3*D)
	for tt := 0; tt < T; tt++ {
		for j := 0; j < D; j++ {
			qkv[tt*3*D+j] *= qScale // peaky softmax: exercises the running max and underflow
		}
	}
	const sentinel = 12345
	o := make([]float32, T*D+1)
	for i := range o {
		o[i] = sentinel
	}
	// Heads [h0,h1) only write their own columns.
	h0, h1 := 0, heads
	if heads > 2 {
		h0, h1 = 1, heads-1
	}
	AttentionF32Heads(o, qkv, T, heads, d, h0, h1)
	// Caller-owned scratch, full of NaNs: same bits as the pooled path.
	ws := make([]float32, AttentionWorkspace(T, d))
	for i := range ws {
		ws[i] = float32(math.NaN())
	}
	o2 := append([]float32(nil), o...)
	AttentionF32HeadsWs(o2, qkv, T, heads, d, h0, h1, ws)
	for i := range o {
		if math.Float32bits(o[i]) != math.Float32bits(o2[i]) {
			t.Fatalf("T=%d heads=%d d=%d: AttentionF32HeadsWs differs at %d: %g vs %g", T, heads, d, i, o2[i], o[i])
		}
	}
	for h := 0; h < heads; h++ {
		if h < h0 || h >= h1 {
			for tt := 0; tt < T; tt++ {
				for i := 0; i < d; i++ {
					if o[tt*D+h*d+i] != sentinel {
						t.Fatalf("T=%d heads=%d d=%d: head %d outside [%d,%d) was written", T, heads, d, h, h0, h1)
					}
				}
			}
			continue
		}
		want, mag, rowTol := refAttention(qkv, T, heads, d, h)
		for tt := 0; tt < T; tt++ {
			for i := 0; i < d; i++ {
				got := float64(o[tt*D+h*d+i])
				if e := math.Abs(got - want[tt*d+i]); !(e <= attnTol*rowTol[tt]*mag[tt*d+i]+1e-30) {
					t.Fatalf("T=%d heads=%d d=%d qScale=%g: o[%d][head %d, %d] = %g, exact %g (error %.3g, scale %.3g)",
						T, heads, d, qScale, tt, h, i, got, want[tt*d+i], e, mag[tt*d+i])
				}
			}
		}
	}
	if o[T*D] != sentinel {
		t.Fatal("wrote past the end of o")
	}
}

func TestAttention(t *testing.T) {
	eachTier(t, FamilyAttention, func(t *testing.T) {
		r := rand.New(rand.NewPCG(11, 12))
		for _, T := range []int{1, 2, 3, 5, 15, 16, 17, 31, 32, 33, 48, 64, 82, 100} {
			for _, hd := range [][2]int{{1, 64}, {3, 64}, {8, 64}, {2, 16}, {3, 8}, {1, 3}, {2, 128}} {
				checkAttention(t, r, T, hd[0], hd[1], 1)
			}
			checkAttention(t, r, T, 2, 64, 8)
		}
		if !testing.Short() {
			checkAttention(t, r, 901, 2, 64, 1)
			checkAttention(t, r, 300, 1, 64, 20)
		}
	})
}

func FuzzAttention(f *testing.F) {
	f.Add(uint16(1), uint8(1), uint8(64), uint64(0), float32(1))
	f.Add(uint16(17), uint8(2), uint8(64), uint64(1), float32(4))
	f.Add(uint16(82), uint8(3), uint8(16), uint64(2), float32(0.5))
	f.Fuzz(func(t *testing.T, T uint16, heads, d uint8, seed uint64, qScale float32) {
		if T == 0 || T > 300 || heads == 0 || heads > 4 || d == 0 || d > 128 || !(qScale > 0 && qScale < 30) {
			return
		}
		eachTier(t, FamilyAttention, func(t *testing.T) {
			checkAttention(t, rand.New(rand.NewPCG(seed, 3)), int(T), int(heads), int(d), qScale)
		})
	})
}

// SoftmaxRow on every attention tier against float64, at the tolerance of
// the attention kernels: each probability within attnTol·(1 + S/10) of
// itself, S the largest |scale·x| of the row.
func TestSoftmaxRow(t *testing.T) {
	eachTier(t, FamilyAttention, func(t *testing.T) {
		r := rand.New(rand.NewPCG(51, 52))
		for _, n := range []int{1, 2, 3, 7, 8, 9, 15, 16, 17, 31, 64, 81, 82, 97, 100, 257, 916} {
			for _, mag := range []float64{0.1, 1, 5, 30} {
				x := make([]float32, n+1)
				for i := range x {
					x[i] = float32(r.NormFloat64() * mag)
				}
				x[n] = 7
				scale := float32(1 / math.Sqrt(32))
				want := make([]float64, n)
				mx, smax := math.Inf(-1), 0.0
				for _, v := range x[:n] {
					mx = math.Max(mx, float64(scale)*float64(v))
					smax = math.Max(smax, math.Abs(float64(scale)*float64(v)))
				}
				var l float64
				for i, v := range x[:n] {
					want[i] = math.Exp(float64(scale)*float64(v) - mx)
					l += want[i]
				}
				SoftmaxRow(x[:n], scale)
				for i := range want {
					p := want[i] / l
					if d := math.Abs(float64(x[i]) - p); d > attnTol*(1+smax/10)*p+1e-30 {
						t.Fatalf("n=%d mag=%g: p[%d] = %g, exact %g", n, mag, i, x[i], p)
					}
				}
				if x[n] != 7 {
					t.Fatalf("n=%d: wrote past the end", n)
				}
			}
		}
		SoftmaxRow(nil, 1)
	})
}
