package main

import (
	"encoding/json"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/hrmgo/hrm/loader"
	"github.com/hrmgo/hrm/runtime"
	"github.com/hrmgo/hrm/task/arc"
)

var (
	arcOnce  sync.Once
	arcModel string
	arcErr   error
)

// trainedARC is a model that hrm-train -task arc trained on the
// demonstrations of the three tasks of testdata/arc (their test pairs held
// out), four variants each (the task and three augmentations), on a 6×6
// canvas so that it trains in seconds; the official canvas is 30×30, the
// code paths the same.
func trainedARC(t *testing.T) string {
	arcOnce.Do(func() {
		dir, err := os.MkdirTemp("", "hrm-run-arc")
		if err != nil {
			arcErr = err
			return
		}
		bin := filepath.Join(dir, "hrm-train")
		if out, err := exec.Command("go", "build", "-o", bin, "../hrm-train").CombinedOutput(); err != nil {
			arcErr = &exec.ExitError{Stderr: out}
			return
		}
		cmd := exec.Command(bin, "-task", "arc", "-arc", "testdata/arc", "-arc-canvas", "6", "-arc-aug", "3", "-arc-translate=false",
			"-hidden", "32", "-heads", "2", "-h-layers", "1", "-l-layers", "1", "-h-cycles", "1", "-l-cycles", "1", "-max-steps", "2",
			"-batch", "16", "-lr", "3e-3", "-warmup", "20", "-steps", "500", "-eval-every", "500", "-loss", "softmax_cross_entropy",
			"-q", "-out", filepath.Join(dir, "run"))
		if out, err := cmd.CombinedOutput(); err != nil {
			arcErr = &exec.ExitError{Stderr: out}
			return
		}
		arcModel = filepath.Join(dir, "run", "model.safetensors")
	})
	if ee, ok := arcErr.(*exec.ExitError); ok {
		t.Fatalf("%s", ee.Stderr)
	}
	require.NoError(t, arcErr)
	return arcModel
}

// The whole official path: hrm-train builds the augmented dataset (one
// identifier per variant), hrm-run runs every variant of a task's test
// inputs, undoes each augmentation, crops at EOS and votes. Every variant
// must agree once mapped back: an inversion that was wrong for some
// transform or colour map would split the vote.
func TestARCEndToEnd(t *testing.T) {
	model := trainedARC(t)
	for _, name := range []string{"swap12", "fill4", "erase3"} {
		file := filepath.Join("testdata", "arc", name+".json")
		tk, err := arc.LoadTask(file)
		require.NoError(t, err)

		code, out, stderr := runCLI("-model", model, "-in", file)
		require.Equal(t, 0, code, stderr)
		var sub []attempts
		require.NoError(t, json.Unmarshal([]byte(out), &sub), out)
		require.Len(t, sub, len(tk.Test))
		for k, p := range tk.Test {
			require.Equal(t, p.Output.Rows(), sub[k].Attempt1, "%s test %d", name, k)
		}
		require.Contains(t, stderr, "the task scores 1 at pass@1, 1 at pass@2", name)

		code, out, stderr = runCLI("-model", model, "-in", file, "-json")
		require.Equal(t, 0, code, stderr)
		var r arcResult
		require.NoError(t, json.Unmarshal([]byte(out), &r), out)
		require.Equal(t, name, r.Task)
		require.Equal(t, 4, r.Variants)
		require.True(t, *r.Pass1)
		require.True(t, *r.Pass2)
		for _, tt := range r.Tests {
			require.Equal(t, []int{4}, tt.Votes, "%s: all four variants agree after inversion", name)
		}
	}
	// A task file without test outputs is answered, not scored.
	tk, _ := arc.LoadTask(filepath.Join("testdata", "arc", "fill4.json"))
	hidden := filepath.Join(t.TempDir(), "fill4.json")
	writeTask(t, hidden, tk, false)
	code, out, stderr := runCLI("-model", model, "-in", hidden, "-json")
	require.Equal(t, 0, code, stderr)
	require.Contains(t, out, `"pass@1":null`)
	require.Contains(t, stderr, "gives no test outputs to score")
}

func writeTask(t *testing.T, path string, tk *arc.Task, outputs bool) {
	type pair struct {
		Input  [][]int `json:"input"`
		Output [][]int `json:"output,omitempty"`
	}
	var f struct {
		Train []pair `json:"train"`
		Test  []pair `json:"test"`
	}
	for _, p := range tk.Train {
		f.Train = append(f.Train, pair{p.Input.Rows(), p.Output.Rows()})
	}
	for _, p := range tk.Test {
		q := pair{Input: p.Input.Rows()}
		if outputs {
			q.Output = p.Output.Rows()
		}
		f.Test = append(f.Test, q)
	}
	b, err := json.Marshal(f)
	require.NoError(t, err)
	require.NoError(t, os.WriteFile(path, b, 0o644))
}

// Bad ARC input: one line naming the problem, exit 2.
func TestARCBadInput(t *testing.T) {
	model := trainedARC(t)
	dir := t.TempDir()
	write := func(name, s string) string {
		p := filepath.Join(dir, name)
		require.NoError(t, os.WriteFile(p, []byte(s), 0o644))
		return p
	}
	ragged := write("swap12.json", `{"train":[{"input":[[1,2],[3]],"output":[[1]]}],"test":[{"input":[[1]]}]}`)
	colour := write("fill4.json", `{"train":[{"input":[[1,12]],"output":[[1]]}],"test":[{"input":[[1]]}]}`)
	unknown := write("unknown.json", `{"train":[{"input":[[1]],"output":[[1]]}],"test":[{"input":[[1]]}]}`)
	big := write("erase3.json", `{"train":[{"input":[[1]],"output":[[1]]}],"test":[{"input":[[1,1,1,1,1,1,1]]}]}`)

	// the same model without its identifiers table
	f, err := loader.Open(model)
	require.NoError(t, err)
	var ts []loader.Tensor
	for _, x := range f.Tensors() {
		if x.Name != runtime.KeyIdentifiers {
			ts = append(ts, x)
		}
	}
	bare := filepath.Join(dir, "bare.safetensors")
	require.NoError(t, loader.WriteFile(bare, f.Metadata(), ts))
	f.Close()

	for _, tc := range []struct {
		args []string
		want string
	}{
		{[]string{"-model", model, "-in", ragged}, "arc: swap12: train[0].input: not rectangular: row 1 has 1 columns, row 0 has 2"},
		{[]string{"-model", model, "-in", colour}, "colour 12 outside 0..9"},
		{[]string{"-model", model, "-in", unknown}, `no puzzle identifiers for task "unknown"`},
		{[]string{"-model", model, "-in", big}, "test input 0 is 1×7, larger than this model's 6×6 canvas"},
		{[]string{"-model", bare, "-in", filepath.Join("testdata", "arc", "swap12.json")}, "has no puzzle identifiers: convert it with hrm-convert -identifiers"},
		{[]string{"-model", model, "-puzzle", "1"}, "an ARC model answers a task file"},
		{[]string{"-model", model, "-in", unknown, "-halt", "valid"}, "-halt valid needs a verifier"},
		{[]string{"-model", model, "-in", "-"}, "not stdin"},
	} {
		code, out, stderr := runCLI(tc.args...)
		require.Equal(t, 2, code, "%v: %s", tc.args, stderr)
		require.Contains(t, stderr, tc.want, "%v", tc.args)
		require.Empty(t, out)
		require.Equal(t, 1, strings.Count(stderr, "\n"), "%v: one line:\n%s", tc.args, stderr)
	}
}

// -variants runs the task itself and then the first others by name.
func TestARCVariantsLimit(t *testing.T) {
	model := trainedARC(t)
	code, out, stderr := runCLI("-model", model, "-in", filepath.Join("testdata", "arc", "swap12.json"), "-json", "-variants", "2")
	require.Equal(t, 0, code, stderr)
	var r arcResult
	require.NoError(t, json.Unmarshal([]byte(out), &r))
	require.Equal(t, 2, r.Variants)
	require.Equal(t, []int{2}, r.Tests[0].Votes)
	code, _, stderr = runCLI("-model", model, "-in", filepath.Join("testdata", "arc", "swap12.json"), "-variants", "-1")
	require.Equal(t, 2, code)
	require.Contains(t, stderr, "-variants -1")
}

// -retries needs a verifier: ARC refuses it, naming the flag.
func TestARCRefusesRetries(t *testing.T) {
	model := trainedARC(t)
	code, out, stderr := runCLI("-model", model, "-in", filepath.Join("testdata", "arc", "swap12.json"), "-retries", "2")
	require.Equal(t, 2, code, stderr)
	require.Empty(t, out)
	require.Contains(t, stderr, "-retries: ARC answers have no verifier")
}
