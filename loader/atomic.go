package loader

import (
	"bufio"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
)

// Test hooks: failWrite, if set, is called at each stage of WriteAtomic
// ("create", "write", "sync", "close", "rename") and its error aborts the
// write; syncWrites=false skips the fsyncs (fuzzing).
var (
	failWrite  func(stage string) error
	syncWrites = true
)

func hook(stage string) error {
	if failWrite != nil {
		return failWrite(stage)
	}
	return nil
}

// newFileMode is the permission of a file that did not exist before.
const newFileMode fs.FileMode = 0o644

// WriteAtomic replaces the file at path with the bytes write produces, so
// that a reader (or a crash) sees either the old file or the complete new
// one: the data goes to a temporary file in the same directory, which is
// fsynced, closed and renamed over path, and the directory is then fsynced.
// On error the temporary file is removed and an existing file is left
// untouched. Because the old file is replaced, never rewritten, a process
// that has it memory-mapped keeps reading the old contents safely.
//
// An existing file keeps its permission bits (not its owner: the new file
// belongs to the writer); a new one gets 0644. If path is a symbolic link,
// the file it points to is replaced, atomically in that file's directory,
// and the link stays; a link to nothing is an error, as is a path that is
// neither a regular file nor a link to one (a directory, a device).
func WriteAtomic(path string, write func(w io.Writer) error) (err error) {
	path, mode, err := writeTarget(path)
	if err != nil {
		return fmt.Errorf("loader: %w", err)
	}
	dir, base := filepath.Split(path)
	if dir == "" {
		dir = "."
	}
	if err := hook("create"); err != nil {
		return err
	}
	tmp, err := os.CreateTemp(dir, "."+base+".tmp-*")
	if err != nil {
		return fmt.Errorf("loader: %w", err)
	}
	tmpName := tmp.Name()
	closed := false
	defer func() {
		if err != nil {
			if !closed {
				tmp.Close()
			}
			os.Remove(tmpName)
		}
	}()
	bw := bufio.NewWriterSize(tmp, 1<<20)
	if err = hook("write"); err == nil {
		err = write(bw)
	}
	if err == nil {
		err = bw.Flush()
	}
	if err != nil {
		return fmt.Errorf("loader: write %s: %w", tmpName, err)
	}
	if err = tmp.Chmod(mode); err != nil && !chmodUnsupported {
		return fmt.Errorf("loader: %w", err)
	}
	if err = hook("sync"); err == nil && syncWrites {
		err = tmp.Sync()
	}
	if err != nil {
		return fmt.Errorf("loader: sync %s: %w", tmpName, err)
	}
	closed = true
	if err = hook("close"); err == nil {
		err = tmp.Close()
	} else {
		tmp.Close()
	}
	if err != nil {
		return fmt.Errorf("loader: close %s: %w", tmpName, err)
	}
	if err = hook("rename"); err == nil {
		err = os.Rename(tmpName, path)
	}
	if err != nil {
		return fmt.Errorf("loader: %w", err)
	}
	if syncWrites {
		if err := syncDir(dir); err != nil {
			// The file is in place; report that durability is not assured.
			return fmt.Errorf("loader: sync directory %s: %w", dir, err)
		}
	}
	return nil
}

// writeTarget resolves where a write to path lands and the permission bits
// the new file gets. A rename onto a symbolic link would replace the link
// itself with a regular file, silently detaching whatever else uses it, so
// the write goes to the file the link names. Renaming over a directory or
// a device is never what was meant (as root it would even replace
// /dev/null), so those are refused before anything is created.
func writeTarget(path string) (string, fs.FileMode, error) {
	st, err := os.Lstat(path)
	if errors.Is(err, fs.ErrNotExist) {
		return path, newFileMode, nil
	}
	if err != nil {
		return "", 0, err
	}
	if st.Mode()&fs.ModeSymlink != 0 {
		real, err := filepath.EvalSymlinks(path)
		if err != nil {
			return "", 0, fmt.Errorf("%s is a symbolic link to a file that cannot be reached: %w", path, err)
		}
		if st, err = os.Stat(real); err != nil {
			return "", 0, err
		}
		path = real
	}
	if !st.Mode().IsRegular() {
		what := "not a regular file"
		if st.IsDir() {
			what = "a directory"
		}
		return "", 0, fmt.Errorf("%s is %s", path, what)
	}
	return path, st.Mode().Perm(), nil
}
