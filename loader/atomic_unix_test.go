//go:build unix

package loader

import (
	"bufio"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"syscall"
	"testing"
	"time"

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

// RemoveTemps removes the temporary file of a write in progress (what a
// signal handler does before exiting), and later writes fail at once.
func TestRemoveTemps(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "m.safetensors")
	t.Cleanup(func() {
		failWrite = nil
		temps.Lock()
		temps.closing = false
		temps.Unlock()
	})
	var during []os.DirEntry
	failWrite = func(stage string) error {
		if stage == "write" {
			RemoveTemps()
			during, _ = os.ReadDir(dir)
		}
		return nil
	}
	ts := []Tensor{F32Tensor("x", []int{1}, []float32{1})}
	require.Error(t, WriteFile(path, nil, ts))
	require.Empty(t, during, "the temporary file is gone as soon as RemoveTemps returns")
	entries, err := os.ReadDir(dir)
	require.NoError(t, err)
	require.Empty(t, entries)
	failWrite = nil
	require.ErrorIs(t, WriteFile(path, nil, ts), errExiting)
	entries, err = os.ReadDir(dir)
	require.NoError(t, err)
	require.Empty(t, entries)
}

// A write removes the temporary files that earlier writes to the same path
// left behind when their process died, and nothing else.
func TestStaleTempsRemoved(t *testing.T) {
	dir := t.TempDir()
	const base = "checkpoint.safetensors"
	pre := "." + base + ".tmp-"
	deadPid := "2147483647"   // above every pid_max: no such process
	files := map[string]bool{ // name → removed by the next write
		pre + deadPid + "-123":                     true,
		pre + strconv.Itoa(os.Getpid()) + "-7":     true, // ours, but no write of ours is using it
		pre + strconv.Itoa(os.Getppid()) + "-5":    false,
		pre + "999":                                true,  // the naming before the pid, two hours old
		pre + "998":                                false, // the same, fresh: its writer may still run
		pre + "abc":                                false,
		".other.safetensors.tmp-" + deadPid + "-1": false,
		base + ".bak":                              false,
	}
	for name := range files {
		require.NoError(t, os.WriteFile(filepath.Join(dir, name), []byte("partial"), 0o600))
	}
	old := time.Now().Add(-2 * time.Hour)
	require.NoError(t, os.Chtimes(filepath.Join(dir, pre+"999"), old, old))

	require.NoError(t, WriteFile(filepath.Join(dir, base), nil, []Tensor{F32Tensor("x", []int{1}, []float32{1})}))
	for name, removed := range files {
		_, err := os.Stat(filepath.Join(dir, name))
		require.Equal(t, removed, os.IsNotExist(err), name)
	}
}

// TestExitOnSignal kills a helper process (this test binary) with SIGTERM
// in the middle of a write: it exits with status 143 and leaves no
// temporary file.
func TestExitOnSignal(t *testing.T) {
	if dir := os.Getenv("HRM_LOADER_SIGNAL_DIR"); dir != "" {
		ExitOnSignal()
		failWrite = func(stage string) error {
			if stage == "write" {
				fmt.Println("ready")
				select {} // wait for the signal
			}
			return nil
		}
		WriteFile(filepath.Join(dir, "m.safetensors"), nil, []Tensor{F32Tensor("x", []int{1}, []float32{1})})
		os.Exit(3) // not reached
	}
	dir := t.TempDir()
	cmd := exec.Command(os.Args[0], "-test.run=^TestExitOnSignal$")
	cmd.Env = append(os.Environ(), "HRM_LOADER_SIGNAL_DIR="+dir)
	out, err := cmd.StdoutPipe()
	require.NoError(t, err)
	require.NoError(t, cmd.Start())
	line, err := bufio.NewReader(out).ReadString('\n')
	require.NoError(t, err)
	require.Equal(t, "ready\n", line)
	entries, err := os.ReadDir(dir)
	require.NoError(t, err)
	require.Len(t, entries, 1, "the temporary file exists while the write runs")
	require.NoError(t, cmd.Process.Signal(syscall.SIGTERM))
	err = cmd.Wait()
	var ee *exec.ExitError
	require.ErrorAs(t, err, &ee)
	require.Equal(t, 128+int(syscall.SIGTERM), ee.ExitCode())
	entries, err = os.ReadDir(dir)
	require.NoError(t, err)
	require.Empty(t, entries)
}

// Opening a fifo fails at once instead of waiting for a writer.
func TestOpenFifo(t *testing.T) {
	fifo := filepath.Join(t.TempDir(), "model.safetensors")
	require.NoError(t, syscall.Mkfifo(fifo, 0o644))
	done := make(chan error, 1)
	go func() {
		_, err := Open(fifo)
		done <- err
	}()
	select {
	case err := <-done:
		require.ErrorContains(t, err, "not a regular file")
	case <-time.After(5 * time.Second):
		t.Fatal("Open blocks on a fifo")
	}
}
