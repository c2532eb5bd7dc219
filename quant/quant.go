// Package quant holds int8 weights: symmetric per-output-row quantization
// in [-127, 127], packed once, offline, into the tile layout of the asm
// int8 kernels, and the dynamic per-token activation quantization that
// feeds them at run time.
package quant

import (
	"fmt"
	"math"

	"github.com/hrmgo/hrm/asm"
)

// Matrix is an int8 linear weight W [N, K] ≈ diag(Scale)·Q, with Q packed
// for asm.GemmS8.
type Matrix struct {
	Q     asm.PackedS8
	Scale []float32 // [N], finite and ≥ 0
}

// Quantize quantizes a row-major float32 W [n, k] row by row:
// scale = max|w|/127, q = round(w/scale) (ties to even), so no value is
// -128 and a zero row has scale 0.
func Quantize(w []float32, n, k int) (Matrix, error) {
	if len(w) != n*k {
		return Matrix{}, fmt.Errorf("quant: %d values for a [%d, %d] matrix", len(w), n, k)
	}
	q := make([]int8, n*k)
	scale := make([]float32, n)
	for r := 0; r < n; r++ {
		row := w[r*k : (r+1)*k]
		for _, x := range row {
			if x-x != 0 {
				return Matrix{}, fmt.Errorf("quant: row %d holds a non-finite value", r)
			}
		}
		scale[r] = asm.QuantizeRowS8(q[r*k:(r+1)*k], row)
	}
	p, err := asm.PackS8(q, n, k)
	if err != nil {
		return Matrix{}, err
	}
	return Matrix{Q: p, Scale: scale}, nil
}

// FromParts wraps packed bytes (typically a read-only mapping of a weight
// file), their row sums and scales without copying, after checking them:
// the packing (zero padding, no -128, row sums) and the scales (finite,
// non-negative).
func FromParts(packed []byte, rowsum []int32, scale []float32, n, k int) (Matrix, error) {
	if len(scale) != n {
		return Matrix{}, fmt.Errorf("quant: %d scales for %d rows", len(scale), n)
	}
	for i, s := range scale {
		if !(s >= 0) || math.IsInf(float64(s), 0) {
			return Matrix{}, fmt.Errorf("quant: scale of row %d is %v; want finite and >= 0", i, s)
		}
	}
	p, err := asm.PackedS8FromBytes(packed, rowsum, n, k)
	if err != nil {
		return Matrix{}, err
	}
	return Matrix{Q: p, Scale: scale}, nil
}

// Rows and Cols are N and K.
func (m *Matrix) Rows() int { return m.Q.N }
func (m *Matrix) Cols() int { return m.Q.K }

// Dequantize returns the float32 weights Scale·Q, row-major [N, K]: the
// "weights-only int8" mode, which isolates the weight error from the
// activation quantization error.
func (m *Matrix) Dequantize() []float32 {
	N, K, KP := m.Q.N, m.Q.K, m.Q.KP
	out := make([]float32, N*K)
	for r := 0; r < N; r++ {
		base := (r/asm.S8TileN)*asm.S8TileN*KP + (r%asm.S8TileN)*4
		for j := 0; j < K; j++ {
			out[r*K+j] = m.Scale[r] * float32(m.Q.Data[base+(j/4)*64+j%4])
		}
	}
	return out
}

// Activations holds one matmul input quantized per token (row).
type Activations struct {
	Q     []int8    // [rows, K]
	Scale []float32 // [rows]
}

// QuantizeRows quantizes x [rows, K] into a (whose buffers must be large
// enough), one scale per row.
func (a *Activations) QuantizeRows(x []float32, rows, K int) {
	for r := 0; r < rows; r++ {
		a.Scale[r] = asm.QuantizeRowS8(a.Q[r*K:(r+1)*K], x[r*K:(r+1)*K])
	}
}

// ApplyTiles computes the output columns of tiles [t0, t1) of
// y [rows, N] = x·Wᵀ from quantized activations: the exact int32 products
// from the kernel, scaled by the token's and the row's scales in the
// kernel's epilogue.
func (m *Matrix) ApplyTiles(y []float32, a *Activations, rows int, t0, t1 int) {
	asm.GemmS8DequantTiles(&asm.S8Dequant{Y: y, A: a.Scale, W: m.Scale}, a.Q, rows, &m.Q, t0, t1)
}

// ApplySwiGLUTiles computes, for a gate_up matrix (gate rows, then up
// rows, each half whole tiles), hid [rows, N/2] = SwiGLU of the two halves
// of x·Wᵀ, for the hid columns of gate tiles [t0, t1): ApplyTiles and
// SwiGLU with the same bits, without the [rows, N] product in memory.
func (m *Matrix) ApplySwiGLUTiles(hid []float32, a *Activations, rows int, t0, t1 int) {
	asm.GemmS8SwiGLUTiles(&asm.S8Dequant{A: a.Scale, W: m.Scale}, hid, a.Q, rows, &m.Q, t0, t1)
}

// SwiGLUTiles is the number of gate tiles of a gate_up matrix that
// ApplySwiGLUTiles can take, or 0 when its halves are not whole tiles.
func (m *Matrix) SwiGLUTiles() int {
	if m.Q.N%(2*asm.S8TileN) != 0 {
		return 0
	}
	return m.Q.N / 2 / asm.S8TileN
}
