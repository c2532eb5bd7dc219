package main

import "github.com/hrmgo/hrm/models"

// Without -model, hrm-run picks the built-in model (package models) whose
// task and grid size match the first puzzle.

type builtin struct {
	name   string
	file   []byte
	sample string // solved by the no-flag demo (9×9) and the tests
}

func builtinOf(b models.Builtin) builtin { return builtin{b.Name, b.File, b.Sample} }

var (
	builtinSudoku9 = builtinOf(models.Sudoku9)
	builtinSudoku4 = builtinOf(models.Sudoku4)
	builtinMaze    = builtinOf(models.Maze)
)

// builtinFor returns the built-in model for a puzzle: the maze model for a
// maze, 4×4 Sudoku for 16 cells, 9×9 otherwise (whose parser then names
// any length problem).
func builtinFor(puzzle string) builtin { return builtinOf(models.For(puzzle)) }
