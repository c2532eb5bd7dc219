package sudoku

import (
	"errors"
	"fmt"
	"math/bits"
	"math/rand/v2"
	"strings"
	"unicode/utf8"

	"github.com/hrmgo/hrm/task"
)

// Sudoku token ids (spec §6.2). The vocabulary is 11 for both sizes: a 4×4
// puzzle uses only PAD 0, blank 1 and digits 1..4 as tokens 2..5, so 4×4
// and 9×9 data share one model format (vocab_size 11); only seq_len differs
// (16 versus 81).
const (
	PadToken   = 0  // never present in sudoku data
	BlankToken = 1  // a blank cell
	DigitBase  = 1  // digit d is token d+DigitBase (2..10)
	Vocab      = 11 // vocab_size for all sudoku sizes
)

// Grid is a square Sudoku, row-major, one byte per cell: 0 is a blank
// and 1..Side() a digit. Its length fixes the size: 81 cells (9×9, boxes 3×3)
// or 16 cells (4×4, boxes 2×2). Any other length is invalid.
type Grid []uint8

// Side returns the side (4 or 9) of a grid with n cells, or 0 when n
// is not a supported size.
func Side(n int) int {
	switch n {
	case 16:
		return 4
	case 81:
		return 9
	}
	return 0
}

// Side returns 9 or 4, or 0 for an unsupported length.
func (g Grid) Side() int { return Side(len(g)) }

// Box returns the box side: 3 for 9×9, 2 for 4×4, 0 for an unsupported length.
func (g Grid) Box() int {
	switch len(g) {
	case 16:
		return 2
	case 81:
		return 3
	}
	return 0
}

// Blanks counts the blank cells.
func (g Grid) Blanks() int {
	n := 0
	for _, v := range g {
		if v == 0 {
			n++
		}
	}
	return n
}

// Clone returns a copy of g.
func (g Grid) Clone() Grid { return append(Grid(nil), g...) }

// String formats g as its one-line form: one character per cell, '.' for a
// blank, '1'..'9' for digits ('?' for an out-of-range value).
func (g Grid) String() string {
	b := make([]byte, len(g))
	for i, v := range g {
		switch {
		case v == 0:
			b[i] = '.'
		case v <= 9:
			b[i] = '0' + v
		default:
			b[i] = '?'
		}
	}
	return string(b)
}

// Parse parses the one-line form of a 9×9 (81 characters) or 4×4
// (16 characters) puzzle: '.' or '0' for a blank, '1'..'9' (9×9) or
// '1'..'4' (4×4) for a digit. Errors name the position (0-based index and
// 1-based row/column) and the offending character. The givens are not
// checked for conflicts; use CheckGivens.
func Parse(s string) (Grid, error) {
	side := Side(len(s))
	if side == 0 {
		return nil, fmt.Errorf("sudoku: got %d characters, want 81 (9×9) or 16 (4×4)", len(s))
	}
	g := make(Grid, len(s))
	for i := 0; i < len(s); i++ {
		c := s[i]
		switch {
		case c == '.' || c == '0':
			g[i] = 0
		case c >= '1' && int(c-'0') <= side:
			g[i] = c - '0'
		default:
			r, _ := utf8.DecodeRuneInString(s[i:])
			return nil, fmt.Errorf("sudoku: position %d (row %d, column %d): invalid character %q, want '.', '0' or a digit 1-%d",
				i, i/side+1, i%side+1, r, side)
		}
	}
	return g, nil
}

// sudokuGeom holds the unit indices of every cell for one grid size.
type sudokuGeom struct {
	side, box int
	row, col  [81]uint8
	boxOf     [81]uint8
}

var geom4, geom9 = newGeom(2), newGeom(3)

func newGeom(box int) *sudokuGeom {
	side := box * box
	g := &sudokuGeom{side: side, box: box}
	for i := 0; i < side*side; i++ {
		r, c := i/side, i%side
		g.row[i], g.col[i] = uint8(r), uint8(c)
		g.boxOf[i] = uint8((r/box)*box + c/box)
	}
	return g
}

func geomFor(n int) *sudokuGeom {
	switch n {
	case 16:
		return geom4
	case 81:
		return geom9
	}
	return nil
}

func (g Grid) checkShape() (*sudokuGeom, error) {
	gm := geomFor(len(g))
	if gm == nil {
		return nil, fmt.Errorf("sudoku: %d cells, want 81 (9×9) or 16 (4×4)", len(g))
	}
	for i, v := range g {
		if int(v) > gm.side {
			return nil, fmt.Errorf("sudoku: cell %d (row %d, column %d) holds %d, want 0..%d", i, i/gm.side+1, i%gm.side+1, v, gm.side)
		}
	}
	return gm, nil
}

// CheckGivens reports whether g is well formed and its givens are
// consistent: no digit twice in a row, column or box. The error names the
// unit, the digit and both cells.
func (g Grid) CheckGivens() error {
	gm, err := g.checkShape()
	if err != nil {
		return err
	}
	side := gm.side
	var seenRow, seenCol, seenBox [9][10]int16 // 1 + cell index of the first occurrence
	for i, v := range g {
		if v == 0 {
			continue
		}
		r, c, b := gm.row[i], gm.col[i], gm.boxOf[i]
		if p := seenRow[r][v]; p != 0 {
			return fmt.Errorf("sudoku: digit %d twice in row %d (columns %d and %d)", v, r+1, int(p-1)%side+1, c+1)
		}
		if p := seenCol[c][v]; p != 0 {
			return fmt.Errorf("sudoku: digit %d twice in column %d (rows %d and %d)", v, c+1, int(p-1)/side+1, r+1)
		}
		if p := seenBox[b][v]; p != 0 {
			q := int(p - 1)
			return fmt.Errorf("sudoku: digit %d twice in box %d (cells r%dc%d and r%dc%d)", v, b+1, q/side+1, q%side+1, r+1, c+1)
		}
		seenRow[r][v], seenCol[c][v], seenBox[b][v] = int16(i+1), int16(i+1), int16(i+1)
	}
	return nil
}

// CheckSolved reports whether g is a complete, valid grid.
func (g Grid) CheckSolved() error {
	if err := g.CheckGivens(); err != nil {
		return err
	}
	for i, v := range g {
		if v == 0 {
			side := g.Side()
			return fmt.Errorf("sudoku: cell %d (row %d, column %d) is blank in a solution", i, i/side+1, i%side+1)
		}
	}
	return nil
}

// Verify reports whether solution is a complete valid grid of the
// same size as puzzle that agrees with every given of puzzle.
func Verify(puzzle, solution Grid) error {
	if len(puzzle) != len(solution) {
		return fmt.Errorf("sudoku: puzzle has %d cells, solution %d", len(puzzle), len(solution))
	}
	if err := solution.CheckSolved(); err != nil {
		return err
	}
	if _, err := puzzle.checkShape(); err != nil {
		return err
	}
	side := puzzle.Side()
	for i, v := range puzzle {
		if v != 0 && v != solution[i] {
			return fmt.Errorf("sudoku: cell %d (row %d, column %d): given %d, solution has %d", i, i/side+1, i%side+1, v, solution[i])
		}
	}
	return nil
}

// sudokuSolver is a bitmask backtracking solver that always branches on the
// empty cell with the fewest candidates.
type sudokuSolver struct {
	gm               *sudokuGeom
	full             uint16 // bits 1..side
	cells            [81]uint8
	rowM, colM, boxM [9]uint16
	empty            [81]uint8
	nEmpty           int
	limit, count     int
	sol              [81]uint8
	banIdx           int    // cell with a forbidden candidate, -1 for none
	banMask          uint16 // its forbidden candidates
	rnd              rand.Source
	nodes            int
}

// load copies g into the solver; it fails when the givens conflict.
func (s *sudokuSolver) load(g Grid) error {
	gm, err := g.checkShape()
	if err != nil {
		return err
	}
	s.gm = gm
	s.full = uint16(1)<<(gm.side+1) - 2
	s.rowM, s.colM, s.boxM = [9]uint16{}, [9]uint16{}, [9]uint16{}
	s.nEmpty = 0
	s.banIdx, s.banMask = -1, 0
	for i, v := range g {
		s.cells[i] = v
		if v == 0 {
			s.empty[s.nEmpty] = uint8(i)
			s.nEmpty++
			continue
		}
		bit := uint16(1) << v
		r, c, b := gm.row[i], gm.col[i], gm.boxOf[i]
		if (s.rowM[r]|s.colM[c]|s.boxM[b])&bit != 0 {
			return g.CheckGivens() // names the conflict
		}
		s.rowM[r] |= bit
		s.colM[c] |= bit
		s.boxM[b] |= bit
	}
	return nil
}

// run counts solutions up to limit, keeping the first in s.sol.
func (s *sudokuSolver) run(limit int) int {
	s.limit, s.count, s.nodes = limit, 0, 0
	s.search(0)
	return s.count
}

func (s *sudokuSolver) search(d int) bool {
	s.nodes++
	if d == s.nEmpty {
		s.count++
		if s.count == 1 {
			s.sol = s.cells
		}
		return s.count >= s.limit
	}
	gm := s.gm
	best, bestN := d, 99
	var bestC uint16
	for k := d; k < s.nEmpty; k++ {
		i := s.empty[k]
		c := s.full &^ (s.rowM[gm.row[i]] | s.colM[gm.col[i]] | s.boxM[gm.boxOf[i]])
		if int(i) == s.banIdx {
			c &^= s.banMask
		}
		n := bits.OnesCount16(c)
		if n < bestN {
			best, bestC, bestN = k, c, n
			if n <= 1 {
				break
			}
		}
	}
	if bestN == 0 {
		return false
	}
	s.empty[d], s.empty[best] = s.empty[best], s.empty[d]
	i := s.empty[d]
	r, c, b := gm.row[i], gm.col[i], gm.boxOf[i]
	var order [9]uint8
	n := 0
	for m := bestC; m != 0; m &= m - 1 {
		order[n] = uint8(bits.TrailingZeros16(m))
		n++
	}
	if s.rnd != nil {
		for k := n - 1; k > 0; k-- {
			j := task.Intn(s.rnd, k+1)
			order[k], order[j] = order[j], order[k]
		}
	}
	for _, v := range order[:n] {
		bit := uint16(1) << v
		s.cells[i] = v
		s.rowM[r] |= bit
		s.colM[c] |= bit
		s.boxM[b] |= bit
		stop := s.search(d + 1)
		s.rowM[r] &^= bit
		s.colM[c] &^= bit
		s.boxM[b] &^= bit
		s.cells[i] = 0
		if stop {
			return true
		}
	}
	return false
}

// CountSolutions counts the solutions of g, stopping at limit (limit ≤ 0
// means 2, which is enough to decide uniqueness). It returns 0 when the
// givens conflict or the grid is malformed.
func CountSolutions(g Grid, limit int) int {
	if limit <= 0 {
		limit = 2
	}
	var s sudokuSolver
	if s.load(g) != nil {
		return 0
	}
	return s.run(limit)
}

// ErrNoSolution is returned by Solve for an unsolvable puzzle.
var ErrNoSolution = errors.New("sudoku: no solution")

// Solve returns the first solution of g in search order and the
// number of solutions counted up to 2 (so 1 means the solution is unique).
func Solve(g Grid) (Grid, int, error) {
	var s sudokuSolver
	if err := s.load(g); err != nil {
		return nil, 0, err
	}
	n := s.run(2)
	if n == 0 {
		return nil, 0, ErrNoSolution
	}
	return append(Grid(nil), s.sol[:len(g)]...), n, nil
}

// Tokens returns the model input tokens of g: blank → 1, digit d → d+1.
func (g Grid) Tokens() []uint8 {
	t := make([]uint8, len(g))
	for i, v := range g {
		t[i] = v + DigitBase
	}
	return t
}

// Labels returns the label tokens of a solved grid (digit d → d+1), as int32.
// Every cell is supervised, including the givens (spec §6.2).
func (g Grid) Labels() []int32 {
	t := make([]int32, len(g))
	for i, v := range g {
		t[i] = int32(v) + DigitBase
	}
	return t
}

// FromTokens converts tokens (1 blank, 2..side+1 digits) back to a
// grid. PAD or out-of-range tokens are errors naming the position.
func FromTokens[T ~uint8 | ~int32](toks []T) (Grid, error) {
	side := Side(len(toks))
	if side == 0 {
		return nil, fmt.Errorf("sudoku: %d tokens, want 81 or 16", len(toks))
	}
	g := make(Grid, len(toks))
	for i, t := range toks {
		if t < BlankToken || int(t) > side+DigitBase {
			return nil, fmt.Errorf("sudoku: token %d at position %d (row %d, column %d), want 1..%d", t, i, i/side+1, i%side+1, side+DigitBase)
		}
		g[i] = uint8(t - DigitBase)
	}
	return g, nil
}

// saltExact salts ExactKey; the trainer's exact-key sudoku stream salts
// its fingerprint with the same value, kept there as a copy.
const saltExact = 0xe4ac

// ExactKey identifies a puzzle by its exact cells (no augmentation
// invariance); see the trainer's SudokuDatasetConfig.ExactKeys.
func ExactKey(puzzle Grid) uint64 { return task.Hash(saltExact, puzzle) }

// Grid renders g as rows with box separators, for people.
func (g Grid) Grid() string {
	side := Side(len(g))
	if side == 0 {
		return g.String() + "\n"
	}
	box := 3
	if side == 4 {
		box = 2
	}
	flat := g.String()
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
