//go:build (amd64 || arm64) && !purego && !noasm

package asm

// addChain runs 16·n dependent integer adds (n > 0).
//
//go:noescape
func addChain(n int)

const haveAddChain = true
