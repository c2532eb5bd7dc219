//go:build !purego && !noasm

#include "textflag.h"

// Online-softmax row step for the blocked attention tier (attnBlocked in
// attention_asm.go), NEON. exp as in attention_exp_amd64.s: n =
// round(x·log2e), r = x − n·ln2 in two parts, degree-6 polynomial, 2^n
// added into the exponent bits. Vector FMUL/FSUB/FMAX/FADD/FMAXV, FRINTN
// and FCVTZS are WORDs (the Go assembler lacks them); FMLA/FMLS are native.

DATA expc<>+0(SB)/4, $0xc2aeac50   // -87.3365: exp below it is subnormal
DATA expc<>+4(SB)/4, $0xc2aeac50
DATA expc<>+8(SB)/4, $0xc2aeac50
DATA expc<>+12(SB)/4, $0xc2aeac50
DATA expc<>+16(SB)/4, $0x3fb8aa3b  // log2(e)
DATA expc<>+20(SB)/4, $0x3fb8aa3b
DATA expc<>+24(SB)/4, $0x3fb8aa3b
DATA expc<>+28(SB)/4, $0x3fb8aa3b
DATA expc<>+32(SB)/4, $0x3f317200  // ln2, high part
DATA expc<>+36(SB)/4, $0x3f317200
DATA expc<>+40(SB)/4, $0x3f317200
DATA expc<>+44(SB)/4, $0x3f317200
DATA expc<>+48(SB)/4, $0x35bfbe8e  // ln2, low part
DATA expc<>+52(SB)/4, $0x35bfbe8e
DATA expc<>+56(SB)/4, $0x35bfbe8e
DATA expc<>+60(SB)/4, $0x35bfbe8e
DATA expc<>+64(SB)/4, $0x3ab60b61  // 1/720
DATA expc<>+68(SB)/4, $0x3ab60b61
DATA expc<>+72(SB)/4, $0x3ab60b61
DATA expc<>+76(SB)/4, $0x3ab60b61
DATA expc<>+80(SB)/4, $0x3c088889  // 1/120
DATA expc<>+84(SB)/4, $0x3c088889
DATA expc<>+88(SB)/4, $0x3c088889
DATA expc<>+92(SB)/4, $0x3c088889
DATA expc<>+96(SB)/4, $0x3d2aaaab  // 1/24
DATA expc<>+100(SB)/4, $0x3d2aaaab
DATA expc<>+104(SB)/4, $0x3d2aaaab
DATA expc<>+108(SB)/4, $0x3d2aaaab
DATA expc<>+112(SB)/4, $0x3e2aaaab // 1/6
DATA expc<>+116(SB)/4, $0x3e2aaaab
DATA expc<>+120(SB)/4, $0x3e2aaaab
DATA expc<>+124(SB)/4, $0x3e2aaaab
DATA expc<>+128(SB)/4, $0x3f000000 // 1/2
DATA expc<>+132(SB)/4, $0x3f000000
DATA expc<>+136(SB)/4, $0x3f000000
DATA expc<>+140(SB)/4, $0x3f000000
DATA expc<>+144(SB)/4, $0x3f800000 // 1
DATA expc<>+148(SB)/4, $0x3f800000
DATA expc<>+152(SB)/4, $0x3f800000
DATA expc<>+156(SB)/4, $0x3f800000
GLOBL expc<>(SB), RODATA|NOPTR, $160

// Inside this macro the GNU syntax is in /* */ comments: a // comment
// would swallow the line continuation.
// V3 = exp(V0·scale − mNew), scale in V30, mNew in V31, constants in
// V16..V25 (clamp, log2e, ln2hi, ln2lo, 1/720, 1/120, 1/24, 1/6, 1/2, 1);
// V0..V2 scratch.
#define EXPV \
	WORD $0x6e3edc00; /* fmul v0.4s, v0.4s, v30.4s */ \
	WORD $0x4ebfd400; /* fsub v0.4s, v0.4s, v31.4s */ \
	WORD $0x4e30f400; /* fmax v0.4s, v0.4s, v16.4s */ \
	WORD $0x6e31dc01; /* fmul v1.4s, v0.4s, v17.4s */ \
	WORD $0x4e218821; /* frintn v1.4s, v1.4s */ \
	VFMLS V18.S4, V1.S4, V0.S4; \
	VFMLS V19.S4, V1.S4, V0.S4; \
	VMOV  V20.B16, V3.B16; \
	VMOV  V21.B16, V2.B16; \
	VFMLA V3.S4, V0.S4, V2.S4; \
	VMOV  V22.B16, V3.B16; \
	VFMLA V2.S4, V0.S4, V3.S4; \
	VMOV  V23.B16, V2.B16; \
	VFMLA V3.S4, V0.S4, V2.S4; \
	VMOV  V24.B16, V3.B16; \
	VFMLA V2.S4, V0.S4, V3.S4; \
	VMOV  V25.B16, V2.B16; \
	VFMLA V3.S4, V0.S4, V2.S4; \
	VMOV  V25.B16, V3.B16; \
	VFMLA V2.S4, V0.S4, V3.S4; \
	WORD $0x4ea1b821; /* fcvtzs v1.4s, v1.4s */ \
	VSHL  $23, V1.S4, V1.S4; \
	VADD  V1.S4, V3.S4, V3.S4

// func expRowNeon(x *float32, n int, scale float32, mPrev float32) (sum float32, mNew float32)
TEXT ·expRowNeon(SB), NOSPLIT, $0-32
	MOVD x+0(FP), R0
	MOVD n+8(FP), R1
	AND  $~3, R1, R3
	SUB  R3, R1, R7

	// Pass 1: the row maximum.
	MOVW $0xff800000, R2
	VDUP R2, V0.S4
	MOVD R0, R4
	MOVD R3, R5
max4:
	CBZ  R5, maxred
	VLD1.P 16(R4), [V1.S4]
	WORD $0x4e21f400 // fmax v0.4s, v0.4s, v1.4s
	SUB  $4, R5, R5
	B    max4
maxred:
	WORD $0x6e30f800 // fmaxv s0, v0.4s
	MOVD R7, R5
maxtail:
	CBZ  R5, maxdone
	FMOVS.P 4(R4), F1
	FMAXS F1, F0, F0
	SUB  $1, R5, R5
	B    maxtail
maxdone:
	FMOVS scale+16(FP), F2
	FMULS F2, F0, F0
	FMOVS mPrev+20(FP), F3
	FMAXS F3, F0, F0
	FMOVS F0, mNew+28(FP)
	VDUP V0.S[0], V31.S4
	VDUP V2.S[0], V30.S4

	MOVD $expc<>(SB), R6
	VLD1.P 64(R6), [V16.S4, V17.S4, V18.S4, V19.S4]
	VLD1.P 64(R6), [V20.S4, V21.S4, V22.S4, V23.S4]
	VLD1 (R6), [V24.S4, V25.S4]

	// Pass 2: x = exp(x·scale − mNew); vector sum in V29, tail sum in F28.
	VEOR V29.B16, V29.B16, V29.B16
	VEOR V28.B16, V28.B16, V28.B16
	MOVD R0, R4
	MOVD R3, R5
exp4:
	CBZ  R5, exptail
	VLD1 (R4), [V0.S4]
	EXPV
	VST1.P [V3.S4], 16(R4)
	WORD $0x4e23d7bd // fadd v29.4s, v29.4s, v3.4s
	SUB  $4, R5, R5
	B    exp4
exptail:
	// One at a time: the scalar load clears the other lanes, only lane 0
	// is stored and summed.
	CBZ  R7, sum
	FMOVS (R4), F0
	EXPV
	FMOVS F3, (R4)
	FADDS F3, F28, F28
	ADD  $4, R4, R4
	SUB  $1, R7, R7
	B    exptail
sum:
	WORD $0x6e3dd7bd // faddp v29.4s, v29.4s, v29.4s
	WORD $0x6e3dd7bd // faddp v29.4s, v29.4s, v29.4s
	FADDS F28, F29, F29
	FMOVS F29, sum+24(FP)
	RET
