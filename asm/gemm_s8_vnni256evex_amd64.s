//go:build !purego && !noasm

#include "textflag.h"

// gemmS8Vnni256Evex: the AVX-VNNI kernel body with EVEX-encoded VPDPBUSD
// (needs AVX512VNNI+VL). Not a tier of its own: it lets the shared body be
// tested on AVX-512 machines that lack AVX-VNNI.

#define DPB0 VPDPBUSD Y12, Y14, Y0
#define DPB1 VPDPBUSD Y13, Y14, Y1
#define DPB2 VPDPBUSD Y12, Y15, Y2
#define DPB3 VPDPBUSD Y13, Y15, Y3
#define DPB4 VPDPBUSD Y12, Y14, Y4
#define DPB5 VPDPBUSD Y13, Y14, Y5
#define DPB6 VPDPBUSD Y12, Y15, Y6
#define DPB7 VPDPBUSD Y13, Y15, Y7
#define DPB8 VPDPBUSD Y12, Y14, Y8
#define DPB9 VPDPBUSD Y13, Y14, Y9
#define DPB10 VPDPBUSD Y12, Y15, Y10
#define DPB11 VPDPBUSD Y13, Y15, Y11

// func gemmS8Vnni256Evex(c *int32, ldc int, a *byte, lda int, w *int8, kp int, nt int, rowsum *int32, mr int)
#define VNNI256_FUNC ·gemmS8Vnni256Evex
#include "gemm_s8_vnni256.h"
