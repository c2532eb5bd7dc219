package loader

import (
	"errors"
	"fmt"
	"os"
	"strconv"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"
)

// parsers returns the header parsers usable on this machine.
func parsers() []Parser {
	if SIMDSupported() {
		return []Parser{ParserJSON, ParserSIMD}
	}
	return []Parser{ParserJSON}
}

// TestHostileFiles checks every fixture with every parser: valid ones parse,
// hostile ones fail with a FormatError whose message names the tensor and
// the problem.
func TestHostileFiles(t *testing.T) {
	seen := map[string]bool{}
	for _, fx := range fixtures() {
		require.False(t, seen[fx.name], "duplicate fixture name %s", fx.name)
		seen[fx.name] = true
		for _, p := range parsers() {
			t.Run(fx.name+"/"+p.String(), func(t *testing.T) {
				f, err := ParseWith(fx.data, p)
				if fx.wantErr == nil {
					require.NoError(t, err)
					require.NotNil(t, f)
					return
				}
				require.Error(t, err)
				require.Nil(t, f)
				require.ErrorIs(t, err, ErrFormat)
				var fe *FormatError
				require.True(t, errors.As(err, &fe))
				for _, want := range fx.wantErr {
					require.Contains(t, err.Error(), want)
				}
			})
		}
	}
}

// TestTooManyTensors drives the tensor-count limit through the builder: a
// 1 MiB header cannot hold 65537 entries, so the check is defensive.
func TestTooManyTensors(t *testing.T) {
	var b builder
	for i := 0; i < MaxTensors; i++ {
		_, err := b.key(fmt.Sprint("t", i))
		require.NoError(t, err)
	}
	_, err := b.key("one_more")
	require.ErrorContains(t, err, `tensor "one_more": too many tensors (limit 65536)`)
}

// TestHeaderCapExactly checks that a header of exactly MaxHeaderSize bytes is
// accepted and one byte more is not.
func TestHeaderCapExactly(t *testing.T) {
	h := `{"__metadata__":{"pad":""}}`
	h += strings.Repeat(" ", MaxHeaderSize-len(h))
	for _, p := range parsers() {
		f, err := ParseWith(rawFile(h, nil), p)
		require.NoError(t, err, p)
		require.Equal(t, map[string]string{"pad": ""}, f.Metadata())
		_, err = ParseWith(rawFile(h+" ", nil), p)
		require.ErrorContains(t, err, "header length 1048577 exceeds the 1048576 byte limit")
	}
	_, err := ParseHeader([]byte(h+" "), ParserJSON)
	require.ErrorContains(t, err, "exceeds the 1048576 byte limit")
}

// TestOpenHostile runs the hostile fixtures through Open (mmap path).
func TestOpenHostile(t *testing.T) {
	dir := t.TempDir()
	for _, fx := range fixtures() {
		path := dir + "/" + fx.name + ".safetensors"
		require.NoError(t, writeRaw(path, fx.data))
		f, err := Open(path)
		if fx.wantErr == nil {
			require.NoError(t, err, fx.name)
			require.NoError(t, f.Close())
			continue
		}
		require.Error(t, err, fx.name)
		require.ErrorIs(t, err, ErrFormat, fx.name)
		require.Contains(t, err.Error(), path)
		for _, want := range fx.wantErr {
			require.Contains(t, err.Error(), want, fx.name)
		}
	}
	_, err := Open(dir)
	require.ErrorContains(t, err, "not a regular file")
	_, err = Open(dir + "/does-not-exist")
	require.Error(t, err)
}

// TestMaxDim: a dimension of exactly 2^31 is allowed where it fits in an int.
func TestMaxDim(t *testing.T) {
	data := rawFile(`{`+entry("m", "U8", "[2147483648,0]", 0, 0)+`}`, nil)
	for _, p := range parsers() {
		f, err := ParseWith(data, p)
		if strconv.IntSize == 64 {
			require.NoError(t, err)
			m, _ := f.Tensor("m")
			require.Equal(t, uint64(MaxDim), uint64(m.Shape[0]))
		} else {
			require.ErrorContains(t, err, `tensor "m": shape[0] = 2147483648 exceeds the dimension limit 2147483647`)
		}
	}
}

// TestReadAll covers the read fallback used instead of mmap on windows,
// plan9, js and wasip1.
func TestReadAll(t *testing.T) {
	path := t.TempDir() + "/f"
	data := rawFile(`{`+entry("w", "F32", "[2]", 0, 8)+`}`, f32bytes(1, 2))
	require.NoError(t, writeRaw(path, data))
	for _, c := range []struct {
		size int
		want string
	}{{len(data), ""}, {len(data) + 1, "shrank"}, {len(data) - 1, "grew"}} {
		fh, err := os.Open(path)
		require.NoError(t, err)
		got, err := readAll(fh, c.size)
		fh.Close()
		if c.want == "" {
			require.NoError(t, err)
			require.Equal(t, data, got)
			f, err := Parse(got)
			require.NoError(t, err)
			require.Equal(t, []string{"w"}, f.Names())
		} else {
			require.ErrorContains(t, err, c.want)
		}
	}
}
