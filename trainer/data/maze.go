package data

import (
	"errors"
	"fmt"
	"math/rand/v2"
	"strings"
)

// Maze token ids (spec §6.3), vocab_size 6.
const (
	MazePadToken   = 0
	MazeWallToken  = 1 // '#'
	MazeOpenToken  = 2 // ' '
	MazeStartToken = 3 // 'S'
	MazeGoalToken  = 4 // 'G'
	MazePathToken  = 5 // 'o'
	MazeVocab      = 6
)

const mazeChars = "?# SGo"

// MazeConfig configures maze generation.
//
// A maze of N×N cells is drawn on a (2N+1)×(2N+1) character grid: cell
// (r, c) is grid square (2r+1, 2c+1), the squares between two cells are
// walls or passages, and the outer border is wall. S and G are placed on
// any two distinct open squares (cells or passages). The label marks the
// squares strictly between S and G on the shortest path with 'o'; S and G
// keep their own tokens and every other square copies the input. This is
// our reading of spec §6.3 ("labels additionally mark the shortest path
// with o"; all squares are supervised).
type MazeConfig struct {
	Cells int // N, cells per side (default 8 → a 17×17 grid)
	// Loops is the number of extra walls between adjacent cells knocked
	// down after the randomized-DFS carve, creating cycles so that shortest
	// paths are not just tree paths (0 = perfect maze).
	Loops int
	// MinPathLen is the hardness knob: the minimum shortest-path length
	// from S to G, in grid moves. Placements are re-drawn until it is met.
	MinPathLen int
	// Canvas is the side of the square the grid is padded into (top-left
	// aligned, PAD elsewhere, labels IgnoreLabel there); seq_len = Canvas².
	// 0 means no padding (Canvas = 2N+1). Use 30 for the official 900-token
	// format (N ≤ 14).
	Canvas int
	// AllowAmbiguous keeps S/G placements with several shortest paths (the
	// label then marks the first in a fixed neighbour order). By default
	// such placements are rejected, so every label is the unique shortest
	// path and exact accuracy is well defined.
	AllowAmbiguous bool
	// MaxAttempts is the number of mazes tried per Generate (default 64);
	// each maze gets up to 16 start squares.
	MaxAttempts int
}

// DefaultMazeConfig is an 8×8-cell maze (17×17 grid, seq_len 289) with 8
// loops and shortest paths of at least 24 moves.
func DefaultMazeConfig() MazeConfig { return MazeConfig{Cells: 8, Loops: 8, MinPathLen: 24} }

func (c MazeConfig) withDefaults() MazeConfig {
	if c.Cells <= 0 {
		c.Cells = 8
	}
	if c.Canvas <= 0 {
		c.Canvas = 2*c.Cells + 1
	}
	if c.MaxAttempts <= 0 {
		c.MaxAttempts = 64
	}
	return c
}

// Side returns the grid side 2N+1.
func (c MazeConfig) Side() int { return 2*c.withDefaults().Cells + 1 }

// SeqLen returns the example length Canvas² (= (2N+1)² without padding).
func (c MazeConfig) SeqLen() int { d := c.withDefaults(); return d.Canvas * d.Canvas }

// MazeSeqLen returns the unpadded sequence length (2N+1)² of an N×N-cell
// maze, e.g. 289 for N = 8.
func MazeSeqLen(cells int) int { return (2*cells + 1) * (2*cells + 1) }

func (c MazeConfig) validate() error {
	d := c.withDefaults()
	switch {
	case d.Cells < 2 || d.Cells > 127:
		return fmt.Errorf("maze: %d cells per side, want 2..127", d.Cells)
	case d.Canvas < 2*d.Cells+1:
		return fmt.Errorf("maze: canvas %d smaller than the %d×%d grid", d.Canvas, 2*d.Cells+1, 2*d.Cells+1)
	case d.Loops < 0 || d.MinPathLen < 0:
		return errors.New("maze: negative Loops or MinPathLen")
	}
	return nil
}

// Maze is one generated maze. Input and Label hold Side×Side tokens
// (unpadded); Start and Goal are indices into them.
type Maze struct {
	Side        int
	Input       []uint8
	Label       []uint8
	Start, Goal int
	PathLen     int // shortest path length in moves (Label has PathLen-1 'o')
}

// String renders the label grid, one line per row.
func (m *Maze) String() string { return MazeString(m.Label, m.Side) }

// Example pads the maze into a canvas×canvas square (canvas ≥ Side;
// canvas ≤ 0 means Side): Inputs PAD and Labels IgnoreLabel outside the
// grid. PuzzleID is 0 and Key is MazeKey of the input.
func (m *Maze) Example(canvas int) Example {
	if canvas <= 0 {
		canvas = m.Side
	}
	ex := Example{Key: MazeKey(m.Input, m.Side)}
	ex.Inputs, ex.Labels = padSquare(m.Input, m.Label, m.Side, canvas)
	return ex
}

func padSquare(in, lab []uint8, side, canvas int) ([]uint8, []int32) {
	if canvas < side {
		panic(fmt.Sprintf("data: canvas %d smaller than grid %d", canvas, side))
	}
	inputs := make([]uint8, canvas*canvas)
	labels := make([]int32, canvas*canvas)
	for i := range labels {
		labels[i] = IgnoreLabel
	}
	for r := 0; r < side; r++ {
		copy(inputs[r*canvas:r*canvas+side], in[r*side:(r+1)*side])
		for c := 0; c < side; c++ {
			labels[r*canvas+c] = int32(lab[r*side+c])
		}
	}
	return inputs, labels
}

// MazeGenerator draws mazes deterministically from a PCG stream; its state
// serialises with MarshalBinary for checkpoint/resume. Not safe for
// concurrent use.
type MazeGenerator struct {
	cfg MazeConfig
	src *rand.PCG
}

// NewMazeGenerator validates cfg and seeds the generator.
func NewMazeGenerator(cfg MazeConfig, seed, stream uint64) (*MazeGenerator, error) {
	if err := cfg.validate(); err != nil {
		return nil, err
	}
	return &MazeGenerator{cfg: cfg.withDefaults(), src: NewPCG(seed, stream)}, nil
}

// Config returns the configuration with defaults filled in.
func (g *MazeGenerator) Config() MazeConfig { return g.cfg }

// ErrMazeUnreachable is wrapped when MinPathLen (with uniqueness) could
// not be met within MaxAttempts mazes.
var ErrMazeUnreachable = errors.New("maze: minimum path length not met")

// Generate returns a new maze satisfying the configuration.
func (g *MazeGenerator) Generate() (*Maze, error) {
	return generateMaze(g.cfg, g.src)
}

func generateMaze(cfg MazeConfig, r rand.Source) (*Maze, error) {
	side := 2*cfg.Cells + 1
	minLen := max(cfg.MinPathLen, 1)
	open := make([]int, 0, side*side)
	cands := make([]int, 0, side*side)
	var b mazeBFS
	for a := 0; a < cfg.MaxAttempts; a++ {
		grid := carveMaze(cfg.Cells, cfg.Loops, r)
		open = open[:0]
		for i, t := range grid {
			if t == MazeOpenToken {
				open = append(open, i)
			}
		}
		for try := 0; try < 16; try++ {
			s := open[intn(r, len(open))]
			b.run(grid, side, s)
			cands = cands[:0]
			for _, i := range open {
				if int(b.dist[i]) >= minLen && (cfg.AllowAmbiguous || b.count[i] == 1) {
					cands = append(cands, i)
				}
			}
			if len(cands) == 0 {
				continue
			}
			goal := cands[intn(r, len(cands))]
			m := &Maze{Side: side, Input: grid, Start: s, Goal: goal, PathLen: int(b.dist[goal])}
			m.Input[s], m.Input[goal] = MazeStartToken, MazeGoalToken
			m.Label = append([]uint8(nil), m.Input...)
			for cur := b.pred(grid, side, goal); cur != s; cur = b.pred(grid, side, cur) {
				m.Label[cur] = MazePathToken
			}
			return m, nil
		}
	}
	return nil, fmt.Errorf("%w: %d moves on %d×%d cells (loops %d) after %d mazes", ErrMazeUnreachable, cfg.MinPathLen, cfg.Cells, cfg.Cells, cfg.Loops, cfg.MaxAttempts)
}

// carveMaze returns a (2n+1)² grid of wall/open tokens: a randomized
// depth-first-search spanning tree of the n×n cells, plus loops extra
// openings between adjacent cells.
func carveMaze(n, loops int, r rand.Source) []uint8 {
	side := 2*n + 1
	grid := make([]uint8, side*side)
	for i := range grid {
		grid[i] = MazeWallToken
	}
	cellIdx := func(c int) int { return (2*(c/n)+1)*side + 2*(c%n) + 1 }
	visited := make([]bool, n*n)
	stack := make([]int, 0, n*n)
	start := intn(r, n*n)
	visited[start] = true
	grid[cellIdx(start)] = MazeOpenToken
	stack = append(stack, start)
	var nb [4]int
	for len(stack) > 0 {
		c := stack[len(stack)-1]
		cr, cc := c/n, c%n
		k := 0
		if cr > 0 && !visited[c-n] {
			nb[k] = c - n
			k++
		}
		if cr < n-1 && !visited[c+n] {
			nb[k] = c + n
			k++
		}
		if cc > 0 && !visited[c-1] {
			nb[k] = c - 1
			k++
		}
		if cc < n-1 && !visited[c+1] {
			nb[k] = c + 1
			k++
		}
		if k == 0 {
			stack = stack[:len(stack)-1]
			continue
		}
		nx := nb[intn(r, k)]
		visited[nx] = true
		a, b := cellIdx(c), cellIdx(nx)
		grid[(a+b)/2] = MazeOpenToken // the wall square between them
		grid[b] = MazeOpenToken
		stack = append(stack, nx)
	}
	if loops > 0 {
		var walls []int
		for rr := 0; rr < n; rr++ {
			for cc := 0; cc < n; cc++ {
				if cc < n-1 {
					if i := (2*rr+1)*side + 2*cc + 2; grid[i] == MazeWallToken {
						walls = append(walls, i)
					}
				}
				if rr < n-1 {
					if i := (2*rr+2)*side + 2*cc + 1; grid[i] == MazeWallToken {
						walls = append(walls, i)
					}
				}
			}
		}
		shuffleInts(r, walls)
		for _, i := range walls[:min(loops, len(walls))] {
			grid[i] = MazeOpenToken
		}
	}
	return grid
}

// mazeBFS holds BFS distances and shortest-path counts (saturating at 2).
type mazeBFS struct {
	dist  []int32
	count []uint8
	queue []int32
}

func mazePassable(t uint8) bool {
	return t == MazeOpenToken || t == MazeStartToken || t == MazeGoalToken || t == MazePathToken
}

func (b *mazeBFS) run(grid []uint8, side, start int) {
	n := side * side
	if cap(b.dist) < n {
		b.dist, b.count, b.queue = make([]int32, n), make([]uint8, n), make([]int32, 0, n)
	}
	b.dist, b.count, b.queue = b.dist[:n], b.count[:n], b.queue[:0]
	for i := range b.dist {
		b.dist[i], b.count[i] = -1, 0
	}
	b.dist[start], b.count[start] = 0, 1
	b.queue = append(b.queue, int32(start))
	for h := 0; h < len(b.queue); h++ {
		u := int(b.queue[h])
		r, c := u/side, u%side
		for k := 0; k < 4; k++ {
			v := -1
			switch {
			case k == 0 && r > 0:
				v = u - side
			case k == 1 && r < side-1:
				v = u + side
			case k == 2 && c > 0:
				v = u - 1
			case k == 3 && c < side-1:
				v = u + 1
			}
			if v < 0 || !mazePassable(grid[v]) {
				continue
			}
			switch b.dist[v] {
			case -1:
				b.dist[v], b.count[v] = b.dist[u]+1, b.count[u]
				b.queue = append(b.queue, int32(v))
			case b.dist[u] + 1:
				b.count[v] = min(2, b.count[v]+b.count[u])
			}
		}
	}
}

// pred returns the first neighbour of u (up, down, left, right) one step
// closer to the BFS start.
func (b *mazeBFS) pred(grid []uint8, side, u int) int {
	r, c := u/side, u%side
	for _, v := range [4]int{u - side, u + side, u - 1, u + 1} {
		if v < 0 || v >= len(grid) || (v == u-1 && c == 0) || (v == u+1 && c == side-1) || (v == u-side && r == 0) {
			continue
		}
		if b.dist[v] == b.dist[u]-1 && b.dist[v] >= 0 {
			return v
		}
	}
	panic("data: maze BFS predecessor missing")
}

// MazeShortestPath returns the BFS distance from S to G of an input grid
// (walls '#' block; open, S, G and 'o' squares pass) and the number of
// distinct shortest paths, saturated at 2.
func MazeShortestPath(input []uint8, side int) (length, count int, err error) {
	s, g, err := mazeEnds(input, side)
	if err != nil {
		return 0, 0, err
	}
	var b mazeBFS
	b.run(input, side, s)
	if b.dist[g] < 0 {
		return 0, 0, errors.New("maze: G is unreachable from S")
	}
	return int(b.dist[g]), int(b.count[g]), nil
}

func mazeEnds(input []uint8, side int) (s, g int, err error) {
	if side <= 0 || len(input) != side*side {
		return 0, 0, fmt.Errorf("maze: %d tokens for side %d", len(input), side)
	}
	s, g = -1, -1
	for i, t := range input {
		switch t {
		case MazeStartToken:
			if s >= 0 {
				return 0, 0, fmt.Errorf("maze: second S at (%d,%d)", i/side, i%side)
			}
			s = i
		case MazeGoalToken:
			if g >= 0 {
				return 0, 0, fmt.Errorf("maze: second G at (%d,%d)", i/side, i%side)
			}
			g = i
		case MazeWallToken, MazeOpenToken, MazePathToken:
		default:
			return 0, 0, fmt.Errorf("maze: token %d at (%d,%d)", t, i/side, i%side)
		}
	}
	if s < 0 || g < 0 {
		return 0, 0, errors.New("maze: missing S or G")
	}
	return s, g, nil
}

// VerifyMazeSolution checks that label is input with a shortest S→G path
// marked: label differs from input only where an open square became 'o';
// the 'o' squares form one contiguous, non-branching chain from S to G
// that avoids walls; and its length equals the BFS distance.
func VerifyMazeSolution(input, label []uint8, side int) error {
	s, g, err := mazeEnds(input, side)
	if err != nil {
		return err
	}
	if len(label) != len(input) {
		return fmt.Errorf("maze: label has %d tokens, input %d", len(label), len(input))
	}
	nPath := 0
	for i := range input {
		in, lb := input[i], label[i]
		switch {
		case in == MazePathToken:
			return fmt.Errorf("maze: input has 'o' at (%d,%d)", i/side, i%side)
		case lb == MazePathToken && in == MazeOpenToken:
			nPath++
		case lb != in:
			return fmt.Errorf("maze: label %q differs from input %q at (%d,%d)", mazeChars[min(int(lb), 5)], mazeChars[min(int(in), 5)], i/side, i%side)
		}
	}
	visited := make([]bool, len(label))
	cur, steps := s, 0
	visited[s] = true
	for cur != g {
		r, c := cur/side, cur%side
		next, n := -1, 0
		for _, v := range [4]int{cur - side, cur + side, cur - 1, cur + 1} {
			if v < 0 || v >= len(label) || (v == cur-1 && c == 0) || (v == cur+1 && c == side-1) || visited[v] {
				continue
			}
			if label[v] == MazePathToken || label[v] == MazeGoalToken {
				next = v
				n++
			}
		}
		if n == 0 {
			return fmt.Errorf("maze: path breaks off at (%d,%d) after %d moves", r, c, steps)
		}
		if n > 1 {
			return fmt.Errorf("maze: path branches at (%d,%d)", r, c)
		}
		visited[next] = true
		cur = next
		steps++
	}
	if steps-1 != nPath {
		return fmt.Errorf("maze: %d 'o' squares but the S→G chain uses %d", nPath, steps-1)
	}
	want, _, err := MazeShortestPath(input, side)
	if err != nil {
		return err
	}
	if steps != want {
		return fmt.Errorf("maze: marked path has %d moves, shortest is %d", steps, want)
	}
	return nil
}

// MazeKey is the canonical key of a maze input under the 8 dihedral
// transforms (a hash of the least of the 8 transformed grids), so every
// augmented copy of a maze has its key.
func MazeKey(input []uint8, side int) uint64 {
	best := input
	for t := 1; t < NumDihedral; t++ {
		x, _, _ := Dihedral(t, input, side, side)
		if string(x) < string(best) {
			best = x
		}
	}
	return hashBytes(0x3a2e, best)
}

// MazeString renders tokens as text rows ("# SGo", '?' for PAD or an
// unknown token) separated by newlines.
func MazeString(toks []uint8, side int) string {
	var sb strings.Builder
	for i, t := range toks {
		if i > 0 && i%side == 0 {
			sb.WriteByte('\n')
		}
		if int(t) < len(mazeChars) {
			sb.WriteByte(mazeChars[t])
		} else {
			sb.WriteByte('?')
		}
	}
	return sb.String()
}

// ParseMaze parses a square maze in text form ('#', ' ', 'S', 'G', 'o';
// newlines are ignored, so both the one-line CSV form of the HF data and
// MazeString output are accepted) into tokens and the side length.
func ParseMaze(s string) ([]uint8, int, error) {
	s = strings.ReplaceAll(s, "\n", "")
	side := 0
	for side*side < len(s) {
		side++
	}
	if side*side != len(s) || side == 0 {
		return nil, 0, fmt.Errorf("maze: %d characters is not a square grid", len(s))
	}
	toks := make([]uint8, len(s))
	for i := 0; i < len(s); i++ {
		k := strings.IndexByte(mazeChars[1:], s[i])
		if k < 0 {
			return nil, 0, fmt.Errorf("maze: position %d (row %d, column %d): invalid character %q", i, i/side, i%side, s[i])
		}
		toks[i] = uint8(k + 1)
	}
	return toks, side, nil
}

// MazeAugmenter returns an Augmenter applying a random dihedral transform
// (one of 8) to maze Examples whose side×side grid sits top-left in a
// canvas×canvas square (as Maze.Example produces).
func MazeAugmenter(side, canvas int) Augmenter {
	return func(ex Example, r rand.Source) Example {
		t := intn(r, NumDihedral)
		if canvas*canvas != len(ex.Inputs) || len(ex.Labels) != len(ex.Inputs) || t == 0 {
			return ex
		}
		in := make([]uint8, side*side)
		lab := make([]uint8, side*side)
		for rr := 0; rr < side; rr++ {
			copy(in[rr*side:(rr+1)*side], ex.Inputs[rr*canvas:rr*canvas+side])
			for c := 0; c < side; c++ {
				lab[rr*side+c] = uint8(ex.Labels[rr*canvas+c])
			}
		}
		in, _, _ = Dihedral(t, in, side, side)
		lab, _, _ = Dihedral(t, lab, side, side)
		out := ex
		out.Inputs, out.Labels = padSquare(in, lab, side, canvas)
		return out
	}
}

const mazeGenMagic = "HRMMZG1\x00"

// MarshalBinary serialises the generator's PCG state (the configuration is
// not included; restore into a generator built with the same MazeConfig).
func (g *MazeGenerator) MarshalBinary() ([]byte, error) {
	st, err := g.src.MarshalBinary()
	if err != nil {
		return nil, err
	}
	return append([]byte(mazeGenMagic), st...), nil
}

// UnmarshalBinary restores a state written by MarshalBinary.
func (g *MazeGenerator) UnmarshalBinary(b []byte) error {
	if len(b) < len(mazeGenMagic) || string(b[:len(mazeGenMagic)]) != mazeGenMagic {
		return errors.New("maze: generator state: bad header")
	}
	src := new(rand.PCG)
	if err := src.UnmarshalBinary(b[len(mazeGenMagic):]); err != nil {
		return fmt.Errorf("maze: generator state: %w", err)
	}
	g.src = src
	return nil
}

// MazeDatasetConfig configures BuildMazeDataset.
type MazeDatasetConfig struct {
	Maze        MazeConfig
	Train, Test int    // distinct mazes per split
	AugPerMaze  int    // dihedral copies stored after each train maze (0 = none / on the fly)
	Seed        uint64 // everything is derived from it
	MaxRejects  int    // per split (default 1000 + 10·count)
}

// BuildMazeDataset builds the test split first from its own stream and then
// a train split from another stream, rejecting duplicates and any train
// maze whose dihedral canonical key (MazeKey) is a test key: no train maze
// is a rotation or reflection of a test maze (the test split is never
// augmented, as in spec §6.3).
func BuildMazeDataset(cfg MazeDatasetConfig) (*Dataset, error) {
	if err := cfg.Maze.validate(); err != nil {
		return nil, err
	}
	mc := cfg.Maze.withDefaults()
	ds := &Dataset{SeqLen: mc.Canvas * mc.Canvas, Vocab: MazeVocab}
	gen := func(stream uint64, n int, exclude KeySet, split string) ([]Example, KeySet, error) {
		g, _ := NewMazeGenerator(mc, cfg.Seed, stream)
		seen := KeySet{}
		out := make([]Example, 0, n)
		maxRej := cfg.MaxRejects
		if maxRej <= 0 {
			maxRej = 1000 + 10*n
		}
		rej := 0
		for len(out) < n {
			m, err := g.Generate()
			if err != nil {
				return nil, nil, fmt.Errorf("%s split: %w", split, err)
			}
			ex := m.Example(mc.Canvas)
			if seen.Has(ex.Key) || (exclude != nil && exclude.Has(ex.Key)) {
				if rej++; rej > maxRej {
					return nil, nil, fmt.Errorf("maze %s split: %d candidates rejected as duplicates (have %d of %d)", split, rej, len(out), n)
				}
				continue
			}
			seen.Add(ex.Key)
			out = append(out, ex)
		}
		return out, seen, nil
	}
	var err error
	if ds.Test, ds.TestKeys, err = gen(streamTest, cfg.Test, nil, "test"); err != nil {
		return nil, err
	}
	base, _, err := gen(streamTrain, cfg.Train, ds.TestKeys, "train")
	if err != nil {
		return nil, err
	}
	aug := MazeAugmenter(2*mc.Cells+1, mc.Canvas)
	augSrc := NewPCG(cfg.Seed, streamAug)
	for _, ex := range base {
		ds.Train = append(ds.Train, ex)
		for k := 0; k < cfg.AugPerMaze; k++ {
			ds.Train = append(ds.Train, aug(ex, augSrc))
		}
	}
	return ds, nil
}
