package data

import (
	"strings"
	"testing"

	"github.com/stretchr/testify/require"
)

func FuzzParseSudoku(f *testing.F) {
	for _, s := range []string{
		wikiPuzzle, wikiSolution, strings.ReplaceAll(wikiPuzzle, ".", "0"),
		"1.3.0.4.........", "1234341221434321", "................",
		"", "x", strings.Repeat(".", 81), strings.Repeat("1", 81),
		"é" + wikiPuzzle[2:], wikiPuzzle[:40] + "\x00" + wikiPuzzle[41:],
	} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		g, err := ParseSudoku(s)
		if err != nil {
			require.Nil(t, g)
			require.True(t, strings.HasPrefix(err.Error(), "sudoku: "), err.Error())
			return
		}
		require.Len(t, g, len(s))
		require.Equal(t, strings.ReplaceAll(s, "0", "."), g.String())
		g2, err := ParseSudoku(g.String())
		require.NoError(t, err)
		require.Equal(t, g, g2)
		require.Equal(t, g.Tokens(), func() []uint8 { x, _ := SudokuFromTokens(g.Tokens()); return x.Tokens() }())

		if g.CheckGivens() != nil {
			require.Equal(t, 0, CountSolutions(g, 2))
			return
		}
		// keep the search cheap: 4×4 always, 9×9 with enough givens
		if g.Side() == 9 && g.Blanks() > 50 {
			return
		}
		sol, n, err := SolveSudoku(g)
		if err != nil {
			require.ErrorIs(t, err, ErrNoSolution)
			return
		}
		require.Contains(t, []int{1, 2}, n)
		require.NoError(t, CheckSolution(g, sol))
		a := RandomSudokuAug(NewPCG(uint64(len(s)), 1), g.Box())
		require.Equal(t, g, a.Inverse().Apply(a.Apply(g)))
		require.NoError(t, CheckSolution(a.Apply(g), a.Apply(sol)))
	})
}

func FuzzARCTask(f *testing.F) {
	pair := `{"input":[[1,2],[3,4]],"output":[[5]]}`
	for _, s := range []string{
		`{"train":[` + pair + `],"test":[` + pair + `]}`,
		`{"train":[` + pair + `,` + pair + `],"test":[{"input":[[0]]}],"name":"x"}`,
		`{"train":[{"input":[[1,2],[3]],"output":[[1]]}],"test":[` + pair + `]}`,
		`{"train":[{"input":[[10]],"output":[[1]]}],"test":[` + pair + `]}`,
		`{"train":[{"input":[[1.0]],"output":[[-0]]}],"test":[` + pair + `]}`,
		`{"tr\u0061in":[` + pair + `],"test":[` + pair + `],"x":"\ud83d\ude00"}`,
		`{"x":"\udc00","train":[` + pair + `],"test":[` + pair + `]}`,
		`{"train":[` + pair + `],"test":[` + pair + `]} {}`,
		`[]`, `{}`, ``, `null`,
	} {
		f.Add([]byte(s))
	}
	b, _ := randomTaskJSON(2) // compact JSON
	f.Add(b)
	f.Fuzz(func(t *testing.T, data []byte) {
		task, err := parseBoth(t, "fuzz", data)
		if err != nil {
			require.True(t, strings.HasPrefix(err.Error(), "arc: fuzz: "), err.Error())
			return
		}
		require.NotEmpty(t, task.Train)
		require.NotEmpty(t, task.Test)
		for _, set := range [][]ARCPair{task.Train, task.Test} {
			for _, p := range set {
				require.NoError(t, p.Input.Validate())
				for _, g := range []ARCGrid{p.Input, p.Output} {
					if g.Empty() {
						continue
					}
					enc, err := EncodeARCGrid(g, 0, 0)
					require.NoError(t, err)
					dec, err := DecodeARCGrid(enc)
					require.NoError(t, err)
					require.True(t, g.Equal(dec))
					for d := 0; d < NumDihedral; d++ {
						require.True(t, g.Equal(g.Dihedral(d).Dihedral(DihedralInverse[d])))
					}
				}
			}
		}
		m := RandomARCColorMap(NewPCG(uint64(len(data)), 0))
		aug := task.Augment(len(data)%8, m)
		for i, p := range aug.Test {
			require.True(t, task.Test[i].Input.Equal(UnaugmentARCGrid(p.Input, len(data)%8, m)))
		}
	})
}
