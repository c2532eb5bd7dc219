// Package asm holds the numeric kernels of hrm: int8 and float32 matrix
// multiplication and attention. Every kernel has a portable Go version that is
// always compiled and is the specification; per-architecture assembly versions
// must equal it bit for bit (integer) or within a stated tolerance (float).
package asm
