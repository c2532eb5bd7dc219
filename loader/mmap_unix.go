//go:build unix && !hurd

package loader

import (
	"math"
	"os"

	"golang.org/x/sys/unix"
)

const maxMapSize = math.MaxInt

// mapFile maps size bytes of fh read-only and shared.
func mapFile(fh *os.File, size int) ([]byte, func() error, error) {
	data, err := unix.Mmap(int(fh.Fd()), 0, size, unix.PROT_READ, unix.MAP_SHARED)
	if err != nil {
		return nil, nil, err
	}
	return data, func() error { return unix.Munmap(data) }, nil
}
