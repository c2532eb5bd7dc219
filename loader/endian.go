package loader

import "encoding/binary"

// The file format and the zero-copy views are little-endian. Build
// constraints reject the usual big-endian ports (endian_big.go); this check
// catches any other.
func init() {
	if binary.NativeEndian.Uint16([]byte{1, 0}) != 1 {
		panic("loader: big-endian CPUs are not supported (safetensors data is little-endian and is viewed in place)")
	}
}
