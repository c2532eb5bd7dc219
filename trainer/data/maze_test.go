package data

import (
	"strings"
	"testing"

	"github.com/stretchr/testify/require"
)

func TestMazeGenerateValid(t *testing.T) {
	for _, cfg := range []MazeConfig{
		DefaultMazeConfig(),
		{Cells: 5},
		{Cells: 6, Loops: 12, MinPathLen: 16},
		{Cells: 14, Loops: 20, MinPathLen: 60, Canvas: 30},
	} {
		g, err := NewMazeGenerator(cfg, 3, 0)
		require.NoError(t, err)
		side := cfg.Side()
		require.Equal(t, 2*g.Config().Cells+1, side)
		for k := 0; k < 10; k++ {
			m, err := g.Generate()
			require.NoError(t, err)
			require.Equal(t, side, m.Side)
			require.Len(t, m.Input, side*side)
			require.NoError(t, VerifyMazeSolution(m.Input, m.Label, side), "\n%s", m)

			n, count, err := MazeShortestPath(m.Input, side)
			require.NoError(t, err)
			require.Equal(t, m.PathLen, n)
			require.Equal(t, 1, count, "unique shortest path")
			require.GreaterOrEqual(t, m.PathLen, max(cfg.MinPathLen, 1))
			require.Equal(t, uint8(MazeStartToken), m.Input[m.Start])
			require.Equal(t, uint8(MazeGoalToken), m.Input[m.Goal])

			nPath, nOpen := 0, 0
			for i, tok := range m.Label {
				r, c := i/side, i%side
				if r == 0 || c == 0 || r == side-1 || c == side-1 {
					require.Equal(t, uint8(MazeWallToken), tok, "border is wall")
				}
				if r%2 == 0 && c%2 == 0 {
					require.Equal(t, uint8(MazeWallToken), tok, "lattice corners are wall")
				}
				if tok == MazePathToken {
					nPath++
				}
				if tok != MazeWallToken {
					nOpen++
				}
			}
			require.Equal(t, m.PathLen-1, nPath)
			cells := g.Config().Cells
			require.Equal(t, 2*cells*cells-1+cfg.Loops, nOpen, "spanning tree plus loops")

			ex := m.Example(g.Config().Canvas)
			require.Len(t, ex.Inputs, cfg.SeqLen())
			require.Len(t, ex.Labels, cfg.SeqLen())
			require.Equal(t, MazeKey(m.Input, side), ex.Key)
		}
	}
	require.Equal(t, 289, MazeSeqLen(8))
	require.Equal(t, 289, DefaultMazeConfig().SeqLen())
	require.Equal(t, 900, MazeConfig{Cells: 14, Canvas: 30}.SeqLen())
}

func TestMazeExamplePadding(t *testing.T) {
	g, _ := NewMazeGenerator(MazeConfig{Cells: 4, Canvas: 12}, 1, 0)
	m, err := g.Generate()
	require.NoError(t, err)
	ex := m.Example(12)
	for i := range ex.Inputs {
		r, c := i/12, i%12
		if r < 9 && c < 9 {
			require.Equal(t, m.Input[r*9+c], ex.Inputs[i])
			require.Equal(t, int32(m.Label[r*9+c]), ex.Labels[i])
		} else {
			require.Equal(t, uint8(MazePadToken), ex.Inputs[i])
			require.Equal(t, IgnoreLabel, ex.Labels[i])
		}
	}
}

func TestMazeUnreachableAndConfigErrors(t *testing.T) {
	g, err := NewMazeGenerator(MazeConfig{Cells: 3, MinPathLen: 1000, MaxAttempts: 2}, 1, 0)
	require.NoError(t, err)
	_, err = g.Generate()
	require.ErrorIs(t, err, ErrMazeUnreachable)
	_, err = NewMazeGenerator(MazeConfig{Cells: 8, Canvas: 10}, 1, 0)
	require.Error(t, err)
	_, err = NewMazeGenerator(MazeConfig{Cells: 1}, 1, 0)
	require.Error(t, err)
	_, err = NewMazeGenerator(MazeConfig{Cells: 4, Loops: -1}, 1, 0)
	require.Error(t, err)
}

func TestMazeDeterministicAndResumable(t *testing.T) {
	cfg := DefaultMazeConfig()
	a, _ := NewMazeGenerator(cfg, 5, 1)
	b, _ := NewMazeGenerator(cfg, 5, 1)
	ma, _ := a.Generate()
	mb, _ := b.Generate()
	require.Equal(t, ma, mb)
	st, err := a.MarshalBinary()
	require.NoError(t, err)
	want, _ := a.Generate()
	var r MazeGenerator
	r.cfg = cfg.withDefaults()
	require.NoError(t, r.UnmarshalBinary(st))
	got, err := r.Generate()
	require.NoError(t, err)
	require.Equal(t, want, got)
	require.Error(t, r.UnmarshalBinary([]byte("nope")))
}

func TestMazeDihedralAugmentation(t *testing.T) {
	g, _ := NewMazeGenerator(MazeConfig{Cells: 6, Loops: 6, MinPathLen: 12, Canvas: 15}, 8, 0)
	m, err := g.Generate()
	require.NoError(t, err)
	key := MazeKey(m.Input, m.Side)
	seen := map[string]bool{}
	for tr := 0; tr < NumDihedral; tr++ {
		in, h, w := Dihedral(tr, m.Input, m.Side, m.Side)
		lab, _, _ := Dihedral(tr, m.Label, m.Side, m.Side)
		require.Equal(t, m.Side, h)
		require.Equal(t, m.Side, w)
		require.NoError(t, VerifyMazeSolution(in, lab, m.Side))
		require.Equal(t, key, MazeKey(in, m.Side), "key is dihedral-invariant")
		seen[string(in)] = true
		// start moves where DihedralPos says
		sr, sc := DihedralPos(tr, m.Start/m.Side, m.Start%m.Side, m.Side, m.Side)
		require.Equal(t, uint8(MazeStartToken), in[sr*m.Side+sc])
	}
	require.Len(t, seen, 8, "a random maze has no symmetry")

	aug := MazeAugmenter(m.Side, 15)
	ex := m.Example(15)
	r := NewPCG(0, 0)
	for k := 0; k < 16; k++ {
		out := aug(ex, r)
		require.Equal(t, ex.Key, out.Key)
		in := make([]uint8, m.Side*m.Side)
		lab := make([]uint8, m.Side*m.Side)
		for i := range out.Inputs {
			rr, c := i/15, i%15
			if rr < m.Side && c < m.Side {
				in[rr*m.Side+c], lab[rr*m.Side+c] = out.Inputs[i], uint8(out.Labels[i])
			} else {
				require.Equal(t, uint8(0), out.Inputs[i])
				require.Equal(t, IgnoreLabel, out.Labels[i])
			}
		}
		require.NoError(t, VerifyMazeSolution(in, lab, m.Side))
		require.Equal(t, key, MazeKey(in, m.Side))
	}
}

const handMaze = "" +
	"#######" +
	"#S    #" +
	"# ### #" +
	"# #   #" +
	"# # ###" +
	"#    G#" +
	"#######"

func TestVerifyMazeSolutionRejects(t *testing.T) {
	in, side, err := ParseMaze(handMaze)
	require.NoError(t, err)
	require.Equal(t, 7, side)
	n, count, err := MazeShortestPath(in, side)
	require.NoError(t, err)
	require.Equal(t, 8, n)
	require.Equal(t, 1, count)

	good := "" +
		"#######" +
		"#S    #" +
		"#o### #" +
		"#o#   #" +
		"#o# ###" +
		"#ooooG#" +
		"#######"
	lab, _, err := ParseMaze(good)
	require.NoError(t, err)
	require.NoError(t, VerifyMazeSolution(in, lab, side))

	long := "" + // a valid path but not a shortest one
		"#######" +
		"#Soooo#" +
		"# ###o#" +
		"# #ooo#" +
		"# #o###" +
		"#  ooG#" +
		"#######"
	lab, _, _ = ParseMaze(long)
	require.ErrorContains(t, VerifyMazeSolution(in, lab, side), "marked path has 12 moves, shortest is 8")

	broken := strings.Replace(good, "#o# ###", "# # ###", 1)
	lab, _, _ = ParseMaze(broken)
	require.ErrorContains(t, VerifyMazeSolution(in, lab, side), "breaks off")

	stray := strings.Replace(good, "#S    #", "#S  o #", 1)
	lab, _, _ = ParseMaze(stray)
	require.ErrorContains(t, VerifyMazeSolution(in, lab, side), "'o' squares")

	wall := strings.Replace(good, "#o### #", "#o#o# #", 1)
	lab, _, _ = ParseMaze(wall)
	require.ErrorContains(t, VerifyMazeSolution(in, lab, side), "differs from input")

	_, _, err = ParseMaze("#S#x")
	require.ErrorContains(t, err, "invalid character 'x'")
	_, _, err = ParseMaze("###")
	require.ErrorContains(t, err, "not a square")

	require.Equal(t, handMaze, strings.ReplaceAll(MazeString(in, side), "\n", ""))
}

func TestMazeShortestPathCounting(t *testing.T) {
	room := "" +
		"#####" +
		"#S  #" +
		"#   #" +
		"#  G#" +
		"#####"
	in, side, err := ParseMaze(room)
	require.NoError(t, err)
	n, count, err := MazeShortestPath(in, side)
	require.NoError(t, err)
	require.Equal(t, 4, n)
	require.Equal(t, 2, count, "saturated: there are 6 shortest paths")

	// ambiguous mazes are kept only with AllowAmbiguous
	g, _ := NewMazeGenerator(MazeConfig{Cells: 6, Loops: 30, AllowAmbiguous: true, MinPathLen: 10}, 2, 0)
	amb := 0
	for k := 0; k < 40; k++ {
		m, err := g.Generate()
		require.NoError(t, err)
		_, c, _ := MazeShortestPath(m.Input, m.Side)
		if c > 1 {
			amb++
		}
		// the label still marks one valid shortest path
		lenOK, _, _ := MazeShortestPath(m.Input, m.Side)
		require.Equal(t, lenOK, m.PathLen)
	}
	require.Positive(t, amb)
}

func BenchmarkMazeGenerate(b *testing.B) {
	for _, c := range []struct {
		name string
		cfg  MazeConfig
	}{
		{"8x8_default", DefaultMazeConfig()},
		{"14x14_canvas30", MazeConfig{Cells: 14, Loops: 20, MinPathLen: 60, Canvas: 30}},
	} {
		b.Run(c.name, func(b *testing.B) {
			g, _ := NewMazeGenerator(c.cfg, 1, 0)
			for b.Loop() {
				if _, err := g.Generate(); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}
