//go:build armbe || arm64be || m68k || mips || mips64 || mips64p32 || ppc || ppc64 || s390 || s390x || shbe || sparc || sparc64

package loader

// The loader views little-endian tensor data in place; a big-endian port must
// not build. The undefined identifier below makes the compiler say so.
var _ = loader_supports_only_little_endian_cpus
