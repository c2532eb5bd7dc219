package sudoku

import (
	"fmt"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/hrmgo/hrm/task"
)

// The Wikipedia example puzzle and its solution.
const (
	wikiPuzzle   = "53..7....6..195....98....6.8...6...34..8.3..17...2...6.6....28....419..5....8..79"
	wikiSolution = "534678912672195348198342567859761423426853791713924856961537284287419635345286179"
)

func TestParseSudokuRoundTrip(t *testing.T) {
	g, err := Parse(wikiPuzzle)
	require.NoError(t, err)
	require.Equal(t, 9, g.Side())
	require.Equal(t, 3, g.Box())
	require.Equal(t, wikiPuzzle, g.String())
	require.Equal(t, 51, g.Blanks())

	z, err := Parse(strings.ReplaceAll(wikiPuzzle, ".", "0"))
	require.NoError(t, err)
	require.Equal(t, g, z)

	g4, err := Parse("1.3.0.4.........")
	require.NoError(t, err)
	require.Equal(t, 4, g4.Side())
	require.Equal(t, "1.3...4.........", g4.String())
}

func TestParseSudokuErrors(t *testing.T) {
	cases := []struct{ in, want string }{
		{"123", "got 3 characters, want 81 (9×9) or 16 (4×4)"},
		{"", "got 0 characters"},
		{wikiPuzzle[:5] + "x" + wikiPuzzle[6:], `position 5 (row 1, column 6): invalid character 'x'`},
		{wikiPuzzle[:80] + " ", `position 80 (row 9, column 9): invalid character ' '`},
		{"1.3.5...........", `position 4 (row 2, column 1): invalid character '5', want '.', '0' or a digit 1-4`},
		{"é" + wikiPuzzle[2:], `position 0 (row 1, column 1): invalid character 'é'`},
	}
	for _, c := range cases {
		_, err := Parse(c.in)
		require.Error(t, err, c.in)
		require.Contains(t, err.Error(), c.want)
	}
}

func TestCheckGivensAndSolution(t *testing.T) {
	p, _ := Parse(wikiPuzzle)
	s, _ := Parse(wikiSolution)
	require.NoError(t, p.CheckGivens())
	require.NoError(t, s.CheckSolved())
	require.NoError(t, Verify(p, s))
	require.ErrorContains(t, p.CheckSolved(), "blank in a solution")

	bad := p.Clone()
	bad[2] = 5 // row 1 already has a 5 in column 1
	require.ErrorContains(t, bad.CheckGivens(), "digit 5 twice in row 1 (columns 1 and 3)")
	bad = p.Clone()
	bad[9*8] = 6 // column 1 has 6 in row 2
	require.ErrorContains(t, bad.CheckGivens(), "digit 6 twice in column 1 (rows 2 and 9)")
	bad = p.Clone()
	bad[2*9+0] = 3 // box 1 has a 3 at r1c2 — but not in row 3 or column 1
	require.ErrorContains(t, bad.CheckGivens(), "digit 3 twice in box 1")

	wrong := s.Clone()
	wrong[0], wrong[1] = wrong[1], wrong[0]
	require.Error(t, wrong.CheckSolved())
	require.Error(t, Verify(p, wrong))

	other := s.Clone() // a valid grid that contradicts a given: relabel 5↔3
	for i, v := range other {
		switch v {
		case 5:
			other[i] = 3
		case 3:
			other[i] = 5
		}
	}
	require.NoError(t, other.CheckSolved())
	require.ErrorContains(t, Verify(p, other), "cell 0 (row 1, column 1): given 5, solution has 3")

	require.Error(t, Grid(make([]uint8, 10)).CheckGivens())
	require.ErrorContains(t, Grid(append(make([]uint8, 80), 10)).CheckGivens(), "holds 10")
}

func TestSolveSudoku(t *testing.T) {
	p, _ := Parse(wikiPuzzle)
	sol, n, err := Solve(p)
	require.NoError(t, err)
	require.Equal(t, 1, n)
	require.Equal(t, wikiSolution, sol.String())
	require.Equal(t, wikiPuzzle, p.String(), "input not modified")

	require.Equal(t, 2, CountSolutions(make(Grid, 81), 2))
	require.Equal(t, 288, CountSolutions(make(Grid, 16), 1000), "all 4×4 grids")
	bad := p.Clone()
	bad[2] = 5
	require.Equal(t, 0, CountSolutions(bad, 2))
	_, _, err = Solve(bad)
	require.Error(t, err)

	// consistent givens but no solution: row 1 is 1..8 with a 9 below the blank
	dead, _ := Parse("12345678.........9" + strings.Repeat(".", 63))
	_, _, err = Solve(dead)
	require.ErrorIs(t, err, ErrNoSolution)
}

func checkGenerated(t *testing.T, p, s Grid, blanks int) {
	t.Helper()
	require.Equal(t, blanks, p.Blanks())
	require.NoError(t, p.CheckGivens())
	require.NoError(t, Verify(p, s))
	sol, n, err := Solve(p)
	require.NoError(t, err)
	require.Equal(t, 1, n, "unique solution")
	require.Equal(t, s, sol)
}

func TestGenerateSudoku9x9(t *testing.T) {
	g, err := NewGenerator(3, 7, 0)
	require.NoError(t, err)
	for _, blanks := range []int{0, 1, 30, 45, 55} {
		for i := 0; i < 4; i++ {
			p, s, err := g.Generate(blanks)
			require.NoError(t, err)
			checkGenerated(t, p, s, blanks)
		}
	}
	_, _, err = g.Generate(65)
	require.Error(t, err)
	_, _, err = g.Generate(-1)
	require.Error(t, err)
}

func TestGenerateSudoku4x4(t *testing.T) {
	g, err := NewGenerator(2, 3, 0)
	require.NoError(t, err)
	for blanks := 0; blanks <= MaxBlanks(2); blanks++ {
		for i := 0; i < 3; i++ {
			p, s, err := g.Generate(blanks)
			require.NoError(t, err, "blanks %d", blanks)
			require.Len(t, p, 16)
			checkGenerated(t, p, s, blanks)
			for _, tok := range p.Tokens() {
				require.LessOrEqual(t, tok, uint8(5), "4×4 tokens stay within 1..5")
			}
		}
	}
}

func TestGenerateUnreachable(t *testing.T) {
	g, _ := NewGenerator(3, 1, 0)
	g.MaxAttempts = 2
	_, _, err := g.Generate(64)
	require.ErrorIs(t, err, ErrBlanksUnreachable)
	_, err = NewGenerator(4, 0, 0)
	require.Error(t, err)
}

func TestSudokuGeneratorDeterministicAndResumable(t *testing.T) {
	a, _ := NewGenerator(3, 42, 9)
	b, _ := NewGenerator(3, 42, 9)
	c, _ := NewGenerator(3, 43, 9)
	pa, _, _ := a.Generate(40)
	pb, _, _ := b.Generate(40)
	pc, _, _ := c.Generate(40)
	require.Equal(t, pa, pb)
	require.NotEqual(t, pa, pc)

	state, err := a.MarshalBinary()
	require.NoError(t, err)
	var want []string
	for i := 0; i < 3; i++ {
		p, _, err := a.Generate(40)
		require.NoError(t, err)
		want = append(want, p.String())
	}
	var r Generator
	require.NoError(t, r.UnmarshalBinary(state))
	require.Equal(t, 3, r.Box())
	for i := 0; i < 3; i++ {
		p, _, err := r.Generate(40)
		require.NoError(t, err)
		require.Equal(t, want[i], p.String())
	}
	require.Error(t, r.UnmarshalBinary([]byte("junk")))
	require.Error(t, r.UnmarshalBinary(append([]byte(sudokuGenMagic), 3, 1, 2)))
}

func TestTokens(t *testing.T) {
	p, _ := Parse(wikiPuzzle)
	s, _ := Parse(wikiSolution)
	in, lab := p.Tokens(), s.Labels()
	require.Len(t, in, 81)
	require.Equal(t, uint8(6), in[0]) // '5' → 6
	require.Equal(t, uint8(BlankToken), in[2])
	require.Equal(t, int32(6), lab[0])
	require.Equal(t, int32(5), lab[2]) // solution digit 4
	for _, l := range lab {
		require.True(t, l >= 2 && l <= 10)
	}
	back, err := FromTokens(in)
	require.NoError(t, err)
	require.Equal(t, p, back)
	backL, err := FromTokens(lab)
	require.NoError(t, err)
	require.Equal(t, s, backL)
	bad := append([]uint8(nil), in...)
	bad[7] = 0
	_, err = FromTokens(bad)
	require.ErrorContains(t, err, "position 7")
}

func TestSudokuAugSpecDefinition(t *testing.T) {
	// New cell (i,j) takes Digits[old'(RowPerm[i], ColPerm[j])], old' the
	// optionally transposed grid.
	s, _ := Parse(wikiSolution)
	a := IdentityAug(3)
	a.RowPerm = []int{3, 4, 5, 0, 2, 1, 6, 8, 7}
	a.ColPerm = []int{6, 7, 8, 1, 0, 2, 3, 4, 5}
	for d := 1; d <= 9; d++ {
		a.Digits[d] = uint8(10 - d)
	}
	for _, tr := range []bool{false, true} {
		a.Transpose = tr
		y := a.Apply(s)
		for i := 0; i < 9; i++ {
			for j := 0; j < 9; j++ {
				r, c := a.RowPerm[i], a.ColPerm[j]
				old := s[r*9+c]
				if tr {
					old = s[c*9+r]
				}
				require.Equal(t, 10-old, y[i*9+j])
			}
		}
	}
}

func TestSudokuAugmentationProperties(t *testing.T) {
	for _, box := range []int{2, 3} {
		g, _ := NewGenerator(box, 11, 0)
		r := task.NewPCG(5, 5)
		blanks := map[int]int{2: 9, 3: 50}[box]
		for k := 0; k < 20; k++ {
			p, s, err := g.Generate(blanks)
			require.NoError(t, err)
			a := RandomAug(r, box)
			// digit map: bijection on 1..side, blank fixed
			require.Equal(t, uint8(0), a.Digits[0])
			seen := map[uint8]bool{}
			for d := 1; d <= box*box; d++ {
				require.True(t, a.Digits[d] >= 1 && int(a.Digits[d]) <= box*box)
				seen[a.Digits[d]] = true
			}
			require.Len(t, seen, box*box)

			ap, as := a.Apply(p), a.Apply(s)
			require.Equal(t, blanks, ap.Blanks())
			require.NoError(t, as.CheckSolved())
			require.NoError(t, Verify(ap, as))
			sol, n, err := Solve(ap)
			require.NoError(t, err)
			require.Equal(t, 1, n)
			require.Equal(t, as, sol, "augmented puzzle solves to augmented solution")

			inv := a.Inverse()
			require.Equal(t, p, inv.Apply(ap))
			require.Equal(t, s, inv.Apply(as))
			require.Equal(t, s, a.Apply(inv.Apply(s)))

			// token-level application agrees with grid-level
			require.Equal(t, ap.Tokens(), ApplyTokens(a, p.Tokens()))
			require.Equal(t, as.Labels(), ApplyTokens(a, s.Labels()))

			// key invariance
			require.Equal(t, Key(p, s), Key(ap, as))
			require.Equal(t, Key(p, s), Key(ap, nil))
		}
	}
}

func TestSudokuKeyDistinguishes(t *testing.T) {
	g, _ := NewGenerator(3, 99, 0)
	keys := map[uint64]string{}
	for i := 0; i < 300; i++ {
		s := g.FullGrid()
		k := Key(s, s)
		prev, dup := keys[k]
		require.False(t, dup, "fingerprint collision between\n%s\n%s", prev, s)
		keys[k] = s.String()
	}
	// 4×4: the 288 full grids fall into exactly two classes.
	g4, _ := NewGenerator(2, 1, 0)
	classes := map[uint64]bool{}
	for i := 0; i < 200; i++ {
		s := g4.FullGrid()
		classes[Key(s, s)] = true
	}
	require.Len(t, classes, 2)
}

func BenchmarkSudokuGenerate(b *testing.B) {
	for _, blanks := range []int{30, 50, 55} {
		b.Run(fmt.Sprintf("9x9_blanks%d", blanks), func(b *testing.B) {
			g, _ := NewGenerator(3, 1, 0)
			for b.Loop() {
				if _, _, err := g.Generate(blanks); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}

func BenchmarkSudokuSolve(b *testing.B) {
	p, _ := Parse(wikiPuzzle)
	for b.Loop() {
		if CountSolutions(p, 2) != 1 {
			b.Fatal("not unique")
		}
	}
}

func BenchmarkSudokuKey9x9(b *testing.B) {
	g, _ := NewGenerator(3, 1, 0)
	s := g.FullGrid()
	for b.Loop() {
		benchSink ^= Key(s, s)
	}
}

var benchSink uint64

func TestSudokuGridRender(t *testing.T) {
	g, err := Parse("534678912672195348198342567859761423426853791713924856961537284287419635345286179")
	require.NoError(t, err)
	out := g.Grid()
	require.Contains(t, out, "5 3 4 | 6 7 8 | 9 1 2")
	require.Equal(t, 9+2, strings.Count(out, "\n"))
	g4, err := Parse("1234341221434321")
	require.NoError(t, err)
	require.Equal(t, "1 2 | 3 4 \n3 4 | 1 2 \n----+-----\n2 1 | 4 3 \n4 3 | 2 1 \n", g4.Grid())
}

// Above what random thinning reaches, Generate searches by clue swapping:
// 60-blank (21-given) puzzles come out uniquely solvable and consistent.
func TestGenerateDeep(t *testing.T) {
	g, err := NewGenerator(3, 5, 1)
	require.NoError(t, err)
	for i := 0; i < 3; i++ {
		p, s, err := g.Generate(60)
		require.NoError(t, err)
		require.Equal(t, 60, p.Blanks())
		require.Equal(t, 1, CountSolutions(p, 2))
		require.NoError(t, Verify(p, s))
	}
}

// Thin cuts exactly the blanks asked from a full grid, whose solution it
// keeps: puzzles past UniqueReach can still be run and scored.
func TestThin(t *testing.T) {
	g, err := NewGenerator(3, 9, 1)
	require.NoError(t, err)
	p, s, err := g.Thin(64)
	require.NoError(t, err)
	require.Equal(t, 64, p.Blanks())
	require.NoError(t, Verify(p, s))
	require.GreaterOrEqual(t, CountSolutions(p, 2), 1)
	_, _, err = g.Thin(65)
	require.Error(t, err)
}
