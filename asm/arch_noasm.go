//go:build (!amd64 && !arm64) || purego || noasm

package asm

// Without assembly every family has only its generic tier.
func archImpls() []*impl { return nil }

// The drivers are compiled everywhere but only reached through a tier.

func callS8(id int, c *int32, ldc int, a *byte, lda int, w *int8, kp int, nt int, rowsum *int32, mr int) {
	panic("asm: no assembly in this build")
}

func callF32(id int, c *float32, ldc int, a *float32, lda int, w *float32, ldw int, k int, nc int, mr int, acc int) {
	panic("asm: no assembly in this build")
}

const haveCvtS8S16 = false

func installAttentionGeneric() {}

func attentionHeadGenericOnly() bool { return true }

func attentionHeadArch(o, qkv []float32, T, heads, d, h int, ws []float32) {}

func cvtS8S16(dst *int16, src *int8, n int) {}
