//go:build !purego && !noasm

package asm

//go:noescape
func gemmS8Avx512Vnni(c *int32, ldc int, a *byte, lda int, w *int8, kp int, nt int, rowsum *int32, mr int)

var s8Avx512Vnni = s8Kernel{mrMax: 4, act: actU8, kern: gemmS8Avx512Vnni}
