package asm

import (
	"fmt"
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
	// Vector tiers run NN as NT on a transposed copy of B (k·n copies
	// against m·n·k multiply-adds).
	bt := getF32(n * k)
	transpose(*bt, b, k, n)
	gemmF32NT(c, a, *bt, m, n, k, acc)
	f32Pool.Put(bt)
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
	at, bt := getF32(m*k), getF32(n*k)
	transpose(*at, a, k, m)
	transpose(*bt, b, k, n)
	gemmF32NT(c, *at, *bt, m, n, k, acc)
	f32Pool.Put(at)
	f32Pool.Put(bt)
}

func checkF32(name string, c, a, b []float32, m, n, k, na, nb int) {
	if m < 0 || n < 0 || k < 0 || len(c) < m*n || len(a) < na || len(b) < nb {
		panic(fmt.Sprintf("asm: %s: m=%d n=%d k=%d with len(c)=%d len(a)=%d len(b)=%d", name, m, n, k, len(c), len(a), len(b)))
	}
}

var f32Pool sync.Pool

func getF32(n int) *[]float32 {
	p, _ := f32Pool.Get().(*[]float32)
	if p == nil {
		p = new([]float32)
	}
	if cap(*p) < n {
		*p = make([]float32, n)
	}
	*p = (*p)[:n]
	return p
}

// transpose writes dst [cols,rows] = src [rows,cols]ᵀ, in cache blocks.
func transpose(dst, src []float32, rows, cols int) {
	const bs = 32
	for i0 := 0; i0 < rows; i0 += bs {
		i1 := min(i0+bs, rows)
		for j0 := 0; j0 < cols; j0 += bs {
			j1 := min(j0+bs, cols)
			for i := i0; i < i1; i++ {
				s := src[i*cols : i*cols+cols]
				for j := j0; j < j1; j++ {
					dst[j*rows+i] = s[j]
				}
			}
		}
	}
}

// f32Kernel is one asm tier of GemmF32NT. kern computes mrMax rows (rows
// at or past mr reread row 0 and are not stored) by nc columns over the
// whole k:
//
//	c[r*ldc + j] (+)= Σ_p a[r*lda + p]·w[j*ldw + p]
type f32Kernel struct {
	mrMax int
	kern  func(c *float32, ldc int, a *float32, lda int, w *float32, ldw int, k int, nc int, mr int, acc int)
}

var (
	f32Cur    *f32Kernel // nil: generic
	gemmF32NT = gemmF32NTGeneric
)

func installGemmF32Generic() { f32Cur, gemmF32NT = nil, gemmF32NTGeneric }

func installGemmF32(kn *f32Kernel) {
	f32Cur = kn
	gemmF32NT = func(c, a, w []float32, m, n, k int, acc bool) { gemmF32NTDriver(kn, c, a, w, m, n, k, acc) }
}

func gemmF32NTDriver(kn *f32Kernel, c, a, w []float32, m, n, k int, acc bool) {
	ac := 0
	if acc {
		ac = 1
	}
	// A block of W rows stays in L1/L2 while all row blocks of A pass.
	nb := max(4, (48<<10)/(4*k)) &^ 3
	for j0 := 0; j0 < n; j0 += nb {
		nc := min(nb, n-j0)
		for i := 0; i < m; i += kn.mrMax {
			mr := min(kn.mrMax, m-i)
			kn.kern(&c[i*n+j0], n, &a[i*k], k, &w[j0*k], k, k, nc, mr, ac)
		}
	}
}
