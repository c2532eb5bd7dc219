package asm

// Generic float32 kernels: the specification for every tier and the path
// used by purego/noasm builds and CPUs without a vector tier.

func gemmF32NTGeneric(c, a, w []float32, m, n, k int, acc bool) {
	for i := 0; i < m; i++ {
		ai := a[i*k : i*k+k]
		ci := c[i*n : i*n+n]
		j := 0
		// Four dot products at once reuse each a element four times.
		for ; j+4 <= n; j += 4 {
			w0, w1, w2, w3 := w[j*k:j*k+k], w[(j+1)*k:(j+1)*k+k], w[(j+2)*k:(j+2)*k+k], w[(j+3)*k:(j+3)*k+k]
			var s0, s1, s2, s3 float32
			for p, x := range ai {
				s0 += x * w0[p]
				s1 += x * w1[p]
				s2 += x * w2[p]
				s3 += x * w3[p]
			}
			if acc {
				ci[j] += s0
				ci[j+1] += s1
				ci[j+2] += s2
				ci[j+3] += s3
			} else {
				ci[j], ci[j+1], ci[j+2], ci[j+3] = s0, s1, s2, s3
			}
		}
		for ; j < n; j++ {
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

// gemmF32NNGeneric: C = A·B, A [m,k], B [k,n].
func gemmF32NNGeneric(c, a, b []float32, m, n, k int, acc bool) {
	for i := 0; i < m; i++ {
		ci := c[i*n : i*n+n]
		if !acc {
			clear(ci)
		}
		for p := 0; p < k; p++ {
			x := a[i*k+p]
			if x == 0 {
				continue
			}
			axpy(ci, b[p*n:p*n+n], x)
		}
	}
}

// gemmF32TNGeneric: C = Aᵀ·B, A [k,m], B [k,n].
func gemmF32TNGeneric(c, a, b []float32, m, n, k int, acc bool) {
	if !acc {
		clear(c[:m*n])
	}
	for p := 0; p < k; p++ {
		bp := b[p*n : p*n+n]
		for i := 0; i < m; i++ {
			x := a[p*m+i]
			if x == 0 {
				continue
			}
			axpy(c[i*n:i*n+n], bp, x)
		}
	}
}

func axpy(y, x []float32, s float32) {
	x = x[:len(y)]
	for j := range y {
		y[j] += s * x[j]
	}
}
