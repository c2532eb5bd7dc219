//go:build unix

package convert

import (
	"os"
	"path/filepath"
	"syscall"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
)

// A fifo given as the checkpoint, or as the checkpoint inside a directory,
// fails at once instead of waiting for a writer.
func TestImportFifo(t *testing.T) {
	dir := t.TempDir()
	fifo := filepath.Join(dir, "checkpoint")
	require.NoError(t, syscall.Mkfifo(fifo, 0o644))
	for _, path := range []string{fifo, dir} {
		done := make(chan error, 1)
		go func() {
			_, err := Import(path, Options{})
			done <- err
		}()
		select {
		case err := <-done:
			require.ErrorContains(t, err, "not a regular file", path)
		case <-time.After(5 * time.Second):
			t.Fatalf("Import(%s) blocks on a fifo", path)
		}
	}
	_, err := os.Stat(fifo)
	require.NoError(t, err)
}
