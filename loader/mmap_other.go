//go:build !unix || hurd

package loader

import (
	"fmt"
	"io"
	"math"
	"os"
)

const maxMapSize = math.MaxInt

// mapFile reads the whole file into memory on platforms without mmap support
// in golang.org/x/sys/unix (windows, plan9, js, wasip1).
func mapFile(fh *os.File, size int) ([]byte, func() error, error) {
	data := make([]byte, size)
	if _, err := io.ReadFull(fh, data); err != nil {
		return nil, nil, err
	}
	// The file must not have grown either.
	var one [1]byte
	if n, _ := fh.Read(one[:]); n != 0 {
		return nil, nil, fmt.Errorf("file grew while being read")
	}
	return data, func() error { return nil }, nil
}
