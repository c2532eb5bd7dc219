package trainer

import (
	"math"
	"math/rand/v2"
)

// truncNormal fills v with the official JAX-style truncated normal of
// standard deviation std (spec §1.13): inverse-erf sampling on [-2, 2]
// standard deviations, rescaled so the result has exactly std.
func truncNormal(v []float32, std float64, rng *rand.Rand) {
	if std == 0 {
		clear(v)
		return
	}
	lo, hi := math.Erf(-2/math.Sqrt2), math.Erf(2/math.Sqrt2)
	c := 1 / math.Sqrt(0.773735)
	for i := range v {
		u := lo + (hi-lo)*rng.Float64()
		x := math.Erfinv(u) * math.Sqrt2 * c * std
		x = math.Max(-2*c*std, math.Min(2*c*std, x))
		v[i] = float32(x)
	}
}

// bf16Round rounds to the nearest bfloat16 (ties to even), as the official
// H_init/L_init buffers are created in bf16.
func bf16Round(f float32) float32 {
	b := math.Float32bits(f)
	b += 0x7fff + (b>>16)&1
	return math.Float32frombits(b &^ 0xffff)
}

// lrAt is the official schedule: linear warm-up, then cosine decay to
// minRatio·base (minRatio 1 is constant).
func lrAt(base float64, step, warmup, total int, minRatio float64) float64 {
	if step < warmup {
		return base * float64(step) / float64(warmup)
	}
	p := float64(step-warmup) / float64(max(1, total-warmup))
	return base * (minRatio + math.Max(0, (1-minRatio)*0.5*(1+math.Cos(math.Pi*p))))
}

// adamATan2 is the optimizer of the official recipe (spec §4.2): decoupled
// weight decay first, lerp-form moments, no epsilon, and the update
// atan2(m, sqrt(v)/sqrt(bc2)) scaled by lr/bc1. t counts from 1.
func adamATan2(p, g, m, v []float32, lr, wd, beta1, beta2 float64, t int) {
	bc1 := 1 - math.Pow(beta1, float64(t))
	bc2 := 1 - math.Pow(beta2, float64(t))
	decay := float32(1 - lr*wd)
	a1, a2 := float32(1-beta1), float32(1-beta2)
	step := lr / bc1
	sbc2 := math.Sqrt(bc2)
	for i := range p {
		gi := g[i]
		p[i] *= decay
		m[i] += a1 * (gi - m[i])
		v[i] += a2 * (gi*gi - v[i])
		p[i] -= float32(step * math.Atan2(float64(m[i]), math.Sqrt(float64(v[i]))/sbc2))
	}
}

// signSGD updates one puzzle-embedding row (spec §4.3): w ← w(1 − lr·wd) −
// lr·sign(g), sign(0) = 0.
func signSGD(w, g []float32, lr, wd float64) {
	decay := float32(1 - lr*wd)
	for i := range w {
		s := float32(0)
		if g[i] > 0 {
			s = 1
		} else if g[i] < 0 {
			s = -1
		}
		w[i] = w[i]*decay - float32(lr)*s
	}
}

// emaUpdate is the official EMAHelper.update: avg ← (1 − μ)·p + μ·avg.
func emaUpdate(avg, p []float32, mu float64) {
	a, b := float32(1-mu), float32(mu)
	for i := range avg {
		avg[i] = a*p[i] + b*avg[i]
	}
}
