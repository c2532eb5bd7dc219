package main

import _ "embed"

// The built-in model: an int8 4×4 Sudoku HRM trained with hrm-train for 11
// minutes on this project's 2-core machine (recipe and held-out accuracy in
// the README), so that hrm-run works with no download.
//
//go:embed builtin.safetensors
var builtinModel []byte

const (
	builtinName   = "built-in 4×4 Sudoku model"
	builtinSample = "..3..2....1.4..."
)
