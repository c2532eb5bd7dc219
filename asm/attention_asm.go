//go:build (amd64 || arm64) && !purego && !noasm

package asm

import (
	"math"
	"unsafe"
)

// attnKernel is one asm tier of attention. Its kernel (callAttn with id)
// handles mq queries (rows at or past mr alias query 0 and are not stored)
// of one head with headDim = 64 against all t keys: q rows ldq floats
// apart, kt the head's keys transposed into 64 rows of tp floats (zero
// padded to a multiple of 16; callTransposeK), v rows ldv floats apart, o
// rows ldo floats apart. work holds attnWorkHead floats, the first the
// score scale, then mq rows of tp floats for the scores.
type attnKernel struct {
	mq    int
	other *attnBlocked // for head sizes other than 64; nil: generic
	id    int
}

// The selected attention tier: at most one of these is set; neither means
// generic.
var (
	attnFused *attnKernel
	attnBlk   *attnBlocked
)

func installAttentionGeneric()                { attnFused, attnBlk = nil, nil }
func installAttention(kn *attnKernel)         { attnFused, attnBlk = kn, nil }
func installAttentionBlocked(kb *attnBlocked) { attnFused, attnBlk = nil, kb }

func attentionHeadGenericOnly() bool { return attnFused == nil && attnBlk == nil }

// attentionHeadArch runs head h on the selected asm tier with scratch ws
// (AttentionWorkspace floats).
func attentionHeadArch(o, qkv []float32, T, heads, d, h int, ws []float32) {
	if kn := attnFused; kn != nil {
		attentionHeadAsm(kn, o, qkv, T, heads, d, h, ws)
	} else {
		attentionHeadBlocked(attnBlk, o, qkv, T, heads, d, h, ws)
	}
}

// attnHeadDim is the head size the kernels are written for (HRM's).
const attnHeadDim = 64

func attentionHeadAsm(kn *attnKernel, o, qkv []float32, T, heads, d, h int, ws []float32) {
	if d != attnHeadDim {
		if kn.other != nil {
			attentionHeadBlocked(kn.other, o, qkv, T, heads, d, h, ws)
		} else {
			attentionHeadGeneric(o, qkv, T, heads, d, h)
		}
		return
	}
	D := heads * d
	ld := 3 * D
	tp := roundUp(T, 16)
	kt := ws[:d*tp]
	// Transposing K costs T·d moves against 2·T²·d multiply-adds.
	callTransposeK(kn.id, &kt[0], tp, &qkv[D+h*d], ld, T)
	work := ws[d*tp:][:attnWorkHead+kn.mq*tp]
	work[0] = float32(1 / math.Sqrt(float64(d)))
	for t := 0; t < T; t += kn.mq {
		callAttn(kn.id, &o[t*D+h*d], D, &qkv[t*ld+h*d], ld, &kt[0], tp, &qkv[2*D+h*d], ld, T, min(kn.mq, T-t), &work[0])
	}
}

// transposeK64Go is callTransposeK's loop: kt[i·tp + s] = k[s·ldk + i]
// for the 64 features i and keys s < t, and 0 for t ≤ s < tp.
func transposeK64Go(kt *float32, tp int, k *float32, ldk int, t int) {
	dst := unsafe.Slice(kt, attnHeadDim*tp)
	src := unsafe.Slice(k, (t-1)*ldk+attnHeadDim)
	for s := 0; s < t; s++ {
		row := src[s*ldk : s*ldk+attnHeadDim]
		for i, x := range row {
			dst[i*tp+s] = x
		}
	}
	for i := 0; i < attnHeadDim; i++ {
		clear(dst[i*tp+t : (i+1)*tp])
	}
}

// attnBlocked is the attention tier built from a GEMM tier and a vector
// exp (AVX2, NEON): per block of attnMQ queries and attnNB keys, S = Q·Kᵀ
// and O += P·V are GEMM calls on slices of qkv, and expRow does the
// online-softmax step of one score row. Any head size works.
type attnBlocked struct {
	gemm *f32Kernel
	// expRow (callExpRow with this id) finds mNew = max(mPrev, scale·max x)
	// and replaces x[i] by exp(scale·x[i] − mNew), returning Σ x[i] and
	// mNew (n > 0).
	expRow int
}

func attentionHeadBlocked(kb *attnBlocked, o, qkv []float32, T, heads, d, h int, ws []float32) {
	D := heads * d
	ld := 3 * D
	scale := float32(1 / math.Sqrt(float64(d)))
	// V transposed ([d][T]) turns P·V into the NT product the kernels do;
	// it costs T·d moves per head against 2·T²·d multiply-adds.
	vt := ws[:d*T]
	for s := 0; s < T; s++ {
		vr := qkv[s*ld+2*D+h*d : s*ld+2*D+h*d+d]
		for i, x := range vr {
			vt[i*T+s] = x
		}
	}
	sc := ws[d*roundUp(T, 16):][:attnMQ*attnNB]
	var m, l [attnMQ]float32
	for t0 := 0; t0 < T; t0 += attnMQ {
		mq := min(attnMQ, T-t0)
		for r := 0; r < mq; r++ {
			m[r], l[r] = float32(math.Inf(-1)), 0
			clear(o[(t0+r)*D+h*d : (t0+r)*D+h*d+d])
		}
		for s0 := 0; s0 < T; s0 += attnNB {
			nb := min(attnNB, T-s0)
			gemmF32Strided(kb.gemm, sc, attnNB, qkv[t0*ld+h*d:], ld, qkv[s0*ld+D+h*d:], ld, mq, nb, d, false)
			for r := 0; r < mq; r++ {
				sum, mNew := callExpRow(kb.expRow, &sc[r*attnNB], nb, scale, m[r])
				if mNew > m[r] {
					// Rescale what earlier key blocks accumulated (nothing
					// before the first block).
					if s0 > 0 {
						corr := float32(math.Exp(float64(m[r] - mNew)))
						l[r] *= corr
						or := o[(t0+r)*D+h*d : (t0+r)*D+h*d+d]
						for i := range or {
							or[i] *= corr
						}
					}
					m[r] = mNew
				}
				l[r] += sum
			}
			gemmF32Strided(kb.gemm, o[t0*D+h*d:], D, sc, attnNB, vt[s0:], T, mq, d, nb, true)
		}
		for r := 0; r < mq; r++ {
			inv := 1 / l[r]
			or := o[(t0+r)*D+h*d : (t0+r)*D+h*d+d]
			for i := range or {
				or[i] *= inv
			}
		}
	}
}

// expRowArch replaces x by exp(scale·x − scale·max x) with the selected
// tier's row exp and returns the sum.
func expRowArch(x []float32, scale float32) float32 {
	sum, _ := callExpRow(0, &x[0], len(x), scale, float32(math.Inf(-1)))
	return sum
}
