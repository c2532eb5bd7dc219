// Package models holds the built-in int8 Sudoku models, trained with
// hrm-train on this project's 2-core machine (recipes and held-out accuracy
// in the README), so that hrm-run, hrm-analyze and the browser page work
// with no download. They live in their own package so that each of those
// programs embeds the same bytes.
package models

import (
	_ "embed"
	"strings"
)

//go:embed sudoku9.safetensors
var sudoku9 []byte

//go:embed sudoku4.safetensors
var sudoku4 []byte

// Builtin is one embedded model.
type Builtin struct {
	Name string // for messages: "built-in 9×9 Sudoku model"
	Key  string // for flags: "sudoku9"
	File []byte // the weight file, read-only
	// Sample is a held-out puzzle this model solves: the no-flag demo of
	// hrm-run, the browser page's first puzzle and the tests.
	Sample string
	// Blanks is the number of blanks of the puzzles it was trained on.
	Blanks int
}

var (
	Sudoku9 = Builtin{"built-in 9×9 Sudoku model", "sudoku9", sudoku9,
		".1239.8.793.54..265..8124393894.576.164.3..95...1...8.6.1..397872..8..43..36745.2", 30}
	Sudoku4 = Builtin{"built-in 4×4 Sudoku model", "sudoku4", sudoku4, "..3..2....1.4...", 10}
)

// All lists the built-in models, largest first.
func All() []Builtin { return []Builtin{Sudoku9, Sudoku4} }

// ByKey returns the built-in model of a key ("sudoku9", "sudoku4").
func ByKey(key string) (Builtin, bool) {
	for _, b := range All() {
		if b.Key == key {
			return b, true
		}
	}
	return Builtin{}, false
}

// For returns the built-in model for a puzzle: 4×4 for 16 cells, 9×9
// otherwise (whose parser then names any length problem).
func For(puzzle string) Builtin {
	if len(strings.TrimSpace(puzzle)) == 16 {
		return Sudoku4
	}
	return Sudoku9
}
