package maze

import (
	"errors"
	"fmt"
	"strings"
)

// ParseText reads a maze as people write it: one row a line, '#' a wall,
// '.' or ' ' an open square, 'S' the start and 'G' the goal; N rows of N
// squares, 2 ≤ N ≤ MaxCells. Trailing empty lines and a '\r' before each
// newline are ignored; nothing else is (a row's trailing spaces are open
// squares). Exactly one S and one G, joined by a path of open squares:
// a maze no model can solve is refused. Errors name the row and column.
func ParseText(s string) (toks []uint8, side int, err error) {
	rows := strings.Split(strings.ReplaceAll(s, "\r\n", "\n"), "\n")
	for len(rows) > 0 && rows[len(rows)-1] == "" {
		rows = rows[:len(rows)-1]
	}
	n := len(rows)
	switch {
	case n == 0:
		return nil, 0, errors.New("maze: empty")
	case n > MaxCells:
		return nil, 0, fmt.Errorf("maze: %d rows, at most %d", n, MaxCells)
	case n < 2:
		return nil, 0, fmt.Errorf("maze: 1 row, want N×N squares with N ≥ 2 (one row a line)")
	}
	toks = make([]uint8, 0, n*n)
	start, goal := -1, -1
	for r, row := range rows {
		if len(row) != n {
			return nil, 0, fmt.Errorf("maze: not square: %d rows, but row %d has %d squares (a row's trailing spaces are open squares)", n, r+1, len(row))
		}
		for c := 0; c < n; c++ {
			var t uint8
			switch ch := row[c]; ch {
			case '#':
				t = WallToken
			case '.', ' ':
				t = OpenToken
			case 'S':
				if start >= 0 {
					return nil, 0, fmt.Errorf("maze: two S, at row %d column %d and row %d column %d", start/n+1, start%n+1, r+1, c+1)
				}
				t, start = StartToken, r*n+c
			case 'G':
				if goal >= 0 {
					return nil, 0, fmt.Errorf("maze: two G, at row %d column %d and row %d column %d", goal/n+1, goal%n+1, r+1, c+1)
				}
				t, goal = GoalToken, r*n+c
			default:
				return nil, 0, fmt.Errorf("maze: row %d column %d: %q is not a square; want '#' (wall), '.' or ' ' (open), 'S' or 'G'", r+1, c+1, ch)
			}
			toks = append(toks, t)
		}
	}
	switch {
	case start < 0:
		return nil, 0, errors.New("maze: no S (start)")
	case goal < 0:
		return nil, 0, errors.New("maze: no G (goal)")
	}
	if _, _, err := ShortestPath(toks, n); err != nil {
		return nil, 0, fmt.Errorf("%w: no path of open squares joins them", err)
	}
	return toks, n, nil
}

// Text renders tokens as ParseText reads them, with 'o' for a path square
// and '?' for a token that is no square (PAD, or out of range); open
// squares are '.', visible at the end of a line.
func Text(toks []uint8, side int) string {
	const sym = "?#.SGo"
	var sb strings.Builder
	for i, t := range toks {
		if i > 0 && i%side == 0 {
			sb.WriteByte('\n')
		}
		if int(t) < len(sym) {
			sb.WriteByte(sym[t])
		} else {
			sb.WriteByte('?')
		}
	}
	return sb.String()
}

// Place puts a side×side maze in the top-left corner of a canvas×canvas
// grid of walls: the layout for a model of a larger square. The official
// builder never pads (every official maze is 30×30, all squares tokens), so
// a smaller maze is given to a 30×30 model as the 30×30 maze it is, walled
// in, in tokens the model was trained on; its paths are those of the
// smaller maze.
func Place(toks []uint8, side, canvas int) []uint8 {
	out := make([]uint8, canvas*canvas)
	for i := range out {
		out[i] = WallToken
	}
	for r := 0; r < side; r++ {
		copy(out[r*canvas:r*canvas+side], toks[r*side:(r+1)*side])
	}
	return out
}

// Crop is the inverse of Place: the side×side corner of a canvas×canvas
// grid.
func Crop[T any](toks []T, side, canvas int) []T {
	out := make([]T, 0, side*side)
	for r := 0; r < side; r++ {
		out = append(out, toks[r*canvas:r*canvas+side]...)
	}
	return out
}

// LooksLike reports whether text reads as a maze rather than a Sudoku: it
// has a wall, a start or a goal ('#', 'S', 'G'), none of which a Sudoku
// has. With row true, text is one line and must hold nothing but
// squares (a plain Sudoku file's "# comment" line has other characters).
func LooksLike(text string, row bool) bool {
	if !strings.ContainsAny(text, "#SG") {
		return false
	}
	if !row {
		return true
	}
	return len(text) <= MaxCells && strings.Trim(text, "#. SG") == ""
}
