package main

import (
	"strings"
	"testing"

	"github.com/hrmgo/hrm/runtime"
	"github.com/stretchr/testify/require"
)

// Every flag is checked on every path, the demo's included, before anything
// is printed or loaded: one line on stderr, exit 2, nothing on stdout.
func TestFlagValidation(t *testing.T) {
	model := tinyModel(t)
	for _, tc := range []struct {
		args []string
		want string
	}{
		{[]string{"-steps", "-3"}, "-steps -3: want 1..1048576"},
		{[]string{"-batch", "0"}, "-batch 0: want 1..4096"},
		{[]string{"-batch", "5000"}, "-batch 5000"},
		{[]string{"-threads", "-1"}, "-threads -1"},
		{[]string{"-puzzle", ""}, "-puzzle is empty"},
		{[]string{"-puzzle", "  "}, "-puzzle is empty"},
		{[]string{"-in", ""}, "-in is empty"},
		{[]string{"-steps", "2000000"}, "-steps 2000000: want 1..1048576"},
		{[]string{"-threads", "5000"}, "-threads 5000: want 1..1024"},
		{[]string{"-model", model, "-puzzle", sample, "-steps", "2000000"}, "-steps 2000000"},
		{[]string{"-model", model, "-puzzle", sample, "-threads", "5000"}, "-threads 5000"},
		{[]string{"-halt", "never"}, `halt mode "never"`},
		{[]string{"-retries", "-1"}, "-retries -1: want 0..64"},
		{[]string{"-model", model, "-puzzle", sample, "-retries", "65"}, "-retries 65: want 0..64"},
		{[]string{"-bogus"}, "flag provided but not defined: -bogus (hrm-run -h for help)"},
		{[]string{"-steps", "many"}, `invalid value "many" for flag -steps: parse error (hrm-run -h for help)`},
		{[]string{"-model"}, "flag needs an argument: -model (hrm-run -h for help)"},
	} {
		code, out, stderr := runCLI(tc.args...)
		require.Equal(t, 2, code, "%v: %s", tc.args, stderr)
		require.Equal(t, "hrm-run: ", stderr[:min(len(stderr), 9)], "%v", tc.args)
		require.Contains(t, stderr, tc.want, "%v", tc.args)
		require.Equal(t, 1, strings.Count(stderr, "\n"), "%v: one line:\n%s", tc.args, stderr)
		require.Empty(t, out, "%v", tc.args)
	}
	code, _, stderr := runCLI("-h")
	require.Equal(t, 0, code)
	require.Contains(t, stderr, "usage: hrm-run")
	require.Contains(t, stderr, "-threads")
}

// The command's limits are the runtime's.
func TestLimitsMatchRuntime(t *testing.T) {
	m, err := runtime.Load(tinyModel(t))
	require.NoError(t, err)
	defer m.Close()
	s, err := m.NewSession(1, maxThreads)
	require.NoError(t, err)
	s.Close()
	_, err = m.NewSession(1, maxThreads+1)
	require.Error(t, err)
	s, err = m.NewSession(1, 1)
	require.NoError(t, err)
	defer s.Close()
	require.NoError(t, s.Begin(make([]int32, m.Cfg.SeqLen), []int32{0}))
	require.ErrorContains(t, s.Run(runtime.Options{Steps: maxSteps + 1}), "out of range 1..1048576")
}
