package sudoku

import (
	"encoding/binary"
	"errors"
	"fmt"
	"math/rand/v2"

	"github.com/hrmgo/hrm/task"
)

// ErrBlanksUnreachable is wrapped by Generator.Generate when no grid
// out of MaxAttempts could be thinned to the requested number of blanks
// while keeping a unique solution.
var ErrBlanksUnreachable = errors.New("sudoku: requested blank count not reached with a unique solution")

// MaxBlanks is the largest blank count Generate accepts: 64 for 9×9
// (a uniquely solvable 9×9 needs at least 17 givens) and 12 for 4×4 (at
// least 4 givens). Random thinning reaches about 57 blanks on 9×9; above
// that Generate searches by clue swapping, which reaches 60–61 in
// milliseconds to seconds; 62+ (19 givens or fewer) is rare and slow, and
// 64 (17 givens) is out of reach of any generator of this kind.
func MaxBlanks(box int) int {
	switch box {
	case 3:
		return 81 - 17
	case 2:
		return 16 - 4
	}
	return 0
}

// Generator generates puzzles with unique solutions. It is
// deterministic: the same (box, seed, stream) and the same sequence of calls
// give the same puzzles. Its whole state is the PCG state, so
// MarshalBinary/UnmarshalBinary let a checkpoint resume the sequence.
// A generator is not safe for concurrent use.
type Generator struct {
	box int
	src *rand.PCG
	// MaxAttempts is the number of full grids tried per Generate call before
	// giving up (default 64 when ≤ 0). Not part of the serialised state.
	MaxAttempts int
	s           sudokuSolver
}

// NewGenerator returns a generator for box 3 (9×9) or 2 (4×4).
func NewGenerator(box int, seed, stream uint64) (*Generator, error) {
	if box != 2 && box != 3 {
		return nil, fmt.Errorf("sudoku: box %d, want 2 (4×4) or 3 (9×9)", box)
	}
	return &Generator{box: box, src: task.NewPCG(seed, stream)}, nil
}

func NewGeneratorFrom(box int, src *rand.PCG) *Generator {
	return &Generator{box: box, src: src}
}

// Box returns the box side (2 or 3).
func (g *Generator) Box() int { return g.box }

// FullGrid returns a random complete valid grid (randomised
// most-constrained-cell backtracking on the empty grid; every grid can
// occur, though not with exactly equal probability).
func (g *Generator) FullGrid() Grid {
	side := g.box * g.box
	empty := make(Grid, side*side)
	_ = g.s.load(empty)
	g.s.rnd = g.src
	g.s.run(1)
	g.s.rnd = nil
	return append(Grid(nil), g.s.sol[:side*side]...)
}

// Generate returns a puzzle with exactly blanks blank cells and a unique
// solution, plus that solution. It draws a random full grid, then blanks
// cells in random order, keeping a removal only when the solution stays
// unique, until the count is reached. A grid that cannot reach the count
// is discarded and a new one drawn, up to MaxAttempts; then the error wraps
// ErrBlanksUnreachable.
func (g *Generator) Generate(blanks int) (puzzle, solution Grid, err error) {
	if blanks < 0 || blanks > MaxBlanks(g.box) {
		return nil, nil, fmt.Errorf("sudoku: %d blanks requested, want 0..%d for %d×%d", blanks, MaxBlanks(g.box), g.box*g.box, g.box*g.box)
	}
	attempts := g.MaxAttempts
	if attempts <= 0 {
		attempts = 64
	}
	n := g.box * g.box * g.box * g.box
	order := make([]int, n)
	for a := 0; a < attempts; a++ {
		sol := g.FullGrid()
		puz := sol.Clone()
		for i := range order {
			order[i] = i
		}
		task.Shuffle(g.src, order)
		got := 0
		for _, i := range order {
			if got == blanks {
				break
			}
			v := puz[i]
			puz[i] = 0
			if g.uniqueAfterRemoval(puz, i, v) {
				got++
			} else {
				puz[i] = v
			}
		}
		if got < blanks && blanks > deepenFrom(g.box) {
			got = g.deepen(puz, sol, got, blanks, order)
		}
		if got == blanks {
			return puz, sol, nil
		}
	}
	return nil, nil, fmt.Errorf("%w: %d blanks on %d×%d after %d grids", ErrBlanksUnreachable, blanks, g.box*g.box, g.box*g.box, attempts)
}

// UniqueReach is the largest blank count Generate reaches in reasonable
// time: clue swapping finds a 61-blank 9×9 puzzle in about 0.4 s, 62 takes
// seconds and 64 (17 givens) is out of reach.
func UniqueReach(box int) int {
	if box == 3 {
		return 61
	}
	return MaxBlanks(box)
}

// Thin returns a puzzle of exactly blanks blank cells cut at random from a
// random full grid, with no uniqueness guarantee, and that grid: puzzles
// beyond UniqueReach still run and can be scored, any valid completion
// that keeps the givens counting as solved.
func (g *Generator) Thin(blanks int) (puzzle, solution Grid, err error) {
	if blanks < 0 || blanks > MaxBlanks(g.box) {
		return nil, nil, fmt.Errorf("sudoku: %d blanks requested, want 0..%d for %d×%d", blanks, MaxBlanks(g.box), g.box*g.box, g.box*g.box)
	}
	sol := g.FullGrid()
	puz := sol.Clone()
	order := make([]int, len(puz))
	for i := range order {
		order[i] = i
	}
	task.Shuffle(g.src, order)
	for _, i := range order[:blanks] {
		puz[i] = 0
	}
	return puz, sol, nil
}

// deepenFrom is the blank count above which random thinning alone rarely
// succeeds (a random minimal 9×9 puzzle has about 24–26 givens) and
// Generate searches further on each grid.
func deepenFrom(box int) int {
	if box == 3 {
		return 57
	}
	return MaxBlanks(box)
}

// deepenSwaps bounds the clue swaps tried on one grid.
const deepenSwaps = 400

// deepen lowers the givens of a minimal puzzle puz (got blanks) of solution
// sol towards blanks by clue swapping: put one blank cell back, then blank
// as many givens as uniqueness allows, in random order; keep the result
// when it has at least as many blanks as before, else undo. It returns the
// blank count reached (puz holds that puzzle) and stops at blanks exactly.
func (g *Generator) deepen(puz, sol Grid, got, blanks int, order []int) int {
	trial := puz.Clone()
	for swap := 0; swap < deepenSwaps && got < blanks; swap++ {
		copy(trial, puz)
		task.Shuffle(g.src, order)
		back := -1
		for _, i := range order {
			if trial[i] == 0 {
				back = i
				break
			}
		}
		trial[back] = sol[back]
		n := got - 1
		task.Shuffle(g.src, order)
		for _, i := range order {
			if n == blanks {
				break
			}
			if i == back || trial[i] == 0 {
				continue
			}
			v := trial[i]
			trial[i] = 0
			if g.uniqueAfterRemoval(trial, i, v) {
				n++
			} else {
				trial[i] = v
			}
		}
		if n >= got {
			copy(puz, trial)
			got = n
		}
	}
	return got
}

// uniqueAfterRemoval decides uniqueness of puz, which was uniquely solvable
// with cell i = v before i was blanked. Any other solution must differ from
// the known one at i, so it suffices to look for a solution with i ≠ v.
func (g *Generator) uniqueAfterRemoval(puz Grid, i int, v uint8) bool {
	_ = g.s.load(puz)
	g.s.banIdx, g.s.banMask = i, uint16(1)<<v
	return g.s.run(1) == 0
}

const sudokuGenMagic = "HRMSDG1\x00"

// MarshalBinary serialises the generator (box and PCG state).
func (g *Generator) MarshalBinary() ([]byte, error) {
	st, err := g.src.MarshalBinary()
	if err != nil {
		return nil, err
	}
	b := append([]byte(sudokuGenMagic), byte(g.box))
	return append(b, st...), nil
}

// UnmarshalBinary restores a state written by MarshalBinary.
func (g *Generator) UnmarshalBinary(b []byte) error {
	if len(b) < len(sudokuGenMagic)+1 || string(b[:len(sudokuGenMagic)]) != sudokuGenMagic {
		return errors.New("sudoku: generator state: bad header")
	}
	box := int(b[len(sudokuGenMagic)])
	if box != 2 && box != 3 {
		return fmt.Errorf("sudoku: generator state: box %d", box)
	}
	src := new(rand.PCG)
	if err := src.UnmarshalBinary(b[len(sudokuGenMagic)+1:]); err != nil {
		return fmt.Errorf("sudoku: generator state: %w", err)
	}
	g.box, g.src = box, src
	return nil
}

// Aug is one element of the Sudoku augmentation group of spec §6.2:
// optional transpose, then row and column permutations that keep bands
// (stacks) together, and a permutation of the digits with blank fixed.
// New cell (i, j) takes Digits[old'(RowPerm[i], ColPerm[j])] where old' is
// the grid after the optional transpose. For 4×4 the bands are 2 bands of 2
// rows (stacks likewise).
type Aug struct {
	Transpose bool
	RowPerm   []int
	ColPerm   []int
	Digits    [10]uint8 // Digits[d] = new digit of old digit d; Digits[0] = 0; identity above Side()
}

// IdentityAug returns the identity for box 2 or 3.
func IdentityAug(box int) Aug {
	side := box * box
	a := Aug{RowPerm: make([]int, side), ColPerm: make([]int, side)}
	for i := 0; i < side; i++ {
		a.RowPerm[i], a.ColPerm[i] = i, i
	}
	for d := range a.Digits {
		a.Digits[d] = uint8(d)
	}
	return a
}

// bandPerm draws a permutation of side rows that keeps the box-sized bands
// together: shuffle the bands, and the rows within each band.
func bandPerm(r rand.Source, box int) []int {
	bands := task.Perm(r, box)
	p := make([]int, 0, box*box)
	for _, b := range bands {
		for _, k := range task.Perm(r, box) {
			p = append(p, b*box+k)
		}
	}
	return p
}

// RandomAug draws a uniformly random group element for box 2 or 3.
func RandomAug(r rand.Source, box int) Aug {
	side := box * box
	a := Aug{}
	for d := range a.Digits {
		a.Digits[d] = uint8(d)
	}
	for i, d := range task.Perm(r, side) {
		a.Digits[i+1] = uint8(d + 1)
	}
	a.Transpose = task.Coin(r)
	a.RowPerm = bandPerm(r, box)
	a.ColPerm = bandPerm(r, box)
	return a
}

// Side returns the grid side the augmentation applies to.
func (a Aug) Side() int { return len(a.RowPerm) }

// Inverse returns the augmentation b with b.Apply(a.Apply(g)) == g.
func (a Aug) Inverse() Aug {
	side := len(a.RowPerm)
	rinv, cinv := make([]int, side), make([]int, side)
	for i := 0; i < side; i++ {
		rinv[a.RowPerm[i]] = i
		cinv[a.ColPerm[i]] = i
	}
	b := Aug{Transpose: a.Transpose}
	for d := range b.Digits {
		b.Digits[d] = uint8(d)
	}
	for d := 0; d <= side && d < len(a.Digits); d++ {
		b.Digits[a.Digits[d]] = uint8(d)
	}
	if a.Transpose {
		// y[i][j] = m(x[c[j]][r[i]])  ⇒  x[p][q] = m⁻¹(yᵀ[cinv[p]][rinv[q]])
		b.RowPerm, b.ColPerm = cinv, rinv
	} else {
		b.RowPerm, b.ColPerm = rinv, cinv
	}
	return b
}

// Apply returns the augmented copy of g. It panics when g's side differs
// from a.Side() (a programming error).
func (a Aug) Apply(g Grid) Grid {
	return applyAug(a, g, func(v uint8) uint8 { return a.Digits[v] })
}

// ApplyTokens augments a token sequence (inputs or labels of a sudoku
// Example): digit tokens are permuted, blank/PAD/IGNORE are kept.
func ApplyTokens[T ~uint8 | ~int32](a Aug, toks []T) []T {
	side := T(a.Side())
	return applyAug(a, toks, func(t T) T {
		if t > DigitBase && t <= side+DigitBase {
			return T(a.Digits[t-DigitBase]) + DigitBase
		}
		return t
	})
}

func applyAug[S ~[]T, T any](a Aug, g S, val func(T) T) S {
	side := len(a.RowPerm)
	if len(g) != side*side || len(a.ColPerm) != side {
		panic(fmt.Sprintf("sudoku: Aug for side %d applied to %d cells", side, len(g)))
	}
	out := make(S, len(g))
	for i := 0; i < side; i++ {
		ri := a.RowPerm[i]
		for j := 0; j < side; j++ {
			cj := a.ColPerm[j]
			var v T
			if a.Transpose {
				v = g[cj*side+ri]
			} else {
				v = g[ri*side+cj]
			}
			out[i*side+j] = val(v)
		}
	}
	return out
}

// Key returns the canonical key used to keep train and test disjoint
// under the augmentation group. Equivalent puzzles always get equal keys.
//
//   - 9×9: a fingerprint of the solution grid that is invariant under the
//     whole group (2·6⁸·9! elements; an exact canonical form would cost
//     milliseconds). It is built from the cycle types of the row-to-row
//     digit permutations of every pair of rows (and of columns), kept
//     with their band structure, symmetrised over transposition. Keying on
//     the solution is deliberately conservative: it also separates puzzles
//     that merely share an (equivalent) solution grid. Distinct classes may
//     rarely share a key; that only causes an extra rejection.
//   - 4×4: there are only two essentially different 4×4 solution grids, so
//     the key is the exact canonical form of the puzzle: the minimum over
//     all 128 row/column/transpose arrangements of the grid relabelled by
//     first appearance.
//
// solution may be nil, in which case the puzzle is solved first (a 4×4
// key ignores it).
func Key(puzzle, solution Grid) uint64 {
	switch len(puzzle) {
	case 16:
		return task.Hash(0x44, canonical4x4(puzzle))
	case 81:
		if solution == nil {
			s, _, err := Solve(puzzle)
			if err != nil {
				return task.Hash(0x99, puzzle)
			}
			solution = s
		}
		return solutionFingerprint9(solution)
	}
	return task.Hash(0, puzzle)
}

// canonical4x4 returns the lexicographically least relabelled arrangement.
func canonical4x4(p Grid) []byte {
	perms2 := [][]int{{0, 1}, {1, 0}}
	var rowPerms [][]int
	for _, b := range perms2 {
		for _, x := range perms2 {
			for _, y := range perms2 {
				in := [][]int{x, y}
				rowPerms = append(rowPerms, []int{b[0]*2 + in[0][0], b[0]*2 + in[0][1], b[1]*2 + in[1][0], b[1]*2 + in[1][1]})
			}
		}
	}
	best := make([]byte, 16)
	cur := make([]byte, 16)
	first := true
	for _, tr := range []bool{false, true} {
		for _, rp := range rowPerms {
			for _, cp := range rowPerms {
				var relabel [10]uint8
				next := uint8(1)
				for i := 0; i < 4; i++ {
					for j := 0; j < 4; j++ {
						var v uint8
						if tr {
							v = p[cp[j]*4+rp[i]]
						} else {
							v = p[rp[i]*4+cp[j]]
						}
						if v != 0 {
							if relabel[v] == 0 {
								relabel[v] = next
								next++
							}
							v = relabel[v]
						}
						cur[i*4+j] = v
					}
				}
				if first || string(cur) < string(best) {
					copy(best, cur)
					first = false
				}
			}
		}
	}
	return best
}

// solutionFingerprint9 is the group-invariant fingerprint of a full 9×9 grid.
func solutionFingerprint9(s Grid) uint64 {
	var t Grid = make(Grid, 81)
	for i := 0; i < 9; i++ {
		for j := 0; j < 9; j++ {
			t[j*9+i] = s[i*9+j]
		}
	}
	a, b := rowSignature9(s), rowSignature9(t)
	if a > b {
		a, b = b, a
	}
	var buf [16]byte
	binary.LittleEndian.PutUint64(buf[:8], a)
	binary.LittleEndian.PutUint64(buf[8:], b)
	return task.Hash(0x81, buf[:])
}

// rowSignature9 hashes the band-structured multiset of cycle types of the
// column permutations that carry row r1's digits to row r2's, plus for
// each pair the stack-transition matrix canonicalised under stack
// permutations. All of it is invariant under digit relabelling, column
// permutations within stacks, stack permutations, row permutations within
// bands and band permutations.
func rowSignature9(g Grid) uint64 {
	var pos [9][10]uint8
	for r := 0; r < 9; r++ {
		for c := 0; c < 9; c++ {
			pos[r][g[r*9+c]] = uint8(c)
		}
	}
	pair := func(r1, r2 int) uint64 {
		var sigma [9]uint8
		var m [3][3]uint8
		for j := 0; j < 9; j++ {
			sigma[j] = pos[r2][g[r1*9+j]]
			m[j/3][sigma[j]/3]++
		}
		// cycle type: count of cycles of each length, 4 bits each
		var seen [9]bool
		var ct uint64
		for j := 0; j < 9; j++ {
			if seen[j] {
				continue
			}
			l := 0
			for k := j; !seen[k]; k = int(sigma[k]) {
				seen[k] = true
				l++
			}
			ct += 1 << (4 * (l - 1))
		}
		// stack-transition matrix, minimised over simultaneous stack
		// permutations (entries ≤ 3, 2 bits each)
		best := ^uint64(0)
		for _, p := range perms3 {
			var code uint64
			for a := 0; a < 3; a++ {
				for b := 0; b < 3; b++ {
					code = code<<2 | uint64(m[p[a]][p[b]]&3)
				}
			}
			best = min(best, code)
		}
		// pair(r1,r2) and pair(r2,r1) must agree: σ is inverted and the
		// matrix transposed; combine the two orientations symmetrically.
		return ct<<20 | best
	}
	sym := func(r1, r2 int) uint64 {
		a, b := pair(r1, r2), pair(r2, r1)
		if a > b {
			a, b = b, a
		}
		return task.Mix64(a) ^ (task.Mix64(b) * 3)
	}
	var bandSig [3]uint64
	for B := 0; B < 3; B++ {
		v := []uint64{sym(3*B, 3*B+1), sym(3*B, 3*B+2), sym(3*B+1, 3*B+2)}
		bandSig[B] = task.HashSortedU64(v)
	}
	var crossSig [3]uint64
	k := 0
	for B1 := 0; B1 < 3; B1++ {
		for B2 := B1 + 1; B2 < 3; B2++ {
			v := make([]uint64, 0, 9)
			for i := 0; i < 3; i++ {
				for j := 0; j < 3; j++ {
					v = append(v, sym(3*B1+i, 3*B2+j))
				}
			}
			// tie the cross signature to the two band signatures it joins
			lo, hi := min(bandSig[B1], bandSig[B2]), max(bandSig[B1], bandSig[B2])
			crossSig[k] = task.HashSortedU64(v) ^ task.Mix64(lo) ^ task.Mix64(hi*5)
			k++
		}
	}
	return task.HashSortedU64(append(bandSig[:], crossSig[:]...)) ^ task.Mix64(0x7fff)
}

var perms3 = [6][3]int{{0, 1, 2}, {0, 2, 1}, {1, 0, 2}, {1, 2, 0}, {2, 0, 1}, {2, 1, 0}}
