// Package asm holds the numeric kernels of hrm: int8 and float32 matrix
// multiplication, attention, and the small vector steps between them.
// Every kernel has a portable Go version that is
// always compiled and is the specification; per-architecture assembly versions
// must equal it bit for bit (integer) or within a stated tolerance (float).
//
// # Kernels
//
//   - GemmS8: int8 × int8 → int32, C = A·Wᵀ, with W packed once by PackS8
//     (or wrapped in place, e.g. from a memory-mapped file, by
//     PackedS8FromBytes) in the layout [N/16][K/4][16][4]; see PackedS8.
//   - GemmF32NT, GemmF32NN, GemmF32TN: float32 products for inference
//     (A·Wᵀ) and for the trainer's backward pass. A·Wᵀ runs on dot-product
//     kernels (W in its PyTorch layout); A·B and Aᵀ·B on broadcast-form
//     kernels that read both operands in place (gemm_f32bc.go).
//   - AttentionF32, AttentionF32Heads, AttentionF32HeadsWs: non-causal
//     multi-head attention on the fused qkv activation, streamed over keys
//     with an online softmax (no T×T buffer); the Ws form takes
//     caller-owned scratch (AttentionWorkspace floats). SoftmaxRow is the
//     row step for callers that keep the probabilities (the trainer).
//   - The vector family, the row-wise steps around the products of int8
//     inference, each equal bit for bit on every tier (the generic Go
//     function is the specification and fixes the operation order):
//     QuantizeRowS8 (symmetric per-row float32 → int8 quantisation),
//     DequantS8 (the int32 → float32 epilogue of an int8 linear layer),
//     SwiGLU (silu(gate)·up, with Exp32, a float32 exp within 1 ulp),
//     AddRMSNorm (residual add and weightless RMSNorm of one row; and
//     AddRMSNormInv, which returns the factor), RoPEHalf (rotate-half
//     rotary embedding of one or more head vectors), and for the trainer's
//     backward SwiGLUBwd and RMSNormBwd.
//
// # Tiers and dispatch
//
// Each family (FamilyGemmS8, FamilyGemmF32, FamilyAttention, FamilyVector)
// has tiers, chosen once at start-up from the CPU (klauspost/cpuid) into
// package variables; Tiers lists them, Selected and Describe show the
// choice.
//
//	family      amd64                                arm64                    other
//	gemms8      avx512vnni, avxvnni, avx2, generic   dotprod, neon, generic   generic
//	gemmf32     avx512, avx2, generic                neon, generic            generic
//	attention   avx512, avx2, generic                neon, generic            generic
//	vector      avx512, avx2, generic                neon, generic            generic
//
// HRM_KERNELS (read at start-up, see Use for the syntax, e.g.
// HRM_KERNELS=avx2 or HRM_KERNELS=gemms8=generic) forces tiers; a name the
// CPU cannot run is reported by EnvError, never executed. The build tags
// purego and noasm remove all assembly (generic tiers only).
//
// Kernels may run concurrently with each other, but not with Use or Reset.
// GemmS8, GemmF32NT, AttentionF32HeadsWs and the vector kernels allocate
// nothing (TestNoAllocs).
//
// # Assembly conventions
//
// Leaf NOSPLIT functions with //go:noescape prototypes, called directly
// through a switch (never through a func value, which would make pointer
// arguments escape). VZEROUPPER before every RET that touched YMM/ZMM. arm64
// instructions the Go assembler lacks (SDOT, SMULL, SADALP, vector FMUL,
// FADDP, ...) and the VEX form of VPDPBUSD are WORD/BYTE sequences whose
// GNU syntax is in a comment; TestWordEncodings and TestByteEncodings check
// every one with objdump, and wordgen.go generates them. Each call covers a
// whole micro-tile over the full K (the broadcast kernels: the row tiles
// of a cache block, up to 384 steps of K, about 3 M multiply-adds), so call
// overhead stays negligible and no call runs long enough to delay a GC
// stop-the-world noticeably.
//
// scripts/kernel-matrix.sh runs the tests under purego/noasm and qemu
// (x86 Nehalem and Haswell, arm64 Cortex-A72 and A76, 32-bit ARM) and checks
// that each configuration selected the tier it should.
package asm
