package data

import (
	"encoding/binary"
	"errors"
	"fmt"
	"math/rand/v2"
	"sync"

	"github.com/hrmgo/hrm/task"
	"github.com/hrmgo/hrm/task/maze"
	"github.com/hrmgo/hrm/task/sudoku"
)

// Augmenter returns an augmented copy of ex using randomness from r. It
// must not modify ex.
type Augmenter func(ex Example, r rand.Source) Example

// Source is a deterministic, position-addressable stream of training
// examples: At(pos) depends only on the source's configuration and pos, so
// any stream can be replayed or resumed from a position without replaying
// what came before. At is safe for concurrent use.
type Source interface {
	At(pos uint64) (Example, error)
	// Fingerprint identifies the configuration (seed, data, settings) so
	// that a saved sampler state is not restored onto a different stream.
	Fingerprint() uint64
}

// Salts separating the random streams derived from one seed.
const (
	saltEpoch  = 0xe90c
	saltAug    = 0xa06
	saltSudoku = 0x50d0
	saltMaze   = 0x3a2e
	saltExact  = 0xe4ac
)

// ShuffleSource streams a fixed example list epoch by epoch: epoch e is a
// permutation of the list drawn from (seed, e), and the example at
// position pos gets augmentation randomness from (seed, pos). Examples are
// returned as copies (callers may modify them).
type ShuffleSource struct {
	base []Example
	seed uint64
	aug  Augmenter
	fp   uint64

	mu    sync.Mutex
	cache [2]struct {
		epoch uint64
		perm  []int
	}
	next int
}

// NewShuffleSource returns a source over base (which must not be modified
// afterwards). aug may be nil (no augmentation); it is not covered by the
// fingerprint, which hashes the seed and all of base.
func NewShuffleSource(base []Example, seed uint64, aug Augmenter) (*ShuffleSource, error) {
	if len(base) == 0 {
		return nil, errors.New("data: ShuffleSource over no examples")
	}
	h := make([]uint64, 0, len(base)+2)
	for _, e := range base {
		lb := make([]byte, 4*len(e.Labels)+4)
		for i, l := range e.Labels {
			binary.LittleEndian.PutUint32(lb[4*i:], uint32(l))
		}
		binary.LittleEndian.PutUint32(lb[4*len(e.Labels):], uint32(e.PuzzleID))
		h = append(h, task.Hash(task.Hash(1, e.Inputs), lb))
	}
	fp := task.Hash(0x5f, binary.LittleEndian.AppendUint64(binary.LittleEndian.AppendUint64(nil, seed), task.HashSortedU64(h)^uint64(len(base))))
	s := &ShuffleSource{base: base, seed: seed, aug: aug, fp: fp}
	for i := range s.cache {
		s.cache[i].epoch = ^uint64(0)
	}
	return s, nil
}

// Len returns the number of examples per epoch.
func (s *ShuffleSource) Len() int { return len(s.base) }

// Fingerprint implements Source.
func (s *ShuffleSource) Fingerprint() uint64 { return s.fp }

func (s *ShuffleSource) epochPerm(e uint64) []int {
	s.mu.Lock()
	defer s.mu.Unlock()
	for _, c := range s.cache {
		if c.epoch == e && c.perm != nil {
			return c.perm
		}
	}
	p := task.Perm(task.NewPCG(s.seed^task.Mix64(saltEpoch), e), len(s.base))
	s.cache[s.next].epoch, s.cache[s.next].perm = e, p
	s.next ^= 1
	return p
}

// At implements Source.
func (s *ShuffleSource) At(pos uint64) (Example, error) {
	n := uint64(len(s.base))
	p := s.epochPerm(pos / n)
	ex := s.base[p[pos%n]]
	if s.aug != nil {
		ex = s.aug(ex, posPCG(s.seed, saltAug, pos))
	}
	return ex.Clone(), nil
}

// SudokuStream generates a fresh puzzle for every position (on-the-fly
// training data): the puzzle at pos comes from a generator seeded with
// (seed, pos). Puzzles whose sudoku.Key is in exclude (the test keys) are
// skipped deterministically.
type SudokuStream struct {
	box, blanks int
	minBlanks   int // blanks are drawn uniformly from [minBlanks, blanks]
	seed        uint64
	exclude     KeySet
	fp          uint64
	exact       bool
}

// WithExactKeys returns a stream that keys (and excludes) puzzles by
// sudoku.ExactKey, to pair with a dataset built with ExactKeys.
func (s *SudokuStream) WithExactKeys() *SudokuStream {
	c := *s
	c.exact = true
	c.fp = s.fp ^ saltExact
	return &c
}

// WithBlankRange returns a stream whose puzzles have a number of blanks
// drawn uniformly from [min, blanks] per position: a curriculum of easy and
// hard puzzles in every batch (easy ones teach the rules with a strong
// signal; hard ones need several ACT segments).
func (s *SudokuStream) WithBlankRange(min int) (*SudokuStream, error) {
	if min < 0 || min > s.blanks {
		return nil, fmt.Errorf("sudoku: minimum blanks %d, want 0..%d", min, s.blanks)
	}
	c := *s
	c.minBlanks = min
	c.fp = s.fp ^ task.Hash(saltSudoku, binary.LittleEndian.AppendUint64(nil, uint64(min)))
	return &c, nil
}

// NewSudokuStream checks that the blank count is reachable and returns the
// stream. exclude may be nil.
func NewSudokuStream(box, blanks int, seed uint64, exclude KeySet) (*SudokuStream, error) {
	if box != 2 && box != 3 {
		return nil, fmt.Errorf("sudoku: box %d, want 2 or 3", box)
	}
	if blanks < 0 || blanks > sudoku.MaxBlanks(box) {
		return nil, fmt.Errorf("sudoku: %d blanks, want 0..%d", blanks, sudoku.MaxBlanks(box))
	}
	fp := task.Hash(saltSudoku, binary.LittleEndian.AppendUint64([]byte{byte(box), byte(blanks)}, seed)) ^ keySetHash(exclude)
	return &SudokuStream{box: box, blanks: blanks, minBlanks: blanks, seed: seed, exclude: exclude, fp: fp}, nil
}

func keySetHash(k KeySet) uint64 {
	v := make([]uint64, 0, len(k))
	for x := range k {
		v = append(v, x)
	}
	return task.HashSortedU64(v)
}

// Fingerprint implements Source.
func (s *SudokuStream) Fingerprint() uint64 { return s.fp }

// At implements Source.
func (s *SudokuStream) At(pos uint64) (Example, error) {
	r := posPCG(s.seed, saltSudoku, pos)
	blanks := s.blanks
	if s.minBlanks < s.blanks {
		blanks = s.minBlanks + task.Intn(r, s.blanks-s.minBlanks+1)
	}
	g := sudoku.NewGeneratorFrom(s.box, r)
	for try := 0; try < 1000; try++ {
		p, sol, err := g.Generate(blanks)
		if err != nil {
			return Example{}, fmt.Errorf("sudoku stream position %d: %w", pos, err)
		}
		ex := SudokuExample(p, sol)
		if s.exact {
			ex.Key = sudoku.ExactKey(p)
		}
		if !s.exclude.Has(ex.Key) {
			return ex, nil
		}
	}
	return Example{}, fmt.Errorf("sudoku stream position %d: 1000 candidates all excluded", pos)
}

// posPCG is the generator used for the example at stream position pos of a
// position-addressable source (see Source).
func posPCG(seed, salt, pos uint64) *rand.PCG {
	return task.NewPCG(seed^task.Mix64(salt), pos)
}

// MazeStream generates a fresh maze for every position from (seed, pos),
// skipping mazes whose maze.Key is in exclude.
type MazeStream struct {
	cfg     maze.Config
	minPath int // the minimum path length is drawn uniformly from [minPath, cfg.MinPathLen]
	seed    uint64
	exclude KeySet
	fp      uint64
}

// NewMazeStream validates cfg and returns the stream. exclude may be nil.
func NewMazeStream(cfg maze.Config, seed uint64, exclude KeySet) (*MazeStream, error) {
	if err := cfg.Validate(); err != nil {
		return nil, err
	}
	c := cfg.WithDefaults()
	var b []byte
	for _, v := range []int{c.Cells, c.Loops, c.MinPathLen, c.Canvas, c.MaxAttempts} {
		b = binary.LittleEndian.AppendUint64(b, uint64(v))
	}
	if c.AllowAmbiguous {
		b = append(b, 1)
	}
	b = binary.LittleEndian.AppendUint64(b, seed)
	return &MazeStream{cfg: c, minPath: c.MinPathLen, seed: seed, exclude: exclude, fp: task.Hash(saltMaze, b) ^ keySetHash(exclude)}, nil
}

// WithPathRange returns a stream whose mazes have a minimum S→G path
// length drawn uniformly from [min, MinPathLen] per position. A model
// trained only on long paths draws long paths into short mazes too; the
// mix teaches it to stop at the goal.
func (s *MazeStream) WithPathRange(min int) (*MazeStream, error) {
	if min < 1 || min > s.cfg.MinPathLen {
		return nil, fmt.Errorf("maze: minimum path length %d, want 1..%d", min, s.cfg.MinPathLen)
	}
	c := *s
	c.minPath = min
	c.fp = s.fp ^ task.Hash(saltMaze, binary.LittleEndian.AppendUint64([]byte("path-range"), uint64(min)))
	return &c, nil
}

// Fingerprint implements Source.
func (s *MazeStream) Fingerprint() uint64 { return s.fp }

// At implements Source.
func (s *MazeStream) At(pos uint64) (Example, error) {
	r := posPCG(s.seed, saltMaze, pos)
	cfg := s.cfg
	if s.minPath < cfg.MinPathLen {
		cfg.MinPathLen = s.minPath + task.Intn(r, cfg.MinPathLen-s.minPath+1)
	}
	for try := 0; try < 1000; try++ {
		m, err := maze.Generate(cfg, r)
		if err != nil {
			return Example{}, fmt.Errorf("maze stream position %d: %w", pos, err)
		}
		ex := MazeExample(m, s.cfg.Canvas)
		if !s.exclude.Has(ex.Key) {
			return ex, nil
		}
	}
	return Example{}, fmt.Errorf("maze stream position %d: 1000 candidates all excluded", pos)
}

// Sampler cuts a Source into fixed-size batches: batch k holds positions
// k·B … k·B+B−1. Its state is the step count, so it is resumable from
// MarshalBinary bytes and replays exactly. Epoch boundaries of a
// ShuffleSource fall inside batches when B does not divide the epoch (no
// examples are dropped).
type Sampler struct {
	src   Source
	batch int
	step  uint64
	// Workers is the number of goroutines Next uses to produce a batch
	// (default 1). The result does not depend on it.
	Workers int
}

// NewSampler returns a sampler at step 0.
func NewSampler(src Source, batchSize int) (*Sampler, error) {
	if src == nil || batchSize <= 0 {
		return nil, errors.New("data: NewSampler needs a source and a positive batch size")
	}
	return &Sampler{src: src, batch: batchSize}, nil
}

// BatchSize returns the batch size.
func (s *Sampler) BatchSize() int { return s.batch }

// Step returns the number of batches drawn so far (the next batch index).
func (s *Sampler) Step() uint64 { return s.step }

// Seek sets the next batch index.
func (s *Sampler) Seek(step uint64) { s.step = step }

// Next returns the batch at the current step and advances the step. On
// error the step is not advanced.
func (s *Sampler) Next() ([]Example, error) {
	out := make([]Example, s.batch)
	base := s.step * uint64(s.batch)
	w := max(1, min(s.Workers, s.batch))
	errs := make([]error, w)
	var wg sync.WaitGroup
	for k := 0; k < w; k++ {
		wg.Add(1)
		go func(k int) {
			defer wg.Done()
			for i := k; i < s.batch; i += w {
				ex, err := s.src.At(base + uint64(i))
				if err != nil {
					errs[k] = err
					return
				}
				out[i] = ex
			}
		}(k)
	}
	wg.Wait()
	if err := errors.Join(errs...); err != nil {
		return nil, err
	}
	s.step++
	return out, nil
}

const samplerMagic = "HRMSMP1\x00"

// MarshalBinary encodes the sampler state: source fingerprint, batch size
// and step (28 bytes after an 8-byte header).
func (s *Sampler) MarshalBinary() ([]byte, error) {
	b := []byte(samplerMagic)
	b = binary.LittleEndian.AppendUint64(b, s.src.Fingerprint())
	b = binary.LittleEndian.AppendUint32(b, uint32(s.batch))
	b = binary.LittleEndian.AppendUint64(b, s.step)
	return b, nil
}

// UnmarshalBinary restores a state saved by MarshalBinary into a sampler
// built by NewSampler on the same source configuration. It fails if the
// source fingerprint differs; the batch size and step are taken from the
// state.
func (s *Sampler) UnmarshalBinary(b []byte) error {
	if len(b) != len(samplerMagic)+20 || string(b[:len(samplerMagic)]) != samplerMagic {
		return errors.New("data: sampler state: bad header or length")
	}
	if s.src == nil {
		return errors.New("data: sampler state: restore into a sampler made by NewSampler")
	}
	b = b[len(samplerMagic):]
	if fp := binary.LittleEndian.Uint64(b); fp != s.src.Fingerprint() {
		return fmt.Errorf("data: sampler state is for source %#x, this source is %#x", fp, s.src.Fingerprint())
	}
	batch := binary.LittleEndian.Uint32(b[8:])
	if batch == 0 || batch > 1<<30 {
		return fmt.Errorf("data: sampler state: batch size %d", batch)
	}
	s.batch, s.step = int(batch), binary.LittleEndian.Uint64(b[12:])
	return nil
}

// Batch is a collated batch in the layout the trainer feeds the model:
// row-major [Size, SeqLen] int32 arrays.
type Batch struct {
	Size, SeqLen int
	Real         int // rows holding examples; the rest are padding
	Inputs       []int32
	Labels       []int32
	PuzzleIDs    []int32
}

// Collate stacks examples into a Batch of size rows (size ≥ len(exs); 0
// means len(exs)). Padding rows have PAD inputs, IgnoreLabel labels and
// puzzle identifier 0, as the evaluation loader pads its last chunk
// (spec §4.6). All examples must have the same sequence length.
func Collate(exs []Example, size int) (*Batch, error) {
	if size == 0 {
		size = len(exs)
	}
	if len(exs) == 0 || size < len(exs) {
		return nil, fmt.Errorf("data: collate %d examples into %d rows", len(exs), size)
	}
	seq := len(exs[0].Inputs)
	b := &Batch{Size: size, SeqLen: seq, Real: len(exs),
		Inputs: make([]int32, size*seq), Labels: make([]int32, size*seq), PuzzleIDs: make([]int32, size)}
	for i := range b.Labels {
		b.Labels[i] = IgnoreLabel
	}
	for r, e := range exs {
		if len(e.Inputs) != seq || len(e.Labels) != seq {
			return nil, fmt.Errorf("data: collate: example %d has %d inputs and %d labels, want %d", r, len(e.Inputs), len(e.Labels), seq)
		}
		for j, t := range e.Inputs {
			b.Inputs[r*seq+j] = int32(t)
		}
		copy(b.Labels[r*seq:], e.Labels)
		b.PuzzleIDs[r] = e.PuzzleID
	}
	return b, nil
}
