//go:build !plan9

package loader

import (
	"os"
	"syscall"
)

// SignalStatus is the exit status 128+n for signal n (1 if s has no number).
func SignalStatus(s os.Signal) int {
	if n, ok := s.(syscall.Signal); ok {
		return 128 + int(n)
	}
	return 1
}
