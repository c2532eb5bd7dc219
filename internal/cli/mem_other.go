//go:build !linux && !darwin

package cli

// TotalMemory is unknown here (0): the default budget is then 1 GiB.
func TotalMemory() int64 { return 0 }
