//go:build !purego && !noasm

package asm

//go:noescape
func attnAvx512(o *float32, ldo int, q *float32, ldq int, kt *float32, tp int, v *float32, ldv int, t int, mr int, work *float32)

//go:noescape
func attnAvx2(o *float32, ldo int, q *float32, ldq int, kt *float32, tp int, v *float32, ldv int, t int, mr int, work *float32)

const (
	attnIDAvx512 = iota
	attnIDAvx2
)

var (
	attnAvx512Kernel = attnKernel{mq: attnFusedMQ, other: &attnAvx512Blocked, id: attnIDAvx512}
	attnAvx2Kernel   = attnKernel{mq: attnFusedMQ, other: &attnAvx2Blocked, id: attnIDAvx2}
)

func callAttn(id int, o *float32, ldo int, q *float32, ldq int, kt *float32, tp int, v *float32, ldv int, t int, mr int, work *float32) {
	if id == attnIDAvx2 {
		attnAvx2(o, ldo, q, ldq, kt, tp, v, ldv, t, mr, work)
		return
	}
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

// callTransposeK transposes a head's keys for kernel id: AVX-512 gathers,
// or a plain loop for AVX2, whose gathers are no faster than scalar loads
// on the cores that lack AVX-512 (T·64 moves against 2·T²·64 MACs).
func callTransposeK(id int, kt *float32, tp int, k *float32, ldk int, t int) {
	if id == attnIDAvx512 {
		transposeK64Avx512(kt, tp, k, ldk, t)
		return
	}
	transposeK64Go(kt, tp, k, ldk, t)
}
