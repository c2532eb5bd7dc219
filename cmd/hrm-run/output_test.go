package main

import (
	"bytes"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"
)

var errFull = errors.New("no space left on device")

// diskFull accepts n bytes, then fails every write, like /dev/full or a
// disk that fills up.
type diskFull struct {
	n   int
	buf bytes.Buffer
}

func (w *diskFull) Write(p []byte) (int, error) {
	if len(p) > w.n {
		k := w.n
		w.buf.Write(p[:k])
		w.n = 0
		return k, errFull
	}
	w.n -= len(p)
	return w.buf.Write(p)
}

// A failed write of the output is an error (exit 1), whether it fails at
// once (/dev/full) or after part of the output.
func TestOutputWriteFails(t *testing.T) {
	dir := t.TempDir()
	txt := filepath.Join(dir, "p.txt")
	require.NoError(t, os.WriteFile(txt, []byte(strings.Repeat(sample+"\n", 40)), 0o644))
	for _, tc := range []struct {
		args []string
		room int
	}{
		{[]string{"-model", tinyModel(t), "-puzzle", sample}, 0},
		{[]string{"-model", tinyModel(t), "-puzzle", sample, "-trace"}, 0},
		{[]string{"-model", tinyModel(t), "-in", txt, "-json"}, 0},
		{[]string{"-model", tinyModel(t), "-in", txt, "-json"}, 5000}, // the last object is cut
		{[]string{"-model", tinyModel(t), "-in", txt}, 1000},
		{[]string{"-puzzle", builtinSudoku4.sample}, 10},
	} {
		w := &diskFull{n: tc.room}
		var stderr bytes.Buffer
		code := run(tc.args, w, &stderr)
		require.Equal(t, 1, code, "%v: %s", tc.args, stderr.String())
		require.Equal(t, "hrm-run: writing the output: no space left on device\n", stderr.String(), "%v", tc.args)
	}
}
