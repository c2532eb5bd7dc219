package loader

import "math"

// BF16ToF32 widens a bfloat16 value (the upper 16 bits of a float32) exactly.
func BF16ToF32(b uint16) float32 { return math.Float32frombits(uint32(b) << 16) }

// F32ToBF16 rounds f to bfloat16 with round-to-nearest-even, exactly as
// PyTorch's c10::BFloat16 does: every NaN becomes the quiet NaN 0x7FC0,
// finite values too large for bfloat16 round to infinity.
func F32ToBF16(f float32) uint16 {
	if f != f {
		return 0x7FC0
	}
	u := math.Float32bits(f)
	u += 0x7FFF + (u>>16)&1
	return uint16(u >> 16)
}

// F16ToF32 widens an IEEE 754 binary16 value exactly (subnormals, infinities
// and NaN payloads included).
func F16ToF32(h uint16) float32 {
	sign := uint32(h&0x8000) << 16
	exp := uint32(h>>10) & 0x1F
	mant := uint32(h & 0x3FF)
	switch exp {
	case 0:
		if mant == 0 {
			return math.Float32frombits(sign)
		}
		// Subnormal: mant * 2^-24, exact in float32.
		v := float32(mant) * (1.0 / (1 << 24))
		if sign != 0 {
			v = -v
		}
		return v
	case 0x1F:
		return math.Float32frombits(sign | 0x7F800000 | mant<<13)
	default:
		return math.Float32frombits(sign | (exp+127-15)<<23 | mant<<13)
	}
}
