//go:build !purego && !noasm

#include "textflag.h"

// int8 GEMM micro-kernels for arm64, contract as s8Kernel in gemm_s8.go:
// mr of mrMax rows (a, lda bytes apart, plain int8) times nt packed tiles
// of 16 columns over the whole padded K (kp, a multiple of 16), results to
// c (ldc int32 apart). Register use follows the Go ABI: V0-V31 and R0-R17
// are scratch; R18 (platform), R27 (assembler temp), R28 (g), R29, R30 are
// not touched.
//
// The Go assembler has no SDOT, SMULL(2), SMLAL(2) or SADALP, so they are
// WORDs with the GNU syntax alongside; wordgen.go produces them with
// aarch64-linux-gnu-as and TestWordEncodings checks them with objdump.

// ---------------------------------------------------------------------------
// dotprod: SDOT by element. A block is 4 rows × 1 tile: V0..V15, row r
// quarter q (columns 4q..4q+3) in V(4r+q). Each 16-byte activation load
// (V16..V19, one per row) holds 4 k-groups; SDOT's by-element form selects
// the group as lane [g], so activations need no broadcast. Weight groups
// alternate between V20..V23 and V24..V27 so loads can run ahead.

// func gemmS8DotProd(c *int32, ldc int, a *byte, lda int, w *int8, kp int, nt int, rowsum *int32, mr int)
TEXT ·gemmS8DotProd(SB), NOSPLIT, $0-72
	MOVD c+0(FP), R0
	MOVD ldc+8(FP), R1
	LSL  $2, R1, R1
	MOVD a+16(FP), R2
	MOVD lda+24(FP), R3
	MOVD w+32(FP), R4
	MOVD kp+40(FP), R5
	MOVD nt+48(FP), R6
	MOVD mr+64(FP), R7

dp_tile:
	CMP  $0, R6
	BLE  dp_done
	MOVD R2, R8
	ADD  R3, R8, R9
	ADD  R3, R9, R10
	ADD  R3, R10, R11
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
	MOVD R5, R12

dp_kloop:
	VLD1.P 16(R8), [V16.B16]
	VLD1.P 16(R9), [V17.B16]
	VLD1.P 16(R10), [V18.B16]
	VLD1.P 16(R11), [V19.B16]
	VLD1.P 64(R4), [V20.B16, V21.B16, V22.B16, V23.B16]
	WORD $0x4f90e280 // sdot v0.4s, v20.16b, v16.4b[0]
	WORD $0x4f90e2a1 // sdot v1.4s, v21.16b, v16.4b[0]
	WORD $0x4f90e2c2 // sdot v2.4s, v22.16b, v16.4b[0]
	WORD $0x4f90e2e3 // sdot v3.4s, v23.16b, v16.4b[0]
	WORD $0x4f91e284 // sdot v4.4s, v20.16b, v17.4b[0]
	WORD $0x4f91e2a5 // sdot v5.4s, v21.16b, v17.4b[0]
	WORD $0x4f91e2c6 // sdot v6.4s, v22.16b, v17.4b[0]
	WORD $0x4f91e2e7 // sdot v7.4s, v23.16b, v17.4b[0]
	WORD $0x4f92e288 // sdot v8.4s, v20.16b, v18.4b[0]
	WORD $0x4f92e2a9 // sdot v9.4s, v21.16b, v18.4b[0]
	WORD $0x4f92e2ca // sdot v10.4s, v22.16b, v18.4b[0]
	WORD $0x4f92e2eb // sdot v11.4s, v23.16b, v18.4b[0]
	WORD $0x4f93e28c // sdot v12.4s, v20.16b, v19.4b[0]
	WORD $0x4f93e2ad // sdot v13.4s, v21.16b, v19.4b[0]
	WORD $0x4f93e2ce // sdot v14.4s, v22.16b, v19.4b[0]
	WORD $0x4f93e2ef // sdot v15.4s, v23.16b, v19.4b[0]
	VLD1.P 64(R4), [V24.B16, V25.B16, V26.B16, V27.B16]
	WORD $0x4fb0e300 // sdot v0.4s, v24.16b, v16.4b[1]
	WORD $0x4fb0e321 // sdot v1.4s, v25.16b, v16.4b[1]
	WORD $0x4fb0e342 // sdot v2.4s, v26.16b, v16.4b[1]
	WORD $0x4fb0e363 // sdot v3.4s, v27.16b, v16.4b[1]
	WORD $0x4fb1e304 // sdot v4.4s, v24.16b, v17.4b[1]
	WORD $0x4fb1e325 // sdot v5.4s, v25.16b, v17.4b[1]
	WORD $0x4fb1e346 // sdot v6.4s, v26.16b, v17.4b[1]
	WORD $0x4fb1e367 // sdot v7.4s, v27.16b, v17.4b[1]
	WORD $0x4fb2e308 // sdot v8.4s, v24.16b, v18.4b[1]
	WORD $0x4fb2e329 // sdot v9.4s, v25.16b, v18.4b[1]
	WORD $0x4fb2e34a // sdot v10.4s, v26.16b, v18.4b[1]
	WORD $0x4fb2e36b // sdot v11.4s, v27.16b, v18.4b[1]
	WORD $0x4fb3e30c // sdot v12.4s, v24.16b, v19.4b[1]
	WORD $0x4fb3e32d // sdot v13.4s, v25.16b, v19.4b[1]
	WORD $0x4fb3e34e // sdot v14.4s, v26.16b, v19.4b[1]
	WORD $0x4fb3e36f // sdot v15.4s, v27.16b, v19.4b[1]
	VLD1.P 64(R4), [V20.B16, V21.B16, V22.B16, V23.B16]
	WORD $0x4f90ea80 // sdot v0.4s, v20.16b, v16.4b[2]
	WORD $0x4f90eaa1 // sdot v1.4s, v21.16b, v16.4b[2]
	WORD $0x4f90eac2 // sdot v2.4s, v22.16b, v16.4b[2]
	WORD $0x4f90eae3 // sdot v3.4s, v23.16b, v16.4b[2]
	WORD $0x4f91ea84 // sdot v4.4s, v20.16b, v17.4b[2]
	WORD $0x4f91eaa5 // sdot v5.4s, v21.16b, v17.4b[2]
	WORD $0x4f91eac6 // sdot v6.4s, v22.16b, v17.4b[2]
	WORD $0x4f91eae7 // sdot v7.4s, v23.16b, v17.4b[2]
	WORD $0x4f92ea88 // sdot v8.4s, v20.16b, v18.4b[2]
	WORD $0x4f92eaa9 // sdot v9.4s, v21.16b, v18.4b[2]
	WORD $0x4f92eaca // sdot v10.4s, v22.16b, v18.4b[2]
	WORD $0x4f92eaeb // sdot v11.4s, v23.16b, v18.4b[2]
	WORD $0x4f93ea8c // sdot v12.4s, v20.16b, v19.4b[2]
	WORD $0x4f93eaad // sdot v13.4s, v21.16b, v19.4b[2]
	WORD $0x4f93eace // sdot v14.4s, v22.16b, v19.4b[2]
	WORD $0x4f93eaef // sdot v15.4s, v23.16b, v19.4b[2]
	VLD1.P 64(R4), [V24.B16, V25.B16, V26.B16, V27.B16]
	WORD $0x4fb0eb00 // sdot v0.4s, v24.16b, v16.4b[3]
	WORD $0x4fb0eb21 // sdot v1.4s, v25.16b, v16.4b[3]
	WORD $0x4fb0eb42 // sdot v2.4s, v26.16b, v16.4b[3]
	WORD $0x4fb0eb63 // sdot v3.4s, v27.16b, v16.4b[3]
	WORD $0x4fb1eb04 // sdot v4.4s, v24.16b, v17.4b[3]
	WORD $0x4fb1eb25 // sdot v5.4s, v25.16b, v17.4b[3]
	WORD $0x4fb1eb46 // sdot v6.4s, v26.16b, v17.4b[3]
	WORD $0x4fb1eb67 // sdot v7.4s, v27.16b, v17.4b[3]
	WORD $0x4fb2eb08 // sdot v8.4s, v24.16b, v18.4b[3]
	WORD $0x4fb2eb29 // sdot v9.4s, v25.16b, v18.4b[3]
	WORD $0x4fb2eb4a // sdot v10.4s, v26.16b, v18.4b[3]
	WORD $0x4fb2eb6b // sdot v11.4s, v27.16b, v18.4b[3]
	WORD $0x4fb3eb0c // sdot v12.4s, v24.16b, v19.4b[3]
	WORD $0x4fb3eb2d // sdot v13.4s, v25.16b, v19.4b[3]
	WORD $0x4fb3eb4e // sdot v14.4s, v26.16b, v19.4b[3]
	WORD $0x4fb3eb6f // sdot v15.4s, v27.16b, v19.4b[3]
	SUBS $16, R12, R12
	BNE  dp_kloop

	// The k loop left R4 at the next tile.
	VST1 [V0.S4, V1.S4, V2.S4, V3.S4], (R0)
	CMP  $2, R7
	BLT  dp_stored
	ADD  R1, R0, R13
	VST1 [V4.S4, V5.S4, V6.S4, V7.S4], (R13)
	CMP  $3, R7
	BLT  dp_stored
	ADD  R1, R13, R13
	VST1 [V8.S4, V9.S4, V10.S4, V11.S4], (R13)
	CMP  $4, R7
	BLT  dp_stored
	ADD  R1, R13, R13
	VST1 [V12.S4, V13.S4, V14.S4, V15.S4], (R13)

dp_stored:
	ADD  $64, R0, R0
	SUB  $1, R6, R6
	B    dp_tile

dp_done:
	RET

// ---------------------------------------------------------------------------
// neon: no SDOT (Cortex-A72, A53). SMULL/SMULL2 multiply 8 int8 pairs into
// int16 lanes and SMLAL/SMLAL2 add a second product from the next k-group:
// two products of |a| <= 128, |w| <= 127 stay below 2^15 (this is why
// weights may not be -128). SADALP then folds lane pairs into int32.
//
// A block is 2 rows × 1 tile. Row r, quarter q (columns 4q..4q+3) keeps two
// int32 accumulators: V(8r+2q) for columns 4q, 4q+1 and V(8r+2q+1) for
// 4q+2, 4q+3, each column as two partial sums that ADDP merges at the end.
// Per pair of k-groups: weights in V16..V19 (group g) and V20..V23 (g+1);
// activation groups broadcast to V24/V25 (row 0) and V26/V27 (row 1) from
// the 16-byte loads V28/V29; products in V30/V31.

// func gemmS8Neon(c *int32, ldc int, a *byte, lda int, w *int8, kp int, nt int, rowsum *int32, mr int)
TEXT ·gemmS8Neon(SB), NOSPLIT, $0-72
	MOVD c+0(FP), R0
	MOVD ldc+8(FP), R1
	LSL  $2, R1, R1
	MOVD a+16(FP), R2
	MOVD lda+24(FP), R3
	MOVD w+32(FP), R4
	MOVD kp+40(FP), R5
	MOVD nt+48(FP), R6
	MOVD mr+64(FP), R7

nn_tile:
	CMP  $0, R6
	BLE  nn_done
	MOVD R2, R8
	ADD  R3, R8, R9
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
	MOVD R5, R12

nn_kloop:
	VLD1.P 16(R8), [V28.B16]
	VLD1.P 16(R9), [V29.B16]
	VLD1.P 64(R4), [V16.B16, V17.B16, V18.B16, V19.B16]
	VLD1.P 64(R4), [V20.B16, V21.B16, V22.B16, V23.B16]
	VDUP V28.S[0], V24.S4
	VDUP V28.S[1], V25.S4
	VDUP V29.S[0], V26.S4
	VDUP V29.S[1], V27.S4
	WORD $0x0e38c21e // smull v30.8h, v16.8b, v24.8b
	WORD $0x0e39829e // smlal v30.8h, v20.8b, v25.8b
	WORD $0x4e38c21f // smull2 v31.8h, v16.16b, v24.16b
	WORD $0x4e39829f // smlal2 v31.8h, v20.16b, v25.16b
	WORD $0x4e606bc0 // sadalp v0.4s, v30.8h
	WORD $0x4e606be1 // sadalp v1.4s, v31.8h
	WORD $0x0e38c23e // smull v30.8h, v17.8b, v24.8b
	WORD $0x0e3982be // smlal v30.8h, v21.8b, v25.8b
	WORD $0x4e38c23f // smull2 v31.8h, v17.16b, v24.16b
	WORD $0x4e3982bf // smlal2 v31.8h, v21.16b, v25.16b
	WORD $0x4e606bc2 // sadalp v2.4s, v30.8h
	WORD $0x4e606be3 // sadalp v3.4s, v31.8h
	WORD $0x0e38c25e // smull v30.8h, v18.8b, v24.8b
	WORD $0x0e3982de // smlal v30.8h, v22.8b, v25.8b
	WORD $0x4e38c25f // smull2 v31.8h, v18.16b, v24.16b
	WORD $0x4e3982df // smlal2 v31.8h, v22.16b, v25.16b
	WORD $0x4e606bc4 // sadalp v4.4s, v30.8h
	WORD $0x4e606be5 // sadalp v5.4s, v31.8h
	WORD $0x0e38c27e // smull v30.8h, v19.8b, v24.8b
	WORD $0x0e3982fe // smlal v30.8h, v23.8b, v25.8b
	WORD $0x4e38c27f // smull2 v31.8h, v19.16b, v24.16b
	WORD $0x4e3982ff // smlal2 v31.8h, v23.16b, v25.16b
	WORD $0x4e606bc6 // sadalp v6.4s, v30.8h
	WORD $0x4e606be7 // sadalp v7.4s, v31.8h
	WORD $0x0e3ac21e // smull v30.8h, v16.8b, v26.8b
	WORD $0x0e3b829e // smlal v30.8h, v20.8b, v27.8b
	WORD $0x4e3ac21f // smull2 v31.8h, v16.16b, v26.16b
	WORD $0x4e3b829f // smlal2 v31.8h, v20.16b, v27.16b
	WORD $0x4e606bc8 // sadalp v8.4s, v30.8h
	WORD $0x4e606be9 // sadalp v9.4s, v31.8h
	WORD $0x0e3ac23e // smull v30.8h, v17.8b, v26.8b
	WORD $0x0e3b82be // smlal v30.8h, v21.8b, v27.8b
	WORD $0x4e3ac23f // smull2 v31.8h, v17.16b, v26.16b
	WORD $0x4e3b82bf // smlal2 v31.8h, v21.16b, v27.16b
	WORD $0x4e606bca // sadalp v10.4s, v30.8h
	WORD $0x4e606beb // sadalp v11.4s, v31.8h
	WORD $0x0e3ac25e // smull v30.8h, v18.8b, v26.8b
	WORD $0x0e3b82de // smlal v30.8h, v22.8b, v27.8b
	WORD $0x4e3ac25f // smull2 v31.8h, v18.16b, v26.16b
	WORD $0x4e3b82df // smlal2 v31.8h, v22.16b, v27.16b
	WORD $0x4e606bcc // sadalp v12.4s, v30.8h
	WORD $0x4e606bed // sadalp v13.4s, v31.8h
	WORD $0x0e3ac27e // smull v30.8h, v19.8b, v26.8b
	WORD $0x0e3b82fe // smlal v30.8h, v23.8b, v27.8b
	WORD $0x4e3ac27f // smull2 v31.8h, v19.16b, v26.16b
	WORD $0x4e3b82ff // smlal2 v31.8h, v23.16b, v27.16b
	WORD $0x4e606bce // sadalp v14.4s, v30.8h
	WORD $0x4e606bef // sadalp v15.4s, v31.8h
	VLD1.P 64(R4), [V16.B16, V17.B16, V18.B16, V19.B16]
	VLD1.P 64(R4), [V20.B16, V21.B16, V22.B16, V23.B16]
	VDUP V28.S[2], V24.S4
	VDUP V28.S[3], V25.S4
	VDUP V29.S[2], V26.S4
	VDUP V29.S[3], V27.S4
	WORD $0x0e38c21e // smull v30.8h, v16.8b, v24.8b
	WORD $0x0e39829e // smlal v30.8h, v20.8b, v25.8b
	WORD $0x4e38c21f // smull2 v31.8h, v16.16b, v24.16b
	WORD $0x4e39829f // smlal2 v31.8h, v20.16b, v25.16b
	WORD $0x4e606bc0 // sadalp v0.4s, v30.8h
	WORD $0x4e606be1 // sadalp v1.4s, v31.8h
	WORD $0x0e38c23e // smull v30.8h, v17.8b, v24.8b
	WORD $0x0e3982be // smlal v30.8h, v21.8b, v25.8b
	WORD $0x4e38c23f // smull2 v31.8h, v17.16b, v24.16b
	WORD $0x4e3982bf // smlal2 v31.8h, v21.16b, v25.16b
	WORD $0x4e606bc2 // sadalp v2.4s, v30.8h
	WORD $0x4e606be3 // sadalp v3.4s, v31.8h
	WORD $0x0e38c25e // smull v30.8h, v18.8b, v24.8b
	WORD $0x0e3982de // smlal v30.8h, v22.8b, v25.8b
	WORD $0x4e38c25f // smull2 v31.8h, v18.16b, v24.16b
	WORD $0x4e3982df // smlal2 v31.8h, v22.16b, v25.16b
	WORD $0x4e606bc4 // sadalp v4.4s, v30.8h
	WORD $0x4e606be5 // sadalp v5.4s, v31.8h
	WORD $0x0e38c27e // smull v30.8h, v19.8b, v24.8b
	WORD $0x0e3982fe // smlal v30.8h, v23.8b, v25.8b
	WORD $0x4e38c27f // smull2 v31.8h, v19.16b, v24.16b
	WORD $0x4e3982ff // smlal2 v31.8h, v23.16b, v25.16b
	WORD $0x4e606bc6 // sadalp v6.4s, v30.8h
	WORD $0x4e606be7 // sadalp v7.4s, v31.8h
	WORD $0x0e3ac21e // smull v30.8h, v16.8b, v26.8b
	WORD $0x0e3b829e // smlal v30.8h, v20.8b, v27.8b
	WORD $0x4e3ac21f // smull2 v31.8h, v16.16b, v26.16b
	WORD $0x4e3b829f // smlal2 v31.8h, v20.16b, v27.16b
	WORD $0x4e606bc8 // sadalp v8.4s, v30.8h
	WORD $0x4e606be9 // sadalp v9.4s, v31.8h
	WORD $0x0e3ac23e // smull v30.8h, v17.8b, v26.8b
	WORD $0x0e3b82be // smlal v30.8h, v21.8b, v27.8b
	WORD $0x4e3ac23f // smull2 v31.8h, v17.16b, v26.16b
	WORD $0x4e3b82bf // smlal2 v31.8h, v21.16b, v27.16b
	WORD $0x4e606bca // sadalp v10.4s, v30.8h
	WORD $0x4e606beb // sadalp v11.4s, v31.8h
	WORD $0x0e3ac25e // smull v30.8h, v18.8b, v26.8b
	WORD $0x0e3b82de // smlal v30.8h, v22.8b, v27.8b
	WORD $0x4e3ac25f // smull2 v31.8h, v18.16b, v26.16b
	WORD $0x4e3b82df // smlal2 v31.8h, v22.16b, v27.16b
	WORD $0x4e606bcc // sadalp v12.4s, v30.8h
	WORD $0x4e606bed // sadalp v13.4s, v31.8h
	WORD $0x0e3ac27e // smull v30.8h, v19.8b, v26.8b
	WORD $0x0e3b82fe // smlal v30.8h, v23.8b, v27.8b
	WORD $0x4e3ac27f // smull2 v31.8h, v19.16b, v26.16b
	WORD $0x4e3b82ff // smlal2 v31.8h, v23.16b, v27.16b
	WORD $0x4e606bce // sadalp v14.4s, v30.8h
	WORD $0x4e606bef // sadalp v15.4s, v31.8h
	SUBS $16, R12, R12
	BNE  nn_kloop

	// Merge partial sums: ADDP(lo, hi) = columns 4q..4q+3 of quarter q.
	VADDP V1.S4, V0.S4, V16.S4
	VADDP V3.S4, V2.S4, V17.S4
	VADDP V5.S4, V4.S4, V18.S4
	VADDP V7.S4, V6.S4, V19.S4
	VADDP V9.S4, V8.S4, V20.S4
	VADDP V11.S4, V10.S4, V21.S4
	VADDP V13.S4, V12.S4, V22.S4
	VADDP V15.S4, V14.S4, V23.S4
	VST1 [V16.S4, V17.S4, V18.S4, V19.S4], (R0)
	CMP  $2, R7
	BLT  nn_stored
	ADD  R1, R0, R13
	VST1 [V20.S4, V21.S4, V22.S4, V23.S4], (R13)

nn_stored:
	ADD  $64, R0, R0
	SUB  $1, R6, R6
	B    nn_tile

nn_done:
	RET
