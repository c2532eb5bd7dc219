//go:build !purego && !noasm

package asm

import "github.com/klauspost/cpuid/v2"

// CPU predicates, one per tier. AVX-512 tiers need BW/VL only where the
// kernels use them; cpuid already checks that the OS saves ZMM state.
var (
	hasAVX2       = cpuid.CPU.Supports(cpuid.AVX, cpuid.AVX2, cpuid.FMA3)
	hasAVX512     = cpuid.CPU.Supports(cpuid.AVX512F, cpuid.AVX512BW, cpuid.AVX512VL, cpuid.AVX512DQ) && hasAVX2
	hasAVX512VNNI = hasAVX512 && cpuid.CPU.Supports(cpuid.AVX512VNNI)
	hasAVXVNNI    = hasAVX2 && cpuid.CPU.Supports(cpuid.AVXVNNI)
)

func archImpls() []*impl {
	return []*impl{
		{family: FamilyGemmS8, name: "avx512vnni", supported: hasAVX512VNNI, requires: "AVX512F+BW+VL+DQ+AVX512VNNI",
			install: func() { s8Cur = &s8Avx512Vnni }},
		{family: FamilyGemmS8, name: "avxvnni", supported: false, requires: "AVX2+FMA+AVXVNNI",
			install: func() { s8Cur = &s8Avx512Vnni }},
		{family: FamilyGemmS8, name: "avx2", supported: false, requires: "AVX2+FMA",
			install: func() { s8Cur = &s8Avx512Vnni }},
	}
}
