package asm

import (
	"fmt"
	"math"
)

// AttentionF32 is non-causal, unmasked multi-head attention over one
// sequence of T positions, reading the fused projection qkv [T, 3·D]
// (D = heads·headDim): row t holds all q heads, then all k heads, then all
// v heads, head h feature i at offset h·headDim+i within each third. It
// writes o [T, D], feature h·headDim+i, with scores scaled by
// 1/sqrt(headDim).
//
// Keys are streamed, with an online softmax (running max and sum) in the
// generic and GEMM-blocked tiers and over a score block of 4 queries × T
// in the fused AVX-512 kernel, so no T×T score matrix exists at any point;
// memory use is O(T·headDim) per head.
func AttentionF32(o, qkv []float32, T, heads, headDim int) {
	AttentionF32Heads(o, qkv, T, heads, headDim, 0, heads)
}

// AttentionF32Heads computes only heads [h0,h1) of AttentionF32, writing
// only their columns of o, so that heads can be split across threads.
// Scratch memory comes from a pool; AttentionF32HeadsWs takes it from the
// caller instead.
func AttentionF32Heads(o, qkv []float32, T, heads, headDim, h0, h1 int) {
	AttentionF32HeadsWs(o, qkv, T, heads, headDim, h0, h1, nil)
}

// AttentionWorkspace is the number of floats of scratch that
// AttentionF32HeadsWs needs for T positions and heads of headDim (about
// T·headDim + max(16384, 4·T); none for the generic tier, but the size does not depend
// on the tier so that a buffer stays valid across Use).
func AttentionWorkspace(T, headDim int) int {
	return headDim*roundUp(T, 16) + max(attnMQ*attnNB, attnWorkHead+attnFusedMQ*roundUp(T, 16))
}

// AttentionF32HeadsWs is AttentionF32Heads with caller-owned scratch ws of
// at least AttentionWorkspace(T, headDim) floats (one per concurrent
// caller), so that a session that owns its buffers allocates nothing; a nil
// ws uses a pool.
func AttentionF32HeadsWs(o, qkv []float32, T, heads, headDim, h0, h1 int, ws []float32) {
	D := heads * headDim
	if T < 0 || heads <= 0 || headDim <= 0 || h0 < 0 || h1 > heads || h0 > h1 ||
		len(qkv) < T*3*D || len(o) < T*D {
		panic(fmt.Sprintf("asm: AttentionF32Heads: T=%d heads=%d headDim=%d heads [%d,%d) len(qkv)=%d len(o)=%d",
			T, heads, headDim, h0, h1, len(qkv), len(o)))
	}
	if T == 0 {
		return
	}
	if ws != nil && len(ws) < AttentionWorkspace(T, headDim) {
		panic(fmt.Sprintf("asm: AttentionF32HeadsWs: workspace of %d floats, need %d", len(ws), AttentionWorkspace(T, headDim)))
	}
	var pooled *[]float32
	for h := h0; h < h1; h++ {
		if attentionHeadGenericOnly() {
			attentionHeadGeneric(o, qkv, T, heads, headDim, h)
			continue
		}
		if ws == nil {
			pooled = getF32(AttentionWorkspace(T, headDim))
			ws = *pooled
		}
		attentionHeadArch(o, qkv, T, heads, headDim, h, ws)
	}
	if pooled != nil {
		putF32(pooled)
	}
}

// SoftmaxRow replaces the scores x by softmax(scale·x), for scale > 0:
//
//	x[i] = exp(scale·x[i] − m) / Σ_j exp(scale·x[j] − m),  m = scale·max x
//
// the row step of attention when the probabilities are kept, as the
// trainer does. It belongs to FamilyAttention: the generic tier takes the
// exponentials in float64, the others use their kernels' float32 exp, and
// every tier is within attnTol·(1 + S/10) of the exact probability
// relative to it (S = scale·max|x|, the float32 limit of a score of that
// size; TestSoftmaxRow).
func SoftmaxRow(x []float32, scale float32) {
	if len(x) == 0 {
		return
	}
	var sum float32
	if attentionHeadGenericOnly() {
		mx := x[0]
		for _, v := range x {
			mx = max(mx, v)
		}
		m := mx * scale
		for i, v := range x {
			e := float32(math.Exp(float64(v*scale - m)))
			x[i] = e
			sum += e
		}
	} else {
		sum = expRowArch(x, scale)
	}
	inv := 1 / sum
	for i := range x {
		x[i] *= inv
	}
}

// The blocked tiers' tile: attnMQ queries by attnNB keys.
const (
	attnMQ = 64  // queries per block: reuse of each K and V row
	attnNB = 256 // keys per block: long enough to amortise the P·V reduction
)

// A fused kernel's work block: attnWorkHead floats of scalars, then the
// scores of its attnFusedMQ queries against every key.
const (
	attnWorkHead = 16
	attnFusedMQ  = 4
)

// attnBlock is the key block of the generic kernel: the max and the
// rescaling of the accumulator happen once per block, not once per key.
const attnBlock = 64

// attentionHeadGeneric is the reference online-softmax attention for one
// head. Exponentials are computed in float64, everything else in float32.
func attentionHeadGeneric(o, qkv []float32, T, heads, d, h int) {
	D := heads * d
	ld := 3 * D
	scale := float32(1 / math.Sqrt(float64(d)))
	var s [attnBlock]float32
	for t := 0; t < T; t++ {
		q := qkv[t*ld+h*d : t*ld+h*d+d]
		acc := o[t*D+h*d : t*D+h*d+d]
		clear(acc)
		mx := float32(math.Inf(-1))
		var l float32
		for s0 := 0; s0 < T; s0 += attnBlock {
			nb := min(attnBlock, T-s0)
			bm := mx
			for j := 0; j < nb; j++ {
				kr := qkv[(s0+j)*ld+D+h*d : (s0+j)*ld+D+h*d+d]
				var dot float32
				for i, x := range q {
					dot += x * kr[i]
				}
				s[j] = dot * scale
				bm = max(bm, s[j])
			}
			if bm > mx {
				corr := float32(math.Exp(float64(mx - bm)))
				l *= corr
				for i := range acc {
					acc[i] *= corr
				}
				mx = bm
			}
			for j := 0; j < nb; j++ {
				p := float32(math.Exp(float64(s[j] - mx)))
				l += p
				vr := qkv[(s0+j)*ld+2*D+h*d : (s0+j)*ld+2*D+h*d+d]
				axpy(acc, vr, p)
			}
		}
		inv := 1 / l
		for i := range acc {
			acc[i] *= inv
		}
	}
}
