//go:build !purego && !noasm

#include "textflag.h"

// Throughput probes: independent accumulator chains of a tier's inner
// instruction mix, registers only, enough chains to cover the latency, so
// n iterations take n·(ops per iteration) / throughput cycles. They measure
// the per-core limit the benchmark table compares each tier to. Loops are
// 64-byte aligned: unaligned, the same loop measured up to 17% slower on
// Zen 4 in one binary than in another.


// func probeVnniZ(n int)
TEXT ·probeVnniZ(SB), NOSPLIT, $0-8
	MOVQ n+0(FP), CX
	VPXORD Z20, Z20, Z20
	VPXORD Z21, Z21, Z21
	PCALIGN $64
loop:
	VPDPBUSD Z20, Z21, Z0; VPDPBUSD Z20, Z21, Z1; VPDPBUSD Z20, Z21, Z2; VPDPBUSD Z20, Z21, Z3
	VPDPBUSD Z20, Z21, Z4; VPDPBUSD Z20, Z21, Z5; VPDPBUSD Z20, Z21, Z6; VPDPBUSD Z20, Z21, Z7
	VPDPBUSD Z20, Z21, Z8; VPDPBUSD Z20, Z21, Z9; VPDPBUSD Z20, Z21, Z10; VPDPBUSD Z20, Z21, Z11
	DECQ CX
	JNZ  loop
	VZEROUPPER
	RET

// func probeFmaZ(n int)
TEXT ·probeFmaZ(SB), NOSPLIT, $0-8
	MOVQ n+0(FP), CX
	VPXORD Z20, Z20, Z20
	VPXORD Z21, Z21, Z21
	PCALIGN $64
loop:
	VFMADD231PS Z20, Z21, Z0; VFMADD231PS Z20, Z21, Z1; VFMADD231PS Z20, Z21, Z2; VFMADD231PS Z20, Z21, Z3
	VFMADD231PS Z20, Z21, Z4; VFMADD231PS Z20, Z21, Z5; VFMADD231PS Z20, Z21, Z6; VFMADD231PS Z20, Z21, Z7
	VFMADD231PS Z20, Z21, Z8; VFMADD231PS Z20, Z21, Z9; VFMADD231PS Z20, Z21, Z10; VFMADD231PS Z20, Z21, Z11
	DECQ CX
	JNZ  loop
	VZEROUPPER
	RET

// func probeFmaY(n int)
TEXT ·probeFmaY(SB), NOSPLIT, $0-8
	MOVQ n+0(FP), CX
	VXORPS Y12, Y12, Y12
	VXORPS Y13, Y13, Y13
	PCALIGN $64
loop:
	VFMADD231PS Y12, Y13, Y0; VFMADD231PS Y12, Y13, Y1; VFMADD231PS Y12, Y13, Y2; VFMADD231PS Y12, Y13, Y3
	VFMADD231PS Y12, Y13, Y4; VFMADD231PS Y12, Y13, Y5; VFMADD231PS Y12, Y13, Y6; VFMADD231PS Y12, Y13, Y7
	VFMADD231PS Y12, Y13, Y8; VFMADD231PS Y12, Y13, Y9; VFMADD231PS Y12, Y13, Y10; VFMADD231PS Y12, Y13, Y11
	DECQ CX
	JNZ  loop
	VZEROUPPER
	RET

// func probeAvx2Mix(n int)
// The avx2 int8 tier's mix per 32 MACs (gemm_s8_avx2_amd64.s): VPXOR of
// weights and sign masks, VPMADDUBSW, VPMADDWD with ones, VPADDD; 8 chains.
#define AVX2MIX(acc, t) VPXOR Y15, Y13, t; VPMADDUBSW t, Y12, t; VPMADDWD Y14, t, t; VPADDD t, acc, acc
TEXT ·probeAvx2Mix(SB), NOSPLIT, $0-8
	MOVQ n+0(FP), CX
	VPXOR Y12, Y12, Y12
	VPXOR Y13, Y13, Y13
	VPXOR Y14, Y14, Y14
	VPXOR Y15, Y15, Y15
	PCALIGN $64
loop:
	AVX2MIX(Y0, Y8); AVX2MIX(Y1, Y9); AVX2MIX(Y2, Y10); AVX2MIX(Y3, Y11)
	AVX2MIX(Y4, Y8); AVX2MIX(Y5, Y9); AVX2MIX(Y6, Y10); AVX2MIX(Y7, Y11)
	DECQ CX
	JNZ  loop
	VZEROUPPER
	RET

// func probeAvx2Sign(n int)
// ggml's sign trick for comparison: VPSIGNB instead of VPXOR (it runs on
// the multiply pipes on Zen 4). Not a tier; reported beside avx2.
#define AVX2SIGN(acc, t) VPSIGNB Y15, Y13, t; VPMADDUBSW t, Y12, t; VPMADDWD Y14, t, t; VPADDD t, acc, acc
TEXT ·probeAvx2Sign(SB), NOSPLIT, $0-8
	MOVQ n+0(FP), CX
	VPXOR Y12, Y12, Y12
	VPXOR Y13, Y13, Y13
	VPXOR Y14, Y14, Y14
	VPXOR Y15, Y15, Y15
	PCALIGN $64
loop:
	AVX2SIGN(Y0, Y8); AVX2SIGN(Y1, Y9); AVX2SIGN(Y2, Y10); AVX2SIGN(Y3, Y11)
	AVX2SIGN(Y4, Y8); AVX2SIGN(Y5, Y9); AVX2SIGN(Y6, Y10); AVX2SIGN(Y7, Y11)
	DECQ CX
	JNZ  loop
	VZEROUPPER
	RET
