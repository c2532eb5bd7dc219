package asm

// GemmF32NT computes c[i*n+j] = Σ_p a[i*k+p] · w[j*k+p] for i < m, j < n:
// C = A·Wᵀ with A [m,k] and W [n,k] row-major, the layout of a PyTorch
// linear layer. When acc is true the product is added to c instead of
// overwriting it.
func GemmF32NT(c, a, w []float32, m, n, k int, acc bool) {
	gemmF32NTGeneric(c, a, w, m, n, k, acc)
}

func gemmF32NTGeneric(c, a, w []float32, m, n, k int, acc bool) {
	_ = c[m*n-1]
	_ = a[m*k-1]
	_ = w[n*k-1]
	for i := 0; i < m; i++ {
		ai := a[i*k : i*k+k]
		ci := c[i*n : i*n+n]
		for j := 0; j < n; j++ {
			wj := w[j*k : j*k+k]
			var s float32
			for p, x := range ai {
				s += x * wj[p]
			}
			if acc {
				ci[j] += s
			} else {
				ci[j] = s
			}
		}
	}
}
