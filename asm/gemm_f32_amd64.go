//go:build !purego && !noasm

package asm

//go:noescape
func gemmF32Avx512(c *float32, ldc int, a *float32, lda int, w *float32, ldw int, k int, nc int, mr int, acc int)

//go:noescape
func gemmF32Avx2(c *float32, ldc int, a *float32, lda int, w *float32, ldw int, k int, nc int, mr int, acc int)

//go:noescape
func gemmF32BcAvx512(c *float32, ldc int, a *float32, rsa int, csa int, b *float32, ldb int, k int, nc int, mr int, acc int, nt int, ta int)

//go:noescape
func gemmF32BcAvx2(c *float32, ldc int, a *float32, rsa int, csa int, b *float32, ldb int, k int, nc int, mr int, acc int, nt int, ta int)

const (
	idF32Avx512 = iota
	idF32Avx2
)

var (
	f32Avx512 = f32Kernel{mrMax: 4, id: idF32Avx512, bc: f32BcKernel{nr: 64, masked: true, id: idF32Avx512}}
	f32Avx2   = f32Kernel{mrMax: 3, id: idF32Avx2, bc: f32BcKernel{nr: 16, masked: true, id: idF32Avx2}}
)

// callF32 calls directly, so that pointers to stack tiles do not escape.
func callF32(id int, c *float32, ldc int, a *float32, lda int, w *float32, ldw int, k int, nc int, mr int, acc int) {
	switch id {
	case idF32Avx512:
		gemmF32Avx512(c, ldc, a, lda, w, ldw, k, nc, mr, acc)
	case idF32Avx2:
		gemmF32Avx2(c, ldc, a, lda, w, ldw, k, nc, mr, acc)
	default:
		panic("asm: unknown float32 kernel")
	}
}

// callF32Bc calls the broadcast kernel of tier id directly (see callF32).
func callF32Bc(id int, c *float32, ldc int, a *float32, rsa, csa int, b *float32, ldb int, k, nc, mr, acc, nt, ta int) {
	switch id {
	case idF32Avx512:
		gemmF32BcAvx512(c, ldc, a, rsa, csa, b, ldb, k, nc, mr, acc, nt, ta)
	case idF32Avx2:
		gemmF32BcAvx2(c, ldc, a, rsa, csa, b, ldb, k, nc, mr, acc, nt, ta)
	default:
		panic("asm: unknown float32 kernel")
	}
}
