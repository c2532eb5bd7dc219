package trainer

import (
	"errors"
	"fmt"
	"math"
	"math/rand/v2"
	goruntime "runtime"
	"sync"

	"github.com/hrmgo/hrm/runtime"
	"github.com/hrmgo/hrm/trainer/data"
)

// Config is a training run's hyperparameters (spec §4.5 names).
type Config struct {
	Model       runtime.Config `json:"model"`
	Vocab       runtime.Vocab  `json:"vocab"`
	Batch       int            `json:"global_batch_size"`
	Steps       int            `json:"total_steps"`
	LR          float64        `json:"lr"`
	PuzzleLR    float64        `json:"puzzle_emb_lr"`
	WeightDecay float64        `json:"weight_decay"`
	PuzzleWD    float64        `json:"puzzle_emb_weight_decay"`
	Beta1       float64        `json:"beta1"`
	Beta2       float64        `json:"beta2"`
	Warmup      int            `json:"lr_warmup_steps"`
	LRMinRatio  float64        `json:"lr_min_ratio"`
	Loss        string         `json:"loss_type"` // stablemax_cross_entropy or softmax_cross_entropy
	// EMA is the rate of an exponential moving average of the trainable
	// weights (TRM's recipe: 0.999), used for evaluation and export; 0 off.
	EMA          float64 `json:"ema_rate,omitempty"`
	Seed         uint64  `json:"seed"`
	Threads      int     `json:"-"`
	DataPosition uint64  `json:"-"`
}

// Validate checks the hyperparameters.
func (c Config) Validate() error {
	if err := c.Model.Validate(); err != nil {
		return err
	}
	if err := c.Vocab.Validate(c.Model.VocabSize); err != nil {
		return err
	}
	switch {
	case c.Batch < 1 || c.Batch > 1<<16:
		return fmt.Errorf("batch %d out of range", c.Batch)
	case c.Steps < 1:
		return fmt.Errorf("steps %d: want at least 1", c.Steps)
	// Every float bound is written so that NaN fails it (NaN compares
	// false), and the upper bounds exclude ±Inf.
	case !(c.LR > 0 && c.LR < 1), !(c.PuzzleLR >= 0 && c.PuzzleLR < 10):
		return fmt.Errorf("learning rates %g / %g out of range", c.LR, c.PuzzleLR)
	case !(c.WeightDecay >= 0 && c.WeightDecay*c.LR < 1), !(c.PuzzleWD >= 0 && c.PuzzleWD*c.PuzzleLR < 1 && c.PuzzleWD < 1e6):
		return fmt.Errorf("weight decay %g / %g out of range (lr·wd must be below 1)", c.WeightDecay, c.PuzzleWD)
	case !(c.Beta1 >= 0 && c.Beta1 < 1 && c.Beta2 >= 0 && c.Beta2 < 1):
		return fmt.Errorf("betas %g, %g out of [0, 1)", c.Beta1, c.Beta2)
	case c.Warmup < 0, !(c.LRMinRatio >= 0 && c.LRMinRatio <= 1):
		return fmt.Errorf("warm-up %d / min ratio %g out of range", c.Warmup, c.LRMinRatio)
	case c.Loss != "stablemax_cross_entropy" && c.Loss != "softmax_cross_entropy":
		return fmt.Errorf("loss %q: want stablemax_cross_entropy or softmax_cross_entropy", c.Loss)
	case !(c.EMA >= 0 && c.EMA < 1):
		return fmt.Errorf("ema rate %g: want [0, 1) (0: no EMA)", c.EMA)
	}
	return nil
}

// maxChunks bounds the number of row chunks a batch is split into; see
// chunk.
const maxChunks = 8

// chunk owns the rows [lo, hi) of the batch: their carry, activations and
// a private gradient buffer. The split depends on the batch size alone and
// chunks are reduced in order, so a run's every number is the same whatever
// the thread count (threads take chunks; they do not change them), and a
// run resumed with other -threads, or on a machine with other cores,
// continues exactly.
type chunk struct {
	lo, hi int
	net    *net[float32]
	g      *weights[float32]
	sess   *runtime.Session // HRM: the extra no-grad segment for the Q target
	labels []int32
	stats  rowStats
}

// rowStats sums the per-row results of one step.
type rowStats struct {
	lmLoss, qHaltLoss, qContLoss float64
	count, exact, qHaltAcc       int
	tokAcc                       float64
	steps                        int
}

// Trainer runs the training loop of HRM or TRM: one optimizer step per ACT
// segment, with the carry persisting across steps (deep supervision).
type Trainer struct {
	Cfg Config

	w, m1, m2 *weights[float32]
	rt        *runtime.Model // inference view over w (shared memory)
	// ema is the moving average of w's trainable ranges (nil without EMA);
	// evalW is w with those ranges replaced by it, and evalRT the model
	// over evalW that evaluation and export use.
	ema, evalW *weights[float32]
	evalRT     *runtime.Model
	chunks     []*chunk
	threads    int  // goroutines that run the chunks
	failed     bool // a step failed (non-finite loss or gradient): the state is not a run's
	src        data.Source
	pos        uint64 // next data position
	step       int
	rng        *rand.PCG // exploration draws

	steps  []int
	halted []bool
	cur    []data.Example

	trainable [][2]int // ranges of w.flat that AdamATan2 updates
}

// New initialises a model as the official code does and prepares a run.
func New(cfg Config, src data.Source) (*Trainer, error) {
	if err := cfg.Validate(); err != nil {
		return nil, err
	}
	mc := cfg.Model
	t := &Trainer{Cfg: cfg, src: src, w: newWeights[float32](mc), m1: newWeights[float32](mc), m2: newWeights[float32](mc),
		rng: rand.NewPCG(cfg.Seed, 0x7e57), steps: make([]int, cfg.Batch), halted: make([]bool, cfg.Batch), cur: make([]data.Example, cfg.Batch)}
	rng := rand.New(rand.NewPCG(cfg.Seed, 0x1417))
	for _, sp := range mc.TensorSpecs() {
		v := t.w.byName[sp.Name]
		switch sp.Name {
		case runtime.KeyHInit, runtime.KeyLInit:
			truncNormal(v, 1, rng)
			for i := range v {
				v[i] = bf16Round(v[i])
			}
		case runtime.KeyQHeadW, runtime.KeyPuzzleEmb:
			clear(v)
		case runtime.KeyQHeadB:
			v[0], v[1] = -5, -5
		default:
			// CastedLinear: 1/√in_features (the last dimension); the
			// embeddings' 1/embed_scale = 1/√D is the same rule.
			truncNormal(v, 1/math.Sqrt(float64(sp.Shape[len(sp.Shape)-1])), rng)
		}
	}
	if cfg.EMA > 0 {
		// As the official EMAHelper.register: the average starts at the
		// initial weights.
		t.ema = newWeights[float32](mc)
		copy(t.ema.flat, t.w.flat)
	}
	return t, t.setup()
}

// trainableRanges are the ranges of a weights flat buffer that the
// optimizer updates (and EMA averages): every tensor but the H_init/L_init
// buffers and the puzzle table, which sign-SGD trains.
func trainableRanges(mc runtime.Config) [][2]int {
	var out [][2]int
	off := 0
	for _, sp := range mc.TensorSpecs() {
		n := numel(sp.Shape)
		switch sp.Name {
		case runtime.KeyHInit, runtime.KeyLInit, runtime.KeyPuzzleEmb:
		default:
			out = append(out, [2]int{off, off + n})
		}
		off += n
	}
	return out
}

// setup builds the chunks and the trainable ranges; everything else is
// derived from the state in w, m1, m2 and the carry.
func (t *Trainer) setup() error {
	mc := t.Cfg.Model
	var err error
	if t.rt, err = runtime.New(mc, t.Cfg.Vocab, t.w.byName); err != nil {
		return err
	}
	t.trainable = trainableRanges(mc)
	if t.ema != nil {
		t.evalW = newWeights[float32](mc)
		copy(t.evalW.flat, t.w.flat)
		if t.evalRT, err = runtime.New(mc, t.Cfg.Vocab, t.evalW.byName); err != nil {
			return err
		}
	}
	nc := min(maxChunks, t.Cfg.Batch)
	t.threads = t.Cfg.Threads
	if t.threads <= 0 {
		t.threads = goruntime.GOMAXPROCS(0)
	}
	t.threads = min(t.threads, nc)
	t.chunks = nil
	for k := 0; k < nc; k++ {
		lo, hi := k*t.Cfg.Batch/nc, (k+1)*t.Cfg.Batch/nc
		g := newWeights[float32](mc)
		var sess *runtime.Session
		if mc.Arch == runtime.ArchHRM {
			if sess, err = t.rt.NewSession(hi-lo, 1); err != nil { // the chunks are the parallelism
				return err
			}
		}
		t.chunks = append(t.chunks, &chunk{lo: lo, hi: hi, net: newNet(mc, t.w, g, hi-lo), g: g, sess: sess,
			labels: make([]int32, (hi-lo)*mc.SeqLen)})
	}
	if t.step == 0 {
		for i := range t.halted {
			t.halted[i] = true // the initial carry forces a reset (spec §2.1)
		}
	}
	return nil
}

// Model is an inference model over the current weights (shared memory: it
// changes as training proceeds).
func (t *Trainer) Model() *runtime.Model { return t.rt }

// EvalModel is the model to evaluate and export: the current weights, or
// with EMA their moving average (the puzzle table and H_init/L_init, which
// EMA does not average, are the current ones). It shares memory with the
// trainer and is refreshed by each call; do not use it across Steps.
func (t *Trainer) EvalModel() *runtime.Model {
	if t.ema == nil {
		return t.rt
	}
	copy(t.evalW.flat, t.w.flat)
	for _, rg := range t.trainable {
		copy(t.evalW.flat[rg[0]:rg[1]], t.ema.flat[rg[0]:rg[1]])
	}
	return t.evalRT
}

// StepCount is the number of optimizer steps taken.
func (t *Trainer) StepCount() int { return t.step }

// StepResult is what one training step reports.
type StepResult struct {
	Step          int     `json:"step"`
	LR            float64 `json:"lr"`
	Loss          float64 `json:"loss"` // total loss / batch
	LMLoss        float64 `json:"lm_loss"`
	QHaltLoss     float64 `json:"q_halt_loss"`
	QContLoss     float64 `json:"q_continue_loss"`
	Count         int     `json:"count"` // rows that halted this step
	Accuracy      float64 `json:"accuracy"`
	ExactAccuracy float64 `json:"exact_accuracy"`
	QHaltAccuracy float64 `json:"q_halt_accuracy"`
	MeanSteps     float64 `json:"steps"`
}

// Step takes one optimizer step on one ACT segment of the batch.
func (t *Trainer) Step() (StepResult, error) {
	if t.failed {
		return StepResult{}, errFailed
	}
	c, mc := t.Cfg, t.Cfg.Model
	S, TD, D := mc.SeqLen, mc.TotalLen()*mc.HiddenSize, mc.HiddenSize
	// Halted rows take new examples and restart from H_init/L_init.
	for r := range t.halted {
		if !t.halted[r] {
			continue
		}
		ex, err := t.src.At(t.pos)
		if err != nil {
			return StepResult{}, err
		}
		if len(ex.Inputs) != S || len(ex.Labels) != S {
			return StepResult{}, fmt.Errorf("example at %d has %d tokens, the model reads %d", t.pos, len(ex.Inputs), S)
		}
		t.pos++
		t.cur[r], t.steps[r], t.halted[r] = ex, 0, false
		w := t.chunkOf(r)
		i := r - w.lo
		zH, zL := w.net.zH[i*TD:(i+1)*TD], w.net.zL[i*TD:(i+1)*TD]
		for p := 0; p < TD; p += D {
			copy(zH[p:p+D], t.w.hInit)
			copy(zL[p:p+D], t.w.lInit)
		}
	}
	// Exploration draws happen here, in row order, so results do not depend
	// on the chunking.
	minSteps := make([]int, c.Batch)
	rng := rand.New(t.rng)
	for r := range minSteps {
		if rng.Float64() < mc.HaltExplorationProb {
			minSteps[r] = 2 + rng.IntN(max(1, mc.HaltMaxSteps-1))
		}
	}
	t.step++
	lr := lrAt(c.LR, t.step, c.Warmup, c.Steps, c.LRMinRatio)
	plr := lrAt(c.PuzzleLR, t.step, c.Warmup, c.Steps, c.LRMinRatio)

	var wg sync.WaitGroup
	errs := make([]error, len(t.chunks))
	for th := 0; th < t.threads; th++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for k := th; k < len(t.chunks); k += t.threads {
				errs[k] = t.runChunk(t.chunks[k], minSteps)
			}
		}()
	}
	wg.Wait()
	if err := errors.Join(errs...); err != nil {
		t.failed = true
		return StepResult{}, err
	}

	var st rowStats
	for _, w := range t.chunks {
		s := w.stats
		st.lmLoss += s.lmLoss
		st.qHaltLoss += s.qHaltLoss
		st.qContLoss += s.qContLoss
		st.count += s.count
		st.exact += s.exact
		st.qHaltAcc += s.qHaltAcc
		st.tokAcc += s.tokAcc
		st.steps += s.steps
	}
	B := float64(c.Batch)
	res := StepResult{Step: t.step, LR: lr, LMLoss: st.lmLoss / B, QHaltLoss: st.qHaltLoss / B, QContLoss: st.qContLoss / B, Count: st.count}
	res.Loss = res.LMLoss + 0.5*(res.QHaltLoss+res.QContLoss)
	if st.count > 0 {
		n := float64(st.count)
		res.Accuracy, res.ExactAccuracy = st.tokAcc/n, float64(st.exact)/n
		res.QHaltAccuracy, res.MeanSteps = float64(st.qHaltAcc)/n, float64(st.steps)/n
	}

	// Reduce gradients into chunk 0, in chunk order.
	g0 := t.chunks[0].g.flat
	for _, w := range t.chunks[1:] {
		for i, v := range w.g.flat {
			g0[i] += v
		}
	}
	// Nothing is updated from a non-finite loss or gradient: the weights,
	// moments and puzzle rows stay those of the last good step, and the
	// trainer refuses to go on or to save (the carry has moved on).
	if !finite(res.Loss) {
		t.failed = true
		return res, fmt.Errorf("step %d: loss is %v; nothing was updated", t.step, res.Loss)
	}
	if i := firstNonFinite(g0); i >= 0 {
		t.failed = true
		return res, fmt.Errorf("step %d: gradient element %d is %v; nothing was updated", t.step, i, g0[i])
	}
	for _, w := range t.chunks {
		if i := firstNonFinite(w.net.dpuzzle); i >= 0 {
			t.failed = true
			return res, fmt.Errorf("step %d: puzzle-embedding gradient element %d is %v; nothing was updated", t.step, i, w.net.dpuzzle[i])
		}
	}
	for _, rg := range t.trainable {
		adamATan2(t.w.flat[rg[0]:rg[1]], g0[rg[0]:rg[1]], t.m1.flat[rg[0]:rg[1]], t.m2.flat[rg[0]:rg[1]], lr, c.WeightDecay, c.Beta1, c.Beta2, t.step)
		if t.ema != nil {
			emaUpdate(t.ema.flat[rg[0]:rg[1]], t.w.flat[rg[0]:rg[1]], c.EMA)
		}
	}
	t.updatePuzzleEmb(plr)
	return res, nil
}

// errFailed is returned by Step and SaveCheckpoint after a step failed.
var errFailed = errors.New("trainer: an earlier step failed (non-finite loss or gradient); resume from the last checkpoint")

func finite(x float64) bool { return !math.IsNaN(x) && !math.IsInf(x, 0) }

func firstNonFinite(v []float32) int {
	for i, x := range v {
		if x-x != 0 { // NaN or ±Inf
			return i
		}
	}
	return -1
}

// StepMACs is the multiply-add count of one training step per row of the
// batch: the segment's forward, the backward of the blocks the recipe
// differentiates (twice their forward: the input and the weight gradients)
// and, for HRM, the extra no-grad segment of its Q-continue target.
func StepMACs(mc runtime.Config) float64 {
	grad := mc.LLayers + mc.HLayers // HRM: the last L and the last H update
	fwd := mc.SegmentMACs()
	if mc.Arch == runtime.ArchTRM {
		grad = (mc.LCycles + 1) * mc.LLayers
	} else {
		fwd *= 2
	}
	return fwd + 2*float64(grad)*mc.BlockMACs()
}

func (t *Trainer) chunkOf(r int) *chunk {
	for _, w := range t.chunks {
		if r < w.hi {
			return w
		}
	}
	panic("row outside batch")
}

// runChunk does forward, halting, the Q target, loss and backward for the
// chunk's rows.
func (t *Trainer) runChunk(w *chunk, minSteps []int) error {
	mc := t.Cfg.Model
	S, V, TD := mc.SeqLen, mc.VocabSize, mc.TotalLen()*mc.HiddenSize
	n := w.hi - w.lo
	m := w.net
	for i := 0; i < n; i++ {
		ex := t.cur[w.lo+i]
		for j, tok := range ex.Inputs {
			m.tokens[i*S+j] = int32(tok)
		}
		copy(w.labels[i*S:(i+1)*S], ex.Labels)
		m.pids[i] = ex.PuzzleID
	}
	clear(w.g.flat)
	m.forward()

	// HRM's Q-continue target needs one more segment from the new carry,
	// without gradient (spec §2.2). TRM has no Q-continue loss
	// (no_ACT_continue): its halting head learns "this answer is right".
	trm := mc.Arch == runtime.ArchTRM
	if !trm {
		if err := w.sess.Begin(m.tokens, m.pids); err != nil {
			return err
		}
		for i := 0; i < n; i++ {
			if err := w.sess.SetCarry(i, m.zH[i*TD:(i+1)*TD], m.zL[i*TD:(i+1)*TD]); err != nil {
				return err
			}
		}
		w.sess.Segment()
	}

	B := float64(t.Cfg.Batch)
	w.stats = rowStats{}
	ce := stablemaxCE[float32]
	if t.Cfg.Loss == "softmax_cross_entropy" {
		ce = softmaxCE[float32]
	}
	for i := 0; i < n; i++ {
		r := w.lo + i
		t.steps[r]++
		lg := m.logits[i*S*V : (i+1)*S*V]
		dl := m.dlogits[i*S*V : (i+1)*S*V]
		labels := w.labels[i*S : (i+1)*S]
		count, correct := 0, 0
		for _, l := range labels {
			if l != data.IgnoreLabel {
				count++
			}
		}
		div := float64(max(count, 1))
		var lm float64
		for p, l := range labels {
			g := dl[p*V : (p+1)*V]
			if l == data.IgnoreLabel {
				clear(g)
				continue
			}
			lm += ce(lg[p*V:(p+1)*V], int(l), g, 1/(div*B))
			if argmax(lg[p*V:(p+1)*V]) == int(l) {
				correct++
			}
		}
		seqCorrect := correct == count
		qh, qc := float64(m.q[2*i]), float64(m.q[2*i+1])
		isLast := t.steps[r] >= mc.HaltMaxSteps
		halt := isLast || (!trm && qh > qc) || (trm && qh > 0)
		if minSteps[r] > 0 {
			halt = halt && t.steps[r] >= minSteps[r]
		}
		sc := 0.0
		if seqCorrect {
			sc = 1
		}
		lh, gh := bceLogits(qh, sc)
		var lc, gc float64
		if !trm {
			nqh, nqc := w.sess.Q(i)
			target := float64(nqh)
			if !isLast {
				target = math.Max(float64(nqh), float64(nqc))
			}
			lc, gc = bceLogits(qc, 1/(1+math.Exp(-target)))
		}
		m.dq[2*i], m.dq[2*i+1] = float32(0.5*gh/B), float32(0.5*gc/B)
		w.stats.lmLoss += lm / div
		w.stats.qHaltLoss += lh
		w.stats.qContLoss += lc
		t.halted[r] = halt
		if halt && count > 0 {
			w.stats.count++
			w.stats.tokAcc += float64(correct) / div
			w.stats.steps += t.steps[r]
			if seqCorrect {
				w.stats.exact++
			}
			if (qh >= 0) == seqCorrect {
				w.stats.qHaltAcc++
			}
		}
	}
	m.backward()
	return nil
}

func argmax[T Float](v []T) int {
	best := 0
	for j := 1; j < len(v); j++ {
		if v[j] > v[best] {
			best = j
		}
	}
	return best
}

// updatePuzzleEmb applies sign-SGD to the puzzle rows used in this batch,
// summing the gradients of rows that share an id.
func (t *Trainer) updatePuzzleEmb(lr float64) {
	nd := t.Cfg.Model.PuzzleEmbNdim
	if nd == 0 {
		return
	}
	sum := map[int32][]float32{}
	for _, w := range t.chunks {
		for i, id := range w.net.pids[:w.hi-w.lo] {
			g, ok := sum[id]
			if !ok {
				g = make([]float32, nd)
				sum[id] = g
			}
			for j, v := range w.net.dpuzzle[i*nd : (i+1)*nd] {
				g[j] += v
			}
		}
	}
	for id, g := range sum {
		signSGD(t.w.puzzle[int(id)*nd:int(id+1)*nd], g, lr, t.Cfg.PuzzleWD)
	}
}
