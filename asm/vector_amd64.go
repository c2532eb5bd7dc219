//go:build !purego && !noasm

package asm

// Vector kernels (vector.go): n is a positive multiple of vecBlock.

//go:noescape
func amaxBitsAvx512(src *float32, n int) uint32

//go:noescape
func dequantS8Avx512(y *float32, acc *int32, sa float32, sw *float32, n int)

//go:noescape
func swigluAvx512(out, gate, up *float32, n int)

//go:noescape
func addSquaresAvx512(h, y *float32, n int, ss *float32)

//go:noescape
func scaleAvx512(x *float32, n int, s float32)

//go:noescape
func ropeAvx512(v, cos, sin *float32, half, heads, hb int)

//go:noescape
func amaxBitsAvx2(src *float32, n int) uint32

//go:noescape
func quantS8Avx2(dst *int8, src *float32, n int, inv float64)

//go:noescape
func dequantS8Avx2(y *float32, acc *int32, sa float32, sw *float32, n int)

//go:noescape
func swigluAvx2(out, gate, up *float32, n int)

//go:noescape
func addSquaresAvx2(h, y *float32, n int, ss *float32)

//go:noescape
func scaleAvx2(x *float32, n int, s float32)

//go:noescape
func ropeAvx2(v, cos, sin *float32, half, heads, hb int)

// The arch functions call the selected tier directly (a func value would
// make the pointers escape). vecCur is never vecGeneric here.

func amaxBitsArch(src *float32, n int) uint32 {
	if vecCur == vecAvx512 {
		return amaxBitsAvx512(src, n)
	}
	return amaxBitsAvx2(src, n)
}

// quantS8Avx2 serves the avx512 tier too (see vector_amd64.s).
func quantS8Arch(dst *int8, src *float32, n int, inv float64) { quantS8Avx2(dst, src, n, inv) }

func dequantS8Arch(y *float32, acc *int32, sa float32, sw *float32, n int) {
	if vecCur == vecAvx512 {
		dequantS8Avx512(y, acc, sa, sw, n)
	} else {
		dequantS8Avx2(y, acc, sa, sw, n)
	}
}

func swigluArch(out, gate, up *float32, n int) {
	if vecCur == vecAvx512 {
		swigluAvx512(out, gate, up, n)
	} else {
		swigluAvx2(out, gate, up, n)
	}
}

func addSquaresArch(h, y *float32, n int, ss *float32) {
	if vecCur == vecAvx512 {
		addSquaresAvx512(h, y, n, ss)
	} else {
		addSquaresAvx2(h, y, n, ss)
	}
}

func scaleArch(x *float32, n int, s float32) {
	if vecCur == vecAvx512 {
		scaleAvx512(x, n, s)
	} else {
		scaleAvx2(x, n, s)
	}
}

func ropeArch(v, cos, sin *float32, half, heads, hb int) {
	if vecCur == vecAvx512 {
		ropeAvx512(v, cos, sin, half, heads, hb)
	} else {
		ropeAvx2(v, cos, sin, half, heads, hb)
	}
}

//go:noescape
func butterflyAvx512(x, y *float32, n int)

//go:noescape
func butterflyAvx2(x, y *float32, n int)

// hadamardAvx2 is Hadamard's stages over b chunks of m floats (m a
// multiple of hadamardBlock, b a power of two ≥ 2); ymm is enough, the
// stages are bound by loads and stores of L1-resident rows.
//
//go:noescape
func hadamardAvx2(x *float32, m, b int)

const hadamardBlock = 8

//go:noescape
func hadamard64Avx2(x *float32, m int)

func hadamardArch(x *float32, m, b int) {
	if b == 64 {
		hadamard64Avx2(x, m)
	} else {
		hadamardAvx2(x, m, b)
	}
}

func butterflyArch(x, y *float32, n int) {
	if vecCur == vecAvx512 {
		butterflyAvx512(x, y, n)
	} else {
		butterflyAvx2(x, y, n)
	}
}

//go:noescape
func swigluBwdAvx512(dg, du, dh, gate, up *float32, n int)

//go:noescape
func swigluBwdAvx2(dg, du, dh, gate, up *float32, n int)

//go:noescape
func dotLanesAvx512(d, y *float32, n int, ss *float32)

//go:noescape
func dotLanesAvx2(d, y *float32, n int, ss *float32)

//go:noescape
func rmsBwdAvx512(d, y *float32, n int, m, inv float32)

//go:noescape
func rmsBwdAvx2(d, y *float32, n int, m, inv float32)

func swigluBwdArch(dg, du, dh, gate, up *float32, n int) {
	if vecCur == vecAvx512 {
		swigluBwdAvx512(dg, du, dh, gate, up, n)
	} else {
		swigluBwdAvx2(dg, du, dh, gate, up, n)
	}
}

func dotLanesArch(d, y *float32, n int, ss *float32) {
	if vecCur == vecAvx512 {
		dotLanesAvx512(d, y, n, ss)
	} else {
		dotLanesAvx2(d, y, n, ss)
	}
}

func rmsBwdArch(d, y *float32, n int, m, inv float32) {
	if vecCur == vecAvx512 {
		rmsBwdAvx512(d, y, n, m, inv)
	} else {
		rmsBwdAvx2(d, y, n, m, inv)
	}
}
