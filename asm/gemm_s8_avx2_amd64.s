//go:build !purego && !noasm

#include "textflag.h"

// gemmS8Avx2: int8 GEMM without VNNI. Weights are sign-extended to int16
// with VPMOVSXBW (a load plus one shuffle), activations arrive already as
// int16 (the driver's copy, lda = 2·kp bytes), and VPMADDWD forms pair
// sums into int32 lanes: 16 MACs per instruction with no saturation, unlike
// the VPMADDUBSW sign trick (int16 saturating, 20 MACs/cycle at best).
//
// A 16-byte chunk of a k-group holds 4 columns × 4 k; after VPMOVSXBW and
// VPMADDWD against the broadcast (a0,a1,a2,a3) each column has two int32
// partial sums, merged at the end with VPHADDD. Registers allow 4 rows × 8
// columns (Y0..Y7), so each tile is done in two halves of 8 columns.

// One k-group for 4 rows × 8 columns: weights at wo(DX), int16
// activations at ao(row)(AX*1).
#define AVX2_KG(ao, wo) \
	VPMOVSXBW    wo(DX), Y8; \
	VPMOVSXBW    wo+16(DX), Y9; \
	VPBROADCASTQ ao(SI)(AX*1), Y10; \
	VPBROADCASTQ ao(R9)(AX*1), Y11; \
	VPMADDWD     Y8, Y10, Y12; \
	VPMADDWD     Y9, Y10, Y13; \
	VPMADDWD     Y8, Y11, Y14; \
	VPMADDWD     Y9, Y11, Y15; \
	VPADDD       Y12, Y0, Y0; \
	VPADDD       Y13, Y1, Y1; \
	VPADDD       Y14, Y2, Y2; \
	VPADDD       Y15, Y3, Y3; \
	VPBROADCASTQ ao(R10)(AX*1), Y10; \
	VPBROADCASTQ ao(R11)(AX*1), Y11; \
	VPMADDWD     Y8, Y10, Y12; \
	VPMADDWD     Y9, Y10, Y13; \
	VPMADDWD     Y8, Y11, Y14; \
	VPMADDWD     Y9, Y11, Y15; \
	VPADDD       Y12, Y4, Y4; \
	VPADDD       Y13, Y5, Y5; \
	VPADDD       Y14, Y6, Y6; \
	VPADDD       Y15, Y7, Y7

// Merge the two partial sums per column of (lo, hi) into 8 columns in lo:
// VPHADDD gives c0 c1 c4 c5 | c2 c3 c6 c7; VPERMQ 0xD8 restores the order.
#define AVX2_MERGE(lo, hi) \
	VPHADDD hi, lo, lo; \
	VPERMQ  $0xD8, lo, lo

// func gemmS8Avx2(c *int32, ldc int, a *byte, lda int, w *int8, kp int, nt int, rowsum *int32, mr int)
TEXT ·gemmS8Avx2(SB), NOSPLIT, $0-72
	MOVQ c+0(FP), DI
	MOVQ ldc+8(FP), R8
	SHLQ $2, R8
	MOVQ a+16(FP), SI
	MOVQ lda+24(FP), CX
	LEAQ (SI)(CX*1), R9
	LEAQ (SI)(CX*2), R10
	LEAQ (R9)(CX*2), R11
	MOVQ w+32(FP), R12
	MOVQ kp+40(FP), R13
	SHLQ $4, R13                // tile stride 16·kp
	MOVQ nt+48(FP), BX
	MOVQ mr+64(FP), R15

tile:
	CMPQ BX, $0
	JLE  done
	MOVQ R12, DX
	MOVQ DI, R14

half:
	VPXOR Y0, Y0, Y0
	VPXOR Y1, Y1, Y1
	VPXOR Y2, Y2, Y2
	VPXOR Y3, Y3, Y3
	VPXOR Y4, Y4, Y4
	VPXOR Y5, Y5, Y5
	VPXOR Y6, Y6, Y6
	VPXOR Y7, Y7, Y7
	XORQ AX, AX

kloop:
	AVX2_KG(0, 0)
	AVX2_KG(8, 64)
	AVX2_KG(16, 128)
	AVX2_KG(24, 192)
	ADDQ $256, DX
	ADDQ $32, AX
	CMPQ AX, CX
	JLT  kloop

	AVX2_MERGE(Y0, Y1)
	AVX2_MERGE(Y2, Y3)
	AVX2_MERGE(Y4, Y5)
	AVX2_MERGE(Y6, Y7)
	VMOVDQU Y0, (R14)
	CMPQ R15, $2
	JLT  stored
	VMOVDQU Y2, (R14)(R8*1)
	CMPQ R15, $3
	JLT  stored
	VMOVDQU Y4, (R14)(R8*2)
	CMPQ R15, $4
	JLT  stored
	LEAQ (R14)(R8*2), AX
	VMOVDQU Y6, (AX)(R8*1)

stored:
	// First half done: rerun K over columns 8..15 (chunk offset 32).
	LEAQ 32(R12), DX
	ADDQ $32, R14
	LEAQ 64(DI), AX
	CMPQ R14, AX
	JLT  half

	ADDQ R13, R12
	ADDQ $64, DI
	DECQ BX
	JMP  tile

done:
	VZEROUPPER
	RET

// func cvtS8S16Avx2(dst *int16, src *int8, n int)
// Sign-extends the activations for gemmS8Avx2, 16 at a time; n is a
// multiple of 16.
TEXT ·cvtS8S16Avx2(SB), NOSPLIT, $0-24
	MOVQ dst+0(FP), DI
	MOVQ src+8(FP), SI
	MOVQ n+16(FP), CX
	XORQ AX, AX
cvt:
	CMPQ AX, CX
	JGE  cvtdone
	VPMOVSXBW (SI)(AX*1), Y0
	VMOVDQU Y0, (DI)(AX*2)
	ADDQ $16, AX
	JMP  cvt
cvtdone:
	VZEROUPPER
	RET
