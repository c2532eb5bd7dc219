package main

import (
	"bytes"
	"errors"
	"io"
	"os"
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/require"
)

type fullWriter struct{}

func (fullWriter) Write(p []byte) (int, error) { return 0, errors.New("no space left on device") }

// A failed write of the report, or of a metrics record, is an error.
func TestOutputWriteFails(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "run")
	code, _, stderr := runCLI(nil, append(tiny, "-out", dir, "-steps", "2")...)
	require.Equal(t, 0, code, stderr)

	var errb bytes.Buffer
	exp := filepath.Join(t.TempDir(), "m.safetensors")
	code = run([]string{"-export", exp, "-from", filepath.Join(dir, "checkpoint.safetensors")}, fullWriter{}, &errb, make(chan os.Signal))
	require.Equal(t, 1, code)
	require.Equal(t, "hrm-train: writing the output: no space left on device\n", errb.String())

	errb.Reset()
	code = run(append(tiny, "-out", filepath.Join(t.TempDir(), "r2"), "-steps", "2"), fullWriter{}, &errb, make(chan os.Signal))
	require.Equal(t, 1, code)
	require.Contains(t, errb.String(), "hrm-train: writing the output: no space left on device")

	metricsWriter = func(*os.File) io.Writer { return fullWriter{} }
	defer func() { metricsWriter = func(f *os.File) io.Writer { return f } }()
	code, _, stderr = runCLI(nil, append(tiny, "-out", filepath.Join(t.TempDir(), "r3"), "-steps", "2", "-eval-every", "1")...)
	require.Equal(t, 1, code)
	require.Contains(t, stderr, "metrics.jsonl: no space left on device")
}
