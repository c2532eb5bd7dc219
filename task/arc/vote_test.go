package arc

import (
	"testing"

	"github.com/stretchr/testify/require"
)

func TestVariantOf(t *testing.T) {
	v, ok := VariantOf("007bbfb7", "007bbfb7")
	require.True(t, ok)
	require.Equal(t, 0, v.D)
	require.Equal(t, IdentityColorMap(), v.Map)
	v, ok = VariantOf("007bbfb7_t3_0213456789", "007bbfb7")
	require.True(t, ok)
	require.Equal(t, 3, v.D)
	for _, name := range []string{"007bbfb7x", "007bbfb70_t3_0213456789", "007bbfb7_t9_0213456789", "007bbfb7_t3_021345678", "other_t1_0123456789"} {
		_, ok := VariantOf(name, "007bbfb7")
		require.False(t, ok, name)
	}
	// Undo inverts Apply, for every transform.
	g := MustGrid([][]int{{1, 2, 3}, {4, 5, 6}})
	m, err := ParseColorMap("0918273645")
	require.NoError(t, err)
	for d := 0; d < 8; d++ {
		v := Variant{D: d, Map: m}
		require.True(t, g.Equal(v.Undo(v.Apply(g))), "transform %d", d)
	}
}

func TestVote(t *testing.T) {
	a, b, c := MustGrid([][]int{{1}}), MustGrid([][]int{{2}}), MustGrid([][]int{{3}})
	got := Vote([]Prediction{{a, -1}, {b, 3}, {a, -2}, {c, 5}, {b, -3}, {c, 4}})
	require.Len(t, got, 3)
	// a, b and c have two votes each: the mean sigmoid(q_halt) decides,
	// c (≈0.99) before b (≈0.50) before a (≈0.20)
	require.True(t, got[0].Grid.Equal(c))
	require.True(t, got[1].Grid.Equal(b))
	require.True(t, got[2].Grid.Equal(a))
	require.InDelta(t, (0.2689+0.1192)/2, got[2].Confidence, 1e-4)

	got = Vote([]Prediction{{a, 9}, {b, -9}, {b, -9}})
	require.True(t, got[0].Grid.Equal(b), "votes first")
	require.Equal(t, 2, got[0].Votes)
	require.Empty(t, Vote(nil))
}

func TestRender(t *testing.T) {
	g := MustGrid([][]int{{0, 1}, {9, 2}})
	require.Equal(t, "01\n92", g.Text())
	require.Equal(t, "\x1b[48;2;0;0;0m  \x1b[48;2;0;116;217m  \x1b[0m\n\x1b[48;2;135;12;37m  \x1b[48;2;255;65;54m  \x1b[0m\n", g.ANSI())
}
