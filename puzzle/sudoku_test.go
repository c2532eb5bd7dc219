package puzzle

import (
	"testing"

	"github.com/stretchr/testify/require"
)

const solved = "534678912672195348198342567859761423426853791713924856961537284287419635345286179"

func TestParseFormatSudoku(t *testing.T) {
	p := "53..7....6..195....98....6.8...6...34..8.3..17...2...6.6....28....419..5....8..79"
	toks, err := ParseSudoku(p, 9)
	require.NoError(t, err)
	require.Equal(t, int32(6), toks[0]) // digit 5
	require.Equal(t, int32(SudokuBlank), toks[2])
	require.Equal(t, p, FormatSudoku(toks))
	z, err := ParseSudoku("0"+p[1:], 9)
	require.NoError(t, err)
	require.Equal(t, int32(SudokuBlank), z[0])

	sol, err := ParseSudoku(solved, 9)
	require.NoError(t, err)
	require.True(t, SolvesSudoku(toks, sol))
	bad := append([]int32(nil), sol...)
	bad[0], bad[1] = bad[1], bad[0]
	require.False(t, SolvesSudoku(toks, bad))
	require.Contains(t, GridSudoku(sol), "5 3 4 | 6 7 8 | 9 1 2")
}

func TestParseSudokuErrors(t *testing.T) {
	for in, want := range map[string]string{
		"123":                   "3 characters, want 81",
		"x" + solved[1:]:        `character 1 (row 1, column 1) is 'x'`,
		"55" + solved[2:]:       "row 1 holds the digit 5 twice",
		"5" + solved[1:9] + "5": "want 81",
	} {
		_, err := ParseSudoku(in, 9)
		require.ErrorContains(t, err, want, in)
	}
	_, err := ParseSudoku("1234341221434321", 4)
	require.NoError(t, err)
	_, err = ParseSudoku("5234341221434321", 4)
	require.ErrorContains(t, err, "is '5'")
}
