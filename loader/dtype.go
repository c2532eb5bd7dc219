package loader

// DType is a safetensors element type, spelled as in the file header.
type DType string

// The supported element types. Every multi-byte type is little-endian.
// The FP8 (F8_E4M3, F8_E5M2, ...), FP6, FP4 and other newer safetensors dtypes
// are deliberately not supported: files using them are rejected.
const (
	BOOL DType = "BOOL" // one byte per element
	U8   DType = "U8"
	I8   DType = "I8"
	I16  DType = "I16"
	U16  DType = "U16"
	F16  DType = "F16"  // IEEE 754 binary16
	BF16 DType = "BF16" // bfloat16: the upper 16 bits of a float32
	I32  DType = "I32"
	U32  DType = "U32"
	F32  DType = "F32"
	F64  DType = "F64"
	I64  DType = "I64"
	U64  DType = "U64"
)

// DTypes lists the supported element types.
var DTypes = []DType{BOOL, U8, I8, I16, U16, F16, BF16, I32, U32, F32, F64, I64, U64}

// Size returns the size in bytes of one element, or 0 for an unsupported DType.
func (d DType) Size() int {
	switch d {
	case BOOL, U8, I8:
		return 1
	case I16, U16, F16, BF16:
		return 2
	case I32, U32, F32:
		return 4
	case F64, I64, U64:
		return 8
	}
	return 0
}

// Valid reports whether d is a supported element type.
func (d DType) Valid() bool { return d.Size() != 0 }
