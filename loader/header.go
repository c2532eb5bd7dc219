package loader

import (
	"cmp"
	"math"
	"slices"
	"strings"
	"sync"
	"unicode/utf8"

	"github.com/hrmgo/hrm/internal/jsonstr"
	"github.com/minio/simdjson-go"
)

// Limits enforced on every file read and written.
const (
	// MaxHeaderSize caps the JSON header length N. HRM headers are a few KB;
	// the reference implementation allows 100 MB, which is far more than a
	// weight file of this project can need and a cheap denial of service.
	MaxHeaderSize = 1 << 20
	// MaxTensors caps the number of header entries, padding tensors included.
	MaxTensors = 65536
	// MaxNameLen caps a tensor name, in bytes.
	MaxNameLen = 256
	// MaxRank caps the number of dimensions of a tensor.
	MaxRank = 8
	// MaxDim caps every dimension (2^31); on 32-bit platforms a dimension
	// must also fit in an int.
	MaxDim = 1 << 31
	// Alignment is the absolute file offset alignment produced by WriteFile
	// and checked by File.Aligned.
	Alignment = 64
	// PadPrefix starts the name of every padding tensor.
	PadPrefix = "__pad__."
	// MetadataKey is the reserved header key of the string metadata.
	MetadataKey = "__metadata__"
	// AlignmentKey is the metadata key WriteFile sets to "64" unless the
	// caller sets it.
	AlignmentKey = "alignment"
)

// Parser selects the JSON parser used for the header.
type Parser int

const (
	// ParserAuto uses ParserSIMD when simdjson.SupportedCPU() and ParserJSON
	// otherwise.
	ParserAuto Parser = iota
	// ParserJSON is a streaming encoding/json token walk.
	ParserJSON
	// ParserSIMD is github.com/minio/simdjson-go (amd64 with AVX2 and CLMUL
	// only; elsewhere it fails with an error).
	ParserSIMD
)

func (p Parser) String() string {
	switch p {
	case ParserAuto:
		return "auto"
	case ParserJSON:
		return "encoding/json"
	case ParserSIMD:
		return "simdjson"
	}
	return "invalid"
}

var simdSupported = sync.OnceValue(simdjson.SupportedCPU)

// SIMDSupported reports whether ParserSIMD works on this machine.
func SIMDSupported() bool { return simdSupported() }

// DefaultParser returns the parser that ParserAuto resolves to.
func DefaultParser() Parser {
	if simdSupported() {
		return ParserSIMD
	}
	return ParserJSON
}

// Header is a parsed and validated safetensors header.
type Header struct {
	// Metadata is the "__metadata__" object (empty if absent).
	Metadata map[string]string
	// HasMetadata reports whether the header had a "__metadata__" key.
	HasMetadata bool
	// Entries lists every tensor, padding included, sorted by data offsets.
	Entries []HeaderEntry
	// DataSize is the end offset of the last tensor: the size the data
	// buffer must have.
	DataSize int64
}

// HeaderEntry describes one tensor of a header.
type HeaderEntry struct {
	Name  string
	DType DType
	Shape []int
	// Begin and End are the data_offsets, relative to the data buffer.
	Begin, End int64
	// Padding is set for "__pad__." tensors.
	Padding bool
}

// ParseHeader parses and validates the JSON header bytes b (without the
// 8-byte length prefix) with parser p. Everything is checked except what
// needs the file: that the last tensor ends at the end of the file and that
// padding tensors hold zeros.
func ParseHeader(b []byte, p Parser) (*Header, error) {
	if len(b) > MaxHeaderSize {
		return nil, errorf("header length %d exceeds the %d byte limit", len(b), MaxHeaderSize)
	}
	b, err := precheckHeader(b)
	if err != nil {
		return nil, err
	}
	if p == ParserAuto {
		p = DefaultParser()
	}
	var bld builder
	switch p {
	case ParserJSON:
		err = parseJSON(b, &bld)
	case ParserSIMD:
		if !simdSupported() {
			return nil, errorf("simdjson parser not supported on this CPU or platform")
		}
		err = parseSIMD(b, &bld)
	default:
		return nil, errorf("unknown parser %d", int(p))
	}
	if err != nil {
		return nil, err
	}
	return bld.finish()
}

func isJSONSpace(c byte) bool { return c == ' ' || c == '\t' || c == '\n' || c == '\r' }

// precheckHeader runs the checks shared by both parsers before parsing, so
// that they see exactly the same input: UTF-8 validity, leading '{', only
// JSON whitespace after the final '}', and well-formed string contents
// (jsonstr.Check: simdjson-go does not validate escapes, encoding/json
// replaces unpaired surrogates). It returns b without the trailing
// whitespace.
func precheckHeader(b []byte) ([]byte, error) {
	if len(b) == 0 {
		return nil, syntaxErrorf("empty header")
	}
	if !utf8.Valid(b) {
		i := 0
		for i < len(b) {
			r, size := utf8.DecodeRune(b[i:])
			if r == utf8.RuneError && size <= 1 {
				break
			}
			i += size
		}
		return nil, syntaxErrorf("header is not valid UTF-8 (at byte %d)", i)
	}
	if b[0] != '{' {
		return nil, syntaxErrorf("header does not start with '{' (first byte %q)", b[0])
	}
	end := len(b)
	for end > 0 && isJSONSpace(b[end-1]) {
		end--
	}
	if b[end-1] != '}' {
		return nil, syntaxErrorf("header does not end with '}' followed by whitespace padding")
	}
	b = b[:end]
	if i, why := jsonstr.Check(b); i >= 0 {
		return nil, syntaxErrorf("invalid JSON: header string: %s at byte %d", why, i)
	}
	return b, nil
}

// numKind classifies a JSON number where a non-negative integer is expected.
type numKind int

const (
	numOK numKind = iota
	numNegative
	numNotInteger
	numTooLarge
)

// jsonType names a JSON value kind in error messages; both parsers use these words.
const (
	typeObject = "an object"
	typeArray  = "an array"
	typeString = "a string"
	typeNumber = "a number"
	typeBool   = "a boolean"
	typeNull   = "null"
)

type rawEntry struct {
	name       string
	dtype      DType
	shape      []int
	offsets    []int64
	hasDType   bool
	hasShape   bool
	hasOffsets bool
}

// builder receives the header's values from either parser, in document
// order, and performs every check that does not need the whole header. Both
// parsers call it at the same points, so for well-formed JSON they fail with
// identical errors.
type builder struct {
	keys     map[string]struct{}
	meta     map[string]string
	hasMeta  bool
	entries  []rawEntry
	cur      *rawEntry
	curField string
}

// key starts a top-level key. It reports whether the key is the metadata.
func (b *builder) key(name string) (isMeta bool, err error) {
	if b.keys == nil {
		b.keys = make(map[string]struct{})
	}
	if _, dup := b.keys[name]; dup {
		if name == MetadataKey {
			return false, errorf("duplicate %q key", MetadataKey)
		}
		return false, tensorErrorf(name, "duplicate tensor name")
	}
	b.keys[name] = struct{}{}
	if name == MetadataKey {
		b.hasMeta = true
		b.meta = make(map[string]string)
		return true, nil
	}
	if err := checkName(name, true); err != nil {
		return false, err
	}
	if len(b.entries) >= MaxTensors {
		return false, tensorErrorf(name, "too many tensors (limit %d)", MaxTensors)
	}
	b.entries = append(b.entries, rawEntry{name: name})
	b.cur = &b.entries[len(b.entries)-1]
	return false, nil
}

// checkName validates a tensor name; padding names are allowed when reading.
func checkName(name string, allowPad bool) error {
	switch {
	case name == "":
		return errorf("empty tensor name")
	case len(name) > MaxNameLen:
		return tensorErrorf(name, "name is %d bytes long (limit %d)", len(name), MaxNameLen)
	case !utf8.ValidString(name):
		return tensorErrorf(name, "name is not valid UTF-8")
	case strings.HasPrefix(name, PadPrefix) && allowPad:
		return nil
	case strings.HasPrefix(name, "__"):
		return tensorErrorf(name, "names starting with \"__\" are reserved")
	}
	return nil
}

func (b *builder) metaNotObject(got string) error {
	return errorf("%q must be an object of strings, got %s", MetadataKey, got)
}

func (b *builder) metaValue(k, v string) error {
	if _, dup := b.meta[k]; dup {
		return errorf("duplicate key %q in %q", k, MetadataKey)
	}
	b.meta[k] = v
	return nil
}

func (b *builder) metaValueNotString(k, got string) error {
	return errorf("%q value of key %q must be a string, got %s", MetadataKey, k, got)
}

func (b *builder) entryNotObject(got string) error {
	return tensorErrorf(b.cur.name, "entry must be an object, got %s", got)
}

// field starts a field of the current tensor entry.
func (b *builder) field(f string) error {
	e := b.cur
	var seen *bool
	switch f {
	case "dtype":
		seen = &e.hasDType
	case "shape":
		seen = &e.hasShape
	case "data_offsets":
		seen = &e.hasOffsets
	default:
		return tensorErrorf(e.name, "unknown field %q (want dtype, shape, data_offsets)", f)
	}
	if *seen {
		return tensorErrorf(e.name, "duplicate field %q", f)
	}
	*seen = true
	b.curField = f
	return nil
}

func (b *builder) fieldWrongType(got string) error {
	want := typeArray
	if b.curField == "dtype" {
		want = typeString
	}
	return tensorErrorf(b.cur.name, "%q must be %s, got %s", b.curField, want, got)
}

func (b *builder) dtype(s string) error {
	d := DType(s)
	if !d.Valid() {
		return tensorErrorf(b.cur.name, "unsupported dtype %q", s)
	}
	b.cur.dtype = d
	return nil
}

// arrayStart is called after '[' of "shape" or "data_offsets".
func (b *builder) arrayStart() {
	if b.curField == "shape" {
		b.cur.shape = []int{}
	} else {
		b.cur.offsets = []int64{}
	}
}

func (b *builder) elemWrongType(got string) error {
	n := len(b.cur.offsets)
	if b.curField == "shape" {
		n = len(b.cur.shape)
	}
	return tensorErrorf(b.cur.name, "%s[%d] must be a non-negative integer, got %s", b.curField, n, got)
}

// number receives an element of "shape" or "data_offsets".
func (b *builder) number(v uint64, k numKind) error {
	e := b.cur
	if b.curField == "shape" {
		i := len(e.shape)
		if i >= MaxRank {
			return tensorErrorf(e.name, "shape has more than %d dimensions", MaxRank)
		}
		if err := numErr(e.name, "shape", i, k); err != nil {
			return err
		}
		if v > MaxDim || v > math.MaxInt {
			return tensorErrorf(e.name, "shape[%d] = %d exceeds the dimension limit %d", i, v, uint64(min(MaxDim, math.MaxInt)))
		}
		e.shape = append(e.shape, int(v))
		return nil
	}
	i := len(e.offsets)
	if i >= 2 {
		return tensorErrorf(e.name, "data_offsets must have exactly 2 elements, got more")
	}
	if err := numErr(e.name, "data_offsets", i, k); err != nil {
		return err
	}
	if v > math.MaxInt64 {
		return tensorErrorf(e.name, "data_offsets[%d] = %d is too large", i, v)
	}
	e.offsets = append(e.offsets, int64(v))
	return nil
}

func numErr(name, field string, i int, k numKind) error {
	switch k {
	case numNegative:
		return tensorErrorf(name, "%s[%d] is negative", field, i)
	case numNotInteger:
		return tensorErrorf(name, "%s[%d] is not an integer (fraction or exponent)", field, i)
	case numTooLarge:
		return tensorErrorf(name, "%s[%d] is too large", field, i)
	}
	return nil
}

// endEntry is called at the '}' closing a tensor entry.
func (b *builder) endEntry() error {
	e := b.cur
	switch {
	case !e.hasDType:
		return tensorErrorf(e.name, "missing field \"dtype\"")
	case !e.hasShape:
		return tensorErrorf(e.name, "missing field \"shape\"")
	case !e.hasOffsets:
		return tensorErrorf(e.name, "missing field \"data_offsets\"")
	case len(e.offsets) != 2:
		return tensorErrorf(e.name, "data_offsets must have exactly 2 elements, got %d", len(e.offsets))
	}
	begin, end := e.offsets[0], e.offsets[1]
	if begin > end {
		return tensorErrorf(e.name, "data_offsets [%d,%d]: begin is after end", begin, end)
	}
	size, err := byteSize(e.name, e.dtype, e.shape)
	if err != nil {
		return err
	}
	if uint64(end-begin) != size {
		return tensorErrorf(e.name, "data_offsets [%d,%d] span %d bytes, but shape %v of %s needs %d bytes",
			begin, end, end-begin, e.shape, e.dtype, size)
	}
	if strings.HasPrefix(e.name, PadPrefix) {
		if e.dtype != U8 || len(e.shape) != 1 || size >= Alignment {
			return tensorErrorf(e.name, "padding tensor must be U8 of shape [k] with k < %d, got %s %v", Alignment, e.dtype, e.shape)
		}
	}
	b.cur = nil
	return nil
}

// byteSize computes product(shape) * dtype size with overflow checks (left to
// right, like the reference implementation).
func byteSize(name string, d DType, shape []int) (uint64, error) {
	n := uint64(1)
	for _, dim := range shape {
		if dim < 0 {
			return 0, tensorErrorf(name, "shape %v has a negative dimension", shape)
		}
		if dim != 0 && n > math.MaxInt64/uint64(dim) {
			return 0, tensorErrorf(name, "element count of shape %v overflows", shape)
		}
		n *= uint64(dim)
	}
	s := uint64(d.Size())
	if n > math.MaxInt64/s {
		return 0, tensorErrorf(name, "byte size of shape %v of %s overflows", shape, d)
	}
	return n * s, nil
}

// finish sorts the entries by offsets and checks they tile [0, DataSize).
func (b *builder) finish() (*Header, error) {
	h := &Header{Metadata: b.meta, HasMetadata: b.hasMeta}
	if h.Metadata == nil {
		h.Metadata = map[string]string{}
	}
	ents := b.entries
	slices.SortStableFunc(ents, func(x, y rawEntry) int {
		if c := cmp.Compare(x.offsets[0], y.offsets[0]); c != 0 {
			return c
		}
		return cmp.Compare(x.offsets[1], y.offsets[1])
	})
	h.Entries = make([]HeaderEntry, len(ents))
	var pos int64
	for i, e := range ents {
		begin, end := e.offsets[0], e.offsets[1]
		switch {
		case i == 0 && begin != 0:
			return nil, tensorErrorf(e.name, "first tensor starts at data offset %d, want 0 (hole at the start of the data)", begin)
		case begin > pos:
			return nil, tensorErrorf(e.name, "data_offsets [%d,%d] leave a hole of %d bytes after tensor %q ending at %d",
				begin, end, begin-pos, ents[i-1].name, pos)
		case begin < pos:
			return nil, tensorErrorf(e.name, "data_offsets [%d,%d] overlap tensor %q ending at %d",
				begin, end, ents[i-1].name, pos)
		}
		pos = end
		h.Entries[i] = HeaderEntry{
			Name: e.name, DType: e.dtype, Shape: e.shape, Begin: begin, End: end,
			Padding: strings.HasPrefix(e.name, PadPrefix),
		}
	}
	h.DataSize = pos
	return h, nil
}
