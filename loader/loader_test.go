package loader

import (
	"bytes"
	"crypto/sha256"
	"encoding/binary"
	"encoding/hex"
	"encoding/json"
	"errors"
	"math"
	"math/rand/v2"
	"os"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
	"testing"
	"unsafe"

	"github.com/stretchr/testify/require"
)

func writeRaw(path string, data []byte) error { return os.WriteFile(path, data, 0o644) }

// randomTensor makes a tensor of dtype d with random (but dtype-valid) bytes.
func randomTensor(r *rand.Rand, name string, d DType, shape []int) Tensor {
	n := 1
	for _, s := range shape {
		n *= s
	}
	data := make([]byte, n*d.Size())
	for i := range data {
		data[i] = byte(r.IntN(256))
	}
	if d == BOOL {
		for i := range data {
			data[i] &= 1
		}
	}
	return Tensor{Name: name, DType: d, Shape: shape, Data: data}
}

func requireSameTensors(t *testing.T, want, got []Tensor) {
	t.Helper()
	require.Equal(t, len(want), len(got))
	for i := range want {
		require.Equal(t, want[i].Name, got[i].Name)
		require.Equal(t, want[i].DType, got[i].DType, want[i].Name)
		require.Equal(t, cloneShape(want[i].Shape), cloneShape(got[i].Shape), want[i].Name)
		require.True(t, bytes.Equal(want[i].Data, got[i].Data), want[i].Name)
	}
}

// TestRoundTripAllDTypes writes every dtype with awkward sizes and reads it
// back with Open and with both parsers.
func TestRoundTripAllDTypes(t *testing.T) {
	r := rand.New(rand.NewPCG(1, 2))
	var ts []Tensor
	for i, d := range DTypes {
		ts = append(ts, randomTensor(r, "t."+strings.ToLower(string(d)), d, []int{3, i + 1}))
	}
	ts = append(ts,
		randomTensor(r, "scalar", F32, []int{}),
		randomTensor(r, "empty", BF16, []int{0, 7}),
		randomTensor(r, "aligned64", F32, []int{16}),
		randomTensor(r, "rank8", U8, []int{1, 2, 1, 2, 1, 2, 1, 3}),
		randomTensor(r, "last_odd", I8, []int{5}),
	)
	path := filepath.Join(t.TempDir(), "all.safetensors")
	meta := map[string]string{"format": "hrm", "quote\"key": "line\nbreak <&>"}
	require.NoError(t, WriteFile(path, meta, ts))

	f, err := Open(path)
	require.NoError(t, err)
	defer f.Close()
	requireSameTensors(t, ts, f.Tensors())
	require.True(t, f.Aligned())
	wantMeta := map[string]string{"format": "hrm", "quote\"key": "line\nbreak <&>", "alignment": "64"}
	require.Equal(t, wantMeta, f.Metadata())
	names := f.Names()
	require.Len(t, names, len(ts))
	for i, tt := range ts {
		require.Equal(t, tt.Name, names[i])
		got, ok := f.Tensor(tt.Name)
		require.True(t, ok)
		requireSameTensors(t, []Tensor{tt}, []Tensor{got})
		off, ok := f.Offset(tt.Name)
		require.True(t, ok)
		require.Zero(t, off%Alignment, tt.Name)
		if len(got.Data) > 0 {
			// Data aliases the mapping at that offset, which is page aligned,
			// so the memory is 64-byte aligned too.
			require.Zero(t, uintptr(unsafe.Pointer(&got.Data[0]))%Alignment, tt.Name)
		}
	}
	_, ok := f.Tensor("__pad__.0")
	require.False(t, ok, "padding is hidden")
	_, ok = f.Tensor("missing")
	require.False(t, ok)
	st, err := os.Stat(path)
	require.NoError(t, err)
	require.Equal(t, st.Size(), f.Size())
	require.Equal(t, os.FileMode(0o644), st.Mode().Perm())

	raw, err := os.ReadFile(path)
	require.NoError(t, err)
	for _, p := range parsers() {
		g, err := ParseWith(raw, p)
		require.NoError(t, err)
		requireSameTensors(t, ts, g.Tensors())
		require.Equal(t, wantMeta, g.Metadata())
	}
	m, err := Marshal(meta, ts)
	require.NoError(t, err)
	require.Equal(t, raw, m, "Marshal and WriteFile agree")

	// The caller's alignment key is kept.
	require.NoError(t, WriteFile(path, map[string]string{"alignment": "custom"}, ts[:1]))
	g, err := Open(path)
	require.NoError(t, err)
	require.Equal(t, map[string]string{"alignment": "custom"}, g.Metadata())
	require.NoError(t, g.Close())

	// Mutating a returned shape does not affect the file.
	tt, _ := f.Tensor("scalar")
	tt2, _ := f.Tensor("t.f32")
	tt2.Shape[0] = 99
	tt3, _ := f.Tensor("t.f32")
	require.Equal(t, []int{3, 10}, tt3.Shape)
	require.Equal(t, []int{}, tt.Shape)
	require.NoError(t, f.Close())
	require.NoError(t, f.Close(), "second Close is a no-op")
	require.Nil(t, f.Tensors(), "no data after Close")
	_, ok = f.Tensor("scalar")
	require.False(t, ok)
	require.Len(t, f.Names(), len(ts), "names and metadata stay readable")
}

// pyCheck re-implements, independently of the package, the reference
// safetensors reader (read_metadata + Metadata::validate in
// safetensors/src/tensor.rs) plus the format promises of WriteFile: JSON shape,
// contiguity, 64-byte alignment and padding tensors.
func pyCheck(t *testing.T, raw []byte) {
	t.Helper()
	require.GreaterOrEqual(t, len(raw), 8)
	n := binary.LittleEndian.Uint64(raw[:8])
	require.LessOrEqual(t, 8+n, uint64(len(raw)))
	require.Zero(t, (8+n)%64, "data starts 64-byte aligned")
	hdr := raw[8 : 8+n]
	trimmed := bytes.TrimRight(hdr, " ")
	require.Equal(t, byte('}'), trimmed[len(trimmed)-1], "only spaces pad the header")
	var top map[string]json.RawMessage
	require.NoError(t, json.Unmarshal(hdr, &top))
	type info struct {
		name  string
		dtype string
		shape []uint64
		off   [2]uint64
	}
	var infos []info
	sizes := map[string]uint64{"BOOL": 1, "U8": 1, "I8": 1, "I16": 2, "U16": 2, "F16": 2, "BF16": 2, "I32": 4, "U32": 4, "F32": 4, "F64": 8, "I64": 8, "U64": 8}
	for k, v := range top {
		if k == "__metadata__" {
			var m map[string]string
			require.NoError(t, json.Unmarshal(v, &m), "metadata is string->string")
			require.Equal(t, "64", m["alignment"])
			continue
		}
		var fields map[string]json.RawMessage
		require.NoError(t, json.Unmarshal(v, &fields))
		require.Len(t, fields, 3, k)
		var in info
		in.name = k
		require.NoError(t, json.Unmarshal(fields["dtype"], &in.dtype))
		require.NoError(t, json.Unmarshal(fields["shape"], &in.shape))
		var offs []uint64
		require.NoError(t, json.Unmarshal(fields["data_offsets"], &offs))
		require.Len(t, offs, 2)
		in.off = [2]uint64{offs[0], offs[1]}
		infos = append(infos, in)
	}
	sort.Slice(infos, func(i, j int) bool {
		if infos[i].off[0] != infos[j].off[0] {
			return infos[i].off[0] < infos[j].off[0]
		}
		return infos[i].off[1] < infos[j].off[1]
	})
	var start uint64
	for _, in := range infos {
		require.Equal(t, start, in.off[0], "contiguous: %s", in.name)
		require.GreaterOrEqual(t, in.off[1], in.off[0])
		start = in.off[1]
		sz, ok := sizes[in.dtype]
		require.True(t, ok, in.dtype)
		for _, d := range in.shape {
			sz *= d
		}
		require.Equal(t, sz, in.off[1]-in.off[0], in.name)
		abs := 8 + n + in.off[0]
		if strings.HasPrefix(in.name, "__pad__.") {
			require.Equal(t, "U8", in.dtype)
			require.Len(t, in.shape, 1)
			require.Less(t, in.shape[0], uint64(64))
			require.Zero(t, (abs+in.shape[0])%64, "padding ends aligned")
			require.Equal(t, make([]byte, in.shape[0]), raw[abs:abs+in.shape[0]])
		} else {
			require.Zero(t, abs%64, "tensor %s aligned", in.name)
		}
	}
	require.Equal(t, uint64(len(raw))-8-n, start, "last end == end of file")
}

func TestWrittenFormat(t *testing.T) {
	r := rand.New(rand.NewPCG(3, 4))
	ts := []Tensor{
		randomTensor(r, "b", F32, []int{3}),
		randomTensor(r, "a", I8, []int{65}),
		randomTensor(r, "z", BF16, []int{0}),
		randomTensor(r, "c", U8, []int{64}),
		randomTensor(r, "d", F64, []int{1}),
	}
	raw, err := Marshal(nil, ts)
	require.NoError(t, err)
	pyCheck(t, raw)
	n := binary.LittleEndian.Uint64(raw)
	hdr := string(raw[8 : 8+n])
	// Caller order is kept, padding follows unaligned tensors but not the last.
	require.Equal(t, []string{`"__metadata__"`, `"b"`, `"__pad__.0"`, `"a"`, `"__pad__.1"`, `"z"`, `"c"`, `"d"`},
		topKeys(t, hdr))
	require.Contains(t, hdr, `"__pad__.0":{"dtype":"U8","shape":[52],"data_offsets":[12,64]}`)
	require.Contains(t, hdr, `"__pad__.1":{"dtype":"U8","shape":[63],"data_offsets":[129,192]}`)
	require.Contains(t, hdr, `"d":{"dtype":"F64","shape":[1],"data_offsets":[256,264]}}`)
	require.True(t, strings.HasPrefix(hdr, `{"__metadata__":{"alignment":"64"},"b":{`), hdr)

	// No tensors at all.
	raw, err = Marshal(nil, nil)
	require.NoError(t, err)
	pyCheck(t, raw)
	f, err := Parse(raw)
	require.NoError(t, err)
	require.Empty(t, f.Tensors())
	require.True(t, f.Aligned())
}

// topKeys lists the top-level keys of a header in document order.
func topKeys(t *testing.T, hdr string) []string {
	dec := json.NewDecoder(strings.NewReader(hdr))
	_, err := dec.Token()
	require.NoError(t, err)
	var keys []string
	for dec.More() {
		k, err := dec.Token()
		require.NoError(t, err)
		keys = append(keys, `"`+k.(string)+`"`)
		var v json.RawMessage
		require.NoError(t, dec.Decode(&v))
	}
	return keys
}

func TestWriteRejects(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "x.safetensors")
	good := F32Tensor("w", []int{2}, []float32{1, 2})
	maxDim := int(min(MaxDim, math.MaxInt))
	cases := []struct {
		name string
		ts   []Tensor
		meta map[string]string
		want string
	}{
		{"duplicate", []Tensor{good, good}, nil, `tensor "w": duplicate tensor name`},
		{"reserved", []Tensor{F32Tensor("__x", []int{1}, []float32{1})}, nil, `tensor "__x": names starting with "__" are reserved`},
		{"pad name", []Tensor{F32Tensor("__pad__.0", []int{1}, []float32{1})}, nil, `tensor "__pad__.0": names starting with "__" are reserved`},
		{"metadata name", []Tensor{F32Tensor("__metadata__", []int{1}, []float32{1})}, nil, `reserved`},
		{"empty name", []Tensor{F32Tensor("", []int{1}, []float32{1})}, nil, "empty tensor name"},
		{"long name", []Tensor{F32Tensor(strings.Repeat("x", 257), []int{1}, []float32{1})}, nil, "name is 257 bytes long"},
		{"bad utf8 name", []Tensor{F32Tensor("a\xff", []int{1}, []float32{1})}, nil, "not valid UTF-8"},
		{"negative dim", []Tensor{{Name: "n", DType: F32, Shape: []int{-1}}}, nil, `tensor "n": shape [-1] has a dimension outside`},
		{"rank 9", []Tensor{{Name: "r", DType: U8, Shape: []int{1, 1, 1, 1, 1, 1, 1, 1, 1}, Data: []byte{1}}}, nil, `tensor "r": shape [1 1 1 1 1 1 1 1 1] has more than 8 dimensions`},
		{"overflow", []Tensor{{Name: "o", DType: F64, Shape: []int{maxDim, maxDim, maxDim}}}, nil, `tensor "o": element count`},
		{"short data", []Tensor{{Name: "s", DType: F32, Shape: []int{2}, Data: make([]byte, 7)}}, nil, `tensor "s": data holds 7 bytes, but shape [2] of F32 needs 8 bytes`},
		{"long data", []Tensor{{Name: "l", DType: I8, Shape: []int{}, Data: make([]byte, 2)}}, nil, `tensor "l": data holds 2 bytes`},
		{"bad dtype", []Tensor{{Name: "d", DType: "F8_E4M3", Shape: []int{1}, Data: []byte{1}}}, nil, `tensor "d": unsupported dtype "F8_E4M3"`},
		{"bad meta", []Tensor{good}, map[string]string{"k": "\xff"}, `metadata key "k" or its value is not valid UTF-8`},
		{"huge header", []Tensor{good}, map[string]string{"k": strings.Repeat("v", MaxHeaderSize)}, "exceeds the 1048576 byte limit"},
	}
	if strconv.IntSize == 64 {
		md := uint64(MaxDim)
		huge := int(md + 1)
		cases = append(cases, struct {
			name string
			ts   []Tensor
			meta map[string]string
			want string
		}{"huge dim", []Tensor{{Name: "h", DType: U8, Shape: []int{huge, 0}}}, nil, `tensor "h": shape [2147483649 0] has a dimension outside`})
	}
	for _, c := range cases {
		err := WriteFile(path, c.meta, c.ts)
		require.ErrorIs(t, err, ErrFormat, c.name)
		require.ErrorContains(t, err, c.want, c.name)
		_, statErr := os.Stat(path)
		require.True(t, errors.Is(statErr, os.ErrNotExist), c.name)
	}
	many := make([]Tensor, MaxTensors/2+1)
	for i := range many {
		many[i] = Tensor{Name: "t" + strconv.Itoa(i), DType: U8, Shape: []int{1}, Data: []byte{0}}
	}
	err := WriteFile(path, nil, many)
	require.ErrorContains(t, err, "65537 tensors with padding exceed the limit of 65536")
	entries, err := os.ReadDir(dir)
	require.NoError(t, err)
	require.Empty(t, entries, "no temporary files left behind")
}

// TestAtomicWrite injects a failure at every stage of WriteFile and checks
// that the existing file is untouched and no temporary file is left.
func TestAtomicWrite(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "w.safetensors")
	old := []Tensor{F32Tensor("old", []int{2}, []float32{1, 2})}
	require.NoError(t, WriteFile(path, nil, old))
	before, err := os.ReadFile(path)
	require.NoError(t, err)

	// Keep the old version mapped across the replacements below.
	mapped, err := Open(path)
	require.NoError(t, err)
	defer mapped.Close()

	newer := []Tensor{F32Tensor("new", []int{3}, []float32{4, 5, 6})}
	injected := errors.New("injected failure")
	for _, stage := range []string{"create", "write", "sync", "close", "rename"} {
		failWrite = func(s string) error {
			if s == stage {
				return injected
			}
			return nil
		}
		err := WriteFile(path, nil, newer)
		failWrite = nil
		require.ErrorIs(t, err, injected, stage)
		after, err := os.ReadFile(path)
		require.NoError(t, err)
		require.Equal(t, before, after, stage)
		entries, err := os.ReadDir(dir)
		require.NoError(t, err)
		require.Len(t, entries, 1, "only the target remains after failing at %s", stage)
	}

	// An invalid tensor fails before anything is created.
	require.Error(t, WriteFile(path, nil, []Tensor{{Name: "bad", DType: F32, Shape: []int{2}}}))
	after, err := os.ReadFile(path)
	require.NoError(t, err)
	require.Equal(t, before, after)

	// A real failure: the target is a directory, so the rename fails.
	sub := filepath.Join(dir, "sub")
	require.NoError(t, os.Mkdir(sub, 0o755))
	require.NoError(t, os.WriteFile(filepath.Join(sub, "keep"), []byte("x"), 0o644))
	require.Error(t, WriteFile(sub, nil, newer))
	entries, err := os.ReadDir(dir)
	require.NoError(t, err)
	require.Len(t, entries, 2)

	// A missing directory fails cleanly.
	require.Error(t, WriteFile(filepath.Join(dir, "nope", "x.safetensors"), nil, newer))

	// A successful replacement: the new content is visible, the old mapping
	// still reads the old data (rename never rewrites the mapped inode).
	require.NoError(t, WriteFile(path, nil, newer))
	f, err := Open(path)
	require.NoError(t, err)
	requireSameTensors(t, newer, f.Tensors())
	require.NoError(t, f.Close())
	requireSameTensors(t, old, mapped.Tensors())
	entries, err = os.ReadDir(dir)
	require.NoError(t, err)
	require.Len(t, entries, 2)

	// A relative path in the current directory works too.
	t.Chdir(dir)
	require.NoError(t, WriteFile("rel.safetensors", nil, newer))
	_, err = os.Stat(filepath.Join(dir, "rel.safetensors"))
	require.NoError(t, err)
}

func TestViews(t *testing.T) {
	ts := []Tensor{
		F32Tensor("f32", []int{2, 2}, []float32{1, -2, 3.5, float32(math.Inf(-1))}),
		BF16Tensor("bf16", []int{3}, []float32{1, -2.5, 1 + 1.0/512}),
		I32Tensor("i32", []int{3}, []int32{-1, 0, math.MaxInt32}),
		I8Tensor("i8", []int{4}, []int8{-128, -1, 0, 127}),
		{Name: "f16", DType: F16, Shape: []int{3}, Data: []byte{0x00, 0x3C, 0x00, 0xC0, 0x01, 0x00}},
		{Name: "i64", DType: I64, Shape: []int{2}, Data: binary.LittleEndian.AppendUint64(binary.LittleEndian.AppendUint64(nil, uint64(1<<63)), 7)},
		{Name: "i64ok", DType: I64, Shape: []int{2}, Data: binary.LittleEndian.AppendUint64(binary.LittleEndian.AppendUint64(nil, uint64(math.MaxUint64)), 7)},
		{Name: "u8", DType: U8, Shape: []int{2}, Data: []byte{255, 3}},
		{Name: "i16", DType: I16, Shape: []int{1}, Data: []byte{0x00, 0x80}},
		{Name: "u32big", DType: U32, Shape: []int{1}, Data: []byte{0, 0, 0, 0x80}},
	}
	path := filepath.Join(t.TempDir(), "v.safetensors")
	require.NoError(t, WriteFile(path, nil, ts))
	f, err := Open(path)
	require.NoError(t, err)
	defer f.Close()
	get := func(name string) Tensor {
		tt, ok := f.Tensor(name)
		require.True(t, ok, name)
		return tt
	}

	v, err := get("f32").Float32s()
	require.NoError(t, err)
	require.Equal(t, []float32{1, -2, 3.5, float32(math.Inf(-1))}, v)
	require.Equal(t, unsafe.Pointer(&get("f32").Data[0]), unsafe.Pointer(&v[0]), "F32 is a zero-copy view")

	v, err = get("bf16").Float32s()
	require.NoError(t, err)
	require.Equal(t, []float32{1, -2.5, 1}, v, "1+2^-9 rounds to even (1)")
	v, err = get("f16").Float32s()
	require.NoError(t, err)
	require.Equal(t, []float32{1, -2, float32(math.Ldexp(1, -24))}, v)

	iv, err := get("i32").Int32s()
	require.NoError(t, err)
	require.Equal(t, []int32{-1, 0, math.MaxInt32}, iv)
	require.Equal(t, unsafe.Pointer(&get("i32").Data[0]), unsafe.Pointer(&iv[0]), "I32 is a zero-copy view")
	iv, err = get("i8").Int32s()
	require.NoError(t, err)
	require.Equal(t, []int32{-128, -1, 0, 127}, iv)
	iv, err = get("u8").Int32s()
	require.NoError(t, err)
	require.Equal(t, []int32{255, 3}, iv)
	iv, err = get("i16").Int32s()
	require.NoError(t, err)
	require.Equal(t, []int32{-32768}, iv)
	iv, err = get("i64ok").Int32s()
	require.NoError(t, err)
	require.Equal(t, []int32{-1, 7}, iv)
	_, err = get("i64").Int32s()
	require.ErrorContains(t, err, `tensor "i64": element 0 of I64 (-9223372036854775808) does not fit in int32`)
	_, err = get("u32big").Int32s()
	require.ErrorContains(t, err, `tensor "u32big": element 0 of U32 (2147483648) does not fit in int32`)

	i8, err := get("i8").Int8s()
	require.NoError(t, err)
	require.Equal(t, []int8{-128, -1, 0, 127}, i8)
	require.Equal(t, unsafe.Pointer(&get("i8").Data[0]), unsafe.Pointer(&i8[0]), "I8 is a zero-copy view")

	_, err = get("i8").Float32s()
	require.ErrorContains(t, err, `tensor "i8": dtype I8 cannot be read as float32`)
	_, err = get("f32").Int32s()
	require.ErrorContains(t, err, `tensor "f32": dtype F32 cannot be read as int32`)
	_, err = get("u8").Int8s()
	require.ErrorContains(t, err, `tensor "u8": dtype U8 cannot be read as int8`)
	_, err = Tensor{Name: "short", DType: F32, Shape: []int{2}, Data: make([]byte, 4)}.Float32s()
	require.ErrorContains(t, err, `tensor "short": data holds 4 bytes`)
	_, err = Tensor{Name: "neg", DType: F32, Shape: []int{-2}}.Int8s()
	require.ErrorContains(t, err, `tensor "neg": invalid shape [-2]`)

	// Unaligned data is copied, not viewed.
	buf := make([]byte, 13)
	copy(buf[1:], get("f32").Data[:12])
	un := Tensor{Name: "u", DType: F32, Shape: []int{3}, Data: buf[1:]}
	v, err = un.Float32s()
	require.NoError(t, err)
	require.Equal(t, []float32{1, -2, 3.5}, v)
	un.DType = I32
	iv, err = un.Int32s()
	require.NoError(t, err)
	require.Equal(t, int32(math.Float32bits(-2)), iv[1])

	// Empty tensors give empty, non-nil slices.
	e := Tensor{Name: "e", DType: F32, Shape: []int{0}}
	v, err = e.Float32s()
	require.NoError(t, err)
	require.NotNil(t, v)
	require.Empty(t, v)
	e.DType = I8
	i8, err = e.Int8s()
	require.NoError(t, err)
	require.NotNil(t, i8)

	require.Equal(t, 4, get("f32").NumElements())
	require.Equal(t, 1, Tensor{}.NumElements())
	require.Equal(t, -1, Tensor{Shape: []int{-1}}.NumElements())
	require.Equal(t, -1, Tensor{Shape: []int{math.MaxInt, 2}}.NumElements())
	require.Equal(t, -1, Tensor{Shape: []int{math.MaxInt, 2, 0}}.NumElements(), "overflow is checked left to right, as in the reader")
	require.Equal(t, 0, Tensor{Shape: []int{0, math.MaxInt, 2}}.NumElements())
}

func TestCheckFinite(t *testing.T) {
	nan := float32(math.NaN())
	require.NoError(t, F32Tensor("ok", []int{2}, []float32{1, 2}).CheckFinite())
	err := F32Tensor("w", []int{2, 3}, []float32{0, 1, 2, 3, nan, 5}).CheckFinite()
	require.ErrorContains(t, err, `tensor "w": element 4 (index [1,1]) is NaN`)
	err = F32Tensor("w", []int{2}, []float32{0, float32(math.Inf(-1))}).CheckFinite()
	require.ErrorContains(t, err, `tensor "w": element 1 (index [1]) is -Inf`)
	err = BF16Tensor("b", []int{3}, []float32{0, 0, float32(math.Inf(1))}).CheckFinite()
	require.ErrorContains(t, err, `tensor "b": element 2 (index [2]) is +Inf`)
	big := float32(3e38)
	require.ErrorContains(t, BF16Tensor("b", []int{1}, []float32{big * 2}).CheckFinite(), "+Inf")
	err = Tensor{Name: "h", DType: F16, Shape: []int{1, 2}, Data: []byte{0, 0, 0x01, 0x7E}}.CheckFinite()
	require.ErrorContains(t, err, `tensor "h": element 1 (index [0,1]) is NaN`)
	err = Tensor{Name: "d", DType: F64, Shape: []int{1}, Data: binary.LittleEndian.AppendUint64(nil, math.Float64bits(math.Inf(1)))}.CheckFinite()
	require.ErrorContains(t, err, `tensor "d": element 0 (index [0]) is +Inf`)
	require.NoError(t, I8Tensor("i", []int{1}, []int8{-1}).CheckFinite())
	require.NoError(t, Tensor{Name: "s", DType: F32, Shape: []int{}, Data: f32bytes(1)}.CheckFinite())
	require.ErrorContains(t, Tensor{Name: "s", DType: F32, Shape: []int{}, Data: f32bytes(nan)}.CheckFinite(), `tensor "s": element 0 (index []) is NaN`)
	require.ErrorContains(t, Tensor{Name: "x", DType: F32, Shape: []int{2}}.CheckFinite(), `tensor "x": data holds 0 bytes`)

	// NaN data is fine for Parse; CheckFinite finds it.
	f, err := Parse(rawFile(`{`+entry("w", "F32", "[2]", 0, 8)+`}`, f32bytes(1, nan)))
	require.NoError(t, err)
	w, _ := f.Tensor("w")
	require.ErrorContains(t, w.CheckFinite(), `tensor "w": element 1 (index [1]) is NaN`)
}

func TestBF16(t *testing.T) {
	cases := []struct {
		in   uint32
		want uint16
	}{
		{0x3F800000, 0x3F80}, // 1
		{0x3F808000, 0x3F80}, // tie, even stays
		{0x3F818000, 0x3F82}, // tie, odd rounds up
		{0x3F808001, 0x3F81}, // above tie
		{0x3F807FFF, 0x3F80}, // below tie
		{0x7F7FFFFF, 0x7F80}, // max float rounds to +Inf
		{0xFF7FFFFF, 0xFF80}, // and -Inf
		{0x7F800000, 0x7F80}, // +Inf
		{0x80000000, 0x8000}, // -0
		{0x00000001, 0x0000}, // tiny subnormal rounds to 0
		{0x7FC00000, 0x7FC0}, // NaN
		{0xFFC00001, 0x7FC0}, // negative NaN with payload -> canonical NaN
		{0x7F800001, 0x7FC0}, // signalling NaN that would round to Inf stays NaN
		{math.Float32bits(3.140625), 0x4049},
	}
	for _, c := range cases {
		require.Equal(t, c.want, F32ToBF16(math.Float32frombits(c.in)), "%#08x", c.in)
	}
	// Every non-NaN bf16 value survives widening and rounding back.
	for b := 0; b < 1<<16; b++ {
		f := BF16ToF32(uint16(b))
		if f != f {
			require.Equal(t, uint16(0x7FC0), F32ToBF16(f))
			continue
		}
		require.Equal(t, uint16(b), F32ToBF16(f))
	}
	// Random floats: the result is the nearest bf16, ties to even.
	r := rand.New(rand.NewPCG(5, 6))
	for i := 0; i < 200000; i++ {
		u := r.Uint32()
		f := math.Float32frombits(u)
		if f != f {
			continue
		}
		got := F32ToBF16(f)
		lo := uint16(u >> 16)
		hi := lo + 1
		dlo := math.Abs(float64(f) - float64(BF16ToF32(lo)))
		var want uint16
		if math.IsInf(float64(BF16ToF32(hi)), 0) && !math.IsInf(float64(BF16ToF32(lo)), 0) {
			// Rounding up crosses into Inf when f is at least halfway to 2^128.
			half := math.Ldexp(1, 128) - math.Ldexp(1, 128-9)
			if math.Abs(float64(f)) >= half {
				want = hi
			} else {
				want = lo
			}
		} else {
			dhi := math.Abs(float64(f) - float64(BF16ToF32(hi)))
			switch {
			case dlo < dhi:
				want = lo
			case dhi < dlo:
				want = hi
			case lo%2 == 0:
				want = lo
			default:
				want = hi
			}
		}
		require.Equal(t, want, got, "%#08x", u)
	}
}

func TestF16ToF32(t *testing.T) {
	for h := 0; h < 1<<16; h++ {
		got := F16ToF32(uint16(h))
		sign := 1.0
		if h&0x8000 != 0 {
			sign = -1
		}
		e := (h >> 10) & 0x1F
		m := float64(h & 0x3FF)
		var want float64
		switch e {
		case 0:
			want = sign * m * math.Ldexp(1, -24)
		case 0x1F:
			if m == 0 {
				want = math.Inf(int(sign))
			} else {
				require.True(t, got != got, "%#04x is NaN", h)
				require.Equal(t, uint32(h&0x3FF)<<13, math.Float32bits(got)&0x7FFFFF, "payload kept")
				continue
			}
		default:
			want = sign * (1 + m/1024) * math.Ldexp(1, e-15)
		}
		require.Equal(t, want, float64(got), "%#04x", h)
		require.Equal(t, sign < 0, math.Signbit(float64(got)), "%#04x sign", h)
	}
}

// goldensDir is the golden files of the repository (testdata/goldens),
// standard safetensors files written by PyTorch.
func goldensDir(t *testing.T) string {
	dir := filepath.Join("..", "testdata", "goldens")
	_, err := os.Stat(dir)
	require.NoError(t, err)
	return dir
}

// TestGoldens opens the real-world (standard, 8-aligned) files shared with
// the runtime, checks their tensors against the sha256 in case.json and
// checks that F32ToBF16 reproduces PyTorch's bf16 rounding of the weights.
func TestGoldens(t *testing.T) {
	dir := goldensDir(t)
	files, err := filepath.Glob(filepath.Join(dir, "*", "*.safetensors"))
	require.NoError(t, err)
	require.NotEmpty(t, files)
	for _, path := range files {
		f, err := Open(path)
		require.NoError(t, err, path)
		require.False(t, f.Aligned(), path)
		require.NotEmpty(t, f.Names(), path)
		raw, err := os.ReadFile(path)
		require.NoError(t, err)
		for _, p := range parsers() {
			g, err := ParseWith(raw, p)
			require.NoError(t, err)
			requireSameTensors(t, f.Tensors(), g.Tensors())
			require.Equal(t, f.Metadata(), g.Metadata())
		}
		for _, tt := range f.Tensors() {
			if tt.DType == F32 || tt.DType == BF16 {
				require.NoError(t, tt.CheckFinite(), path)
			}
		}
		// Rewriting aligns it; every tensor survives.
		out := filepath.Join(t.TempDir(), filepath.Base(path))
		require.NoError(t, WriteFile(out, f.Metadata(), f.Tensors()))
		g, err := Open(out)
		require.NoError(t, err)
		require.True(t, g.Aligned())
		requireSameTensors(t, f.Tensors(), g.Tensors())
		require.NoError(t, g.Close())
		require.NoError(t, f.Close())
	}

	var c struct {
		Tensors []struct {
			Name       string `json:"name"`
			Shape      []int  `json:"shape"`
			SHA256F32  string `json:"sha256_f32"`
			SHA256BF16 string `json:"sha256_bf16"`
		} `json:"tensors"`
	}
	raw, err := os.ReadFile(filepath.Join(dir, "a_tiny", "case.json"))
	require.NoError(t, err)
	require.NoError(t, json.Unmarshal(raw, &c))
	wf, err := Open(filepath.Join(dir, "a_tiny", "weights_f32.safetensors"))
	require.NoError(t, err)
	defer wf.Close()
	wb, err := Open(filepath.Join(dir, "a_tiny", "weights_bf16.safetensors"))
	require.NoError(t, err)
	defer wb.Close()
	require.NotEmpty(t, c.Tensors)
	for _, ct := range c.Tensors {
		tf, ok := wf.Tensor(ct.Name)
		require.True(t, ok, ct.Name)
		tb, ok := wb.Tensor(ct.Name)
		require.True(t, ok, ct.Name)
		require.Equal(t, ct.Shape, tf.Shape)
		require.Equal(t, F32, tf.DType)
		require.Equal(t, BF16, tb.DType)
		sf := sha256.Sum256(tf.Data)
		require.Equal(t, ct.SHA256F32, hex.EncodeToString(sf[:]), ct.Name)
		sb := sha256.Sum256(tb.Data)
		require.Equal(t, ct.SHA256BF16, hex.EncodeToString(sb[:]), ct.Name)
		v, err := tf.Float32s()
		require.NoError(t, err)
		require.Equal(t, tb.Data, BF16Tensor("x", tf.Shape, v).Data, "RNE like PyTorch: %s", ct.Name)
	}
}

// TestWriteSample writes a small file of every dtype and reads it back. To
// keep it for checking by hand with Python:
//
//	LOADER_SAMPLE_OUT=/tmp/sample.safetensors go test -run TestWriteSample ./loader/
//	python3 -c 'from safetensors.numpy import load_file; print(load_file("/tmp/sample.safetensors"))'
//
// (or testdata/check_safetensors.py where the library is not installed).
func TestWriteSample(t *testing.T) {
	out := os.Getenv("LOADER_SAMPLE_OUT")
	if out == "" {
		out = filepath.Join(t.TempDir(), "sample.safetensors")
	}
	ts := []Tensor{
		F32Tensor("emb", []int{3, 2}, []float32{1, 2, 3, 4, 5, 6}),
		BF16Tensor("h_init", []int{3}, []float32{1, -2.5, 0.15625}),
		I8Tensor("q", []int{5}, []int8{-127, -1, 0, 1, 127}),
		I32Tensor("ids", []int{2}, []int32{7, -7}),
		{Name: "scalar", DType: F64, Shape: []int{}, Data: binary.LittleEndian.AppendUint64(nil, math.Float64bits(math.Pi))},
		{Name: "u16", DType: U16, Shape: []int{1}, Data: []byte{0x34, 0x12}},
		{Name: "f16", DType: F16, Shape: []int{2}, Data: []byte{0x00, 0x3C, 0x00, 0xC0}},
		{Name: "flags", DType: BOOL, Shape: []int{2}, Data: []byte{1, 0}},
	}
	require.NoError(t, WriteFile(out, map[string]string{"format": "hrm-sample"}, ts))
	f, err := Open(out)
	require.NoError(t, err)
	defer f.Close()
	requireSameTensors(t, ts, f.Tensors())
	require.Equal(t, "hrm-sample", f.Metadata()["format"])
}

// ReadFile's tensors do not change when the file is rewritten in place,
// as a mapped file's do (and a mapped file truncated in place raises SIGBUS).
func TestReadFileIndependentOfDisk(t *testing.T) {
	path := filepath.Join(t.TempDir(), "m.safetensors")
	a := []Tensor{F32Tensor("w", []int{4}, []float32{1, 2, 3, 4})}
	b := []Tensor{F32Tensor("w", []int{4}, []float32{5, 6, 7, 8})}
	require.NoError(t, WriteFile(path, nil, a))
	f, err := ReadFile(path)
	require.NoError(t, err)
	defer f.Close()
	raw, err := Marshal(nil, b)
	require.NoError(t, err)
	// What cp does: open the existing file, truncate it, write.
	fh, err := os.OpenFile(path, os.O_WRONLY|os.O_TRUNC, 0)
	require.NoError(t, err)
	_, err = fh.Write(raw)
	require.NoError(t, err)
	require.NoError(t, fh.Close())
	requireSameTensors(t, a, f.Tensors())

	_, err = ReadFile(filepath.Join(t.TempDir(), "missing"))
	require.ErrorContains(t, err, "no such file")
	short := filepath.Join(t.TempDir(), "short")
	require.NoError(t, writeRaw(short, []byte{1, 2}))
	_, err = ReadFile(short)
	require.ErrorIs(t, err, ErrFormat)
}
