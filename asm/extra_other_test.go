//go:build !amd64 || purego || noasm

package asm

type namedS8 struct {
	name string
	kern *s8Kernel
}

func extraS8Kernels() []namedS8 { return nil }
