//go:build (!amd64 && !arm64) || purego || noasm

package asm

// Without assembly every family has only its generic tier.
func archImpls() []*impl { return nil }

// The drivers are compiled everywhere but only reached through a tier.

func callS8(id int, c *int32, ldc int, a *byte, lda int, w *int8, kp int, nt int, rowsum *int32, mr int) {
	panic("asm: no assembly in this build")
}

func callS8Dq(id int, y *float32, ldy int, a *byte, lda int, w *int8, kp int, nt int, rowsum *int32, mr int, sa, sw *float32, pfd int) {
	panic("asm: no assembly in this build")
}

func callF32(id int, c *float32, ldc int, a *float32, lda int, w *float32, ldw int, k int, nc int, mr int, acc int) {
	panic("asm: no assembly in this build")
}

func callF32Bc(id int, c *float32, ldc int, a *float32, rsa, csa int, b *float32, ldb int, k, nc, mr, acc, nt, ta int) {
	panic("asm: no assembly in this build")
}

const haveCvtSignMag, haveFlipSign = false, false

func flipSign(dst *byte, src *int8, n int) { panic("asm: no flipSign here") }

func installAttentionGeneric() {}

func attentionHeadGenericOnly() bool { return true }

func attentionHeadArch(o, qkv []float32, T, heads, d, h int, ws []float32) {}

func expRowArch(x []float32, scale float32) float32 { panic("asm: no assembly in this build") }

func cvtSignMag(dst *byte, src *int8, n int) int32 { return 0 }

func amaxBitsArch(src *float32, n int) uint32 { panic("asm: no assembly in this build") }
func quantS8Arch(dst *int8, src *float32, n int, inv float64) {
	panic("asm: no assembly in this build")
}
func dequantS8Arch(y *float32, acc *int32, sa float32, sw *float32, n int) {
	panic("asm: no assembly in this build")
}
func swigluArch(out, gate, up *float32, n int)           { panic("asm: no assembly in this build") }
func addSquaresArch(h, y *float32, n int, ss *float32)   { panic("asm: no assembly in this build") }
func scaleArch(x *float32, n int, s float32)             { panic("asm: no assembly in this build") }
func ropeArch(v, cos, sin *float32, half, heads, hb int) { panic("asm: no assembly in this build") }
func butterflyArch(x, y *float32, n int)                 { panic("asm: no assembly in this build") }
func hadamardArch(x *float32, m, b int)                  { panic("asm: no assembly in this build") }

const hadamardBlock = 1

func swigluBwdArch(dg, du, dh, gate, up *float32, n int) { panic("asm: no assembly in this build") }
func dotLanesArch(d, y *float32, n int, ss *float32)     { panic("asm: no assembly in this build") }
func rmsBwdArch(d, y *float32, n int, m, inv float32)    { panic("asm: no assembly in this build") }
