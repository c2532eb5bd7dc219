package asm

import "math"

// QuantizeRowS8 quantizes src symmetrically to int8: scale = max|x|/127,
// dst[i] = round(src[i]·127/max|x|) (in float64) clamped to [-127,127], so that
// src[i] ≈ scale·dst[i]. Rounding is to nearest, ties to even (the IEEE
// default, as math.RoundToEven); -128 is never produced. An all-zero (or
// empty) row, or one containing NaN, gives scale 0 and zeros; ±Inf gives
// scale +Inf and zeros. It panics if dst is shorter than src.
//
// Every tier of FamilyVector gives exactly the same bits; quantizeRowS8Ref
// in the tests is the formula above written out.
func QuantizeRowS8(dst []int8, src []float32) (scale float32) {
	dst = dst[:len(src)]
	nb := 0
	if vecCur != vecGeneric && len(src) >= vecBlock {
		nb = len(src) &^ (vecBlock - 1)
	}
	var bits uint32
	if nb > 0 {
		bits = amaxBitsArch(&src[0], nb)
	}
	for _, x := range src[nb:] {
		bits = max(bits, math.Float32bits(x)&0x7fffffff)
	}
	// |x| as bits: ordered like the non-negative floats they encode, with
	// NaNs above +Inf, so this is max|x| with NaN winning (as Go's max).
	switch {
	case bits == 0 || bits > 0x7f800000: // zero row, or NaN
		clear(dst)
		return 0
	case bits == 0x7f800000: // Inf: inv = 127/Inf = 0; x·0 is 0 or NaN, both give 0
		clear(dst)
		return float32(math.Inf(1))
	}
	amax := math.Float32frombits(bits)
	inv := 127 / float64(amax)
	if nb > 0 {
		quantS8Arch(&dst[0], &src[0], nb, inv)
	}
	quantS8Tail(dst[nb:], src[nb:], inv)
	return amax / 127
}

// quantS8Tail is the rounding loop for a finite, non-zero amax: x·inv is
// never NaN and, as |x| <= amax, never beyond 127·(1+2⁻⁵²), which rounds to
// 127, so no clamp is needed. Adding and subtracting 1.5·2⁵² rounds a
// float64 of magnitude below 2⁵¹ to an integer, to nearest even, exactly as
// math.RoundToEven (which is not an intrinsic everywhere).
func quantS8Tail(dst []int8, src []float32, inv float64) {
	const magic = 0x1.8p52
	dst = dst[:len(src)]
	for i, x := range src {
		dst[i] = int8(float64(float64(float64(x)*inv)+magic) - magic)
	}
}
