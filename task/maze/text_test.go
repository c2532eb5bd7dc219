package maze

import (
	"strings"
	"testing"

	"github.com/stretchr/testify/require"
)

func TestParseText(t *testing.T) {
	const m = "S.#\n#.#\n#.G\n"
	toks, side, err := ParseText(m)
	require.NoError(t, err)
	require.Equal(t, 3, side)
	require.Equal(t, []uint8{StartToken, OpenToken, WallToken, WallToken, OpenToken, WallToken, WallToken, OpenToken, GoalToken}, toks)
	require.Equal(t, "S.#\n#.#\n#.G", Text(toks, 3))
	again, _, err := ParseText(Text(toks, 3))
	require.NoError(t, err)
	require.Equal(t, toks, again)
	sp, _, err := ParseText("S  \r\n# #\r\n# G\r\n\n")
	require.NoError(t, err, "spaces are open squares, CRLF and trailing empty lines are fine")
	require.Equal(t, toks[:1], sp[:1])

	for _, tc := range []struct{ in, want string }{
		{"", "maze: empty"},
		{"S.G", "1 row"},
		{"S.#\n#.\n#.G", "not square: 3 rows, but row 2 has 2 squares"},
		{"S.#\n#.#\n#.G\n...", "not square: 4 rows, but row 1 has 3 squares"},
		{"S.S\n#.#\n#.G", "two S, at row 1 column 1 and row 1 column 3"},
		{"S.G\n#.#\n#.G", "two G, at row 1 column 3 and row 3 column 3"},
		{"S.#\n#x#\n#.G", `row 2 column 2: 'x' is not a square`},
		{"S.#\n#o#\n#.G", `row 2 column 2: 'o' is not a square`},
		{"..#\n#.#\n#.G", "no S"},
		{"S.#\n#.#\n#..", "no G"},
		{"S.#\n###\n#.G", "G is unreachable from S: no path"},
	} {
		_, _, err := ParseText(tc.in)
		require.ErrorContains(t, err, tc.want, "%q", tc.in)
	}
}

func TestPlaceAndCrop(t *testing.T) {
	toks, side, err := ParseText("S.#\n#.#\n#.G")
	require.NoError(t, err)
	big := Place(toks, side, 5)
	require.Equal(t, "S.###\n#.###\n#.G##\n#####\n#####", Text(big, 5))
	l1, _, err := ShortestPath(toks, side)
	require.NoError(t, err)
	l2, _, err := ShortestPath(big, 5)
	require.NoError(t, err)
	require.Equal(t, l1, l2, "walls around a maze keep its paths")
	require.Equal(t, toks, Crop(big, side, 5))
}

func TestLooksLike(t *testing.T) {
	for _, c := range []struct {
		text string
		row  bool
		want bool
	}{
		{"#S..\n#..G", false, true},
		{"S.G", false, true},
		{"..3..2....1.4...", false, false},
		{"53..7....6..195....98....6.8...6...34..8.3..17...2...6.6....28....419..5....8..79", false, false},
		{"########", true, true},
		{"#S.....#", true, true},
		{"S . . G", true, true},
		{"# puzzles from a newspaper", true, false},
		{"....", true, false},
		{strings.Repeat("#", 31), true, false},
	} {
		require.Equal(t, c.want, LooksLike(c.text, c.row), "%q row=%v", c.text, c.row)
	}
}
