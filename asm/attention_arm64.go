//go:build !purego && !noasm

package asm

//go:noescape
func expRowNeon(x *float32, n int, scale float32, mPrev float32) (sum float32, mNew float32)

var attnNeonBlocked = attnBlocked{gemm: &f32Neon}

func callExpRow(id int, x *float32, n int, scale float32, mPrev float32) (sum float32, mNew float32) {
	return expRowNeon(x, n, scale, mPrev)
}

// No fused arm64 kernel: attnKernel is unused here.
func callAttn(id int, o *float32, ldo int, q *float32, ldq int, kt *float32, tp int, v *float32, ldv int, t int, mr int, work *float32) {
	panic("asm: no fused attention kernel on arm64")
}

func callTransposeK(id int, kt *float32, tp int, k *float32, ldk int, t int) {
	panic("asm: no fused attention kernel on arm64")
}
