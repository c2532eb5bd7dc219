//go:build !purego && !noasm

#include "textflag.h"
#include "attention_amd64.h"

// Attention for one head, head_dim 64, AVX-512 (contract: attnKernel in
// attention_asm.go). One call handles 4 queries against all T keys in three
// passes over a score block of 4 rows in work:
//
//	S   = q·Kᵀ·scale        32 keys × 4 queries at a time (8 independent
//	                        FMA chains), keys past T set to -inf, with the
//	                        row max kept per lane
//	P   = exp(S − max S)    per row; Σ P and its reciprocal
//	o   = (P·V) / Σ P       16 accumulators over all T keys
//
// Two passes over S instead of one online softmax: the online form rescales
// the accumulators and takes a horizontal max per block of keys, work that
// measured 14–20% slower here (6.9 against 8.2 MACs/cycle at T = 82). Keys
// come transposed (kt: 64 rows of tp floats, zero padded; transposeK64Avx512)
// so 16 keys' scores are one zmm built by broadcasting q[i].

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

// work: work[0] the score scale, work[4..7] the reciprocal sums, work[8..11]
// the row maxima, and from work[16] the 4 score rows, tp floats apart.

// kreg = the lanes of the 16-key block at byte offset sb (key sb/4) that
// are below t (CX): min(max(t − sb/4, 0), 16) ones. r1, r2 scratch.
#define VALIDMASK(sb, kreg, r1, r2) \
	MOVQ    sb, r1; \
	SHRQ    $2, r1; \
	MOVQ    CX, r2; \
	SUBQ    r1, r2; \
	XORL    r1, r1; \
	CMPQ    r2, $0; \
	CMOVQLT r1, r2; \
	MOVL    $16, r1; \
	CMPQ    r2, r1; \
	CMOVQGT r1, r2; \
	MOVL    $1, r1; \
	SHLXL   r2, r1, r1; \
	DECL    r1; \
	KMOVW   r1, kreg

// One feature pair of the 32-key score block: kt rows at R13, R13+BX.
#define QK32(fo) \
	VMOVUPS          (R13), Z8; \
	VMOVUPS          64(R13), Z9; \
	VMOVUPS          (R13)(BX*1), Z10; \
	VMOVUPS          64(R13)(BX*1), Z11; \
	VFMADD231PS.BCST fo(R9)(AX*1), Z8, Z0; \
	VFMADD231PS.BCST fo(R9)(AX*1), Z9, Z1; \
	VFMADD231PS.BCST fo(R10)(AX*1), Z8, Z2; \
	VFMADD231PS.BCST fo(R10)(AX*1), Z9, Z3; \
	VFMADD231PS.BCST fo(R11)(AX*1), Z8, Z4; \
	VFMADD231PS.BCST fo(R11)(AX*1), Z9, Z5; \
	VFMADD231PS.BCST fo(R12)(AX*1), Z8, Z6; \
	VFMADD231PS.BCST fo(R12)(AX*1), Z9, Z7; \
	VFMADD231PS.BCST fo+4(R9)(AX*1), Z10, Z0; \
	VFMADD231PS.BCST fo+4(R9)(AX*1), Z11, Z1; \
	VFMADD231PS.BCST fo+4(R10)(AX*1), Z10, Z2; \
	VFMADD231PS.BCST fo+4(R10)(AX*1), Z11, Z3; \
	VFMADD231PS.BCST fo+4(R11)(AX*1), Z10, Z4; \
	VFMADD231PS.BCST fo+4(R11)(AX*1), Z11, Z5; \
	VFMADD231PS.BCST fo+4(R12)(AX*1), Z10, Z6; \
	VFMADD231PS.BCST fo+4(R12)(AX*1), Z11, Z7

// Scale a score vector, set its lanes outside kvalid to -inf, fold it into
// the row max and store it.
#define SCORE(S, M, kinv, dst) \
	VMULPS.BCST  (R15), S, S; \
	VBROADCASTSS C_NINF, kinv, S; \
	VMAXPS       S, M, M; \
	VMOVUPS      S, dst

// func attnAvx512(o *float32, ldo int, q *float32, ldq int, kt *float32, tp int, v *float32, ldv int, t int, mr int, work *float32)
TEXT ·attnAvx512(SB), NOSPLIT, $0-88
	ATTN_PROLOGUE
	MOVQ t+64(FP), CX
	VBROADCASTSS C_NINF, Z16
	VBROADCASTSS C_NINF, Z17
	VBROADCASTSS C_NINF, Z18
	VBROADCASTSS C_NINF, Z19

	// Phase 1: scores, 32 keys (8 accumulator chains) at a time.
	XORQ R8, R8                 // key offset in bytes
qkblock:
	LEAQ 128(R8), AX
	CMPQ AX, BX
	JGT  qktail
	VPXORD Z0, Z0, Z0
	VPXORD Z1, Z1, Z1
	VPXORD Z2, Z2, Z2
	VPXORD Z3, Z3, Z3
	VPXORD Z4, Z4, Z4
	VPXORD Z5, Z5, Z5
	VPXORD Z6, Z6, Z6
	VPXORD Z7, Z7, Z7
	LEAQ (SI)(R8*1), R13
	XORQ AX, AX
qk32:
	QK32(0)
	LEAQ (R13)(BX*2), R13
	QK32(8)
	LEAQ (R13)(BX*2), R13
	ADDQ $16, AX
	CMPQ AX, $256
	JLT  qk32
	VALIDMASK(R8, K2, R13, AX)
	LEAQ 64(R8), R14
	VALIDMASK(R14, K3, R13, AX)
	KNOTW K2, K2
	KNOTW K3, K3
	LEAQ (DI)(R8*1), R14
	SCORE(Z0, Z16, K2, (R14))
	SCORE(Z1, Z16, K3, 64(R14))
	SCORE(Z2, Z17, K2, (R14)(BX*1))
	SCORE(Z3, Z17, K3, 64(R14)(BX*1))
	SCORE(Z4, Z18, K2, (R14)(BX*2))
	SCORE(Z5, Z18, K3, 64(R14)(BX*2))
	SCORE(Z6, Z19, K2, (R14)(DX*1))
	SCORE(Z7, Z19, K3, 64(R14)(DX*1))
	ADDQ $128, R8
	JMP  qkblock

qktail:
	// At most one block of 16 keys is left (tp is a multiple of 16).
	CMPQ R8, BX
	JGE  phase2
	VPXORD Z0, Z0, Z0
	VPXORD Z2, Z2, Z2
	VPXORD Z4, Z4, Z4
	VPXORD Z6, Z6, Z6
	LEAQ (SI)(R8*1), R13
	XORQ AX, AX
qk16:
	VMOVUPS          (R13), Z8
	VMOVUPS          (R13)(BX*1), Z10
	VFMADD231PS.BCST (R9)(AX*1), Z8, Z0
	VFMADD231PS.BCST (R10)(AX*1), Z8, Z2
	VFMADD231PS.BCST (R11)(AX*1), Z8, Z4
	VFMADD231PS.BCST (R12)(AX*1), Z8, Z6
	VFMADD231PS.BCST 4(R9)(AX*1), Z10, Z0
	VFMADD231PS.BCST 4(R10)(AX*1), Z10, Z2
	VFMADD231PS.BCST 4(R11)(AX*1), Z10, Z4
	VFMADD231PS.BCST 4(R12)(AX*1), Z10, Z6
	LEAQ (R13)(BX*2), R13
	ADDQ $8, AX
	CMPQ AX, $256
	JLT  qk16
	VALIDMASK(R8, K2, R13, AX)
	KNOTW K2, K2
	LEAQ (DI)(R8*1), R14
	SCORE(Z0, Z16, K2, (R14))
	SCORE(Z2, Z17, K2, (R14)(BX*1))
	SCORE(Z4, Z18, K2, (R14)(BX*2))
	SCORE(Z6, Z19, K2, (R14)(DX*1))

phase2:
	// Phase 2: P = exp(S − max) over the blocks that hold keys below t
	// (R8 bytes of each row), and 1/ΣP per row.
	HMAX(Z16, Z24, Z25)
	VMOVSS X24, 32(R15)
	HMAX(Z17, Z24, Z25)
	VMOVSS X24, 36(R15)
	HMAX(Z18, Z24, Z25)
	VMOVSS X24, 40(R15)
	HMAX(Z19, Z24, Z25)
	VMOVSS X24, 44(R15)
	LEAQ 15(CX), R8
	SHRQ $4, R8
	SHLQ $6, R8                 // bytes of each row to exponentiate
	MOVQ DI, R13                // the row
	XORQ R9, R9                 // its index
exprow:
	VBROADCASTSS 32(R15)(R9*4), Z24
	VPXORD Z20, Z20, Z20
	XORQ DX, DX
expblock:
	VALIDMASK(DX, K2, R14, AX)
	VMOVUPS (R13)(DX*1), Z28
	VSUBPS  Z24, Z28, Z28
	EXP(Z28, Z30, Z31)
	VSCALEFPS.Z Z30, Z31, K2, Z28
	VADDPS  Z28, Z20, Z20
	VMOVUPS Z28, (R13)(DX*1)
	ADDQ    $64, DX
	CMPQ    DX, R8
	JLT     expblock
	HSUM(Z20, Z28, Z29)
	VBROADCASTSS C_ONE, Z29
	VDIVPS  Z28, Z29, Z28
	VMOVSS  X28, 16(R15)(R9*4)
	ADDQ    BX, R13
	INCQ    R9
	CMPQ    R9, $4
	JLT     exprow

	// Phase 3: acc = P·V over the t keys; the P rows take R9..R12.
	MOVQ DI, R9
	LEAQ (DI)(BX*1), R10
	LEAQ (DI)(BX*2), R11
	LEAQ (R10)(BX*2), R12
	MOVQ v+48(FP), R13
	MOVQ ldv+56(FP), R8
	SHLQ $2, R8
	SHLQ $2, CX
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
pv2:
	VMOVUPS (R13), Z28
	VMOVUPS 64(R13), Z29
	VMOVUPS 128(R13), Z30
	VMOVUPS 192(R13), Z31
	VFMADD231PS.BCST (R9)(AX*1), Z28, Z0
	VFMADD231PS.BCST (R9)(AX*1), Z29, Z1
	VFMADD231PS.BCST (R9)(AX*1), Z30, Z2
	VFMADD231PS.BCST (R9)(AX*1), Z31, Z3
	VFMADD231PS.BCST (R10)(AX*1), Z28, Z4
	VFMADD231PS.BCST (R10)(AX*1), Z29, Z5
	VFMADD231PS.BCST (R10)(AX*1), Z30, Z6
	VFMADD231PS.BCST (R10)(AX*1), Z31, Z7
	VFMADD231PS.BCST (R11)(AX*1), Z28, Z8
	VFMADD231PS.BCST (R11)(AX*1), Z29, Z9
	VFMADD231PS.BCST (R11)(AX*1), Z30, Z10
	VFMADD231PS.BCST (R11)(AX*1), Z31, Z11
	VFMADD231PS.BCST (R12)(AX*1), Z28, Z12
	VFMADD231PS.BCST (R12)(AX*1), Z29, Z13
	VFMADD231PS.BCST (R12)(AX*1), Z30, Z14
	VFMADD231PS.BCST (R12)(AX*1), Z31, Z15
	ADDQ R8, R13
	ADDQ $4, AX
	CMPQ AX, CX
	JLT  pv2

	// o = acc · (1/ΣP), for the first mr queries.
	MOVQ o+0(FP), DI
	MOVQ ldo+8(FP), R8
	SHLQ $2, R8
	MOVQ mr+72(FP), CX
	VMULPS.BCST 16(R15), Z0, Z0
	VMULPS.BCST 16(R15), Z1, Z1
	VMULPS.BCST 16(R15), Z2, Z2
	VMULPS.BCST 16(R15), Z3, Z3
	VMOVUPS Z0, (DI)
	VMOVUPS Z1, 64(DI)
	VMOVUPS Z2, 128(DI)
	VMOVUPS Z3, 192(DI)
	CMPQ CX, $2
	JLT  done
	ADDQ R8, DI
	VMULPS.BCST 20(R15), Z4, Z4
	VMULPS.BCST 20(R15), Z5, Z5
	VMULPS.BCST 20(R15), Z6, Z6
	VMULPS.BCST 20(R15), Z7, Z7
	VMOVUPS Z4, (DI)
	VMOVUPS Z5, 64(DI)
	VMOVUPS Z6, 128(DI)
	VMOVUPS Z7, 192(DI)
	CMPQ CX, $3
	JLT  done
	ADDQ R8, DI
	VMULPS.BCST 24(R15), Z8, Z8
	VMULPS.BCST 24(R15), Z9, Z9
	VMULPS.BCST 24(R15), Z10, Z10
	VMULPS.BCST 24(R15), Z11, Z11
	VMOVUPS Z8, (DI)
	VMOVUPS Z9, 64(DI)
	VMOVUPS Z10, 128(DI)
	VMOVUPS Z11, 192(DI)
	CMPQ CX, $4
	JLT  done
	ADDQ R8, DI
	VMULPS.BCST 28(R15), Z12, Z12
	VMULPS.BCST 28(R15), Z13, Z13
	VMULPS.BCST 28(R15), Z14, Z14
	VMULPS.BCST 28(R15), Z15, Z15
	VMOVUPS Z12, (DI)
	VMOVUPS Z13, 64(DI)
	VMOVUPS Z14, 128(DI)
	VMOVUPS Z15, 192(DI)

done:
	VZEROUPPER
	RET

DATA attnidx<>+0(SB)/4, $0
DATA attnidx<>+4(SB)/4, $1
DATA attnidx<>+8(SB)/4, $2
DATA attnidx<>+12(SB)/4, $3
DATA attnidx<>+16(SB)/4, $4
DATA attnidx<>+20(SB)/4, $5
DATA attnidx<>+24(SB)/4, $6
DATA attnidx<>+28(SB)/4, $7
DATA attnidx<>+32(SB)/4, $8
DATA attnidx<>+36(SB)/4, $9
DATA attnidx<>+40(SB)/4, $10
DATA attnidx<>+44(SB)/4, $11
DATA attnidx<>+48(SB)/4, $12
DATA attnidx<>+52(SB)/4, $13
DATA attnidx<>+56(SB)/4, $14
DATA attnidx<>+60(SB)/4, $15
GLOBL attnidx<>(SB), RODATA|NOPTR, $64

// func transposeK64Avx512(kt *float32, tp int, k *float32, ldk int, t int)
// kt[i·tp + s] = k[s·ldk + i] for the 64 features i and keys s < t, and 0
// for t ≤ s < tp (a multiple of 16). One gather reads feature i of 16 keys.
TEXT ·transposeK64Avx512(SB), NOSPLIT, $0-40
	MOVQ kt+0(FP), DI
	MOVQ tp+8(FP), BX
	SHLQ $2, BX
	MOVQ k+16(FP), SI
	MOVQ ldk+24(FP), DX
	SHLQ $2, DX
	MOVQ t+32(FP), CX
	VPBROADCASTD DX, Z1
	VPMULLD attnidx<>(SB), Z1, Z1   // lane j: j·ldk floats, in bytes
	MOVQ DX, R9
	SHLQ $4, R9                     // 16 keys of k
	XORQ R8, R8                     // key offset in kt, bytes
tblock:
	VALIDMASK(R8, K3, R10, AX)
	MOVQ SI, R11                    // feature 0 of this block's keys
	MOVQ DI, R12
	ADDQ R8, R12                    // kt row 0 at this block
	MOVL $64, R13
tfeat:
	KMOVW K3, K1
	VPXORD Z0, Z0, Z0
	VGATHERDPS (R11)(Z1*1), K1, Z0
	VMOVUPS Z0, (R12)
	ADDQ $4, R11
	ADDQ BX, R12
	DECL R13
	JNZ  tfeat
	ADDQ R9, SI
	ADDQ $64, R8
	CMPQ R8, BX
	JLT  tblock
	VZEROUPPER
	RET
