package task

import "fmt"

// Dihedral transform ids (spec §6.4), defined as numpy does them:
//
//	0 identity            4 left-right flip (np.fliplr)
//	1 rot90 anticlockwise 5 up-down flip (np.flipud)
//	2 rot180              6 transpose
//	3 rot270 anticlockwise 7 anti-transpose (fliplr of rot90)
//
// Ids 1, 3, 6 and 7 swap the height and width of a grid.
const NumDihedral = 8

// DihedralInverse[t] is the id of the transform that undoes t.
var DihedralInverse = [NumDihedral]int{0, 3, 2, 1, 4, 5, 6, 7}

// DihedralDims returns the height and width of an h×w grid after t.
func DihedralDims(t, h, w int) (int, int) {
	switch t {
	case 1, 3, 6, 7:
		return w, h
	}
	return h, w
}

// dihedralSrc returns the source cell (r, c) of output cell (i, j) when t
// is applied to an h×w grid.
func dihedralSrc(t, i, j, h, w int) (int, int) {
	switch t {
	case 0:
		return i, j
	case 1:
		return j, w - 1 - i
	case 2:
		return h - 1 - i, w - 1 - j
	case 3:
		return h - 1 - j, i
	case 4:
		return i, w - 1 - j
	case 5:
		return h - 1 - i, j
	case 6:
		return j, i
	case 7:
		return h - 1 - j, w - 1 - i
	}
	panic(fmt.Sprintf("task: dihedral id %d out of range 0..7", t))
}

// DihedralPos returns where source cell (r, c) of an h×w grid lands after t.
func DihedralPos(t, r, c, h, w int) (int, int) {
	oh, ow := DihedralDims(t, h, w)
	return dihedralSrc(DihedralInverse[t], r, c, oh, ow)
}

// Dihedral applies transform t (0..7) to the h×w row-major grid src and
// returns the new grid with its height and width. It panics when t is out of
// range or len(src) != h·w.
func Dihedral[T any](t int, src []T, h, w int) ([]T, int, int) {
	if t < 0 || t >= NumDihedral {
		panic(fmt.Sprintf("task: dihedral id %d out of range 0..7", t))
	}
	if len(src) != h*w {
		panic(fmt.Sprintf("task: dihedral of %d cells as %d×%d", len(src), h, w))
	}
	oh, ow := DihedralDims(t, h, w)
	out := make([]T, len(src))
	for i := 0; i < oh; i++ {
		for j := 0; j < ow; j++ {
			r, c := dihedralSrc(t, i, j, h, w)
			out[i*ow+j] = src[r*w+c]
		}
	}
	return out, oh, ow
}
