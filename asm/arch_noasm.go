//go:build (!amd64 && !arm64) || purego || noasm

package asm

// Without assembly every family has only its generic tier.
func archImpls() []*impl { return nil }
