//go:build !unix

package loader

// Chmod is meaningless or unsupported on these platforms (js, wasip1,
// plan9, windows): its error is ignored.
const chmodUnsupported = true

// syncDir is a no-op where directories cannot be fsynced (windows, plan9,
// js, wasip1).
func syncDir(dir string) error { return nil }
