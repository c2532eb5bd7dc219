//go:build !amd64 || purego || noasm

package asm

// probeList has no instruction probes here (arm64 probes would only time
// qemu on the development machines); tables show the nominal peak only.
func probeList() []Probe { return nil }
