// Package models holds the built-in int8 Sudoku and maze models, trained with
// hrm-train on this project's 2-core machine (recipes and held-out accuracy
// in the README), so that hrm-run, hrm-analyze and the browser page work
// with no download. They live in their own package so that each of those
// programs embeds the same bytes.
package models

import (
	_ "embed"
	"strings"

	"github.com/hrmgo/hrm/task/maze"
)

//go:embed sudoku9.safetensors
var sudoku9 []byte

//go:embed sudoku4.safetensors
var sudoku4 []byte

//go:embed maze.safetensors
var mazeFile []byte

// Builtin is one embedded model.
type Builtin struct {
	Name string // for messages: "built-in 9×9 Sudoku model"
	Key  string // for flags: "sudoku9"
	Task string // the model's task: "sudoku" or "maze"
	File []byte // the weight file, read-only
	// Sample is a puzzle this model solves and never trained on: the
	// no-flag demo of hrm-run, the browser page's first puzzle and the
	// tests. The 9×9 one is the newspaper puzzle of the README (51 blanks).
	Sample string
	// Blanks is a typical number of blanks of the Sudoku puzzles it was
	// trained on (the middle of its range); 0 for a maze model.
	Blanks int
}

var (
	Sudoku9 = Builtin{"built-in 9×9 Sudoku model", "sudoku9", "sudoku", sudoku9,
		"53..7....6..195....98....6.8...6...34..8.3..17...2...6.6....28....419..5....8..79", 40}
	Sudoku4 = Builtin{"built-in 4×4 Sudoku model", "sudoku4", "sudoku", sudoku4, "..3..2....1.4...", 10}
	Maze    = Builtin{"built-in 8×8 maze model", "maze", "maze", mazeFile,
		"##......\n#..##.#.\n..#.....\nG#..#.#.\n#.#.#...\nS.#...#.\n#.###.#.\n......#.", 0}
)

// All lists the built-in models: the Sudoku ones largest first, then the
// maze.
func All() []Builtin { return []Builtin{Sudoku9, Sudoku4, Maze} }

// ByKey returns the built-in model of a key ("sudoku9", "sudoku4", "maze").
func ByKey(key string) (Builtin, bool) {
	for _, b := range All() {
		if b.Key == key {
			return b, true
		}
	}
	return Builtin{}, false
}

// For returns the built-in model for a puzzle: the maze model for a maze
// (it has '#', 'S' or 'G'), 4×4 Sudoku for 16 cells, 9×9 otherwise (whose
// parser then names any length problem).
func For(puzzle string) Builtin {
	switch {
	case maze.LooksLike(puzzle, false):
		return Maze
	case len(strings.TrimSpace(puzzle)) == 16:
		return Sudoku4
	}
	return Sudoku9
}
