//go:build !purego && !noasm

package asm

import (
	"testing"

	"golang.org/x/sys/cpu"
)

// crossCheckCPU compares the cpuid-based tier predicates with x/sys/cpu, an
// independent detector: a tier may never be supported when x/sys/cpu says
// its instructions are missing.
func crossCheckCPU(t *testing.T) {
	x := cpu.X86
	if hasAVX2 && !(x.HasAVX2 && x.HasFMA) {
		t.Error("avx2 tier enabled but x/sys/cpu reports no AVX2/FMA")
	}
	if hasAVX512 && !(x.HasBMI2 && x.HasAVX512F && x.HasAVX512BW && x.HasAVX512VL && x.HasAVX512DQ) {
		t.Error("avx512 tier enabled but x/sys/cpu disagrees")
	}
	if hasAVX512VNNI && !x.HasAVX512VNNI {
		t.Error("avx512vnni tier enabled but x/sys/cpu reports no AVX512VNNI")
	}
	if hasAVXVNNI && !x.HasAVXVNNI {
		t.Error("avxvnni tier enabled but x/sys/cpu reports no AVXVNNI")
	}
}
