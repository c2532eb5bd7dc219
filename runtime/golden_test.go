package runtime_test

import (
	"encoding/json"
	"math"
	"os"
	"path/filepath"
	"slices"
	"sort"
	"testing"

	"github.com/hrmgo/hrm/convert"
	"github.com/hrmgo/hrm/loader"
	"github.com/hrmgo/hrm/runtime"
	"github.com/stretchr/testify/require"
)

// goldenCase is the part of a golden case.json the test is driven by.
type goldenCase struct {
	Name   string         `json:"name"`
	Kind   string         `json:"kind"` // "train_step" cases are the trainer's; absent means forward
	Config map[string]any `json:"config"`
	Inputs struct {
		File string `json:"file"`
	} `json:"inputs"`
	Variants []struct {
		Name    string `json:"name"`
		Weights map[string]struct {
			Path string `json:"path"`
		} `json:"weights"`
		Outputs struct {
			File string `json:"file"`
		} `json:"outputs"`
		Ref struct {
			ReliableSteps int `json:"free_running_reliable_steps"`
		} `json:"f32_vs_f64_reference"`
		Tolerance struct {
			Atol float64 `json:"atol"`
		} `json:"tolerance"`
	} `json:"variants"`
}

// goldenAtol is the check protocol's tolerance (testdata/goldens/README.md)
// where a variant does not state its own.
const goldenAtol = 1e-4

// forwardCases lists the forward golden cases under root (every directory
// with a case.json that is not a training step).
func forwardCases(t *testing.T, root string) []string {
	entries, err := os.ReadDir(root)
	require.NoError(t, err)
	var cases []string
	for _, e := range entries {
		raw, err := os.ReadFile(filepath.Join(root, e.Name(), "case.json"))
		if !e.IsDir() || err != nil {
			continue
		}
		var gc goldenCase
		require.NoError(t, json.Unmarshal(raw, &gc), e.Name())
		if gc.Kind == "" || gc.Kind == "forward" {
			cases = append(cases, e.Name())
		}
	}
	require.NotEmpty(t, cases, "no golden cases under %s", root)
	return cases
}

// marginMin is the top-2 logit margin above which argmax predictions must agree.
const marginMin = 1e-3

func goldensDir() string {
	if d := os.Getenv("HRM_GOLDENS"); d != "" {
		return d
	}
	return filepath.Join("..", "testdata", "goldens")
}

// TestGoldens checks the float32 runtime against reference outputs of the
// official architecture, for every case directory and every weight file of
// every variant, each imported through the converter and reloaded from our
// own weight file format.
func TestGoldens(t *testing.T) {
	root := goldensDir()
	for _, name := range forwardCases(t, root) {
		t.Run(name, func(t *testing.T) { runGoldenCase(t, filepath.Join(root, name)) })
	}
}

func fileExists(p string) bool { _, err := os.Stat(p); return err == nil }

func runGoldenCase(t *testing.T, dir string) {
	var gc goldenCase
	raw, err := os.ReadFile(filepath.Join(dir, "case.json"))
	require.NoError(t, err)
	require.NoError(t, json.Unmarshal(raw, &gc))
	require.NotEmpty(t, gc.Variants)

	in, err := loader.Open(filepath.Join(dir, gc.Inputs.File))
	require.NoError(t, err)
	defer in.Close()
	tokens := tensorI32(t, in, "inputs")
	pids := tensorI32(t, in, "puzzle_identifiers")

	for _, v := range gc.Variants {
		out, err := loader.Open(filepath.Join(dir, v.Outputs.File))
		require.NoError(t, err)
		gold := readGold(t, out)
		out.Close()
		var files []string
		for _, w := range v.Weights {
			files = append(files, w.Path)
		}
		sort.Strings(files)
		require.NotEmpty(t, files)
		for _, wf := range files {
			t.Run(v.Name+"/"+wf, func(t *testing.T) {
				m, err := convert.Import(filepath.Join(dir, wf), convert.Options{Config: gc.Config})
				require.NoError(t, err)
				// Round-trip through our own weight file so the golden test
				// covers the format the runtime actually loads.
				path := filepath.Join(t.TempDir(), "model.hrm.safetensors")
				require.NoError(t, m.Save(path))
				m, err = runtime.Load(path)
				require.NoError(t, err)
				defer m.Close()
				atol := v.Tolerance.Atol
				if atol == 0 {
					atol = goldenAtol
				}
				d := checkGolden(t, m, gold, tokens, pids, v.Ref.ReliableSteps, atol)
				t.Logf("%s max|Δ| teacher-forced: logits %.3g q %.3g carry %.3g; free-running (%d steps): logits %.3g q %.3g (atol %g)",
					m.Cfg.Arch, d.tfLogits, d.tfQ, d.tfCarry, v.Ref.ReliableSteps, d.frLogits, d.frQ, atol)
			})
		}
	}
}

type golden struct {
	steps, batch, S, V, T, D int
	logits, qHalt, qCont     []float32
	carryRows, carrySteps    []int32
	carryH, carryL           []float32
}

func readGold(t *testing.T, f *loader.File) golden {
	lt, ok := f.Tensor("logits")
	require.True(t, ok)
	require.Len(t, lt.Shape, 4)
	g := golden{steps: lt.Shape[0], batch: lt.Shape[1], S: lt.Shape[2], V: lt.Shape[3]}
	g.logits = tensorF32(t, f, "logits")
	g.qHalt = tensorF32(t, f, "q_halt")
	g.qCont = tensorF32(t, f, "q_continue")
	if _, ok := f.Tensor("carry_z_H"); ok {
		g.carryRows = tensorI32(t, f, "carry_batch_index")
		g.carrySteps = tensorI32(t, f, "carry_steps")
		ch, _ := f.Tensor("carry_z_H")
		require.Len(t, ch.Shape, 4)
		g.T, g.D = ch.Shape[2], ch.Shape[3]
		g.carryH = tensorF32(t, f, "carry_z_H")
		g.carryL = tensorF32(t, f, "carry_z_L")
	}
	return g
}

func tensorF32(t *testing.T, f *loader.File, name string) []float32 {
	x, ok := f.Tensor(name)
	require.True(t, ok, "tensor %s missing", name)
	v, err := x.Float32s()
	require.NoError(t, err)
	return slices.Clone(v) // the file is closed after reading
}

func tensorI32(t *testing.T, f *loader.File, name string) []int32 {
	x, ok := f.Tensor(name)
	require.True(t, ok, "tensor %s missing", name)
	v, err := x.Int32s()
	require.NoError(t, err)
	return slices.Clone(v)
}

type deltas struct{ tfLogits, tfQ, tfCarry, frLogits, frQ float64 }

func maxAbsDiff(a, b []float32) float64 {
	var m float64
	for i := range a {
		m = math.Max(m, math.Abs(float64(a[i])-float64(b[i])))
	}
	return m
}

// checkGolden applies the golden check protocol: teacher-forced segments from
// every stored carry, free-running for the reliable steps, and argmax
// agreement where the reference margin is clear.
func checkGolden(t *testing.T, m *runtime.Model, g golden, tokens, pids []int32, reliable int, atol float64) deltas {
	c := m.Cfg
	S, V := c.SeqLen, c.VocabSize
	require.Equal(t, g.S, S)
	require.Equal(t, g.V, V)
	require.Equal(t, g.batch, len(pids))
	var d deltas
	TD := c.TotalLen() * c.HiddenSize
	sess, err := m.NewSession(g.batch, 0)
	require.NoError(t, err)
	defer sess.Close()

	compareStep := func(step, row, goldRow int, what string) {
		// step is 0-based: the outputs of ACT step step+1.
		want := g.logits[(step*g.batch+goldRow)*S*V : (step*g.batch+goldRow+1)*S*V]
		got := sess.Logits(row)
		dl := maxAbsDiff(got, want)
		qh, qc := sess.Q(row)
		dq := math.Max(math.Abs(float64(qh-g.qHalt[step*g.batch+goldRow])), math.Abs(float64(qc-g.qCont[step*g.batch+goldRow])))
		require.LessOrEqual(t, dl, atol, "%s step %d row %d: logits", what, step+1, goldRow)
		require.LessOrEqual(t, dq, atol, "%s step %d row %d: q", what, step+1, goldRow)
		if what == "teacher-forced" {
			d.tfLogits, d.tfQ = math.Max(d.tfLogits, dl), math.Max(d.tfQ, dq)
		} else {
			d.frLogits, d.frQ = math.Max(d.frLogits, dl), math.Max(d.frQ, dq)
		}
		pred := make([]int32, S)
		sess.Predict(row, pred)
		for i := 0; i < S; i++ {
			v := want[i*V : (i+1)*V]
			best, second := topTwo(v)
			if float64(v[best]-v[second]) > marginMin {
				require.Equal(t, int32(best), pred[i], "%s step %d row %d position %d: prediction", what, step+1, goldRow, i)
			}
		}
	}

	// Teacher-forced: s = 0 from H_init/L_init, then from every stored carry.
	if g.carryRows != nil {
		require.Equal(t, g.T*g.D, TD)
		nr := len(g.carryRows)
		sub := make([]int32, 0, nr*S)
		subP := make([]int32, 0, nr)
		for _, r := range g.carryRows {
			sub = append(sub, tokens[int(r)*S:int(r+1)*S]...)
			subP = append(subP, pids[r])
		}
		starts := append([]int32{0}, g.carrySteps...)
		for _, s := range starts {
			if int(s) >= g.steps {
				continue // no reference output after the last step
			}
			require.NoError(t, sess.Begin(sub, subP))
			if s > 0 {
				k := indexOf(g.carrySteps, s)
				for j := range g.carryRows {
					off := (k*nr + j) * TD
					require.NoError(t, sess.SetCarry(j, g.carryH[off:off+TD], g.carryL[off:off+TD]))
				}
			}
			sess.Segment()
			for j, r := range g.carryRows {
				compareStep(int(s), j, int(r), "teacher-forced")
				if k := indexOf(g.carrySteps, s+1); k >= 0 {
					off := (k*nr + j) * TD
					zH, zL := sess.Carry(j)
					dc := math.Max(maxAbsDiff(zH, g.carryH[off:off+TD]), maxAbsDiff(zL, g.carryL[off:off+TD]))
					require.LessOrEqual(t, dc, atol, "teacher-forced carry after step %d row %d", s+1, r)
					d.tfCarry = math.Max(d.tfCarry, dc)
				}
			}
		}
	}

	// Free-running from the start for the reliable steps.
	require.NoError(t, sess.Begin(tokens, pids))
	require.NoError(t, sess.Run(runtime.Options{Steps: reliable, OnSegment: func(step int) {
		for r := 0; r < g.batch; r++ {
			compareStep(step-1, r, r, "free-running")
		}
	}}))
	return d
}

func indexOf(v []int32, x int32) int {
	for i, y := range v {
		if y == x {
			return i
		}
	}
	return -1
}

func topTwo(v []float32) (best, second int) {
	best, second = 0, -1
	for j := 1; j < len(v); j++ {
		switch {
		case v[j] > v[best]:
			best, second = j, best
		case second < 0 || v[j] > v[second]:
			second = j
		}
	}
	if second < 0 {
		second = best
	}
	return
}
