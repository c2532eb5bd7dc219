//go:build !purego && !noasm

package asm

import (
	"testing"

	"golang.org/x/sys/cpu"
)

// crossCheckCPU compares the cpuid-based tier predicates with x/sys/cpu.
func crossCheckCPU(t *testing.T) {
	if hasNEON && !cpu.ARM64.HasASIMD {
		t.Error("neon tier enabled but x/sys/cpu reports no ASIMD")
	}
	if hasDotProd && !cpu.ARM64.HasASIMDDP {
		t.Error("dotprod tier enabled but x/sys/cpu reports no ASIMDDP")
	}
}
