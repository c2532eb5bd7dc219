package main

import (
	_ "embed"
	"strings"
)

// The built-in models, trained with hrm-train on this project's 2-core
// machine and quantized to int8 (recipes and held-out accuracy in the
// README), so that hrm-run works with no download. Without -model, hrm-run
// picks the one whose grid size matches the first puzzle.

//go:embed builtin9.safetensors
var builtin9 []byte

//go:embed builtin4.safetensors
var builtin4 []byte

type builtin struct {
	name   string
	file   []byte
	sample string // solved by the no-flag demo (9×9) and the tests
}

var (
	builtinSudoku9 = builtin{"built-in 9×9 Sudoku model", builtin9,
		".1239.8.793.54..265..8124393894.576.164.3..95...1...8.6.1..397872..8..43..36745.2"}
	builtinSudoku4 = builtin{"built-in 4×4 Sudoku model", builtin4, "..3..2....1.4..."}
)

// builtinFor returns the built-in model for a puzzle: 4×4 for 16 cells,
// 9×9 otherwise (whose parser then names any length problem).
func builtinFor(puzzle string) builtin {
	if len(strings.TrimSpace(puzzle)) == 16 {
		return builtinSudoku4
	}
	return builtinSudoku9
}
