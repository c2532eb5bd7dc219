//go:build !purego && !noasm

package asm

//go:noescape
func gemmS8DotProd(c *int32, ldc int, a *byte, lda int, w *int8, kp int, nt int, rowsum *int32, mr int)

//go:noescape
func gemmS8Neon(c *int32, ldc int, a *byte, lda int, w *int8, kp int, nt int, rowsum *int32, mr int)

// Direct calls through a switch: see gemm_s8_amd64.go.
const (
	idS8DotProd = iota
	idS8Neon
)

var (
	s8DotProd = s8Kernel{mrMax: 4, tiles: 1, act: actS8, id: idS8DotProd}
	s8Neon    = s8Kernel{mrMax: 2, tiles: 1, act: actS8, id: idS8Neon}
)

func callS8(id int, c *int32, ldc int, a *byte, lda int, w *int8, kp int, nt int, rowsum *int32, mr int) {
	switch id {
	case idS8DotProd:
		gemmS8DotProd(c, ldc, a, lda, w, kp, nt, rowsum, mr)
	case idS8Neon:
		gemmS8Neon(c, ldc, a, lda, w, kp, nt, rowsum, mr)
	default:
		panic("asm: unknown int8 kernel")
	}
}

// No arm64 kernel has the dequantizing store (s8Kernel.dq).
func callS8Dq(id int, y *float32, ldy int, a *byte, lda int, w *int8, kp int, nt int, rowsum *int32, mr int, sa, sw *float32, pfd int) {
	panic("asm: int8 kernel without a dequantizing store")
}

const haveCvtSignMag, haveFlipSign = false, false

func flipSign(dst *byte, src *int8, n int) { panic("asm: no flipSign here") }

func cvtSignMag(dst *byte, src *int8, n int) int32 { return 0 }
