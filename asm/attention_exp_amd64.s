//go:build !purego && !noasm

#include "textflag.h"

// Online-softmax row step for the blocked attention tier (attnBlocked in
// attention_asm.go), AVX2+FMA. Same exp as attention_amd64.s, except that
// 2^n is added into the exponent bits (no VSCALEFPS in AVX2), which is why
// the argument is clamped where the result would turn subnormal.

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

// Y0 = exp(Y0·scale − mNew) for scale in Y14, mNew in Y15; Y1, Y2 scratch.
#define EXPY \
	VFMSUB213PS  Y15, Y14, Y0; \
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
