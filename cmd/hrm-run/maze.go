package main

import (
	"fmt"
	"math"

	"github.com/hrmgo/hrm/internal/retry"
	"github.com/hrmgo/hrm/runtime"
	"github.com/hrmgo/hrm/task/maze"
)

// mazeTask reads N×N mazes for a model of a side×side square (seq_len
// side²: 900 for the official 30×30 models); a smaller maze is walled in
// (maze.Place).
type mazeTask struct{ side int }

func newMazeTask(m *runtime.Model, name string) (*mazeTask, error) {
	n := m.Cfg.SeqLen
	side := int(math.Round(math.Sqrt(float64(n))))
	if side*side != n || side < 2 || side > maze.MaxCells {
		return nil, badInput("model %s was trained for mazes of %d cells, not a square of 2×2 to %d×%d", name, n, maze.MaxCells, maze.MaxCells)
	}
	return &mazeTask{side: side}, nil
}

func (t *mazeTask) parse(s string) ([]uint8, int, error) {
	toks, n, err := maze.ParseText(s)
	if err != nil {
		return nil, 0, err
	}
	if n > t.side {
		return nil, 0, fmt.Errorf("maze is %d×%d, this model reads mazes up to %d×%d", n, n, t.side, t.side)
	}
	return maze.Place(toks, n, t.side), n, nil
}

// own is the puzzle's own n×n squares of a grid in the model's layout.
func (t *mazeTask) own(toks []uint8, n int) []uint8 { return maze.Crop(toks, n, t.side) }

// predicted is a prediction as maze tokens of the puzzle's own squares; a
// token outside the vocabulary cannot occur (argmax over it).
func (t *mazeTask) predicted(pred []int32, n int) []uint8 {
	out := make([]uint8, 0, n*n)
	for _, p := range maze.Crop(pred, n, t.side) {
		out = append(out, uint8(p))
	}
	return out
}

func (t *mazeTask) check(toks []uint8, n int, pred []int32) verdict {
	if err := maze.Verify(t.own(toks, n), t.predicted(pred, n), n); err != nil {
		return verdict{reason: err.Error()}
	}
	return verdict{solved: true}
}

func (t *mazeTask) text(toks []uint8, n int, pred []int32) string {
	if pred == nil {
		return maze.Text(t.own(toks, n), n)
	}
	return maze.Text(t.predicted(pred, n), n)
}

func (t *mazeTask) grid(toks []uint8, n int, pred []int32) string {
	return t.text(toks, n, pred) + "\n"
}

func (t *mazeTask) variants(n int) func(k int) (retry.Variant, bool) {
	return retry.MazeVariants(n, t.side)
}
func (t *mazeTask) variantWords() string { return "turned or mirrored" }
func (t *mazeTask) inputField() string   { return "maze" }
func (t *mazeTask) separate() bool       { return true }
