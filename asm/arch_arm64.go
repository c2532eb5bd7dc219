//go:build !purego && !noasm

package asm

import "github.com/klauspost/cpuid/v2"

var (
	hasNEON    = cpuid.CPU.Supports(cpuid.ASIMD)
	hasDotProd = hasNEON && cpuid.CPU.Supports(cpuid.ASIMDDP)
)

func archImpls() []*impl {
	return []*impl{
		{family: FamilyGemmS8, name: "dotprod", supported: hasDotProd, requires: "ASIMD+ASIMDDP",
			install: func() { s8Cur = &s8DotProd }},
		{family: FamilyGemmS8, name: "neon", supported: hasNEON, requires: "ASIMD",
			install: func() { s8Cur = &s8Neon }},
		{family: FamilyGemmF32, name: "neon", supported: hasNEON, requires: "ASIMD",
			install: func() { installGemmF32(&f32Neon) }},
		{family: FamilyAttention, name: "neon", supported: hasNEON, requires: "ASIMD",
			install: func() { installAttentionBlocked(&attnNeonBlocked) }},
		{family: FamilyVector, name: "neon", supported: hasNEON, requires: "ASIMD",
			install: func() { vecCur = vecNeon }},
	}
}
