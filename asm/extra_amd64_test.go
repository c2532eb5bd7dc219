//go:build !purego && !noasm

package asm

type namedS8 struct {
	name string
	kern *s8Kernel
}

func extraS8Kernels() []namedS8 {
	if hasAVX512VNNI {
		return []namedS8{{"vnni256evex", &s8Vnni256Evex}}
	}
	return nil
}
