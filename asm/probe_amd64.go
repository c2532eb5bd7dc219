//go:build !purego && !noasm

package asm

//go:noescape
func probeVnniZ(n int)

//go:noescape
func probeFmaZ(n int)

//go:noescape
func probeFmaY(n int)

//go:noescape
func probeMaddY(n int)

// probePeaks measures MACs/cycle of each tier's core instruction.
func probePeaks() map[string]float64 {
	hz, _ := ClockHz()
	rate := func(f func(int), macsPerInstr float64) float64 {
		const n = 5000
		sec := timeBest(func() { f(n) }, 30e6)
		return 12 * n * macsPerInstr / sec / hz
	}
	p := map[string]float64{}
	if hasAVX512VNNI {
		p["gemms8/avx512vnni"] = rate(probeVnniZ, 64)
	}
	if hasAVXVNNI {
		p["gemms8/avxvnni"] = rate(probeVnniYVex, 32)
	}
	if hasAVX2 {
		p["gemms8/avx2"] = rate(probeMaddY, 16)
		fy := rate(probeFmaY, 8)
		p["gemmf32/avx2"], p["attention/avx2"] = fy, fy
	}
	if hasAVX512 {
		fz := rate(probeFmaZ, 16)
		p["gemmf32/avx512"], p["attention/avx512"] = fz, fz
	}
	return p
}
