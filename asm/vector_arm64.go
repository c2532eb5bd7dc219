//go:build !purego && !noasm

package asm

// Vector kernels (vector.go): n is a positive multiple of vecBlock.

//go:noescape
func amaxBitsNeon(src *float32, n int) uint32

//go:noescape
func quantS8Neon(dst *int8, src *float32, n int, inv float64)

//go:noescape
func dequantS8Neon(y *float32, acc *int32, sa float32, sw *float32, n int)

//go:noescape
func swigluNeon(out, gate, up *float32, n int)

//go:noescape
func addSquaresNeon(h, y *float32, n int, ss *float32)

//go:noescape
func scaleNeon(x *float32, n int, s float32)

//go:noescape
func ropeNeon(v, cos, sin *float32, half, heads, hb int)

func amaxBitsArch(src *float32, n int) uint32 { return amaxBitsNeon(src, n) }

func quantS8Arch(dst *int8, src *float32, n int, inv float64) { quantS8Neon(dst, src, n, inv) }

func dequantS8Arch(y *float32, acc *int32, sa float32, sw *float32, n int) {
	dequantS8Neon(y, acc, sa, sw, n)
}

func swigluArch(out, gate, up *float32, n int) { swigluNeon(out, gate, up, n) }

func addSquaresArch(h, y *float32, n int, ss *float32) { addSquaresNeon(h, y, n, ss) }

func scaleArch(x *float32, n int, s float32) { scaleNeon(x, n, s) }

func ropeArch(v, cos, sin *float32, half, heads, hb int) { ropeNeon(v, cos, sin, half, heads, hb) }

//go:noescape
func butterflyNeon(x, y *float32, n int)

func butterflyArch(x, y *float32, n int) { butterflyNeon(x, y, n) }

// hadamardNeon is Hadamard's stages over b chunks of m floats (m a
// multiple of hadamardBlock, b a power of two ≥ 2).
//
//go:noescape
func hadamardNeon(x *float32, m, b int)

const hadamardBlock = 4

//go:noescape
func hadamard64Neon(x *float32, m int)

func hadamardArch(x *float32, m, b int) {
	if b == 64 {
		hadamard64Neon(x, m)
	} else {
		hadamardNeon(x, m, b)
	}
}

//go:noescape
func swigluBwdNeon(dg, du, dh, gate, up *float32, n int)

//go:noescape
func dotLanesNeon(d, y *float32, n int, ss *float32)

//go:noescape
func rmsBwdNeon(d, y *float32, n int, m, inv float32)

func swigluBwdArch(dg, du, dh, gate, up *float32, n int) { swigluBwdNeon(dg, du, dh, gate, up, n) }

func dotLanesArch(d, y *float32, n int, ss *float32) { dotLanesNeon(d, y, n, ss) }

func rmsBwdArch(d, y *float32, n int, m, inv float32) { rmsBwdNeon(d, y, n, m, inv) }
