package asm

import (
	"encoding/binary"
	"fmt"
	"math"
	"math/rand/v2"
	"os"
	"testing"
)

// The vector family's tiers must equal the generic functions bit for bit
// (NaN compares equal to NaN, whatever its payload). The generic functions
// are checked against float64 separately (Exp32 within 1 ulp, SwiGLU within
// 4 ulp, AddRMSNorm and RoPEHalf within a few 1e-7 relative).

// vecLens are the lengths every kernel is tried on: all of 0..100 (every
// tail), HRM's 512 and 1536, and a few odd large ones.
func vecLens() []int {
	var ls []int
	for n := 0; n <= 100; n++ {
		ls = append(ls, n)
	}
	return append(ls, 127, 128, 129, 255, 512, 1536, 1541)
}

func sameF32(a, b float32) bool {
	return math.Float32bits(a) == math.Float32bits(b) || (a != a && b != b)
}

func checkSameF32(t *testing.T, what string, got, want []float32) {
	t.Helper()
	for i := range want {
		if !sameF32(got[i], want[i]) {
			t.Fatalf("%s: [%d] = %g (%#08x), generic %g (%#08x)", what, i, got[i], math.Float32bits(got[i]), want[i], math.Float32bits(want[i]))
		}
	}
}

// specialF32 are values every float kernel meets in some test.
var specialF32 = []float32{0, float32(math.Copysign(0, -1)), 1, -1, 0.5, -0.5, 1e-45, -1e-45, 1.1754942e-38, 3.4028235e38, -3.4028235e38,
	float32(math.Inf(1)), float32(math.Inf(-1)), float32(math.NaN()), 88.72283, -88.72283, 88.72284, -88.72284, 86, -86, -86.00001,
	87.33655, -87.33655, 103.97208, -103.97208, 16.635532, -16.635532, 17, -17, 1e-8, -1e-8, 40, -40}

// randVec fills x with values of one of several kinds.
func randVec(r *rand.Rand, x []float32, kind int) {
	for i := range x {
		switch kind {
		case 0: // activations
			x[i] = float32(r.NormFloat64() * 3)
		case 1: // any magnitude, either sign
			x[i] = float32(math.Ldexp(r.Float64()*2-1, r.IntN(280)-150))
		case 2: // SwiGLU's interesting range
			x[i] = float32(r.Float64()*240 - 120)
		case 3: // any bit pattern
			x[i] = math.Float32frombits(r.Uint32())
		case 4: // mostly ordinary, some special
			x[i] = float32(r.NormFloat64())
			if r.IntN(8) == 0 {
				x[i] = specialF32[r.IntN(len(specialF32))]
			}
		}
	}
}

// ---------------------------------------------------------------------------
// QuantizeRowS8

func checkQuantizeSame(t *testing.T, src []float32) {
	t.Helper()
	n := len(src)
	want := make([]int8, n)
	ws := quantizeRowS8Ref(want, src)
	got := make([]int8, n+3)
	for i := range got {
		got[i] = 99
	}
	gs := QuantizeRowS8(got, src)
	if math.Float32bits(gs) != math.Float32bits(ws) {
		t.Fatalf("n=%d: scale %g, generic %g (src %v)", n, gs, ws, src[:min(n, 8)])
	}
	for i := range want {
		if got[i] != want[i] {
			t.Fatalf("n=%d: q[%d] = %d, generic %d (x = %g, scale %g)", n, i, got[i], want[i], src[i], ws)
		}
	}
	if got[n] != 99 || got[n+1] != 99 || got[n+2] != 99 {
		t.Fatalf("n=%d: wrote past the end", n)
	}
}

func TestQuantizeRowS8Tiers(t *testing.T) {
	eachTier(t, FamilyVector, func(t *testing.T) {
		r := rand.New(rand.NewPCG(21, 22))
		for _, n := range vecLens() {
			src := make([]float32, n)
			for kind := 0; kind < 5; kind++ {
				randVec(r, src, kind)
				checkQuantizeSame(t, src)
			}
			if n == 0 {
				continue
			}
			// Ties: amax = 127·2^e makes inv = 2^-e exactly, and k+0.5
			// scaled by 2^e is a genuine tie.
			e := r.IntN(200) - 100
			for i := range src {
				src[i] = float32(math.Ldexp(float64(r.IntN(254)-127)+0.5, e))
			}
			src[r.IntN(n)] = float32(math.Ldexp(127, e))
			checkQuantizeSame(t, src)
			// Zeros, with one ±Inf, one NaN, or one subnormal.
			clear(src)
			checkQuantizeSame(t, src)
			src[r.IntN(n)] = float32(math.Copysign(0, -1))
			checkQuantizeSame(t, src)
			for _, x := range []float32{float32(math.Inf(1)), float32(math.Inf(-1)), float32(math.NaN()), 1e-45, -3e-39} {
				randVec(r, src, 0)
				src[r.IntN(n)] = x
				checkQuantizeSame(t, src)
				clear(src)
				src[r.IntN(n)] = x
				checkQuantizeSame(t, src)
			}
		}
	})
}

// FuzzQuantizeRowS8Tiers compares every tier with the generic code on rows
// made of arbitrary float32 bit patterns (4 bytes each).
func FuzzQuantizeRowS8Tiers(f *testing.F) {
	f.Add(f32Bytes(1, -2, 0.5, 1e-30), uint8(0))
	f.Add(f32Bytes(127, 0.5, 1.5, -2.5, 3.5, -4.5, 5.5, 6.5, 7.5, 8.5, 9.5, 10.5, 11.5, 12.5, 13.5, 14.5, 15.5), uint8(3))
	f.Add(f32Bytes(specialF32...), uint8(40))
	f.Add(f32Bytes(0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, float32(math.Inf(-1))), uint8(0))
	f.Add(f32Bytes(3e38, -3e38, 1, -1, 2e-45, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 9), uint8(7))
	f.Fuzz(func(t *testing.T, b []byte, rep uint8) {
		src := bytesF32(b, int(rep))
		eachTier(t, FamilyVector, func(t *testing.T) { checkQuantizeSame(t, src) })
	})
}

// f32Bytes and bytesF32 encode fuzz rows; bytesF32 repeats the row rep
// extra times (so that short inputs reach the vector blocks), capped.
func f32Bytes(xs ...float32) []byte {
	b := make([]byte, 4*len(xs))
	for i, x := range xs {
		binary.LittleEndian.PutUint32(b[4*i:], math.Float32bits(x))
	}
	return b
}

func bytesF32(b []byte, rep int) []float32 {
	var x []float32
	for i := 0; i+4 <= len(b); i += 4 {
		x = append(x, math.Float32frombits(binary.LittleEndian.Uint32(b[i:])))
	}
	n := len(x)
	for k := 0; k < rep && n > 0 && len(x) < 2000; k++ {
		x = append(x, x[:n]...)
	}
	return x
}

// ---------------------------------------------------------------------------
// DequantS8

func TestDequantS8(t *testing.T) {
	eachTier(t, FamilyVector, func(t *testing.T) {
		r := rand.New(rand.NewPCG(23, 24))
		for _, n := range vecLens() {
			acc, sw := make([]int32, n), make([]float32, n)
			for _, big := range []bool{false, true} {
				for j := range acc {
					if big { // beyond 2^24: the conversion rounds
						acc[j] = int32(r.Uint32())
					} else {
						acc[j] = int32(r.IntN(1<<21) - 1<<20)
					}
					sw[j] = float32(r.Float64() * 1e-3)
				}
				if n > 2 {
					acc[0], acc[1], sw[2] = math.MaxInt32, math.MinInt32, 0
				}
				sa := float32(r.Float64() * 0.05)
				want := make([]float32, n)
				dequantS8Generic(want, acc, sa, sw)
				got := make([]float32, n+1)
				got[n] = 7
				DequantS8(got[:n], acc, sa, sw)
				checkSameF32(t, fmt.Sprintf("DequantS8 n=%d", n), got, want)
				if got[n] != 7 {
					t.Fatalf("n=%d: wrote past the end", n)
				}
				for j := range want { // the specification, spelled out
					if w := float32(float32(acc[j])*sa) * sw[j]; !sameF32(want[j], w) {
						t.Fatalf("generic DequantS8 [%d] = %g, want %g", j, want[j], w)
					}
				}
			}
		}
		// Column ranges of a row, as quant.(*Matrix).ApplyTiles uses it.
		acc, sw, y := make([]int32, 100), make([]float32, 100), make([]float32, 100)
		for j := range acc {
			acc[j], sw[j] = int32(r.IntN(1<<20)), float32(r.Float64())
		}
		want := make([]float32, 100)
		dequantS8Generic(want, acc, 0.25, sw)
		DequantS8(y[48:100], acc[48:100], 0.25, sw[48:100])
		DequantS8(y[:48], acc[:48], 0.25, sw[:48])
		checkSameF32(t, "DequantS8 split", y, want)
	})
}

// ---------------------------------------------------------------------------
// Exp32 and SwiGLU

// ulps is |got − exact| in units of the float32 ulp at exact.
func ulps(got float32, exact float64) float64 {
	return math.Abs(float64(got)-exact) / ulpAt(exact)
}

// exp32MaxUlp is Exp32's error bound; the exhaustive check measured 0.987.
const exp32MaxUlp = 1.0

func checkExp32(t *testing.T, x float32, worst *float64) {
	got := Exp32(x)
	exact := math.Exp(float64(x))
	switch {
	case x != x:
		if got == got {
			t.Fatalf("Exp32(NaN) = %g", got)
		}
	case exact > math.MaxFloat32 || x > f32(exp32Hi):
		if !math.IsInf(float64(got), 1) || !(x > f32(exp32Hi)) {
			t.Fatalf("Exp32(%g) = %g, exact %g: overflow threshold", x, got, exact)
		}
	default:
		e := ulps(got, exact)
		if e > exp32MaxUlp {
			t.Fatalf("Exp32(%g) = %g, exact %g: %.3f ulp", x, got, exact, e)
		}
		*worst = max(*worst, e)
	}
}

// TestExp32 checks Exp32 on every 257th float32 of [exp32Lo, exp32Hi]
// (8.7 million values) plus the specials; HRM_EXHAUSTIVE=1 checks all 2.2
// billion (about two minutes).
func TestExp32(t *testing.T) {
	stride := uint32(257)
	if testing.Short() {
		stride = 4099
	}
	if os.Getenv("HRM_EXHAUSTIVE") != "" {
		stride = 1
	}
	var worst float64
	for _, rng := range [][2]uint32{{0, exp32Hi}, {0x80000000, exp32Lo}} {
		for b := rng[0]; b <= rng[1]; b += stride {
			checkExp32(t, math.Float32frombits(b), &worst)
		}
		checkExp32(t, math.Float32frombits(rng[1]), &worst)
	}
	for _, x := range specialF32 {
		checkExp32(t, x, &worst)
	}
	for _, x := range []float32{math.Nextafter32(f32(exp32Hi), 100), math.Nextafter32(f32(exp32Lo), -200), -1000, 1000} {
		checkExp32(t, x, &worst)
	}
	if Exp32(math.Nextafter32(f32(exp32Lo), -200)) != 0 || Exp32(f32(exp32Lo)) != 0x1p-149 {
		t.Fatal("Exp32 underflow threshold")
	}
	t.Logf("Exp32: worst %.3f ulp (stride %d)", worst, stride)
}

// swigluMaxUlp bounds the generic SwiGLU against the exact silu(z)·up, for
// z >= -88.72283 (below, exp(−z) overflows and silu(z), under 2.6e-37,
// is 0).
const swigluMaxUlp = 4

func checkSwiGLU(t *testing.T, gate, up []float32) {
	t.Helper()
	n := len(gate)
	want := make([]float32, n)
	swigluGeneric(want, gate, up)
	got := make([]float32, n+1)
	got[n] = 7
	SwiGLU(got[:n], gate, up)
	checkSameF32(t, fmt.Sprintf("SwiGLU n=%d", n), got, want)
	for j, z := range gate { // the generic loop is silu32 written out
		if w := silu32(z) * up[j]; !sameF32(want[j], w) {
			t.Fatalf("generic SwiGLU(%g)·%g = %g, silu32 gives %g", z, up[j], want[j], w)
		}
	}
	if got[n] != 7 {
		t.Fatalf("n=%d: wrote past the end", n)
	}
}

func TestSwiGLU(t *testing.T) {
	eachTier(t, FamilyVector, func(t *testing.T) {
		r := rand.New(rand.NewPCG(25, 26))
		for _, n := range vecLens() {
			gate, up := make([]float32, n), make([]float32, n)
			for kind := 0; kind < 5; kind++ {
				randVec(r, gate, kind)
				randVec(r, up, kind%2)
				checkSwiGLU(t, gate, up)
			}
		}
		// Every special gate value in every lane position.
		gate := make([]float32, 0, 64)
		for len(gate) < 64 {
			gate = append(gate, specialF32...)
		}
		up := make([]float32, len(gate))
		for i := range up {
			up[i] = 1
		}
		for s := 0; s < 16; s++ {
			checkSwiGLU(t, gate[s:s+48], up[:48])
		}
		// A dense sweep of the whole range of gates that matter.
		gate, up = make([]float32, 1024), make([]float32, 1024)
		for i := range up {
			up[i] = 1
		}
		for z0 := float32(-104); z0 < 104; z0 += 0.25 {
			for i := range gate {
				gate[i] = z0 + float32(i)*(0.25/1024)
			}
			checkSwiGLU(t, gate, up)
		}
	})
}

// TestSwiGLUAccuracy measures the generic SwiGLU against float64.
func TestSwiGLUAccuracy(t *testing.T) {
	r := rand.New(rand.NewPCG(27, 28))
	var worst float64
	check := func(z, u float32) {
		out := []float32{0}
		swigluGeneric(out, []float32{z}, []float32{u})
		exact := float64(z) / (1 + math.Exp(-float64(z))) * float64(u)
		if -z > f32(exp32Hi) { // exp overflows: 0, where |silu| < 2.6e-37
			if out[0] != 0 {
				t.Fatalf("silu(%g)·%g = %g, want 0", z, u, out[0])
			}
			return
		}
		e := ulps(out[0], exact)
		if e > swigluMaxUlp {
			t.Fatalf("silu(%g)·%g = %g, exact %g: %.2f ulp", z, u, out[0], exact, e)
		}
		worst = max(worst, e)
	}
	for i := 0; i < 1_000_000; i++ {
		check(float32(r.Float64()*200-100), float32(r.NormFloat64()))
		check(float32(r.NormFloat64()*4), float32(r.NormFloat64()))
	}
	for _, z := range specialF32 {
		if z == z && !math.IsInf(float64(z), 0) {
			check(z, 1)
		}
	}
	out := make([]float32, 4)
	swigluGeneric(out, []float32{float32(math.Inf(1)), float32(math.Inf(-1)), -1e30, 1e30}, []float32{1, 1, 1, 1})
	if !math.IsInf(float64(out[0]), 1) || out[1] != 0 || out[2] != 0 || out[3] != 1e30 {
		t.Fatalf("silu at ±Inf, ±1e30: %v", out)
	}
	t.Logf("generic SwiGLU: worst %.2f ulp against float64", worst)
}

func FuzzSwiGLU(f *testing.F) {
	f.Add(f32Bytes(1, -2, 0.5, 1e-30), f32Bytes(1, 1, 1, 1), uint8(5))
	f.Add(f32Bytes(specialF32...), f32Bytes(1, -1, 0, 3), uint8(1))
	f.Add(f32Bytes(88.72283, -88.72283, 88.72284, -88.72284, -86, -86.00001, -100, 100), f32Bytes(2), uint8(3))
	f.Add(f32Bytes(-16.635532, -16.635534, -17.32868, 0.1, 1e-45, -1e-45, 3e38, -3e38), f32Bytes(float32(math.Inf(1)), 0), uint8(2))
	f.Fuzz(func(t *testing.T, g, u []byte, rep uint8) {
		gate := bytesF32(g, int(rep))
		up := bytesF32(u, 0)
		if len(up) == 0 {
			up = []float32{1}
		}
		for len(up) < len(gate) {
			up = append(up, up...)
		}
		eachTier(t, FamilyVector, func(t *testing.T) { checkSwiGLU(t, gate, up[:len(gate)]) })
	})
}

// ---------------------------------------------------------------------------
// AddRMSNorm

// rmsTol bounds the generic AddRMSNorm against float64: each output within
// rmsTol·|exact| + 1 ulp (the float32 sum of squares and the products).
const rmsTol = 1e-6

func TestAddRMSNorm(t *testing.T) {
	eachTier(t, FamilyVector, func(t *testing.T) {
		r := rand.New(rand.NewPCG(29, 30))
		for _, n := range vecLens() {
			h, y := make([]float32, n), make([]float32, n)
			for kind := 0; kind < 5; kind++ {
				for _, eps := range []float32{1e-5, 1e-6, 0} {
					randVec(r, h, []int{0, 0, 2, 4, 4}[kind])
					randVec(r, y, []int{0, 1, 0, 0, 4}[kind])
					want := append([]float32(nil), h...)
					addRMSNormGeneric(want, y, eps)
					got := append(append([]float32(nil), h...), 7)
					AddRMSNorm(got[:n], y, eps)
					checkSameF32(t, fmt.Sprintf("AddRMSNorm n=%d kind=%d", n, kind), got, want)
					if got[n] != 7 {
						t.Fatalf("n=%d: wrote past the end", n)
					}
					if kind == 0 && eps != 0 { // (kind 1 overflows float32 squares)
						checkRMSExact(t, h, y, eps, want)
					}
				}
			}
		}
	})
}

func checkRMSExact(t *testing.T, h, y []float32, eps float32, got []float32) {
	t.Helper()
	var ss float64
	for i := range h {
		v := float64(h[i] + y[i])
		ss += v * v
	}
	inv := 1 / math.Sqrt(ss/float64(len(h))+float64(eps))
	for i := range h {
		exact := float64(h[i]+y[i]) * inv
		if e := math.Abs(float64(got[i]) - exact); e > rmsTol*math.Abs(exact)+ulpAt(exact) {
			t.Fatalf("AddRMSNorm n=%d: [%d] = %g, exact %g", len(h), i, got[i], exact)
		}
	}
}

// ulpAt is the float32 ulp at x.
func ulpAt(x float64) float64 {
	if a := math.Abs(x); a >= 0x1p-126 {
		_, e := math.Frexp(a)
		return math.Ldexp(1, e-24)
	}
	return 0x1p-149
}

// ---------------------------------------------------------------------------
// RoPEHalf

func TestRoPEHalf(t *testing.T) {
	eachTier(t, FamilyVector, func(t *testing.T) {
		r := rand.New(rand.NewPCG(31, 32))
		for _, half := range []int{1, 2, 3, 7, 8, 15, 16, 17, 31, 32, 33, 48, 64, 100} {
			for _, heads := range []int{1, 2, 3, 16, 17} {
				cos, sin := make([]float32, half), make([]float32, half)
				for j := range cos {
					a := r.Float64() * 100
					cos[j], sin[j] = float32(math.Cos(a)), float32(math.Sin(a))
				}
				v := make([]float32, 2*half*heads)
				randVec(r, v, []int{0, 4}[heads%2])
				want := append([]float32(nil), v...)
				ropeHalfGeneric(want, cos, sin)
				got := append(append([]float32(nil), v...), 7)
				RoPEHalf(got[:len(v)], cos, sin)
				checkSameF32(t, fmt.Sprintf("RoPEHalf half=%d heads=%d", half, heads), got, want)
				if got[len(v)] != 7 {
					t.Fatal("wrote past the end")
				}
				for h := 0; h < heads && heads%2 == 0; h++ { // against float64
					for j := 0; j < half; j++ {
						a, b := float64(v[2*h*half+j]), float64(v[2*h*half+half+j])
						c, s := float64(cos[j]), float64(sin[j])
						for k, exact := range []float64{a*c - b*s, b*c + a*s} {
							g := float64(want[2*h*half+k*half+j])
							if math.Abs(g-exact) > 1.2e-7*(math.Abs(a)+math.Abs(b)) {
								t.Fatalf("RoPEHalf [%d]: %g, exact %g", j, g, exact)
							}
						}
					}
				}
			}
		}
	})
	RoPEHalf(nil, nil, nil)
	defer func() {
		if recover() == nil {
			t.Fatal("RoPEHalf accepted len(v) not a multiple of 2·len(cos)")
		}
	}()
	RoPEHalf(make([]float32, 6), make([]float32, 2), make([]float32, 2))
}

// ---------------------------------------------------------------------------
// Benchmarks: ns per element for each tier at HRM's row lengths.
//
//	go test -run '^$' -bench Vector ./asm/

func BenchmarkVector(b *testing.B) {
	prev := Selected()
	defer func() {
		for _, p := range prev {
			_ = Use(p.Family + "=" + p.Name)
		}
	}()
	for _, k := range vectorKernels {
		for _, n := range []int{512, 1536} {
			run := k.setup(n)
			for _, tier := range Tiers() {
				if tier.Family != FamilyVector || !tier.Supported {
					continue
				}
				b.Run(fmt.Sprintf("%s/n=%d/%s", k.name, n, tier.Name), func(b *testing.B) {
					if err := Use(FamilyVector + "=" + tier.Name); err != nil {
						b.Fatal(err)
					}
					run()
					for b.Loop() {
						run()
					}
					b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N)/float64(n), "ns/elem")
				})
			}
		}
	}
}

// quantizeRowS8Ref is QuantizeRowS8's specification as first written (and
// as the generic tier was until it moved to the shared integer max).
func quantizeRowS8Ref(dst []int8, src []float32) (scale float32) {
	var amax float32
	for _, x := range src {
		amax = max(amax, float32(math.Abs(float64(x))))
	}
	if amax == 0 || amax != amax {
		clear(dst)
		return 0
	}
	scale = amax / 127
	inv := 127 / float64(amax)
	for i, x := range src {
		q := math.RoundToEven(float64(x) * inv)
		if q > 127 {
			q = 127
		} else if q < -127 {
			q = -127
		} else if q != q {
			q = 0
		}
		dst[i] = int8(q)
	}
	return scale
}

func TestButterfly(t *testing.T) {
	eachTier(t, FamilyVector, func(t *testing.T) {
		r := rand.New(rand.NewPCG(41, 42))
		for _, n := range vecLens() {
			x, y := make([]float32, n+1), make([]float32, n+1)
			for kind := 0; kind < 5; kind++ {
				randVec(r, x[:n], kind)
				randVec(r, y[:n], (kind+1)%5)
				x[n], y[n] = 7, 7
				wx, wy := make([]float32, n), make([]float32, n)
				for j := 0; j < n; j++ { // the definition, element by element
					wx[j], wy[j] = x[j]+y[j], x[j]-y[j]
				}
				Butterfly(x[:n], y[:n])
				checkSameF32(t, fmt.Sprintf("Butterfly x n=%d", n), x[:n], wx)
				checkSameF32(t, fmt.Sprintf("Butterfly y n=%d", n), y[:n], wy)
				if x[n] != 7 || y[n] != 7 {
					t.Fatalf("n=%d: wrote past the end", n)
				}
			}
		}
	})
}

// TestHadamard checks Hadamard against the matrix definition, in float64,
// and that applying it twice gives b times the input.
func TestHadamard(t *testing.T) {
	eachTier(t, FamilyVector, func(t *testing.T) {
		r := rand.New(rand.NewPCG(43, 44))
		for _, c := range []struct{ b, m int }{{1, 5}, {2, 1}, {2, 16}, {4, 3}, {8, 16}, {16, 17}, {64, 4}, {64, 24}, {32, 48}} {
			n := c.b * c.m
			x := make([]float32, n)
			randVec(r, x, 0)
			got := append([]float32(nil), x...)
			Hadamard(got, c.b)
			for i := 0; i < c.b; i++ {
				for e := 0; e < c.m; e++ {
					var want, mag float64
					for k := 0; k < c.b; k++ {
						v := float64(x[k*c.m+e])
						if bitsOdd(i & k) {
							v = -v
						}
						want += v
						mag += math.Abs(v)
					}
					if d := math.Abs(float64(got[i*c.m+e]) - want); d > 1e-6*mag {
						t.Fatalf("b=%d m=%d: [%d] = %g, want %g", c.b, c.m, i*c.m+e, got[i*c.m+e], want)
					}
				}
			}
			Hadamard(got, c.b)
			for i := range x {
				if d := math.Abs(float64(got[i]) - float64(c.b)*float64(x[i])); d > 1e-5*float64(c.b)*(1+math.Abs(float64(x[i]))) {
					t.Fatalf("b=%d m=%d: H·H·x [%d] = %g, want %g", c.b, c.m, i, got[i], float64(c.b)*float64(x[i]))
				}
			}
		}
	})
	for _, c := range []struct{ n, b int }{{12, 3}, {12, 8}, {16, 0}} {
		func() {
			defer func() {
				if recover() == nil {
					t.Errorf("Hadamard(len %d, %d) did not panic", c.n, c.b)
				}
			}()
			Hadamard(make([]float32, c.n), c.b)
		}()
	}
}

// Every tier gives the bits of the stage-by-stage definition (scalar
// butterflies in Hadamard's order), and writes nothing past the row.
func TestHadamardBits(t *testing.T) {
	eachTier(t, FamilyVector, func(t *testing.T) {
		r := rand.New(rand.NewPCG(45, 46))
		for _, c := range []struct{ b, m int }{{2, 4}, {2, 8}, {4, 8}, {64, 24}, {64, 8}, {64, 4}, {64, 12}, {32, 4}, {16, 12}, {8, 16}, {64, 6}, {2, 1536}} {
			n := c.b * c.m
			for kind := 0; kind < 5; kind++ {
				x := make([]float32, n+1)
				randVec(r, x[:n], kind)
				x[n] = 7
				want := append([]float32(nil), x[:n]...)
				for h := 1; h < c.b; h *= 2 {
					for i := 0; i < c.b; i += 2 * h {
						butterflyGeneric(want[i*c.m:(i+h)*c.m], want[(i+h)*c.m:(i+2*h)*c.m])
					}
				}
				Hadamard(x[:n], c.b)
				checkSameF32(t, fmt.Sprintf("Hadamard b=%d m=%d kind %d", c.b, c.m, kind), x[:n], want)
				if x[n] != 7 {
					t.Fatalf("b=%d m=%d: wrote past the end", c.b, c.m)
				}
			}
		}
	})
}

func bitsOdd(v int) bool {
	odd := false
	for ; v != 0; v &= v - 1 {
		odd = !odd
	}
	return odd
}
