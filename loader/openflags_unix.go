//go:build unix

package loader

import (
	"os"
	"syscall"
)

// openFlags opens without waiting for a writer when the path is a fifo;
// O_NONBLOCK changes nothing for the regular files that are then read.
const openFlags = os.O_RDONLY | syscall.O_NONBLOCK
