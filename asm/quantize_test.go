package asm

import (
	"math"
	"math/rand/v2"
	"testing"
)

func TestQuantizeRowS8(t *testing.T) {
	dst := make([]int8, 4)
	if s := QuantizeRowS8(dst, []float32{127, 0.5, 1.5, -2.5}); s != 1 || dst[1] != 0 || dst[2] != 2 || dst[3] != -2 {
		t.Fatalf("ties must round to even: scale %g, %v", s, dst)
	}
	if s := QuantizeRowS8(dst, []float32{0, 0, 0, 0}); s != 0 || dst[0] != 0 {
		t.Fatalf("zero row: scale %g, %v", s, dst)
	}
	if s := QuantizeRowS8(dst, []float32{1, float32(math.NaN()), 2, 3}); s != 0 || dst[0] != 0 {
		t.Fatalf("NaN row: scale %g, %v", s, dst)
	}
	if s := QuantizeRowS8(dst[:0], nil); s != 0 {
		t.Fatal("empty row")
	}
	r := rand.New(rand.NewPCG(1, 1))
	for it := 0; it < 500; it++ {
		n := 1 + r.IntN(600)
		src := make([]float32, n)
		mag := math.Pow(10, r.Float64()*20-10)
		for i := range src {
			src[i] = float32(r.NormFloat64() * mag)
		}
		q := make([]int8, n)
		s := QuantizeRowS8(q, src)
		top := 0
		for i, x := range src {
			if q[i] < -127 {
				t.Fatal("-128 produced")
			}
			if math.Abs(float64(x)-float64(s)*float64(q[i])) > 0.5001*float64(s) {
				t.Fatalf("src %g quantized to %d·%g", x, q[i], s)
			}
			top = max(top, int(q[i]), -int(q[i]))
		}
		if top != 127 {
			t.Fatalf("largest magnitude maps to %d, not 127", top)
		}
	}
}

func FuzzQuantizeRowS8(f *testing.F) {
	f.Add(float32(1), float32(-2), float32(0.5), float32(1e-30))
	f.Add(float32(0), float32(0), float32(0), float32(0))
	f.Add(float32(3e38), float32(-3e38), float32(1), float32(-1))
	f.Fuzz(func(t *testing.T, a, b, c, d float32) {
		src := []float32{a, b, c, d}
		q := make([]int8, 4)
		s := QuantizeRowS8(q, src)
		for i, x := range src {
			if q[i] < -127 {
				t.Fatal("-128 produced")
			}
			if s > 0 && !math.IsInf(float64(s), 0) && math.Abs(float64(x)-float64(s)*float64(q[i])) > 0.5001*float64(s) {
				t.Fatalf("%v: %g quantized to %d·%g", src, x, q[i], s)
			}
		}
	})
}
