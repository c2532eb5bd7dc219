package main

import _ "embed"

// The built-in model: an int8 4×4 Sudoku HRM trained with hrm-train (see
// the README for its recipe and held-out accuracy), so that hrm-run works
// with no download.
//
//go:embed builtin.safetensors
var builtinModel []byte

const (
	builtinName   = "built-in 4×4 Sudoku model"
	builtinSample = "1...3..1..4...2."
)
