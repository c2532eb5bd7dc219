package trajectory

import (
	"bytes"
	"encoding/json"
	"math"
	"strings"
	"testing"

	"github.com/hrmgo/hrm/models"
	"github.com/hrmgo/hrm/runtime"
	"github.com/stretchr/testify/require"
)

func builtin(t testing.TB, b models.Builtin) *runtime.Session {
	m, err := runtime.LoadBytes(b.Name, b.File)
	require.NoError(t, err)
	s, err := m.NewSession(1, 1)
	require.NoError(t, err)
	t.Cleanup(func() { s.Close(); m.Close() })
	return s
}

// The built-in 9×9 model's sample, every inner update recorded: the steps
// follow the schedule, and the last is what the session itself predicts.
func TestRunRecordsEveryUpdate(t *testing.T) {
	s := builtin(t, models.Sudoku9)
	c := s.Model().Cfg
	g, err := ParsePuzzle(models.Sudoku9.Sample, 81)
	require.NoError(t, err)
	tr, err := Run(s, models.Sudoku9.Name, g, runtime.Options{}, true, nil)
	require.NoError(t, err)

	perSegment := c.HCycles*c.LCycles + c.HCycles
	require.Len(t, tr.Steps, c.HaltMaxSteps*perSegment)
	require.Equal(t, c.HaltMaxSteps, tr.Segments)
	require.True(t, tr.Solved, "the sample is one the model solves")
	require.NotNil(t, tr.Solution)
	for i, st := range tr.Steps {
		require.Equal(t, i/perSegment+1, st.Segment)
		k := i % perSegment
		if k == perSegment-1 {
			require.True(t, st.SegmentEnd())
		} else {
			require.Equal(t, k/(c.LCycles+1), st.Round)
			require.Equal(t, k%(c.LCycles+1), st.Update)
		}
		for _, p := range st.Conf {
			require.True(t, p > 0 && p <= 1.0001, "confidence %v", p)
		}
	}
	pred := make([]int32, 81)
	s.Predict(0, pred)
	last := tr.Steps[len(tr.Steps)-1]
	for i, tok := range pred {
		require.Equal(t, int(tok)-1, last.Pred[i])
	}
	qh, qc := s.Q(0)
	require.Equal(t, Num(qh), last.QHalt)
	require.Equal(t, Num(qc), last.QCont)
	for i, d := range tr.Puzzle {
		if d != 0 {
			require.Equal(t, d, tr.Solution[i])
		}
	}
}

// With -halt q a halted puzzle records no further steps.
func TestRunStopsAtHalt(t *testing.T) {
	s := builtin(t, models.Sudoku4)
	g, err := ParsePuzzle(models.Sudoku4.Sample, 16)
	require.NoError(t, err)
	tr, err := Run(s, "m", g, runtime.Options{Steps: 12, Halt: runtime.HaltQ}, false, nil)
	require.NoError(t, err)
	require.Equal(t, s.Steps(0), tr.Segments)
	require.Len(t, tr.Steps, tr.Segments)
	require.Less(t, tr.Segments, 12, "the 4×4 model's Q head halts this puzzle early")
	require.Equal(t, 12, tr.Budget)

	// HaltValid stops at the first segment whose grid verifies.
	tr, err = Run(s, "m", g, runtime.Options{Steps: 12, Halt: runtime.HaltValid}, false, nil)
	require.NoError(t, err)
	require.True(t, tr.Solved)
	require.Equal(t, 1, tr.Segments, "the 4×4 sample verifies after its first segment")
	// A puzzle with many solutions the model does not find runs the budget.
	g, err = ParsePuzzle("1"+strings.Repeat(".", 15), 16)
	require.NoError(t, err)
	tr, err = Run(s, "m", g, runtime.Options{Steps: 5, Halt: runtime.HaltValid}, false, nil)
	require.NoError(t, err)
	require.False(t, tr.Solved)
	require.Equal(t, 5, tr.Segments)
}

func TestPageIsSelfContained(t *testing.T) {
	s := builtin(t, models.Sudoku4)
	g, err := ParsePuzzle(models.Sudoku4.Sample, 16)
	require.NoError(t, err)
	var n int
	tr, err := Run(s, "<model & co>", g, runtime.Options{}, false, func(*Step) { n++ })
	require.NoError(t, err)
	require.Equal(t, len(tr.Steps), n)
	var buf bytes.Buffer
	require.NoError(t, WriteHTML(&buf, tr))
	page := buf.String()
	require.Contains(t, page, "<title>&lt;model &amp; co&gt; — trajectory</title>")
	// The one link is the empty inline icon, which keeps browsers from
	// asking for /favicon.ico.
	require.Equal(t, 1, strings.Count(page, "href="))
	require.Contains(t, page, `<link rel="icon" href="data:,">`)
	for _, ref := range []string{"src=", "@import", "url(", "https://", "fetch(", "XMLHttpRequest"} {
		require.NotContains(t, page, ref, "the page must load nothing")
	}
	require.Equal(t, 1, strings.Count(page, "http://"), "only the SVG namespace")
	require.Contains(t, page, `"http://www.w3.org/2000/svg"`)
	// The data block parses back.
	start := strings.Index(page, `id="trajectory">`) + len(`id="trajectory">`)
	end := strings.Index(page[start:], "</script>")
	var back Trajectory
	require.NoError(t, json.Unmarshal([]byte(page[start:start+end]), &back))
	require.Equal(t, tr.Puzzle, back.Puzzle)
	require.Len(t, back.Steps, len(tr.Steps))
}

func TestParseAndNormalize(t *testing.T) {
	grid := "1 . | 3 .\n. . | . .\n----+----\n. . | . .\n. . | . 4\n"
	require.Equal(t, "1.3............4", Normalize(grid))
	require.Equal(t, "..3..", Normalize("..3_*"))
	_, err := ParsePuzzle("123", 16)
	require.EqualError(t, err, "sudoku has 3 characters, this model reads 4×4 = 16")
	_, err = ParsePuzzle("11..............", 16)
	require.ErrorContains(t, err, "twice")
	_, err = ParsePuzzle(strings.Repeat(".", 81), 16)
	require.ErrorContains(t, err, "81 characters")
}

func TestNonFiniteAsNull(t *testing.T) {
	b, err := json.Marshal(Step{Pred: []int{1}, Conf: []Prob{Prob(float32(nan()))}, QHalt: Num(float32(nan())), QCont: 2.5})
	require.NoError(t, err)
	require.Contains(t, string(b), `"conf":[null],"q_halt":null,"q_continue":2.5`)
}

func nan() float64 { return math.NaN() }
