//go:build !purego && !noasm

#include "textflag.h"

// float32 broadcast-form micro-kernel for arm64 (contract: f32BcKernel in
// gemm_f32bc.go; the amd64 file describes the scheme). nr = 16 and nc must
// be 16: NEON has no masked loads or stores, so the driver gives narrow
// tiles a zero-padded copy of B and a scratch tile of C. Row r's four
// vectors are V(4r)..V(4r+3); per k, one VLD1 of four registers brings the
// row of B into V24..V27 and LD1R (native, post-incremented by the A
// stride) broadcasts each row's element into V28/V29: 5 loads for 24
// FMLAs. Vector FADD is a WORD (see gemm_s8_arm64.s).

// One call covers nt row tiles of 6 (mr in the last); tile t reads A at
// a + t·ta and writes C 6t rows down. R3, R16 hold the current C and A,
// R15 the tiles left.
//
// func gemmF32BcNeon(c *float32, ldc int, a *float32, rsa int, csa int, b *float32, ldb int, k int, nc int, mr int, acc int, nt int, ta int)
TEXT ·gemmF32BcNeon(SB), NOSPLIT, $0-104
	MOVD c+0(FP), R3
	MOVD a+16(FP), R16
	MOVD nt+88(FP), R15
	MOVD ta+96(FP), R7
	LSL  $2, R7, R7
	MOVD ldc+8(FP), R20
	MOVD $24, R21
	MUL  R21, R20, R20 // 6 rows of C, in bytes
	MOVD mr+72(FP), R21

tile:
	MOVD R16, R8
	MOVD rsa+24(FP), R1
	LSL  $2, R1, R1
	// This tile's rows: 6, or mr in the last.
	MOVD $6, R17
	CMP  $1, R15
	CSEL EQ, R21, R17, R17
	// Row pointers R8..R13; rows at or past mr alias row 0.
	ADD  R1, R8, R2
	CMP  $2, R17
	CSEL GE, R2, R8, R9
	ADD  R1, R2, R2
	CMP  $3, R17
	CSEL GE, R2, R8, R10
	ADD  R1, R2, R2
	CMP  $4, R17
	CSEL GE, R2, R8, R11
	ADD  R1, R2, R2
	CMP  $5, R17
	CSEL GE, R2, R8, R12
	ADD  R1, R2, R2
	CMP  $6, R17
	CSEL GE, R2, R8, R13
	MOVD csa+32(FP), R14
	LSL  $2, R14, R14
	MOVD b+40(FP), R4
	MOVD ldb+48(FP), R5
	LSL  $2, R5, R5
	MOVD k+56(FP), R6
	VEOR V0.B16, V0.B16, V0.B16
	VEOR V1.B16, V1.B16, V1.B16
	VEOR V2.B16, V2.B16, V2.B16
	VEOR V3.B16, V3.B16, V3.B16
	VEOR V4.B16, V4.B16, V4.B16
	VEOR V5.B16, V5.B16, V5.B16
	VEOR V6.B16, V6.B16, V6.B16
	VEOR V7.B16, V7.B16, V7.B16
	VEOR V8.B16, V8.B16, V8.B16
	VEOR V9.B16, V9.B16, V9.B16
	VEOR V10.B16, V10.B16, V10.B16
	VEOR V11.B16, V11.B16, V11.B16
	VEOR V12.B16, V12.B16, V12.B16
	VEOR V13.B16, V13.B16, V13.B16
	VEOR V14.B16, V14.B16, V14.B16
	VEOR V15.B16, V15.B16, V15.B16
	VEOR V16.B16, V16.B16, V16.B16
	VEOR V17.B16, V17.B16, V17.B16
	VEOR V18.B16, V18.B16, V18.B16
	VEOR V19.B16, V19.B16, V19.B16
	VEOR V20.B16, V20.B16, V20.B16
	VEOR V21.B16, V21.B16, V21.B16
	VEOR V22.B16, V22.B16, V22.B16
	VEOR V23.B16, V23.B16, V23.B16
	CBZ  R6, epilogue

kloop:
	VLD1.P  (R4)(R5), [V24.S4, V25.S4, V26.S4, V27.S4]
	VLD1R.P (R8)(R14), [V28.S4]
	VLD1R.P (R9)(R14), [V29.S4]
	VFMLA   V24.S4, V28.S4, V0.S4
	VFMLA   V25.S4, V28.S4, V1.S4
	VFMLA   V26.S4, V28.S4, V2.S4
	VFMLA   V27.S4, V28.S4, V3.S4
	VLD1R.P (R10)(R14), [V28.S4]
	VFMLA   V24.S4, V29.S4, V4.S4
	VFMLA   V25.S4, V29.S4, V5.S4
	VFMLA   V26.S4, V29.S4, V6.S4
	VFMLA   V27.S4, V29.S4, V7.S4
	VLD1R.P (R11)(R14), [V29.S4]
	VFMLA   V24.S4, V28.S4, V8.S4
	VFMLA   V25.S4, V28.S4, V9.S4
	VFMLA   V26.S4, V28.S4, V10.S4
	VFMLA   V27.S4, V28.S4, V11.S4
	VLD1R.P (R12)(R14), [V28.S4]
	VFMLA   V24.S4, V29.S4, V12.S4
	VFMLA   V25.S4, V29.S4, V13.S4
	VFMLA   V26.S4, V29.S4, V14.S4
	VFMLA   V27.S4, V29.S4, V15.S4
	VLD1R.P (R13)(R14), [V29.S4]
	VFMLA   V24.S4, V28.S4, V16.S4
	VFMLA   V25.S4, V28.S4, V17.S4
	VFMLA   V26.S4, V28.S4, V18.S4
	VFMLA   V27.S4, V28.S4, V19.S4
	VFMLA   V24.S4, V29.S4, V20.S4
	VFMLA   V25.S4, V29.S4, V21.S4
	VFMLA   V26.S4, V29.S4, V22.S4
	VFMLA   V27.S4, V29.S4, V23.S4
	SUBS    $1, R6, R6
	BNE     kloop

epilogue:
	MOVD R3, R0
	MOVD ldc+8(FP), R1
	LSL  $2, R1, R1
	MOVD acc+80(FP), R19
	CBZ  R19, st0
	VLD1 (R0), [V24.S4, V25.S4, V26.S4, V27.S4]
	WORD $0x4e38d400 // fadd v0.4s, v0.4s, v24.4s
	WORD $0x4e39d421 // fadd v1.4s, v1.4s, v25.4s
	WORD $0x4e3ad442 // fadd v2.4s, v2.4s, v26.4s
	WORD $0x4e3bd463 // fadd v3.4s, v3.4s, v27.4s
st0:
	VST1 [V0.S4, V1.S4, V2.S4, V3.S4], (R0)
	CMP  $2, R17
	BLT  tiledone
	ADD  R1, R0, R0
	CBZ  R19, st1
	VLD1 (R0), [V24.S4, V25.S4, V26.S4, V27.S4]
	WORD $0x4e38d484 // fadd v4.4s, v4.4s, v24.4s
	WORD $0x4e39d4a5 // fadd v5.4s, v5.4s, v25.4s
	WORD $0x4e3ad4c6 // fadd v6.4s, v6.4s, v26.4s
	WORD $0x4e3bd4e7 // fadd v7.4s, v7.4s, v27.4s
st1:
	VST1 [V4.S4, V5.S4, V6.S4, V7.S4], (R0)
	CMP  $3, R17
	BLT  tiledone
	ADD  R1, R0, R0
	CBZ  R19, st2
	VLD1 (R0), [V24.S4, V25.S4, V26.S4, V27.S4]
	WORD $0x4e38d508 // fadd v8.4s, v8.4s, v24.4s
	WORD $0x4e39d529 // fadd v9.4s, v9.4s, v25.4s
	WORD $0x4e3ad54a // fadd v10.4s, v10.4s, v26.4s
	WORD $0x4e3bd56b // fadd v11.4s, v11.4s, v27.4s
st2:
	VST1 [V8.S4, V9.S4, V10.S4, V11.S4], (R0)
	CMP  $4, R17
	BLT  tiledone
	ADD  R1, R0, R0
	CBZ  R19, st3
	VLD1 (R0), [V24.S4, V25.S4, V26.S4, V27.S4]
	WORD $0x4e38d58c // fadd v12.4s, v12.4s, v24.4s
	WORD $0x4e39d5ad // fadd v13.4s, v13.4s, v25.4s
	WORD $0x4e3ad5ce // fadd v14.4s, v14.4s, v26.4s
	WORD $0x4e3bd5ef // fadd v15.4s, v15.4s, v27.4s
st3:
	VST1 [V12.S4, V13.S4, V14.S4, V15.S4], (R0)
	CMP  $5, R17
	BLT  tiledone
	ADD  R1, R0, R0
	CBZ  R19, st4
	VLD1 (R0), [V24.S4, V25.S4, V26.S4, V27.S4]
	WORD $0x4e38d610 // fadd v16.4s, v16.4s, v24.4s
	WORD $0x4e39d631 // fadd v17.4s, v17.4s, v25.4s
	WORD $0x4e3ad652 // fadd v18.4s, v18.4s, v26.4s
	WORD $0x4e3bd673 // fadd v19.4s, v19.4s, v27.4s
st4:
	VST1 [V16.S4, V17.S4, V18.S4, V19.S4], (R0)
	CMP  $6, R17
	BLT  tiledone
	ADD  R1, R0, R0
	CBZ  R19, st5
	VLD1 (R0), [V24.S4, V25.S4, V26.S4, V27.S4]
	WORD $0x4e38d694 // fadd v20.4s, v20.4s, v24.4s
	WORD $0x4e39d6b5 // fadd v21.4s, v21.4s, v25.4s
	WORD $0x4e3ad6d6 // fadd v22.4s, v22.4s, v26.4s
	WORD $0x4e3bd6f7 // fadd v23.4s, v23.4s, v27.4s
st5:
	VST1 [V20.S4, V21.S4, V22.S4, V23.S4], (R0)

tiledone:
	SUBS $1, R15, R15
	BEQ  done
	ADD  R20, R3, R3
	ADD  R7, R16, R16
	B    tile

done:
	RET
