//go:build !purego && !noasm

#include "textflag.h"

// int8 GEMM micro-kernels for amd64. Contract (see s8Kernel in gemm_s8.go):
// 4 rows (a, lda bytes apart) times nt packed tiles of 16 columns over the
// whole padded K (kp, a multiple of 16); the first mr rows are stored to c
// (ldc int32 apart). Tile t's weights start at w + t·16·kp.

// ---------------------------------------------------------------------------
// avx512vnni: zmm VPDPBUSD, u8 activations (a+128), result − 128·rowsum.
// One 64-byte k-group of a tile is one zmm: 16 columns × 4 k. A register
// block is 4 rows × 4 tiles (Z0..Z15); per k-group it loads 4 broadcast
// activations and 4 weight vectors for 16 VPDPBUSD.

// One k-group of the 4×4 block: a at byte offset ao, w at byte offset wo.
#define VNNI512_KG(ao, wo) \
	VPBROADCASTD ao(SI)(AX*1), Z16; \
	VPBROADCASTD ao(R9)(AX*1), Z17; \
	VPBROADCASTD ao(R10)(AX*1), Z18; \
	VPBROADCASTD ao(R11)(AX*1), Z19; \
	VMOVDQU32    wo(DX), Z20; \
	VMOVDQU32    wo(DX)(R13*1), Z21; \
	VMOVDQU32    wo(DX)(R13*2), Z22; \
	VMOVDQU32    wo(R15), Z23; \
	VPDPBUSD     Z20, Z16, Z0; \
	VPDPBUSD     Z21, Z16, Z1; \
	VPDPBUSD     Z22, Z16, Z2; \
	VPDPBUSD     Z23, Z16, Z3; \
	VPDPBUSD     Z20, Z17, Z4; \
	VPDPBUSD     Z21, Z17, Z5; \
	VPDPBUSD     Z22, Z17, Z6; \
	VPDPBUSD     Z23, Z17, Z7; \
	VPDPBUSD     Z20, Z18, Z8; \
	VPDPBUSD     Z21, Z18, Z9; \
	VPDPBUSD     Z22, Z18, Z10; \
	VPDPBUSD     Z23, Z18, Z11; \
	VPDPBUSD     Z20, Z19, Z12; \
	VPDPBUSD     Z21, Z19, Z13; \
	VPDPBUSD     Z22, Z19, Z14; \
	VPDPBUSD     Z23, Z19, Z15

// One k-group of the 4 rows × 1 tile remainder block (Z0..Z3).
#define VNNI512_KG1(ao, wo) \
	VMOVDQU32    wo(DX), Z20; \
	VPBROADCASTD ao(SI)(AX*1), Z16; \
	VPBROADCASTD ao(R9)(AX*1), Z17; \
	VPBROADCASTD ao(R10)(AX*1), Z18; \
	VPBROADCASTD ao(R11)(AX*1), Z19; \
	VPDPBUSD     Z20, Z16, Z0; \
	VPDPBUSD     Z20, Z17, Z1; \
	VPDPBUSD     Z20, Z18, Z2; \
	VPDPBUSD     Z20, Z19, Z3

// Dequantizing store of one row: acc → float32(acc)·sa[row]·sw[tile], the
// order of DequantS8, for the 4 tiles in A0..A3 (sw of the tiles in
// Z20..Z23), sa at so(AX), stored at dst.
#define DQ4(A0, A1, A2, A3, so, dst0, dst1, dst2, dst3) \
	VBROADCASTSS so(AX), Z16; \
	VCVTDQ2PS    A0, A0; \
	VCVTDQ2PS    A1, A1; \
	VCVTDQ2PS    A2, A2; \
	VCVTDQ2PS    A3, A3; \
	VMULPS       Z16, A0, A0; \
	VMULPS       Z16, A1, A1; \
	VMULPS       Z16, A2, A2; \
	VMULPS       Z16, A3, A3; \
	VMULPS       Z20, A0, A0; \
	VMULPS       Z21, A1, A1; \
	VMULPS       Z22, A2, A2; \
	VMULPS       Z23, A3, A3; \
	VMOVUPS      A0, dst0; \
	VMOVUPS      A1, dst1; \
	VMOVUPS      A2, dst2; \
	VMOVUPS      A3, dst3

// DQ4 for one tile (sw in Z20).
#define DQ1(A0, so, dst0) \
	VBROADCASTSS so(AX), Z16; \
	VCVTDQ2PS    A0, A0; \
	VMULPS       Z16, A0, A0; \
	VMULPS       Z20, A0, A0; \
	VMOVUPS      A0, dst0

// func gemmS8Avx512Vnni(c *int32, ldc int, a *byte, lda int, w *int8, kp int, nt int, rowsum *int32, mr int, sa *float32, sw *float32, pfd int)
// With sa nil it stores the int32 sums. Otherwise c is really a float32
// output (ldc floats apart) and it stores float32(sum)·sa[row]·sw[column]:
// sa the scales of the mr rows, sw those of the nt·16 columns. Beside the
// first tile of each 4-tile block, it prefetches into L2 what lies pfd
// bytes further (0: nothing new), so that the driver can pull the next
// weight block from memory while this one is multiplied.
TEXT ·gemmS8Avx512Vnni(SB), NOSPLIT, $0-96
	MOVQ c+0(FP), DI
	MOVQ ldc+8(FP), R8
	SHLQ $2, R8
	MOVQ a+16(FP), SI
	MOVQ lda+24(FP), BX
	LEAQ (SI)(BX*1), R9
	LEAQ (SI)(BX*2), R10
	LEAQ (R9)(BX*2), R11
	MOVQ w+32(FP), DX
	MOVQ kp+40(FP), CX
	MOVQ CX, R13
	SHLQ $4, R13                // tile stride: 16·kp bytes
	MOVQ rowsum+56(FP), R12
	MOVQ nt+48(FP), BX

block4:
	CMPQ BX, $4
	JLT  tail1
	LEAQ (DX)(R13*2), R15
	ADDQ R13, R15
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
	XORQ AX, AX
	MOVQ pfd+88(FP), R14

k4loop:
	PREFETCHT1 (DX)(R14*1)
	PREFETCHT1 64(DX)(R14*1)
	PREFETCHT1 128(DX)(R14*1)
	PREFETCHT1 192(DX)(R14*1)
	VNNI512_KG(0, 0)
	VNNI512_KG(4, 64)
	VNNI512_KG(8, 128)
	VNNI512_KG(12, 192)
	ADDQ $256, DX
	ADDQ $256, R15
	ADDQ $16, AX
	CMPQ AX, CX
	JLT  k4loop

	// Undo the +128 offset: acc − (rowsum << 7), per tile.
	VMOVDQU32 (R12), Z20
	VMOVDQU32 64(R12), Z21
	VMOVDQU32 128(R12), Z22
	VMOVDQU32 192(R12), Z23
	VPSLLD $7, Z20, Z20
	VPSLLD $7, Z21, Z21
	VPSLLD $7, Z22, Z22
	VPSLLD $7, Z23, Z23
	VPSUBD Z20, Z0, Z0
	VPSUBD Z21, Z1, Z1
	VPSUBD Z22, Z2, Z2
	VPSUBD Z23, Z3, Z3
	VPSUBD Z20, Z4, Z4
	VPSUBD Z21, Z5, Z5
	VPSUBD Z22, Z6, Z6
	VPSUBD Z23, Z7, Z7
	VPSUBD Z20, Z8, Z8
	VPSUBD Z21, Z9, Z9
	VPSUBD Z22, Z10, Z10
	VPSUBD Z23, Z11, Z11
	VPSUBD Z20, Z12, Z12
	VPSUBD Z21, Z13, Z13
	VPSUBD Z22, Z14, Z14
	VPSUBD Z23, Z15, Z15

	MOVQ sa+72(FP), AX
	TESTQ AX, AX
	JZ   store4
	// The sw of this block: it moves with the row sums (R12).
	MOVQ sw+80(FP), R14
	ADDQ R12, R14
	SUBQ rowsum+56(FP), R14
	VMOVUPS (R14), Z20
	VMOVUPS 64(R14), Z21
	VMOVUPS 128(R14), Z22
	VMOVUPS 192(R14), Z23
	DQ4(Z0, Z1, Z2, Z3, 0, (DI), 64(DI), 128(DI), 192(DI))
	CMPQ mr+64(FP), $2
	JLT  stored4
	DQ4(Z4, Z5, Z6, Z7, 4, (DI)(R8*1), 64(DI)(R8*1), 128(DI)(R8*1), 192(DI)(R8*1))
	CMPQ mr+64(FP), $3
	JLT  stored4
	DQ4(Z8, Z9, Z10, Z11, 8, (DI)(R8*2), 64(DI)(R8*2), 128(DI)(R8*2), 192(DI)(R8*2))
	CMPQ mr+64(FP), $4
	JLT  stored4
	LEAQ (DI)(R8*2), R14
	DQ4(Z12, Z13, Z14, Z15, 12, (R14)(R8*1), 64(R14)(R8*1), 128(R14)(R8*1), 192(R14)(R8*1))
	JMP  stored4

store4:
	VMOVDQU32 Z0, (DI)
	VMOVDQU32 Z1, 64(DI)
	VMOVDQU32 Z2, 128(DI)
	VMOVDQU32 Z3, 192(DI)
	MOVQ mr+64(FP), AX
	CMPQ AX, $2
	JLT  stored4
	VMOVDQU32 Z4, (DI)(R8*1)
	VMOVDQU32 Z5, 64(DI)(R8*1)
	VMOVDQU32 Z6, 128(DI)(R8*1)
	VMOVDQU32 Z7, 192(DI)(R8*1)
	CMPQ AX, $3
	JLT  stored4
	VMOVDQU32 Z8, (DI)(R8*2)
	VMOVDQU32 Z9, 64(DI)(R8*2)
	VMOVDQU32 Z10, 128(DI)(R8*2)
	VMOVDQU32 Z11, 192(DI)(R8*2)
	CMPQ AX, $4
	JLT  stored4
	LEAQ (DI)(R8*2), AX
	VMOVDQU32 Z12, (AX)(R8*1)
	VMOVDQU32 Z13, 64(AX)(R8*1)
	VMOVDQU32 Z14, 128(AX)(R8*1)
	VMOVDQU32 Z15, 192(AX)(R8*1)

stored4:
	// After the k loop DX points at tile 1 and R15 at tile 4: the next block.
	MOVQ R15, DX
	ADDQ $256, DI
	ADDQ $256, R12
	SUBQ $4, BX
	JMP  block4

tail1:
	CMPQ BX, $0
	JLE  done
	VPXORD Z0, Z0, Z0
	VPXORD Z1, Z1, Z1
	VPXORD Z2, Z2, Z2
	VPXORD Z3, Z3, Z3
	XORQ AX, AX

k1loop:
	VNNI512_KG1(0, 0)
	VNNI512_KG1(4, 64)
	VNNI512_KG1(8, 128)
	VNNI512_KG1(12, 192)
	ADDQ $256, DX
	ADDQ $16, AX
	CMPQ AX, CX
	JLT  k1loop

	VMOVDQU32 (R12), Z20
	VPSLLD $7, Z20, Z20
	VPSUBD Z20, Z0, Z0
	VPSUBD Z20, Z1, Z1
	VPSUBD Z20, Z2, Z2
	VPSUBD Z20, Z3, Z3
	MOVQ sa+72(FP), AX
	TESTQ AX, AX
	JZ   store1
	MOVQ sw+80(FP), R14
	ADDQ R12, R14
	SUBQ rowsum+56(FP), R14
	VMOVUPS (R14), Z20
	DQ1(Z0, 0, (DI))
	CMPQ mr+64(FP), $2
	JLT  stored1
	DQ1(Z1, 4, (DI)(R8*1))
	CMPQ mr+64(FP), $3
	JLT  stored1
	DQ1(Z2, 8, (DI)(R8*2))
	CMPQ mr+64(FP), $4
	JLT  stored1
	LEAQ (DI)(R8*2), R14
	DQ1(Z3, 12, (R14)(R8*1))
	JMP  stored1

store1:
	VMOVDQU32 Z0, (DI)
	MOVQ mr+64(FP), AX
	CMPQ AX, $2
	JLT  stored1
	VMOVDQU32 Z1, (DI)(R8*1)
	CMPQ AX, $3
	JLT  stored1
	VMOVDQU32 Z2, (DI)(R8*2)
	CMPQ AX, $4
	JLT  stored1
	LEAQ (DI)(R8*2), AX
	VMOVDQU32 Z3, (AX)(R8*1)

stored1:
	ADDQ $64, DI
	ADDQ $64, R12
	DECQ BX
	JMP  tail1

done:
	VZEROUPPER
	RET

// func flipSignAvx2(dst *byte, src *int8, n int)
// dst[i] = src[i] ^ 0x80 (a+128 as an unsigned byte, the VNNI tiers'
// activations) for n a multiple of 32.
TEXT ·flipSignAvx2(SB), NOSPLIT, $0-24
	MOVQ dst+0(FP), DI
	MOVQ src+8(FP), SI
	MOVQ n+16(FP), CX
	MOVL $0x80808080, AX
	MOVD AX, X1
	VPBROADCASTD X1, Y1
	XORQ AX, AX
flip:
	VPXOR (SI)(AX*1), Y1, Y0
	VMOVDQU Y0, (DI)(AX*1)
	ADDQ $32, AX
	CMPQ AX, CX
	JLT  flip
	VZEROUPPER
	RET
