package asm

import (
	"fmt"
	"math/bits"
	"sync"
)

// GemmF32NT computes c[i*n+j] = Σ_p a[i*k+p] · w[j*k+p] for i < m, j < n:
// C = A·Wᵀ with A [m,k] and W [n,k] row-major, the layout of a PyTorch
// linear layer. When acc is true the product is added to c instead of
// overwriting it. Tiers differ from the generic kernel only by summation
// order (see the tolerance in the tests). It panics if a slice is too short.
func GemmF32NT(c, a, w []float32, m, n, k int, acc bool) {
	checkF32("GemmF32NT", c, a, w, m, n, k, m*k, n*k)
	if m == 0 || n == 0 {
		return
	}
	if k == 0 {
		if !acc {
			clear(c[:m*n])
		}
		return
	}
	gemmF32NT(c, a, w, m, n, k, acc)
}

// GemmF32NN computes C = A·B (+C when acc) with A [m,k] and B [k,n]
// row-major: the input gradient of a linear layer, dX = dY·W.
func GemmF32NN(c, a, b []float32, m, n, k int, acc bool) {
	checkF32("GemmF32NN", c, a, b, m, n, k, m*k, k*n)
	if m == 0 || n == 0 {
		return
	}
	if k == 0 || f32Cur == nil {
		if k == 0 && !acc {
			clear(c[:m*n])
			return
		}
		gemmF32NNGeneric(c, a, b, m, n, k, acc)
		return
	}
	gemmF32NNBc(&f32Cur.bc, c, a, b, m, n, k, acc)
}

// GemmF32TN computes C = Aᵀ·B (+C when acc) with A [k,m] and B [k,n]
// row-major: the weight gradient of a linear layer, dW = dYᵀ·X.
func GemmF32TN(c, a, b []float32, m, n, k int, acc bool) {
	checkF32("GemmF32TN", c, a, b, m, n, k, k*m, k*n)
	if m == 0 || n == 0 {
		return
	}
	if k == 0 || f32Cur == nil {
		if k == 0 && !acc {
			clear(c[:m*n])
			return
		}
		gemmF32TNGeneric(c, a, b, m, n, k, acc)
		return
	}
	gemmF32TNBc(&f32Cur.bc, c, a, b, m, n, k, acc)
}

func checkF32(name string, c, a, b []float32, m, n, k, na, nb int) {
	if m < 0 || n < 0 || k < 0 || len(c) < m*n || len(a) < na || len(b) < nb {
		panic(fmt.Sprintf("asm: %s: m=%d n=%d k=%d with len(c)=%d len(a)=%d len(b)=%d", name, m, n, k, len(c), len(a), len(b)))
	}
}

// Scratch buffers come from pools by size class (capacity 2^c floats), so
// that callers needing different sizes in turn, as the kernels of one
// model do, reuse buffers instead of replacing each other's: a session
// then allocates nothing per segment.
var f32Pools [40]sync.Pool

func getF32(n int) *[]float32 {
	c := bits.Len(uint(max(n, 1) - 1))
	p, _ := f32Pools[c].Get().(*[]float32)
	if p == nil {
		b := make([]float32, 1<<c)
		p = &b
	}
	*p = (*p)[:n]
	return p
}

func putF32(p *[]float32) {
	f32Pools[bits.Len(uint(cap(*p)))-1].Put(p)
}

// f32Kernel is one asm tier of GemmF32NT. Its kernel (callF32 with id) computes mrMax rows (rows
// at or past mr reread row 0 and are not stored) by nc columns, nc a
// multiple of 4, over the whole k:
//
//	c[r*ldc + j] (+)= Σ_p a[r*lda + p]·w[j*ldw + p]
type f32Kernel struct {
	mrMax int
	id    int // which assembly function callF32 runs
	bc    f32BcKernel
}

// f32Cur is the selected tier; nil means generic. Dispatch tests it rather
// than calling through a func value, so that slices passed in do not
// escape.
var f32Cur *f32Kernel

func installGemmF32Generic() { f32Cur = nil }

func installGemmF32(kn *f32Kernel) { f32Cur = kn }

func gemmF32NT(c, a, w []float32, m, n, k int, acc bool) {
	if kn := f32Cur; kn != nil {
		if k <= bcMaxKNT {
			gemmF32NTBc(&kn.bc, c, a, w, m, n, k, acc)
		} else {
			gemmF32NTDriver(kn, c, a, w, m, n, k, acc)
		}
	} else {
		gemmF32NTGeneric(c, a, w, m, n, k, acc)
	}
}

func gemmF32NTDriver(kn *f32Kernel, c, a, w []float32, m, n, k int, acc bool) {
	gemmF32Strided(kn, c, n, a, k, w, k, m, n, k, acc)
}

// gemmF32Strided is the NT driver for rows ldc, lda, ldw floats apart (the
// attention tiers multiply slices of the fused qkv activation in place).
func gemmF32Strided(kn *f32Kernel, c []float32, ldc int, a []float32, lda int, w []float32, ldw int, m, n, k int, acc bool) {
	ac := 0
	if acc {
		ac = 1
	}
	n4 := n &^ 3
	// Cache blocking with the whole k in every call: a block of nb W rows
	// (~48 KB) is reused by every row of an mb-row block of A (~256 KB,
	// L2), which in turn is reused by every W block.
	nb := max(4, (48<<10)/(4*k)) &^ 3
	mb := max(1, (256<<10)/(4*k)/kn.mrMax) * kn.mrMax
	for i0 := 0; i0 < m; i0 += mb {
		i1 := min(i0+mb, m)
		for j0 := 0; j0 < n4; j0 += nb {
			nc := min(nb, n4-j0)
			for i := i0; i < i1; i += kn.mrMax {
				callF32(kn.id, &c[i*ldc+j0], ldc, &a[i*lda], lda, &w[j0*ldw], ldw, k, nc, min(kn.mrMax, i1-i), ac)
			}
		}
	}
	if n4 == n {
		return
	}
	// The last n mod 4 columns: the kernel runs on a copy of those W rows
	// padded with zero rows, into a scratch tile.
	// On the stack up to k = 2048, so that the common case allocates
	// nothing (lm_head and q_head have such widths).
	var stack [4 * 2048]float32
	var wt []float32
	var pooled *[]float32
	if 4*k <= len(stack) {
		wt = stack[:4*k]
	} else {
		pooled = getF32(4 * k)
		wt = *pooled
	}
	clear(wt)
	for j := n4; j < n; j++ {
		copy(wt[(j-n4)*k:(j-n4+1)*k], w[j*ldw:j*ldw+k])
	}
	var tile [8 * 4]float32
	for i := 0; i < m; i += kn.mrMax {
		mr := min(kn.mrMax, m-i)
		callF32(kn.id, &tile[0], 4, &a[i*lda], lda, &wt[0], k, k, 4, mr, 0)
		for r := 0; r < mr; r++ {
			dst := c[(i+r)*ldc+n4 : (i+r)*ldc+n]
			for j := range dst {
				if acc {
					dst[j] += tile[r*4+j]
				} else {
					dst[j] = tile[r*4+j]
				}
			}
		}
	}
	if pooled != nil {
		putF32(pooled)
	}
}
