package sudoku

import (
	"fmt"
	"strings"
)

// Report is what a checker of a predicted grid tells a person: how far the
// prediction is from a solution of its puzzle, beyond Verify's yes or no.
type Report struct {
	// Conflicts counts the cells whose digit occurs again in their row,
	// column or box.
	Conflicts int `json:"conflicts"`
	// GivensChanged counts the givens of the puzzle the prediction does
	// not keep.
	GivensChanged int `json:"givens_changed"`
	// Unfilled counts the cells without a digit (blank, or a token that is
	// no digit).
	Unfilled int `json:"unfilled"`
}

// Solved reports whether the prediction is a solution of the puzzle: it
// agrees with Verify.
func (r Report) Solved() bool { return r == Report{} }

// String is the report in words, "" for a solution.
func (r Report) String() string {
	var parts []string
	plural := func(n int, one, many string) string {
		if n == 1 {
			return "1 " + one
		}
		return fmt.Sprintf("%d %s", n, many)
	}
	if r.Conflicts > 0 {
		parts = append(parts, plural(r.Conflicts, "conflicting cell", "conflicting cells"))
	}
	if r.GivensChanged > 0 {
		parts = append(parts, plural(r.GivensChanged, "given changed", "givens changed"))
	}
	if r.Unfilled > 0 {
		parts = append(parts, plural(r.Unfilled, "cell unfilled", "cells unfilled"))
	}
	return strings.Join(parts, ", ")
}

// Check compares a predicted grid with its puzzle. Cells of pred outside
// 1..side count as unfilled; the two grids must have the puzzle's size.
func Check(puzzle, pred Grid) (Report, error) {
	gm, err := puzzle.checkShape()
	if err != nil {
		return Report{}, err
	}
	if len(pred) != len(puzzle) {
		return Report{}, fmt.Errorf("sudoku: puzzle has %d cells, prediction %d", len(puzzle), len(pred))
	}
	var r Report
	var inRow, inCol, inBox [9][10]uint8 // occurrences of each digit per unit
	digit := func(i int) int {
		if v := int(pred[i]); v >= 1 && v <= gm.side {
			return v
		}
		return 0
	}
	for i := range pred {
		if v := digit(i); v > 0 {
			inRow[gm.row[i]][v]++
			inCol[gm.col[i]][v]++
			inBox[gm.boxOf[i]][v]++
		}
	}
	for i := range pred {
		v := digit(i)
		if v == 0 {
			r.Unfilled++
		} else if inRow[gm.row[i]][v] > 1 || inCol[gm.col[i]][v] > 1 || inBox[gm.boxOf[i]][v] > 1 {
			r.Conflicts++
		}
		if g := puzzle[i]; g != 0 && int(g) != v {
			r.GivensChanged++
		}
	}
	return r, nil
}
