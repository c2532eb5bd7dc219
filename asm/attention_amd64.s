//go:build !purego && !noasm

#include "textflag.h"

// Streaming attention for one head, head_dim 64, AVX-512 (contract:
// attnKernel in attention_asm.go). One call handles 4 queries against all
// T keys in blocks of 16, with an online softmax:
//
//	S   = q·Kᵀ·scale            16 scores per query, one zmm
//	m'  = max(m, max S)          running max
//	P   = exp(S − m')            (zero for keys past T)
//	l   = l·exp(m − m') + P      running sum, kept as 16 partial lanes
//	acc = acc·exp(m − m') + P·V
//
// and finally o = acc / Σl. Keys come transposed (kt: 64 rows of tp floats,
// zero padded) so 16 keys' scores are one zmm built by broadcasting q[i].
//
// Registers: acc Z0..Z15 (query r, features 16c..16c+15 in Z(4r+c)),
// m Z16..Z19, l Z20..Z23, S Z24..Z27, scratch Z28..Z31. K2 marks the
// valid keys of the block, K3 the others.

DATA attnc<>+0(SB)/4, $0xc2ce0000  // -103: clamp, below it exp underflows anyway
DATA attnc<>+4(SB)/4, $0x3fb8aa3b  // log2(e)
DATA attnc<>+8(SB)/4, $0x3f317200  // ln2 high part (exact in few bits)
DATA attnc<>+12(SB)/4, $0x35bfbe8e // ln2 low part
DATA attnc<>+16(SB)/4, $0x3ab60b61 // 1/720
DATA attnc<>+20(SB)/4, $0x3c088889 // 1/120
DATA attnc<>+24(SB)/4, $0x3d2aaaab // 1/24
DATA attnc<>+28(SB)/4, $0x3e2aaaab // 1/6
DATA attnc<>+32(SB)/4, $0x3f000000 // 1/2
DATA attnc<>+36(SB)/4, $0x3f800000 // 1
DATA attnc<>+40(SB)/4, $0xff800000 // -inf
GLOBL attnc<>(SB), RODATA|NOPTR, $44

#define C_CLAMP attnc<>+0(SB)
#define C_LOG2E attnc<>+4(SB)
#define C_LN2HI attnc<>+8(SB)
#define C_LN2LO attnc<>+12(SB)
#define C_P6 attnc<>+16(SB)
#define C_P5 attnc<>+20(SB)
#define C_P4 attnc<>+24(SB)
#define C_P3 attnc<>+28(SB)
#define C_P2 attnc<>+32(SB)
#define C_ONE attnc<>+36(SB)
#define C_NINF attnc<>+40(SB)

// x = exp(x) lane-wise, n and t scratch: n = round(x·log2e), r = x − n·ln2
// in two parts (Cody-Waite), exp(r) by its degree-6 Taylor polynomial
// (|r| <= ln2/2: relative error below 2e-7), then VSCALEFPS multiplies by
// 2^n, which also underflows gracefully to 0. MASKOP is empty or a mask
// that zeroes unselected lanes.
#define EXP(x, n, t) \
	VMAXPS.BCST      C_CLAMP, x, x; \
	VMULPS.BCST      C_LOG2E, x, n; \
	VRNDSCALEPS      $0, n, n; \
	VFNMADD231PS.BCST C_LN2HI, n, x; \
	VFNMADD231PS.BCST C_LN2LO, n, x; \
	VBROADCASTSS     C_P6, t; \
	VFMADD213PS.BCST C_P5, x, t; \
	VFMADD213PS.BCST C_P4, x, t; \
	VFMADD213PS.BCST C_P3, x, t; \
	VFMADD213PS.BCST C_P2, x, t; \
	VFMADD213PS.BCST C_ONE, x, t; \
	VFMADD213PS.BCST C_ONE, x, t

// dst = max over all 16 lanes of src, in every lane; tmp scratch.
#define HMAX(src, dst, tmp) \
	VSHUFF32X4 $0x4E, src, src, dst; \
	VMAXPS     src, dst, dst; \
	VSHUFF32X4 $0xB1, dst, dst, tmp; \
	VMAXPS     tmp, dst, dst; \
	VPERMILPS  $0x4E, dst, tmp; \
	VMAXPS     tmp, dst, dst; \
	VPERMILPS  $0xB1, dst, tmp; \
	VMAXPS     tmp, dst, dst

#define HSUM(src, dst, tmp) \
	VSHUFF32X4 $0x4E, src, src, dst; \
	VADDPS     src, dst, dst; \
	VSHUFF32X4 $0xB1, dst, dst, tmp; \
	VADDPS     tmp, dst, dst; \
	VPERMILPS  $0x4E, dst, tmp; \
	VADDPS     tmp, dst, dst; \
	VPERMILPS  $0xB1, dst, tmp; \
	VADDPS     tmp, dst, dst

// Softmax update of one query: scores S, max M, sum L, accumulators
// A0..A3, probabilities stored at poff(R15) for the P·V loop.
#define SOFTMAX(S, M, L, A0, A1, A2, A3, poff) \
	VMULPS.BCST   256(R15), S, S; \
	VBROADCASTSS  C_NINF, K3, S; \
	HMAX(S, Z28, Z29); \
	VMAXPS        M, Z28, Z28; \
	VSUBPS        Z28, M, Z29; \
	VMOVAPS       Z28, M; \
	EXP(Z29, Z30, Z31); \
	VSCALEFPS     Z30, Z31, Z29; \
	VMULPS        Z29, A0, A0; \
	VMULPS        Z29, A1, A1; \
	VMULPS        Z29, A2, A2; \
	VMULPS        Z29, A3, A3; \
	VSUBPS        M, S, S; \
	EXP(S, Z30, Z31); \
	VSCALEFPS.Z   Z30, Z31, K2, S; \
	VFMADD213PS   S, Z29, L; \
	VMOVUPS       S, poff(R15)

// func attnAvx512(o *float32, ldo int, q *float32, ldq int, kt *float32, tp int, v *float32, ldv int, t int, mr int, work *float32)
// work: 64 floats of probabilities, then the scale at work[64].
TEXT ·attnAvx512(SB), NOSPLIT, $0-88
	MOVQ q+16(FP), R9
	MOVQ ldq+24(FP), BX
	SHLQ $2, BX
	MOVQ mr+72(FP), CX
	MOVQ R9, R10
	LEAQ (R9)(BX*1), AX
	CMPQ CX, $2
	CMOVQGE AX, R10
	MOVQ R9, R11
	LEAQ (R9)(BX*2), AX
	CMPQ CX, $3
	CMOVQGE AX, R11
	MOVQ R9, R12
	LEAQ (R10)(BX*2), AX
	CMPQ CX, $4
	CMOVQGE AX, R12
	MOVQ kt+32(FP), SI
	MOVQ tp+40(FP), BX
	SHLQ $2, BX
	MOVQ v+48(FP), DX
	MOVQ ldv+56(FP), R13
	SHLQ $2, R13
	MOVQ work+80(FP), R15
	MOVQ t+64(FP), CX

	VPXORD Z0, Z0, Z0
	VPXORD Z1, Z1, Z1
	VPXORD Z2, Z2, Z2
	VPXORD Z3, Z3, Z3
	VPXORD Z4, Z4, Z4
	VPXORD Z5, Z5, Z5
	VPXORD Z6, Z6, Z6
	VPXORD Z7, Z7, Z7
	VPXORD Z8, Z8, Z8
	VPXORD Z9, Z9, Z9
	VPXORD Z10, Z10, Z10
	VPXORD Z11, Z11, Z11
	VPXORD Z12, Z12, Z12
	VPXORD Z13, Z13, Z13
	VPXORD Z14, Z14, Z14
	VPXORD Z15, Z15, Z15
	VBROADCASTSS C_NINF, Z16
	VBROADCASTSS C_NINF, Z17
	VBROADCASTSS C_NINF, Z18
	VBROADCASTSS C_NINF, Z19
	VPXORD Z20, Z20, Z20
	VPXORD Z21, Z21, Z21
	VPXORD Z22, Z22, Z22
	VPXORD Z23, Z23, Z23

block:
	// K2 = the R14 = min(16, keys left) valid lanes, K3 = the rest.
	MOVQ $16, R14
	CMPQ CX, R14
	CMOVQLT CX, R14
	MOVL $1, AX
	SHLXL R14, AX, AX
	DECL AX
	KMOVW AX, K2
	KNOTW K2, K3

	// S = q·kt over the 64 features, two feature rows per step.
	VPXORD Z24, Z24, Z24
	VPXORD Z25, Z25, Z25
	VPXORD Z26, Z26, Z26
	VPXORD Z27, Z27, Z27
	MOVQ SI, DI
	XORQ AX, AX
qk:
	VMOVUPS (DI), Z28
	VMOVUPS (DI)(BX*1), Z29
	VFMADD231PS.BCST (R9)(AX*1), Z28, Z24
	VFMADD231PS.BCST (R10)(AX*1), Z28, Z25
	VFMADD231PS.BCST (R11)(AX*1), Z28, Z26
	VFMADD231PS.BCST (R12)(AX*1), Z28, Z27
	VFMADD231PS.BCST 4(R9)(AX*1), Z29, Z24
	VFMADD231PS.BCST 4(R10)(AX*1), Z29, Z25
	VFMADD231PS.BCST 4(R11)(AX*1), Z29, Z26
	VFMADD231PS.BCST 4(R12)(AX*1), Z29, Z27
	LEAQ (DI)(BX*2), DI
	ADDQ $8, AX
	CMPQ AX, $256
	JLT  qk

	SOFTMAX(Z24, Z16, Z20, Z0, Z1, Z2, Z3, 0)
	SOFTMAX(Z25, Z17, Z21, Z4, Z5, Z6, Z7, 64)
	SOFTMAX(Z26, Z18, Z22, Z8, Z9, Z10, Z11, 128)
	SOFTMAX(Z27, Z19, Z23, Z12, Z13, Z14, Z15, 192)

	// acc += P·V over the valid keys of the block (R14 of them).
	MOVQ DX, DI
	XORQ AX, AX
	SHLQ $2, R14
pv:
	VMOVUPS (DI), Z28
	VMOVUPS 64(DI), Z29
	VMOVUPS 128(DI), Z30
	VMOVUPS 192(DI), Z31
	VFMADD231PS.BCST (R15)(AX*1), Z28, Z0
	VFMADD231PS.BCST (R15)(AX*1), Z29, Z1
	VFMADD231PS.BCST (R15)(AX*1), Z30, Z2
	VFMADD231PS.BCST (R15)(AX*1), Z31, Z3
	VFMADD231PS.BCST 64(R15)(AX*1), Z28, Z4
	VFMADD231PS.BCST 64(R15)(AX*1), Z29, Z5
	VFMADD231PS.BCST 64(R15)(AX*1), Z30, Z6
	VFMADD231PS.BCST 64(R15)(AX*1), Z31, Z7
	VFMADD231PS.BCST 128(R15)(AX*1), Z28, Z8
	VFMADD231PS.BCST 128(R15)(AX*1), Z29, Z9
	VFMADD231PS.BCST 128(R15)(AX*1), Z30, Z10
	VFMADD231PS.BCST 128(R15)(AX*1), Z31, Z11
	VFMADD231PS.BCST 192(R15)(AX*1), Z28, Z12
	VFMADD231PS.BCST 192(R15)(AX*1), Z29, Z13
	VFMADD231PS.BCST 192(R15)(AX*1), Z30, Z14
	VFMADD231PS.BCST 192(R15)(AX*1), Z31, Z15
	ADDQ R13, DI
	ADDQ $4, AX
	CMPQ AX, R14
	JLT  pv

	// Next block: 16 keys on.
	MOVQ R13, AX
	SHLQ $4, AX
	ADDQ AX, DX
	ADDQ $64, SI
	SUBQ $16, CX
	JGT  block

	// o = acc / Σl, for the first mr queries.
	MOVQ o+0(FP), DI
	MOVQ ldo+8(FP), R8
	SHLQ $2, R8
	MOVQ mr+72(FP), CX
	HSUM(Z20, Z28, Z29)
	VBROADCASTSS C_ONE, Z30
	VDIVPS Z28, Z30, Z28
	VMULPS Z28, Z0, Z0
	VMULPS Z28, Z1, Z1
	VMULPS Z28, Z2, Z2
	VMULPS Z28, Z3, Z3
	VMOVUPS Z0, (DI)
	VMOVUPS Z1, 64(DI)
	VMOVUPS Z2, 128(DI)
	VMOVUPS Z3, 192(DI)
	CMPQ CX, $2
	JLT  done
	ADDQ R8, DI
	HSUM(Z21, Z28, Z29)
	VDIVPS Z28, Z30, Z28
	VMULPS Z28, Z4, Z4
	VMULPS Z28, Z5, Z5
	VMULPS Z28, Z6, Z6
	VMULPS Z28, Z7, Z7
	VMOVUPS Z4, (DI)
	VMOVUPS Z5, 64(DI)
	VMOVUPS Z6, 128(DI)
	VMOVUPS Z7, 192(DI)
	CMPQ CX, $3
	JLT  done
	ADDQ R8, DI
	HSUM(Z22, Z28, Z29)
	VDIVPS Z28, Z30, Z28
	VMULPS Z28, Z8, Z8
	VMULPS Z28, Z9, Z9
	VMULPS Z28, Z10, Z10
	VMULPS Z28, Z11, Z11
	VMOVUPS Z8, (DI)
	VMOVUPS Z9, 64(DI)
	VMOVUPS Z10, 128(DI)
	VMOVUPS Z11, 192(DI)
	CMPQ CX, $4
	JLT  done
	ADDQ R8, DI
	HSUM(Z23, Z28, Z29)
	VDIVPS Z28, Z30, Z28
	VMULPS Z28, Z12, Z12
	VMULPS Z28, Z13, Z13
	VMULPS Z28, Z14, Z14
	VMULPS Z28, Z15, Z15
	VMOVUPS Z12, (DI)
	VMOVUPS Z13, 64(DI)
	VMOVUPS Z14, 128(DI)
	VMOVUPS Z15, 192(DI)

done:
	VZEROUPPER
	RET
