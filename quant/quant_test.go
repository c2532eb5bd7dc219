package quant

import (
	"math"
	"math/rand/v2"
	"testing"

	"github.com/hrmgo/hrm/asm"
	"github.com/stretchr/testify/require"
)

func randMat(rng *rand.Rand, n int) []float32 {
	v := make([]float32, n)
	for i := range v {
		v[i] = float32(rng.NormFloat64())
	}
	return v
}

func TestQuantizeRoundTrip(t *testing.T) {
	rng := rand.New(rand.NewPCG(1, 2))
	for _, sh := range [][2]int{{1, 1}, {3, 5}, {17, 33}, {64, 512}} {
		n, k := sh[0], sh[1]
		w := randMat(rng, n*k)
		for j := 0; j < k; j++ {
			w[j] = 0 // an all-zero first row
		}
		m, err := Quantize(w, n, k)
		require.NoError(t, err)
		require.Zero(t, m.Scale[0])
		d := m.Dequantize()
		for r := 0; r < n; r++ {
			for j := 0; j < k; j++ {
				// Rounding error is at most half a step of the row's scale.
				require.LessOrEqual(t, math.Abs(float64(d[r*k+j]-w[r*k+j])), float64(m.Scale[r])/2*1.0001+1e-12)
			}
		}
		re, err := FromParts(m.Q.Bytes(), m.Q.RowSum, m.Scale, n, k)
		require.NoError(t, err)
		require.Equal(t, d, re.Dequantize())
	}
	_, err := Quantize([]float32{1, float32(math.NaN())}, 1, 2)
	require.ErrorContains(t, err, "non-finite")
}

func TestFromPartsRejects(t *testing.T) {
	m, err := Quantize(randMat(rand.New(rand.NewPCG(3, 4)), 20*40), 20, 40)
	require.NoError(t, err)
	bad := append([]float32(nil), m.Scale...)
	bad[3] = float32(math.Inf(1))
	_, err = FromParts(m.Q.Bytes(), m.Q.RowSum, bad, 20, 40)
	require.ErrorContains(t, err, "scale of row 3")
	bad[3] = -1
	_, err = FromParts(m.Q.Bytes(), m.Q.RowSum, bad, 20, 40)
	require.ErrorContains(t, err, "scale of row 3")
	sums := append([]int32(nil), m.Q.RowSum...)
	sums[5]++
	_, err = FromParts(m.Q.Bytes(), sums, m.Scale, 20, 40)
	require.ErrorContains(t, err, "row sum 5")
	b := append([]byte(nil), m.Q.Bytes()...)
	b[0] = 0x80 // -128
	_, err = FromParts(b, nil, m.Scale, 20, 40)
	require.ErrorContains(t, err, "-128")
}

// The int8 product equals the float product of the dequantized operands
// up to float rounding: the integer part is exact.
func TestApplyMatchesDequantized(t *testing.T) {
	rng := rand.New(rand.NewPCG(5, 6))
	n, k, rows := 40, 70, 9
	m, err := Quantize(randMat(rng, n*k), n, k)
	require.NoError(t, err)
	x := randMat(rng, rows*k)
	a := Activations{Q: make([]int8, rows*k), Scale: make([]float32, rows)}
	a.QuantizeRows(x, rows, k)
	y := make([]float32, rows*n)
	m.ApplyTiles(y, &a, rows, 0, m.Q.Tiles())
	wd := m.Dequantize()
	for r := 0; r < rows; r++ {
		for j := 0; j < n; j++ {
			var s float64
			for p := 0; p < k; p++ {
				s += float64(a.Scale[r]) * float64(a.Q[r*k+p]) * float64(wd[j*k+p])
			}
			require.InDelta(t, s, float64(y[r*n+j]), 1e-4*math.Max(1, math.Abs(s)))
		}
	}
	// Split by tiles gives the same result.
	y2 := make([]float32, rows*n)
	for t0 := 0; t0 < m.Q.Tiles(); t0++ {
		m.ApplyTiles(y2, &a, rows, t0, t0+1)
	}
	require.Equal(t, y, y2)
	_ = asm.S8TileN
}
