// Package trajectory records what a recursive reasoning model predicts at
// every step of a run and renders it as one self-contained HTML page: the
// grid at every step, shaded by confidence, with the cells that changed
// marked, a slider, a play button and charts of the Q values and of the
// changes per step. hrm-run -html writes such a page; the browser build
// (web/) shows the same viewer while the model runs.
package trajectory

import (
	"encoding/json"
	"fmt"
	"math"
	"strconv"
	"strings"

	"github.com/hrmgo/hrm/runtime"
	"github.com/hrmgo/hrm/task/sudoku"
)

// Trajectory is one puzzle's run as the viewer shows it. Cells are row-major;
// a digit is 1..Side, 0 a blank (Puzzle) or a prediction that is no digit.
type Trajectory struct {
	Model    string `json:"model"`    // the model's name, for the page title
	Describe string `json:"describe"` // its architecture in one line
	Task     string `json:"task"`     // "sudoku"
	Side     int    `json:"side"`
	Box      int    `json:"box"`
	Puzzle   []int  `json:"puzzle"`
	// Solution is the puzzle's unique solution when it has exactly one
	// (the viewer marks wrong predictions against it), else nil.
	Solution []int `json:"solution"`
	// HaltRule names when the Q head says halt, for the chart's legend.
	HaltRule string `json:"halt_rule"`
	Budget   int    `json:"budget"` // the segment budget of the run
	Steps    []Step `json:"steps"`
	// Segments is how many segments ran; Solved whether the last
	// prediction is a valid solution of the puzzle.
	Segments int  `json:"segments"`
	Solved   bool `json:"solved"`
}

// Step is the prediction after one segment or, when inner updates are
// recorded, after one update within a segment.
type Step struct {
	Segment int `json:"segment"` // 1-based
	// Round and Update place an inner state as runtime.State does; both
	// are -1 at the end of a segment.
	Round  int    `json:"round"`
	Update int    `json:"update"`
	Pred   []int  `json:"pred"`
	Conf   []Prob `json:"conf"` // softmax probability of each cell's top choice
	QHalt  Num    `json:"q_halt"`
	QCont  Num    `json:"q_continue"`
}

// SegmentEnd reports whether the step is the end of a segment.
func (s *Step) SegmentEnd() bool { return s.Update < 0 }

// Prob is a probability written with three decimals: the page shows shades,
// and 81 cells × dozens of steps at full float precision would triple its
// size.
type Prob float32

func (p Prob) MarshalJSON() ([]byte, error) {
	f := float64(p)
	if math.IsNaN(f) || math.IsInf(f, 0) {
		return []byte("null"), nil
	}
	return strconv.AppendFloat(nil, f, 'f', 3, 32), nil
}

// Num is a float that a broken model may make NaN or infinite; JSON has no
// such numbers, so those are written as null (the page draws a gap).
type Num float32

func (n Num) MarshalJSON() ([]byte, error) {
	f := float64(n)
	if math.IsNaN(f) || math.IsInf(f, 0) {
		return []byte("null"), nil
	}
	return strconv.AppendFloat(nil, f, 'g', 5, 32), nil
}

// JSON encodes t; encoding/json escapes <, > and &, so the result can sit
// inside a <script> element as it is.
func (t *Trajectory) JSON() ([]byte, error) { return json.Marshal(t) }

// StepJSON encodes one step, for pages that receive steps as they come.
func StepJSON(s *Step) ([]byte, error) { return json.Marshal(s) }

// ParsePuzzle reads a Sudoku of the model's size (cells 81 or 16) and
// refuses givens that break the rules, which no model can solve.
func ParsePuzzle(s string, cells int) (sudoku.Grid, error) {
	s = strings.TrimSpace(s)
	if len(s) != cells {
		side := sudoku.Side(cells)
		return nil, fmt.Errorf("sudoku has %d characters, this model reads %d×%d = %d", len(s), side, side, cells)
	}
	g, err := sudoku.Parse(s)
	if err != nil {
		return nil, err
	}
	return g, g.CheckGivens()
}

// Normalize turns pasted text into the one-line form: whitespace and the
// rule characters of a drawn grid ('|', '+', '-') are dropped, '_' and '*'
// are blanks. A pasted grid as sudoku.Grid.Grid prints it becomes its
// 81 (or 16) characters; anything else is left for ParsePuzzle to name.
func Normalize(s string) string {
	var b strings.Builder
	for _, r := range s {
		switch r {
		case ' ', '\t', '\n', '\r', '|', '+', '-':
		case '_', '*':
			b.WriteByte('.')
		default:
			b.WriteRune(r)
		}
	}
	return b.String()
}

// Recorder is an Observer of one row of a Session's batch that collects its
// trajectory. It allocates per recorded step (the slices it keeps), which
// is the point of recording; an unobserved run stays allocation-free.
type Recorder struct {
	T *Trajectory
	// OnStep, if set, is called with every step as it is recorded (the
	// browser page draws them while the model runs).
	OnStep func(*Step)

	row     int
	updates bool
	pred    []int32
	conf    []float32
}

// NewRecorder prepares the trajectory of puzzle, which must be row `row`
// of the batch the session runs; with updates it records every inner
// update as well as every segment.
func NewRecorder(m *runtime.Model, name string, puzzle sudoku.Grid, row int, updates bool) (*Recorder, error) {
	c := m.Cfg
	if m.Vocab.Task != "sudoku" || len(puzzle) != c.SeqLen || sudoku.Side(c.SeqLen) == 0 {
		return nil, fmt.Errorf("trajectory: model %s reads %s with %d cells, puzzle has %d cells", name, m.Vocab.Task, c.SeqLen, len(puzzle))
	}
	t := &Trajectory{Model: name, Describe: c.Describe(), Task: "sudoku", Side: puzzle.Side(), Box: puzzle.Box(),
		Puzzle: ints(puzzle), HaltRule: "q_halt > q_continue", Budget: c.HaltMaxSteps}
	if c.Arch == runtime.ArchTRM {
		t.HaltRule = "q_halt > 0"
	}
	if sol, n, err := sudoku.Solve(puzzle); err == nil && n == 1 {
		t.Solution = ints(sol)
	}
	return &Recorder{T: t, row: row, updates: updates, pred: make([]int32, c.SeqLen), conf: make([]float32, c.SeqLen)}, nil
}

func ints(g sudoku.Grid) []int {
	v := make([]int, len(g))
	for i, d := range g {
		v[i] = int(d)
	}
	return v
}

// Observer returns the runtime.Observer to pass in runtime.Options.
func (r *Recorder) Observer() *runtime.Observer {
	return &runtime.Observer{Updates: r.updates, OnState: r.onState}
}

func (r *Recorder) onState(st *runtime.State) {
	if !st.Active(r.row) {
		return // halted: its state no longer changes
	}
	st.Predict(r.row, r.pred)
	st.Confidence(r.row, r.conf)
	qh, qc := st.Q(r.row)
	s := Step{Segment: st.Step, Round: st.Round, Update: st.Update,
		Pred: make([]int, len(r.pred)), Conf: make([]Prob, len(r.conf)), QHalt: Num(qh), QCont: Num(qc)}
	for i, t := range r.pred {
		if t > sudoku.BlankToken {
			s.Pred[i] = int(t) - sudoku.DigitBase
		}
		s.Conf[i] = Prob(r.conf[i])
	}
	r.T.Steps = append(r.T.Steps, s)
	if st.AtSegmentEnd() {
		r.T.Segments = st.Step
	}
	if r.OnStep != nil {
		r.OnStep(&r.T.Steps[len(r.T.Steps)-1])
	}
}

// Finish records the outcome from the last step: whether its prediction
// solves the puzzle. Call it after Run.
func (r *Recorder) Finish(budget int) *Trajectory {
	t := r.T
	if budget > 0 {
		t.Budget = budget
	}
	t.Solved = false
	if n := len(t.Steps); n > 0 {
		puz, sol := make(sudoku.Grid, len(t.Puzzle)), make(sudoku.Grid, len(t.Puzzle))
		ok := true
		for i, d := range t.Steps[n-1].Pred {
			ok = ok && d >= 1 && d <= t.Side
			puz[i], sol[i] = uint8(t.Puzzle[i]), uint8(d)
		}
		t.Solved = ok && sudoku.Verify(puz, sol) == nil
	}
	return t
}

// Run solves one puzzle on sess (batch of one, puzzle id 0) and returns
// its trajectory: the way the browser page and the tests run the model.
// With runtime.HaltValid and no opt.Accept, a prediction is accepted once
// it is a valid solution of the puzzle.
func Run(sess *runtime.Session, name string, puzzle sudoku.Grid, opt runtime.Options, updates bool, onStep func(*Step)) (*Trajectory, error) {
	rec, err := NewRecorder(sess.Model(), name, puzzle, 0, updates)
	if err != nil {
		return nil, err
	}
	rec.OnStep = onStep
	toks := make([]int32, len(puzzle))
	for i, t := range puzzle.Tokens() {
		toks[i] = int32(t)
	}
	if err := sess.Begin(toks, []int32{0}); err != nil {
		return nil, err
	}
	opt.Observer = rec.Observer()
	if opt.Halt == runtime.HaltValid && opt.Accept == nil {
		opt.Accept = func(_ int, pred []int32) bool {
			g, err := sudoku.FromTokens(pred)
			return err == nil && sudoku.Verify(puzzle, g) == nil
		}
	}
	if err := sess.Run(opt); err != nil {
		return nil, err
	}
	budget := opt.Steps
	if budget == 0 {
		budget = sess.Model().Cfg.HaltMaxSteps
	}
	return rec.Finish(budget), nil
}
