// Body of the 256-bit VPDPBUSD int8 kernel, included twice: by
// gemm_s8_avxvnni_amd64.s, where DPB0..DPB11 are VEX (AVX-VNNI) byte
// sequences, and by gemm_s8_vnni256evex_amd64.s, where they are the Go
// assembler's EVEX mnemonic. The EVEX copy exists so that this body is
// tested on AVX-512 machines without AVX-VNNI (Zen 4, Ice Lake); the byte
// encodings themselves are checked against objdump by TestByteEncodings.
//
// DPB(2r+j) is: Y(2r+j) += u8(act of row r, in Y14 for even r, Y15 for odd
// r) · s8(weights of columns 8j..8j+7, in Y12+j).
//
// Block: 6 rows × 1 tile (16 columns = 2 ymm) in Y0..Y11. Per k-group, 2
// weight loads and 6 broadcasts feed 12 VPDPBUSD.
//
// Arguments as s8Kernel: c, ldc, a (u8 = a+128), lda, w, kp, nt, rowsum, mr.

#define VNNI256_KG(ao, wo) \
	VMOVDQU      wo(DX), Y12; \
	VMOVDQU      wo+32(DX), Y13; \
	VPBROADCASTD ao(SI)(AX*1), Y14; \
	DPB0; \
	DPB1; \
	VPBROADCASTD ao(R9)(AX*1), Y15; \
	DPB2; \
	DPB3; \
	VPBROADCASTD ao(R10)(AX*1), Y14; \
	DPB4; \
	DPB5; \
	VPBROADCASTD ao(R11)(AX*1), Y15; \
	DPB6; \
	DPB7; \
	VPBROADCASTD ao(R12)(AX*1), Y14; \
	DPB8; \
	DPB9; \
	VPBROADCASTD ao(R13)(AX*1), Y15; \
	DPB10; \
	DPB11

TEXT VNNI256_FUNC(SB), NOSPLIT, $0-72
	MOVQ c+0(FP), DI
	MOVQ ldc+8(FP), R8
	SHLQ $2, R8
	MOVQ a+16(FP), SI
	MOVQ lda+24(FP), BX
	LEAQ (SI)(BX*1), R9
	LEAQ (SI)(BX*2), R10
	LEAQ (R9)(BX*2), R11
	LEAQ (R10)(BX*2), R12
	LEAQ (R11)(BX*2), R13
	MOVQ w+32(FP), DX
	MOVQ kp+40(FP), CX
	MOVQ rowsum+56(FP), R15
	MOVQ nt+48(FP), BX

tile:
	CMPQ BX, $0
	JLE  done
	VPXOR Y0, Y0, Y0
	VPXOR Y1, Y1, Y1
	VPXOR Y2, Y2, Y2
	VPXOR Y3, Y3, Y3
	VPXOR Y4, Y4, Y4
	VPXOR Y5, Y5, Y5
	VPXOR Y6, Y6, Y6
	VPXOR Y7, Y7, Y7
	VPXOR Y8, Y8, Y8
	VPXOR Y9, Y9, Y9
	VPXOR Y10, Y10, Y10
	VPXOR Y11, Y11, Y11
	XORQ AX, AX

kloop:
	VNNI256_KG(0, 0)
	VNNI256_KG(4, 64)
	VNNI256_KG(8, 128)
	VNNI256_KG(12, 192)
	ADDQ $256, DX
	ADDQ $16, AX
	CMPQ AX, CX
	JLT  kloop

	// Undo the +128 offset: acc − (rowsum << 7).
	VMOVDQU (R15), Y12
	VMOVDQU 32(R15), Y13
	VPSLLD $7, Y12, Y12
	VPSLLD $7, Y13, Y13
	VPSUBD Y12, Y0, Y0
	VPSUBD Y13, Y1, Y1
	VPSUBD Y12, Y2, Y2
	VPSUBD Y13, Y3, Y3
	VPSUBD Y12, Y4, Y4
	VPSUBD Y13, Y5, Y5
	VPSUBD Y12, Y6, Y6
	VPSUBD Y13, Y7, Y7
	VPSUBD Y12, Y8, Y8
	VPSUBD Y13, Y9, Y9
	VPSUBD Y12, Y10, Y10
	VPSUBD Y13, Y11, Y11

	VMOVDQU Y0, (DI)
	VMOVDQU Y1, 32(DI)
	MOVQ mr+64(FP), AX
	CMPQ AX, $2
	JLT  stored
	VMOVDQU Y2, (DI)(R8*1)
	VMOVDQU Y3, 32(DI)(R8*1)
	CMPQ AX, $3
	JLT  stored
	VMOVDQU Y4, (DI)(R8*2)
	VMOVDQU Y5, 32(DI)(R8*2)
	CMPQ AX, $4
	JLT  stored
	LEAQ (DI)(R8*2), R14
	VMOVDQU Y6, (R14)(R8*1)
	VMOVDQU Y7, 32(R14)(R8*1)
	CMPQ AX, $5
	JLT  stored
	VMOVDQU Y8, (DI)(R8*4)
	VMOVDQU Y9, 32(DI)(R8*4)
	CMPQ AX, $6
	JLT  stored
	LEAQ (DI)(R8*4), R14
	VMOVDQU Y10, (R14)(R8*1)
	VMOVDQU Y11, 32(R14)(R8*1)

stored:
	// The k loop left DX at the next tile.
	ADDQ $64, DI
	ADDQ $64, R15
	DECQ BX
	JMP  tile

done:
	VZEROUPPER
	RET
