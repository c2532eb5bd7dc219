package maze

import (
	"errors"
	"fmt"
	"math/rand/v2"
	"strings"

	"github.com/hrmgo/hrm/task"
)

// Maze token ids (spec §6.3), vocab_size 6.
const (
	PadToken   = 0
	WallToken  = 1 // '#'
	OpenToken  = 2 // ' '
	StartToken = 3 // 'S'
	GoalToken  = 4 // 'G'
	PathToken  = 5 // 'o'
	Vocab      = 6
)

const chars = "?# SGo"

// Config configures maze generation.
//
// A maze is an N×N grid of squares, each wall '#' or open ' ', one token per
// square: the layout of the official "Maze 30x30" data, whose 900 cells are
// all tokens. There is no drawn border; the grid edge bounds the maze. S and
// G sit on two distinct open squares. The label marks the squares strictly
// between S and G on the shortest path with 'o'; S and G keep their own
// tokens and every other square copies the input. This is our reading of
// spec §6.3 ("labels additionally mark the shortest path with o"; all
// squares are supervised).
type Config struct {
	Cells int // N, the grid side: N² squares (default 8 → seq_len 64)
	// Loops is the number of extra wall squares opened after the
	// randomized depth-first carve, each touching at least two open
	// squares, so that shortest paths are not just tree paths (0 = the open
	// squares form a tree). Openings that would complete a 2×2 room are
	// used only when no other is left.
	Loops int
	// MinPathLen is the hardness knob: the minimum shortest-path length
	// from S to G, in moves. Placements are re-drawn until it is met.
	MinPathLen int
	// Canvas is the side of the square the grid is padded into (top-left
	// aligned, PAD elsewhere, labels IgnoreLabel there); seq_len = Canvas².
	// 0 means no padding (Canvas = N). Use 30 for the official 900-token
	// format.
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

// Grid sides outside this range are rejected: below 4 the carve has no
// room for a path worth solving, and 30 is the official canvas.
const (
	MinCells = 4
	MaxCells = 30
)

// DefaultConfig is an 8×8 maze (seq_len 64) with 3 loops and shortest
// paths of at least 17 moves. With 3 loops the longest unique shortest path
// of an 8×8 maze has median 16 and 90th percentile 20, so 17 is about the
// 70th percentile: paths are long, yet Generate needs only a few mazes
// (about 70 µs) and never ran out of attempts in 500,000 draws.
func DefaultConfig() Config { return Config{Cells: 8, Loops: 3, MinPathLen: 17} }

// ConfigFor is the maze of a model's side that tools generate when they
// do not know the model's training configuration: DefaultConfig for 8×8,
// else paths of at least side moves (about the median of the longest
// shortest path at 6×6, an easy minimum at 30×30), always reachable.
func ConfigFor(side int) Config {
	c := DefaultConfig()
	if side != c.Cells {
		c.Cells, c.MinPathLen = side, side
	}
	return c
}

func (c Config) WithDefaults() Config {
	if c.Cells == 0 {
		c.Cells = 8
	}
	if c.Canvas <= 0 {
		c.Canvas = c.Cells
	}
	if c.MaxAttempts <= 0 {
		c.MaxAttempts = 64
	}
	return c
}

// Side returns the grid side N.
func (c Config) Side() int { return c.WithDefaults().Cells }

// SeqLen returns the example length Canvas² (= N² without padding).
func (c Config) SeqLen() int { d := c.WithDefaults(); return d.Canvas * d.Canvas }

// SeqLen returns the unpadded sequence length N² of an N×N maze, e.g.
// 64 for N = 8.
func SeqLen(cells int) int { return cells * cells }

func (c Config) Validate() error {
	d := c.WithDefaults()
	switch {
	case d.Cells < MinCells || d.Cells > MaxCells:
		return fmt.Errorf("maze: grid side %d, want %d..%d squares", d.Cells, MinCells, MaxCells)
	case d.Canvas < d.Cells:
		return fmt.Errorf("maze: canvas %d smaller than the %d×%d grid", d.Canvas, d.Cells, d.Cells)
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
func (m *Maze) String() string { return String(m.Label, m.Side) }

// Generator draws mazes deterministically from a PCG stream; its state
// serialises with MarshalBinary for checkpoint/resume. Not safe for
// concurrent use.
type Generator struct {
	cfg Config
	src *rand.PCG
}

// NewGenerator validates cfg and seeds the generator.
func NewGenerator(cfg Config, seed, stream uint64) (*Generator, error) {
	if err := cfg.Validate(); err != nil {
		return nil, err
	}
	return &Generator{cfg: cfg.WithDefaults(), src: task.NewPCG(seed, stream)}, nil
}

// Config returns the configuration with defaults filled in.
func (g *Generator) Config() Config { return g.cfg }

// ErrUnreachable is wrapped when MinPathLen (with uniqueness) could
// not be met within MaxAttempts mazes.
var ErrUnreachable = errors.New("maze: minimum path length not met")

// Generate returns a new maze satisfying the configuration.
func (g *Generator) Generate() (*Maze, error) {
	return generate(g.cfg, g.src)
}

// Generate draws one maze from r, as a Generator does from its own
// stream: for sources that derive a generator per position.
func Generate(cfg Config, r rand.Source) (*Maze, error) {
	if err := cfg.Validate(); err != nil {
		return nil, err
	}
	return generate(cfg.WithDefaults(), r)
}

func generate(cfg Config, r rand.Source) (*Maze, error) {
	side := cfg.Cells
	minLen := max(cfg.MinPathLen, 1)
	open := make([]int, 0, side*side)
	cands := make([]int, 0, side*side)
	var b bfs
	for a := 0; a < cfg.MaxAttempts; a++ {
		grid := carve(side, cfg.Loops, r)
		open = open[:0]
		for i, t := range grid {
			if t == OpenToken {
				open = append(open, i)
			}
		}
		for try := 0; try < 16; try++ {
			s := open[task.Intn(r, len(open))]
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
			goal := cands[task.Intn(r, len(cands))]
			m := &Maze{Side: side, Input: grid, Start: s, Goal: goal, PathLen: int(b.dist[goal])}
			m.Input[s], m.Input[goal] = StartToken, GoalToken
			m.Label = append([]uint8(nil), m.Input...)
			for cur := b.pred(side, goal); cur != s; cur = b.pred(side, cur) {
				m.Label[cur] = PathToken
			}
			return m, nil
		}
	}
	return nil, fmt.Errorf("%w: %d moves on a %d×%d grid (loops %d) after %d mazes", ErrUnreachable, cfg.MinPathLen, side, side, cfg.Loops, cfg.MaxAttempts)
}

// neighbours stores the in-grid 4-neighbours of square u in nb, in the
// fixed order up, down, left, right, and returns how many there are.
func neighbours(u, side int, nb *[4]int) int {
	r, c := u/side, u%side
	k := 0
	if r > 0 {
		nb[k] = u - side
		k++
	}
	if r < side-1 {
		nb[k] = u + side
		k++
	}
	if c > 0 {
		nb[k] = u - 1
		k++
	}
	if c < side-1 {
		nb[k] = u + 1
		k++
	}
	return k
}

func openNeighbours(grid []uint8, side, u int) int {
	var nb [4]int
	n := 0
	for _, v := range nb[:neighbours(u, side, &nb)] {
		if grid[v] == OpenToken {
			n++
		}
	}
	return n
}

// closesBlock reports whether opening square u would complete a 2×2 block
// of open squares.
func closesBlock(grid []uint8, side, u int) bool {
	r, c := u/side, u%side
	for _, d := range [4][2]int{{-1, -1}, {-1, 1}, {1, -1}, {1, 1}} {
		rr, cc := r+d[0], c+d[1]
		if rr >= 0 && rr < side && cc >= 0 && cc < side &&
			grid[rr*side+c] == OpenToken && grid[r*side+cc] == OpenToken && grid[rr*side+cc] == OpenToken {
			return true
		}
	}
	return false
}

// carve returns an n×n grid of wall/open tokens. A randomized
// depth-first carve opens a wall square only when exactly one of its
// neighbours is open, so every opening adds one square and one adjacency:
// the open squares stay a tree with one-square-wide corridors (a 2×2 block
// would be a cycle and so cannot arise; squares touching only diagonally
// are not adjacent and need no rule). The carve runs until no wall square
// touches exactly one open square. Then loops wall squares touching two or
// more open squares are opened (all of them if there are fewer), each
// closing at least one cycle.
func carve(n, loops int, r rand.Source) []uint8 {
	grid := make([]uint8, n*n)
	for i := range grid {
		grid[i] = WallToken
	}
	start := task.Intn(r, n*n)
	grid[start] = OpenToken
	stack := append(make([]int, 0, n*n), start)
	var nb, cand [4]int
	for len(stack) > 0 {
		u := stack[len(stack)-1]
		k := 0
		for _, v := range nb[:neighbours(u, n, &nb)] {
			if grid[v] == WallToken && openNeighbours(grid, n, v) == 1 {
				cand[k] = v
				k++
			}
		}
		if k == 0 {
			stack = stack[:len(stack)-1]
			continue
		}
		v := cand[task.Intn(r, k)]
		grid[v] = OpenToken
		stack = append(stack, v)
	}
	if loops > 0 {
		var walls []int
		for i, t := range grid {
			if t == WallToken && openNeighbours(grid, n, i) >= 2 {
				walls = append(walls, i)
			}
		}
		task.Shuffle(r, walls)
		// A 2×2 room is a cycle too, but it only offers equal one-step
		// detours, so openings that complete one are taken last.
		for pass := 0; pass < 2 && loops > 0; pass++ {
			for _, i := range walls {
				if loops > 0 && grid[i] == WallToken && (pass == 1 || !closesBlock(grid, n, i)) {
					grid[i] = OpenToken
					loops--
				}
			}
		}
	}
	return grid
}

// bfs holds BFS distances and shortest-path counts (saturating at 2).
type bfs struct {
	dist  []int32
	count []uint8
	queue []int32
}

func passable(t uint8) bool {
	return t == OpenToken || t == StartToken || t == GoalToken || t == PathToken
}

func (b *bfs) run(grid []uint8, side, start int) {
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
	var nb [4]int
	for h := 0; h < len(b.queue); h++ {
		u := int(b.queue[h])
		for _, v := range nb[:neighbours(u, side, &nb)] {
			if !passable(grid[v]) {
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
func (b *bfs) pred(side, u int) int {
	var nb [4]int
	for _, v := range nb[:neighbours(u, side, &nb)] {
		if b.dist[v] >= 0 && b.dist[v] == b.dist[u]-1 {
			return v
		}
	}
	panic("maze: BFS predecessor missing")
}

// ShortestPath returns the BFS distance from S to G of an input grid
// (walls '#' block; open, S, G and 'o' squares pass) and the number of
// distinct shortest paths, saturated at 2.
func ShortestPath(input []uint8, side int) (length, count int, err error) {
	s, g, err := ends(input, side)
	if err != nil {
		return 0, 0, err
	}
	var b bfs
	b.run(input, side, s)
	if b.dist[g] < 0 {
		return 0, 0, errors.New("maze: G is unreachable from S")
	}
	return int(b.dist[g]), int(b.count[g]), nil
}

func ends(input []uint8, side int) (s, g int, err error) {
	if side <= 0 || len(input) != side*side {
		return 0, 0, fmt.Errorf("maze: %d tokens for side %d", len(input), side)
	}
	s, g = -1, -1
	for i, t := range input {
		switch t {
		case StartToken:
			if s >= 0 {
				return 0, 0, fmt.Errorf("maze: second S at (%d,%d)", i/side, i%side)
			}
			s = i
		case GoalToken:
			if g >= 0 {
				return 0, 0, fmt.Errorf("maze: second G at (%d,%d)", i/side, i%side)
			}
			g = i
		case WallToken, OpenToken, PathToken:
		default:
			return 0, 0, fmt.Errorf("maze: token %d at (%d,%d)", t, i/side, i%side)
		}
	}
	if s < 0 || g < 0 {
		return 0, 0, errors.New("maze: missing S or G")
	}
	return s, g, nil
}

// Verify checks that label is input with a shortest S→G path
// marked: label differs from input only where an open square became 'o';
// the 'o' squares form one contiguous, non-branching chain from S to G
// that avoids walls; and its length equals the BFS distance.
func Verify(input, label []uint8, side int) error {
	s, g, err := ends(input, side)
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
		case in == PathToken:
			return fmt.Errorf("maze: input has 'o' at (%d,%d)", i/side, i%side)
		case lb == PathToken && in == OpenToken:
			nPath++
		case lb != in:
			return fmt.Errorf("maze: label %q differs from input %q at (%d,%d)", chars[min(int(lb), 5)], chars[min(int(in), 5)], i/side, i%side)
		}
	}
	visited := make([]bool, len(label))
	cur, steps := s, 0
	visited[s] = true
	var nb [4]int
	for cur != g {
		r, c := cur/side, cur%side
		next, n := -1, 0
		for _, v := range nb[:neighbours(cur, side, &nb)] {
			if !visited[v] && (label[v] == PathToken || label[v] == GoalToken) {
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
	want, _, err := ShortestPath(input, side)
	if err != nil {
		return err
	}
	if steps != want {
		return fmt.Errorf("maze: marked path has %d moves, shortest is %d", steps, want)
	}
	return nil
}

// Key is the canonical key of a maze input under the 8 dihedral
// transforms (a hash of the least of the 8 transformed grids), so every
// augmented copy of a maze has its key.
func Key(input []uint8, side int) uint64 {
	best := input
	for t := 1; t < task.NumDihedral; t++ {
		x, _, _ := task.Dihedral(t, input, side, side)
		if string(x) < string(best) {
			best = x
		}
	}
	return task.Hash(0x3a2e, best)
}

// String renders tokens as text rows ("# SGo", '?' for PAD or an
// unknown token) separated by newlines.
func String(toks []uint8, side int) string {
	var sb strings.Builder
	for i, t := range toks {
		if i > 0 && i%side == 0 {
			sb.WriteByte('\n')
		}
		if int(t) < len(chars) {
			sb.WriteByte(chars[t])
		} else {
			sb.WriteByte('?')
		}
	}
	return sb.String()
}

// Parse parses a square maze in text form ('#', ' ', 'S', 'G', 'o';
// newlines are ignored, so both the one-line CSV form of the HF data and
// String output are accepted) into tokens and the side length.
func Parse(s string) ([]uint8, int, error) {
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
		k := strings.IndexByte(chars[1:], s[i])
		if k < 0 {
			return nil, 0, fmt.Errorf("maze: position %d (row %d, column %d): invalid character %q", i, i/side, i%side, s[i])
		}
		toks[i] = uint8(k + 1)
	}
	return toks, side, nil
}

const mazeGenMagic = "HRMMZG1\x00"

// MarshalBinary serialises the generator's PCG state (the configuration is
// not included; restore into a generator built with the same Config).
func (g *Generator) MarshalBinary() ([]byte, error) {
	st, err := g.src.MarshalBinary()
	if err != nil {
		return nil, err
	}
	return append([]byte(mazeGenMagic), st...), nil
}

// UnmarshalBinary restores a state written by MarshalBinary.
func (g *Generator) UnmarshalBinary(b []byte) error {
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
