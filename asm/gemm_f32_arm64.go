//go:build !purego && !noasm

package asm

//go:noescape
func gemmF32Neon(c *float32, ldc int, a *float32, lda int, w *float32, ldw int, k int, nc int, mr int, acc int)

var f32Neon = f32Kernel{mrMax: 4}

// callF32 calls directly, so that pointers to stack tiles do not escape.
func callF32(id int, c *float32, ldc int, a *float32, lda int, w *float32, ldw int, k int, nc int, mr int, acc int) {
	gemmF32Neon(c, ldc, a, lda, w, ldw, k, nc, mr, acc)
}
