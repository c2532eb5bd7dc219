//go:build !purego && !noasm

package asm

import "unsafe"

//go:noescape
func gemmS8Avx512Vnni(c *int32, ldc int, a *byte, lda int, w *int8, kp int, nt int, rowsum *int32, mr int, sa *float32, sw *float32, pfd int)

//go:noescape
func gemmS8AvxVnni(c *int32, ldc int, a *byte, lda int, w *int8, kp int, nt int, rowsum *int32, mr int)

//go:noescape
func gemmS8Vnni256Evex(c *int32, ldc int, a *byte, lda int, w *int8, kp int, nt int, rowsum *int32, mr int)

//go:noescape
func gemmS8Avx2(c *int32, ldc int, a *byte, lda int, w *int8, kp int, nt int, rowsum *int32, mr int)

//go:noescape
func probeVnniYVex(n int)

// Kernels are called through a switch rather than function values: a call
// through a func value makes every pointer argument escape, which would
// cost heap allocations per call (the scratch tiles live on the stack).
const (
	idS8Avx512Vnni = iota
	idS8AvxVnni
	idS8Vnni256Evex
	idS8Avx2
)

var (
	s8Avx512Vnni  = s8Kernel{mrMax: 4, tiles: 4, act: actU8, id: idS8Avx512Vnni, dq: true}
	s8AvxVnni     = s8Kernel{mrMax: 6, tiles: 1, act: actU8, id: idS8AvxVnni}
	s8Vnni256Evex = s8Kernel{mrMax: 6, tiles: 1, act: actU8, id: idS8Vnni256Evex} // tests only
	s8Avx2        = s8Kernel{mrMax: 2, tiles: 2, act: actSM, id: idS8Avx2}
)

func callS8(id int, c *int32, ldc int, a *byte, lda int, w *int8, kp int, nt int, rowsum *int32, mr int) {
	switch id {
	case idS8Avx512Vnni:
		gemmS8Avx512Vnni(c, ldc, a, lda, w, kp, nt, rowsum, mr, nil, nil, 0)
	case idS8AvxVnni:
		gemmS8AvxVnni(c, ldc, a, lda, w, kp, nt, rowsum, mr)
	case idS8Vnni256Evex:
		gemmS8Vnni256Evex(c, ldc, a, lda, w, kp, nt, rowsum, mr)
	case idS8Avx2:
		gemmS8Avx2(c, ldc, a, lda, w, kp, nt, rowsum, mr)
	default:
		panic("asm: unknown int8 kernel")
	}
}

// callS8Dq is callS8 with the dequantizing store, for a kernel with dq set:
// y[r·ldy + j] = float32(sum)·sa[r]·sw[j] for r < mr, j < 16·nt; and it
// prefetches weights pfd bytes ahead (see gemmS8Avx512Vnni).
func callS8Dq(id int, y *float32, ldy int, a *byte, lda int, w *int8, kp int, nt int, rowsum *int32, mr int, sa, sw *float32, pfd int) {
	if id != idS8Avx512Vnni {
		panic("asm: int8 kernel without a dequantizing store")
	}
	gemmS8Avx512Vnni((*int32)(unsafe.Pointer(y)), ldy, a, lda, w, kp, nt, rowsum, mr, sa, sw, pfd)
}

// haveCvtSignMag reports whether cvtSignMag may run (it is used only by
// the avx2 tier, so AVX2 is present whenever it is reached).
var haveCvtSignMag = hasAVX2

func cvtSignMag(dst *byte, src *int8, n int) int32 { return cvtSignMagAvx2(dst, src, n) }

// haveFlipSign reports whether flipSign may run: the VNNI tiers that
// reach it imply AVX2.
var haveFlipSign = hasAVX2

func flipSign(dst *byte, src *int8, n int) { flipSignAvx2(dst, src, n) }

//go:noescape
func flipSignAvx2(dst *byte, src *int8, n int)

//go:noescape
func cvtSignMagAvx2(dst *byte, src *int8, n int) (corr int32)
