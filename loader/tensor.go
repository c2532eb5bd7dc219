package loader

import (
	"encoding/binary"
	"fmt"
	"math"
	"strings"
	"unsafe"
)

// Tensor is one named tensor. Data holds the raw little-endian, row-major
// bytes. For a tensor obtained from a [File], Data aliases the file's
// read-only memory mapping (or the slice given to [Parse]) and must not be
// modified or used after [File.Close].
type Tensor struct {
	Name  string
	DType DType
	Shape []int
	Data  []byte
}

// NumElements returns the product of the dimensions (1 for a scalar of rank
// 0), or -1 if a dimension is negative or the product overflows an int when
// multiplied left to right (as the reader checks: a zero dimension after an
// overflowing prefix does not rescue the shape).
func (t Tensor) NumElements() int {
	n := 1
	for _, d := range t.Shape {
		if d < 0 {
			return -1
		}
		if d == 0 {
			n = 0
			continue
		}
		if n > math.MaxInt/d {
			return -1
		}
		n *= d
	}
	return n
}

// checkData verifies that the dtype is known and that Data holds exactly
// NumElements elements; it returns the element count.
func (t Tensor) checkData() (int, error) {
	size := t.DType.Size()
	if size == 0 {
		return 0, tensorErrorf(t.Name, "unsupported dtype %q", string(t.DType))
	}
	n := t.NumElements()
	if n < 0 {
		return 0, tensorErrorf(t.Name, "invalid shape %v", t.Shape)
	}
	if n > math.MaxInt/size || n*size != len(t.Data) {
		return 0, tensorErrorf(t.Name, "data holds %d bytes, but shape %v of %s needs %d elements of %d bytes",
			len(t.Data), t.Shape, t.DType, n, size)
	}
	return n, nil
}

func aligned(b []byte, n uintptr) bool {
	return uintptr(unsafe.Pointer(unsafe.SliceData(b)))%n == 0
}

// Float32s returns the elements as float32. For F32 data that is 4-byte
// aligned in memory the result aliases Data (zero copy; read-only for a
// mapped File); unaligned F32 data is copied. BF16 and F16 are converted into
// a new slice. Any other dtype is an error naming the tensor.
func (t Tensor) Float32s() ([]float32, error) {
	n, err := t.checkData()
	if err != nil {
		return nil, err
	}
	switch t.DType {
	case F32:
		if n == 0 {
			return []float32{}, nil
		}
		if aligned(t.Data, 4) {
			return unsafe.Slice((*float32)(unsafe.Pointer(unsafe.SliceData(t.Data))), n), nil
		}
		out := make([]float32, n)
		for i := range out {
			out[i] = math.Float32frombits(binary.LittleEndian.Uint32(t.Data[4*i:]))
		}
		return out, nil
	case BF16:
		out := make([]float32, n)
		for i := range out {
			out[i] = BF16ToF32(binary.LittleEndian.Uint16(t.Data[2*i:]))
		}
		return out, nil
	case F16:
		out := make([]float32, n)
		for i := range out {
			out[i] = F16ToF32(binary.LittleEndian.Uint16(t.Data[2*i:]))
		}
		return out, nil
	}
	return nil, tensorErrorf(t.Name, "dtype %s cannot be read as float32 (want F32, BF16 or F16)", t.DType)
}

// Int32s returns the elements as int32. For I32 data that is 4-byte aligned
// in memory the result aliases Data (zero copy; read-only for a mapped File);
// unaligned I32 data is copied. I8, U8, I16 and U16 are widened into a new
// slice; I64, U32 and U64 are converted when every value fits in an int32,
// otherwise the error names the tensor and the first offending element. Any
// other dtype is an error.
func (t Tensor) Int32s() ([]int32, error) {
	n, err := t.checkData()
	if err != nil {
		return nil, err
	}
	d := t.Data
	if t.DType == I32 && n > 0 && aligned(d, 4) {
		return unsafe.Slice((*int32)(unsafe.Pointer(unsafe.SliceData(d))), n), nil
	}
	out := make([]int32, n)
	tooBig := func(i int, v any) error {
		return tensorErrorf(t.Name, "element %d of %s (%v) does not fit in int32", i, t.DType, v)
	}
	switch t.DType {
	case I32:
		for i := range out {
			out[i] = int32(binary.LittleEndian.Uint32(d[4*i:]))
		}
	case I8:
		for i := range out {
			out[i] = int32(int8(d[i]))
		}
	case U8:
		for i := range out {
			out[i] = int32(d[i])
		}
	case I16:
		for i := range out {
			out[i] = int32(int16(binary.LittleEndian.Uint16(d[2*i:])))
		}
	case U16:
		for i := range out {
			out[i] = int32(binary.LittleEndian.Uint16(d[2*i:]))
		}
	case U32:
		for i := range out {
			v := binary.LittleEndian.Uint32(d[4*i:])
			if v > math.MaxInt32 {
				return nil, tooBig(i, v)
			}
			out[i] = int32(v)
		}
	case I64:
		for i := range out {
			v := int64(binary.LittleEndian.Uint64(d[8*i:]))
			if v < math.MinInt32 || v > math.MaxInt32 {
				return nil, tooBig(i, v)
			}
			out[i] = int32(v)
		}
	case U64:
		for i := range out {
			v := binary.LittleEndian.Uint64(d[8*i:])
			if v > math.MaxInt32 {
				return nil, tooBig(i, v)
			}
			out[i] = int32(v)
		}
	default:
		return nil, tensorErrorf(t.Name, "dtype %s cannot be read as int32 (want an integer dtype)", t.DType)
	}
	return out, nil
}

// Int8s returns I8 elements as a zero-copy view of Data (read-only for a
// mapped File). Any other dtype is an error naming the tensor.
func (t Tensor) Int8s() ([]int8, error) {
	n, err := t.checkData()
	if err != nil {
		return nil, err
	}
	if t.DType != I8 {
		return nil, tensorErrorf(t.Name, "dtype %s cannot be read as int8 (want I8)", t.DType)
	}
	if n == 0 {
		return []int8{}, nil
	}
	return unsafe.Slice((*int8)(unsafe.Pointer(unsafe.SliceData(t.Data))), n), nil
}

// CheckFinite scans F32, BF16, F16 and F64 data for NaN and ±Inf and returns
// an error naming the tensor and the first bad element (flat and
// multi-dimensional index). Other dtypes have no such values and return nil.
func (t Tensor) CheckFinite() error {
	n, err := t.checkData()
	if err != nil {
		return err
	}
	d := t.Data
	bad := func(i int, v float64) error {
		return tensorErrorf(t.Name, "element %d (index %s) is %v", i, t.index(i), v)
	}
	switch t.DType {
	case F32:
		for i := 0; i < n; i++ {
			// Exponent all ones means Inf or NaN.
			if u := binary.LittleEndian.Uint32(d[4*i:]); u&0x7F800000 == 0x7F800000 {
				return bad(i, float64(math.Float32frombits(u)))
			}
		}
	case BF16:
		for i := 0; i < n; i++ {
			if u := binary.LittleEndian.Uint16(d[2*i:]); u&0x7F80 == 0x7F80 {
				return bad(i, float64(BF16ToF32(u)))
			}
		}
	case F16:
		for i := 0; i < n; i++ {
			if u := binary.LittleEndian.Uint16(d[2*i:]); u&0x7C00 == 0x7C00 {
				return bad(i, float64(F16ToF32(u)))
			}
		}
	case F64:
		for i := 0; i < n; i++ {
			if u := binary.LittleEndian.Uint64(d[8*i:]); u&0x7FF0000000000000 == 0x7FF0000000000000 {
				return bad(i, math.Float64frombits(u))
			}
		}
	}
	return nil
}

// index formats flat element i as a row-major multi-dimensional index.
func (t Tensor) index(i int) string {
	idx := make([]string, len(t.Shape))
	for k := len(t.Shape) - 1; k >= 0; k-- {
		d := t.Shape[k]
		idx[k] = fmt.Sprint(i % d)
		i /= d
	}
	return "[" + strings.Join(idx, ",") + "]"
}

func cloneShape(shape []int) []int {
	if shape == nil {
		return []int{}
	}
	return append([]int{}, shape...)
}

// bytesOf returns the in-memory bytes of v (little-endian, asserted at init).
func bytesOf[T any](v []T) []byte {
	if len(v) == 0 {
		return []byte{}
	}
	var z T
	return unsafe.Slice((*byte)(unsafe.Pointer(unsafe.SliceData(v))), len(v)*int(unsafe.Sizeof(z)))
}

// F32View builds an F32 tensor whose Data aliases v (no copy): for writing
// weights that are already in memory, or mapped, without a second copy.
func F32View(name string, shape []int, v []float32) Tensor {
	return Tensor{Name: name, DType: F32, Shape: cloneShape(shape), Data: bytesOf(v)}
}

// F32Tensor builds an F32 tensor holding a copy of v.
func F32Tensor(name string, shape []int, v []float32) Tensor {
	return Tensor{Name: name, DType: F32, Shape: cloneShape(shape), Data: append([]byte{}, bytesOf(v)...)}
}

// BF16Tensor builds a BF16 tensor from v, rounding to nearest even as
// PyTorch's tensor.to(torch.bfloat16) does (see [F32ToBF16]).
func BF16Tensor(name string, shape []int, v []float32) Tensor {
	data := make([]byte, 2*len(v))
	for i, f := range v {
		binary.LittleEndian.PutUint16(data[2*i:], F32ToBF16(f))
	}
	return Tensor{Name: name, DType: BF16, Shape: cloneShape(shape), Data: data}
}

// I32Tensor builds an I32 tensor holding a copy of v.
func I32Tensor(name string, shape []int, v []int32) Tensor {
	return Tensor{Name: name, DType: I32, Shape: cloneShape(shape), Data: append([]byte{}, bytesOf(v)...)}
}

// I8Tensor builds an I8 tensor holding a copy of v.
func I8Tensor(name string, shape []int, v []int8) Tensor {
	return Tensor{Name: name, DType: I8, Shape: cloneShape(shape), Data: append([]byte{}, bytesOf(v)...)}
}
