package loader

import (
	"bytes"
	"encoding/binary"
	"encoding/json"
	"fmt"
	"io"
	"slices"
	"strconv"
	"unicode/utf8"
)

// layoutEntry is one tensor of a file being written.
type layoutEntry struct {
	name  string
	dtype DType
	shape []int
	data  []byte // nil for padding
	size  int64
}

// layout validates the tensors and plans the file: the header bytes (padded
// so that 8+N is a multiple of Alignment) and the entries with padding.
func layout(meta map[string]string, tensors []Tensor) ([]byte, []layoutEntry, error) {
	seen := make(map[string]struct{}, len(tensors))
	var ents []layoutEntry
	for i, t := range tensors {
		if err := checkName(t.Name, false); err != nil {
			return nil, nil, err
		}
		if _, dup := seen[t.Name]; dup {
			return nil, nil, tensorErrorf(t.Name, "duplicate tensor name")
		}
		seen[t.Name] = struct{}{}
		if !t.DType.Valid() {
			return nil, nil, tensorErrorf(t.Name, "unsupported dtype %q", string(t.DType))
		}
		if len(t.Shape) > MaxRank {
			return nil, nil, tensorErrorf(t.Name, "shape %v has more than %d dimensions", t.Shape, MaxRank)
		}
		for _, d := range t.Shape {
			if d < 0 || uint64(d) > MaxDim {
				return nil, nil, tensorErrorf(t.Name, "shape %v has a dimension outside [0, %d]", t.Shape, uint64(MaxDim))
			}
		}
		size, err := byteSize(t.Name, t.DType, t.Shape)
		if err != nil {
			return nil, nil, err
		}
		if uint64(len(t.Data)) != size {
			return nil, nil, tensorErrorf(t.Name, "data holds %d bytes, but shape %v of %s needs %d bytes",
				len(t.Data), t.Shape, t.DType, size)
		}
		ents = append(ents, layoutEntry{name: t.Name, dtype: t.DType, shape: t.Shape, data: t.Data, size: int64(size)})
		if r := int64(size) % Alignment; r != 0 && i < len(tensors)-1 {
			k := Alignment - r
			ents = append(ents, layoutEntry{name: PadPrefix + strconv.Itoa(i), dtype: U8, shape: []int{int(k)}, size: k})
		}
	}
	if len(ents) > MaxTensors {
		return nil, nil, errorf("%d tensors with padding exceed the limit of %d", len(ents), MaxTensors)
	}
	for k, v := range meta {
		if !utf8.ValidString(k) || !utf8.ValidString(v) {
			return nil, nil, errorf("metadata key %q or its value is not valid UTF-8", k)
		}
	}

	var hb bytes.Buffer
	enc := json.NewEncoder(&hb)
	enc.SetEscapeHTML(false)
	str := func(s string) {
		_ = enc.Encode(s)         // cannot fail for a string
		hb.Truncate(hb.Len() - 1) // drop the newline Encode adds
	}
	hb.WriteByte('{')
	// Metadata first, keys sorted, with the alignment recorded unless the
	// caller set it.
	m := make(map[string]string, len(meta)+1)
	for k, v := range meta {
		m[k] = v
	}
	if _, ok := m[AlignmentKey]; !ok {
		m[AlignmentKey] = strconv.Itoa(Alignment)
	}
	str(MetadataKey)
	hb.WriteString(":{")
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	for i, k := range keys {
		if i > 0 {
			hb.WriteByte(',')
		}
		str(k)
		hb.WriteByte(':')
		str(m[k])
	}
	hb.WriteByte('}')
	var off int64
	for _, e := range ents {
		hb.WriteByte(',')
		str(e.name)
		fmt.Fprintf(&hb, `:{"dtype":"%s","shape":[`, e.dtype)
		for j, d := range e.shape {
			if j > 0 {
				hb.WriteByte(',')
			}
			hb.WriteString(strconv.Itoa(d))
		}
		fmt.Fprintf(&hb, `],"data_offsets":[%d,%d]}`, off, off+e.size)
		off += e.size
	}
	hb.WriteByte('}')
	for (8+hb.Len())%Alignment != 0 {
		hb.WriteByte(' ')
	}
	if hb.Len() > MaxHeaderSize {
		return nil, nil, errorf("header of %d bytes exceeds the %d byte limit", hb.Len(), MaxHeaderSize)
	}
	return hb.Bytes(), ents, nil
}

var zeros [Alignment]byte

func writeLayout(w io.Writer, header []byte, ents []layoutEntry) error {
	var n [8]byte
	binary.LittleEndian.PutUint64(n[:], uint64(len(header)))
	if _, err := w.Write(n[:]); err != nil {
		return err
	}
	if _, err := w.Write(header); err != nil {
		return err
	}
	for _, e := range ents {
		b := e.data
		if b == nil {
			b = zeros[:e.size]
		}
		if _, err := w.Write(b); err != nil {
			return err
		}
	}
	return nil
}

// Marshal returns the bytes WriteFile would write.
func Marshal(meta map[string]string, tensors []Tensor) ([]byte, error) {
	header, ents, err := layout(meta, tensors)
	if err != nil {
		return nil, err
	}
	var buf bytes.Buffer
	if err := writeLayout(&buf, header, ents); err != nil {
		return nil, err
	}
	return buf.Bytes(), nil
}

// WriteFile writes tensors (in the given order) and metadata as a safetensors
// file at path that Python's safetensors accepts and in which every tensor
// starts at a 64-byte aligned absolute offset (see the package doc). The
// metadata gets "alignment": "64" unless it has an "alignment" key. Names
// must be unique, non-empty, valid UTF-8, at most MaxNameLen bytes and not
// start with "__"; shapes and data lengths must agree.
//
// The write is atomic, with [WriteAtomic]'s rules for existing files and
// symbolic links.
func WriteFile(path string, meta map[string]string, tensors []Tensor) error {
	header, ents, err := layout(meta, tensors)
	if err != nil {
		return err
	}
	return WriteAtomic(path, func(w io.Writer) error { return writeLayout(w, header, ents) })
}
