//go:build !purego && !noasm

#include "textflag.h"

// Vector kernels (vector.go), NEON. Each handles n elements, n a positive
// multiple of 16, and does exactly the float32 operations of its generic
// twin in the same order, one rounding each (no FMLA), so the results are
// identical bit for bit. FRINTN, FCVTNS and SCVTF round to nearest even
// (the FPCR default). Vector FP arithmetic, conversions, FCMGT, UMAXV and
// BIC are WORDs (the Go assembler lacks them); the GNU syntax is in the
// comment, inside macros as /* */.

// func amaxBitsNeon(src *float32, n int) uint32
// The largest |x| as bits (see amaxBitsAvx512).
TEXT ·amaxBitsNeon(SB), NOSPLIT, $0-20
	MOVD src+0(FP), R0
	MOVD n+8(FP), R1
	MOVW $0x7fffffff, R2
	VDUP R2, V31.S4
	VEOR V0.B16, V0.B16, V0.B16
	VEOR V1.B16, V1.B16, V1.B16
	VEOR V2.B16, V2.B16, V2.B16
	VEOR V3.B16, V3.B16, V3.B16
amaxloop:
	VLD1.P 64(R0), [V4.S4, V5.S4, V6.S4, V7.S4]
	VAND   V31.B16, V4.B16, V4.B16
	VAND   V31.B16, V5.B16, V5.B16
	VAND   V31.B16, V6.B16, V6.B16
	VAND   V31.B16, V7.B16, V7.B16
	VUMAX  V4.S4, V0.S4, V0.S4
	VUMAX  V5.S4, V1.S4, V1.S4
	VUMAX  V6.S4, V2.S4, V2.S4
	VUMAX  V7.S4, V3.S4, V3.S4
	SUBS   $16, R1, R1
	BNE    amaxloop
	VUMAX  V1.S4, V0.S4, V0.S4
	VUMAX  V3.S4, V2.S4, V2.S4
	VUMAX  V2.S4, V0.S4, V0.S4
	WORD $0x6eb0a800 // umaxv s0, v0.4s
	FMOVS  F0, ret+16(FP)
	RET

// func quantS8Neon(dst *int8, src *float32, n int, inv float64)
// dst = round(float64(src)·inv), to nearest even (FCVTNS). |src|·inv <= 127
// (see quantS8Tail), so keeping the low byte of each int64 is exact.
TEXT ·quantS8Neon(SB), NOSPLIT, $0-32
	MOVD  dst+0(FP), R0
	MOVD  src+8(FP), R1
	MOVD  n+16(FP), R2
	FMOVD inv+24(FP), F31
	VDUP  V31.D[0], V31.D2
quantloop:
	VLD1.P 64(R1), [V0.S4, V1.S4, V2.S4, V3.S4]
	WORD $0x0e617804 // fcvtl v4.2d, v0.2s
	WORD $0x4e617805 // fcvtl2 v5.2d, v0.4s
	WORD $0x0e617826 // fcvtl v6.2d, v1.2s
	WORD $0x4e617827 // fcvtl2 v7.2d, v1.4s
	WORD $0x0e617848 // fcvtl v8.2d, v2.2s
	WORD $0x4e617849 // fcvtl2 v9.2d, v2.4s
	WORD $0x0e61786a // fcvtl v10.2d, v3.2s
	WORD $0x4e61786b // fcvtl2 v11.2d, v3.4s
	WORD $0x6e7fdc84 // fmul v4.2d, v4.2d, v31.2d
	WORD $0x6e7fdca5 // fmul v5.2d, v5.2d, v31.2d
	WORD $0x6e7fdcc6 // fmul v6.2d, v6.2d, v31.2d
	WORD $0x6e7fdce7 // fmul v7.2d, v7.2d, v31.2d
	WORD $0x6e7fdd08 // fmul v8.2d, v8.2d, v31.2d
	WORD $0x6e7fdd29 // fmul v9.2d, v9.2d, v31.2d
	WORD $0x6e7fdd4a // fmul v10.2d, v10.2d, v31.2d
	WORD $0x6e7fdd6b // fmul v11.2d, v11.2d, v31.2d
	WORD $0x4e61a884 // fcvtns v4.2d, v4.2d
	WORD $0x4e61a8a5 // fcvtns v5.2d, v5.2d
	WORD $0x4e61a8c6 // fcvtns v6.2d, v6.2d
	WORD $0x4e61a8e7 // fcvtns v7.2d, v7.2d
	WORD $0x4e61a908 // fcvtns v8.2d, v8.2d
	WORD $0x4e61a929 // fcvtns v9.2d, v9.2d
	WORD $0x4e61a94a // fcvtns v10.2d, v10.2d
	WORD $0x4e61a96b // fcvtns v11.2d, v11.2d
	VUZP1  V5.S4, V4.S4, V4.S4    // elements 0..3 as int32
	VUZP1  V7.S4, V6.S4, V6.S4    // 4..7
	VUZP1  V9.S4, V8.S4, V8.S4    // 8..11
	VUZP1  V11.S4, V10.S4, V10.S4 // 12..15
	VUZP1  V6.H8, V4.H8, V4.H8    // 0..7 as int16
	VUZP1  V10.H8, V8.H8, V8.H8   // 8..15
	VUZP1  V8.B16, V4.B16, V4.B16 // 0..15 as int8
	VST1.P [V4.B16], 16(R0)
	SUBS   $16, R2, R2
	BNE    quantloop
	RET

// func dequantS8Neon(y *float32, acc *int32, sa float32, sw *float32, n int)
// y = (float32(acc)·sa)·sw.
TEXT ·dequantS8Neon(SB), NOSPLIT, $0-40
	MOVD  y+0(FP), R0
	MOVD  acc+8(FP), R1
	FMOVS sa+16(FP), F31
	MOVD  sw+24(FP), R3
	MOVD  n+32(FP), R2
	VDUP  V31.S[0], V31.S4
deqloop:
	VLD1.P 64(R1), [V0.S4, V1.S4, V2.S4, V3.S4]
	VLD1.P 64(R3), [V4.S4, V5.S4, V6.S4, V7.S4]
	WORD $0x4e21d800 // scvtf v0.4s, v0.4s
	WORD $0x4e21d821 // scvtf v1.4s, v1.4s
	WORD $0x4e21d842 // scvtf v2.4s, v2.4s
	WORD $0x4e21d863 // scvtf v3.4s, v3.4s
	WORD $0x6e3fdc00 // fmul v0.4s, v0.4s, v31.4s
	WORD $0x6e3fdc21 // fmul v1.4s, v1.4s, v31.4s
	WORD $0x6e3fdc42 // fmul v2.4s, v2.4s, v31.4s
	WORD $0x6e3fdc63 // fmul v3.4s, v3.4s, v31.4s
	WORD $0x6e24dc00 // fmul v0.4s, v0.4s, v4.4s
	WORD $0x6e25dc21 // fmul v1.4s, v1.4s, v5.4s
	WORD $0x6e26dc42 // fmul v2.4s, v2.4s, v6.4s
	WORD $0x6e27dc63 // fmul v3.4s, v3.4s, v7.4s
	VST1.P [V0.S4, V1.S4, V2.S4, V3.S4], 64(R0)
	SUBS   $16, R2, R2
	BNE    deqloop
	RET

// SILUA and SILUB replace V0 and V1 by silu(z) = z/(1+exp(−z)) (0 where
// exp(−z) overflows), as SILU512 in vector_amd64.s: x = −z clamped to
// [−86, exp32Hi], the operations of exp32Reduced, 2ⁿ added into the
// exponent field, then z/(1+e). Constants: V16 sign, V17 hi, V18 lo, V19
// log2e, V20 ln2hi, V21 ln2lo, V22..V27 P0..P5, V28 1. SILUA uses
// V2..V6 (x, n, t, q, mask), SILUB V7..V11. t holds n·ln2, then r².
#define SILUA \
	VEOR  V16.B16, V0.B16, V2.B16; \
	WORD $0x6eb1e446; /* fcmgt v6.4s, v2.4s, v17.4s */ \
	WORD $0x4eb1f442; /* fmin v2.4s, v2.4s, v17.4s */ \
	WORD $0x4e32f442; /* fmax v2.4s, v2.4s, v18.4s */ \
	WORD $0x6e33dc43; /* fmul v3.4s, v2.4s, v19.4s */ \
	WORD $0x4e218863; /* frintn v3.4s, v3.4s */ \
	WORD $0x6e34dc64; /* fmul v4.4s, v3.4s, v20.4s */ \
	WORD $0x4ea4d442; /* fsub v2.4s, v2.4s, v4.4s */ \
	WORD $0x6e35dc64; /* fmul v4.4s, v3.4s, v21.4s */ \
	WORD $0x4ea4d442; /* fsub v2.4s, v2.4s, v4.4s */ \
	WORD $0x6e22dc44; /* fmul v4.4s, v2.4s, v2.4s */ \
	WORD $0x6e36dc45; /* fmul v5.4s, v2.4s, v22.4s */ \
	WORD $0x4e37d4a5; /* fadd v5.4s, v5.4s, v23.4s */ \
	WORD $0x6e22dca5; /* fmul v5.4s, v5.4s, v2.4s */ \
	WORD $0x4e38d4a5; /* fadd v5.4s, v5.4s, v24.4s */ \
	WORD $0x6e22dca5; /* fmul v5.4s, v5.4s, v2.4s */ \
	WORD $0x4e39d4a5; /* fadd v5.4s, v5.4s, v25.4s */ \
	WORD $0x6e22dca5; /* fmul v5.4s, v5.4s, v2.4s */ \
	WORD $0x4e3ad4a5; /* fadd v5.4s, v5.4s, v26.4s */ \
	WORD $0x6e22dca5; /* fmul v5.4s, v5.4s, v2.4s */ \
	WORD $0x4e3bd4a5; /* fadd v5.4s, v5.4s, v27.4s */ \
	WORD $0x6e24dca5; /* fmul v5.4s, v5.4s, v4.4s */ \
	WORD $0x4e22d4a5; /* fadd v5.4s, v5.4s, v2.4s */ \
	WORD $0x4e3cd4a5; /* fadd v5.4s, v5.4s, v28.4s */ \
	WORD $0x4ea1b863; /* fcvtzs v3.4s, v3.4s */ \
	VSHL  $23, V3.S4, V3.S4; \
	VADD  V3.S4, V5.S4, V5.S4; \
	WORD $0x4e3cd4a5; /* fadd v5.4s, v5.4s, v28.4s */ \
	WORD $0x6e25fc00; /* fdiv v0.4s, v0.4s, v5.4s */ \
	WORD $0x4e661c00 // bic v0.16b, v0.16b, v6.16b

#define SILUB \
	VEOR  V16.B16, V1.B16, V7.B16; \
	WORD $0x6eb1e4eb; /* fcmgt v11.4s, v7.4s, v17.4s */ \
	WORD $0x4eb1f4e7; /* fmin v7.4s, v7.4s, v17.4s */ \
	WORD $0x4e32f4e7; /* fmax v7.4s, v7.4s, v18.4s */ \
	WORD $0x6e33dce8; /* fmul v8.4s, v7.4s, v19.4s */ \
	WORD $0x4e218908; /* frintn v8.4s, v8.4s */ \
	WORD $0x6e34dd09; /* fmul v9.4s, v8.4s, v20.4s */ \
	WORD $0x4ea9d4e7; /* fsub v7.4s, v7.4s, v9.4s */ \
	WORD $0x6e35dd09; /* fmul v9.4s, v8.4s, v21.4s */ \
	WORD $0x4ea9d4e7; /* fsub v7.4s, v7.4s, v9.4s */ \
	WORD $0x6e27dce9; /* fmul v9.4s, v7.4s, v7.4s */ \
	WORD $0x6e36dcea; /* fmul v10.4s, v7.4s, v22.4s */ \
	WORD $0x4e37d54a; /* fadd v10.4s, v10.4s, v23.4s */ \
	WORD $0x6e27dd4a; /* fmul v10.4s, v10.4s, v7.4s */ \
	WORD $0x4e38d54a; /* fadd v10.4s, v10.4s, v24.4s */ \
	WORD $0x6e27dd4a; /* fmul v10.4s, v10.4s, v7.4s */ \
	WORD $0x4e39d54a; /* fadd v10.4s, v10.4s, v25.4s */ \
	WORD $0x6e27dd4a; /* fmul v10.4s, v10.4s, v7.4s */ \
	WORD $0x4e3ad54a; /* fadd v10.4s, v10.4s, v26.4s */ \
	WORD $0x6e27dd4a; /* fmul v10.4s, v10.4s, v7.4s */ \
	WORD $0x4e3bd54a; /* fadd v10.4s, v10.4s, v27.4s */ \
	WORD $0x6e29dd4a; /* fmul v10.4s, v10.4s, v9.4s */ \
	WORD $0x4e27d54a; /* fadd v10.4s, v10.4s, v7.4s */ \
	WORD $0x4e3cd54a; /* fadd v10.4s, v10.4s, v28.4s */ \
	WORD $0x4ea1b908; /* fcvtzs v8.4s, v8.4s */ \
	VSHL  $23, V8.S4, V8.S4; \
	VADD  V8.S4, V10.S4, V10.S4; \
	WORD $0x4e3cd54a; /* fadd v10.4s, v10.4s, v28.4s */ \
	WORD $0x6e2afc21; /* fdiv v1.4s, v1.4s, v10.4s */ \
	WORD $0x4e6b1c21 // bic v1.16b, v1.16b, v11.16b

// func swigluNeon(out, gate, up *float32, n int)
TEXT ·swigluNeon(SB), NOSPLIT, $0-32
	MOVD out+0(FP), R0
	MOVD gate+8(FP), R1
	MOVD up+16(FP), R2
	MOVD n+24(FP), R3
	MOVW $0x80000000, R4
	VDUP R4, V16.S4
	MOVW $0x42b17217, R4 // exp32Hi
	VDUP R4, V17.S4
	MOVW $0xc2ac0000, R4 // -86
	VDUP R4, V18.S4
	MOVW $0x3fb8aa3b, R4 // log2e
	VDUP R4, V19.S4
	MOVW $0x3f317200, R4 // ln2hi
	VDUP R4, V20.S4
	MOVW $0x35bfbe8e, R4 // ln2lo
	VDUP R4, V21.S4
	MOVW $0x39506967, R4 // P0
	VDUP R4, V22.S4
	MOVW $0x3ab743ce, R4 // P1
	VDUP R4, V23.S4
	MOVW $0x3c088908, R4 // P2
	VDUP R4, V24.S4
	MOVW $0x3d2aa9c1, R4 // P3
	VDUP R4, V25.S4
	MOVW $0x3e2aaaaa, R4 // P4
	VDUP R4, V26.S4
	MOVW $0x3f000000, R4 // P5
	VDUP R4, V27.S4
	MOVW $0x3f800000, R4 // 1
	VDUP R4, V28.S4
siluloop:
	VLD1.P 32(R1), [V0.S4, V1.S4]
	SILUA
	SILUB
	VLD1.P 32(R2), [V12.S4, V13.S4]
	WORD $0x6e2cdc00 // fmul v0.4s, v0.4s, v12.4s
	WORD $0x6e2ddc21 // fmul v1.4s, v1.4s, v13.4s
	VST1.P [V0.S4, V1.S4], 32(R0)
	SUBS   $8, R3, R3
	BNE    siluloop
	RET

// func addSquaresNeon(h, y *float32, n int, ss *float32)
// h += y; lanes 0..15 of the sum of squares in V0..V3, one accumulator
// per lane in index order, as addSquares.
TEXT ·addSquaresNeon(SB), NOSPLIT, $0-32
	MOVD h+0(FP), R0
	MOVD y+8(FP), R1
	MOVD n+16(FP), R2
	MOVD ss+24(FP), R3
	VEOR V0.B16, V0.B16, V0.B16
	VEOR V1.B16, V1.B16, V1.B16
	VEOR V2.B16, V2.B16, V2.B16
	VEOR V3.B16, V3.B16, V3.B16
sqloop:
	VLD1   (R0), [V4.S4, V5.S4, V6.S4, V7.S4]
	VLD1.P 64(R1), [V8.S4, V9.S4, V10.S4, V11.S4]
	WORD $0x4e28d484 // fadd v4.4s, v4.4s, v8.4s
	WORD $0x4e29d4a5 // fadd v5.4s, v5.4s, v9.4s
	WORD $0x4e2ad4c6 // fadd v6.4s, v6.4s, v10.4s
	WORD $0x4e2bd4e7 // fadd v7.4s, v7.4s, v11.4s
	VST1.P [V4.S4, V5.S4, V6.S4, V7.S4], 64(R0)
	WORD $0x6e24dc84 // fmul v4.4s, v4.4s, v4.4s
	WORD $0x6e25dca5 // fmul v5.4s, v5.4s, v5.4s
	WORD $0x6e26dcc6 // fmul v6.4s, v6.4s, v6.4s
	WORD $0x6e27dce7 // fmul v7.4s, v7.4s, v7.4s
	WORD $0x4e24d400 // fadd v0.4s, v0.4s, v4.4s
	WORD $0x4e25d421 // fadd v1.4s, v1.4s, v5.4s
	WORD $0x4e26d442 // fadd v2.4s, v2.4s, v6.4s
	WORD $0x4e27d463 // fadd v3.4s, v3.4s, v7.4s
	SUBS   $16, R2, R2
	BNE    sqloop
	VST1   [V0.S4, V1.S4, V2.S4, V3.S4], (R3)
	RET

// func scaleNeon(x *float32, n int, s float32)
TEXT ·scaleNeon(SB), NOSPLIT, $0-20
	MOVD  x+0(FP), R0
	MOVD  n+8(FP), R2
	FMOVS s+16(FP), F31
	VDUP  V31.S[0], V31.S4
scaleloop:
	VLD1   (R0), [V0.S4, V1.S4, V2.S4, V3.S4]
	WORD $0x6e3fdc00 // fmul v0.4s, v0.4s, v31.4s
	WORD $0x6e3fdc21 // fmul v1.4s, v1.4s, v31.4s
	WORD $0x6e3fdc42 // fmul v2.4s, v2.4s, v31.4s
	WORD $0x6e3fdc63 // fmul v3.4s, v3.4s, v31.4s
	VST1.P [V0.S4, V1.S4, V2.S4, V3.S4], 64(R0)
	SUBS   $16, R2, R2
	BNE    scaleloop
	RET

// func ropeNeon(v, cos, sin *float32, half, heads, hb int)
// For each of heads vectors of 2·half floats, j < hb (a multiple of 16),
// 8 at a time: lo' = a·c − b·s, hi' = b·c + a·s with a = lo[j], b = hi[j].
TEXT ·ropeNeon(SB), NOSPLIT, $0-48
	MOVD v+0(FP), R0
	MOVD cos+8(FP), R1
	MOVD sin+16(FP), R2
	MOVD half+24(FP), R3
	MOVD heads+32(FP), R4
	MOVD hb+40(FP), R5
	LSL  $2, R3, R3 // bytes per half
ropehead:
	MOVD R0, R6      // lo
	ADD  R3, R0, R7  // hi
	MOVD R1, R8      // cos
	MOVD R2, R9      // sin
	MOVD R5, R10
ropeloop:
	VLD1   (R6), [V0.S4, V1.S4]       // a
	VLD1   (R7), [V2.S4, V3.S4]       // b
	VLD1.P 32(R8), [V4.S4, V5.S4]     // c
	VLD1.P 32(R9), [V6.S4, V7.S4]     // s
	WORD $0x6e24dc08 // fmul v8.4s, v0.4s, v4.4s
	WORD $0x6e25dc29 // fmul v9.4s, v1.4s, v5.4s
	WORD $0x6e26dc4a // fmul v10.4s, v2.4s, v6.4s
	WORD $0x6e27dc6b // fmul v11.4s, v3.4s, v7.4s
	WORD $0x6e24dc4c // fmul v12.4s, v2.4s, v4.4s
	WORD $0x6e25dc6d // fmul v13.4s, v3.4s, v5.4s
	WORD $0x6e26dc0e // fmul v14.4s, v0.4s, v6.4s
	WORD $0x6e27dc2f // fmul v15.4s, v1.4s, v7.4s
	WORD $0x4eaad508 // fsub v8.4s, v8.4s, v10.4s
	WORD $0x4eabd529 // fsub v9.4s, v9.4s, v11.4s
	WORD $0x4e2ed58c // fadd v12.4s, v12.4s, v14.4s
	WORD $0x4e2fd5ad // fadd v13.4s, v13.4s, v15.4s
	VST1.P [V8.S4, V9.S4], 32(R6)
	VST1.P [V12.S4, V13.S4], 32(R7)
	SUBS   $8, R10, R10
	BNE    ropeloop
	ADD    R3<<1, R0, R0
	SUBS   $1, R4, R4
	BNE    ropehead
	RET

// func butterflyNeon(x, y *float32, n int)
// x[j], y[j] = x[j]+y[j], x[j]−y[j], 16 at a time.
TEXT ·butterflyNeon(SB), NOSPLIT, $0-24
	MOVD x+0(FP), R0
	MOVD y+8(FP), R1
	MOVD n+16(FP), R2
bflyloop:
	VLD1   (R0), [V0.S4, V1.S4, V2.S4, V3.S4]
	VLD1   (R1), [V4.S4, V5.S4, V6.S4, V7.S4]
	WORD $0x4e24d410 // fadd v16.4s, v0.4s, v4.4s
	WORD $0x4e25d431 // fadd v17.4s, v1.4s, v5.4s
	WORD $0x4e26d452 // fadd v18.4s, v2.4s, v6.4s
	WORD $0x4e27d473 // fadd v19.4s, v3.4s, v7.4s
	WORD $0x4ea4d414 // fsub v20.4s, v0.4s, v4.4s
	WORD $0x4ea5d435 // fsub v21.4s, v1.4s, v5.4s
	WORD $0x4ea6d456 // fsub v22.4s, v2.4s, v6.4s
	WORD $0x4ea7d477 // fsub v23.4s, v3.4s, v7.4s
	VST1.P [V16.S4, V17.S4, V18.S4, V19.S4], 64(R0)
	VST1.P [V20.S4, V21.S4, V22.S4, V23.S4], 64(R1)
	SUBS   $16, R2, R2
	BNE    bflyloop
	RET

// func hadamard64Neon(x *float32, m int)
// Hadamard of order 64 over chunks of m floats (m a multiple of 4) as two
// radix-8 passes with the data in registers (see hadamard64Avx2): the same
// butterflies per element, so the same bits, with two loads and stores of
// the row instead of six.
TEXT ·hadamard64Neon(SB), NOSPLIT, $0-16
	MOVD x+0(FP), R0
	MOVD m+8(FP), R1
	LSL  $2, R1, R1     // chunk in bytes
	MOVD R1, R2         // pass 1: chunk k of a set at k·R2
	LSL  $3, R1, R3     // and sets R3 apart
	MOVD $2, R4
had64pass:
	MOVD $0, R5         // offset of the set
	MOVD $8, R6
had64set:
	ADD  R5, R0, R8     // R8..R15: chunks 0..7 of the set
	ADD  R2, R8, R9
	ADD  R2, R9, R10
	ADD  R2, R10, R11
	ADD  R2, R11, R12
	ADD  R2, R12, R13
	ADD  R2, R13, R14
	ADD  R2, R14, R15
	LSR  $4, R1, R7     // vectors per chunk
had64vec:
	VLD1   (R8), [V0.S4]
	VLD1   (R9), [V1.S4]
	VLD1   (R10), [V2.S4]
	VLD1   (R11), [V3.S4]
	VLD1   (R12), [V4.S4]
	VLD1   (R13), [V5.S4]
	VLD1   (R14), [V6.S4]
	VLD1   (R15), [V7.S4]
	// h=1
	WORD $0x4e21d410 // fadd v16.4s, v0.4s, v1.4s
	WORD $0x4ea1d411 // fsub v17.4s, v0.4s, v1.4s
	WORD $0x4e23d452 // fadd v18.4s, v2.4s, v3.4s
	WORD $0x4ea3d453 // fsub v19.4s, v2.4s, v3.4s
	WORD $0x4e25d494 // fadd v20.4s, v4.4s, v5.4s
	WORD $0x4ea5d495 // fsub v21.4s, v4.4s, v5.4s
	WORD $0x4e27d4d6 // fadd v22.4s, v6.4s, v7.4s
	WORD $0x4ea7d4d7 // fsub v23.4s, v6.4s, v7.4s
	// h=2
	WORD $0x4e32d600 // fadd v0.4s, v16.4s, v18.4s
	WORD $0x4eb2d602 // fsub v2.4s, v16.4s, v18.4s
	WORD $0x4e33d621 // fadd v1.4s, v17.4s, v19.4s
	WORD $0x4eb3d623 // fsub v3.4s, v17.4s, v19.4s
	WORD $0x4e36d684 // fadd v4.4s, v20.4s, v22.4s
	WORD $0x4eb6d686 // fsub v6.4s, v20.4s, v22.4s
	WORD $0x4e37d6a5 // fadd v5.4s, v21.4s, v23.4s
	WORD $0x4eb7d6a7 // fsub v7.4s, v21.4s, v23.4s
	// h=4
	WORD $0x4e24d410 // fadd v16.4s, v0.4s, v4.4s
	WORD $0x4ea4d414 // fsub v20.4s, v0.4s, v4.4s
	WORD $0x4e25d431 // fadd v17.4s, v1.4s, v5.4s
	WORD $0x4ea5d435 // fsub v21.4s, v1.4s, v5.4s
	WORD $0x4e26d452 // fadd v18.4s, v2.4s, v6.4s
	WORD $0x4ea6d456 // fsub v22.4s, v2.4s, v6.4s
	WORD $0x4e27d473 // fadd v19.4s, v3.4s, v7.4s
	WORD $0x4ea7d477 // fsub v23.4s, v3.4s, v7.4s
	// chunk k is in V(16+k)
	VST1.P [V16.S4], 16(R8)
	VST1.P [V17.S4], 16(R9)
	VST1.P [V18.S4], 16(R10)
	VST1.P [V19.S4], 16(R11)
	VST1.P [V20.S4], 16(R12)
	VST1.P [V21.S4], 16(R13)
	VST1.P [V22.S4], 16(R14)
	VST1.P [V23.S4], 16(R15)
	SUBS   $1, R7, R7
	BNE    had64vec
	ADD    R3, R5, R5
	SUBS   $1, R6, R6
	BNE    had64set
	MOVD   R2, R16      // pass 2: chunks 8 apart, sets one chunk apart
	MOVD   R3, R2
	MOVD   R16, R3
	SUBS   $1, R4, R4
	BNE    had64pass
	RET

// func hadamardNeon(x *float32, m, b int)
// For span = m, 2m, …, (b/2)·m floats: every pair of adjacent span-long
// runs (x, y) becomes (x+y, x−y), the butterflies of Hadamard in its order.
TEXT ·hadamardNeon(SB), NOSPLIT, $0-24
	MOVD x+0(FP), R0
	MOVD m+8(FP), R8
	MOVD b+16(FP), R9
	LSL  $2, R8, R8     // span in bytes
	MUL  R8, R9, R9     // whole row in bytes
hadstage:
	MOVD $0, R10        // offset of the pair
hadpair:
	ADD  R10, R0, R11
	ADD  R8, R11, R12
	MOVD R8, R3
hadloop:
	VLD1   (R11), [V0.S4]
	VLD1   (R12), [V1.S4]
	WORD $0x4e21d402 // fadd v2.4s, v0.4s, v1.4s
	WORD $0x4ea1d403 // fsub v3.4s, v0.4s, v1.4s
	VST1.P [V2.S4], 16(R11)
	VST1.P [V3.S4], 16(R12)
	SUBS   $16, R3, R3
	BNE    hadloop
	ADD    R8<<1, R10, R10
	CMP    R9, R10
	BLT    hadpair
	LSL    $1, R8, R8
	CMP    R9, R8
	BLT    hadstage
	RET

// ---------------------------------------------------------------------------
// The trainer's backward steps (SwiGLUBwd, RMSNormBwd).

// func swigluBwdNeon(dg, du, dh, gate, up *float32, n int)
// Four lanes at a time, as swigluBwdGeneric: x = −z clamped as in SILUA
// (FMIN/FMAX keep a NaN, which then gives NaN as in the generic code),
// e by the same polynomial, s = 1/(1+e), c = e·s and sl = z·s cleared
// where x > exp32Hi, c also where x < −86 (mask V11), du = dh·sl, dg =
// (dh·u)·(s + sl·c). Constants as for
// swigluNeon (V16..V28).
TEXT ·swigluBwdNeon(SB), NOSPLIT, $0-48
	MOVD dg+0(FP), R0
	MOVD du+8(FP), R1
	MOVD dh+16(FP), R2
	MOVD gate+24(FP), R3
	MOVD up+32(FP), R5
	MOVD n+40(FP), R6
	MOVW $0x80000000, R4
	VDUP R4, V16.S4
	MOVW $0x42b17217, R4 // exp32Hi
	VDUP R4, V17.S4
	MOVW $0xc2ac0000, R4 // -86
	VDUP R4, V18.S4
	MOVW $0x3fb8aa3b, R4 // log2e
	VDUP R4, V19.S4
	MOVW $0x3f317200, R4 // ln2hi
	VDUP R4, V20.S4
	MOVW $0x35bfbe8e, R4 // ln2lo
	VDUP R4, V21.S4
	MOVW $0x39506967, R4 // P0
	VDUP R4, V22.S4
	MOVW $0x3ab743ce, R4 // P1
	VDUP R4, V23.S4
	MOVW $0x3c088908, R4 // P2
	VDUP R4, V24.S4
	MOVW $0x3d2aa9c1, R4 // P3
	VDUP R4, V25.S4
	MOVW $0x3e2aaaaa, R4 // P4
	VDUP R4, V26.S4
	MOVW $0x3f000000, R4 // P5
	VDUP R4, V27.S4
	MOVW $0x3f800000, R4 // 1
	VDUP R4, V28.S4
sbwdloop:
	VLD1.P 16(R3), [V0.S4]
	VEOR   V16.B16, V0.B16, V2.B16
	WORD $0x6eb1e446 // fcmgt v6.4s, v2.4s, v17.4s
	WORD $0x6ea2e64b // fcmgt v11.4s, v18.4s, v2.4s
	WORD $0x4eb1f442 // fmin v2.4s, v2.4s, v17.4s
	WORD $0x4e32f442 // fmax v2.4s, v2.4s, v18.4s
	WORD $0x6e33dc43 // fmul v3.4s, v2.4s, v19.4s
	WORD $0x4e218863 // frintn v3.4s, v3.4s
	WORD $0x6e34dc64 // fmul v4.4s, v3.4s, v20.4s
	WORD $0x4ea4d442 // fsub v2.4s, v2.4s, v4.4s
	WORD $0x6e35dc64 // fmul v4.4s, v3.4s, v21.4s
	WORD $0x4ea4d442 // fsub v2.4s, v2.4s, v4.4s
	WORD $0x6e22dc44 // fmul v4.4s, v2.4s, v2.4s
	WORD $0x6e36dc45 // fmul v5.4s, v2.4s, v22.4s
	WORD $0x4e37d4a5 // fadd v5.4s, v5.4s, v23.4s
	WORD $0x6e22dca5 // fmul v5.4s, v5.4s, v2.4s
	WORD $0x4e38d4a5 // fadd v5.4s, v5.4s, v24.4s
	WORD $0x6e22dca5 // fmul v5.4s, v5.4s, v2.4s
	WORD $0x4e39d4a5 // fadd v5.4s, v5.4s, v25.4s
	WORD $0x6e22dca5 // fmul v5.4s, v5.4s, v2.4s
	WORD $0x4e3ad4a5 // fadd v5.4s, v5.4s, v26.4s
	WORD $0x6e22dca5 // fmul v5.4s, v5.4s, v2.4s
	WORD $0x4e3bd4a5 // fadd v5.4s, v5.4s, v27.4s
	WORD $0x6e24dca5 // fmul v5.4s, v5.4s, v4.4s
	WORD $0x4e22d4a5 // fadd v5.4s, v5.4s, v2.4s
	WORD $0x4e3cd4a5 // fadd v5.4s, v5.4s, v28.4s
	WORD $0x4ea1b863 // fcvtzs v3.4s, v3.4s
	VSHL   $23, V3.S4, V3.S4
	VADD   V3.S4, V5.S4, V5.S4
	WORD $0x4e3cd4a3 // fadd v3.4s, v5.4s, v28.4s
	WORD $0x6e23ff82 // fdiv v2.4s, v28.4s, v3.4s
	WORD $0x4e661c42 // bic v2.16b, v2.16b, v6.16b
	WORD $0x6e22dca5 // fmul v5.4s, v5.4s, v2.4s
	WORD $0x4e6b1ca5 // bic v5.16b, v5.16b, v11.16b
	WORD $0x6e22dc04 // fmul v4.4s, v0.4s, v2.4s
	WORD $0x4e661c84 // bic v4.16b, v4.16b, v6.16b
	VLD1.P 16(R2), [V7.S4]
	WORD $0x6e24dce8 // fmul v8.4s, v7.4s, v4.4s
	VST1.P [V8.S4], 16(R1)
	WORD $0x6e25dc89 // fmul v9.4s, v4.4s, v5.4s
	WORD $0x4e29d449 // fadd v9.4s, v2.4s, v9.4s
	VLD1.P 16(R5), [V10.S4]
	WORD $0x6e2adcea // fmul v10.4s, v7.4s, v10.4s
	WORD $0x6e29dd4a // fmul v10.4s, v10.4s, v9.4s
	VST1.P [V10.S4], 16(R0)
	SUBS   $4, R6, R6
	BNE    sbwdloop
	RET

// func dotLanesNeon(d, y *float32, n int, ss *float32)
// Lanes 0..15 of Σ d·y in V0..V3, one accumulator per lane in index order.
TEXT ·dotLanesNeon(SB), NOSPLIT, $0-32
	MOVD d+0(FP), R0
	MOVD y+8(FP), R1
	MOVD n+16(FP), R2
	MOVD ss+24(FP), R3
	VEOR V0.B16, V0.B16, V0.B16
	VEOR V1.B16, V1.B16, V1.B16
	VEOR V2.B16, V2.B16, V2.B16
	VEOR V3.B16, V3.B16, V3.B16
dotloop:
	VLD1.P 64(R0), [V4.S4, V5.S4, V6.S4, V7.S4]
	VLD1.P 64(R1), [V8.S4, V9.S4, V10.S4, V11.S4]
	WORD $0x6e28dc84 // fmul v4.4s, v4.4s, v8.4s
	WORD $0x6e29dca5 // fmul v5.4s, v5.4s, v9.4s
	WORD $0x6e2adcc6 // fmul v6.4s, v6.4s, v10.4s
	WORD $0x6e2bdce7 // fmul v7.4s, v7.4s, v11.4s
	WORD $0x4e24d400 // fadd v0.4s, v0.4s, v4.4s
	WORD $0x4e25d421 // fadd v1.4s, v1.4s, v5.4s
	WORD $0x4e26d442 // fadd v2.4s, v2.4s, v6.4s
	WORD $0x4e27d463 // fadd v3.4s, v3.4s, v7.4s
	SUBS   $16, R2, R2
	BNE    dotloop
	VST1   [V0.S4, V1.S4, V2.S4, V3.S4], (R3)
	RET

// func rmsBwdNeon(d, y *float32, n int, m, inv float32)
// d = (d − y·m)·inv, 16 at a time.
TEXT ·rmsBwdNeon(SB), NOSPLIT, $0-32
	MOVD  d+0(FP), R0
	MOVD  y+8(FP), R1
	MOVD  n+16(FP), R2
	FMOVS m+24(FP), F30
	FMOVS inv+28(FP), F31
	VDUP  V30.S[0], V30.S4
	VDUP  V31.S[0], V31.S4
rbwdloop:
	VLD1   (R0), [V0.S4, V1.S4, V2.S4, V3.S4]
	VLD1.P 64(R1), [V4.S4, V5.S4, V6.S4, V7.S4]
	WORD $0x6e3edc84 // fmul v4.4s, v4.4s, v30.4s
	WORD $0x6e3edca5 // fmul v5.4s, v5.4s, v30.4s
	WORD $0x6e3edcc6 // fmul v6.4s, v6.4s, v30.4s
	WORD $0x6e3edce7 // fmul v7.4s, v7.4s, v30.4s
	WORD $0x4ea4d400 // fsub v0.4s, v0.4s, v4.4s
	WORD $0x4ea5d421 // fsub v1.4s, v1.4s, v5.4s
	WORD $0x4ea6d442 // fsub v2.4s, v2.4s, v6.4s
	WORD $0x4ea7d463 // fsub v3.4s, v3.4s, v7.4s
	WORD $0x6e3fdc00 // fmul v0.4s, v0.4s, v31.4s
	WORD $0x6e3fdc21 // fmul v1.4s, v1.4s, v31.4s
	WORD $0x6e3fdc42 // fmul v2.4s, v2.4s, v31.4s
	WORD $0x6e3fdc63 // fmul v3.4s, v3.4s, v31.4s
	VST1.P [V0.S4, V1.S4, V2.S4, V3.S4], 64(R0)
	SUBS   $16, R2, R2
	BNE    rbwdloop
	RET
