package trainer

import (
	"math"

	"github.com/hrmgo/hrm/asm"
)

// Float is the element type of the ops: float32 for training, float64 for
// gradient checks.
type Float interface{ ~float32 | ~float64 }

// ---------------------------------------------------------------------------
// Matrix products. float32 goes to the asm kernels; float64 (gradient
// checks only) takes the plain loops.

// matNT computes c[m,n] (+)= a[m,k] · b[n,k]ᵀ.
func matNT[T Float](c, a, b []T, m, n, k int, acc bool) {
	if cf, ok := any(c).([]float32); ok {
		asm.GemmF32NT(cf, any(a).([]float32), any(b).([]float32), m, n, k, acc)
		return
	}
	for i := 0; i < m; i++ {
		for j := 0; j < n; j++ {
			var s T
			for p := 0; p < k; p++ {
				s += a[i*k+p] * b[j*k+p]
			}
			if acc {
				c[i*n+j] += s
			} else {
				c[i*n+j] = s
			}
		}
	}
}

// matNN computes c[m,n] (+)= a[m,k] · b[k,n].
func matNN[T Float](c, a, b []T, m, n, k int, acc bool) {
	if cf, ok := any(c).([]float32); ok {
		asm.GemmF32NN(cf, any(a).([]float32), any(b).([]float32), m, n, k, acc)
		return
	}
	if !acc {
		clear(c[:m*n])
	}
	for i := 0; i < m; i++ {
		ci := c[i*n : i*n+n]
		for p := 0; p < k; p++ {
			av := a[i*k+p]
			if av == 0 {
				continue
			}
			bp := b[p*n : p*n+n]
			for j := range ci {
				ci[j] += av * bp[j]
			}
		}
	}
}

// matTN computes c[m,n] (+)= a[k,m]ᵀ · b[k,n].
func matTN[T Float](c, a, b []T, m, n, k int, acc bool) {
	if cf, ok := any(c).([]float32); ok {
		asm.GemmF32TN(cf, any(a).([]float32), any(b).([]float32), m, n, k, acc)
		return
	}
	if !acc {
		clear(c[:m*n])
	}
	for p := 0; p < k; p++ {
		ap := a[p*m : p*m+m]
		bp := b[p*n : p*n+n]
		for i, av := range ap {
			if av == 0 {
				continue
			}
			ci := c[i*n : i*n+n]
			for j := range ci {
				ci[j] += av * bp[j]
			}
		}
	}
}

// linearFwd: y[n,out] = x[n,in] · w[out,in]ᵀ.
func linearFwd[T Float](y, x, w []T, n, out, in int) { matNT(y, x, w, n, out, in, false) }

// linearBwd: dx[n,in] (+)= dy · w; dw[out,in] += dyᵀ · x.
func linearBwd[T Float](dx, dw, dy, x, w []T, n, out, in int, accDx bool) {
	if dx != nil {
		matNN(dx, dy, w, n, in, out, accDx)
	}
	matTN(dw, dy, x, out, in, n, true)
}

// ---------------------------------------------------------------------------
// Weightless RMSNorm of a residual sum: y = h / r, r = sqrt(mean(h²) + eps).

// rmsFwd adds y (nil: nothing) to h [n,D], normalises each row and stores
// the factor it scaled by, inv = 1/r, per row.
func rmsFwd[T Float](h, y, inv []T, D int, eps T) {
	if h32, ok := any(h).([]float32); ok && y != nil {
		y32, i32 := any(y).([]float32), any(inv).([]float32)
		for i := 0; i*D < len(h32); i++ {
			i32[i] = asm.AddRMSNormInv(h32[i*D:(i+1)*D], y32[i*D:(i+1)*D], float32(eps))
		}
		return
	}
	for i := 0; i*D < len(h); i++ {
		row := h[i*D : (i+1)*D]
		if y != nil {
			for j, v := range y[i*D : (i+1)*D] {
				row[j] += v
			}
		}
		var ss T
		for _, v := range row {
			ss += v * v
		}
		ri := 1 / T(math.Sqrt(float64(ss/T(D)+eps)))
		inv[i] = ri
		for j := range row {
			row[j] *= ri
		}
	}
}

// rmsBwd turns dy into dh in place: dh = (dy − y·mean(dy·y))·inv.
func rmsBwd[T Float](dy, y, inv []T, D int) {
	if d32, ok := any(dy).([]float32); ok {
		y32, i32 := any(y).([]float32), any(inv).([]float32)
		for i := 0; i*D < len(d32); i++ {
			asm.RMSNormBwd(d32[i*D:(i+1)*D], y32[i*D:(i+1)*D], i32[i])
		}
		return
	}
	for i := 0; i*D < len(dy); i++ {
		d, yy := dy[i*D:(i+1)*D], y[i*D:(i+1)*D]
		var dot T
		for j := range d {
			dot += d[j] * yy[j]
		}
		dot /= T(D)
		for j := range d {
			d[j] = (d[j] - yy[j]*dot) * inv[i]
		}
	}
}

// ---------------------------------------------------------------------------
// SwiGLU: hid = silu(gate) · up, with gate = gu[:, :F], up = gu[:, F:].

func sigmoid[T Float](z T) T {
	if z32, ok := any(z).(float32); ok {
		return T(1 / (1 + asm.Exp32(-z32)))
	}
	return 1 / (1 + T(math.Exp(float64(-z))))
}

func swigluFwd[T Float](hid, gu []T, n, F int) {
	if h32, ok := any(hid).([]float32); ok {
		g32 := any(gu).([]float32)
		for i := 0; i < n; i++ {
			asm.SwiGLU(h32[i*F:(i+1)*F], g32[i*2*F:i*2*F+F], g32[i*2*F+F:(i+1)*2*F])
		}
		return
	}
	for i := 0; i < n; i++ {
		g, u, h := gu[i*2*F:i*2*F+F], gu[i*2*F+F:(i+1)*2*F], hid[i*F:(i+1)*F]
		for j := range h {
			h[j] = g[j] * sigmoid(g[j]) * u[j]
		}
	}
}

// swigluBwd writes dgu [n,2F] from dhid; float32 runs asm.SwiGLUBwd, whose
// σ shares SwiGLU's exponential.
func swigluBwd[T Float](dgu, dhid, gu []T, n, F int) {
	if d32, ok := any(dgu).([]float32); ok {
		h32, g32 := any(dhid).([]float32), any(gu).([]float32)
		for i := 0; i < n; i++ {
			dg, g := d32[i*2*F:(i+1)*2*F], g32[i*2*F:(i+1)*2*F]
			asm.SwiGLUBwd(dg[:F], dg[F:], h32[i*F:(i+1)*F], g[:F], g[F:])
		}
		return
	}
	for i := 0; i < n; i++ {
		g, u := gu[i*2*F:i*2*F+F], gu[i*2*F+F:(i+1)*2*F]
		dg, du, dh := dgu[i*2*F:i*2*F+F], dgu[i*2*F+F:(i+1)*2*F], dhid[i*F:(i+1)*F]
		for j := range dh {
			s := sigmoid(g[j])
			silu := g[j] * s
			du[j] = dh[j] * silu
			dg[j] = dh[j] * u[j] * s * (1 + g[j]*(1-s))
		}
	}
}

// ---------------------------------------------------------------------------
// RoPE, half-split. The backward of a rotation is the rotation by −angle.

// ropeApply rotates the q and k heads of qkv rows [n, 3D] in place; row r is
// at position r mod T. sign = +1 forward, −1 backward.
func ropeApply[T Float](qkv []T, cos, sin []float32, n, T_, heads, d int, sign T) {
	D, half := heads*d, d/2
	for r := 0; r < n; r++ {
		p := r % T_
		c, s := cos[p*half:(p+1)*half], sin[p*half:(p+1)*half]
		row := qkv[r*3*D : r*3*D+2*D]
		for h := 0; h < 2*heads; h++ {
			v := row[h*d : (h+1)*d]
			for j := 0; j < half; j++ {
				a, b := v[j], v[j+half]
				cj, sj := T(c[j]), sign*T(s[j])
				v[j] = a*cj - b*sj
				v[j+half] = b*cj + a*sj
			}
		}
	}
}

// ---------------------------------------------------------------------------
// Attention over one sequence of T rows, non-causal, heads × d. The forward
// keeps only the output and the log-sum-exp per (query, head); the backward
// recomputes the probabilities, so no [T, T] matrix is stored.

func attnFwd[T Float](o, lse, qkv []T, T_, heads, d int) {
	D := heads * d
	scale := T(1 / math.Sqrt(float64(d)))
	for h := 0; h < heads; h++ {
		for t := 0; t < T_; t++ {
			q := qkv[t*3*D+h*d : t*3*D+h*d+d]
			out := o[t*D+h*d : t*D+h*d+d]
			mx := T(math.Inf(-1))
			for u := 0; u < T_; u++ {
				k := qkv[u*3*D+D+h*d : u*3*D+D+h*d+d]
				var s T
				for i := range q {
					s += q[i] * k[i]
				}
				mx = max(mx, s*scale)
			}
			var sum T
			clear(out)
			for u := 0; u < T_; u++ {
				k := qkv[u*3*D+D+h*d : u*3*D+D+h*d+d]
				v := qkv[u*3*D+2*D+h*d : u*3*D+2*D+h*d+d]
				var s T
				for i := range q {
					s += q[i] * k[i]
				}
				p := T(math.Exp(float64(s*scale - mx)))
				sum += p
				for i := range out {
					out[i] += p * v[i]
				}
			}
			for i := range out {
				out[i] /= sum
			}
			lse[t*heads+h] = mx + T(math.Log(float64(sum)))
		}
	}
}

// attnBwd accumulates dqkv [T, 3D] from do [T, D].
func attnBwd[T Float](dqkv, do, o, lse, qkv []T, T_, heads, d int) {
	D := heads * d
	scale := T(1 / math.Sqrt(float64(d)))
	for h := 0; h < heads; h++ {
		for t := 0; t < T_; t++ {
			q := qkv[t*3*D+h*d : t*3*D+h*d+d]
			dq := dqkv[t*3*D+h*d : t*3*D+h*d+d]
			g := do[t*D+h*d : t*D+h*d+d]
			out := o[t*D+h*d : t*D+h*d+d]
			var delta T // Σ_u P·dP = dO·O
			for i := range g {
				delta += g[i] * out[i]
			}
			l := lse[t*heads+h]
			for u := 0; u < T_; u++ {
				k := qkv[u*3*D+D+h*d : u*3*D+D+h*d+d]
				v := qkv[u*3*D+2*D+h*d : u*3*D+2*D+h*d+d]
				dk := dqkv[u*3*D+D+h*d : u*3*D+D+h*d+d]
				dv := dqkv[u*3*D+2*D+h*d : u*3*D+2*D+h*d+d]
				var s, dp T
				for i := range q {
					s += q[i] * k[i]
					dp += g[i] * v[i]
				}
				p := T(math.Exp(float64(s*scale - l)))
				ds := p * (dp - delta) * scale
				for i := range q {
					dv[i] += p * g[i]
					dq[i] += ds * k[i]
					dk[i] += ds * q[i]
				}
			}
		}
	}
}

// ---------------------------------------------------------------------------
// Losses.

// stablemax s(x) = x+1 for x ≥ 0, 1/(1−x) for x < 0 (the official adds
// 1e-30 to the denominator, which is below float64 resolution here).
func stablemax(x float64) float64 {
	if x >= 0 {
		return x + 1
	}
	return 1 / (1 - x + 1e-30)
}

func stablemaxDeriv(x float64) float64 {
	if x >= 0 {
		return 1
	}
	return 1 / ((1 - x) * (1 - x))
}

// stablemaxCE returns −log p_label in float64, as the official loss does on
// upcast logits, and writes d loss / d logits into grad (scaled by w).
func stablemaxCE[T Float](logits []T, label int, grad []T, w float64) float64 {
	var sum float64
	for _, x := range logits {
		sum += stablemax(float64(x))
	}
	xl := float64(logits[label])
	loss := -math.Log(stablemax(xl) / sum)
	if grad != nil {
		for j, x := range logits {
			g := stablemaxDeriv(float64(x)) / sum
			if j == label {
				g -= stablemaxDeriv(xl) / stablemax(xl)
			}
			grad[j] = T(w * g)
		}
	}
	return loss
}

// softmaxCE is ordinary cross-entropy, the official alternative loss.
func softmaxCE[T Float](logits []T, label int, grad []T, w float64) float64 {
	mx := math.Inf(-1)
	for _, x := range logits {
		mx = math.Max(mx, float64(x))
	}
	var sum float64
	for _, x := range logits {
		sum += math.Exp(float64(x) - mx)
	}
	loss := mx + math.Log(sum) - float64(logits[label])
	if grad != nil {
		for j, x := range logits {
			g := math.Exp(float64(x)-mx) / sum
			if j == label {
				g--
			}
			grad[j] = T(w * g)
		}
	}
	return loss
}

// bceLogits is the stable binary cross-entropy with logits,
// max(z,0) − z·t + log(1+e^−|z|); its gradient is σ(z) − t.
func bceLogits(z, t float64) (loss, grad float64) {
	loss = math.Max(z, 0) - z*t + math.Log1p(math.Exp(-math.Abs(z)))
	return loss, 1/(1+math.Exp(-z)) - t
}
