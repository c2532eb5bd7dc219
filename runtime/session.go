package runtime

import (
	"errors"
	"fmt"
	"math"
	goruntime "runtime"

	"github.com/hrmgo/hrm/asm"
	"github.com/hrmgo/hrm/quant"
)

// HaltMode chooses when a sequence stops.
type HaltMode int

const (
	// HaltMax runs every sequence for the full step budget: the official
	// evaluation behaviour (the Q head is ignored).
	HaltMax HaltMode = iota
	// HaltQ stops a sequence once its Q head says halt (HRM: q_halt >
	// q_continue; TRM: q_halt > 0), or at the budget.
	HaltQ
	// HaltValid stops a sequence once its prediction passes the task's
	// verifier (Options.Accept), or at the budget: for tasks whose answers
	// are cheap to check (a Sudoku, a maze path).
	HaltValid
)

// ParseHaltMode maps "max", "q" and "valid" to a HaltMode.
func ParseHaltMode(s string) (HaltMode, error) {
	switch s {
	case "max":
		return HaltMax, nil
	case "q":
		return HaltQ, nil
	case "valid":
		return HaltValid, nil
	}
	return 0, fmt.Errorf("halt mode %q: want max, q or valid", s)
}

func (h HaltMode) String() string {
	return [...]string{"max", "q", "valid"}[h]
}

// Session owns every buffer one inference needs, allocated once for a
// maximum batch. Running segments allocates nothing and grows nothing,
// whatever the step budget: the recurrent state is two fixed [B, T, D]
// buffers updated in place. A Session is not safe for concurrent use; run one
// per goroutine over a shared Model.
type Session struct {
	m        *Model
	maxBatch int

	n       int   // sequences in the current batch
	nActive int   // slots [0, nActive) still run; the rest have halted
	slotOf  []int // row → slot
	rowOf   []int // slot → row
	steps   []int // per slot

	tokens    []int32 // [B, S] per slot
	puzzleIDs []int32 // [B] per slot

	x, zH, zL, inj []float32 // [B, T, D]
	qkv            []float32 // [B·T, 3D]; attention only
	att, tmp       []float32 // [B·T, D]; att is the mixer's output (mlp_t: hᵀ [B, D, T])
	gu             []float32 // [B·T, 2F] or mlp_t's [B·D, 2I_t]
	hid            []float32 // [B·T, F] or [B·D, I_t]
	logits         []float32 // [B, S, V]
	q              []float32 // [B, 2]
	rowBuf         []float32 // [T·D], slot swaps
	pred           []int32   // [S], HaltValid's prediction

	// int8 path: activations quantized per row (token, or mlp_t channel),
	// sized for the largest linear layer. The int32 products stay in the
	// GEMM's epilogue (asm.GemmS8DequantTiles).
	acts quant.Activations

	// obs is the observer of the current Run (nil: none); state is the
	// view handed to it, reused so that observing allocates nothing.
	obs   *Observer
	state State
	prof  *Profile // nil: not profiling

	attnWS                                                     [][]float32 // per worker
	pool                                                       *pool
	op                                                         opArgs
	jobF32, jobQuantize, jobS8, jobAttn, jobRows, jobTranspose func(int)
	jobS8SwiGLU                                                func(int)
}

// sessionSizes are the per-sequence element counts of a Session's buffers:
// the largest each step of a block needs.
type sessionSizes struct {
	qkv, gu, hid, actQ, actRows int
}

func sizesOf(c Config) sessionSizes {
	T, D, F := c.TotalLen(), c.HiddenSize, c.Inter()
	z := sessionSizes{gu: T * 2 * F, hid: T * F, actRows: T}
	// Linear layers as (rows, in, out) per sequence.
	lins := [][3]int{{T, D, 2 * F}, {T, F, D}}
	if c.MLPT {
		It := c.TokenInter()
		z.gu, z.hid = max(z.gu, D*2*It), max(z.hid, D*It)
		z.actRows = max(T, D)
		lins = append(lins, [3]int{D, T, 2 * It}, [3]int{D, It, T})
	} else {
		z.qkv = T * 3 * D
		lins = append(lins, [3]int{T, D, 3 * D}, [3]int{T, D, D})
	}
	for _, l := range lins {
		z.actQ = max(z.actQ, l[0]*l[1])
	}
	return z
}

// NewSession allocates the buffers for batches of up to maxBatch sequences
// and starts threads workers (threads <= 0: GOMAXPROCS). Close stops them.
func (m *Model) NewSession(maxBatch, threads int) (*Session, error) {
	if maxBatch < 1 || maxBatch > 1<<16 {
		return nil, fmt.Errorf("session: batch %d out of range 1..65536", maxBatch)
	}
	if threads <= 0 {
		threads = goruntime.GOMAXPROCS(0)
	}
	if threads > 1024 {
		return nil, fmt.Errorf("session: %d threads, at most 1024", threads)
	}
	c := m.Cfg
	B, T, D, S, V := maxBatch, c.TotalLen(), c.HiddenSize, c.SeqLen, c.VocabSize
	z := sizesOf(c)
	f := func(n int) []float32 { return make([]float32, n) }
	s := &Session{
		m: m, maxBatch: B,
		slotOf: make([]int, B), rowOf: make([]int, B), steps: make([]int, B),
		tokens: make([]int32, B*S), puzzleIDs: make([]int32, B),
		x: f(B * T * D), zH: f(B * T * D), zL: f(B * T * D), inj: f(B * T * D),
		qkv: f(B * z.qkv), att: f(B * T * D), tmp: f(B * T * D),
		gu: f(B * z.gu), hid: f(B * z.hid),
		logits: f(B * S * V), q: f(2 * B), rowBuf: f(T * D), pred: make([]int32, S),
	}
	if m.quantized() {
		s.acts = quant.Activations{Q: make([]int8, B*z.actQ), Scale: f(B * z.actRows)}
	}
	s.pool = newPool(threads)
	if c.Attention() {
		for range threads {
			s.attnWS = append(s.attnWS, f(asm.AttentionWorkspace(T, c.HeadDim())))
		}
	}
	s.jobF32, s.jobQuantize, s.jobS8, s.jobAttn, s.jobRows, s.jobTranspose = s.runF32, s.runQuantize, s.runS8, s.runAttn, s.runRows, s.runTranspose
	s.jobS8SwiGLU = s.runS8SwiGLU
	return s, nil
}

// Threads is the number of workers the session runs on.
func (s *Session) Threads() int { return s.pool.n }

// Close stops the session's workers. The session must not be used after.
func (s *Session) Close() {
	if s.pool != nil {
		s.pool.close()
	}
}

// Model returns the model the session runs.
func (s *Session) Model() *Model { return s.m }

// MaxBatch is the largest batch the session accepts.
func (s *Session) MaxBatch() int { return s.maxBatch }

// Batch is the number of sequences of the current batch.
func (s *Session) Batch() int { return s.n }

// Begin starts a batch: tokens holds n·seq_len token ids, puzzleIDs n ids.
// Every carry is reset to H_init/L_init and every step count to zero.
func (s *Session) Begin(tokens, puzzleIDs []int32) error {
	c := s.m.Cfg
	S := c.SeqLen
	n := len(puzzleIDs)
	if n < 1 || n > s.maxBatch {
		return fmt.Errorf("batch of %d sequences, want 1..%d", n, s.maxBatch)
	}
	if len(tokens) != n*S {
		return fmt.Errorf("got %d tokens for %d sequences of %d", len(tokens), n, S)
	}
	for i, t := range tokens {
		if t < 0 || int(t) >= c.VocabSize {
			return fmt.Errorf("sequence %d position %d: token %d outside vocabulary 0..%d", i/S, i%S, t, c.VocabSize-1)
		}
	}
	for i, p := range puzzleIDs {
		if p < 0 || int(p) >= c.NumPuzzleIdentifiers {
			return fmt.Errorf("sequence %d: puzzle id %d outside 0..%d", i, p, c.NumPuzzleIdentifiers-1)
		}
		if err := s.m.checkPuzzleRow(p); err != nil {
			return fmt.Errorf("sequence %d: %w", i, err)
		}
	}
	s.n, s.nActive = n, n
	copy(s.tokens, tokens)
	copy(s.puzzleIDs, puzzleIDs)
	TD := c.TotalLen() * c.HiddenSize
	for i := 0; i < n; i++ {
		s.slotOf[i], s.rowOf[i], s.steps[i] = i, i, 0
		s.m.embedInputs(s.x[i*TD:(i+1)*TD], tokens[i*S:(i+1)*S], puzzleIDs[i])
		s.resetCarry(i)
	}
	return nil
}

func (s *Session) resetCarry(slot int) {
	D, TD := s.m.Cfg.HiddenSize, s.m.Cfg.TotalLen()*s.m.Cfg.HiddenSize
	zH, zL := s.zH[slot*TD:(slot+1)*TD], s.zL[slot*TD:(slot+1)*TD]
	for p := 0; p < TD; p += D {
		copy(zH[p:p+D], s.m.hInit)
		copy(zL[p:p+D], s.m.lInit)
	}
}

// Segment runs one ACT segment on every sequence that has not halted.
func (s *Session) Segment() {
	if s.nActive == 0 {
		return
	}
	s.m.segment(s, s.nActive)
	for i := 0; i < s.nActive; i++ {
		s.steps[i]++
	}
}

// Options controls Run.
type Options struct {
	// Steps is the segment budget; 0 means the model's halt_max_steps. It
	// may exceed halt_max_steps (inference-time scaling).
	Steps int
	Halt  HaltMode
	// OnSegment, if set, is called after every segment with the 1-based
	// step number, before halted sequences are retired.
	OnSegment func(step int)
	// Observer, if set, is shown the state after every segment and, if it
	// asks, after every inner update.
	Observer *Observer
	// Accept is HaltValid's verifier: called after every segment for each
	// running row with its prediction (a view, valid during the call), it
	// reports whether the answer is acceptable.
	Accept func(row int, pred []int32) bool
}

// Observer watches a run's intermediate states: the prediction, the
// confidence of each cell's top choice, the Q values and the raw carry.
// Without Updates it costs nothing beyond the callback; with Updates every
// inner update also runs the heads (lm_head over z_H, the Q head) so that
// its prediction can be read. Either way a run allocates nothing.
type Observer struct {
	// Updates asks for a call after every inner update (z_L and z_H
	// updates) as well as after every segment.
	Updates bool
	// OnState is called on the Session's goroutine; st is valid only during
	// the call.
	OnState func(st *State)
}

// State is the view of a session that an Observer is shown.
type State struct {
	s *Session
	// Step is the 1-based ACT segment the state belongs to.
	Step int
	// Round and Update place an inner state: round h in [0, H_cycles), and
	// Update l in [0, L_cycles) for the latent updates or L_cycles for the
	// answer update. Both are -1 for the state at the end of the segment.
	Round, Update int
}

// AtSegmentEnd reports whether the state is the end of a segment (the
// outputs a run returns), not an inner update.
func (st *State) AtSegmentEnd() bool { return st.Update < 0 }

// Rows is the batch size; Active tells whether a row is still running (a
// halted row's state is the one it halted with).
func (st *State) Rows() int { return st.s.n }

// Active reports whether row still runs.
func (st *State) Active(row int) bool { return !st.s.Halted(row) }

// Predict writes row's argmax tokens of lm_head(z_H) into dst[S].
func (st *State) Predict(row int, dst []int32) { st.s.Predict(row, dst) }

// Confidence writes, per cell, the softmax probability of row's top choice
// into dst[S].
func (st *State) Confidence(row int, dst []float32) {
	V := st.s.m.Cfg.VocabSize
	lg := st.s.Logits(row)
	for i := range dst[:st.s.m.Cfg.SeqLen] {
		v := lg[i*V : (i+1)*V]
		mx := v[0]
		for _, x := range v[1:] {
			mx = max(mx, x)
		}
		var sum float64
		for _, x := range v {
			sum += math.Exp(float64(x - mx))
		}
		dst[i] = float32(1 / sum)
	}
}

// Q is row's halt and continue logits.
func (st *State) Q(row int) (halt, cont float32) { return st.s.Q(row) }

// Logits is a view of row's logits [S, V].
func (st *State) Logits(row int) []float32 { return st.s.Logits(row) }

// Carry is a view of row's recurrent state z_H and z_L, each [T, D].
func (st *State) Carry(row int) (zH, zL []float32) { return st.s.Carry(row) }

// observe shows the observer the state after inner update (round,
// update) of the segment running now: the heads run on the current z_H
// first (the segment's end recomputes them). Active slots are a prefix
// that started together, so slot 0's count is the segment's.
func (s *Session) observe(round, update int) {
	s.m.heads(s, s.nActive)
	s.state = State{s: s, Step: s.steps[0] + 1, Round: round, Update: update}
	s.obs.OnState(&s.state)
}

// ErrNoBatch is returned by Run when Begin has not been called.
var ErrNoBatch = errors.New("session: no batch (call Begin first)")

// Run executes the ACT loop on the batch started by Begin.
func (s *Session) Run(opt Options) error {
	if s.n == 0 {
		return ErrNoBatch
	}
	budget := opt.Steps
	if budget == 0 {
		budget = s.m.Cfg.HaltMaxSteps
	}
	if budget < 0 || budget > maxSteps {
		return fmt.Errorf("steps %d out of range 1..%d", budget, maxSteps)
	}
	if opt.Halt == HaltValid && opt.Accept == nil {
		return fmt.Errorf("halt mode valid needs a verifier (Options.Accept)")
	}
	if opt.Observer != nil && opt.Observer.OnState != nil {
		s.obs = opt.Observer
		defer func() { s.obs = nil }()
	}
	for step := 1; step <= budget && s.nActive > 0; step++ {
		s.Segment()
		if opt.OnSegment != nil {
			opt.OnSegment(step)
		}
		if s.obs != nil {
			s.state = State{s: s, Step: step, Round: -1, Update: -1}
			s.obs.OnState(&s.state)
		}
		for slot := s.nActive - 1; slot >= 0; slot-- {
			halt := step == budget
			switch opt.Halt {
			case HaltQ:
				halt = halt || s.m.halts(s.q[2*slot], s.q[2*slot+1])
			case HaltValid:
				if !halt {
					pred := s.pred[:s.m.Cfg.SeqLen]
					s.predictSlot(slot, pred)
					halt = opt.Accept(s.rowOf[slot], pred)
				}
			}
			if halt {
				s.retire(slot)
			}
		}
	}
	return nil
}

// retire moves a halted slot behind the active ones, so segments keep
// running on a contiguous prefix of the buffers.
func (s *Session) retire(slot int) {
	last := s.nActive - 1
	if slot != last {
		s.swapSlots(slot, last)
	}
	s.nActive--
}

func (s *Session) swapSlots(a, b int) {
	c := s.m.Cfg
	TD, SV, S := c.TotalLen()*c.HiddenSize, c.SeqLen*c.VocabSize, c.SeqLen
	swapF := func(buf []float32, n int) {
		x, y := buf[a*n:(a+1)*n], buf[b*n:(b+1)*n]
		t := s.rowBuf[:n]
		copy(t, x)
		copy(x, y)
		copy(y, t)
	}
	swapF(s.x, TD)
	swapF(s.zH, TD)
	swapF(s.zL, TD)
	swapF(s.logits, SV)
	swapF(s.q, 2)
	for i := 0; i < S; i++ {
		s.tokens[a*S+i], s.tokens[b*S+i] = s.tokens[b*S+i], s.tokens[a*S+i]
	}
	s.puzzleIDs[a], s.puzzleIDs[b] = s.puzzleIDs[b], s.puzzleIDs[a]
	s.steps[a], s.steps[b] = s.steps[b], s.steps[a]
	ra, rb := s.rowOf[a], s.rowOf[b]
	s.rowOf[a], s.rowOf[b] = rb, ra
	s.slotOf[ra], s.slotOf[rb] = b, a
}

func (s *Session) slot(row int) int {
	if row < 0 || row >= s.n {
		panic(fmt.Sprintf("session: row %d outside batch of %d", row, s.n))
	}
	return s.slotOf[row]
}

// Logits returns a view of row's latest logits [S, V].
func (s *Session) Logits(row int) []float32 {
	SV := s.m.Cfg.SeqLen * s.m.Cfg.VocabSize
	k := s.slot(row)
	return s.logits[k*SV : (k+1)*SV]
}

// Q returns row's latest halt and continue logits.
func (s *Session) Q(row int) (halt, cont float32) {
	k := s.slot(row)
	return s.q[2*k], s.q[2*k+1]
}

// Steps is the number of segments row has run.
func (s *Session) Steps(row int) int { return s.steps[s.slot(row)] }

// Halted reports whether row has stopped.
func (s *Session) Halted(row int) bool { return s.slot(row) >= s.nActive }

// Carry returns views of row's recurrent state z_H and z_L, each [T, D].
func (s *Session) Carry(row int) (zH, zL []float32) {
	TD := s.m.Cfg.TotalLen() * s.m.Cfg.HiddenSize
	k := s.slot(row)
	return s.zH[k*TD : (k+1)*TD], s.zL[k*TD : (k+1)*TD]
}

// SetCarry overwrites row's recurrent state (teacher forcing, resumption).
func (s *Session) SetCarry(row int, zH, zL []float32) error {
	h, l := s.Carry(row)
	if len(zH) != len(h) || len(zL) != len(l) {
		return fmt.Errorf("carry of %d/%d values, want %d", len(zH), len(zL), len(h))
	}
	copy(h, zH)
	copy(l, zL)
	return nil
}

// Predict writes row's argmax tokens (first maximum on ties) into dst[S].
func (s *Session) Predict(row int, dst []int32) { s.predictSlot(s.slot(row), dst) }

func (s *Session) predictSlot(slot int, dst []int32) {
	V, SV := s.m.Cfg.VocabSize, s.m.Cfg.SeqLen*s.m.Cfg.VocabSize
	lg := s.logits[slot*SV : (slot+1)*SV]
	for i := range dst[:s.m.Cfg.SeqLen] {
		v := lg[i*V : (i+1)*V]
		best := 0
		for j := 1; j < V; j++ {
			if v[j] > v[best] {
				best = j
			}
		}
		dst[i] = int32(best)
	}
}
