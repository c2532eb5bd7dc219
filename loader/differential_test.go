package loader

import (
	"errors"
	"math/rand/v2"
	"os"
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/require"
)

// compareParsers parses data with both header parsers and requires the same
// outcome: both fail or both succeed with identical headers, tensors and
// metadata. When neither error is a JSON syntax error (which the parsers word
// differently, and which simdjson reports before any semantic problem) the
// messages must be identical too.
func compareParsers(t *testing.T, data []byte) {
	t.Helper()
	fj, ej := ParseWith(data, ParserJSON)
	fs, es := ParseWith(data, ParserSIMD)
	require.Equal(t, ej == nil, es == nil, "json: %v\nsimd: %v\ninput: %q", ej, es, data)
	if ej != nil {
		var fej, fes *FormatError
		require.True(t, errors.As(ej, &fej), "%v", ej)
		require.True(t, errors.As(es, &fes), "%v", es)
		if !fej.Syntax && !fes.Syntax {
			require.Equal(t, ej.Error(), es.Error(), "input: %q", data)
		}
		return
	}
	require.Equal(t, fj.Header(), fs.Header())
	require.Equal(t, fj.Metadata(), fs.Metadata())
	require.Equal(t, fj.Names(), fs.Names())
	require.Equal(t, fj.Aligned(), fs.Aligned())
	requireSameTensors(t, fj.Tensors(), fs.Tensors())
}

func requireSIMD(t testing.TB) {
	if !SIMDSupported() {
		t.Skip("simdjson is not supported on this CPU/platform; only the encoding/json parser runs")
	}
}

// TestParserDifferential runs both parsers over every fixture (valid and
// hostile), the golden files of testdata/, and many random mutations of
// valid files.
func TestParserDifferential(t *testing.T) {
	requireSIMD(t)
	var inputs [][]byte
	for _, fx := range fixtures() {
		inputs = append(inputs, fx.data)
	}
	files, err := filepath.Glob(filepath.Join("..", "testdata", "goldens", "*", "*.safetensors"))
	require.NoError(t, err)
	require.NotEmpty(t, files)
	for _, path := range files {
		b, err := os.ReadFile(path)
		require.NoError(t, err)
		inputs = append(inputs, b)
	}
	for _, in := range inputs {
		compareParsers(t, in)
	}

	// Mutations of the valid fixtures: flip, insert and delete bytes inside
	// the header, where the parsers could disagree.
	r := rand.New(rand.NewPCG(7, 8))
	alphabet := []byte(`{}[]":,0123456789-+.eE \t\n\\u"abcdefFIU_` + "\x00\x1f\x7f\xc3\xa9\xff")
	n := 0
	for _, fx := range fixtures() {
		if fx.wantErr != nil {
			continue
		}
		for i := 0; i < 300; i++ {
			data := append([]byte{}, fx.data...)
			for k := 0; k < 1+r.IntN(3); k++ {
				if len(data) <= 9 {
					break
				}
				pos := 8 + r.IntN(len(data)-8)
				c := alphabet[r.IntN(len(alphabet))]
				switch r.IntN(3) {
				case 0:
					data[pos] = c
				case 1:
					data = append(data[:pos], append([]byte{c}, data[pos:]...)...)
				case 2:
					data = append(data[:pos], data[pos+1:]...)
				}
			}
			compareParsers(t, data)
			// Also with the header length adjusted to the mutated size.
			compareParsers(t, fixLen(data, len(fx.data)))
			n++
		}
	}
	t.Logf("compared %d inputs and %d mutations", len(inputs), 2*n)
}

// fixLen moves the header-length field by the amount data grew or shrank
// relative to origLen, keeping the data buffer attached.
func fixLen(data []byte, origLen int) []byte {
	out := append([]byte{}, data...)
	n := int64(uint64(out[0]) | uint64(out[1])<<8 | uint64(out[2])<<16 | uint64(out[3])<<24)
	n += int64(len(data) - origLen)
	if n < 0 {
		n = 0
	}
	out[0], out[1], out[2], out[3] = byte(n), byte(n>>8), byte(n>>16), byte(n>>24)
	return out
}

func TestParserSelection(t *testing.T) {
	require.Equal(t, "encoding/json", ParserJSON.String())
	require.Equal(t, "simdjson", ParserSIMD.String())
	if SIMDSupported() {
		require.Equal(t, ParserSIMD, DefaultParser())
	} else {
		require.Equal(t, ParserJSON, DefaultParser())
		_, err := ParseHeader([]byte(`{}`), ParserSIMD)
		require.ErrorContains(t, err, "not supported")
	}
	_, err := ParseHeader([]byte(`{}`), Parser(42))
	require.ErrorContains(t, err, "unknown parser 42")
	h, err := ParseHeader([]byte(`{"__metadata__":{"a":"b"},"x":{"dtype":"U8","shape":[2],"data_offsets":[0,2]}}  `), ParserAuto)
	require.NoError(t, err)
	require.True(t, h.HasMetadata)
	require.Equal(t, int64(2), h.DataSize)
	require.Equal(t, []HeaderEntry{{Name: "x", DType: U8, Shape: []int{2}, Begin: 0, End: 2}}, h.Entries)
}
