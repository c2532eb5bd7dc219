package main

import (
	"bytes"
	"encoding/json"
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
