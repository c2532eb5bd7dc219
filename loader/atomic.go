package loader

import (
	"bufio"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"os/signal"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"time"
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
//
// The temporary file is named "."+name+".tmp-"+pid+"-"+random. A process
// killed mid-write leaves it behind; [RemoveTemps] (and [ExitOnSignal])
// remove those of a process that is stopping, and the next write to the
// same path removes those whose process no longer runs (on Unix systems).
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
	removeStaleTemps(dir, base)
	tmp, err := createTemp(dir, base)
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
		temps.Lock()
		delete(temps.names, tmpName)
		temps.Unlock()
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

// CheckWritable reports, before any work is done, why a WriteAtomic to
// path would be refused: its directory is missing, or path is a directory,
// a device or a link to nothing. Callers use it to tell bad input (this)
// from a failure while writing (a full disk), which only the write finds.
func CheckWritable(path string) error {
	target, _, err := writeTarget(path)
	if err != nil {
		return err
	}
	dir := filepath.Dir(target)
	st, err := os.Stat(dir)
	if err != nil {
		return err
	}
	if !st.IsDir() {
		return fmt.Errorf("%s is not a directory", dir)
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

// temps holds the temporary files of the writes in progress, for
// RemoveTemps; once it has run (the process is exiting) no new one may be
// created, or it would outlive the process.
var temps = struct {
	sync.Mutex
	names   map[string]struct{}
	closing bool
}{names: map[string]struct{}{}}

// errExiting fails writes started after RemoveTemps.
var errExiting = errors.New("the process is exiting: write abandoned")

func tempPrefix(base string) string { return "." + base + ".tmp-" }

// createTemp creates and registers the temporary file for a write in dir;
// holding the lock across both steps leaves RemoveTemps no moment in which
// the file exists unregistered.
func createTemp(dir, base string) (*os.File, error) {
	temps.Lock()
	defer temps.Unlock()
	if temps.closing {
		return nil, errExiting
	}
	f, err := os.CreateTemp(dir, tempPrefix(base)+strconv.Itoa(os.Getpid())+"-*")
	if err != nil {
		return nil, err
	}
	temps.names[f.Name()] = struct{}{}
	return f, nil
}

// RemoveTemps removes the temporary file of every write in progress in this
// process; those writes then fail, and writes started later fail at once.
// It is meant for a process about to exit on a signal; see [ExitOnSignal].
func RemoveTemps() {
	temps.Lock()
	defer temps.Unlock()
	temps.closing = true
	for name := range temps.names {
		os.Remove(name)
		delete(temps.names, name)
	}
}

// ExitOnSignal makes the process, on the first of sigs (default: SIGINT and
// SIGTERM), remove the temporary files of its writes in progress and exit
// with status 128+n, the status a shell reports for a process killed by
// signal n. Without it a Ctrl-C during a write leaves the temporary file
// behind. The returned function undoes it.
func ExitOnSignal(sigs ...os.Signal) (stop func()) {
	if len(sigs) == 0 {
		sigs = []os.Signal{os.Interrupt, syscall.SIGTERM}
	}
	c := make(chan os.Signal, 1)
	done := make(chan struct{})
	signal.Notify(c, sigs...)
	go func() {
		select {
		case s := <-c:
			RemoveTemps()
			os.Exit(SignalStatus(s))
		case <-done:
		}
	}()
	var once sync.Once
	return func() {
		once.Do(func() {
			signal.Stop(c)
			close(done)
		})
	}
}

// legacyTempAge is how old a temporary file of the naming before the pid
// was added ("."+name+".tmp-"+digits) must be to count as abandoned: its
// writer cannot be asked, and no write of ours takes an hour.
const legacyTempAge = time.Hour

// removeStaleTemps removes, in dir, the temporary files of earlier writes to
// base whose writer is gone: killed by SIGKILL or a power cut, which no
// handler sees. A writer that still runs (this process included) keeps its
// file. Failures are ignored: a leftover file must not stop a new write.
func removeStaleTemps(dir, base string) {
	d, err := os.Open(dir)
	if err != nil {
		return
	}
	names, _ := d.Readdirnames(-1)
	d.Close()
	prefix := tempPrefix(base)
	for _, name := range names {
		rest, ok := strings.CutPrefix(name, prefix)
		if !ok {
			continue
		}
		path := filepath.Join(dir, name)
		pidStr, random, hasPid := strings.Cut(rest, "-")
		if !allDigits(pidStr) || (hasPid && !allDigits(random)) {
			continue // not our naming
		}
		if !hasPid {
			if st, err := os.Lstat(path); err == nil && st.Mode().IsRegular() && time.Since(st.ModTime()) > legacyTempAge {
				os.Remove(path)
			}
			continue
		}
		pid, err := strconv.Atoi(pidStr)
		if err != nil {
			continue
		}
		if pid == os.Getpid() {
			temps.Lock()
			_, live := temps.names[path]
			temps.Unlock()
			if live {
				continue
			}
		} else if processAlive(pid) {
			continue
		}
		if st, err := os.Lstat(path); err == nil && st.Mode().IsRegular() {
			os.Remove(path)
		}
	}
}

func allDigits(s string) bool {
	if s == "" {
		return false
	}
	for _, c := range s {
		if c < '0' || c > '9' {
			return false
		}
	}
	return true
}
