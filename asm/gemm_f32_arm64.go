//go:build !purego && !noasm

package asm

//go:noescape
func gemmF32Neon(c *float32, ldc int, a *float32, lda int, w *float32, ldw int, k int, nc int, mr int, acc int)

//go:noescape
func gemmF32BcNeon(c *float32, ldc int, a *float32, rsa int, csa int, b *float32, ldb int, k int, nc int, mr int, acc int, nt int, ta int)

var f32Neon = f32Kernel{mrMax: 4, bc: f32BcKernel{nr: 16}}

// callF32 calls directly, so that pointers to stack tiles do not escape.
func callF32(id int, c *float32, ldc int, a *float32, lda int, w *float32, ldw int, k int, nc int, mr int, acc int) {
	gemmF32Neon(c, ldc, a, lda, w, ldw, k, nc, mr, acc)
}

// callF32Bc calls the broadcast kernel directly (see callF32).
func callF32Bc(id int, c *float32, ldc int, a *float32, rsa, csa int, b *float32, ldb int, k, nc, mr, acc, nt, ta int) {
	gemmF32BcNeon(c, ldc, a, rsa, csa, b, ldb, k, nc, mr, acc, nt, ta)
}
