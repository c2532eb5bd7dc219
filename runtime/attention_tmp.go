package runtime

import "math"

// attentionF32 is non-causal multi-head attention over one sequence, read
// from the fused qkv rows [T, 3D] and written to o [T, D]. It streams over
// keys with an online softmax, so no [T, T] score matrix exists.
func attentionF32(o, qkv, acc []float32, T, heads, d int) {
	D := heads * d
	scale := float32(1 / math.Sqrt(float64(d)))
	acc = acc[:d]
	for h := 0; h < heads; h++ {
		for t := 0; t < T; t++ {
			q := qkv[t*3*D+h*d : t*3*D+h*d+d]
			mx := float32(math.Inf(-1))
			var sum float32
			clear(acc)
			for u := 0; u < T; u++ {
				k := qkv[u*3*D+D+h*d : u*3*D+D+h*d+d]
				v := qkv[u*3*D+2*D+h*d : u*3*D+2*D+h*d+d]
				var sc float32
				for i := range q {
					sc += q[i] * k[i]
				}
				sc *= scale
				if sc > mx {
					r := float32(math.Exp(float64(mx - sc)))
					sum *= r
					for i := range acc {
						acc[i] *= r
					}
					mx = sc
				}
				p := float32(math.Exp(float64(sc - mx)))
				sum += p
				for i := range acc {
					acc[i] += p * v[i]
				}
			}
			out := o[t*D+h*d : t*D+h*d+d]
			for i := range out {
				out[i] = acc[i] / sum
			}
		}
	}
}
