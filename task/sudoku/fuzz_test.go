package sudoku

import (
	"strings"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/hrmgo/hrm/task"
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
		g, err := Parse(s)
		if err != nil {
			require.Nil(t, g)
			require.True(t, strings.HasPrefix(err.Error(), "sudoku: "), err.Error())
			return
		}
		require.Len(t, g, len(s))
		require.Equal(t, strings.ReplaceAll(s, "0", "."), g.String())
		g2, err := Parse(g.String())
		require.NoError(t, err)
		require.Equal(t, g, g2)
		require.Equal(t, g.Tokens(), func() []uint8 { x, _ := FromTokens(g.Tokens()); return x.Tokens() }())

		if g.CheckGivens() != nil {
			require.Equal(t, 0, CountSolutions(g, 2))
			return
		}
		// keep the search cheap: 4×4 always, 9×9 with enough givens
		if g.Side() == 9 && g.Blanks() > 50 {
			return
		}
		sol, n, err := Solve(g)
		if err != nil {
			require.ErrorIs(t, err, ErrNoSolution)
			return
		}
		require.Contains(t, []int{1, 2}, n)
		require.NoError(t, Verify(g, sol))
		a := RandomAug(task.NewPCG(uint64(len(s)), 1), g.Box())
		require.Equal(t, g, a.Inverse().Apply(a.Apply(g)))
		require.NoError(t, Verify(a.Apply(g), a.Apply(sol)))
	})
}
