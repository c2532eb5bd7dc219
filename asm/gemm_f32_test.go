package asm

import (
	"math"
	"math/rand/v2"
	"testing"
)

// Float tolerance: every tier, generic included, must be within
//
//	|c − exact| <= f32Tol · Σ_p |a_p·w_p|   (+ the same bound on c's old value when acc)
//
// of the exact product computed in float64. Tiers differ only in summation
// order, so a relative error of 1e-5 against the sum of magnitudes is ample
// for k up to a few thousand (the observed error is around 1e-7).
const f32Tol = 1e-5

type f32Case struct{ m, n, k int }

var f32Shapes = []f32Case{
	{1, 1, 1}, {1, 2, 512}, {1, 4, 16}, {2, 3, 7}, {3, 4, 8}, {4, 4, 16}, {5, 7, 17}, {4, 8, 33},
	{7, 13, 100}, {9, 17, 64}, {13, 5, 129}, {3, 64, 512}, {82, 11, 512}, {6, 9, 1}, {11, 4, 31},
	// The broadcast kernels' driver: several k blocks (k > bcKC) and row
	// blocks, panels with masked or padded tails, Aᵀ·B computed as its
	// transpose, and operands with rows of 4 KB (packed first).
	{130, 70, 400}, {300, 97, 33}, {7, 1024, 20}, {1024, 3, 20}, {1024, 100, 10}, {97, 1024, 6},
}

func checkF32Op(t *testing.T, r *rand.Rand, op string, m, n, k int, acc bool) {
	t.Helper()
	var a, b []float32
	a, b = randF32(r, m*k), randF32(r, n*k)
	if m > 2 { // an all-zero row
		z := r.IntN(m)
		for p := 0; p < k; p++ {
			if op == "TN" {
				a[p*m+z] = 0
			} else {
				a[z*k+p] = 0
			}
		}
	}
	c0 := randF32(r, m*n+2)
	c := append([]float32(nil), c0...)
	// at(i,p), bt(p,j) read the operands in each op's layout.
	at := func(i, p int) float32 { return a[i*k+p] }
	bt := func(p, j int) float32 { return b[j*k+p] }
	switch op {
	case "NT":
		GemmF32NT(c, a, b, m, n, k, acc)
	case "NN":
		bt = func(p, j int) float32 { return b[p*n+j] }
		GemmF32NN(c, a, b, m, n, k, acc)
	case "TN":
		at = func(i, p int) float32 { return a[p*m+i] }
		bt = func(p, j int) float32 { return b[p*n+j] }
		GemmF32TN(c, a, b, m, n, k, acc)
	}
	for i := 0; i < m; i++ {
		for j := 0; j < n; j++ {
			var exact, mag float64
			for p := 0; p < k; p++ {
				x := float64(at(i, p)) * float64(bt(p, j))
				exact += x
				mag += math.Abs(x)
			}
			if acc {
				exact += float64(c0[i*n+j])
				mag += math.Abs(float64(c0[i*n+j]))
			}
			if d := math.Abs(float64(c[i*n+j]) - exact); d > f32Tol*mag+1e-30 {
				t.Fatalf("%s m=%d n=%d k=%d acc=%v: c[%d][%d] = %g, exact %g (error %.3g of magnitude %.3g)",
					op, m, n, k, acc, i, j, c[i*n+j], exact, d, mag)
			}
		}
	}
	if c[m*n] != c0[m*n] || c[m*n+1] != c0[m*n+1] {
		t.Fatalf("%s m=%d n=%d k=%d: wrote past the end of c", op, m, n, k)
	}
}

func TestGemmF32(t *testing.T) {
	eachTier(t, FamilyGemmF32, func(t *testing.T) {
		r := rand.New(rand.NewPCG(7, 8))
		for _, op := range []string{"NT", "NN", "TN"} {
			for _, s := range f32Shapes {
				checkF32Op(t, r, op, s.m, s.n, s.k, false)
				checkF32Op(t, r, op, s.m, s.n, s.k, true)
			}
			n := 100
			if testing.Short() {
				n = 15
			}
			for i := 0; i < n; i++ {
				checkF32Op(t, r, op, 1+r.IntN(20), 1+r.IntN(40), 1+r.IntN(200), r.IntN(2) == 0)
			}
		}
	})
}

func TestGemmF32Edges(t *testing.T) {
	eachTier(t, FamilyGemmF32, func(t *testing.T) {
		GemmF32NT(nil, nil, make([]float32, 15), 0, 5, 3, false)
		GemmF32NT(nil, make([]float32, 12), nil, 4, 0, 3, true)
		c := []float32{1, 2, 3, 4}
		GemmF32NT(c, nil, nil, 2, 2, 0, true)
		if c[3] != 4 {
			t.Fatal("k=0 with acc changed c")
		}
		GemmF32NN(c, nil, nil, 2, 2, 0, false)
		if c[0] != 0 || c[3] != 0 {
			t.Fatal("k=0 without acc must zero c")
		}
	})
}

func FuzzGemmF32(f *testing.F) {
	f.Add(uint8(1), uint8(1), uint16(1), uint64(0), false)
	f.Add(uint8(4), uint8(5), uint16(17), uint64(1), true)
	f.Add(uint8(82), uint8(6), uint16(512), uint64(2), false)
	f.Add(uint8(150), uint8(70), uint16(400), uint64(3), true)
	f.Add(uint8(255), uint8(127), uint16(97), uint64(4), false)
	f.Fuzz(func(t *testing.T, m, n uint8, k uint16, seed uint64, acc bool) {
		if m == 0 || n == 0 || k == 0 || k > 1024 {
			return
		}
		// Up to 256 rows and 128 columns: several row blocks and panels of
		// the broadcast kernels.
		eachTier(t, FamilyGemmF32, func(t *testing.T) {
			r := rand.New(rand.NewPCG(seed, 1))
			for _, op := range []string{"NT", "NN", "TN"} {
				checkF32Op(t, r, op, int(m)+1, int(n%128)+1, int(k), acc)
			}
		})
	})
}
