package main

import (
	"fmt"
	"strings"

	"github.com/hrmgo/hrm/internal/retry"
	"github.com/hrmgo/hrm/runtime"
	"github.com/hrmgo/hrm/task/sudoku"
)

// sudokuTask reads 9×9 or 4×4 puzzles, the model's size.
type sudokuTask struct{ cells int }

func newSudokuTask(m *runtime.Model, name string) (*sudokuTask, error) {
	if n := m.Cfg.SeqLen; n != 81 && n != 16 {
		return nil, badInput("model %s was trained for sudoku with %d cells; hrm-run reads 9×9 or 4×4 Sudoku puzzles", name, n)
	}
	return &sudokuTask{cells: m.Cfg.SeqLen}, nil
}

// parse reads a puzzle of the model's size and refuses givens that break
// the rules, which no model can solve.
func (t *sudokuTask) parse(s string) ([]uint8, int, error) {
	s = strings.TrimSpace(s)
	if len(s) != t.cells {
		side := sudoku.Side(t.cells)
		return nil, 0, fmt.Errorf("sudoku has %d characters, this model reads %d×%d = %d", len(s), side, side, t.cells)
	}
	g, err := sudoku.Parse(s)
	if err != nil {
		return nil, 0, err
	}
	if err := g.CheckGivens(); err != nil {
		return nil, 0, err
	}
	return g.Tokens(), g.Side(), nil
}

func (t *sudokuTask) check(toks []uint8, _ int, pred []int32) verdict {
	p := puzzleOf(toks)
	r, err := sudoku.Check(p, gridOf(pred))
	if err != nil { // cannot happen: the puzzle was validated, pred has its size
		return verdict{reason: err.Error()}
	}
	return verdict{solved: r.Solved(), reason: r.String(), report: &r}
}

func (t *sudokuTask) text(toks []uint8, _ int, pred []int32) string {
	if pred == nil {
		return puzzleOf(toks).String()
	}
	return gridOf(pred).String()
}

func (t *sudokuTask) grid(toks []uint8, _ int, pred []int32) string {
	if pred == nil {
		return puzzleOf(toks).Grid()
	}
	return gridOf(pred).Grid()
}

func (t *sudokuTask) variants(int) func(k int) (retry.Variant, bool) {
	return retry.SudokuVariants(map[int]int{16: 2, 81: 3}[t.cells])
}
func (t *sudokuTask) variantWords() string {
	return "with its digits relabelled and its rows and columns permuted"
}
func (t *sudokuTask) inputField() string { return "puzzle" }
func (t *sudokuTask) separate() bool     { return false }

// puzzleOf is the grid of validated puzzle tokens.
func puzzleOf(toks []uint8) sudoku.Grid {
	g, _ := sudoku.FromTokens(toks)
	return g
}

// gridOf turns predicted tokens into a grid; a token that is not a digit
// (PAD or blank) shows as '?' or '.'.
func gridOf(toks []int32) sudoku.Grid {
	g := make(sudoku.Grid, len(toks))
	for i, t := range toks {
		if t > sudoku.BlankToken && t <= 10 {
			g[i] = uint8(t - sudoku.DigitBase)
		} else if t != sudoku.BlankToken {
			g[i] = 10 // renders as '?'
		}
	}
	return g
}
