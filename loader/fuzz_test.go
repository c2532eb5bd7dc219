package loader

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"unsafe"

	"github.com/stretchr/testify/require"
)

// FuzzParse: go test -fuzz=FuzzParse ./loader/
//
// Seeds: every fixture inline (f.Add) and the same files in
// testdata/fuzz/FuzzParse (regenerate with LOADER_UPDATE_CORPUS=1 go test
// -run TestFuzzCorpus ./loader/). For each input it checks that parsing never
// panics, that both header parsers agree (where simdjson runs), that a
// successful Parse yields tensors lying inside the input with consistent
// sizes, and that rewriting them with WriteFile and reopening gives the same
// tensors, 64-byte aligned.
func FuzzParse(f *testing.F) {
	for _, fx := range fixtures() {
		f.Add(fx.data)
	}
	// Fsync per input would make the fuzzer crawl; the write path is the same.
	syncWrites = false
	f.Cleanup(func() { syncWrites = true })
	path := filepath.Join(f.TempDir(), "rewrite.safetensors")
	f.Fuzz(func(t *testing.T, data []byte) {
		checkParse(t, data, path)
	})
}

func checkParse(t *testing.T, data []byte, path string) {
	if SIMDSupported() {
		compareParsers(t, data)
	}
	f, err := Parse(data)
	if err != nil {
		require.ErrorIs(t, err, ErrFormat)
		return
	}
	dataStart := 8 + f.HeaderLen()
	require.Equal(t, int64(len(data)), f.Size())
	require.Equal(t, int64(len(data))-dataStart, f.Header().DataSize)
	for _, tt := range f.Tensors() {
		off, ok := f.Offset(tt.Name)
		require.True(t, ok)
		require.GreaterOrEqual(t, off, dataStart, tt.Name)
		require.LessOrEqual(t, off+int64(len(tt.Data)), int64(len(data)), tt.Name)
		require.Equal(t, len(tt.Data), cap(tt.Data), "capacity is clipped")
		require.Equal(t, tt.NumElements()*tt.DType.Size(), len(tt.Data), tt.Name)
		if len(tt.Data) > 0 {
			require.Equal(t, unsafe.Pointer(&data[off]), unsafe.Pointer(&tt.Data[0]), "aliases the input")
		}
		require.Equal(t, off%Alignment == 0 || !f.Aligned(), true)
	}

	meta := f.Metadata()
	if err := WriteFile(path, meta, f.Tensors()); err != nil {
		// Only the header cap can reject a rewrite of a valid file (padding
		// entries and the alignment key make the header longer).
		require.ErrorContains(t, err, "byte limit")
		return
	}
	g, err := Open(path)
	require.NoError(t, err)
	defer g.Close()
	require.True(t, g.Aligned())
	requireSameTensors(t, f.Tensors(), g.Tensors())
	if _, ok := meta[AlignmentKey]; !ok {
		meta[AlignmentKey] = "64"
	}
	require.Equal(t, meta, g.Metadata())
}

func corpusFile(data []byte) []byte {
	return []byte(fmt.Sprintf("go test fuzz v1\n[]byte(%q)\n", data))
}

// TestFuzzCorpus keeps testdata/fuzz/FuzzParse in step with fixtures():
// with LOADER_UPDATE_CORPUS=1 it (re)writes the files, otherwise it checks
// them. Extra files (e.g. crashers the fuzzer saved) are left alone.
func TestFuzzCorpus(t *testing.T) {
	dir := filepath.Join("testdata", "fuzz", "FuzzParse")
	update := os.Getenv("LOADER_UPDATE_CORPUS") == "1"
	if update {
		require.NoError(t, os.MkdirAll(dir, 0o755))
	}
	for _, fx := range fixtures() {
		path := filepath.Join(dir, fx.name)
		want := corpusFile(fx.data)
		if update {
			require.NoError(t, os.WriteFile(path, want, 0o644))
			continue
		}
		got, err := os.ReadFile(path)
		require.NoError(t, err, "run LOADER_UPDATE_CORPUS=1 go test -run TestFuzzCorpus ./loader/")
		require.Equal(t, string(want), string(got), path)
	}
	// The files are what the fuzzing engine reads.
	entries, err := os.ReadDir(dir)
	require.NoError(t, err)
	require.GreaterOrEqual(t, len(entries), len(fixtures()))
	for _, e := range entries {
		b, err := os.ReadFile(filepath.Join(dir, e.Name()))
		require.NoError(t, err)
		require.True(t, strings.HasPrefix(string(b), "go test fuzz v1\n[]byte("), e.Name())
	}
}
