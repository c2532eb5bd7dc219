//go:build unix

package loader

import (
	"errors"
	"os"
	"syscall"
)

const chmodUnsupported = false

// syncDir fsyncs a directory so that a rename in it is durable. File systems
// that cannot sync directories (EINVAL, ENOTSUP) are not an error.
func syncDir(dir string) error {
	d, err := os.Open(dir)
	if err != nil {
		return err
	}
	err = d.Sync()
	d.Close()
	if errors.Is(err, syscall.EINVAL) || errors.Is(err, syscall.ENOTSUP) {
		return nil
	}
	return err
}
