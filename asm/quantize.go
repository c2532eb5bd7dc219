package asm

import "math"

// QuantizeRowS8 quantizes src symmetrically to int8: scale = max|x|/127,
// dst[i] = round(src[i]·127/max|x|) (in float64) clamped to [-127,127], so that
// src[i] ≈ scale·dst[i]. Rounding is to nearest, ties to even (the IEEE
// default, as math.RoundToEven); -128 is never produced. An all-zero (or
// empty) row, or one containing NaN, gives scale 0 and zeros; ±Inf gives
// scale +Inf and zeros. It panics if dst is shorter than src.
func QuantizeRowS8(dst []int8, src []float32) (scale float32) {
	dst = dst[:len(src)]
	var amax float32
	for _, x := range src {
		amax = max(amax, float32(math.Abs(float64(x))))
	}
	if amax == 0 || amax != amax {
		clear(dst)
		return 0
	}
	scale = amax / 127
	// float64 keeps 127/amax finite for subnormal rows and makes x·inv
	// exact enough that ties are genuine ties.
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
