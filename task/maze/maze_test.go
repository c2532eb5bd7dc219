package maze

import (
	"strings"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/hrmgo/hrm/task"
)

// mazeGraph counts the passable squares of a grid and their adjacencies
// and reports whether they are all connected.
func mazeGraph(grid []uint8, side int) (squares, edges int, connected bool) {
	first := -1
	var nb [4]int
	for u, t := range grid {
		if !passable(t) {
			continue
		}
		squares++
		if first < 0 {
			first = u
		}
		for _, v := range nb[:neighbours(u, side, &nb)] {
			if v > u && passable(grid[v]) {
				edges++
			}
		}
	}
	var b bfs
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
			if passable(grid[i]) && passable(grid[i+1]) && passable(grid[i+side]) && passable(grid[i+side+1]) {
				return i
			}
		}
	}
	return -1
}

func TestMazeGenerateValid(t *testing.T) {
	for _, cfg := range []Config{
		DefaultConfig(),
		{Cells: 4},
		{Cells: 5},
		{Cells: 6, Loops: 3, MinPathLen: 9},
		{Cells: 12, Loops: 4, MinPathLen: 28, Canvas: 16},
		{Cells: 30, Loops: 12, MinPathLen: 100, Canvas: 30},
	} {
		side := cfg.Side()
		for seed := uint64(0); seed < 8; seed++ {
			g, err := NewGenerator(cfg, seed, 0)
			require.NoError(t, err)
			require.Equal(t, g.Config().Cells, side)
			for k := 0; k < 10; k++ {
				m, err := g.Generate()
				require.NoError(t, err)
				require.Equal(t, side, m.Side)
				require.Len(t, m.Input, side*side)
				require.NoError(t, Verify(m.Input, m.Label, side), "\n%s", m)

				n, count, err := ShortestPath(m.Input, side)
				require.NoError(t, err)
				require.Equal(t, m.PathLen, n)
				require.Equal(t, 1, count, "unique shortest path")
				require.GreaterOrEqual(t, m.PathLen, max(cfg.MinPathLen, 1))
				require.Equal(t, uint8(StartToken), m.Input[m.Start])
				require.Equal(t, uint8(GoalToken), m.Input[m.Goal])

				nPath := 0
				for _, tok := range m.Label {
					if tok == PathToken {
						nPath++
					}
				}
				require.Equal(t, m.PathLen-1, nPath)
				squares, edges, connected := mazeGraph(m.Input, side)
				require.True(t, connected, "\n%s", m)
				require.GreaterOrEqual(t, edges-squares+1, cfg.Loops, "every loop closes a cycle\n%s", m)

			}
		}
	}
	require.Equal(t, 64, SeqLen(8))
	require.Equal(t, 64, DefaultConfig().SeqLen())
	require.Equal(t, 8, DefaultConfig().Side())
	require.Equal(t, 900, Config{Cells: 30}.SeqLen())
	require.Equal(t, 900, Config{Cells: 12, Canvas: 30}.SeqLen())
}

// Without loops the carve leaves the open squares a tree (one adjacency
// fewer than squares, all connected) that cannot be grown: no wall square
// touches exactly one open square.
func TestMazeCarveTree(t *testing.T) {
	for _, cells := range []int{4, 5, 8, 13, 30} {
		minLen := 2 * cells
		for seed := uint64(0); seed < 20; seed++ {
			g, err := NewGenerator(Config{Cells: cells, MinPathLen: minLen}, seed, 3)
			require.NoError(t, err)
			m, err := g.Generate()
			require.NoError(t, err)
			require.GreaterOrEqual(t, m.PathLen, minLen)
			require.NoError(t, Verify(m.Input, m.Label, cells))
			squares, edges, connected := mazeGraph(m.Input, cells)
			require.True(t, connected, "\n%s", m)
			require.Equal(t, squares-1, edges, "open squares form a tree\n%s", m)
			for i, tok := range m.Input {
				if tok != WallToken {
					continue
				}
				var nb [4]int
				open := 0
				for _, v := range nb[:neighbours(i, cells, &nb)] {
					if passable(m.Input[v]) {
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
	g, err := NewGenerator(Config{Cells: 30, Loops: 12}, 6, 0)
	require.NoError(t, err)
	for k := 0; k < 20; k++ {
		m, err := g.Generate()
		require.NoError(t, err)
		squares, edges, _ := mazeGraph(m.Input, m.Side)
		require.GreaterOrEqual(t, edges-squares+1, 12)
		require.Equal(t, -1, openBlock(m.Input, m.Side), "\n%s", m)
	}
}

func TestMazeUnreachableAndConfigErrors(t *testing.T) {
	g, err := NewGenerator(Config{Cells: 4, MinPathLen: 17, MaxAttempts: 2}, 1, 0)
	require.NoError(t, err)
	_, err = g.Generate()
	require.ErrorIs(t, err, ErrUnreachable)
	require.ErrorContains(t, err, "17 moves on a 4×4 grid")
	for _, tc := range []struct {
		cfg  Config
		want string
	}{
		{Config{Cells: 8, Canvas: 7}, "canvas 7 smaller than the 8×8 grid"},
		{Config{Cells: 3}, "grid side 3, want 4..30"},
		{Config{Cells: 31, Canvas: 31}, "grid side 31, want 4..30"},
		{Config{Cells: -8}, "grid side -8"},
		{Config{Cells: 4, Loops: -1}, "negative Loops"},
		{Config{Cells: 4, MinPathLen: -1}, "negative Loops or MinPathLen"},
	} {
		_, err = NewGenerator(tc.cfg, 1, 0)
		require.ErrorContains(t, err, tc.want, "%+v", tc.cfg)
	}
}

func TestMazeDeterministicAndResumable(t *testing.T) {
	cfg := DefaultConfig()
	a, _ := NewGenerator(cfg, 5, 1)
	b, _ := NewGenerator(cfg, 5, 1)
	ma, _ := a.Generate()
	mb, _ := b.Generate()
	require.Equal(t, ma, mb)
	st, err := a.MarshalBinary()
	require.NoError(t, err)
	want, _ := a.Generate()
	var r Generator
	r.cfg = cfg.WithDefaults()
	require.NoError(t, r.UnmarshalBinary(st))
	got, err := r.Generate()
	require.NoError(t, err)
	require.Equal(t, want, got)
	require.Error(t, r.UnmarshalBinary([]byte("nope")))
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
	in, side, err := Parse(handMaze)
	require.NoError(t, err)
	require.Equal(t, 7, side)
	n, count, err := ShortestPath(in, side)
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
	lab, _, err := Parse(good)
	require.NoError(t, err)
	require.NoError(t, Verify(in, lab, side))

	long := "" + // a valid path but not a shortest one
		"#######" +
		"#Soooo#" +
		"# ###o#" +
		"# #ooo#" +
		"# #o###" +
		"#  ooG#" +
		"#######"
	lab, _, _ = Parse(long)
	require.ErrorContains(t, Verify(in, lab, side), "marked path has 12 moves, shortest is 8")

	broken := strings.Replace(good, "#o# ###", "# # ###", 1)
	lab, _, _ = Parse(broken)
	require.ErrorContains(t, Verify(in, lab, side), "breaks off")

	stray := strings.Replace(good, "#S    #", "#S  o #", 1)
	lab, _, _ = Parse(stray)
	require.ErrorContains(t, Verify(in, lab, side), "'o' squares")

	wall := strings.Replace(good, "#o### #", "#o#o# #", 1)
	lab, _, _ = Parse(wall)
	require.ErrorContains(t, Verify(in, lab, side), "differs from input")

	_, _, err = Parse("#S#x")
	require.ErrorContains(t, err, "invalid character 'x'")
	_, _, err = Parse("###")
	require.ErrorContains(t, err, "not a square")

	require.Equal(t, handMaze, strings.ReplaceAll(String(in, side), "\n", ""))
}

func TestMazeShortestPathCounting(t *testing.T) {
	room := "" +
		"#####" +
		"#S  #" +
		"#   #" +
		"#  G#" +
		"#####"
	in, side, err := Parse(room)
	require.NoError(t, err)
	n, count, err := ShortestPath(in, side)
	require.NoError(t, err)
	require.Equal(t, 4, n)
	require.Equal(t, 2, count, "saturated: there are 6 shortest paths")

	// ambiguous mazes are kept only with AllowAmbiguous
	g, _ := NewGenerator(Config{Cells: 8, Loops: 12, AllowAmbiguous: true, MinPathLen: 10}, 2, 0)
	amb := 0
	for k := 0; k < 40; k++ {
		m, err := g.Generate()
		require.NoError(t, err)
		_, c, _ := ShortestPath(m.Input, m.Side)
		if c > 1 {
			amb++
		}
		require.NoError(t, Verify(m.Input, m.Label, m.Side), "the label marks one of the shortest paths")
	}
	require.Positive(t, amb)
}

func BenchmarkMazeGenerate(b *testing.B) {
	for _, c := range []struct {
		name string
		cfg  Config
	}{
		{"8x8_default", DefaultConfig()},
		{"30x30", Config{Cells: 30, Loops: 12, MinPathLen: 100}},
	} {
		b.Run(c.name, func(b *testing.B) {
			g, _ := NewGenerator(c.cfg, 1, 0)
			for b.Loop() {
				if _, err := g.Generate(); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}

func TestMazeDihedralInvariance(t *testing.T) {
	g, _ := NewGenerator(Config{Cells: 7, Loops: 3, MinPathLen: 12}, 8, 0)
	m, err := g.Generate()
	require.NoError(t, err)
	key := Key(m.Input, m.Side)
	seen := map[string]bool{}
	for tr := 0; tr < task.NumDihedral; tr++ {
		in, h, w := task.Dihedral(tr, m.Input, m.Side, m.Side)
		lab, _, _ := task.Dihedral(tr, m.Label, m.Side, m.Side)
		require.Equal(t, m.Side, h)
		require.Equal(t, m.Side, w)
		require.NoError(t, Verify(in, lab, m.Side))
		require.Equal(t, key, Key(in, m.Side), "key is dihedral-invariant")
		seen[string(in)] = true
		// start moves where task.DihedralPos says
		sr, sc := task.DihedralPos(tr, m.Start/m.Side, m.Start%m.Side, m.Side, m.Side)
		require.Equal(t, uint8(StartToken), in[sr*m.Side+sc])
	}
	require.Len(t, seen, 8, "a random maze has no symmetry")
}

// The tools' maze of an unknown model is always reachable.
func TestConfigFor(t *testing.T) {
	require.Equal(t, DefaultConfig(), ConfigFor(8))
	for _, side := range []int{MinCells, 5, 6, 12, 20, MaxCells} {
		g, err := NewGenerator(ConfigFor(side), 1, 0)
		require.NoError(t, err)
		for range 20 {
			m, err := g.Generate()
			require.NoError(t, err, "side %d", side)
			require.GreaterOrEqual(t, m.PathLen, side)
		}
	}
}
