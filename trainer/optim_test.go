package trainer

import (
	"math"
	"math/rand/v2"
	"testing"

	"github.com/stretchr/testify/require"
)

func TestTruncNormal(t *testing.T) {
	v := make([]float32, 200000)
	truncNormal(v, 0.5, rand.New(rand.NewPCG(1, 1)))
	var s, ss float64
	for _, x := range v {
		require.LessOrEqual(t, math.Abs(float64(x)), 2*0.5/math.Sqrt(0.773735)+1e-6)
		s += float64(x)
		ss += float64(x) * float64(x)
	}
	n := float64(len(v))
	require.InDelta(t, 0, s/n, 0.005)
	require.InDelta(t, 0.5, math.Sqrt(ss/n-(s/n)*(s/n)), 0.005) // the std is exactly the requested one
}

func TestSchedule(t *testing.T) {
	require.InDelta(t, 0.5, lrAt(1, 5, 10, 100, 1), 1e-12)
	require.InDelta(t, 1, lrAt(1, 50, 10, 100, 1), 1e-12)      // constant after warm-up
	require.InDelta(t, 1, lrAt(1, 10, 10, 100, 0.1), 1e-12)    // cosine starts at base
	require.InDelta(t, 0.1, lrAt(1, 100, 10, 100, 0.1), 1e-12) // and ends at min ratio
	require.InDelta(t, 0.55, lrAt(1, 55, 10, 100, 0.1), 1e-12)
}

// One AdamATan2 step by hand: t = 1, so bc1 = 1−β1, bc2 = 1−β2, m = (1−β1)g,
// v = (1−β2)g², and the update is lr/(1−β1)·atan2((1−β1)g, |g|).
func TestAdamATan2(t *testing.T) {
	p, g := []float32{1, -2, 0.5}, []float32{0.3, -0.1, 0}
	m, v := make([]float32, 3), make([]float32, 3)
	lr, wd, b1, b2 := 0.01, 0.1, 0.9, 0.95
	want := make([]float64, 3)
	for i := range p {
		pp := float64(p[i]) * (1 - lr*wd)
		gi := float64(g[i])
		want[i] = pp - lr/(1-b1)*math.Atan2((1-b1)*gi, math.Sqrt((1-b2)*gi*gi)/math.Sqrt(1-b2))
	}
	adamATan2(p, g, m, v, lr, wd, b1, b2, 1)
	for i := range p {
		require.InDelta(t, want[i], float64(p[i]), 1e-6)
	}
	require.InDelta(t, 0.5*(1-lr*wd), float64(p[2]), 1e-7) // zero gradient: decay only, atan2(0,0)=0
}

func TestSignSGD(t *testing.T) {
	w := []float32{1, 1, 1}
	signSGD(w, []float32{2, -3, 0}, 0.1, 0.5)
	require.InDeltaSlice(t, []float64{0.85, 1.05, 0.95}, []float64{float64(w[0]), float64(w[1]), float64(w[2])}, 1e-6)
}

func TestBF16Round(t *testing.T) {
	require.Equal(t, float32(1), bf16Round(1))
	require.Equal(t, float32(1.0078125), bf16Round(1.0078125))        // exactly representable
	require.Equal(t, float32(1), bf16Round(1+1.0/256))                // tie to even (down)
	require.Equal(t, float32(1.015625), bf16Round(1.0078125+1.0/256)) // tie to even (up)
}
