package main

import (
	"encoding/json"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
)

type metricsRec struct {
	Kind     string   `json:"kind"`
	Step     int      `json:"step"`
	Elapsed  *float64 `json:"elapsed_s"`
	Final    bool     `json:"final"`
	Accuracy *float64 `json:"exact_accuracy"`
}

func readMetrics(t *testing.T, dir string) []metricsRec {
	b, err := os.ReadFile(filepath.Join(dir, metricsName))
	require.NoError(t, err)
	var recs []metricsRec
	for _, l := range strings.Split(strings.TrimSuffix(string(b), "\n"), "\n") {
		var r metricsRec
		require.NoError(t, json.Unmarshal([]byte(l), &r), l)
		recs = append(recs, r)
	}
	return recs
}

// requireOneRun checks that the log reads as one run: steps never go back,
// elapsed time never goes back, one final evaluation, last.
func requireOneRun(t *testing.T, recs []metricsRec) {
	t.Helper()
	finals := 0
	for i, r := range recs {
		require.NotNil(t, r.Elapsed, "record %d", i)
		if i > 0 {
			require.GreaterOrEqual(t, r.Step, recs[i-1].Step, "record %d: steps in order", i)
			require.GreaterOrEqual(t, *r.Elapsed, *recs[i-1].Elapsed, "record %d: elapsed_s never restarts", i)
			if r.Kind == recs[i-1].Kind && !r.Final && !recs[i-1].Final {
				require.Greater(t, r.Step, recs[i-1].Step, "record %d: no step logged twice", i)
			}
		}
		if r.Final {
			finals++
			require.Equal(t, len(recs)-1, i, "the final evaluation is the last record")
		}
	}
	require.Equal(t, 1, finals)
}

// An interrupted run resumed to its end logs one run: the interrupted
// run's final evaluation goes, and elapsed_s continues.
func TestResumeMetrics(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "run")
	stop := make(chan os.Signal, 1)
	stop <- os.Interrupt
	code, out, stderr := runCLI(stop, append(tiny, "-out", dir, "-steps", "6", "-eval-every", "2")...)
	require.Equal(t, 0, code, stderr)
	require.Contains(t, out, "interrupted after 0 steps")
	first := readMetrics(t, dir)
	require.Len(t, first, 1)
	require.True(t, first[0].Final)

	saved, err := checkpointElapsed(filepath.Join(dir, ckptName))
	require.NoError(t, err)
	require.Greater(t, saved, time.Duration(0), "the checkpoint holds the time trained so far")

	code, out, stderr = runCLI(nil, "-out", dir, "-resume", "-q", "-eval-every", "2")
	require.Equal(t, 0, code, stderr)
	require.Contains(t, out, "step limit reached after 6 steps")
	recs := readMetrics(t, dir)
	requireOneRun(t, recs)
	var steps []int
	for _, r := range recs {
		steps = append(steps, r.Step)
	}
	require.Equal(t, []int{2, 4, 6, 6}, steps)
	// The time up to the checkpoint counts; the dropped final evaluation,
	// after it, does not.
	require.GreaterOrEqual(t, *recs[0].Elapsed, saved.Seconds(), "elapsed_s continues from the checkpoint")

	// Killed after logging past its last checkpoint (here: records added
	// by hand, one cut mid-line): resuming drops them and redoes nothing
	// twice. The run is complete, so only the final evaluation is redone.
	mf, err := os.OpenFile(filepath.Join(dir, metricsName), os.O_APPEND|os.O_WRONLY, 0)
	require.NoError(t, err)
	_, err = mf.WriteString(`{"kind":"eval","step":8,"elapsed_s":99}` + "\n" + `{"kind":"train","st`)
	require.NoError(t, err)
	require.NoError(t, mf.Close())
	code, _, stderr = runCLI(nil, "-out", dir, "-resume", "-q")
	require.Equal(t, 0, code, stderr)
	again := readMetrics(t, dir)
	requireOneRun(t, again)
	require.Len(t, again, 4)
	require.Equal(t, recs[:3], again[:3])
	require.GreaterOrEqual(t, *again[3].Elapsed, *recs[2].Elapsed)

	// A log that is not ours is not silently rewritten.
	require.NoError(t, os.WriteFile(filepath.Join(dir, metricsName), []byte("not json\n"), 0o644))
	code, _, stderr = runCLI(nil, "-out", dir, "-resume", "-q")
	require.Equal(t, 2, code)
	require.Contains(t, stderr, "metrics.jsonl line 1: not a metrics record")
}

// A fresh run refuses a directory holding any part of a run (here the
// options and metrics of one killed before its first checkpoint) unless
// -force, which deletes them.
func TestFreshRunIntoUsedDir(t *testing.T) {
	dir := t.TempDir()
	require.NoError(t, os.WriteFile(filepath.Join(dir, optsName), []byte("{}"), 0o644))
	stale := `{"kind":"eval","step":500,"elapsed_s":1}` + "\n"
	require.NoError(t, os.WriteFile(filepath.Join(dir, metricsName), []byte(stale), 0o644))
	code, _, stderr := runCLI(nil, append(tiny, "-out", dir, "-steps", "2")...)
	require.Equal(t, 2, code)
	require.Contains(t, stderr, "already holds a run (options.json, metrics.jsonl): use -resume, -force to start afresh")

	code, _, stderr = runCLI(nil, "-out", dir, "-resume", "-q")
	require.Equal(t, 2, code)
	require.Contains(t, stderr, "has no checkpoint.safetensors (the run stopped before writing it): start it again with -force")

	code, _, stderr = runCLI(nil, append(tiny, "-out", dir, "-steps", "2", "-eval-every", "1", "-force")...)
	require.Equal(t, 0, code, stderr)
	recs := readMetrics(t, dir)
	requireOneRun(t, recs)
	require.Len(t, recs, 3)
	require.Equal(t, 1, recs[0].Step)

	code, _, stderr = runCLI(nil, "-out", dir, "-resume", "-force", "-q")
	require.Equal(t, 2, code)
	require.Contains(t, stderr, "-force starts a run afresh; it cannot go with -resume")
}

// recorder notes, at the first metrics write, whether a checkpoint exists.
type recorder struct {
	w       io.Writer
	ckpt    string
	checked bool
	had     bool
}

func (r *recorder) Write(p []byte) (int, error) {
	if !r.checked {
		_, err := os.Stat(r.ckpt)
		r.checked, r.had = true, err == nil
	}
	return r.w.Write(p)
}

// A checkpoint exists before the first step, so a run killed at any moment
// (before its first timed save, 2 minutes by default) can resume.
func TestCheckpointBeforeFirstStep(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "run")
	rec := &recorder{ckpt: filepath.Join(dir, ckptName)}
	metricsWriter = func(f *os.File) io.Writer { rec.w = f; return rec }
	defer func() { metricsWriter = func(f *os.File) io.Writer { return f } }()
	code, _, stderr := runCLI(nil, append(tiny, "-out", dir, "-steps", "2", "-eval-every", "1")...)
	require.Equal(t, 0, code, stderr)
	require.True(t, rec.checked)
	require.True(t, rec.had, "the checkpoint was on disk when step 1 was logged")
}
