//go:build unix

package loader

import (
	"errors"
	"syscall"
)

// processAlive reports whether a process with this id exists. Signal 0
// checks without sending anything; EPERM means it exists but belongs to
// another user.
func processAlive(pid int) bool {
	if pid <= 0 {
		return true // kill(0) and kill(-1) address groups: never "gone"
	}
	err := syscall.Kill(pid, 0)
	return err == nil || errors.Is(err, syscall.EPERM)
}
