package arc

import (
	"errors"
	"fmt"
	"math/rand/v2"
	"os"
	"path/filepath"
	"sort"
	"strconv"
	"strings"

	"github.com/hrmgo/hrm/task"
)

// ARC token ids and canvas geometry (spec §6.4).
const (
	PadToken    = 0
	EOSToken    = 1
	ColorBase   = 2 // colour k is token k+2 (2..11)
	Vocab       = 12
	MaxSize     = 30                // canvas side and maximum grid side
	SeqLen      = MaxSize * MaxSize // 900
	NumColors   = 10
	pathFmtCell = "%s[%d][%d]"
)

// Grid is an ARC grid of H×W colours 0..9, row-major. The zero value
// (H = W = 0) stands for "absent" (e.g. a test pair without output).
type Grid struct {
	H, W  int
	Cells []uint8
}

// GridFromRows builds a grid from rows of colours, validating it.
func GridFromRows(rows [][]int) (Grid, error) {
	r64 := make([][]int64, len(rows))
	for i, row := range rows {
		r64[i] = make([]int64, len(row))
		for j, v := range row {
			r64[i][j] = int64(v)
		}
	}
	return gridFromRows("grid", r64)
}

// MustGrid is GridFromRows for literals in tests and examples; it
// panics on an invalid grid.
func MustGrid(rows [][]int) Grid {
	g, err := GridFromRows(rows)
	if err != nil {
		panic(err)
	}
	return g
}

func gridFromRows(path string, rows [][]int64) (Grid, error) {
	h := len(rows)
	if h < 1 || h > MaxSize {
		return Grid{}, fmt.Errorf("%s: %d rows, want 1..%d", path, h, MaxSize)
	}
	w := len(rows[0])
	if w < 1 || w > MaxSize {
		return Grid{}, fmt.Errorf("%s: row 0 has %d columns, want 1..%d", path, w, MaxSize)
	}
	g := Grid{H: h, W: w, Cells: make([]uint8, 0, h*w)}
	for r, row := range rows {
		if len(row) != w {
			return Grid{}, fmt.Errorf("%s: not rectangular: row %d has %d columns, row 0 has %d", path, r, len(row), w)
		}
		for c, v := range row {
			if v < 0 || v >= NumColors {
				return Grid{}, fmt.Errorf(pathFmtCell+": colour %d outside 0..9", path, r, c, v)
			}
			g.Cells = append(g.Cells, uint8(v))
		}
	}
	return g, nil
}

// Validate checks dimensions 1..30 and colours 0..9.
func (g Grid) Validate() error {
	if g.H < 1 || g.H > MaxSize || g.W < 1 || g.W > MaxSize {
		return fmt.Errorf("arc: grid %d×%d, want 1..30 × 1..30", g.H, g.W)
	}
	if len(g.Cells) != g.H*g.W {
		return fmt.Errorf("arc: grid %d×%d has %d cells", g.H, g.W, len(g.Cells))
	}
	for i, v := range g.Cells {
		if v >= NumColors {
			return fmt.Errorf("arc: colour %d at (%d,%d) outside 0..9", v, i/g.W, i%g.W)
		}
	}
	return nil
}

// Empty reports whether g is the absent grid.
func (g Grid) Empty() bool { return g.H == 0 && g.W == 0 }

// At returns the colour at row r, column c.
func (g Grid) At(r, c int) uint8 { return g.Cells[r*g.W+c] }

// Rows returns the grid as rows of ints.
func (g Grid) Rows() [][]int {
	rows := make([][]int, g.H)
	for r := range rows {
		rows[r] = make([]int, g.W)
		for c := range rows[r] {
			rows[r][c] = int(g.At(r, c))
		}
	}
	return rows
}

// Equal reports whether two grids have the same shape and colours.
func (g Grid) Equal(o Grid) bool {
	return g.H == o.H && g.W == o.W && string(g.Cells) == string(o.Cells)
}

// Dihedral returns g transformed by dihedral id t (0..7, see task.NumDihedral).
func (g Grid) Dihedral(t int) Grid {
	if g.Empty() {
		return g
	}
	c, h, w := task.Dihedral(t, g.Cells, g.H, g.W)
	return Grid{H: h, W: w, Cells: c}
}

// Recolor returns g with every colour k replaced by m[k].
func (g Grid) Recolor(m ColorMap) Grid {
	out := Grid{H: g.H, W: g.W, Cells: make([]uint8, len(g.Cells))}
	for i, v := range g.Cells {
		out.Cells[i] = m[v]
	}
	return out
}

// ColorMap maps old colour k to new colour m[k]. Augmentation maps keep
// 0 (background) fixed and permute 1..9. Its String form is the 10-digit
// suffix of augmented task names.
type ColorMap [NumColors]uint8

// IdentityColorMap returns the identity map.
func IdentityColorMap() ColorMap {
	var m ColorMap
	for i := range m {
		m[i] = uint8(i)
	}
	return m
}

// RandomColorMap draws a uniform permutation of 1..9 with 0 fixed.
func RandomColorMap(r rand.Source) ColorMap {
	var m ColorMap
	for i, p := range task.Perm(r, 9) {
		m[i+1] = uint8(p + 1)
	}
	return m
}

// Inverse returns the inverse map (the argsort of m), so Inverse()[m[k]] = k.
func (m ColorMap) Inverse() ColorMap {
	var inv ColorMap
	for k, v := range m {
		inv[v] = uint8(k)
	}
	return inv
}

// String returns the 10 digits m[0]..m[9].
func (m ColorMap) String() string {
	b := make([]byte, NumColors)
	for i, v := range m {
		b[i] = '0' + v
	}
	return string(b)
}

// ParseColorMap parses a 10-digit permutation string.
func ParseColorMap(s string) (ColorMap, error) {
	var m ColorMap
	if len(s) != NumColors {
		return m, fmt.Errorf("arc: colour map %q: want 10 digits", s)
	}
	var seen [NumColors]bool
	for i := 0; i < NumColors; i++ {
		d := s[i] - '0'
		if d >= NumColors || seen[d] {
			return m, fmt.Errorf("arc: colour map %q is not a permutation of 0..9", s)
		}
		seen[d] = true
		m[i] = d
	}
	return m, nil
}

// Pair is one input/output demonstration or test pair. Output is the
// empty grid when a test pair has no "output" (hidden answers).
type Pair struct {
	Input, Output Grid
}

// Task is one ARC task file.
type Task struct {
	Name  string // file name without ".json", or the augmented name
	Train []Pair
	Test  []Pair
}

// Hash returns a hash of the whole task (all grids, in order), as used to
// deduplicate augmentations.
func (t *Task) Hash() uint64 {
	var b []byte
	add := func(g Grid) {
		b = append(b, byte(g.H), byte(g.W))
		b = append(b, g.Cells...)
	}
	for _, set := range [][]Pair{t.Train, {{}}, t.Test} {
		for _, p := range set {
			add(p.Input)
			add(p.Output)
		}
	}
	return task.Hash(0xa2c, b)
}

// Equal reports whether two tasks have the same name and grids.
func (t *Task) Equal(o *Task) bool {
	if t.Name != o.Name || len(t.Train) != len(o.Train) || len(t.Test) != len(o.Test) {
		return false
	}
	for i := range t.Train {
		if !t.Train[i].Input.Equal(o.Train[i].Input) || !t.Train[i].Output.Equal(o.Train[i].Output) {
			return false
		}
	}
	for i := range t.Test {
		if !t.Test[i].Input.Equal(o.Test[i].Input) || !t.Test[i].Output.Equal(o.Test[i].Output) {
			return false
		}
	}
	return true
}

// Augment returns a copy of the task with colour map m applied first and
// then dihedral transform d to every grid, named "<name>_t<d>_<map>".
func (t *Task) Augment(d int, m ColorMap) *Task {
	out := &Task{Name: fmt.Sprintf("%s_t%d_%s", t.Name, d, m)}
	conv := func(ps []Pair) []Pair {
		r := make([]Pair, len(ps))
		for i, p := range ps {
			r[i].Input = p.Input.Recolor(m).Dihedral(d)
			r[i].Output = p.Output.Recolor(m).Dihedral(d)
		}
		return r
	}
	out.Train, out.Test = conv(t.Train), conv(t.Test)
	return out
}

// Unaugment undoes an augmentation (d, m) on a grid: the inverse
// dihedral transform, then the inverse colour map (spec §6.5).
func Unaugment(g Grid, d int, m ColorMap) Grid {
	return g.Dihedral(task.DihedralInverse[d]).Recolor(m.Inverse())
}

// ParseAugName splits "<orig>_t<d>_<10 digits>" into its parts; ok is
// false for an un-augmented name.
func ParseAugName(name string) (orig string, d int, m ColorMap, ok bool) {
	i := strings.LastIndex(name, "_t")
	if i < 0 || len(name) < i+2+1+1+NumColors || name[len(name)-NumColors-1] != '_' {
		return "", 0, m, false
	}
	ds := name[i+2 : len(name)-NumColors-1]
	d, err := strconv.Atoi(ds)
	if err != nil || d < 0 || d >= task.NumDihedral {
		return "", 0, m, false
	}
	m, err = ParseColorMap(name[len(name)-NumColors:])
	if err != nil {
		return "", 0, m, false
	}
	return name[:i], d, m, true
}

// Encode places g on the 30×30 canvas at offset (r0, c0): colours
// become tokens +2, EOS (1) fills the row just below the grid across its
// columns and the column just right of it across its rows (each only if it
// is inside the canvas), the diagonal corner and everything else stay PAD.
// Returns 900 tokens, row-major.
func Encode(g Grid, r0, c0 int) ([]uint8, error) { return EncodeOn(g, r0, c0, MaxSize) }

// EncodeOn is Encode on a side×side canvas (side ≤ MaxSize): the layout of
// a model trained on a smaller canvas, seq_len side². Encode is side 30.
func EncodeOn(g Grid, r0, c0, side int) ([]uint8, error) {
	if err := g.Validate(); err != nil {
		return nil, err
	}
	if r0 < 0 || c0 < 0 || r0+g.H > side || c0+g.W > side {
		return nil, fmt.Errorf("arc: %d×%d grid at offset (%d,%d) does not fit the %d×%d canvas", g.H, g.W, r0, c0, side, side)
	}
	out := make([]uint8, side*side)
	for r := 0; r < g.H; r++ {
		for c := 0; c < g.W; c++ {
			out[(r0+r)*side+c0+c] = g.At(r, c) + ColorBase
		}
		if c0+g.W < side {
			out[(r0+r)*side+c0+g.W] = EOSToken
		}
	}
	if r0+g.H < side {
		for c := 0; c < g.W; c++ {
			out[(r0+g.H)*side+c0+c] = EOSToken
		}
	}
	return out, nil
}

// Decode crops a 900-token canvas (inputs, labels or argmax
// predictions) back to a grid with the rule of spec §6.5: scanning rows top
// down with a running width that shrinks to the first non-colour token
// (anything outside 2..11) of each row, keep the (rows, width) of largest
// area (first one on ties), then subtract 2. A canvas with no colour at
// (0,0) gives the empty grid. Grids placed at a non-zero offset do not
// decode (the test split is never translated).
func Decode[T ~uint8 | ~int32 | ~int64 | ~int](toks []T) (Grid, error) {
	return DecodeOn(toks, MaxSize)
}

// DecodeOn is Decode on a side×side canvas.
func DecodeOn[T ~uint8 | ~int32 | ~int64 | ~int](toks []T, side int) (Grid, error) {
	if side < 1 || side > MaxSize || len(toks) != side*side {
		return Grid{}, fmt.Errorf("arc: %d tokens, want %d (a %d×%d canvas)", len(toks), side*side, side, side)
	}
	isColour := func(t T) bool { return t >= ColorBase && t < ColorBase+NumColors }
	bestArea, bestR, bestC := 0, 0, 0
	width := side
	for r := 1; r <= side; r++ {
		for c := 0; c < width; c++ {
			if !isColour(toks[(r-1)*side+c]) {
				width = c
				break
			}
		}
		if a := r * width; a > bestArea {
			bestArea, bestR, bestC = a, r, width
		}
	}
	g := Grid{H: bestR, W: bestC, Cells: make([]uint8, 0, bestR*bestC)}
	for r := 0; r < bestR; r++ {
		for c := 0; c < bestC; c++ {
			g.Cells = append(g.Cells, uint8(toks[r*side+c]-ColorBase))
		}
	}
	return g, nil
}

// TranslateOffsets draws the translation augmentation of spec §6.4 for
// the examples of one puzzle: each pair gets a random offset (r0, c0) with
// r0 ∈ [0, 30−max(in.H, out.H)] and c0 likewise, shared by its input and
// output, except one randomly chosen pair that stays at (0, 0). Only the
// train split is translated.
func TranslateOffsets(pairs []Pair, r rand.Source) [][2]int {
	return TranslateOffsetsOn(pairs, r, MaxSize)
}

// TranslateOffsetsOn is TranslateOffsets on a side×side canvas.
func TranslateOffsetsOn(pairs []Pair, r rand.Source, side int) [][2]int {
	offs := make([][2]int, len(pairs))
	if len(pairs) == 0 {
		return offs
	}
	keep := task.Intn(r, len(pairs))
	for i, p := range pairs {
		h, w := max(p.Input.H, p.Output.H), max(p.Input.W, p.Output.W)
		r0, c0 := task.Intn(r, max(side-h+1, 1)), task.Intn(r, max(side-w+1, 1))
		if i != keep {
			offs[i] = [2]int{r0, c0}
		}
	}
	return offs
}

// ParseTask parses one ARC task file. name (the file name) prefixes
// every error. It uses simdjson-go when simdjson.SupportedCPU() (amd64 with
// AVX2 and CLMUL) and encoding/json otherwise; both accept and reject the
// same inputs and build identical tasks (tested differentially).
//
// Accepted format: a top-level object with arrays "train" and "test" (each
// at least one pair; unknown keys ignored; duplicate keys rejected; keys
// are case-sensitive); a pair is an object with "input" and "output"
// (output optional for test pairs only); a grid is a non-empty array of
// equally long non-empty arrays of integers 0..9, at most 30×30. The file
// must be valid UTF-8 with nothing after the top-level object.
func ParseTask(name string, data []byte) (*Task, error) {
	if simdSupported() {
		t, _, err := parseSimd(name, data, nil)
		return t, err
	}
	return parseStd(name, data)
}

// LoadTask reads and parses one task file; the task name is the file
// name without its extension.
func LoadTask(path string) (*Task, error) {
	b, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("arc: %w", err)
	}
	return ParseTask(taskName(path), b)
}

func taskName(path string) string {
	return strings.TrimSuffix(filepath.Base(path), filepath.Ext(path))
}

// LoadDir loads every *.json file of dir, sorted by file name. Errors
// name the file.
func LoadDir(dir string) ([]*Task, error) {
	files, err := filepath.Glob(filepath.Join(dir, "*.json"))
	if err != nil {
		return nil, err
	}
	if len(files) == 0 {
		return nil, fmt.Errorf("arc: no *.json files in %s", dir)
	}
	sort.Strings(files)
	tasks := make([]*Task, 0, len(files))
	var p simdParser
	for _, f := range files {
		b, err := os.ReadFile(f)
		if err != nil {
			return nil, fmt.Errorf("arc: %w", err)
		}
		t, err := p.parse(taskName(f), b)
		if err != nil {
			return nil, fmt.Errorf("%s: %w", f, err)
		}
		tasks = append(tasks, t)
	}
	return tasks, nil
}

// arcErr formats a parse error as "arc: <file>: <path>: <msg>".
func arcErr(name, path, format string, args ...any) error {
	msg := fmt.Sprintf(format, args...)
	if path != "" {
		msg = path + ": " + msg
	}
	return fmt.Errorf("arc: %s: %s", name, msg)
}

var errNotUTF8 = errors.New("file is not valid UTF-8")

// finishTask checks the pair counts after parsing.
func finishTask(name string, t *Task, haveTrain, haveTest bool) (*Task, error) {
	switch {
	case !haveTrain:
		return nil, arcErr(name, "", `missing "train"`)
	case !haveTest:
		return nil, arcErr(name, "", `missing "test"`)
	case len(t.Train) == 0:
		return nil, arcErr(name, "train", "no pairs")
	case len(t.Test) == 0:
		return nil, arcErr(name, "test", "no pairs")
	}
	return t, nil
}
