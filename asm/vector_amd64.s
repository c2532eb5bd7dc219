//go:build !purego && !noasm

#include "textflag.h"

// Vector kernels (vector.go), AVX-512 (F/BW/VL/DQ) and AVX2 tiers. Each
// handles n elements, n a positive multiple of 16, and does exactly the
// float32 operations of its generic twin in the same order, one rounding
// each (no FMA), so the results are identical bit for bit. Rounding
// (VRNDSCALEPS/VROUNDPS $0, VCVTPD2DQ) is to nearest even, the MXCSR
// default the Go runtime keeps.

DATA vecc<>+0(SB)/8, $0x8000000080000000 // sign bit
DATA vecc<>+8(SB)/8, $0x8000000080000000
DATA vecc<>+16(SB)/8, $0x8000000080000000
DATA vecc<>+24(SB)/8, $0x8000000080000000
DATA vecc<>+32(SB)/8, $0x42b1721742b17217 // 88.72283: exp32Hi, largest x with a finite exp
DATA vecc<>+40(SB)/8, $0x42b1721742b17217
DATA vecc<>+48(SB)/8, $0x42b1721742b17217
DATA vecc<>+56(SB)/8, $0x42b1721742b17217
DATA vecc<>+64(SB)/8, $0xc2ac0000c2ac0000 // -86: clamp, exp(-86) < 2^-24 leaves 1+e = 1
DATA vecc<>+72(SB)/8, $0xc2ac0000c2ac0000
DATA vecc<>+80(SB)/8, $0xc2ac0000c2ac0000
DATA vecc<>+88(SB)/8, $0xc2ac0000c2ac0000
DATA vecc<>+96(SB)/8, $0x3fb8aa3b3fb8aa3b // log2(e)
DATA vecc<>+104(SB)/8, $0x3fb8aa3b3fb8aa3b
DATA vecc<>+112(SB)/8, $0x3fb8aa3b3fb8aa3b
DATA vecc<>+120(SB)/8, $0x3fb8aa3b3fb8aa3b
DATA vecc<>+128(SB)/8, $0x3f3172003f317200 // ln2, high part
DATA vecc<>+136(SB)/8, $0x3f3172003f317200
DATA vecc<>+144(SB)/8, $0x3f3172003f317200
DATA vecc<>+152(SB)/8, $0x3f3172003f317200
DATA vecc<>+160(SB)/8, $0x35bfbe8e35bfbe8e // ln2, low part
DATA vecc<>+168(SB)/8, $0x35bfbe8e35bfbe8e
DATA vecc<>+176(SB)/8, $0x35bfbe8e35bfbe8e
DATA vecc<>+184(SB)/8, $0x35bfbe8e35bfbe8e
DATA vecc<>+192(SB)/8, $0x3950696739506967 // 1.9875691500e-4
DATA vecc<>+200(SB)/8, $0x3950696739506967
DATA vecc<>+208(SB)/8, $0x3950696739506967
DATA vecc<>+216(SB)/8, $0x3950696739506967
DATA vecc<>+224(SB)/8, $0x3ab743ce3ab743ce // 1.3981999507e-3
DATA vecc<>+232(SB)/8, $0x3ab743ce3ab743ce
DATA vecc<>+240(SB)/8, $0x3ab743ce3ab743ce
DATA vecc<>+248(SB)/8, $0x3ab743ce3ab743ce
DATA vecc<>+256(SB)/8, $0x3c0889083c088908 // 8.3334519073e-3
DATA vecc<>+264(SB)/8, $0x3c0889083c088908
DATA vecc<>+272(SB)/8, $0x3c0889083c088908
DATA vecc<>+280(SB)/8, $0x3c0889083c088908
DATA vecc<>+288(SB)/8, $0x3d2aa9c13d2aa9c1 // 4.1665795894e-2
DATA vecc<>+296(SB)/8, $0x3d2aa9c13d2aa9c1
DATA vecc<>+304(SB)/8, $0x3d2aa9c13d2aa9c1
DATA vecc<>+312(SB)/8, $0x3d2aa9c13d2aa9c1
DATA vecc<>+320(SB)/8, $0x3e2aaaaa3e2aaaaa // 1.6666665459e-1
DATA vecc<>+328(SB)/8, $0x3e2aaaaa3e2aaaaa
DATA vecc<>+336(SB)/8, $0x3e2aaaaa3e2aaaaa
DATA vecc<>+344(SB)/8, $0x3e2aaaaa3e2aaaaa
DATA vecc<>+352(SB)/8, $0x3f0000003f000000 // 1/2
DATA vecc<>+360(SB)/8, $0x3f0000003f000000
DATA vecc<>+368(SB)/8, $0x3f0000003f000000
DATA vecc<>+376(SB)/8, $0x3f0000003f000000
DATA vecc<>+384(SB)/8, $0x3f8000003f800000 // 1
DATA vecc<>+392(SB)/8, $0x3f8000003f800000
DATA vecc<>+400(SB)/8, $0x3f8000003f800000
DATA vecc<>+408(SB)/8, $0x3f8000003f800000
DATA vecc<>+416(SB)/8, $0x7fffffff7fffffff // abs mask
DATA vecc<>+424(SB)/8, $0x7fffffff7fffffff
DATA vecc<>+432(SB)/8, $0x7fffffff7fffffff
DATA vecc<>+440(SB)/8, $0x7fffffff7fffffff
GLOBL vecc<>(SB), RODATA|NOPTR, $448

#define V_SIGN vecc<>+0(SB)
#define V_HI vecc<>+32(SB)
#define V_LO vecc<>+64(SB)
#define V_LOG2E vecc<>+96(SB)
#define V_LN2HI vecc<>+128(SB)
#define V_LN2LO vecc<>+160(SB)
#define V_P0 vecc<>+192(SB)
#define V_P1 vecc<>+224(SB)
#define V_P2 vecc<>+256(SB)
#define V_P3 vecc<>+288(SB)
#define V_P4 vecc<>+320(SB)
#define V_P5 vecc<>+352(SB)
#define V_ONE vecc<>+384(SB)
#define V_ABS vecc<>+416(SB)

// ---------------------------------------------------------------------------
// AVX-512

// func amaxBitsAvx512(src *float32, n int) uint32
// The largest |x| as bits: for non-negative floats the integer order is the
// numeric order, and a NaN (bits above +Inf) wins, like Go's max.
TEXT ·amaxBitsAvx512(SB), NOSPLIT, $0-20
	MOVQ src+0(FP), SI
	MOVQ n+8(FP), CX
	VPBROADCASTD V_ABS, Z31
	VPXORD Z0, Z0, Z0
	VPXORD Z1, Z1, Z1
	CMPQ CX, $32
	JLT  amax512one
amax512loop:
	VPANDD  (SI), Z31, Z2
	VPANDD  64(SI), Z31, Z3
	VPMAXUD Z2, Z0, Z0
	VPMAXUD Z3, Z1, Z1
	ADDQ    $128, SI
	SUBQ    $32, CX
	CMPQ    CX, $32
	JGE     amax512loop
amax512one:
	TESTQ   CX, CX
	JZ      amax512red
	VPANDD  (SI), Z31, Z2
	VPMAXUD Z2, Z0, Z0
amax512red:
	VPMAXUD       Z1, Z0, Z0
	VEXTRACTI64X4 $1, Z0, Y1
	VPMAXUD       Y1, Y0, Y0
	VEXTRACTI128  $1, Y0, X1
	VPMAXUD       X1, X0, X0
	VPSHUFD       $0x4e, X0, X1
	VPMAXUD       X1, X0, X0
	VPSHUFD       $0xb1, X0, X1
	VPMAXUD       X1, X0, X0
	VMOVD         X0, AX
	MOVL          AX, ret+16(FP)
	VZEROUPPER
	RET

// func dequantS8Avx512(y *float32, acc *int32, sa float32, sw *float32, n int)
// y = (float32(acc)·sa)·sw.
TEXT ·dequantS8Avx512(SB), NOSPLIT, $0-40
	MOVQ         y+0(FP), DI
	MOVQ         acc+8(FP), SI
	VBROADCASTSS sa+16(FP), Z31
	MOVQ         sw+24(FP), DX
	MOVQ         n+32(FP), CX
	XORQ         AX, AX
	CMPQ         CX, $32
	JLT          deq512one
	LEAQ         -32(CX), BX
deq512loop:
	VCVTDQ2PS (SI)(AX*4), Z0
	VCVTDQ2PS 64(SI)(AX*4), Z1
	VMULPS    Z31, Z0, Z0
	VMULPS    Z31, Z1, Z1
	VMULPS    (DX)(AX*4), Z0, Z0
	VMULPS    64(DX)(AX*4), Z1, Z1
	VMOVUPS   Z0, (DI)(AX*4)
	VMOVUPS   Z1, 64(DI)(AX*4)
	ADDQ      $32, AX
	CMPQ      AX, BX
	JLE       deq512loop
deq512one:
	CMPQ      AX, CX
	JGE       deq512done
	VCVTDQ2PS (SI)(AX*4), Z0
	VMULPS    Z31, Z0, Z0
	VMULPS    (DX)(AX*4), Z0, Z0
	VMOVUPS   Z0, (DI)(AX*4)
deq512done:
	VZEROUPPER
	RET

// SILU512 replaces z by silu(z) = z/(1+exp(−z)) (0 where exp(−z)
// overflows), with the operations of silu32 and exp32Reduced (vector.go).
// The argument x = −z is clamped to [−86, exp32Hi]: below −86, exp32 and
// this e are both under 2⁻²⁴ and 1+e rounds to 1 either way; the clamp
// keeps the exponent-field addition 2ⁿ·p in the normal range. Lanes
// with x > exp32Hi get 0 (mask k). Constants: Z16 sign, Z17 hi, Z18 lo,
// Z19 log2e, Z20 ln2hi, Z21 ln2lo, Z22..Z27 P0..P5, Z28 1.
#define SILU512(z, x, n, t, z2, q, k) \
	VXORPS      Z16, z, x; \
	VCMPPS      $0x1e, Z17, x, k; \
	VMINPS      Z17, x, x; \
	VMAXPS      Z18, x, x; \
	VMULPS      Z19, x, n; \
	VRNDSCALEPS $0, n, n; \
	VMULPS      Z20, n, t; \
	VSUBPS      t, x, x; \
	VMULPS      Z21, n, t; \
	VSUBPS      t, x, x; \
	VMULPS      x, x, z2; \
	VMULPS      Z22, x, q; \
	VADDPS      Z23, q, q; \
	VMULPS      x, q, q; \
	VADDPS      Z24, q, q; \
	VMULPS      x, q, q; \
	VADDPS      Z25, q, q; \
	VMULPS      x, q, q; \
	VADDPS      Z26, q, q; \
	VMULPS      x, q, q; \
	VADDPS      Z27, q, q; \
	VMULPS      z2, q, q; \
	VADDPS      x, q, q; \
	VADDPS      Z28, q, q; \
	VCVTPS2DQ   n, n; \
	VPSLLD      $23, n, n; \
	VPADDD      n, q, q; \
	VADDPS      Z28, q, q; \
	VDIVPS      q, z, z; \
	VXORPS      z, z, k, z

// func swigluAvx512(out, gate, up *float32, n int)
TEXT ·swigluAvx512(SB), NOSPLIT, $0-32
	MOVQ out+0(FP), DI
	MOVQ gate+8(FP), SI
	MOVQ up+16(FP), DX
	MOVQ n+24(FP), CX
	VBROADCASTSS V_SIGN, Z16
	VBROADCASTSS V_HI, Z17
	VBROADCASTSS V_LO, Z18
	VBROADCASTSS V_LOG2E, Z19
	VBROADCASTSS V_LN2HI, Z20
	VBROADCASTSS V_LN2LO, Z21
	VBROADCASTSS V_P0, Z22
	VBROADCASTSS V_P1, Z23
	VBROADCASTSS V_P2, Z24
	VBROADCASTSS V_P3, Z25
	VBROADCASTSS V_P4, Z26
	VBROADCASTSS V_P5, Z27
	VBROADCASTSS V_ONE, Z28
	XORQ AX, AX
	CMPQ CX, $32
	JLT  silu512one
	LEAQ -32(CX), BX
silu512loop:
	VMOVUPS (SI)(AX*4), Z0
	VMOVUPS 64(SI)(AX*4), Z6
	SILU512(Z0, Z1, Z2, Z3, Z4, Z5, K1)
	SILU512(Z6, Z7, Z8, Z9, Z10, Z11, K2)
	VMULPS  (DX)(AX*4), Z0, Z0
	VMULPS  64(DX)(AX*4), Z6, Z6
	VMOVUPS Z0, (DI)(AX*4)
	VMOVUPS Z6, 64(DI)(AX*4)
	ADDQ    $32, AX
	CMPQ    AX, BX
	JLE     silu512loop
silu512one:
	CMPQ    AX, CX
	JGE     silu512done
	VMOVUPS (SI)(AX*4), Z0
	SILU512(Z0, Z1, Z2, Z3, Z4, Z5, K1)
	VMULPS  (DX)(AX*4), Z0, Z0
	VMOVUPS Z0, (DI)(AX*4)
silu512done:
	VZEROUPPER
	RET

// func addSquaresAvx512(h, y *float32, n int, ss *float32)
// h += y; ss[lane] = Σ h² over the elements of each lane (i mod 16), in
// index order: one accumulator, so the order is that of addSquares.
TEXT ·addSquaresAvx512(SB), NOSPLIT, $0-32
	MOVQ   h+0(FP), DI
	MOVQ   y+8(FP), SI
	MOVQ   n+16(FP), CX
	MOVQ   ss+24(FP), DX
	VPXORD Z0, Z0, Z0
	XORQ   AX, AX
sq512loop:
	VMOVUPS (DI)(AX*4), Z1
	VADDPS  (SI)(AX*4), Z1, Z1
	VMOVUPS Z1, (DI)(AX*4)
	VMULPS  Z1, Z1, Z1
	VADDPS  Z1, Z0, Z0
	ADDQ    $16, AX
	CMPQ    AX, CX
	JLT     sq512loop
	VMOVUPS Z0, (DX)
	VZEROUPPER
	RET

// func scaleAvx512(x *float32, n int, s float32)
TEXT ·scaleAvx512(SB), NOSPLIT, $0-20
	MOVQ         x+0(FP), DI
	MOVQ         n+8(FP), CX
	VBROADCASTSS s+16(FP), Z31
	XORQ         AX, AX
scale512loop:
	VMULPS  (DI)(AX*4), Z31, Z0
	VMOVUPS Z0, (DI)(AX*4)
	ADDQ    $16, AX
	CMPQ    AX, CX
	JLT     scale512loop
	VZEROUPPER
	RET

// func ropeAvx512(v, cos, sin *float32, half, heads, hb int)
// For each of heads vectors of 2·half floats, j < hb (a multiple of 16):
// lo' = a·c − b·s, hi' = b·c + a·s with a = lo[j], b = hi[j].
TEXT ·ropeAvx512(SB), NOSPLIT, $0-48
	MOVQ v+0(FP), DI
	MOVQ cos+8(FP), SI
	MOVQ sin+16(FP), DX
	MOVQ half+24(FP), R8
	MOVQ heads+32(FP), R9
	MOVQ hb+40(FP), CX
	LEAQ (DI)(R8*4), R10 // hi half
	SHLQ $3, R8          // bytes per head vector
rope512head:
	XORQ AX, AX
rope512loop:
	VMOVUPS (DI)(AX*4), Z0  // a
	VMOVUPS (R10)(AX*4), Z1 // b
	VMOVUPS (SI)(AX*4), Z2  // c
	VMOVUPS (DX)(AX*4), Z3  // s
	VMULPS  Z2, Z0, Z4      // a·c
	VMULPS  Z3, Z1, Z5      // b·s
	VMULPS  Z2, Z1, Z6      // b·c
	VMULPS  Z3, Z0, Z7      // a·s
	VSUBPS  Z5, Z4, Z4
	VADDPS  Z7, Z6, Z6
	VMOVUPS Z4, (DI)(AX*4)
	VMOVUPS Z6, (R10)(AX*4)
	ADDQ    $16, AX
	CMPQ    AX, CX
	JLT     rope512loop
	ADDQ    R8, DI
	ADDQ    R8, R10
	DECQ    R9
	JNZ     rope512head
	VZEROUPPER
	RET

// ---------------------------------------------------------------------------
// AVX2: the same, 8 lanes per register, two registers per 16 elements.

// func amaxBitsAvx2(src *float32, n int) uint32
TEXT ·amaxBitsAvx2(SB), NOSPLIT, $0-20
	MOVQ    src+0(FP), SI
	MOVQ    n+8(FP), CX
	VMOVDQU V_ABS, Y15
	VPXOR   Y0, Y0, Y0
	VPXOR   Y1, Y1, Y1
amax2loop:
	VPAND   (SI), Y15, Y2
	VPAND   32(SI), Y15, Y3
	VPMAXUD Y2, Y0, Y0
	VPMAXUD Y3, Y1, Y1
	ADDQ    $64, SI
	SUBQ    $16, CX
	JNZ     amax2loop
	VPMAXUD      Y1, Y0, Y0
	VEXTRACTI128 $1, Y0, X1
	VPMAXUD      X1, X0, X0
	VPSHUFD      $0x4e, X0, X1
	VPMAXUD      X1, X0, X0
	VPSHUFD      $0xb1, X0, X1
	VPMAXUD      X1, X0, X0
	VMOVD        X0, AX
	MOVL         AX, ret+16(FP)
	VZEROUPPER
	RET

// func quantS8Avx2(dst *int8, src *float32, n int, inv float64)
// dst = round(float64(src)·inv), to nearest even. |src|·inv <= 127 (see
// quantS8Tail), so the saturating packs never saturate. The avx512 tier
// uses it too: on Zen 4 the zmm form (VCVTPD2DQ or the 1.5·2⁵² trick, then
// VPMOVSDB/VPMOVQB) ran at 0.13-0.15 ns per element against 0.10 here,
// bound by the conversions either way.
TEXT ·quantS8Avx2(SB), NOSPLIT, $0-32
	MOVQ         dst+0(FP), DI
	MOVQ         src+8(FP), SI
	MOVQ         n+16(FP), CX
	VBROADCASTSD inv+24(FP), Y15
quant2loop:
	VCVTPS2PD  (SI), Y0
	VCVTPS2PD  16(SI), Y1
	VCVTPS2PD  32(SI), Y2
	VCVTPS2PD  48(SI), Y3
	VMULPD     Y15, Y0, Y0
	VMULPD     Y15, Y1, Y1
	VMULPD     Y15, Y2, Y2
	VMULPD     Y15, Y3, Y3
	VCVTPD2DQY Y0, X0
	VCVTPD2DQY Y1, X1
	VCVTPD2DQY Y2, X2
	VCVTPD2DQY Y3, X3
	VPACKSSDW  X1, X0, X0
	VPACKSSDW  X3, X2, X2
	VPACKSSWB  X2, X0, X0
	VMOVDQU    X0, (DI)
	ADDQ       $64, SI
	ADDQ       $16, DI
	SUBQ       $16, CX
	JNZ        quant2loop
	VZEROUPPER
	RET

// func dequantS8Avx2(y *float32, acc *int32, sa float32, sw *float32, n int)
TEXT ·dequantS8Avx2(SB), NOSPLIT, $0-40
	MOVQ         y+0(FP), DI
	MOVQ         acc+8(FP), SI
	VBROADCASTSS sa+16(FP), Y15
	MOVQ         sw+24(FP), DX
	MOVQ         n+32(FP), CX
	XORQ         AX, AX
deq2loop:
	VCVTDQ2PS (SI)(AX*4), Y0
	VCVTDQ2PS 32(SI)(AX*4), Y1
	VMULPS    Y15, Y0, Y0
	VMULPS    Y15, Y1, Y1
	VMULPS    (DX)(AX*4), Y0, Y0
	VMULPS    32(DX)(AX*4), Y1, Y1
	VMOVUPS   Y0, (DI)(AX*4)
	VMOVUPS   Y1, 32(DI)(AX*4)
	ADDQ      $16, AX
	CMPQ      AX, CX
	JLT       deq2loop
	VZEROUPPER
	RET

// SILU256 is SILU512 on 8 lanes; mask m marks x > exp32Hi. Constants in
// registers: Y12 sign, Y13 hi, Y14 lo, Y15 1; the others from memory. t
// holds n·ln2 and then r² (16 registers are few).
#define SILU256(z, x, n, t, q, m) \
	VXORPS      Y12, z, x; \
	VCMPPS      $0x1e, Y13, x, m; \
	VMINPS      Y13, x, x; \
	VMAXPS      Y14, x, x; \
	VMULPS      V_LOG2E, x, n; \
	VROUNDPS    $0, n, n; \
	VMULPS      V_LN2HI, n, t; \
	VSUBPS      t, x, x; \
	VMULPS      V_LN2LO, n, t; \
	VSUBPS      t, x, x; \
	VMULPS      x, x, t; \
	VMULPS      V_P0, x, q; \
	VADDPS      V_P1, q, q; \
	VMULPS      x, q, q; \
	VADDPS      V_P2, q, q; \
	VMULPS      x, q, q; \
	VADDPS      V_P3, q, q; \
	VMULPS      x, q, q; \
	VADDPS      V_P4, q, q; \
	VMULPS      x, q, q; \
	VADDPS      V_P5, q, q; \
	VMULPS      t, q, q; \
	VADDPS      x, q, q; \
	VADDPS      Y15, q, q; \
	VCVTPS2DQ   n, n; \
	VPSLLD      $23, n, n; \
	VPADDD      n, q, q; \
	VADDPS      Y15, q, q; \
	VDIVPS      q, z, z; \
	VANDNPS     z, m, z

// func swigluAvx2(out, gate, up *float32, n int)
TEXT ·swigluAvx2(SB), NOSPLIT, $0-32
	MOVQ out+0(FP), DI
	MOVQ gate+8(FP), SI
	MOVQ up+16(FP), DX
	MOVQ n+24(FP), CX
	VMOVUPS V_SIGN, Y12
	VMOVUPS V_HI, Y13
	VMOVUPS V_LO, Y14
	VMOVUPS V_ONE, Y15
	XORQ AX, AX
silu2loop:
	VMOVUPS (SI)(AX*4), Y0
	VMOVUPS 32(SI)(AX*4), Y6
	SILU256(Y0, Y1, Y2, Y3, Y4, Y5)
	SILU256(Y6, Y7, Y8, Y9, Y10, Y11)
	VMULPS  (DX)(AX*4), Y0, Y0
	VMULPS  32(DX)(AX*4), Y6, Y6
	VMOVUPS Y0, (DI)(AX*4)
	VMOVUPS Y6, 32(DI)(AX*4)
	ADDQ    $16, AX
	CMPQ    AX, CX
	JLT     silu2loop
	VZEROUPPER
	RET

// func addSquaresAvx2(h, y *float32, n int, ss *float32)
// Lanes 0..7 in Y0, 8..15 in Y1.
TEXT ·addSquaresAvx2(SB), NOSPLIT, $0-32
	MOVQ  h+0(FP), DI
	MOVQ  y+8(FP), SI
	MOVQ  n+16(FP), CX
	MOVQ  ss+24(FP), DX
	VXORPS Y0, Y0, Y0
	VXORPS Y1, Y1, Y1
	XORQ  AX, AX
sq2loop:
	VMOVUPS (DI)(AX*4), Y2
	VMOVUPS 32(DI)(AX*4), Y3
	VADDPS  (SI)(AX*4), Y2, Y2
	VADDPS  32(SI)(AX*4), Y3, Y3
	VMOVUPS Y2, (DI)(AX*4)
	VMOVUPS Y3, 32(DI)(AX*4)
	VMULPS  Y2, Y2, Y2
	VMULPS  Y3, Y3, Y3
	VADDPS  Y2, Y0, Y0
	VADDPS  Y3, Y1, Y1
	ADDQ    $16, AX
	CMPQ    AX, CX
	JLT     sq2loop
	VMOVUPS Y0, (DX)
	VMOVUPS Y1, 32(DX)
	VZEROUPPER
	RET

// func scaleAvx2(x *float32, n int, s float32)
TEXT ·scaleAvx2(SB), NOSPLIT, $0-20
	MOVQ         x+0(FP), DI
	MOVQ         n+8(FP), CX
	VBROADCASTSS s+16(FP), Y15
	XORQ         AX, AX
scale2loop:
	VMULPS  (DI)(AX*4), Y15, Y0
	VMULPS  32(DI)(AX*4), Y15, Y1
	VMOVUPS Y0, (DI)(AX*4)
	VMOVUPS Y1, 32(DI)(AX*4)
	ADDQ    $16, AX
	CMPQ    AX, CX
	JLT     scale2loop
	VZEROUPPER
	RET

// func ropeAvx2(v, cos, sin *float32, half, heads, hb int)
TEXT ·ropeAvx2(SB), NOSPLIT, $0-48
	MOVQ v+0(FP), DI
	MOVQ cos+8(FP), SI
	MOVQ sin+16(FP), DX
	MOVQ half+24(FP), R8
	MOVQ heads+32(FP), R9
	MOVQ hb+40(FP), CX
	LEAQ (DI)(R8*4), R10
	SHLQ $3, R8
rope2head:
	XORQ AX, AX
rope2loop:
	VMOVUPS (DI)(AX*4), Y0
	VMOVUPS (R10)(AX*4), Y1
	VMOVUPS (SI)(AX*4), Y2
	VMOVUPS (DX)(AX*4), Y3
	VMULPS  Y2, Y0, Y4
	VMULPS  Y3, Y1, Y5
	VMULPS  Y2, Y1, Y6
	VMULPS  Y3, Y0, Y7
	VSUBPS  Y5, Y4, Y4
	VADDPS  Y7, Y6, Y6
	VMOVUPS Y4, (DI)(AX*4)
	VMOVUPS Y6, (R10)(AX*4)
	ADDQ    $8, AX
	CMPQ    AX, CX
	JLT     rope2loop
	ADDQ    R8, DI
	ADDQ    R8, R10
	DECQ    R9
	JNZ     rope2head
	VZEROUPPER
	RET

// func butterflyAvx512(x, y *float32, n int)
// x[j], y[j] = x[j]+y[j], x[j]−y[j].
TEXT ·butterflyAvx512(SB), NOSPLIT, $0-24
	MOVQ x+0(FP), DI
	MOVQ y+8(FP), SI
	MOVQ n+16(FP), CX
	XORQ AX, AX
bfly512loop:
	VMOVUPS (DI)(AX*4), Z0
	VMOVUPS (SI)(AX*4), Z1
	VADDPS  Z1, Z0, Z2
	VSUBPS  Z1, Z0, Z3
	VMOVUPS Z2, (DI)(AX*4)
	VMOVUPS Z3, (SI)(AX*4)
	ADDQ    $16, AX
	CMPQ    AX, CX
	JLT     bfly512loop
	VZEROUPPER
	RET

// func butterflyAvx2(x, y *float32, n int)
TEXT ·butterflyAvx2(SB), NOSPLIT, $0-24
	MOVQ x+0(FP), DI
	MOVQ y+8(FP), SI
	MOVQ n+16(FP), CX
	XORQ AX, AX
bfly2loop:
	VMOVUPS (DI)(AX*4), Y0
	VMOVUPS 32(DI)(AX*4), Y1
	VMOVUPS (SI)(AX*4), Y2
	VMOVUPS 32(SI)(AX*4), Y3
	VADDPS  Y2, Y0, Y4
	VADDPS  Y3, Y1, Y5
	VSUBPS  Y2, Y0, Y6
	VSUBPS  Y3, Y1, Y7
	VMOVUPS Y4, (DI)(AX*4)
	VMOVUPS Y5, 32(DI)(AX*4)
	VMOVUPS Y6, (SI)(AX*4)
	VMOVUPS Y7, 32(SI)(AX*4)
	ADDQ    $16, AX
	CMPQ    AX, CX
	JLT     bfly2loop
	VZEROUPPER
	RET

// func hadamard64Avx2(x *float32, m int)
// Hadamard of order 64 over chunks of m floats (m a multiple of 8) as two
// radix-8 passes with the data in registers: pass 1 runs stages h = 1, 2, 4
// on each run of 8 consecutive chunks, pass 2 stages 8, 16, 32 on each set
// of 8 chunks 8 apart. Every element sees the butterflies of the
// stage-by-stage order, so the bits are the same; the row is loaded and
// stored twice instead of six times.
TEXT ·hadamard64Avx2(SB), NOSPLIT, $0-16
	MOVQ x+0(FP), DI
	MOVQ m+8(FP), SI
	SHLQ $2, SI         // chunk in bytes
	MOVQ SI, BX         // pass 1: chunk k of a set at k·BX
	LEAQ 0(SI*8), DX    // and sets DX apart
	MOVQ $2, AX
had64pass:
	XORQ R8, R8         // offset of the set
	MOVQ $8, R9
had64set:
	LEAQ (DI)(R8*1), R10
	XORQ CX, CX         // offset in the chunk
had64vec:
	LEAQ    (R10)(CX*1), R11 // chunks 0 and 4
	LEAQ    (R11)(BX*1), R12 // 1 and 5
	LEAQ    (R11)(BX*2), R13 // 2 and 6
	LEAQ    (R12)(BX*2), R14 // 3 and 7
	VMOVUPS (R11), Y0
	VMOVUPS (R12), Y1
	VMOVUPS (R13), Y2
	VMOVUPS (R14), Y3
	VMOVUPS (R11)(BX*4), Y4
	VMOVUPS (R12)(BX*4), Y5
	VMOVUPS (R13)(BX*4), Y6
	VMOVUPS (R14)(BX*4), Y7
	// h=1: chunks (0,1) (2,3) (4,5) (6,7)
	VADDPS  Y1, Y0, Y8
	VSUBPS  Y1, Y0, Y9
	VADDPS  Y3, Y2, Y10
	VSUBPS  Y3, Y2, Y11
	VADDPS  Y5, Y4, Y12
	VSUBPS  Y5, Y4, Y13
	VADDPS  Y7, Y6, Y14
	VSUBPS  Y7, Y6, Y15
	// h=2: (0,2) (1,3) (4,6) (5,7)
	VADDPS  Y10, Y8, Y0
	VSUBPS  Y10, Y8, Y2
	VADDPS  Y11, Y9, Y1
	VSUBPS  Y11, Y9, Y3
	VADDPS  Y14, Y12, Y4
	VSUBPS  Y14, Y12, Y6
	VADDPS  Y15, Y13, Y5
	VSUBPS  Y15, Y13, Y7
	// h=4: (0,4) (1,5) (2,6) (3,7)
	VADDPS  Y4, Y0, Y8
	VSUBPS  Y4, Y0, Y12
	VADDPS  Y5, Y1, Y9
	VSUBPS  Y5, Y1, Y13
	VADDPS  Y6, Y2, Y10
	VSUBPS  Y6, Y2, Y14
	VADDPS  Y7, Y3, Y11
	VSUBPS  Y7, Y3, Y15
	// chunk k is in Y(8+k)
	VMOVUPS Y8, (R11)
	VMOVUPS Y9, (R12)
	VMOVUPS Y10, (R13)
	VMOVUPS Y11, (R14)
	VMOVUPS Y12, (R11)(BX*4)
	VMOVUPS Y13, (R12)(BX*4)
	VMOVUPS Y14, (R13)(BX*4)
	VMOVUPS Y15, (R14)(BX*4)
	ADDQ    $32, CX
	CMPQ    CX, SI
	JLT     had64vec
	ADDQ    DX, R8
	DECQ    R9
	JNZ     had64set
	XCHGQ   BX, DX      // pass 2: chunks 8 apart, sets one chunk apart
	DECQ    AX
	JNZ     had64pass
	VZEROUPPER
	RET

// func hadamardAvx2(x *float32, m, b int)
// For span = m, 2m, …, (b/2)·m floats: every pair of adjacent span-long
// runs (x, y) becomes (x+y, x−y), the butterflies of Hadamard in its order.
TEXT ·hadamardAvx2(SB), NOSPLIT, $0-24
	MOVQ  x+0(FP), DI
	MOVQ  m+8(FP), R8
	MOVQ  b+16(FP), R9
	SHLQ  $2, R8        // span in bytes
	IMULQ R8, R9        // whole row in bytes
hadstage:
	XORQ R10, R10       // offset of the pair
hadpair:
	LEAQ (DI)(R10*1), R11
	LEAQ (R11)(R8*1), R12
	MOVQ R8, CX
hadloop:
	VMOVUPS (R11), Y0
	VMOVUPS (R12), Y1
	VADDPS  Y1, Y0, Y2
	VSUBPS  Y1, Y0, Y3
	VMOVUPS Y2, (R11)
	VMOVUPS Y3, (R12)
	ADDQ    $32, R11
	ADDQ    $32, R12
	SUBQ    $32, CX
	JNZ     hadloop
	LEAQ    (R10)(R8*2), R10
	CMPQ    R10, R9
	JLT     hadpair
	SHLQ    $1, R8
	CMPQ    R8, R9
	JLT     hadstage
	VZEROUPPER
	RET

// ---------------------------------------------------------------------------
// The trainer's backward steps (SwiGLUBwd, RMSNormBwd).

// SIG512 sets s = σ(z) = 1/(1+e), q = c = e·s and sl = z·s, e = exp(−z),
// with the operations of swigluBwdGeneric: x = −z clamped as in SILU512,
// exp by the same polynomial; lanes with x > exp32Hi (mask k) get s = c =
// sl = 0, lanes with x < −86 (mask kb) c = 0. Constants as for SILU512
// (Z16..Z28).
#define SIG512(z, s, n, t, r2, q, sl, k, kb) \
	VXORPS      Z16, z, s; \
	VCMPPS      $0x1e, Z17, s, k; \
	VCMPPS      $0x11, Z18, s, kb; \
	VMINPS      Z17, s, s; \
	VMAXPS      Z18, s, s; \
	VMULPS      Z19, s, n; \
	VRNDSCALEPS $0, n, n; \
	VMULPS      Z20, n, t; \
	VSUBPS      t, s, s; \
	VMULPS      Z21, n, t; \
	VSUBPS      t, s, s; \
	VMULPS      s, s, r2; \
	VMULPS      Z22, s, q; \
	VADDPS      Z23, q, q; \
	VMULPS      s, q, q; \
	VADDPS      Z24, q, q; \
	VMULPS      s, q, q; \
	VADDPS      Z25, q, q; \
	VMULPS      s, q, q; \
	VADDPS      Z26, q, q; \
	VMULPS      s, q, q; \
	VADDPS      Z27, q, q; \
	VMULPS      r2, q, q; \
	VADDPS      s, q, q; \
	VADDPS      Z28, q, q; \
	VCVTPS2DQ   n, n; \
	VPSLLD      $23, n, n; \
	VPADDD      n, q, q; \
	VADDPS      Z28, q, n; \
	VDIVPS      n, Z28, s; \
	VXORPS      s, s, k, s; \
	VMULPS      s, q, q; \
	VXORPS      q, q, kb, q; \
	VMULPS      s, z, sl; \
	VXORPS      sl, sl, k, sl

// func swigluBwdAvx512(dg, du, dh, gate, up *float32, n int)
// du = dh·sl; dg = (dh·u)·(s + sl·c).
TEXT ·swigluBwdAvx512(SB), NOSPLIT, $0-48
	MOVQ dg+0(FP), DI
	MOVQ du+8(FP), R8
	MOVQ dh+16(FP), SI
	MOVQ gate+24(FP), DX
	MOVQ up+32(FP), R9
	MOVQ n+40(FP), CX
	VBROADCASTSS V_SIGN, Z16
	VBROADCASTSS V_HI, Z17
	VBROADCASTSS V_LO, Z18
	VBROADCASTSS V_LOG2E, Z19
	VBROADCASTSS V_LN2HI, Z20
	VBROADCASTSS V_LN2LO, Z21
	VBROADCASTSS V_P0, Z22
	VBROADCASTSS V_P1, Z23
	VBROADCASTSS V_P2, Z24
	VBROADCASTSS V_P3, Z25
	VBROADCASTSS V_P4, Z26
	VBROADCASTSS V_P5, Z27
	VBROADCASTSS V_ONE, Z28
	XORQ AX, AX
sbwd512loop:
	VMOVUPS (DX)(AX*4), Z0
	SIG512(Z0, Z1, Z2, Z3, Z4, Z5, Z6, K1, K2)
	VMOVUPS (SI)(AX*4), Z7
	VMULPS  Z6, Z7, Z8
	VMOVUPS Z8, (R8)(AX*4)
	VMULPS  Z5, Z6, Z9
	VADDPS  Z9, Z1, Z9
	VMULPS  (R9)(AX*4), Z7, Z10
	VMULPS  Z9, Z10, Z10
	VMOVUPS Z10, (DI)(AX*4)
	ADDQ    $16, AX
	CMPQ    AX, CX
	JLT     sbwd512loop
	VZEROUPPER
	RET

// func dotLanesAvx512(d, y *float32, n int, ss *float32)
// ss[lane] = Σ d·y over the elements of each lane (i mod 16), in index
// order: one accumulator, the order of dotLanes.
TEXT ·dotLanesAvx512(SB), NOSPLIT, $0-32
	MOVQ   d+0(FP), DI
	MOVQ   y+8(FP), SI
	MOVQ   n+16(FP), CX
	MOVQ   ss+24(FP), DX
	VPXORD Z0, Z0, Z0
	XORQ   AX, AX
dot512loop:
	VMOVUPS (DI)(AX*4), Z1
	VMULPS  (SI)(AX*4), Z1, Z1
	VADDPS  Z1, Z0, Z0
	ADDQ    $16, AX
	CMPQ    AX, CX
	JLT     dot512loop
	VMOVUPS Z0, (DX)
	VZEROUPPER
	RET

// func rmsBwdAvx512(d, y *float32, n int, m, inv float32)
// d = (d − y·m)·inv.
TEXT ·rmsBwdAvx512(SB), NOSPLIT, $0-32
	MOVQ         d+0(FP), DI
	MOVQ         y+8(FP), SI
	MOVQ         n+16(FP), CX
	VBROADCASTSS m+24(FP), Z30
	VBROADCASTSS inv+28(FP), Z31
	XORQ         AX, AX
rbwd512loop:
	VMULPS  (SI)(AX*4), Z30, Z1
	VMOVUPS (DI)(AX*4), Z0
	VSUBPS  Z1, Z0, Z0
	VMULPS  Z31, Z0, Z0
	VMOVUPS Z0, (DI)(AX*4)
	ADDQ    $16, AX
	CMPQ    AX, CX
	JLT     rbwd512loop
	VZEROUPPER
	RET

// SIG256 is SIG512 on 8 lanes; masks m and mb mark x > exp32Hi and
// x < −86. Constants as for
// SILU256 (Y12 sign, Y13 hi, Y14 lo, Y15 1, the others from memory); t
// holds n·ln2, then r², then sl; q ends as c.
#define SIG256(z, s, n, t, q, m, mb) \
	VXORPS      Y12, z, s; \
	VCMPPS      $0x1e, Y13, s, m; \
	VCMPPS      $0x11, Y14, s, mb; \
	VMINPS      Y13, s, s; \
	VMAXPS      Y14, s, s; \
	VMULPS      V_LOG2E, s, n; \
	VROUNDPS    $0, n, n; \
	VMULPS      V_LN2HI, n, t; \
	VSUBPS      t, s, s; \
	VMULPS      V_LN2LO, n, t; \
	VSUBPS      t, s, s; \
	VMULPS      s, s, t; \
	VMULPS      V_P0, s, q; \
	VADDPS      V_P1, q, q; \
	VMULPS      s, q, q; \
	VADDPS      V_P2, q, q; \
	VMULPS      s, q, q; \
	VADDPS      V_P3, q, q; \
	VMULPS      s, q, q; \
	VADDPS      V_P4, q, q; \
	VMULPS      s, q, q; \
	VADDPS      V_P5, q, q; \
	VMULPS      t, q, q; \
	VADDPS      s, q, q; \
	VADDPS      Y15, q, q; \
	VCVTPS2DQ   n, n; \
	VPSLLD      $23, n, n; \
	VPADDD      n, q, q; \
	VADDPS      Y15, q, n; \
	VDIVPS      n, Y15, s; \
	VANDNPS     s, m, s; \
	VMULPS      s, q, q; \
	VANDNPS     q, mb, q; \
	VMULPS      s, z, t; \
	VANDNPS     t, m, t

// func swigluBwdAvx2(dg, du, dh, gate, up *float32, n int)
TEXT ·swigluBwdAvx2(SB), NOSPLIT, $0-48
	MOVQ dg+0(FP), DI
	MOVQ du+8(FP), R8
	MOVQ dh+16(FP), SI
	MOVQ gate+24(FP), DX
	MOVQ up+32(FP), R9
	MOVQ n+40(FP), CX
	VMOVUPS V_SIGN, Y12
	VMOVUPS V_HI, Y13
	VMOVUPS V_LO, Y14
	VMOVUPS V_ONE, Y15
	XORQ AX, AX
sbwd2loop:
	VMOVUPS (DX)(AX*4), Y0
	SIG256(Y0, Y1, Y2, Y3, Y4, Y5, Y10)
	VMOVUPS (SI)(AX*4), Y6
	VMULPS  Y3, Y6, Y7
	VMOVUPS Y7, (R8)(AX*4)
	VMULPS  Y4, Y3, Y8
	VADDPS  Y8, Y1, Y8
	VMULPS  (R9)(AX*4), Y6, Y9
	VMULPS  Y8, Y9, Y9
	VMOVUPS Y9, (DI)(AX*4)
	ADDQ    $8, AX
	CMPQ    AX, CX
	JLT     sbwd2loop
	VZEROUPPER
	RET

// func dotLanesAvx2(d, y *float32, n int, ss *float32)
// Lanes 0..7 in Y0, 8..15 in Y1.
TEXT ·dotLanesAvx2(SB), NOSPLIT, $0-32
	MOVQ   d+0(FP), DI
	MOVQ   y+8(FP), SI
	MOVQ   n+16(FP), CX
	MOVQ   ss+24(FP), DX
	VXORPS Y0, Y0, Y0
	VXORPS Y1, Y1, Y1
	XORQ   AX, AX
dot2loop:
	VMOVUPS (DI)(AX*4), Y2
	VMOVUPS 32(DI)(AX*4), Y3
	VMULPS  (SI)(AX*4), Y2, Y2
	VMULPS  32(SI)(AX*4), Y3, Y3
	VADDPS  Y2, Y0, Y0
	VADDPS  Y3, Y1, Y1
	ADDQ    $16, AX
	CMPQ    AX, CX
	JLT     dot2loop
	VMOVUPS Y0, (DX)
	VMOVUPS Y1, 32(DX)
	VZEROUPPER
	RET

// func rmsBwdAvx2(d, y *float32, n int, m, inv float32)
TEXT ·rmsBwdAvx2(SB), NOSPLIT, $0-32
	MOVQ         d+0(FP), DI
	MOVQ         y+8(FP), SI
	MOVQ         n+16(FP), CX
	VBROADCASTSS m+24(FP), Y14
	VBROADCASTSS inv+28(FP), Y15
	XORQ         AX, AX
rbwd2loop:
	VMULPS  (SI)(AX*4), Y14, Y1
	VMOVUPS (DI)(AX*4), Y0
	VSUBPS  Y1, Y0, Y0
	VMULPS  Y15, Y0, Y0
	VMOVUPS Y0, (DI)(AX*4)
	ADDQ    $8, AX
	CMPQ    AX, CX
	JLT     rbwd2loop
	VZEROUPPER
	RET
