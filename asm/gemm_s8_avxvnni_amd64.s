//go:build !purego && !noasm

#include "textflag.h"

// gemmS8AvxVnni: 256-bit VPDPBUSD in its VEX form (AVX-VNNI: Alder Lake and
// later client Intel, Zen 5). The Go assembler only knows the EVEX form,
// which needs AVX512VNNI+VL and faults on those CPUs, so each instruction
// is laid down as bytes: C4, RXB/map 0F38, W/vvvv/L=1/pp=66, 50, ModRM.

#define DPB0 BYTE $0xC4; BYTE $0xC2; BYTE $0x0D; BYTE $0x50; BYTE $0xC4 // {vex} vpdpbusd ymm0,ymm14,ymm12
#define DPB1 BYTE $0xC4; BYTE $0xC2; BYTE $0x0D; BYTE $0x50; BYTE $0xCD // {vex} vpdpbusd ymm1,ymm14,ymm13
#define DPB2 BYTE $0xC4; BYTE $0xC2; BYTE $0x05; BYTE $0x50; BYTE $0xD4 // {vex} vpdpbusd ymm2,ymm15,ymm12
#define DPB3 BYTE $0xC4; BYTE $0xC2; BYTE $0x05; BYTE $0x50; BYTE $0xDD // {vex} vpdpbusd ymm3,ymm15,ymm13
#define DPB4 BYTE $0xC4; BYTE $0xC2; BYTE $0x0D; BYTE $0x50; BYTE $0xE4 // {vex} vpdpbusd ymm4,ymm14,ymm12
#define DPB5 BYTE $0xC4; BYTE $0xC2; BYTE $0x0D; BYTE $0x50; BYTE $0xED // {vex} vpdpbusd ymm5,ymm14,ymm13
#define DPB6 BYTE $0xC4; BYTE $0xC2; BYTE $0x05; BYTE $0x50; BYTE $0xF4 // {vex} vpdpbusd ymm6,ymm15,ymm12
#define DPB7 BYTE $0xC4; BYTE $0xC2; BYTE $0x05; BYTE $0x50; BYTE $0xFD // {vex} vpdpbusd ymm7,ymm15,ymm13
#define DPB8 BYTE $0xC4; BYTE $0x42; BYTE $0x0D; BYTE $0x50; BYTE $0xC4 // {vex} vpdpbusd ymm8,ymm14,ymm12
#define DPB9 BYTE $0xC4; BYTE $0x42; BYTE $0x0D; BYTE $0x50; BYTE $0xCD // {vex} vpdpbusd ymm9,ymm14,ymm13
#define DPB10 BYTE $0xC4; BYTE $0x42; BYTE $0x05; BYTE $0x50; BYTE $0xD4 // {vex} vpdpbusd ymm10,ymm15,ymm12
#define DPB11 BYTE $0xC4; BYTE $0x42; BYTE $0x05; BYTE $0x50; BYTE $0xDD // {vex} vpdpbusd ymm11,ymm15,ymm13

// func gemmS8AvxVnni(c *int32, ldc int, a *byte, lda int, w *int8, kp int, nt int, rowsum *int32, mr int)
#define VNNI256_FUNC ·gemmS8AvxVnni
#include "gemm_s8_vnni256.h"

// func probeVnniYVex(n int): throughput probe, 12 independent chains.
TEXT ·probeVnniYVex(SB), NOSPLIT, $0-8
	MOVQ n+0(FP), CX
	VPXOR Y12, Y12, Y12
	VPXOR Y13, Y13, Y13
	PCALIGN $64
loop:
	BYTE $0xC4; BYTE $0xC2; BYTE $0x15; BYTE $0x50; BYTE $0xC4 // {vex} vpdpbusd ymm0,ymm13,ymm12
	BYTE $0xC4; BYTE $0xC2; BYTE $0x15; BYTE $0x50; BYTE $0xCC // {vex} vpdpbusd ymm1,ymm13,ymm12
	BYTE $0xC4; BYTE $0xC2; BYTE $0x15; BYTE $0x50; BYTE $0xD4 // {vex} vpdpbusd ymm2,ymm13,ymm12
	BYTE $0xC4; BYTE $0xC2; BYTE $0x15; BYTE $0x50; BYTE $0xDC // {vex} vpdpbusd ymm3,ymm13,ymm12
	BYTE $0xC4; BYTE $0xC2; BYTE $0x15; BYTE $0x50; BYTE $0xE4 // {vex} vpdpbusd ymm4,ymm13,ymm12
	BYTE $0xC4; BYTE $0xC2; BYTE $0x15; BYTE $0x50; BYTE $0xEC // {vex} vpdpbusd ymm5,ymm13,ymm12
	BYTE $0xC4; BYTE $0xC2; BYTE $0x15; BYTE $0x50; BYTE $0xF4 // {vex} vpdpbusd ymm6,ymm13,ymm12
	BYTE $0xC4; BYTE $0xC2; BYTE $0x15; BYTE $0x50; BYTE $0xFC // {vex} vpdpbusd ymm7,ymm13,ymm12
	BYTE $0xC4; BYTE $0x42; BYTE $0x15; BYTE $0x50; BYTE $0xC4 // {vex} vpdpbusd ymm8,ymm13,ymm12
	BYTE $0xC4; BYTE $0x42; BYTE $0x15; BYTE $0x50; BYTE $0xCC // {vex} vpdpbusd ymm9,ymm13,ymm12
	BYTE $0xC4; BYTE $0x42; BYTE $0x15; BYTE $0x50; BYTE $0xD4 // {vex} vpdpbusd ymm10,ymm13,ymm12
	BYTE $0xC4; BYTE $0x42; BYTE $0x15; BYTE $0x50; BYTE $0xDC // {vex} vpdpbusd ymm11,ymm13,ymm12
	DECQ CX
	JNZ  loop
	VZEROUPPER
	RET
