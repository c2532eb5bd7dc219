package cli

import "golang.org/x/sys/unix"

// TotalMemory is the physical memory; 0 if unknown.
func TotalMemory() int64 {
	n, err := unix.SysctlUint64("hw.memsize")
	if err != nil {
		return 0
	}
	return int64(n)
}
