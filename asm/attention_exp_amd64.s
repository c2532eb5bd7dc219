//go:build !purego && !noasm

#include "textflag.h"
#include "attention_amd64.h"

// AVX2+FMA attention: the fused kernel for head size 64 (attnAvx2, the
// ymm twin of attnAvx512 in attention_amd64.s), and the online-softmax row
// step of the blocked tier for other head sizes (attnBlocked in
// attention_asm.go). Same exp as attention_amd64.s, except that 2^n is
// added into the exponent bits (no VSCALEFPS in AVX2), which is why the
// argument is clamped where the result would turn subnormal.

DATA expc<>+0(SB)/4, $0xc2aeac50 // -87.3365: exp below it is subnormal
DATA expc<>+4(SB)/4, $0xc2aeac50
DATA expc<>+8(SB)/4, $0xc2aeac50
DATA expc<>+12(SB)/4, $0xc2aeac50
DATA expc<>+16(SB)/4, $0xc2aeac50
DATA expc<>+20(SB)/4, $0xc2aeac50
DATA expc<>+24(SB)/4, $0xc2aeac50
DATA expc<>+28(SB)/4, $0xc2aeac50
DATA expc<>+32(SB)/4, $0x3fb8aa3b // log2(e)
DATA expc<>+36(SB)/4, $0x3fb8aa3b
DATA expc<>+40(SB)/4, $0x3fb8aa3b
DATA expc<>+44(SB)/4, $0x3fb8aa3b
DATA expc<>+48(SB)/4, $0x3fb8aa3b
DATA expc<>+52(SB)/4, $0x3fb8aa3b
DATA expc<>+56(SB)/4, $0x3fb8aa3b
DATA expc<>+60(SB)/4, $0x3fb8aa3b
DATA expc<>+64(SB)/4, $0x3f317200 // ln2, high part
DATA expc<>+68(SB)/4, $0x3f317200
DATA expc<>+72(SB)/4, $0x3f317200
DATA expc<>+76(SB)/4, $0x3f317200
DATA expc<>+80(SB)/4, $0x3f317200
DATA expc<>+84(SB)/4, $0x3f317200
DATA expc<>+88(SB)/4, $0x3f317200
DATA expc<>+92(SB)/4, $0x3f317200
DATA expc<>+96(SB)/4, $0x35bfbe8e // ln2, low part
DATA expc<>+100(SB)/4, $0x35bfbe8e
DATA expc<>+104(SB)/4, $0x35bfbe8e
DATA expc<>+108(SB)/4, $0x35bfbe8e
DATA expc<>+112(SB)/4, $0x35bfbe8e
DATA expc<>+116(SB)/4, $0x35bfbe8e
DATA expc<>+120(SB)/4, $0x35bfbe8e
DATA expc<>+124(SB)/4, $0x35bfbe8e
DATA expc<>+128(SB)/4, $0x3ab60b61 // 1/720
DATA expc<>+132(SB)/4, $0x3ab60b61
DATA expc<>+136(SB)/4, $0x3ab60b61
DATA expc<>+140(SB)/4, $0x3ab60b61
DATA expc<>+144(SB)/4, $0x3ab60b61
DATA expc<>+148(SB)/4, $0x3ab60b61
DATA expc<>+152(SB)/4, $0x3ab60b61
DATA expc<>+156(SB)/4, $0x3ab60b61
DATA expc<>+160(SB)/4, $0x3c088889 // 1/120
DATA expc<>+164(SB)/4, $0x3c088889
DATA expc<>+168(SB)/4, $0x3c088889
DATA expc<>+172(SB)/4, $0x3c088889
DATA expc<>+176(SB)/4, $0x3c088889
DATA expc<>+180(SB)/4, $0x3c088889
DATA expc<>+184(SB)/4, $0x3c088889
DATA expc<>+188(SB)/4, $0x3c088889
DATA expc<>+192(SB)/4, $0x3d2aaaab // 1/24
DATA expc<>+196(SB)/4, $0x3d2aaaab
DATA expc<>+200(SB)/4, $0x3d2aaaab
DATA expc<>+204(SB)/4, $0x3d2aaaab
DATA expc<>+208(SB)/4, $0x3d2aaaab
DATA expc<>+212(SB)/4, $0x3d2aaaab
DATA expc<>+216(SB)/4, $0x3d2aaaab
DATA expc<>+220(SB)/4, $0x3d2aaaab
DATA expc<>+224(SB)/4, $0x3e2aaaab // 1/6
DATA expc<>+228(SB)/4, $0x3e2aaaab
DATA expc<>+232(SB)/4, $0x3e2aaaab
DATA expc<>+236(SB)/4, $0x3e2aaaab
DATA expc<>+240(SB)/4, $0x3e2aaaab
DATA expc<>+244(SB)/4, $0x3e2aaaab
DATA expc<>+248(SB)/4, $0x3e2aaaab
DATA expc<>+252(SB)/4, $0x3e2aaaab
DATA expc<>+256(SB)/4, $0x3f000000 // 1/2
DATA expc<>+260(SB)/4, $0x3f000000
DATA expc<>+264(SB)/4, $0x3f000000
DATA expc<>+268(SB)/4, $0x3f000000
DATA expc<>+272(SB)/4, $0x3f000000
DATA expc<>+276(SB)/4, $0x3f000000
DATA expc<>+280(SB)/4, $0x3f000000
DATA expc<>+284(SB)/4, $0x3f000000
DATA expc<>+288(SB)/4, $0x3f800000 // 1
DATA expc<>+292(SB)/4, $0x3f800000
DATA expc<>+296(SB)/4, $0x3f800000
DATA expc<>+300(SB)/4, $0x3f800000
DATA expc<>+304(SB)/4, $0x3f800000
DATA expc<>+308(SB)/4, $0x3f800000
DATA expc<>+312(SB)/4, $0x3f800000
DATA expc<>+316(SB)/4, $0x3f800000
DATA expc<>+320(SB)/4, $0xff800000 // -inf
DATA expc<>+324(SB)/4, $0xff800000
DATA expc<>+328(SB)/4, $0xff800000
DATA expc<>+332(SB)/4, $0xff800000
DATA expc<>+336(SB)/4, $0xff800000
DATA expc<>+340(SB)/4, $0xff800000
DATA expc<>+344(SB)/4, $0xff800000
DATA expc<>+348(SB)/4, $0xff800000
GLOBL expc<>(SB), RODATA|NOPTR, $352

#define E_CLAMP expc<>+0(SB)
#define E_LOG2E expc<>+32(SB)
#define E_LN2HI expc<>+64(SB)
#define E_LN2LO expc<>+96(SB)
#define E_P6 expc<>+128(SB)
#define E_P5 expc<>+160(SB)
#define E_P4 expc<>+192(SB)
#define E_P3 expc<>+224(SB)
#define E_P2 expc<>+256(SB)
#define E_ONE expc<>+288(SB)
#define E_NINF expc<>+320(SB)

DATA rowmask<>+0(SB)/8, $-1
DATA rowmask<>+8(SB)/8, $-1
DATA rowmask<>+16(SB)/8, $-1
DATA rowmask<>+24(SB)/8, $-1
DATA rowmask<>+32(SB)/8, $0
DATA rowmask<>+40(SB)/8, $0
DATA rowmask<>+48(SB)/8, $0
DATA rowmask<>+56(SB)/8, $0
GLOBL rowmask<>(SB), RODATA|NOPTR, $64

// Y0 = exp(Y0) for Y0 ≤ 0; Y1, Y2 scratch.
#define EXPCORE \
	VMAXPS       E_CLAMP, Y0, Y0; \
	VMULPS       E_LOG2E, Y0, Y1; \
	VROUNDPS     $0, Y1, Y1; \
	VFNMADD231PS E_LN2HI, Y1, Y0; \
	VFNMADD231PS E_LN2LO, Y1, Y0; \
	VMOVUPS      E_P6, Y2; \
	VFMADD213PS  E_P5, Y0, Y2; \
	VFMADD213PS  E_P4, Y0, Y2; \
	VFMADD213PS  E_P3, Y0, Y2; \
	VFMADD213PS  E_P2, Y0, Y2; \
	VFMADD213PS  E_ONE, Y0, Y2; \
	VFMADD213PS  E_ONE, Y0, Y2; \
	VCVTPS2DQ    Y1, Y1; \
	VPSLLD       $23, Y1, Y1; \
	VPADDD       Y1, Y2, Y0

// Y0 = exp(Y0·scale − mNew) for scale in Y14, mNew in Y15; Y1, Y2 scratch.
#define EXPY \
	VFMSUB213PS Y15, Y14, Y0; \
	EXPCORE

// func expRowAvx2(x *float32, n int, scale float32, mPrev float32) (sum float32, mNew float32)
TEXT ·expRowAvx2(SB), NOSPLIT, $0-32
	MOVQ x+0(FP), SI
	MOVQ n+8(FP), CX
	MOVQ CX, DX
	ANDQ $-8, DX
	XORQ AX, AX

	// Pass 1: the row maximum.
	VMOVUPS E_NINF, Y0
max8:
	CMPQ AX, DX
	JGE  maxred
	VMAXPS (SI)(AX*4), Y0, Y0
	ADDQ $8, AX
	JMP  max8
maxred:
	VEXTRACTF128 $1, Y0, X1
	VMAXPS X1, X0, X0
	VPERMILPS $0x4E, X0, X1
	VMAXPS X1, X0, X0
	VPERMILPS $0xB1, X0, X1
	VMAXPS X1, X0, X0
maxtail:
	CMPQ AX, CX
	JGE  maxdone
	VMAXSS (SI)(AX*4), X0, X0
	INCQ AX
	JMP  maxtail
maxdone:
	VMULSS scale+16(FP), X0, X0
	VMAXSS mPrev+20(FP), X0, X0
	VMOVSS X0, mNew+28(FP)
	VBROADCASTSS X0, Y15
	VBROADCASTSS scale+16(FP), Y14

	// Pass 2: x = exp(x·scale − mNew), summed in Y13.
	VXORPS Y13, Y13, Y13
	XORQ AX, AX
exp8:
	CMPQ AX, DX
	JGE  exptail
	VMOVUPS (SI)(AX*4), Y0
	EXPY
	VMOVUPS Y0, (SI)(AX*4)
	VADDPS Y0, Y13, Y13
	ADDQ $8, AX
	JMP  exp8
exptail:
	CMPQ AX, CX
	JGE  sum
	// The last n mod 8: masked load and store, and masked lanes (which
	// loaded 0 and so hold exp(−mNew)) are cleared before the sum.
	MOVQ CX, BX
	SUBQ AX, BX
	SHLQ $2, BX
	NEGQ BX
	LEAQ rowmask<>+32(SB), R8
	VMOVDQU (R8)(BX*1), Y12
	VMASKMOVPS (SI)(AX*4), Y12, Y0
	EXPY
	VANDPS Y12, Y0, Y0
	VMASKMOVPS Y0, Y12, (SI)(AX*4)
	VADDPS Y0, Y13, Y13
sum:
	VEXTRACTF128 $1, Y13, X1
	VADDPS X1, X13, X13
	VHADDPS X13, X13, X13
	VHADDPS X13, X13, X13
	VMOVSS X13, sum+24(FP)
	VZEROUPPER
	RET

// Y0..Y7 = 0: the 8 accumulators of a score block or a P·V pass.
#define ZERO8Y \
	VXORPS Y0, Y0, Y0; \
	VXORPS Y1, Y1, Y1; \
	VXORPS Y2, Y2, Y2; \
	VXORPS Y3, Y3, Y3; \
	VXORPS Y4, Y4, Y4; \
	VXORPS Y5, Y5, Y5; \
	VXORPS Y6, Y6, Y6; \
	VXORPS Y7, Y7, Y7

// One feature of the 16-key score block: the kt row's keys 0–7 at k0 and
// 8–15 at k1, the four queries' feature at byte fo past AX.
#define QK16Y(fo, k0, k1) \
	VMOVUPS      k0, Y8; \
	VMOVUPS      k1, Y9; \
	VBROADCASTSS fo(R9)(AX*1), Y10; \
	VFMADD231PS  Y8, Y10, Y0; \
	VFMADD231PS  Y9, Y10, Y1; \
	VBROADCASTSS fo(R10)(AX*1), Y11; \
	VFMADD231PS  Y8, Y11, Y2; \
	VFMADD231PS  Y9, Y11, Y3; \
	VBROADCASTSS fo(R11)(AX*1), Y12; \
	VFMADD231PS  Y8, Y12, Y4; \
	VFMADD231PS  Y9, Y12, Y5; \
	VBROADCASTSS fo(R12)(AX*1), Y13; \
	VFMADD231PS  Y8, Y13, Y6; \
	VFMADD231PS  Y9, Y13, Y7

// func attnAvx2(o *float32, ldo int, q *float32, ldq int, kt *float32, tp int, v *float32, ldv int, t int, mr int, work *float32)
//
// The contract and the passes of attnAvx512 with 16 ymm registers: scores
// for 16 keys × 4 queries at a time (8 FMA chains, 4 broadcast queries);
// keys from t to tp set to -inf, then per row the max, exp(S − max) and
// 1/ΣP; P·V in four passes of 16 features, 8 accumulators each.
TEXT ·attnAvx2(SB), NOSPLIT, $0-88
	ATTN_PROLOGUE
	VBROADCASTSS (R15), Y14     // the score scale

	// Phase 1: scores, 16 keys at a time.
	XORQ R8, R8                 // key offset in bytes
qkblock:
	ZERO8Y
	LEAQ (SI)(R8*1), R13
	XORQ AX, AX
qkfeat:
	QK16Y(0, (R13), 32(R13))
	QK16Y(4, (R13)(BX*1), 32(R13)(BX*1))
	LEAQ (R13)(BX*2), R13
	ADDQ $8, AX
	CMPQ AX, $256
	JLT  qkfeat
	LEAQ (DI)(R8*1), R14
	VMULPS  Y14, Y0, Y0
	VMULPS  Y14, Y1, Y1
	VMULPS  Y14, Y2, Y2
	VMULPS  Y14, Y3, Y3
	VMULPS  Y14, Y4, Y4
	VMULPS  Y14, Y5, Y5
	VMULPS  Y14, Y6, Y6
	VMULPS  Y14, Y7, Y7
	VMOVUPS Y0, (R14)
	VMOVUPS Y1, 32(R14)
	VMOVUPS Y2, (R14)(BX*1)
	VMOVUPS Y3, 32(R14)(BX*1)
	VMOVUPS Y4, (R14)(BX*2)
	VMOVUPS Y5, 32(R14)(BX*2)
	VMOVUPS Y6, (R14)(DX*1)
	VMOVUPS Y7, 32(R14)(DX*1)
	ADDQ $64, R8
	CMPQ R8, BX
	JLT  qkblock

	// Keys t..tp−1 (zero padding of kt) score -inf.
	MOVQ t+64(FP), CX
	MOVQ BX, R11
	SHRQ $2, R11                // tp
	MOVQ DI, R13
	MOVL $4, R9
padrow:
	MOVQ CX, R10
padkey:
	CMPQ R10, R11
	JGE  padnext
	MOVL $0xff800000, (R13)(R10*4)
	INCQ R10
	JMP  padkey
padnext:
	ADDQ BX, R13
	DECL R9
	JNZ  padrow

	// Phase 2: per row, P = exp(S − max S) over the 8-key blocks that
	// hold keys below t (R8 bytes; the -inf tail gives exp(−87), nothing
	// beside the row max's 1), and 1/ΣP into work[4+r].
	LEAQ 7(CX), R8
	SHRQ $3, R8
	SHLQ $5, R8
	MOVQ DI, R13
	XORQ R9, R9
exprow:
	VMOVUPS E_NINF, Y0
	XORQ DX, DX
maxblk:
	VMAXPS (R13)(DX*1), Y0, Y0
	ADDQ   $32, DX
	CMPQ   DX, R8
	JLT    maxblk
	VEXTRACTF128 $1, Y0, X1
	VMAXPS       X1, X0, X0
	VPERMILPS    $0x4E, X0, X1
	VMAXPS       X1, X0, X0
	VPERMILPS    $0xB1, X0, X1
	VMAXPS       X1, X0, X0
	VBROADCASTSS X0, Y15
	VXORPS Y3, Y3, Y3
	XORQ DX, DX
expblk:
	VMOVUPS (R13)(DX*1), Y0
	VSUBPS  Y15, Y0, Y0
	EXPCORE
	VADDPS  Y0, Y3, Y3
	VMOVUPS Y0, (R13)(DX*1)
	ADDQ    $32, DX
	CMPQ    DX, R8
	JLT     expblk
	VEXTRACTF128 $1, Y3, X1
	VADDPS       X1, X3, X3
	VHADDPS      X3, X3, X3
	VHADDPS      X3, X3, X3
	VMOVSS       E_ONE, X4
	VDIVSS       X3, X4, X4
	VMOVSS       X4, 16(R15)(R9*4)
	ADDQ BX, R13
	INCQ R9
	CMPQ R9, $4
	JLT  exprow

	// Phase 3: o = (P·V)/ΣP, 16 features of the 4 rows per pass.
	MOVQ DI, R9
	LEAQ (DI)(BX*1), R10
	LEAQ (DI)(BX*2), R11
	LEAQ (R10)(BX*2), R12
	MOVQ ldv+56(FP), R8
	SHLQ $2, R8
	SHLQ $2, CX                 // t keys in bytes of a P row
	MOVQ o+0(FP), DI
	MOVQ ldo+8(FP), DX
	SHLQ $2, DX
	MOVQ mr+72(FP), SI
	XORQ R14, R14               // feature offset in bytes
pvpass:
	MOVQ v+48(FP), R13
	ZERO8Y
	XORQ AX, AX
pvkey:
	VMOVUPS      (R13)(R14*1), Y8
	VMOVUPS      32(R13)(R14*1), Y9
	VBROADCASTSS (R9)(AX*1), Y10
	VFMADD231PS  Y8, Y10, Y0
	VFMADD231PS  Y9, Y10, Y1
	VBROADCASTSS (R10)(AX*1), Y11
	VFMADD231PS  Y8, Y11, Y2
	VFMADD231PS  Y9, Y11, Y3
	VBROADCASTSS (R11)(AX*1), Y12
	VFMADD231PS  Y8, Y12, Y4
	VFMADD231PS  Y9, Y12, Y5
	VBROADCASTSS (R12)(AX*1), Y13
	VFMADD231PS  Y8, Y13, Y6
	VFMADD231PS  Y9, Y13, Y7
	ADDQ R8, R13
	ADDQ $4, AX
	CMPQ AX, CX
	JLT  pvkey
	LEAQ (DI)(R14*1), BX        // row 0 of o at this pass's features
	VBROADCASTSS 16(R15), Y10
	VMULPS  Y10, Y0, Y0
	VMULPS  Y10, Y1, Y1
	VMOVUPS Y0, (BX)
	VMOVUPS Y1, 32(BX)
	CMPQ SI, $2
	JLT  pvnext
	ADDQ DX, BX
	VBROADCASTSS 20(R15), Y10
	VMULPS  Y10, Y2, Y2
	VMULPS  Y10, Y3, Y3
	VMOVUPS Y2, (BX)
	VMOVUPS Y3, 32(BX)
	CMPQ SI, $3
	JLT  pvnext
	ADDQ DX, BX
	VBROADCASTSS 24(R15), Y10
	VMULPS  Y10, Y4, Y4
	VMULPS  Y10, Y5, Y5
	VMOVUPS Y4, (BX)
	VMOVUPS Y5, 32(BX)
	CMPQ SI, $4
	JLT  pvnext
	ADDQ DX, BX
	VBROADCASTSS 28(R15), Y10
	VMULPS  Y10, Y6, Y6
	VMULPS  Y10, Y7, Y7
	VMOVUPS Y6, (BX)
	VMOVUPS Y7, 32(BX)
pvnext:
	ADDQ $64, R14
	CMPQ R14, $256
	JLT  pvpass
	VZEROUPPER
	RET
