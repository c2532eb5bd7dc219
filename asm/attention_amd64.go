//go:build !purego && !noasm

package asm

//go:noescape
func attnAvx512(o *float32, ldo int, q *float32, ldq int, kt *float32, tp int, v *float32, ldv int, t int, mr int, work *float32)

var attnAvx512Kernel = attnKernel{mq: attnFusedMQ, other: &attnAvx512Blocked}

func callAttn(id int, o *float32, ldo int, q *float32, ldq int, kt *float32, tp int, v *float32, ldv int, t int, mr int, work *float32) {
	attnAvx512(o, ldo, q, ldq, kt, tp, v, ldv, t, mr, work)
}

func callExpRow(id int, x *float32, n int, scale float32, mPrev float32) (sum float32, mNew float32) {
	return expRowAvx2(x, n, scale, mPrev)
}

//go:noescape
func expRowAvx2(x *float32, n int, scale float32, mPrev float32) (sum float32, mNew float32)

var attnAvx2Blocked = attnBlocked{gemm: &f32Avx2}

// Head sizes other than 64 on AVX-512 machines: AVX-512 GEMMs, AVX2 exp.
var attnAvx512Blocked = attnBlocked{gemm: &f32Avx512}

//go:noescape
func transposeK64Avx512(kt *float32, tp int, k *float32, ldk int, t int)

func callTransposeK(kt *float32, tp int, k *float32, ldk int, t int) {
	transposeK64Avx512(kt, tp, k, ldk, t)
}
