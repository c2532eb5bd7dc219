//go:build !purego && !noasm

#include "textflag.h"

// float32 broadcast-form micro-kernels (contract: f32BcKernel in
// gemm_f32bc.go): nt tiles of 6 rows of C (mr <= 6 in the last) by nc <= nr
// columns, tile t computing
//
//	c[(6t+i)*ldc + j] (+)= Σ_p a[t*ta + i*rsa + p*csa] · b[p*ldb + j]
//
// One A element per row and k step is broadcast and multiplied into the
// row's vectors of B, so the accumulators hold whole output vectors and
// nothing is reduced horizontally. Strides (rsa, csa) read A in either
// layout: (lda, 1) for A·B, (1, lda) for Aᵀ·B. Rows at or past mr alias row
// 0: computed, never stored. Every load of B and C past column nc is
// masked off, so the kernel reads only the tile it owns.
//
// One call covers the row tiles of a block of a panel, so the Go call and
// the mask setup are paid once per block; the tile loop keeps its state in
// the argument slots c, a and nt.
//
// func gemmF32BcAvx512(c *float32, ldc int, a *float32, rsa int, csa int, b *float32, ldb int, k int, nc int, mr int, acc int, nt int, ta int)
//
// avx512: nr = 64, row r's four vectors in Z(4r)..Z(4r+3), B in Z24..Z27,
// the broadcasts alternate Z28/Z29: 4 vector loads and 6 broadcasts for 24
// FMAs per k. K1..K4 mask the valid lanes of vectors 0..3; the k loop is
// specialised by how many vectors are live, so narrow tiles issue no FMAs
// on padding.

#define BC4(rp, bc, c0, c1, c2, c3) \
	VBROADCASTSS (rp)(AX*1), bc; \
	VFMADD231PS  Z24, bc, c0; \
	VFMADD231PS  Z25, bc, c1; \
	VFMADD231PS  Z26, bc, c2; \
	VFMADD231PS  Z27, bc, c3

#define BC3(rp, bc, c0, c1, c2) \
	VBROADCASTSS (rp)(AX*1), bc; \
	VFMADD231PS  Z24, bc, c0; \
	VFMADD231PS  Z25, bc, c1; \
	VFMADD231PS  Z26, bc, c2

#define BC2(rp, bc, c0, c1) \
	VBROADCASTSS (rp)(AX*1), bc; \
	VFMADD231PS  Z24, bc, c0; \
	VFMADD231PS  Z25, bc, c1

#define BC1(rp, bc, c0) \
	VBROADCASTSS (rp)(AX*1), bc; \
	VFMADD231PS  Z24, bc, c0

// Row r of C at rc: add the old values (acc) and store, lanes masked.
#define ADDROW512(rc, c0, c1, c2, c3) \
	VMOVUPS.Z (rc), K1, Z24; \
	VMOVUPS.Z 64(rc), K2, Z25; \
	VMOVUPS.Z 128(rc), K3, Z26; \
	VMOVUPS.Z 192(rc), K4, Z27; \
	VADDPS    Z24, c0, c0; \
	VADDPS    Z25, c1, c1; \
	VADDPS    Z26, c2, c2; \
	VADDPS    Z27, c3, c3

#define STROW512(rc, c0, c1, c2, c3) \
	VMOVUPS c0, K1, (rc); \
	VMOVUPS c1, K2, 64(rc); \
	VMOVUPS c2, K3, 128(rc); \
	VMOVUPS c3, K4, 192(rc)

// reg = the rows of this tile: 6, or mr in the last one.
#define TILEROWS(reg) \
	MOVQ    $6, reg; \
	CMPQ    nt+88(FP), $1; \
	CMOVQEQ mr+72(FP), reg

// Lanes of vector v: K = bits of min(max(nc − 16v, 0), 16), via BZHI.
#define LANEMASK(v, kreg) \
	MOVQ    BX, CX; \
	SUBQ    $(16*v), CX; \
	CMOVQLT R15, CX; \
	BZHIL   CX, DX, CX; \
	KMOVW   CX, kreg

TEXT ·gemmF32BcAvx512(SB), NOSPLIT, $0-104
	// Masks first, while DX, CX and R15 are free.
	MOVQ nc+64(FP), BX
	XORQ R15, R15
	MOVL $0xffff, DX
	LANEMASK(0, K1)
	LANEMASK(1, K2)
	LANEMASK(2, K3)
	LANEMASK(3, K4)

tile:
	// Row pointers; rows at or past this tile's count alias row 0.
	MOVQ a+16(FP), SI
	MOVQ rsa+24(FP), R8
	SHLQ $2, R8
	TILEROWS(CX)
	MOVQ SI, R9
	LEAQ (SI)(R8*1), AX
	CMPQ CX, $2
	CMOVQGE AX, R9
	MOVQ SI, R10
	LEAQ (AX)(R8*1), AX
	CMPQ CX, $3
	CMOVQGE AX, R10
	MOVQ SI, R11
	LEAQ (AX)(R8*1), AX
	CMPQ CX, $4
	CMOVQGE AX, R11
	MOVQ SI, R12
	LEAQ (AX)(R8*1), AX
	CMPQ CX, $5
	CMOVQGE AX, R12
	MOVQ SI, R13
	LEAQ (AX)(R8*1), AX
	CMPQ CX, $6
	CMOVQGE AX, R13
	MOVQ csa+32(FP), R14
	SHLQ $2, R14
	MOVQ b+40(FP), DX
	MOVQ ldb+48(FP), R15
	SHLQ $2, R15
	MOVQ k+56(FP), CX
	MOVQ nc+64(FP), BX
	XORQ AX, AX
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
	VPXORD Z16, Z16, Z16
	VPXORD Z17, Z17, Z17
	VPXORD Z18, Z18, Z18
	VPXORD Z19, Z19, Z19
	VPXORD Z20, Z20, Z20
	VPXORD Z21, Z21, Z21
	VPXORD Z22, Z22, Z22
	VPXORD Z23, Z23, Z23
	TESTQ CX, CX
	JEQ   epilogue
	CMPQ BX, $48
	JGT  k4
	CMPQ BX, $32
	JGT  k3
	CMPQ BX, $16
	JGT  k2

k1:
	VMOVUPS.Z (DX), K1, Z24
	BC1(SI, Z28, Z0)
	BC1(R9, Z29, Z4)
	BC1(R10, Z28, Z8)
	BC1(R11, Z29, Z12)
	BC1(R12, Z28, Z16)
	BC1(R13, Z29, Z20)
	ADDQ R14, AX
	ADDQ R15, DX
	DECQ CX
	JNZ  k1
	JMP  epilogue

k2:
	VMOVUPS   (DX), Z24
	VMOVUPS.Z 64(DX), K2, Z25
	BC2(SI, Z28, Z0, Z1)
	BC2(R9, Z29, Z4, Z5)
	BC2(R10, Z28, Z8, Z9)
	BC2(R11, Z29, Z12, Z13)
	BC2(R12, Z28, Z16, Z17)
	BC2(R13, Z29, Z20, Z21)
	ADDQ R14, AX
	ADDQ R15, DX
	DECQ CX
	JNZ  k2
	JMP  epilogue

k3:
	VMOVUPS   (DX), Z24
	VMOVUPS   64(DX), Z25
	VMOVUPS.Z 128(DX), K3, Z26
	BC3(SI, Z28, Z0, Z1, Z2)
	BC3(R9, Z29, Z4, Z5, Z6)
	BC3(R10, Z28, Z8, Z9, Z10)
	BC3(R11, Z29, Z12, Z13, Z14)
	BC3(R12, Z28, Z16, Z17, Z18)
	BC3(R13, Z29, Z20, Z21, Z22)
	ADDQ R14, AX
	ADDQ R15, DX
	DECQ CX
	JNZ  k3
	JMP  epilogue

k4:
	VMOVUPS   (DX), Z24
	VMOVUPS   64(DX), Z25
	VMOVUPS   128(DX), Z26
	VMOVUPS.Z 192(DX), K4, Z27
	BC4(SI, Z28, Z0, Z1, Z2, Z3)
	BC4(R9, Z29, Z4, Z5, Z6, Z7)
	BC4(R10, Z28, Z8, Z9, Z10, Z11)
	BC4(R11, Z29, Z12, Z13, Z14, Z15)
	BC4(R12, Z28, Z16, Z17, Z18, Z19)
	BC4(R13, Z29, Z20, Z21, Z22, Z23)
	ADDQ R14, AX
	ADDQ R15, DX
	DECQ CX
	JNZ  k4

epilogue:
	// Vectors past the live ones hold zeros and have empty masks.
	MOVQ c+0(FP), DI
	MOVQ ldc+8(FP), R8
	SHLQ $2, R8
	TILEROWS(CX)
	MOVQ acc+80(FP), BX
	TESTQ BX, BX
	JEQ  st0
	ADDROW512(DI, Z0, Z1, Z2, Z3)
st0:
	STROW512(DI, Z0, Z1, Z2, Z3)
	CMPQ CX, $2
	JLT  tiledone
	ADDQ R8, DI
	TESTQ BX, BX
	JEQ  st1
	ADDROW512(DI, Z4, Z5, Z6, Z7)
st1:
	STROW512(DI, Z4, Z5, Z6, Z7)
	CMPQ CX, $3
	JLT  tiledone
	ADDQ R8, DI
	TESTQ BX, BX
	JEQ  st2
	ADDROW512(DI, Z8, Z9, Z10, Z11)
st2:
	STROW512(DI, Z8, Z9, Z10, Z11)
	CMPQ CX, $4
	JLT  tiledone
	ADDQ R8, DI
	TESTQ BX, BX
	JEQ  st3
	ADDROW512(DI, Z12, Z13, Z14, Z15)
st3:
	STROW512(DI, Z12, Z13, Z14, Z15)
	CMPQ CX, $5
	JLT  tiledone
	ADDQ R8, DI
	TESTQ BX, BX
	JEQ  st4
	ADDROW512(DI, Z16, Z17, Z18, Z19)
st4:
	STROW512(DI, Z16, Z17, Z18, Z19)
	CMPQ CX, $6
	JLT  tiledone
	ADDQ R8, DI
	TESTQ BX, BX
	JEQ  st5
	ADDROW512(DI, Z20, Z21, Z22, Z23)
st5:
	STROW512(DI, Z20, Z21, Z22, Z23)

tiledone:
	MOVQ nt+88(FP), AX
	DECQ AX
	JEQ  done
	MOVQ AX, nt+88(FP)
	MOVQ ldc+8(FP), AX
	IMUL3Q $24, AX, AX           // 6 rows of C
	ADDQ AX, c+0(FP)
	MOVQ ta+96(FP), AX
	SHLQ $2, AX
	ADDQ AX, a+16(FP)
	JMP  tile

done:
	VZEROUPPER
	RET

// func gemmF32BcAvx2(c *float32, ldc int, a *float32, rsa int, csa int, b *float32, ldb int, k int, nc int, mr int, acc int, nt int, ta int)
//
// avx2: nr = 16, row r's two vectors in Y(2r), Y(2r+1), B in Y12/Y13, the
// broadcast in Y14 and the lane mask of the last live vector in Y15: 2
// loads and 6 broadcasts for 12 FMAs per k (the 6×16 shape of BLIS's
// Haswell kernel). Full-width tiles store without masks (VMASKMOVPS stores
// are slow on AMD cores).

DATA bcmask<>+0(SB)/8, $-1
DATA bcmask<>+8(SB)/8, $-1
DATA bcmask<>+16(SB)/8, $-1
DATA bcmask<>+24(SB)/8, $-1
DATA bcmask<>+32(SB)/8, $0
DATA bcmask<>+40(SB)/8, $0
DATA bcmask<>+48(SB)/8, $0
DATA bcmask<>+56(SB)/8, $0
GLOBL bcmask<>(SB), RODATA|NOPTR, $64

#define BCY2(rp, c0, c1) \
	VBROADCASTSS (rp)(AX*1), Y14; \
	VFMADD231PS  Y12, Y14, c0; \
	VFMADD231PS  Y13, Y14, c1

#define BCY1(rp, c0) \
	VBROADCASTSS (rp)(AX*1), Y14; \
	VFMADD231PS  Y12, Y14, c0

// Row at rc, full width: c (+)= old; store.
#define ROWFULL2(rc, c0, c1) \
	TESTQ   BX, BX; \
	JEQ     3(PC); \
	VADDPS  (rc), c0, c0; \
	VADDPS  32(rc), c1, c1; \
	VMOVUPS c0, (rc); \
	VMOVUPS c1, 32(rc)

TEXT ·gemmF32BcAvx2(SB), NOSPLIT, $0-104
tile2:
	MOVQ a+16(FP), SI
	MOVQ rsa+24(FP), R8
	SHLQ $2, R8
	TILEROWS(CX)
	MOVQ SI, R9
	LEAQ (SI)(R8*1), AX
	CMPQ CX, $2
	CMOVQGE AX, R9
	MOVQ SI, R10
	LEAQ (AX)(R8*1), AX
	CMPQ CX, $3
	CMOVQGE AX, R10
	MOVQ SI, R11
	LEAQ (AX)(R8*1), AX
	CMPQ CX, $4
	CMOVQGE AX, R11
	MOVQ SI, R12
	LEAQ (AX)(R8*1), AX
	CMPQ CX, $5
	CMOVQGE AX, R12
	MOVQ SI, R13
	LEAQ (AX)(R8*1), AX
	CMPQ CX, $6
	CMOVQGE AX, R13
	// Y15: the valid lanes of the last live vector (nc ≤ 8: vector 0,
	// else vector 1), from bcmask at offset 32 − 4·lanes.
	MOVQ nc+64(FP), BX
	MOVQ BX, AX
	CMPQ AX, $8
	JLE  2(PC)
	SUBQ $8, AX
	SHLQ $2, AX
	NEGQ AX
	LEAQ bcmask<>+32(SB), DX
	VMOVDQU (DX)(AX*1), Y15
	MOVQ csa+32(FP), R14
	SHLQ $2, R14
	MOVQ b+40(FP), DX
	MOVQ ldb+48(FP), R15
	SHLQ $2, R15
	MOVQ k+56(FP), CX
	XORQ AX, AX
	VXORPS Y0, Y0, Y0
	VXORPS Y1, Y1, Y1
	VXORPS Y2, Y2, Y2
	VXORPS Y3, Y3, Y3
	VXORPS Y4, Y4, Y4
	VXORPS Y5, Y5, Y5
	VXORPS Y6, Y6, Y6
	VXORPS Y7, Y7, Y7
	VXORPS Y8, Y8, Y8
	VXORPS Y9, Y9, Y9
	VXORPS Y10, Y10, Y10
	VXORPS Y11, Y11, Y11
	TESTQ CX, CX
	JEQ   epi2
	CMPQ BX, $8
	JGT  y2

y1:
	VMASKMOVPS (DX), Y15, Y12
	BCY1(SI, Y0)
	BCY1(R9, Y2)
	BCY1(R10, Y4)
	BCY1(R11, Y6)
	BCY1(R12, Y8)
	BCY1(R13, Y10)
	ADDQ R14, AX
	ADDQ R15, DX
	DECQ CX
	JNZ  y1
	JMP  epi2

y2:
	VMOVUPS    (DX), Y12
	VMASKMOVPS 32(DX), Y15, Y13
	BCY2(SI, Y0, Y1)
	BCY2(R9, Y2, Y3)
	BCY2(R10, Y4, Y5)
	BCY2(R11, Y6, Y7)
	BCY2(R12, Y8, Y9)
	BCY2(R13, Y10, Y11)
	ADDQ R14, AX
	ADDQ R15, DX
	DECQ CX
	JNZ  y2

epi2:
	MOVQ c+0(FP), DI
	MOVQ ldc+8(FP), R8
	SHLQ $2, R8
	TILEROWS(CX)
	MOVQ acc+80(FP), BX
	MOVQ nc+64(FP), DX
	CMPQ DX, $16
	JNE  epimask
	ROWFULL2(DI, Y0, Y1)
	CMPQ CX, $2
	JLT  tiledone2
	ADDQ R8, DI
	ROWFULL2(DI, Y2, Y3)
	CMPQ CX, $3
	JLT  tiledone2
	ADDQ R8, DI
	ROWFULL2(DI, Y4, Y5)
	CMPQ CX, $4
	JLT  tiledone2
	ADDQ R8, DI
	ROWFULL2(DI, Y6, Y7)
	CMPQ CX, $5
	JLT  tiledone2
	ADDQ R8, DI
	ROWFULL2(DI, Y8, Y9)
	CMPQ CX, $6
	JLT  tiledone2
	ADDQ R8, DI
	ROWFULL2(DI, Y10, Y11)
	JMP  tiledone2

epimask:
	// Narrow tile: the last live vector goes through Y15. Rows loop
	// through Y0/Y1 (each row's pair is moved there first).
	MOVQ $0, SI

rowm:
	CMPQ SI, CX
	JGE  tiledone2
	CMPQ DX, $8
	JLE  rowm1
	TESTQ BX, BX
	JEQ  3(PC)
	VADDPS     (DI), Y0, Y0
	VMASKMOVPS 32(DI), Y15, Y12
	TESTQ BX, BX
	JEQ  2(PC)
	VADDPS     Y12, Y1, Y1
	VMOVUPS    Y0, (DI)
	VMASKMOVPS Y1, Y15, 32(DI)
	JMP  rownext

rowm1:
	TESTQ BX, BX
	JEQ  3(PC)
	VMASKMOVPS (DI), Y15, Y12
	VADDPS     Y12, Y0, Y0
	VMASKMOVPS Y0, Y15, (DI)

rownext:
	// Shift the rows down: Y0/Y1 ← Y2/Y3 ← … ← Y10/Y11.
	VMOVAPS Y2, Y0
	VMOVAPS Y3, Y1
	VMOVAPS Y4, Y2
	VMOVAPS Y5, Y3
	VMOVAPS Y6, Y4
	VMOVAPS Y7, Y5
	VMOVAPS Y8, Y6
	VMOVAPS Y9, Y7
	VMOVAPS Y10, Y8
	VMOVAPS Y11, Y9
	ADDQ R8, DI
	INCQ SI
	JMP  rowm

tiledone2:
	MOVQ nt+88(FP), AX
	DECQ AX
	JEQ  done2
	MOVQ AX, nt+88(FP)
	MOVQ ldc+8(FP), AX
	IMUL3Q $24, AX, AX
	ADDQ AX, c+0(FP)
	MOVQ ta+96(FP), AX
	SHLQ $2, AX
	ADDQ AX, a+16(FP)
	JMP  tile2

done2:
	VZEROUPPER
	RET
