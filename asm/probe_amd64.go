//go:build !purego && !noasm

package asm

//go:noescape
func probeVnniZ(n int)

//go:noescape
func probeFmaZ(n int)

//go:noescape
func probeFmaY(n int)

//go:noescape
func probeAvx2Mix(n int)

//go:noescape
func probeAvx2Sign(n int)

// probeList measures MACs/cycle of each tier's inner instruction mix.
func probeList() []Probe {
	hz, _ := ClockHz()
	rate := func(f func(int), macsPerIter float64) float64 {
		const n = 5000
		sec := timeBest(func() { f(n) }, 100e6)
		return n * macsPerIter / sec / hz
	}
	var p []Probe
	if hasAVX512VNNI {
		p = append(p, Probe{"gemms8/avx512vnni", "VPDPBUSD zmm", rate(probeVnniZ, 12*64)})
	}
	if hasAVXVNNI {
		p = append(p, Probe{"gemms8/avxvnni", "VPDPBUSD ymm (VEX)", rate(probeVnniYVex, 12*32)})
	}
	if hasAVX2 {
		p = append(p, Probe{"gemms8/avx2", "VPXOR+VPMADDUBSW+VPMADDWD+VPADDD ymm", rate(probeAvx2Mix, 8*32)},
			Probe{"gemms8/avx2 (VPSIGNB sign trick, not used)", "VPSIGNB+VPMADDUBSW+VPMADDWD+VPADDD ymm", rate(probeAvx2Sign, 8*32)})
		fy := rate(probeFmaY, 12*8)
		p = append(p, Probe{"gemmf32/avx2", "VFMADD231PS ymm", fy}, Probe{"attention/avx2", "VFMADD231PS ymm", fy})
	}
	if hasAVX512 {
		fz := rate(probeFmaZ, 12*16)
		p = append(p, Probe{"gemmf32/avx512", "VFMADD231PS zmm", fz}, Probe{"attention/avx512", "VFMADD231PS zmm", fz})
	}
	return p
}
