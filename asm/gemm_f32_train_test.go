package asm

import (
	"fmt"
	"math/rand/v2"
	"testing"
)

// trainGemmShapes are the products of a training step ({m, n, k} of
// C [m,n]): the TRM-MLP 9×9 recipe at hidden 64 (rows 32·97 = 3104, mlp_t
// rows 32·64 = 2048, positions 97, widths 256 and 512) and HRM at hidden
// 128 (rows 32·81 = 2592, width 512).
var trainGemmShapes = map[string][][3]int{
	"NT": {{3104, 512, 64}, {3104, 64, 256}, {2048, 1024, 97}, {2048, 97, 512}, {2592, 384, 128}, {2592, 1024, 128}, {2592, 128, 512}, {82, 1536, 512}, {82, 512, 64}, {82, 1024, 128}, {82, 256, 256}, {512, 1024, 97}, {82, 64, 256}},
	"NN": {{3104, 256, 64}, {3104, 64, 512}, {2048, 512, 97}, {2048, 97, 1024}, {2592, 128, 384}, {2592, 128, 1024}, {2592, 512, 128}},
	"TN": {{64, 256, 3104}, {512, 64, 3104}, {97, 512, 2048}, {1024, 97, 2048}, {384, 128, 2592}, {1024, 128, 2592}, {128, 512, 2592}},
}

// BenchmarkGemmF32Train times GemmF32NT, NN and TN at the training shapes
// on the selected tier; "via" runs the same product the way the float
// tiers did before the broadcast kernels (NN and TN as NT on transposed
// copies; NT on the dot-product kernel).
func BenchmarkGemmF32Train(b *testing.B) {
	for _, op := range []string{"NT", "NN", "TN"} {
		for _, s := range trainGemmShapes[op] {
			m, n, k := s[0], s[1], s[2]
			r := rand.New(rand.NewPCG(uint64(m), uint64(n*k)))
			a, w, c := randF32(r, m*k), randF32(r, n*k), make([]float32, m*n)
			for _, via := range []string{"new", "dot"} {
				b.Run(fmt.Sprintf("%s/m=%d,n=%d,k=%d/%s", op, m, n, k, via), func(b *testing.B) {
					if f32Cur == nil {
						b.Skip("generic tier")
					}
					f := gemmOp(op, via)
					for i := 0; i < b.N; i++ {
						f(c, a, w, m, n, k)
					}
					b.ReportMetric(2*float64(m*n*k)*float64(b.N)/b.Elapsed().Seconds()/1e9, "GFLOP/s")
				})
			}
		}
	}
}

func gemmOp(op, via string) func(c, a, b []float32, m, n, k int) {
	switch op + via {
	case "NTnew":
		return func(c, a, b []float32, m, n, k int) { GemmF32NT(c, a, b, m, n, k, true) }
	case "NNnew":
		return func(c, a, b []float32, m, n, k int) { GemmF32NN(c, a, b, m, n, k, true) }
	case "TNnew":
		return func(c, a, b []float32, m, n, k int) { GemmF32TN(c, a, b, m, n, k, true) }
	case "NTbc":
		return func(c, a, b []float32, m, n, k int) { gemmF32NTBc(&f32Cur.bc, c, a, b, m, n, k, true) }
	case "NTdot":
		return func(c, a, b []float32, m, n, k int) { gemmF32NTDriver(f32Cur, c, a, b, m, n, k, true) }
	case "NNdot":
		return func(c, a, b []float32, m, n, k int) {
			bt := getF32(n * k)
			transpose(*bt, b, k, n)
			gemmF32NTDriver(f32Cur, c, a, *bt, m, n, k, true)
			putF32(bt)
		}
	case "TNdot":
		return func(c, a, b []float32, m, n, k int) {
			at, bt := getF32(m*k), getF32(n*k)
			transpose(*at, a, k, m)
			transpose(*bt, b, k, n)
			gemmF32NTDriver(f32Cur, c, *at, *bt, m, n, k, true)
			putF32(at)
			putF32(bt)
		}
	}
	panic(op + via)
}

// transpose writes dst [cols,rows] = src [rows,cols]ᵀ, in cache blocks: how
// the vector tiers fed A·B and Aᵀ·B to the A·Wᵀ kernels before the
// broadcast kernels (kept to measure against).
func transpose(dst, src []float32, rows, cols int) {
	const bs = 32
	for i0 := 0; i0 < rows; i0 += bs {
		i1 := min(i0+bs, rows)
		for j0 := 0; j0 < cols; j0 += bs {
			j1 := min(j0+bs, cols)
			// 4×4 sub-blocks: four source rows are read per pass, so each
			// destination row gets four adjacent stores instead of one
			// (1.6× faster than element by element at the trainer's shapes).
			i := i0
			for ; i+4 <= i1; i += 4 {
				s0 := src[i*cols : i*cols+cols]
				s1 := src[(i+1)*cols : (i+1)*cols+cols]
				s2 := src[(i+2)*cols : (i+2)*cols+cols]
				s3 := src[(i+3)*cols : (i+3)*cols+cols]
				for j := j0; j < j1; j++ {
					d := dst[j*rows+i : j*rows+i+4]
					d[0], d[1], d[2], d[3] = s0[j], s1[j], s2[j], s3[j]
				}
			}
			for ; i < i1; i++ {
				s := src[i*cols : i*cols+cols]
				for j := j0; j < j1; j++ {
					dst[j*rows+i] = s[j]
				}
			}
		}
	}
}
