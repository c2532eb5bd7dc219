//go:build !amd64 || purego || noasm

package asm

// probePeaks has no instruction probes here (arm64 probes would only time
// qemu on the development machines); tables show the nominal peak only.
func probePeaks() map[string]float64 { return nil }
