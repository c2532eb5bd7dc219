package loader

import (
	"encoding/binary"
	"fmt"
	"os"
	"sync"
	"sync/atomic"
)

// File is a validated safetensors file, either memory-mapped by [Open] or
// parsed from memory by [Parse]. Its methods may be called concurrently,
// except Close.
type File struct {
	data      []byte // the whole file
	headerLen int64
	header    *Header
	tensors   []Tensor // offset order, padding excluded
	offsets   []int64  // absolute file offset of tensors[i]
	byName    map[string]int
	aligned   bool

	closeOnce sync.Once
	closed    atomic.Bool
	closeErr  error
	unmap     func() error
}

// Parse validates a whole safetensors file held in memory. Tensor data
// aliases data, which must not be modified while the File is in use.
func Parse(data []byte) (*File, error) { return ParseWith(data, ParserAuto) }

// ParseWith is Parse with a chosen header parser.
func ParseWith(data []byte, p Parser) (*File, error) {
	if len(data) < 8 {
		return nil, errorf("file is %d bytes long, smaller than the 8-byte header length", len(data))
	}
	n := binary.LittleEndian.Uint64(data)
	if n > MaxHeaderSize {
		return nil, errorf("header length %d exceeds the %d byte limit", n, MaxHeaderSize)
	}
	if n > uint64(len(data)-8) {
		return nil, errorf("header length %d exceeds the %d bytes after the length field", n, len(data)-8)
	}
	hdr, err := ParseHeader(data[8:8+n], p)
	if err != nil {
		return nil, err
	}
	base := 8 + int64(n)
	bufSize := int64(len(data)) - base
	if hdr.DataSize != bufSize {
		if len(hdr.Entries) == 0 {
			return nil, errorf("header lists no tensors, but %d data bytes follow it", bufSize)
		}
		last := hdr.Entries[len(hdr.Entries)-1]
		if hdr.DataSize > bufSize {
			return nil, tensorErrorf(last.Name, "data_offsets [%d,%d] extend past the end of the %d-byte data buffer (file truncated?)",
				last.Begin, last.End, bufSize)
		}
		return nil, tensorErrorf(last.Name, "last tensor ends at data offset %d, but the data buffer holds %d bytes (%d trailing bytes)",
			last.End, bufSize, bufSize-hdr.DataSize)
	}
	f := &File{data: data, headerLen: int64(n), header: hdr, byName: make(map[string]int, len(hdr.Entries)), aligned: true}
	for _, e := range hdr.Entries {
		abs := base + e.Begin
		b := data[abs : base+e.End : base+e.End]
		if e.Padding {
			for i, c := range b {
				if c != 0 {
					return nil, tensorErrorf(e.Name, "padding byte %d is %#x, want 0", i, c)
				}
			}
			continue
		}
		if abs%Alignment != 0 {
			f.aligned = false
		}
		f.byName[e.Name] = len(f.tensors)
		f.tensors = append(f.tensors, Tensor{Name: e.Name, DType: e.DType, Shape: e.Shape, Data: b})
		f.offsets = append(f.offsets, abs)
	}
	return f, nil
}

// Open maps the file at path read-only (or reads it where mapping is not
// available) and validates it. The file must not be modified in place while
// open; replace it by rename instead (as WriteFile does).
func Open(path string) (*File, error) {
	fh, size, err := openRegular(path)
	if err != nil {
		return nil, err
	}
	defer fh.Close()
	data, unmap, err := mapFile(fh, int(size))
	if err != nil {
		return nil, fmt.Errorf("loader: open %s: %w", path, err)
	}
	f, err := Parse(data)
	if err != nil {
		unmap()
		return nil, fmt.Errorf("loader: open %s: %w", path, err)
	}
	// Catch a file that changed size while it was being opened.
	if st2, err := fh.Stat(); err != nil || st2.Size() != size {
		unmap()
		return nil, fmt.Errorf("loader: open %s: file changed size while being opened", path)
	}
	f.unmap = unmap
	return f, nil
}

// ReadFile reads the file at path into memory and validates it, like [Open]
// without the mapping. It costs the file's size in memory and a copy, but
// the File is then independent of the file on disk, which may be rewritten
// in place (by cp, say) without harm; a mapped file rewritten in place
// crashes the process with SIGBUS.
func ReadFile(path string) (*File, error) {
	fh, size, err := openRegular(path)
	if err != nil {
		return nil, err
	}
	defer fh.Close()
	data, err := readAll(fh, int(size))
	if err != nil {
		return nil, fmt.Errorf("loader: read %s: %w", path, err)
	}
	f, err := Parse(data)
	if err != nil {
		return nil, fmt.Errorf("loader: read %s: %w", path, err)
	}
	return f, nil
}

// Close releases the mapping. Tensor data (and views of it) must not be used
// afterwards; Tensor and Tensors then find nothing. Calling Close again does
// nothing and returns the first result.
func (f *File) Close() error {
	f.closeOnce.Do(func() {
		f.closed.Store(true)
		if f.unmap != nil {
			f.closeErr = f.unmap()
		}
	})
	return f.closeErr
}

// Metadata returns a copy of the "__metadata__" map (empty if absent).
func (f *File) Metadata() map[string]string {
	m := make(map[string]string, len(f.header.Metadata))
	for k, v := range f.header.Metadata {
		m[k] = v
	}
	return m
}

// Names returns the tensor names in data-offset order, padding excluded.
func (f *File) Names() []string {
	names := make([]string, len(f.tensors))
	for i, t := range f.tensors {
		names[i] = t.Name
	}
	return names
}

// Tensor returns the named tensor. Its Shape is a copy; its Data aliases the
// file.
func (f *File) Tensor(name string) (Tensor, bool) {
	i, ok := f.byName[name]
	if !ok || f.closed.Load() {
		return Tensor{}, false
	}
	return f.tensorAt(i), true
}

func (f *File) tensorAt(i int) Tensor {
	t := f.tensors[i]
	t.Shape = cloneShape(t.Shape)
	return t
}

// Tensors returns every tensor in data-offset order, padding excluded.
func (f *File) Tensors() []Tensor {
	if f.closed.Load() {
		return nil
	}
	out := make([]Tensor, len(f.tensors))
	for i := range f.tensors {
		out[i] = f.tensorAt(i)
	}
	return out
}

// Offset returns the absolute file offset of the named tensor's data.
func (f *File) Offset(name string) (int64, bool) {
	i, ok := f.byName[name]
	if !ok {
		return 0, false
	}
	return f.offsets[i], true
}

// Aligned reports whether every tensor (padding excluded) starts at an
// absolute file offset that is a multiple of [Alignment] (64), as files from
// WriteFile do. Standard safetensors writers only align to 8.
func (f *File) Aligned() bool { return f.aligned }

// Size returns the file size in bytes.
func (f *File) Size() int64 { return int64(len(f.data)) }

// HeaderLen returns the JSON header length N (the data starts at 8+N).
func (f *File) HeaderLen() int64 { return f.headerLen }

// Header returns the validated header, padding entries included. It must
// not be modified.
func (f *File) Header() *Header { return f.header }

// openRegular opens path for reading and checks that it is a regular file
// of at least 8 bytes that this platform can address. The open itself does
// not block (openFlags): a fifo given as a weight file would otherwise hang
// until some other process opened it for writing.
func openRegular(path string) (*os.File, int64, error) {
	fh, err := os.OpenFile(path, openFlags, 0)
	if err != nil {
		return nil, 0, fmt.Errorf("loader: %w", err)
	}
	st, err := fh.Stat()
	if err != nil {
		fh.Close()
		return nil, 0, fmt.Errorf("loader: %w", err)
	}
	if !st.Mode().IsRegular() {
		fh.Close()
		return nil, 0, fmt.Errorf("loader: open %s: not a regular file", path)
	}
	size := st.Size()
	if size < 8 {
		fh.Close()
		return nil, 0, fmt.Errorf("loader: open %s: %w", path,
			errorf("file is %d bytes long, smaller than the 8-byte header length", size))
	}
	if uint64(size) > uint64(maxMapSize) {
		fh.Close()
		return nil, 0, fmt.Errorf("loader: open %s: file of %d bytes is too large for this platform", path, size)
	}
	return fh, size, nil
}
