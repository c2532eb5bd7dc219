package asm

import (
	"fmt"
	"math"
	"math/rand/v2"
	"testing"
)

// The trainer's backward kernels: every tier equals the generic function
// bit for bit, and the generic function is checked against float64.

func checkSwiGLUBwd(t *testing.T, dh, gate, up []float32) {
	t.Helper()
	n := len(dh)
	wdg, wdu := make([]float32, n), make([]float32, n)
	swigluBwdGeneric(wdg, wdu, dh, gate, up)
	gdg, gdu := make([]float32, n+1), make([]float32, n+1)
	gdg[n], gdu[n] = 7, 7
	SwiGLUBwd(gdg[:n], gdu[:n], dh, gate, up)
	checkSameF32(t, fmt.Sprintf("SwiGLUBwd dgate n=%d", n), gdg, wdg)
	checkSameF32(t, fmt.Sprintf("SwiGLUBwd dup n=%d", n), gdu, wdu)
	if gdg[n] != 7 || gdu[n] != 7 {
		t.Fatalf("n=%d: wrote past the end", n)
	}
}

func TestSwiGLUBwd(t *testing.T) {
	eachTier(t, FamilyVector, func(t *testing.T) {
		r := rand.New(rand.NewPCG(41, 42))
		for _, n := range vecLens() {
			dh, gate, up := make([]float32, n), make([]float32, n), make([]float32, n)
			for kind := 0; kind < 5; kind++ {
				randVec(r, gate, kind)
				randVec(r, up, kind%2)
				randVec(r, dh, []int{0, 0, 0, 4, 4}[kind])
				checkSwiGLUBwd(t, dh, gate, up)
			}
		}
		// Every special gate value in every lane position, with special
		// gradients too.
		gate := make([]float32, 0, 64)
		for len(gate) < 64 {
			gate = append(gate, specialF32...)
		}
		ones := make([]float32, len(gate))
		for i := range ones {
			ones[i] = 1
		}
		for s := 0; s < 16; s++ {
			checkSwiGLUBwd(t, ones[:48], gate[s:s+48], ones[:48])
			checkSwiGLUBwd(t, gate[s+1:s+49], gate[s:s+48], gate[s+2:s+50])
		}
		// A dense sweep of the gates that matter.
		gate, ones = make([]float32, 1024), ones[:0]
		for range gate {
			ones = append(ones, 1)
		}
		for z0 := float32(-104); z0 < 104; z0 += 0.25 {
			for i := range gate {
				gate[i] = z0 + float32(i)*(0.25/1024)
			}
			checkSwiGLUBwd(t, ones, gate, ones)
		}
	})
}

// swigluBwdTol bounds the generic SwiGLUBwd against float64: each output
// within swigluBwdTol of the magnitudes it is summed from (|dh·silu| for
// dup; |dh·up|·(σ + |silu|·(1−σ)) for dgate, whose two terms cancel near
// z = −1.28), plus the smallest normal.
const swigluBwdTol = 6e-7

func TestSwiGLUBwdAccuracy(t *testing.T) {
	r := rand.New(rand.NewPCG(43, 44))
	var worstU, worstG float64
	check := func(dh, z, u float32) {
		dg, du := []float32{0}, []float32{0}
		swigluBwdGeneric(dg, du, []float32{dh}, []float32{z}, []float32{u})
		s := 1 / (1 + math.Exp(-float64(z)))
		sl := float64(z) * s
		eu := float64(dh) * sl
		eg := float64(dh) * float64(u) * (s + sl*(1-s))
		mu := math.Abs(eu)
		mg := math.Abs(float64(dh)*float64(u)) * (s + math.Abs(sl)*(1-s))
		if -z > f32(exp32Hi) { // σ < 2.9e-39: both 0
			if du[0] != 0 || dg[0] != 0 {
				t.Fatalf("SwiGLUBwd(%g): %g, %g, want 0", z, du[0], dg[0])
			}
			return
		}
		dU, dG := math.Abs(float64(du[0])-eu), math.Abs(float64(dg[0])-eg)
		if dU > swigluBwdTol*mu+0x1p-126 || dG > swigluBwdTol*mg+0x1p-126 {
			t.Fatalf("SwiGLUBwd(dh %g, z %g, u %g) = (%g, %g), float64 (%g, %g)", dh, z, u, dg[0], du[0], eg, eu)
		}
		if mu > 0x1p-100 {
			worstU = max(worstU, dU/mu)
		}
		if mg > 0x1p-100 {
			worstG = max(worstG, dG/mg)
		}
	}
	for i := 0; i < 1_000_000; i++ {
		check(float32(r.NormFloat64()), float32(r.Float64()*200-100), float32(r.NormFloat64()))
		check(float32(r.NormFloat64()), float32(r.NormFloat64()*4), float32(r.NormFloat64()))
	}
	for _, z := range specialF32 {
		if z == z && !math.IsInf(float64(z), 0) {
			check(1, z, 1)
		}
	}
	t.Logf("generic SwiGLUBwd: worst relative error %.3g (dup), %.3g (dgate)", worstU, worstG)
}

func FuzzSwiGLUBwd(f *testing.F) {
	f.Add(f32Bytes(1, -2, 0.5, 1e-30), f32Bytes(1, 1, 1, 1), uint8(5))
	f.Add(f32Bytes(specialF32...), f32Bytes(1, -1, 0, 3), uint8(1))
	f.Add(f32Bytes(88.72283, -88.72283, 88.72284, -88.72284, -86, -86.00001, -100, 100), f32Bytes(2), uint8(3))
	f.Fuzz(func(t *testing.T, g, u []byte, rep uint8) {
		gate := bytesF32(g, int(rep))
		up := bytesF32(u, 0)
		if len(up) == 0 {
			up = []float32{1}
		}
		for len(up) < len(gate)+1 {
			up = append(up, up...)
		}
		// dhid is up shifted by one: gradients as arbitrary as the rest.
		eachTier(t, FamilyVector, func(t *testing.T) { checkSwiGLUBwd(t, up[1:len(gate)+1], gate, up[:len(gate)]) })
	})
}

func TestRMSNormBwd(t *testing.T) {
	eachTier(t, FamilyVector, func(t *testing.T) {
		r := rand.New(rand.NewPCG(45, 46))
		for _, n := range vecLens() {
			d, h, y := make([]float32, n), make([]float32, n), make([]float32, n)
			for kind := 0; kind < 5; kind++ {
				randVec(r, d, []int{0, 1, 0, 4, 3}[kind])
				randVec(r, h, []int{0, 0, 2, 4, 4}[kind])
				randVec(r, y, 0)
				inv := AddRMSNormInv(h, y, 1e-5) // h is now the normalised row
				want := append([]float32(nil), d...)
				rmsNormBwdGeneric(want, h, inv)
				got := append(append([]float32(nil), d...), 7)
				RMSNormBwd(got[:n], h, inv)
				checkSameF32(t, fmt.Sprintf("RMSNormBwd n=%d kind=%d", n, kind), got, want)
				if got[n] != 7 {
					t.Fatalf("n=%d: wrote past the end", n)
				}
				if kind == 0 && n > 0 {
					checkRMSBwdExact(t, d, h, inv, want)
				}
			}
		}
	})
}

// checkRMSBwdExact compares with the same formula in float64 from the same
// float32 inputs: within rmsTol of the magnitudes summed, plus 1 ulp.
func checkRMSBwdExact(t *testing.T, d, y []float32, inv float32, got []float32) {
	t.Helper()
	var dot, mag float64
	for i := range d {
		dot += float64(d[i]) * float64(y[i])
		mag += math.Abs(float64(d[i]) * float64(y[i]))
	}
	m, mm := dot/float64(len(d)), mag/float64(len(d))
	for i := range d {
		exact := (float64(d[i]) - float64(y[i])*m) * float64(inv)
		bound := rmsTol*(math.Abs(float64(d[i]))+math.Abs(float64(y[i]))*mm)*float64(inv) + ulpAt(exact)
		if e := math.Abs(float64(got[i]) - exact); e > bound {
			t.Fatalf("RMSNormBwd n=%d: [%d] = %g, float64 %g", len(d), i, got[i], exact)
		}
	}
}

// AddRMSNormInv returns the factor AddRMSNorm scaled by, on every tier.
func TestAddRMSNormInv(t *testing.T) {
	eachTier(t, FamilyVector, func(t *testing.T) {
		r := rand.New(rand.NewPCG(47, 48))
		for _, n := range vecLens()[1:] {
			h, y := make([]float32, n), make([]float32, n)
			randVec(r, h, 0)
			randVec(r, y, 0)
			a, b := append([]float32(nil), h...), append([]float32(nil), h...)
			AddRMSNorm(a, y, 1e-5)
			inv := AddRMSNormInv(b, y, 1e-5)
			checkSameF32(t, fmt.Sprintf("AddRMSNormInv n=%d", n), b, a)
			for i := range h {
				if v := h[i] + y[i]; !sameF32(a[i], v*inv) {
					t.Fatalf("n=%d: h[%d] = %g, (h+y)·inv = %g", n, i, a[i], v*inv)
				}
			}
		}
		if AddRMSNormInv(nil, nil, 1e-5) != 0 {
			t.Fatal("empty row: inv != 0")
		}
	})
}
