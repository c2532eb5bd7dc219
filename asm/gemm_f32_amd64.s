//go:build !purego && !noasm

#include "textflag.h"

// float32 C = A·Wᵀ micro-kernels (contract: f32Kernel in gemm_f32.go). W is
// read in its PyTorch layout [n,k], so each output is a dot product along k:
// the accumulators hold partial sums across k lanes and are reduced
// horizontally once per block, after the whole k loop. nc is a multiple of
// 4 (the driver handles the last columns); rows at or past mr alias row 0.
//
// func gemmF32Avx512(c *float32, ldc int, a *float32, lda int, w *float32, ldw int, k int, nc int, mr int, acc int)
//
// avx512: 4 rows × 4 columns in Z0..Z15 (row r, column j in Z(4r+j)), rows
// of A in Z16..Z19, W in Z20..Z23: 8 loads for 16 FMAs per 16 k. The k
// tail uses a zero-masked load (K1).

// Reduce Z(b)..Z(b+3), the 4 columns of one row, to X(b) = their 4 sums.
#define RED4_512(z0, z1, z2, z3, y0, y1, y2, y3, x0, x1, x2, x3) \
	VEXTRACTF64X4 $1, z0, Y24; \
	VEXTRACTF64X4 $1, z1, Y25; \
	VEXTRACTF64X4 $1, z2, Y26; \
	VEXTRACTF64X4 $1, z3, Y27; \
	VADDPS Y24, y0, y0; \
	VADDPS Y25, y1, y1; \
	VADDPS Y26, y2, y2; \
	VADDPS Y27, y3, y3; \
	VEXTRACTF32X4 $1, y0, X24; \
	VEXTRACTF32X4 $1, y1, X25; \
	VEXTRACTF32X4 $1, y2, X26; \
	VEXTRACTF32X4 $1, y3, X27; \
	VADDPS X24, x0, x0; \
	VADDPS X25, x1, x1; \
	VADDPS X26, x2, x2; \
	VADDPS X27, x3, x3; \
	VHADDPS x1, x0, x0; \
	VHADDPS x3, x2, x2; \
	VHADDPS x2, x0, x0


TEXT ·gemmF32Avx512(SB), NOSPLIT, $0-80
	MOVQ c+0(FP), DI
	MOVQ ldc+8(FP), R8
	SHLQ $2, R8
	MOVQ a+16(FP), SI
	MOVQ lda+24(FP), BX
	SHLQ $2, BX
	// Rows at or past mr alias row 0: computed, never stored.
	MOVQ mr+64(FP), CX
	MOVQ SI, R9
	LEAQ (SI)(BX*1), AX
	CMPQ CX, $2
	CMOVQGE AX, R9
	MOVQ SI, R10
	LEAQ (SI)(BX*2), AX
	CMPQ CX, $3
	CMOVQGE AX, R10
	MOVQ SI, R11
	LEAQ (R9)(BX*2), AX
	CMPQ CX, $4
	CMOVQGE AX, R11
	// K1 masks the k tail (k mod 16 floats).
	MOVQ k+48(FP), CX
	ANDQ $15, CX
	MOVL $1, AX
	SHLL CX, AX
	DECL AX
	KMOVW AX, K1
	MOVQ k+48(FP), CX
	ANDQ $-16, CX
	SHLQ $2, CX                 // bytes of whole 16-float steps
	MOVQ w+32(FP), DX
	MOVQ nc+56(FP), BX

cols:
	CMPQ BX, $4
	JLT  done
	MOVQ ldw+40(FP), R14
	SHLQ $2, R14
	LEAQ (DX)(R14*1), R12
	LEAQ (DX)(R14*2), R13
	LEAQ (R12)(R14*2), R15
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
	CMPQ CX, $0
	JEQ  tail

kloop:
	VMOVUPS (SI)(AX*1), Z16
	VMOVUPS (R9)(AX*1), Z17
	VMOVUPS (R10)(AX*1), Z18
	VMOVUPS (R11)(AX*1), Z19
	VMOVUPS (DX)(AX*1), Z20
	VMOVUPS (R12)(AX*1), Z21
	VMOVUPS (R13)(AX*1), Z22
	VMOVUPS (R15)(AX*1), Z23
	VFMADD231PS Z20, Z16, Z0
	VFMADD231PS Z21, Z16, Z1
	VFMADD231PS Z22, Z16, Z2
	VFMADD231PS Z23, Z16, Z3
	VFMADD231PS Z20, Z17, Z4
	VFMADD231PS Z21, Z17, Z5
	VFMADD231PS Z22, Z17, Z6
	VFMADD231PS Z23, Z17, Z7
	VFMADD231PS Z20, Z18, Z8
	VFMADD231PS Z21, Z18, Z9
	VFMADD231PS Z22, Z18, Z10
	VFMADD231PS Z23, Z18, Z11
	VFMADD231PS Z20, Z19, Z12
	VFMADD231PS Z21, Z19, Z13
	VFMADD231PS Z22, Z19, Z14
	VFMADD231PS Z23, Z19, Z15
	ADDQ $64, AX
	CMPQ AX, CX
	JLT  kloop

tail:
	KORTESTW K1, K1
	JEQ  reduce
	VMOVUPS.Z (SI)(AX*1), K1, Z16
	VMOVUPS.Z (R9)(AX*1), K1, Z17
	VMOVUPS.Z (R10)(AX*1), K1, Z18
	VMOVUPS.Z (R11)(AX*1), K1, Z19
	VMOVUPS.Z (DX)(AX*1), K1, Z20
	VMOVUPS.Z (R12)(AX*1), K1, Z21
	VMOVUPS.Z (R13)(AX*1), K1, Z22
	VMOVUPS.Z (R15)(AX*1), K1, Z23
	VFMADD231PS Z20, Z16, Z0
	VFMADD231PS Z21, Z16, Z1
	VFMADD231PS Z22, Z16, Z2
	VFMADD231PS Z23, Z16, Z3
	VFMADD231PS Z20, Z17, Z4
	VFMADD231PS Z21, Z17, Z5
	VFMADD231PS Z22, Z17, Z6
	VFMADD231PS Z23, Z17, Z7
	VFMADD231PS Z20, Z18, Z8
	VFMADD231PS Z21, Z18, Z9
	VFMADD231PS Z22, Z18, Z10
	VFMADD231PS Z23, Z18, Z11
	VFMADD231PS Z20, Z19, Z12
	VFMADD231PS Z21, Z19, Z13
	VFMADD231PS Z22, Z19, Z14
	VFMADD231PS Z23, Z19, Z15

reduce:
	RED4_512(Z0, Z1, Z2, Z3, Y0, Y1, Y2, Y3, X0, X1, X2, X3)
	RED4_512(Z4, Z5, Z6, Z7, Y4, Y5, Y6, Y7, X4, X5, X6, X7)
	RED4_512(Z8, Z9, Z10, Z11, Y8, Y9, Y10, Y11, X8, X9, X10, X11)
	RED4_512(Z12, Z13, Z14, Z15, Y12, Y13, Y14, Y15, X12, X13, X14, X15)
	MOVQ mr+64(FP), R14
	CMPQ acc+72(FP), $0
	JEQ  store
	VADDPS (DI), X0, X0
	CMPQ R14, $2
	JLT  store
	VADDPS (DI)(R8*1), X4, X4
	CMPQ R14, $3
	JLT  store
	VADDPS (DI)(R8*2), X8, X8
	CMPQ R14, $4
	JLT  store
	LEAQ (DI)(R8*2), AX
	VADDPS (AX)(R8*1), X12, X12

store:
	VMOVUPS X0, (DI)
	CMPQ R14, $2
	JLT  next
	VMOVUPS X4, (DI)(R8*1)
	CMPQ R14, $3
	JLT  next
	VMOVUPS X8, (DI)(R8*2)
	CMPQ R14, $4
	JLT  next
	LEAQ (DI)(R8*2), AX
	VMOVUPS X12, (AX)(R8*1)

next:
	MOVQ ldw+40(FP), R14
	SHLQ $4, R14                // 4 rows of W
	ADDQ R14, DX
	ADDQ $16, DI
	SUBQ $4, BX
	JMP  cols

done:
	VZEROUPPER
	RET

// func gemmF32Avx2(c *float32, ldc int, a *float32, lda int, w *float32, ldw int, k int, nc int, mr int, acc int)
//
// avx2: 3 rows × 4 columns in Y0..Y11 (row r, column j in Y(4r+j)), rows of
// A in Y12..Y14 and one W vector at a time in Y15: 7 loads for 12 FMAs per
// 8 k. All 16 registers are taken, so the k tail (k mod 8) is done first,
// with masked loads, and its products initialise the accumulators.

DATA tailmask<>+0(SB)/8, $-1
DATA tailmask<>+8(SB)/8, $-1
DATA tailmask<>+16(SB)/8, $-1
DATA tailmask<>+24(SB)/8, $-1
DATA tailmask<>+32(SB)/8, $0
DATA tailmask<>+40(SB)/8, $0
DATA tailmask<>+48(SB)/8, $0
DATA tailmask<>+56(SB)/8, $0
GLOBL tailmask<>(SB), RODATA|NOPTR, $64

TEXT ·gemmF32Avx2(SB), NOSPLIT, $0-80
	MOVQ c+0(FP), DI
	MOVQ ldc+8(FP), R8
	SHLQ $2, R8
	MOVQ a+16(FP), SI
	MOVQ lda+24(FP), BX
	SHLQ $2, BX
	MOVQ mr+64(FP), CX
	MOVQ SI, R9
	LEAQ (SI)(BX*1), AX
	CMPQ CX, $2
	CMOVQGE AX, R9
	MOVQ SI, R10
	LEAQ (SI)(BX*2), AX
	CMPQ CX, $3
	CMOVQGE AX, R10
	MOVQ k+48(FP), CX
	ANDQ $-8, CX
	SHLQ $2, CX                 // bytes of whole 8-float steps
	MOVQ w+32(FP), DX
	MOVQ nc+56(FP), BX

cols2:
	CMPQ BX, $4
	JLT  done2
	MOVQ ldw+40(FP), R14
	SHLQ $2, R14
	LEAQ (DX)(R14*1), R12
	LEAQ (DX)(R14*2), R13
	LEAQ (R12)(R14*2), R15
	MOVQ k+48(FP), AX
	ANDQ $7, AX
	JEQ  zero2
	// Tail first: mask of k mod 8 lanes from tailmask, at offset 32-4·rem.
	SHLQ $2, AX
	NEGQ AX
	LEAQ tailmask<>+32(SB), R14
	VMOVDQU (R14)(AX*1), Y15
	VMASKMOVPS (SI)(CX*1), Y15, Y12
	VMASKMOVPS (R9)(CX*1), Y15, Y13
	VMASKMOVPS (R10)(CX*1), Y15, Y14
	// Column j's W tail goes into Y(8+j), row 2's accumulator, which is
	// computed last.
	VMASKMOVPS (DX)(CX*1), Y15, Y8
	VMASKMOVPS (R12)(CX*1), Y15, Y9
	VMASKMOVPS (R13)(CX*1), Y15, Y10
	VMASKMOVPS (R15)(CX*1), Y15, Y11
	VMULPS Y8, Y12, Y0
	VMULPS Y9, Y12, Y1
	VMULPS Y10, Y12, Y2
	VMULPS Y11, Y12, Y3
	VMULPS Y8, Y13, Y4
	VMULPS Y9, Y13, Y5
	VMULPS Y10, Y13, Y6
	VMULPS Y11, Y13, Y7
	VMULPS Y8, Y14, Y8
	VMULPS Y9, Y14, Y9
	VMULPS Y10, Y14, Y10
	VMULPS Y11, Y14, Y11
	JMP  main2

zero2:
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

main2:
	XORQ AX, AX
	CMPQ CX, $0
	JEQ  reduce2

kloop2:
	VMOVUPS (SI)(AX*1), Y12
	VMOVUPS (R9)(AX*1), Y13
	VMOVUPS (R10)(AX*1), Y14
	VMOVUPS (DX)(AX*1), Y15
	VFMADD231PS Y15, Y12, Y0
	VFMADD231PS Y15, Y13, Y4
	VFMADD231PS Y15, Y14, Y8
	VMOVUPS (R12)(AX*1), Y15
	VFMADD231PS Y15, Y12, Y1
	VFMADD231PS Y15, Y13, Y5
	VFMADD231PS Y15, Y14, Y9
	VMOVUPS (R13)(AX*1), Y15
	VFMADD231PS Y15, Y12, Y2
	VFMADD231PS Y15, Y13, Y6
	VFMADD231PS Y15, Y14, Y10
	VMOVUPS (R15)(AX*1), Y15
	VFMADD231PS Y15, Y12, Y3
	VFMADD231PS Y15, Y13, Y7
	VFMADD231PS Y15, Y14, Y11
	ADDQ $32, AX
	CMPQ AX, CX
	JLT  kloop2

reduce2:
	// Row r: fold the high 128 bits, then three VHADDPS give the 4 sums.
	VEXTRACTF128 $1, Y0, X12
	VEXTRACTF128 $1, Y1, X13
	VEXTRACTF128 $1, Y2, X14
	VEXTRACTF128 $1, Y3, X15
	VADDPS X12, X0, X0
	VADDPS X13, X1, X1
	VADDPS X14, X2, X2
	VADDPS X15, X3, X3
	VHADDPS X1, X0, X0
	VHADDPS X3, X2, X2
	VHADDPS X2, X0, X0
	VEXTRACTF128 $1, Y4, X12
	VEXTRACTF128 $1, Y5, X13
	VEXTRACTF128 $1, Y6, X14
	VEXTRACTF128 $1, Y7, X15
	VADDPS X12, X4, X4
	VADDPS X13, X5, X5
	VADDPS X14, X6, X6
	VADDPS X15, X7, X7
	VHADDPS X5, X4, X4
	VHADDPS X7, X6, X6
	VHADDPS X6, X4, X4
	VEXTRACTF128 $1, Y8, X12
	VEXTRACTF128 $1, Y9, X13
	VEXTRACTF128 $1, Y10, X14
	VEXTRACTF128 $1, Y11, X15
	VADDPS X12, X8, X8
	VADDPS X13, X9, X9
	VADDPS X14, X10, X10
	VADDPS X15, X11, X11
	VHADDPS X9, X8, X8
	VHADDPS X11, X10, X10
	VHADDPS X10, X8, X8
	MOVQ mr+64(FP), R14
	CMPQ acc+72(FP), $0
	JEQ  store2
	VADDPS (DI), X0, X0
	CMPQ R14, $2
	JLT  store2
	VADDPS (DI)(R8*1), X4, X4
	CMPQ R14, $3
	JLT  store2
	VADDPS (DI)(R8*2), X8, X8

store2:
	VMOVUPS X0, (DI)
	CMPQ R14, $2
	JLT  next2
	VMOVUPS X4, (DI)(R8*1)
	CMPQ R14, $3
	JLT  next2
	VMOVUPS X8, (DI)(R8*2)

next2:
	MOVQ ldw+40(FP), R14
	SHLQ $4, R14
	ADDQ R14, DX
	ADDQ $16, DI
	SUBQ $4, BX
	JMP  cols2

done2:
	VZEROUPPER
	RET
