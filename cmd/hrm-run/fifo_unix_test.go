//go:build unix

package main

import (
	"path/filepath"
	"syscall"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
)

// -model naming a fifo is bad input, reported at once.
func TestModelFifo(t *testing.T) {
	fifo := filepath.Join(t.TempDir(), "model.safetensors")
	require.NoError(t, syscall.Mkfifo(fifo, 0o644))
	type res struct {
		code   int
		stderr string
	}
	done := make(chan res, 1)
	go func() {
		code, _, stderr := runCLI("-model", fifo, "-puzzle", sample)
		done <- res{code, stderr}
	}()
	select {
	case r := <-done:
		require.Equal(t, 2, r.code, r.stderr)
		require.Contains(t, r.stderr, "not a regular file")
	case <-time.After(5 * time.Second):
		t.Fatal("hrm-run -model FIFO hangs")
	}
}
