package data

import (
	"strings"
	"testing"

	"github.com/stretchr/testify/require"
)

// mazeGraph counts the passable squares of a grid and their adjacencies
// and reports whether they are all connected.
func mazeGraph(grid []uint8, side int) (squares, edges int, connected bool) {
	first := -1
	var nb [4]int
	for u, t := range grid {
		if !mazePassable(t) {
			continue
		}
		squares++
		if first < 0 {
			first = u
		}
		for _, v := range nb[:mazeNeighbours(u, side, &nb)] {
			if v > u && mazePassable(grid[v]) {
				edges++
			}
		}
	}
	var b mazeBFS
	b.run(grid, side, first)
	reached := 0
	for _, d := range b.dist {
		if d >= 0 {
			reached++
		}
	}
	return squares, edges, reached == squares
}

// openBlock returns the top-left square of a 2×2 block of passable
// squares, or -1.
func openBlock(grid []uint8, side int) int {
	for r := 0; r < side-1; r++ {
		for c := 0; c < side-1; c++ {
			i := r*side + c
			if mazePassable(grid[i]) && mazePassable(grid[i+1]) && mazePassable(grid[i+side]) && mazePassable(grid[i+side+1]) {
				return i
			}
		}
	}
	return -1
}

func TestMazeGenerateValid(t *testing.T) {
	for _, cfg := range []MazeConfig{
		DefaultMazeConfig(),
		{Cells: 4},
		{Cells: 5},
		{Cells: 6, Loops: 3, MinPathLen: 9},
		{Cells: 12, Loops: 4, MinPathLen: 28, Canvas: 16},
		{Cells: 30, Loops: 12, MinPathLen: 100, Canvas: 30},
	} {
		side := cfg.Side()
		for seed := uint64(0); seed < 8; seed++ {
			g, err := NewMazeGenerator(cfg, seed, 0)
			require.NoError(t, err)
			require.Equal(t, g.Config().Cells, side)
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

				nPath := 0
				for _, tok := range m.Label {
					if tok == MazePathToken {
						nPath++
					}
				}
				require.Equal(t, m.PathLen-1, nPath)
				squares, edges, connected := mazeGraph(m.Input, side)
				require.True(t, connected, "\n%s", m)
				require.GreaterOrEqual(t, edges-squares+1, cfg.Loops, "every loop closes a cycle\n%s", m)

				ex := m.Example(g.Config().Canvas)
				require.Len(t, ex.Inputs, cfg.SeqLen())
				require.Len(t, ex.Labels, cfg.SeqLen())
				require.Equal(t, MazeKey(m.Input, side), ex.Key)
			}
		}
	}
	require.Equal(t, 64, MazeSeqLen(8))
	require.Equal(t, 64, DefaultMazeConfig().SeqLen())
	require.Equal(t, 8, DefaultMazeConfig().Side())
	require.Equal(t, 900, MazeConfig{Cells: 30}.SeqLen())
	require.Equal(t, 900, MazeConfig{Cells: 12, Canvas: 30}.SeqLen())
}

// Without loops the carve leaves the open squares a tree (one adjacency
// fewer than squares, all connected) that cannot be grown: no wall square
// touches exactly one open square.
func TestMazeCarveTree(t *testing.T) {
	for _, cells := range []int{4, 5, 8, 13, 30} {
		minLen := 2 * cells
		for seed := uint64(0); seed < 20; seed++ {
			g, err := NewMazeGenerator(MazeConfig{Cells: cells, MinPathLen: minLen}, seed, 3)
			require.NoError(t, err)
			m, err := g.Generate()
			require.NoError(t, err)
			require.GreaterOrEqual(t, m.PathLen, minLen)
			require.NoError(t, VerifyMazeSolution(m.Input, m.Label, cells))
			squares, edges, connected := mazeGraph(m.Input, cells)
			require.True(t, connected, "\n%s", m)
			require.Equal(t, squares-1, edges, "open squares form a tree\n%s", m)
			for i, tok := range m.Input {
				if tok != MazeWallToken {
					continue
				}
				var nb [4]int
				open := 0
				for _, v := range nb[:mazeNeighbours(i, cells, &nb)] {
					if mazePassable(m.Input[v]) {
						open++
					}
				}
				require.NotEqual(t, 1, open, "wall (%d,%d) could still be carved\n%s", i/cells, i%cells, m)
			}
		}
	}
}

// On a large grid there are enough openings that do not complete a 2×2
// room, and they are the ones taken.
func TestMazeLoopsAvoidRooms(t *testing.T) {
	g, err := NewMazeGenerator(MazeConfig{Cells: 30, Loops: 12}, 6, 0)
	require.NoError(t, err)
	for k := 0; k < 20; k++ {
		m, err := g.Generate()
		require.NoError(t, err)
		squares, edges, _ := mazeGraph(m.Input, m.Side)
		require.GreaterOrEqual(t, edges-squares+1, 12)
		require.Equal(t, -1, openBlock(m.Input, m.Side), "\n%s", m)
	}
}

func TestMazeExamplePadding(t *testing.T) {
	g, _ := NewMazeGenerator(MazeConfig{Cells: 5, Canvas: 12}, 1, 0)
	m, err := g.Generate()
	require.NoError(t, err)
	ex := m.Example(12)
	for i := range ex.Inputs {
		r, c := i/12, i%12
		if r < 5 && c < 5 {
			require.Equal(t, m.Input[r*5+c], ex.Inputs[i])
			require.Equal(t, int32(m.Label[r*5+c]), ex.Labels[i])
		} else {
			require.Equal(t, uint8(MazePadToken), ex.Inputs[i])
			require.Equal(t, IgnoreLabel, ex.Labels[i])
		}
	}
}

func TestMazeUnreachableAndConfigErrors(t *testing.T) {
	g, err := NewMazeGenerator(MazeConfig{Cells: 4, MinPathLen: 17, MaxAttempts: 2}, 1, 0)
	require.NoError(t, err)
	_, err = g.Generate()
	require.ErrorIs(t, err, ErrMazeUnreachable)
	require.ErrorContains(t, err, "17 moves on a 4×4 grid")
	for _, tc := range []struct {
		cfg  MazeConfig
		want string
	}{
		{MazeConfig{Cells: 8, Canvas: 7}, "canvas 7 smaller than the 8×8 grid"},
		{MazeConfig{Cells: 3}, "grid side 3, want 4..30"},
		{MazeConfig{Cells: 31, Canvas: 31}, "grid side 31, want 4..30"},
		{MazeConfig{Cells: -8}, "grid side -8"},
		{MazeConfig{Cells: 4, Loops: -1}, "negative Loops"},
		{MazeConfig{Cells: 4, MinPathLen: -1}, "negative Loops or MinPathLen"},
	} {
		_, err = NewMazeGenerator(tc.cfg, 1, 0)
		require.ErrorContains(t, err, tc.want, "%+v", tc.cfg)
	}
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
	g, _ := NewMazeGenerator(MazeConfig{Cells: 7, Loops: 3, MinPathLen: 12, Canvas: 10}, 8, 0)
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

	aug := MazeAugmenter(m.Side, 10)
	ex := m.Example(10)
	r := NewPCG(0, 0)
	for k := 0; k < 16; k++ {
		out := aug(ex, r)
		require.Equal(t, ex.Key, out.Key)
		in := make([]uint8, m.Side*m.Side)
		lab := make([]uint8, m.Side*m.Side)
		for i := range out.Inputs {
			rr, c := i/10, i%10
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
	g, _ := NewMazeGenerator(MazeConfig{Cells: 8, Loops: 12, AllowAmbiguous: true, MinPathLen: 10}, 2, 0)
	amb := 0
	for k := 0; k < 40; k++ {
		m, err := g.Generate()
		require.NoError(t, err)
		_, c, _ := MazeShortestPath(m.Input, m.Side)
		if c > 1 {
			amb++
		}
		require.NoError(t, VerifyMazeSolution(m.Input, m.Label, m.Side), "the label marks one of the shortest paths")
	}
	require.Positive(t, amb)
}

func BenchmarkMazeGenerate(b *testing.B) {
	for _, c := range []struct {
		name string
		cfg  MazeConfig
	}{
		{"8x8_default", DefaultMazeConfig()},
		{"30x30", MazeConfig{Cells: 30, Loops: 12, MinPathLen: 100}},
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
