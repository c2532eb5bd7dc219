// Package puzzle converts puzzles between their human text forms and the
// token sequences of the official HRM dataset builders (spec §6).
package puzzle

import (
	"fmt"
	"strings"
)

// Sudoku token ids: 0 PAD, 1 blank, 2..10 digits 1..9.
const (
	SudokuPad   = 0
	SudokuBlank = 1
)

// ParseSudoku reads an n²-cell Sudoku (n = 4 or 9 cells a side) given as
// n² characters, '.' or '0' for a blank and digits 1..n, into tokens.
func ParseSudoku(s string, side int) ([]int32, error) {
	s = strings.TrimSpace(s)
	if side != 4 && side != 9 {
		return nil, fmt.Errorf("sudoku side %d: want 4 or 9", side)
	}
	if len(s) != side*side {
		return nil, fmt.Errorf("sudoku has %d characters, want %d", len(s), side*side)
	}
	toks := make([]int32, side*side)
	for i := 0; i < len(s); i++ {
		c := s[i]
		switch {
		case c == '.' || c == '0':
			toks[i] = SudokuBlank
		case c >= '1' && int(c-'0') <= side:
			toks[i] = int32(c-'0') + 1
		default:
			return nil, fmt.Errorf("sudoku character %d (row %d, column %d) is %q: want '.', '0' or a digit 1-%d", i+1, i/side+1, i%side+1, c, side)
		}
	}
	if err := checkGivens(toks, side); err != nil {
		return nil, err
	}
	return toks, nil
}

// FormatSudoku writes tokens back as the compact string form ('.' blank).
// Tokens outside 1..side+1 (PAD or a digit too large) are written as '?'.
func FormatSudoku(toks []int32) string {
	side := sideOf(len(toks))
	b := make([]byte, len(toks))
	for i, t := range toks {
		switch {
		case t == SudokuBlank:
			b[i] = '.'
		case t >= 2 && int(t) <= side+1:
			b[i] = byte('0' + t - 1)
		default:
			b[i] = '?'
		}
	}
	return string(b)
}

// GridSudoku renders tokens as a grid with box separators.
func GridSudoku(toks []int32) string {
	side := sideOf(len(toks))
	box := 3
	if side == 4 {
		box = 2
	}
	flat := FormatSudoku(toks)
	var sb strings.Builder
	for r := 0; r < side; r++ {
		if r > 0 && r%box == 0 {
			for c := 0; c < side; c++ {
				if c > 0 && c%box == 0 {
					sb.WriteString("+-")
				}
				sb.WriteString("--")
			}
			sb.WriteString("\n")
		}
		for c := 0; c < side; c++ {
			if c > 0 && c%box == 0 {
				sb.WriteString("| ")
			}
			sb.WriteByte(flat[r*side+c])
			sb.WriteByte(' ')
		}
		sb.WriteString("\n")
	}
	return sb.String()
}

func sideOf(n int) int {
	if n == 16 {
		return 4
	}
	return 9
}

// checkGivens reports a row, column or box holding the same digit twice.
func checkGivens(toks []int32, side int) error {
	box := 3
	if side == 4 {
		box = 2
	}
	type unit struct {
		kind string
		idx  func(k, j int) int
	}
	units := []unit{
		{"row", func(k, j int) int { return k*side + j }},
		{"column", func(k, j int) int { return j*side + k }},
		{"box", func(k, j int) int {
			r := (k/box)*box + j/box
			c := (k%box)*box + j%box
			return r*side + c
		}},
	}
	for _, u := range units {
		for k := 0; k < side; k++ {
			var seen [11]bool
			for j := 0; j < side; j++ {
				t := toks[u.idx(k, j)]
				if t < 2 {
					continue
				}
				if seen[t] {
					return fmt.Errorf("sudoku %s %d holds the digit %d twice", u.kind, k+1, t-1)
				}
				seen[t] = true
			}
		}
	}
	return nil
}

// SolvesSudoku reports whether sol is a complete, valid grid that keeps every
// given of the puzzle.
func SolvesSudoku(puzzle, sol []int32) bool {
	side := sideOf(len(puzzle))
	if len(sol) != len(puzzle) {
		return false
	}
	for i, t := range sol {
		if t < 2 || int(t) > side+1 {
			return false
		}
		if puzzle[i] != SudokuBlank && puzzle[i] != t {
			return false
		}
	}
	return checkGivens(sol, side) == nil
}
