package trainer

import (
	"math"

	"github.com/hrmgo/hrm/asm"
)

// The float32 training path computes attention per head with matrix
// products and keeps the probabilities P [heads, T, T] for the backward: at
// training sizes (T ≤ 289) that costs a few MB and turns the quadratic part
// into GEMM calls. The generic attnFwd/attnBwd remain the specification and
// the float64 path of the gradient checks.

// attnScratch holds one head's gathered operands.
type attnScratch struct {
	q, k, v, g, dq, dk, dv, dp []float32
}

func newAttnScratch(T, d int) *attnScratch {
	f := func(n int) []float32 { return make([]float32, n) }
	return &attnScratch{q: f(T * d), k: f(T * d), v: f(T * d), g: f(T * d), dq: f(T * d), dk: f(T * d), dv: f(T * d), dp: f(T * T)}
}

// gatherHead copies column block [off, off+d) of rows of width ld.
func gatherHead(dst, src []float32, T, ld, off, d int) {
	for t := 0; t < T; t++ {
		copy(dst[t*d:(t+1)*d], src[t*ld+off:t*ld+off+d])
	}
}

func scatterAddHead(dst, src []float32, T, ld, off, d int) {
	for t := 0; t < T; t++ {
		row := dst[t*ld+off : t*ld+off+d]
		for i, v := range src[t*d : (t+1)*d] {
			row[i] += v
		}
	}
}

// attnFwdF32 writes o [T, D] and the probabilities p [heads, T, T] of one
// sequence from qkv [T, 3D].
func attnFwdF32(o, p, qkv []float32, T, heads, d int, ws *attnScratch) {
	D := heads * d
	scale := float32(1 / sqrt64(float64(d)))
	for h := 0; h < heads; h++ {
		gatherHead(ws.q, qkv, T, 3*D, h*d, d)
		gatherHead(ws.k, qkv, T, 3*D, D+h*d, d)
		gatherHead(ws.v, qkv, T, 3*D, 2*D+h*d, d)
		ph := p[h*T*T : (h+1)*T*T]
		asm.GemmF32NT(ph, ws.q, ws.k, T, T, d, false)
		for t := 0; t < T; t++ {
			asm.SoftmaxRow(ph[t*T:(t+1)*T], scale)
		}
		asm.GemmF32NN(ws.g, ph, ws.v, T, d, T, false)
		for t := 0; t < T; t++ {
			copy(o[t*D+h*d:t*D+h*d+d], ws.g[t*d:(t+1)*d])
		}
	}
}

// attnBwdF32 accumulates dqkv [T, 3D] from do [T, D].
func attnBwdF32(dqkv, do, p, qkv []float32, T, heads, d int, ws *attnScratch) {
	D := heads * d
	scale := float32(1 / sqrt64(float64(d)))
	for h := 0; h < heads; h++ {
		gatherHead(ws.q, qkv, T, 3*D, h*d, d)
		gatherHead(ws.k, qkv, T, 3*D, D+h*d, d)
		gatherHead(ws.v, qkv, T, 3*D, 2*D+h*d, d)
		gatherHead(ws.g, do, T, D, h*d, d)
		ph := p[h*T*T : (h+1)*T*T]
		asm.GemmF32TN(ws.dv, ph, ws.g, T, d, T, false)   // dV = Pᵀ·dO
		asm.GemmF32NT(ws.dp, ws.g, ws.v, T, T, d, false) // dP = dO·Vᵀ
		for t := 0; t < T; t++ {
			pr, dr := ph[t*T:(t+1)*T], ws.dp[t*T:(t+1)*T]
			var delta float32
			for u := range pr {
				delta += pr[u] * dr[u]
			}
			for u := range dr {
				dr[u] = pr[u] * (dr[u] - delta) * scale // dS
			}
		}
		asm.GemmF32NN(ws.dq, ws.dp, ws.k, T, d, T, false) // dQ = dS·K
		asm.GemmF32TN(ws.dk, ws.dp, ws.q, T, d, T, false) // dK = dSᵀ·Q
		scatterAddHead(dqkv, ws.dq, T, 3*D, h*d, d)
		scatterAddHead(dqkv, ws.dk, T, 3*D, D+h*d, d)
		scatterAddHead(dqkv, ws.dv, T, 3*D, 2*D+h*d, d)
	}
}

func sqrt64(x float64) float64 { return math.Sqrt(x) }
