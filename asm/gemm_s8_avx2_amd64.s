//go:build !purego && !noasm

#include "textflag.h"

// gemmS8Avx2: int8 GEMM without VNNI, on VPMADDUBSW (u8 × s8, adjacent
// products summed into int16) and VPMADDWD against 16-bit ones (pairs of
// those into int32).
//
// VPMADDUBSW needs one unsigned operand. ggml's sign trick (VPSIGNB moves
// the sign of a onto w) costs an op on the two multiply pipes of Zen 4, the
// same ones VPMADDUBSW and VPMADDWD use: 3 ops there per 32 MACs, at most
// 21 MACs/cycle (probed). Instead the driver stores each activation as
// |a| (u8) and the mask m = (a < 0 ? 0xFF : 0), and the kernel multiplies
// |a| by w XOR m, which any of the four vector pipes computes. For a < 0,
// w XOR m = -w-1, so |a|·(w XOR m) = a·w - |a|; the driver also stores
// corr = Σ_{a<0} |a| per row, which the kernel adds back at the end.
//
// No int16 saturation: |a| <= 128 and w XOR m is in [-128,127], with -128
// only for w = 127 under a < 0, so each product is in [-16384, 16129] and a
// pair sum in [-32768, 32258]: representable, hence exact. (This needs
// w != -128, as every packed matrix guarantees.)
//
// Activation row layout (lda = 2·kp + 64 bytes): per k-group of 4, the
// 4 bytes |a| then the 4 bytes m; then corr as an int32 at offset 2·kp.
//
// Block: 2 rows × 2 tiles (32 columns = 4 ymm) in Y0..Y7. Per k-group and
// row, 2 broadcasts feed 4 chains of VPXOR, VPMADDUBSW, VPMADDWD, VPADDD:
// 2 ops per 32 MACs on the multiply pipes, 2 on any pipe. The weights are
// VPXOR's memory operand (loaded once per row) rather than held in
// registers: that saves 4 of 40 instructions per k-group, and measured on
// Zen 4 it lifts the kernel from 28.0 to 29.4 MACs/cycle (the probed mix
// peaks at 31.4). An odd last tile runs as a 2 rows × 1 tile block.

// One row of one k-group over two tiles: |a| and m of 4 k broadcast to
// Y12/Y13; tile 0 at wo(DX), tile 1 at wo(DX)(R13*1); ones in Y15.
#define AVX2_ROW2(p, ao, wo, a0, a1, a2, a3) \
	VPBROADCASTD ao(p)(AX*1), Y12; \
	VPBROADCASTD ao+4(p)(AX*1), Y13; \
	VPXOR        wo(DX), Y13, Y14; \
	VPMADDUBSW   Y14, Y12, Y14; \
	VPMADDWD     Y15, Y14, Y14; \
	VPADDD       Y14, a0, a0; \
	VPXOR        wo+32(DX), Y13, Y14; \
	VPMADDUBSW   Y14, Y12, Y14; \
	VPMADDWD     Y15, Y14, Y14; \
	VPADDD       Y14, a1, a1; \
	VPXOR        wo(DX)(R13*1), Y13, Y14; \
	VPMADDUBSW   Y14, Y12, Y14; \
	VPMADDWD     Y15, Y14, Y14; \
	VPADDD       Y14, a2, a2; \
	VPXOR        wo+32(DX)(R13*1), Y13, Y14; \
	VPMADDUBSW   Y14, Y12, Y14; \
	VPMADDWD     Y15, Y14, Y14; \
	VPADDD       Y14, a3, a3

#define AVX2_KG2(ao, wo) \
	AVX2_ROW2(SI, ao, wo, Y0, Y1, Y2, Y3); \
	AVX2_ROW2(R9, ao, wo, Y4, Y5, Y6, Y7)

// The same for one tile (Y0, Y1 row 0; Y4, Y5 row 1).
#define AVX2_ROW1(p, ao, wo, a0, a1) \
	VPBROADCASTD ao(p)(AX*1), Y12; \
	VPBROADCASTD ao+4(p)(AX*1), Y13; \
	VPXOR        wo(DX), Y13, Y14; \
	VPMADDUBSW   Y14, Y12, Y14; \
	VPMADDWD     Y15, Y14, Y14; \
	VPADDD       Y14, a0, a0; \
	VPXOR        wo+32(DX), Y13, Y14; \
	VPMADDUBSW   Y14, Y12, Y14; \
	VPMADDWD     Y15, Y14, Y14; \
	VPADDD       Y14, a1, a1

#define AVX2_KG1(ao, wo) \
	AVX2_ROW1(SI, ao, wo, Y0, Y1); \
	AVX2_ROW1(R9, ao, wo, Y4, Y5)

// Add the row's corr (at offset 2·kp = CX) to n accumulators.
#define AVX2_CORR4(p, a0, a1, a2, a3) \
	VPBROADCASTD (p)(CX*1), Y12; \
	VPADDD       Y12, a0, a0; \
	VPADDD       Y12, a1, a1; \
	VPADDD       Y12, a2, a2; \
	VPADDD       Y12, a3, a3

#define AVX2_CORR2(p, a0, a1) \
	VPBROADCASTD (p)(CX*1), Y12; \
	VPADDD       Y12, a0, a0; \
	VPADDD       Y12, a1, a1

#define ZERO8 \
	VPXOR Y0, Y0, Y0; \
	VPXOR Y1, Y1, Y1; \
	VPXOR Y2, Y2, Y2; \
	VPXOR Y3, Y3, Y3; \
	VPXOR Y4, Y4, Y4; \
	VPXOR Y5, Y5, Y5; \
	VPXOR Y6, Y6, Y6; \
	VPXOR Y7, Y7, Y7

// func gemmS8Avx2(c *int32, ldc int, a *byte, lda int, w *int8, kp int, nt int, rowsum *int32, mr int)
TEXT ·gemmS8Avx2(SB), NOSPLIT, $0-72
	MOVQ c+0(FP), DI
	MOVQ ldc+8(FP), R8
	SHLQ $2, R8
	MOVQ a+16(FP), SI
	MOVQ lda+24(FP), BX
	LEAQ (SI)(BX*1), R9
	MOVQ w+32(FP), DX
	MOVQ kp+40(FP), CX
	MOVQ CX, R13
	SHLQ $4, R13                // tile stride: 16·kp bytes
	SHLQ $1, CX                 // activation bytes per row: 2·kp
	MOVQ nt+48(FP), BX
	MOVQ mr+64(FP), R15
	VPCMPEQW Y15, Y15, Y15
	VPSRLW   $15, Y15, Y15      // 16-bit ones

pair:
	CMPQ BX, $2
	JLT  single
	ZERO8
	XORQ AX, AX
	PCALIGN $64

kloop2:
	AVX2_KG2(0, 0)
	AVX2_KG2(8, 64)
	AVX2_KG2(16, 128)
	AVX2_KG2(24, 192)
	ADDQ $256, DX
	ADDQ $32, AX
	CMPQ AX, CX
	JLT  kloop2

	AVX2_CORR4(SI, Y0, Y1, Y2, Y3)
	AVX2_CORR4(R9, Y4, Y5, Y6, Y7)
	VMOVDQU Y0, (DI)
	VMOVDQU Y1, 32(DI)
	VMOVDQU Y2, 64(DI)
	VMOVDQU Y3, 96(DI)
	CMPQ R15, $2
	JLT  stored2
	VMOVDQU Y4, (DI)(R8*1)
	VMOVDQU Y5, 32(DI)(R8*1)
	VMOVDQU Y6, 64(DI)(R8*1)
	VMOVDQU Y7, 96(DI)(R8*1)

stored2:
	// The k loop left DX at the second tile of the pair; skip it.
	ADDQ R13, DX
	ADDQ $128, DI
	SUBQ $2, BX
	JMP  pair

single:
	CMPQ BX, $0
	JLE  done
	VPXOR Y0, Y0, Y0
	VPXOR Y1, Y1, Y1
	VPXOR Y4, Y4, Y4
	VPXOR Y5, Y5, Y5
	XORQ AX, AX

kloop1:
	AVX2_KG1(0, 0)
	AVX2_KG1(8, 64)
	AVX2_KG1(16, 128)
	AVX2_KG1(24, 192)
	ADDQ $256, DX
	ADDQ $32, AX
	CMPQ AX, CX
	JLT  kloop1

	AVX2_CORR2(SI, Y0, Y1)
	AVX2_CORR2(R9, Y4, Y5)
	VMOVDQU Y0, (DI)
	VMOVDQU Y1, 32(DI)
	CMPQ R15, $2
	JLT  done
	VMOVDQU Y4, (DI)(R8*1)
	VMOVDQU Y5, 32(DI)(R8*1)

done:
	VZEROUPPER
	RET

// func cvtSignMagAvx2(dst *byte, src *int8, n int) (corr int32)
// Writes the activation layout of gemmS8Avx2 for n values (a multiple of
// 32): per 4 values, |a| then the sign masks; returns Σ_{a<0} |a|.
TEXT ·cvtSignMagAvx2(SB), NOSPLIT, $0-28
	MOVQ dst+0(FP), DI
	MOVQ src+8(FP), SI
	MOVQ n+16(FP), CX
	XORQ AX, AX
	VPXOR Y7, Y7, Y7            // zero
	VPXOR Y6, Y6, Y6            // Σ_{a<0} |a|, per 64-bit lane
cvt:
	CMPQ AX, CX
	JGE  cvtdone
	VMOVDQU    (SI)(AX*1), Y0
	VPABSB     Y0, Y1           // |a| as u8 (|-128| = 0x80 = 128)
	VPCMPGTB   Y0, Y7, Y2       // m = 0 > a
	VPAND      Y2, Y1, Y3
	VPSADBW    Y7, Y3, Y3
	VPADDQ     Y3, Y6, Y6
	// In-lane dword interleave, then put the 128-bit halves in order:
	// lo = u0 m0 u1 m1 | u4 m4 u5 m5, hi = u2 m2 u3 m3 | u6 m6 u7 m7.
	VPUNPCKLDQ Y2, Y1, Y4
	VPUNPCKHDQ Y2, Y1, Y5
	VPERM2I128 $0x20, Y5, Y4, Y0
	VPERM2I128 $0x31, Y5, Y4, Y1
	VMOVDQU    Y0, (DI)(AX*2)
	VMOVDQU    Y1, 32(DI)(AX*2)
	ADDQ $32, AX
	JMP  cvt
cvtdone:
	VEXTRACTI128 $1, Y6, X0
	VPADDQ       X0, X6, X6
	VPSHUFD      $0x4E, X6, X0
	VPADDQ       X0, X6, X6
	MOVQ         X6, AX
	MOVL         AX, corr+24(FP)
	VZEROUPPER
	RET
