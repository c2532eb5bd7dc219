package main

import (
	"bytes"
	"encoding/json"
	"errors"
	"path/filepath"
	"strings"
	"testing"

	"github.com/hrmgo/hrm/convert"
	"github.com/stretchr/testify/require"
)

func runCLI(args ...string) (int, string, string) {
	var out, errb bytes.Buffer
	code := run(args, &out, &errb)
	return code, out.String(), errb.String()
}

func TestModelBench(t *testing.T) {
	m, err := convert.Import("../../testdata/checkpoint", convert.Options{})
	require.NoError(t, err)
	p := filepath.Join(t.TempDir(), "tiny.safetensors")
	require.NoError(t, m.Save(p))
	code, out, stderr := runCLI("model", "-model", p, "-threads", "1,2", "-batch", "1,3", "-reps", "2", "-quant", "int8")
	require.Equal(t, 0, code, stderr)
	require.Equal(t, 4, strings.Count(out, "int8 "), out)

	code, out, stderr = runCLI("model", "-model", p, "-reps", "3", "-json", "-steps", "4")
	require.Equal(t, 0, code, stderr)
	var r modelResult
	require.NoError(t, json.Unmarshal([]byte(out), &r))
	require.Equal(t, "f32", r.Quant)
	require.Len(t, r.SamplesMS, 3)
	require.InDelta(t, 4*r.SegmentMS, r.PuzzleMS, 1e-9)
	require.Greater(t, r.GOPS, 0.0)
	require.Greater(t, r.PeakRSSMB, 0.0)
	require.Equal(t, 81, r.SeqLen) // no puzzle prefix in the tiny model
}

func TestKernelBench(t *testing.T) {
	code, out, stderr := runCLI("kernels", "-family", "attention", "-time", "1ms")
	require.Equal(t, 0, code, stderr)
	require.Contains(t, out, "generic")
	require.Contains(t, out, "T=901")
}

func TestBenchBadFlags(t *testing.T) {
	for _, tc := range []struct {
		args []string
		want string
	}{
		{nil, "usage"},
		{[]string{"speed"}, `unknown command "speed"`},
		{[]string{"model"}, "give -model FILE or -random"},
		{[]string{"model", "-random", "-threads", "0"}, "-threads"},
		{[]string{"model", "-random", "-quant", "int4"}, "-quant"},
		{[]string{"model", "-model", "/nonexistent"}, "no such file"},
		{[]string{"kernels", "-family", "fft"}, "fft"},
	} {
		code, _, stderr := runCLI(tc.args...)
		require.Equal(t, 2, code, "%v: %s", tc.args, stderr)
		require.Contains(t, stderr, tc.want, "%v", tc.args)
	}
}

func TestAccuracyHarness(t *testing.T) {
	m, err := convert.Import("../../testdata/checkpoint", convert.Options{})
	require.NoError(t, err)
	dir := t.TempDir()
	p := filepath.Join(dir, "tiny.safetensors")
	require.NoError(t, m.Save(p))
	code, out, stderr := runCLI("accuracy", "-model", p, "-n", "6", "-json")
	require.Equal(t, 0, code, stderr)
	var rep accuracyReport
	require.NoError(t, json.Unmarshal([]byte(out), &rep))
	require.Len(t, rep.Steps, 4) // halt_max_steps of the tiny model
	require.Len(t, rep.WeightsOnly, 4)
	for _, s := range rep.Steps {
		require.Greater(t, s.LogitsCosine, 0.99)
	}
	q, err := m.Quantize()
	require.NoError(t, err)
	p8 := filepath.Join(dir, "tiny8.safetensors")
	require.NoError(t, q.Save(p8))
	code, out, stderr = runCLI("accuracy", "-model", p, "-int8", p8, "-n", "4")
	require.Equal(t, 0, code, stderr)
	require.Contains(t, out, "weights-only cosine")
	code, _, stderr = runCLI("accuracy", "-model", p8)
	require.Equal(t, 2, code)
	require.Contains(t, stderr, "must be the float32 model")
}

type fullWriter struct{}

func (fullWriter) Write(p []byte) (int, error) { return 0, errors.New("no space left on device") }

// A failed write of the results is an error (exit 1).
func TestBenchOutputFails(t *testing.T) {
	m, err := convert.Import("../../testdata/checkpoint", convert.Options{})
	require.NoError(t, err)
	p := filepath.Join(t.TempDir(), "tiny.safetensors")
	require.NoError(t, m.Save(p))
	for _, args := range [][]string{
		{"kernels", "-family", "vector", "-time", "1ms"},
		{"kernels", "-family", "vector", "-time", "1ms", "-json"},
		{"model", "-model", p, "-reps", "1"},
		{"model", "-model", p, "-reps", "1", "-json"},
		{"accuracy", "-model", p, "-n", "2"},
	} {
		var stderr bytes.Buffer
		code := run(args, fullWriter{}, &stderr)
		require.Equal(t, 1, code, "%v: %s", args, stderr.String())
		require.Equal(t, "hrm-bench: writing the output: no space left on device\n", stderr.String(), "%v", args)
	}
}

// Out-of-range flags are bad input (exit 2, one line) before any work.
func TestBenchFlagLimits(t *testing.T) {
	m, err := convert.Import("../../testdata/checkpoint", convert.Options{})
	require.NoError(t, err)
	p := filepath.Join(t.TempDir(), "tiny.safetensors")
	require.NoError(t, m.Save(p))
	for _, tc := range []struct {
		args []string
		want string
	}{
		{[]string{"model", "-random", "-threads", "5000"}, "-threads 5000: want at most 1024"},
		{[]string{"model", "-model", p, "-batch", "100000"}, "-batch 100000: want at most 65536"},
		{[]string{"kernels", "-time", "-1s"}, "-time -1s: must be positive"},
		{[]string{"kernels", "-time", "0s"}, "-time 0s: must be positive"},
		{[]string{"accuracy", "-model", p, "-int8", p}, "-int8 must be an int8 model, this one is f32"},
		{[]string{"kernels", "-bogus"}, "flag provided but not defined: -bogus (hrm-bench kernels -h for help)"},
		{[]string{"model", "-reps", "x"}, `invalid value "x" for flag -reps`},
		{[]string{"accuracy", "-n"}, "flag needs an argument: -n"},
	} {
		code, out, stderr := runCLI(tc.args...)
		require.Equal(t, 2, code, "%v: %s", tc.args, stderr)
		require.Contains(t, stderr, tc.want, "%v", tc.args)
		require.Equal(t, 1, strings.Count(stderr, "\n"), "%v: one line:\n%s", tc.args, stderr)
		require.Empty(t, out)
	}
	for _, args := range [][]string{{"-h"}, {"model", "-h"}} {
		code, _, stderr := runCLI(args...)
		require.Equal(t, 0, code, "%v", args)
		require.Contains(t, stderr, "sage", "%v", args)
	}
}

// A batch whose session buffers exceed -mem is refused before measuring.
func TestBenchMemoryBudget(t *testing.T) {
	m, err := convert.Import("../../testdata/checkpoint", convert.Options{})
	require.NoError(t, err)
	p := filepath.Join(t.TempDir(), "tiny.safetensors")
	require.NoError(t, m.Save(p))
	code, out, stderr := runCLI("model", "-model", p, "-batch", "1,3", "-mem", "1M", "-reps", "1")
	require.Equal(t, 2, code, stderr)
	require.Empty(t, out)
	require.Contains(t, stderr, "-batch 3 with -threads 1 needs 1.")
	require.Contains(t, stderr, "over the -mem budget of 1.00 MiB; raise -mem")
	code, _, stderr = runCLI("model", "-model", p, "-batch", "1,3", "-mem", "2M", "-reps", "1")
	require.Equal(t, 0, code, stderr)
}
