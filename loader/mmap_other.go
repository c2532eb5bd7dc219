//go:build !unix || hurd

package loader

import (
	"math"
	"os"
)

const maxMapSize = math.MaxInt

// mapFile reads the whole file into memory on platforms without mmap support
// in golang.org/x/sys/unix (windows, plan9, js, wasip1).
func mapFile(fh *os.File, size int) ([]byte, func() error, error) {
	data, err := readAll(fh, size)
	if err != nil {
		return nil, nil, err
	}
	return data, func() error { return nil }, nil
}
