package asm

import (
	"fmt"
	"math"
)

// The vector family (FamilyVector): the element-wise and row-wise steps of
// inference around the matrix products, and the backward of two of them
// for the trainer (SwiGLUBwd, RMSNormBwd). Every asm tier equals the generic
// functions below bit for bit; each function documents its exact operation
// order, which the tiers follow. Nothing is fused: Go may fuse x*y+z into
// one FMA on some GOARCHes (arm64, ppc64, s390x, riscv64) and not on
// others, so every product that feeds an addition is wrapped in an explicit
// float32(...) (or float64(...)) conversion, which the spec says rounds and
// so forbids the fusion; the asm uses separate multiplies and adds.
//
// The asm kernels handle a prefix whose length is a multiple of vecBlock;
// the remaining elements go through the same Go code as the generic tier.

// Vector tiers; vecCur is the selected one.
const (
	vecGeneric = iota
	vecAvx512
	vecAvx2
	vecNeon
)

// vecBlock is the element count the asm kernels step by.
const vecBlock = 16

var vecCur = vecGeneric

func installVectorGeneric() { vecCur = vecGeneric }

// ---------------------------------------------------------------------------
// DequantS8

// DequantS8 turns int32 products back into floats: for j < len(y),
//
//	y[j] = float32(acc[j]) · sa · sw[j]
//
// evaluated left to right in float32 (the conversion rounds to nearest
// even), with sa the activation row's scale and sw the weight rows'
// scales: the epilogue of an int8 linear layer, for one token row over a
// column range, e.g. in quant.(*Matrix).ApplyTiles
//
//	asm.DequantS8(y[r*N+j0:r*N+j1], acc[r*N+j0:r*N+j1], a.Scale[r], m.Scale[j0:j1])
//
// All tiers give the same bits as that loop. It panics if acc or sw is
// shorter than y.
func DequantS8(y []float32, acc []int32, sa float32, sw []float32) {
	n := len(y)
	acc, sw = acc[:n], sw[:n]
	nb := 0
	if vecCur != vecGeneric && n >= vecBlock {
		nb = n &^ (vecBlock - 1)
		dequantS8Arch(&y[0], &acc[0], sa, &sw[0], nb)
	}
	dequantS8Generic(y[nb:], acc[nb:], sa, sw[nb:])
}

func dequantS8Generic(y []float32, acc []int32, sa float32, sw []float32) {
	acc, sw = acc[:len(y)], sw[:len(y)]
	for j := range y {
		y[j] = float32(acc[j]) * sa * sw[j]
	}
}

// ---------------------------------------------------------------------------
// SwiGLU

// SwiGLU computes out[j] = silu(gate[j])·up[j] for j < len(out), with
//
//	silu(z) = z / (1 + Exp32(−z))
//
// evaluated in float32 in that order, and silu(z) = 0 where Exp32(−z)
// overflows (z < −88.72283, where the exact |silu(z)| < 2.6e-37). All tiers
// give the same bits. Against the exact silu(z)·up the error is at most 4
// ulp (TestSwiGLUAccuracy; measured 2.9): Exp32's 1 ulp, damped by
// e/(1+e), then the addition, the division and the product. silu(±Inf) is
// +Inf and 0, NaN stays NaN. It panics if gate or up is shorter than out.
func SwiGLU(out, gate, up []float32) {
	n := len(out)
	gate, up = gate[:n], up[:n]
	nb := 0
	if vecCur != vecGeneric && n >= vecBlock {
		nb = n &^ (vecBlock - 1)
		swigluArch(&out[0], &gate[0], &up[0], nb)
	}
	swigluGeneric(out[nb:], gate[nb:], up[nb:])
}

func swigluGeneric(out, gate, up []float32) {
	gate, up = gate[:len(out)], up[:len(out)]
	for j, z := range gate {
		x := -z
		if !(x >= -86 && x <= f32(exp32Hi)) {
			out[j] = silu32(z) * up[j]
			continue
		}
		// exp32Reduced and the exponent-field path of Exp32, written out
		// (this loop is the generic tier's hot path).
		const magic = 0x1.8p23
		nf := float32(float32(float32(x*f32(exp32Log2e))+magic) - magic)
		r := x - float32(nf*f32(exp32Ln2Hi))
		r = r - float32(nf*f32(exp32Ln2Lo))
		rr := float32(r * r)
		q := f32(exp32P0)
		q = float32(q*r) + f32(exp32P1)
		q = float32(q*r) + f32(exp32P2)
		q = float32(q*r) + f32(exp32P3)
		q = float32(q*r) + f32(exp32P4)
		q = float32(q*r) + f32(exp32P5)
		p := float32(float32(q*rr)+r) + 1
		e := math.Float32frombits(math.Float32bits(p) + uint32(int32(nf))<<23)
		out[j] = z / (1 + e) * up[j]
	}
}

// SwiGLUBwd is the backward of SwiGLU: given the gradient dhid of
// out = silu(gate)·up, for j < len(dhid) it writes
//
//	dup[j]   = dh·sl
//	dgate[j] = (dh·up[j]) · (s + sl·c)
//
// with dh = dhid[j], z = gate[j], s = σ(z) = 1/(1 + e), sl = z·s, c = e·s
// (= 1 − σ(z), without the cancellation of 1 − s as s nears 1) and e =
// Exp32(−z) computed as in SwiGLU, where −z is first clamped to [−86,
// exp32Hi] (below −86, e < 2⁻¹²⁴ leaves 1 + e = 1); where −z > exp32Hi
// (σ(z) < 2.9e-39), s = sl = c = 0, and where −z < −86, c = 0 (the exact
// c < e⁻⁸⁶ makes sl·c under 4e-36, while the clamped e would not vanish
// against a huge z). Every step is one float32 rounding in the
// order written, so all tiers give the same bits. Against float64 the
// outputs are within a few ulp of the magnitudes they are built from
// (TestSwiGLUBwdAccuracy). It panics if a slice is shorter than dhid.
func SwiGLUBwd(dgate, dup, dhid, gate, up []float32) {
	n := len(dhid)
	dgate, dup, gate, up = dgate[:n], dup[:n], gate[:n], up[:n]
	nb := 0
	if vecCur != vecGeneric && n >= vecBlock {
		nb = n &^ (vecBlock - 1)
		swigluBwdArch(&dgate[0], &dup[0], &dhid[0], &gate[0], &up[0], nb)
	}
	swigluBwdGeneric(dgate[nb:], dup[nb:], dhid[nb:], gate[nb:], up[nb:])
}

func swigluBwdGeneric(dgate, dup, dhid, gate, up []float32) {
	n := len(dhid)
	dgate, dup, gate, up = dgate[:n], dup[:n], gate[:n], up[:n]
	for j, z := range gate {
		x := -z
		s, sl, c := float32(0), float32(0), float32(0)
		if !(x > f32(exp32Hi)) {
			big := x < -86
			x = max(x, -86) // NaN stays NaN (and gives NaN below)
			const magic = 0x1.8p23
			nf := float32(float32(float32(x*f32(exp32Log2e))+magic) - magic)
			r := x - float32(nf*f32(exp32Ln2Hi))
			r = r - float32(nf*f32(exp32Ln2Lo))
			rr := float32(r * r)
			q := f32(exp32P0)
			q = float32(q*r) + f32(exp32P1)
			q = float32(q*r) + f32(exp32P2)
			q = float32(q*r) + f32(exp32P3)
			q = float32(q*r) + f32(exp32P4)
			q = float32(q*r) + f32(exp32P5)
			p := float32(float32(q*rr)+r) + 1
			e := math.Float32frombits(math.Float32bits(p) + uint32(int32(nf))<<23)
			s = 1 / (1 + e)
			c = e * s
			sl = z * s
			if big {
				c = 0
			}
		}
		dh := dhid[j]
		dup[j] = dh * sl
		t := float32(sl * c)
		dgate[j] = float32(dh*up[j]) * (s + t)
	}
}

// silu32 is z/(1+Exp32(−z)), 0 when Exp32(−z) overflows. swigluGeneric
// has the common case written out: for −86 <= −z <= exp32Hi, Exp32 takes
// its exponent-field path (2ⁿ normal); below −86, Exp32(−z) < 2⁻²⁴ does
// not change 1+e.
func silu32(z float32) float32 {
	e := Exp32(-z)
	if e > math.MaxFloat32 {
		return 0
	}
	return z / (1 + e)
}

// Constants of Exp32 (float32 bit patterns, also used by the asm).
const (
	exp32Hi    = 0x42b17217 // 88.72283: the largest x with a finite exp(x)
	exp32Lo    = 0xc2cff1b4 // -103.97208: below it exp(x) rounds to 0
	exp32Log2e = 0x3fb8aa3b // log2(e)
	exp32Ln2Hi = 0x3f317200 // ln2, high part: n·ln2Hi is exact for |n| < 512
	exp32Ln2Lo = 0x35bfbe8e // ln2 − ln2Hi
	// exp(r) = 1 + r + r²·P(r) on |r| <= ln2/2 (Cephes expf).
	exp32P0 = 0x39506967 // 1.9875691500e-4
	exp32P1 = 0x3ab743ce // 1.3981999507e-3
	exp32P2 = 0x3c088908 // 8.3334519073e-3
	exp32P3 = 0x3d2aa9c1 // 4.1665795894e-2
	exp32P4 = 0x3e2aaaaa // 1.6666665459e-1
	exp32P5 = 0x3f000000 // 5.0000001201e-1 rounds to 1/2
)

func f32(bits uint32) float32 { return math.Float32frombits(bits) }

// Exp32 is e^x in float32 arithmetic, within 1 ulp of the exact value for
// every float32 x (checked exhaustively: at most 0.987 ulp, subnormal
// results included; TestExp32 samples it, HRM_EXHAUSTIVE=1 checks all),
// with Exp32(x) = +Inf for x > 88.72283, 0 for x < −103.97208, NaN for
// NaN. It is the exponential of SwiGLU, whose vector tiers do the same
// operations:
//
//	n = roundToEven(x·log2e)          (in float32)
//	r = (x − n·ln2Hi) − n·ln2Lo
//	p = ((r²·P(r)) + r) + 1           P by Horner, one rounding per step
//	e = p·2ⁿ                           exact, or rounded once when subnormal
func Exp32(x float32) float32 {
	switch {
	case x != x:
		return x
	case x > f32(exp32Hi):
		return float32(math.Inf(1))
	case x < f32(exp32Lo):
		return 0
	}
	p, n := exp32Reduced(x)
	if n >= -125 {
		// p is in [0.7, 1.42], so the exponent field of the result is in
		// [1, 254]: at n = 128, x <= exp32Hi makes r < 0 and p < 1.
		return math.Float32frombits(math.Float32bits(p) + uint32(n)<<23)
	}
	return float32(math.Ldexp(float64(p), int(n)))
}

// exp32Reduced returns p = e^r and n with e^x = p·2ⁿ, for x in
// [exp32Lo, exp32Hi].
func exp32Reduced(x float32) (p float32, n int32) {
	// Adding and subtracting 1.5·2²³ rounds |t| < 2²² to an integer, to
	// nearest even (math.RoundToEven is not an intrinsic everywhere).
	const magic = 0x1.8p23
	t := float32(x * f32(exp32Log2e))
	nf := float32(float32(t+magic) - magic)
	r := x - float32(nf*f32(exp32Ln2Hi))
	r = r - float32(nf*f32(exp32Ln2Lo))
	z := float32(r * r)
	q := f32(exp32P0)
	q = float32(q*r) + f32(exp32P1)
	q = float32(q*r) + f32(exp32P2)
	q = float32(q*r) + f32(exp32P3)
	q = float32(q*r) + f32(exp32P4)
	q = float32(q*r) + f32(exp32P5)
	p = float32(float32(q*z)+r) + 1
	return p, int32(nf)
}

// ---------------------------------------------------------------------------
// AddRMSNorm

// AddRMSNorm adds the residual y to the row h and normalises it, without
// gain or centring: h[i] = v[i] · inv with v[i] = h[i] + y[i] and
//
//	inv = float32(1 / math.Sqrt(float64(ss/float32(n) + eps)))
//
// where n = len(h) and ss = Σ v[i]² in float32, summed in a fixed order
// that vectorises: 16 partial sums, lane i mod 16 adding v[i]·v[i] in index
// order, then combined as lane j + lane j+8, then j + j+4, j + j+2 and
// j + j+1 (rmsInv). All tiers give the same bits. Against float64 each
// output is within 1e-6 relative + 1 ulp (TestAddRMSNorm, n up to 1541);
// squares beyond float32's range give Inf and zeros, as any float32 sum
// would. An empty h is left alone. It panics if y is shorter than h.
func AddRMSNorm(h, y []float32, eps float32) { AddRMSNormInv(h, y, eps) }

// AddRMSNormInv is AddRMSNorm returning inv, the factor it scaled by (0 for
// an empty h): the trainer keeps it for the backward, RMSNormBwd.
func AddRMSNormInv(h, y []float32, eps float32) float32 {
	n := len(h)
	y = y[:n]
	if n == 0 {
		return 0
	}
	var ss [16]float32
	nb := 0
	if vecCur != vecGeneric && n >= vecBlock {
		nb = n &^ (vecBlock - 1)
		addSquaresArch(&h[0], &y[0], nb, &ss[0])
	}
	addSquares(h[nb:], y[nb:], &ss)
	inv := rmsInv(&ss, n, eps)
	if nb > 0 {
		scaleArch(&h[0], nb, inv)
	}
	for i := range h[nb:] {
		h[nb+i] *= inv
	}
	return inv
}

// RMSNormBwd turns the gradient d of y = v·inv (a row normalised by
// AddRMSNorm, y its output, inv the factor AddRMSNormInv returned) into the
// gradient of v, in place:
//
//	d[i] = (d[i] − y[i]·m)·inv,  m = (Σ d[i]·y[i]) / float32(n)
//
// with n = len(d) and the sum in float32 in AddRMSNorm's order (16 lanes,
// lane i mod 16 adding d[i]·y[i] in index order, then lanes j + j+8, j +
// j+4, j + j+2, j + j+1), each product and step one rounding. All tiers
// give the same bits. It panics if y is shorter than d.
func RMSNormBwd(d, y []float32, inv float32) {
	n := len(d)
	y = y[:n]
	if n == 0 {
		return
	}
	var ss [16]float32
	nb := 0
	if vecCur != vecGeneric && n >= vecBlock {
		nb = n &^ (vecBlock - 1)
		dotLanesArch(&d[0], &y[0], nb, &ss[0])
	}
	dotLanes(d[nb:], y[nb:], &ss)
	m := laneSum(&ss) / float32(n)
	if nb > 0 {
		rmsBwdArch(&d[0], &y[0], nb, m, inv)
	}
	rmsBwdGeneric(d[nb:], y[nb:], m, inv)
}

// dotLanes adds d[i]·y[i] into lane i mod 16 (d starts at a multiple of 16
// of the row).
func dotLanes(d, y []float32, ss *[16]float32) {
	y = y[:len(d)]
	for i := range d {
		ss[i&15] += float32(d[i] * y[i])
	}
}

// laneSum combines the 16 lanes as rmsInv does.
func laneSum(ss *[16]float32) float32 {
	var s [8]float32
	for j := range 8 {
		s[j] = ss[j] + ss[j+8]
	}
	for j := range 4 {
		s[j] += s[j+4]
	}
	for j := range 2 {
		s[j] += s[j+2]
	}
	return s[0] + s[1]
}

func rmsBwdGeneric(d, y []float32, m, inv float32) {
	y = y[:len(d)]
	for i := range d {
		d[i] = (d[i] - float32(y[i]*m)) * inv
	}
}

func rmsNormBwdGeneric(d, y []float32, inv float32) {
	if len(d) == 0 {
		return
	}
	var ss [16]float32
	dotLanes(d, y, &ss)
	rmsBwdGeneric(d, y, laneSum(&ss)/float32(len(d)), inv)
}

// addSquares does h[i] += y[i] and adds h[i]² into lane i mod 16 (h starts
// at a multiple of 16 of the row).
func addSquares(h, y []float32, ss *[16]float32) {
	y = y[:len(h)]
	for i := range h {
		v := h[i] + y[i]
		h[i] = v
		ss[i&15] += float32(v * v)
	}
}

// rmsInv combines the 16 lanes and returns 1/sqrt(ss/n + eps).
func rmsInv(ss *[16]float32, n int, eps float32) float32 {
	return float32(1 / math.Sqrt(float64(laneSum(ss)/float32(n)+eps)))
}

func addRMSNormGeneric(h, y []float32, eps float32) {
	if len(h) == 0 {
		return
	}
	var ss [16]float32
	addSquares(h, y, &ss)
	inv := rmsInv(&ss, len(h), eps)
	for i := range h {
		h[i] *= inv
	}
}

// ---------------------------------------------------------------------------
// RoPEHalf

// RoPEHalf applies rotary position embedding in the rotate-half layout to
// each head vector of v: v holds heads of d = 2·len(cos) floats, and for
// every head and j < d/2, with a = v[j], b = v[j+d/2]:
//
//	v[j]     = float32(a·cos[j]) − float32(b·sin[j])
//	v[j+d/2] = float32(b·cos[j]) + float32(a·sin[j])
//
// (each product rounded, as written; all tiers give the same bits, within
// 1.2e-7·(|a|+|b|) of the exact rotation). Passing all q and k heads of a
// token at once, which share cos and sin, amortises the call. It panics if
// len(v) is not a multiple of d or sin is shorter than cos.
func RoPEHalf(v, cos, sin []float32) {
	half := len(cos)
	sin = sin[:half]
	if half == 0 || len(v)%(2*half) != 0 {
		if len(v) == 0 {
			return
		}
		panic(fmt.Sprintf("asm: RoPEHalf: len(v)=%d is not a multiple of 2·len(cos)=%d", len(v), 2*half))
	}
	heads := len(v) / (2 * half)
	hb := 0
	if vecCur != vecGeneric && half >= vecBlock {
		hb = half &^ (vecBlock - 1)
		ropeArch(&v[0], &cos[0], &sin[0], half, heads, hb)
		if hb == half {
			return
		}
	}
	for h := 0; h < heads; h++ {
		hv := v[h*2*half : (h+1)*2*half]
		ropeGeneric(hv[hb:half], hv[half+hb:], cos[hb:], sin[hb:])
	}
}

// ropeGeneric rotates lo against hi.
func ropeGeneric(lo, hi, cos, sin []float32) {
	hi, cos, sin = hi[:len(lo)], cos[:len(lo)], sin[:len(lo)]
	for j := range lo {
		a, b := lo[j], hi[j]
		lo[j] = float32(a*cos[j]) - float32(b*sin[j])
		hi[j] = float32(b*cos[j]) + float32(a*sin[j])
	}
}

func ropeHalfGeneric(v, cos, sin []float32) {
	half := len(cos)
	for h := 0; h+2*half <= len(v) && half > 0; h += 2 * half {
		ropeGeneric(v[h:h+half], v[h+half:h+2*half], cos, sin)
	}
}

// ---------------------------------------------------------------------------
// Butterfly and Hadamard

// Butterfly replaces x[j], y[j] by x[j]+y[j], x[j]−y[j] for j < len(x):
// one stage of a fast Walsh–Hadamard transform. Each result is one float32
// rounding, so all tiers give the same bits. It panics if y is shorter
// than x; x and y must not overlap.
func Butterfly(x, y []float32) {
	n := len(x)
	y = y[:n]
	nb := 0
	if vecCur != vecGeneric && n >= vecBlock {
		nb = n &^ (vecBlock - 1)
		butterflyArch(&x[0], &y[0], nb)
	}
	butterflyGeneric(x[nb:], y[nb:])
}

func butterflyGeneric(x, y []float32) {
	y = y[:len(x)]
	for j, a := range x {
		b := y[j]
		x[j], y[j] = a+b, a-b
	}
}

// Hadamard applies the unnormalised Walsh–Hadamard matrix of order b
// (a power of two) across the b chunks of x, i.e. x ← (H_b ⊗ I_m)·x with
// m = len(x)/b: chunk i becomes Σ_k ±chunk k, the sign (−1)^popcount(i&k).
// Mixing whole chunks instead of adjacent elements keeps every butterfly
// on contiguous runs of m or more floats, so all of it vectorises. The
// transform is symmetric and H·H = b·I. It panics unless b is a power of
// two that divides len(x).
func Hadamard(x []float32, b int) {
	if b < 1 || b&(b-1) != 0 || len(x)%b != 0 {
		panic(fmt.Sprintf("asm: Hadamard: order %d does not divide len(x)=%d into a power-of-two number of chunks", b, len(x)))
	}
	m := len(x) / b
	if vecCur != vecGeneric && b > 1 && m%hadamardBlock == 0 {
		// One call runs every stage: per-stage Butterfly calls cost more
		// than their work at HRM's chunk of 24 floats (and left it an
		// 8-float scalar tail each).
		hadamardArch(&x[0], m, b)
		return
	}
	for h := 1; h < b; h *= 2 {
		for i := 0; i < b; i += 2 * h {
			Butterfly(x[i*m:(i+h)*m], x[(i+h)*m:(i+2*h)*m])
		}
	}
}
