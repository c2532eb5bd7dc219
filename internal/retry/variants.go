package retry

import (
	"math/rand/v2"

	"github.com/hrmgo/hrm/task"
	"github.com/hrmgo/hrm/task/sudoku"
)

// SudokuVariants returns the variants of a Sudoku of box 2 or 3 (4×4,
// 9×9): variant k relabels the digits and permutes bands, stacks, rows
// within bands and columns within stacks, and transposes or not, drawn
// from a generator seeded by k alone, so runs are reproducible. The
// group has 2·6⁸·9! elements for 9×9: there is no last one.
func SudokuVariants(box int) func(k int) (Variant, bool) {
	return func(k int) (Variant, bool) {
		a := sudoku.RandomAug(rand.NewPCG(uint64(k), 0x5d0c), box)
		inv := a.Inverse()
		return Variant{
			In:   func(dst, src []int32) { copy(dst, sudoku.ApplyTokens(a, src)) },
			Back: func(dst, src []int32) { copy(dst, sudoku.ApplyTokens(inv, src)) },
		}, true
	}
}

// mazeOrder is the order mazes' dihedral transforms are tried in: the
// ones that move every square first.
var mazeOrder = [task.NumDihedral - 1]int{2, 6, 7, 1, 3, 4, 5}

// MazeVariants returns the variants of a maze of side squares laid out at
// the top left of a canvas×canvas model grid: its 7 rotations and
// reflections (the canvas beyond it is kept).
func MazeVariants(side, canvas int) func(k int) (Variant, bool) {
	apply := func(t int, dst, src []int32) {
		copy(dst, src)
		own := make([]int32, 0, side*side)
		for r := 0; r < side; r++ {
			own = append(own, src[r*canvas:r*canvas+side]...)
		}
		out, _, _ := task.Dihedral(t, own, side, side)
		for r := 0; r < side; r++ {
			copy(dst[r*canvas:r*canvas+side], out[r*side:(r+1)*side])
		}
	}
	return func(k int) (Variant, bool) {
		if k < 1 || k > len(mazeOrder) {
			return Variant{}, false
		}
		t := mazeOrder[k-1]
		return Variant{
			In:   func(dst, src []int32) { apply(t, dst, src) },
			Back: func(dst, src []int32) { apply(task.DihedralInverse[t], dst, src) },
		}, true
	}
}
