//go:build !purego && !noasm

package asm

import "github.com/klauspost/cpuid/v2"

// CPU predicates, one per tier; cpuid already requires the OS to save
// YMM/ZMM state before reporting AVX2/AVX-512.
var (
	hasAVX2       = cpuid.CPU.Supports(cpuid.AVX, cpuid.AVX2, cpuid.FMA3)
	hasAVX512     = hasAVX2 && cpuid.CPU.Supports(cpuid.BMI2, cpuid.AVX512F, cpuid.AVX512BW, cpuid.AVX512VL, cpuid.AVX512DQ)
	hasAVX512VNNI = hasAVX512 && cpuid.CPU.Supports(cpuid.AVX512VNNI)
	hasAVXVNNI    = hasAVX2 && cpuid.CPU.Supports(cpuid.AVXVNNI)
)

func archImpls() []*impl {
	return []*impl{
		{family: FamilyGemmS8, name: "avx512vnni", supported: hasAVX512VNNI, requires: "AVX2+FMA+BMI2+AVX512F/BW/VL/DQ+AVX512VNNI",
			install: func() { s8Cur = &s8Avx512Vnni }},
		{family: FamilyGemmS8, name: "avxvnni", supported: hasAVXVNNI, requires: "AVX2+FMA+AVXVNNI",
			install: func() { s8Cur = &s8AvxVnni }},
		{family: FamilyGemmS8, name: "avx2", supported: hasAVX2, requires: "AVX2+FMA",
			install: func() { s8Cur = &s8Avx2 }},
		{family: FamilyGemmF32, name: "avx512", supported: hasAVX512, requires: "AVX2+FMA+BMI2+AVX512F/BW/VL/DQ",
			install: func() { installGemmF32(&f32Avx512) }},
		{family: FamilyGemmF32, name: "avx2", supported: hasAVX2, requires: "AVX2+FMA",
			install: func() { installGemmF32(&f32Avx2) }},
		{family: FamilyAttention, name: "avx512", supported: hasAVX512, requires: "AVX2+FMA+BMI2+AVX512F/BW/VL/DQ",
			install: func() { installAttention(&attnAvx512Kernel) }},
		{family: FamilyAttention, name: "avx2", supported: hasAVX2, requires: "AVX2+FMA",
			install: func() { installAttention(&attnAvx2Kernel) }},
		{family: FamilyVector, name: "avx512", supported: hasAVX512, requires: "AVX2+FMA+BMI2+AVX512F/BW/VL/DQ",
			install: func() { vecCur = vecAvx512 }},
		{family: FamilyVector, name: "avx2", supported: hasAVX2, requires: "AVX2+FMA",
			install: func() { vecCur = vecAvx2 }},
	}
}
