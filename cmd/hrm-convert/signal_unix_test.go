//go:build unix

package main

import (
	"errors"
	"os"
	"os/exec"
	"path/filepath"
	"syscall"
	"testing"

	"github.com/stretchr/testify/require"
)

// TestMain runs the test binary as hrm-convert itself when asked, for the
// tests of what main installs.
func TestMain(m *testing.M) {
	if os.Getenv("HRM_CONVERT_AS_MAIN") == "1" {
		os.Args = append([]string{"hrm-convert"}, os.Args[1:]...)
		main()
	}
	os.Exit(m.Run())
}

// SIGTERM makes hrm-convert clean up and exit 143 (128+15) instead of
// dying mid-write. To catch it at a known moment, the config it reads is
// a fifo: once this test has opened the fifo's other end, hrm-convert is
// waiting in the read.
func TestConvertSignal(t *testing.T) {
	dir := t.TempDir()
	ckpt, err := os.ReadFile("../../testdata/checkpoint/checkpoint")
	require.NoError(t, err)
	require.NoError(t, os.WriteFile(filepath.Join(dir, "checkpoint"), ckpt, 0o644))
	fifo := filepath.Join(dir, "config.yaml")
	require.NoError(t, syscall.Mkfifo(fifo, 0o644))
	out := filepath.Join(dir, "out.safetensors")
	cmd := exec.Command(os.Args[0], "-o", out, "-config", fifo, dir)
	cmd.Env = append(os.Environ(), "HRM_CONVERT_AS_MAIN=1")
	require.NoError(t, cmd.Start())
	w, err := os.OpenFile(fifo, os.O_WRONLY, 0)
	require.NoError(t, err)
	defer w.Close()
	require.NoError(t, cmd.Process.Signal(syscall.SIGTERM))
	err = cmd.Wait()
	var ee *exec.ExitError
	require.True(t, errors.As(err, &ee), "%v", err)
	require.Equal(t, 128+int(syscall.SIGTERM), ee.ExitCode(), "exited through the handler, not killed by the signal")
	_, err = os.Stat(out)
	require.True(t, os.IsNotExist(err))
}

// A temporary file left by an hrm-convert killed with SIGKILL (which no
// handler sees) is removed by the next conversion to the same output.
func TestConvertRemovesStaleTemp(t *testing.T) {
	dir := t.TempDir()
	stale := filepath.Join(dir, ".out.safetensors.tmp-2147483647-42")
	require.NoError(t, os.WriteFile(stale, []byte("half a model"), 0o644))
	code, _, stderr := runCLI("-o", filepath.Join(dir, "out.safetensors"), "../../testdata/checkpoint")
	require.Equal(t, 0, code, stderr)
	_, err := os.Stat(stale)
	require.True(t, os.IsNotExist(err))
	entries, err := os.ReadDir(dir)
	require.NoError(t, err)
	require.Len(t, entries, 1)
}
