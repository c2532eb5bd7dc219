package loader

import (
	"fmt"
	"io"
	"os"
)

// readAll reads exactly size bytes of fh, the fallback where the file cannot
// be mapped; it fails if the file is shorter or longer than size.
func readAll(fh *os.File, size int) ([]byte, error) {
	data := make([]byte, size)
	if _, err := io.ReadFull(fh, data); err != nil {
		return nil, fmt.Errorf("file shrank while being read: %w", err)
	}
	var one [1]byte
	if n, _ := fh.Read(one[:]); n != 0 {
		return nil, fmt.Errorf("file grew while being read")
	}
	return data, nil
}
