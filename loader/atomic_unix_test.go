//go:build unix

package loader

import (
	"os"
	"path/filepath"
	"syscall"
	"testing"

	"github.com/stretchr/testify/require"
)

// An existing file keeps its permission bits when it is replaced.
func TestWriteKeepsMode(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "private.safetensors")
	ts := []Tensor{F32Tensor("x", []int{2}, []float32{1, 2})}
	require.NoError(t, WriteFile(path, nil, ts))
	require.NoError(t, os.Chmod(path, 0o600))
	require.NoError(t, WriteFile(path, nil, ts))
	st, err := os.Stat(path)
	require.NoError(t, err)
	require.Equal(t, os.FileMode(0o600), st.Mode().Perm())

	fresh := filepath.Join(dir, "fresh.safetensors")
	require.NoError(t, WriteFile(fresh, nil, ts))
	st, err = os.Stat(fresh)
	require.NoError(t, err)
	require.Equal(t, os.FileMode(0o644), st.Mode().Perm())
}

// Writing to a symbolic link replaces the file it names, in that file's
// directory, and keeps the link.
func TestWriteThroughSymlink(t *testing.T) {
	linkDir, realDir := t.TempDir(), t.TempDir()
	real := filepath.Join(realDir, "model.safetensors")
	old := []Tensor{F32Tensor("old", []int{1}, []float32{1})}
	newer := []Tensor{F32Tensor("new", []int{2}, []float32{2, 3})}
	require.NoError(t, WriteFile(real, nil, old))
	require.NoError(t, os.Chmod(real, 0o640))
	link := filepath.Join(linkDir, "current.safetensors")
	rel, err := filepath.Rel(linkDir, real)
	require.NoError(t, err)
	require.NoError(t, os.Symlink(rel, link))

	require.NoError(t, WriteFile(link, nil, newer))
	st, err := os.Lstat(link)
	require.NoError(t, err)
	require.NotZero(t, st.Mode()&os.ModeSymlink, "the link is still a link")
	f, err := Open(real)
	require.NoError(t, err)
	requireSameTensors(t, newer, f.Tensors())
	require.NoError(t, f.Close())
	st, err = os.Stat(real)
	require.NoError(t, err)
	require.Equal(t, os.FileMode(0o640), st.Mode().Perm())
	for _, d := range []string{linkDir, realDir} {
		entries, err := os.ReadDir(d)
		require.NoError(t, err)
		require.Len(t, entries, 1, "no temporary file left in %s", d)
	}

	// A link to nothing is refused, and nothing is created.
	dangling := filepath.Join(linkDir, "dangling.safetensors")
	require.NoError(t, os.Symlink(filepath.Join(realDir, "missing"), dangling))
	err = WriteFile(dangling, nil, newer)
	require.ErrorContains(t, err, "symbolic link")
	_, err = os.Stat(filepath.Join(realDir, "missing"))
	require.True(t, os.IsNotExist(err))
}

// A path that is not a regular file is refused rather than renamed over.
func TestWriteRefusesSpecialFiles(t *testing.T) {
	dir := t.TempDir()
	fifo := filepath.Join(dir, "fifo")
	require.NoError(t, syscall.Mkfifo(fifo, 0o644))
	err := WriteFile(fifo, nil, []Tensor{F32Tensor("x", []int{1}, []float32{1})})
	require.ErrorContains(t, err, "not a regular file")
	st, err := os.Lstat(fifo)
	require.NoError(t, err)
	require.NotZero(t, st.Mode()&os.ModeNamedPipe, "the fifo is untouched")
	entries, err := os.ReadDir(dir)
	require.NoError(t, err)
	require.Len(t, entries, 1)
}
