//go:build unix

package main

import (
	goruntime "runtime"
	"syscall"
)

// peakRSSMB is the process's peak resident set size (getrusage ru_maxrss:
// kilobytes on Linux, bytes on macOS).
func peakRSSMB() float64 {
	var ru syscall.Rusage
	if syscall.Getrusage(syscall.RUSAGE_SELF, &ru) != nil {
		return 0
	}
	if goruntime.GOOS == "darwin" || goruntime.GOOS == "ios" {
		return float64(ru.Maxrss) / 1e6
	}
	return float64(ru.Maxrss) * 1024 / 1e6
}
