package main

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"
)

func TestHTML(t *testing.T) {
	dir := t.TempDir()
	page := filepath.Join(dir, "t.html")
	code, out, stderr := runCLI("-model", tinyModel(t), "-puzzle", sample, "-steps", "3", "-html", page)
	require.Equal(t, 0, code, stderr)
	require.Contains(t, out, "after 21 segments in 7 attempts", "the usual output still goes to stdout")
	b, err := os.ReadFile(page)
	require.NoError(t, err)
	require.True(t, strings.HasPrefix(string(b), "<!DOCTYPE html>"))
	require.Contains(t, string(b), `"segments":3`, "the page follows the first attempt, the puzzle as given")
	require.Contains(t, string(b), `"budget":3`)

	// The built-in model's demo with a page beside the trace.
	code, out, stderr = runCLI("-html", page)
	require.Equal(t, 0, code, stderr)
	require.Contains(t, out, "segment 1  q_halt")
	b, err = os.ReadFile(page)
	require.NoError(t, err)
	require.Contains(t, string(b), `"solved":true`)

	for _, tc := range []struct {
		args []string
		want string
	}{
		{[]string{"-model", tinyModel(t), "-puzzle", sample, "-html", filepath.Join(dir, "no", "such", "dir", "t.html")}, "t.html: no directory"},
		{[]string{"-model", tinyModel(t), "-puzzle", sample, "-html", dir}, "is a directory"},
		{[]string{"-model", tinyModel(t), "-in", page, "-html", page}, "-html works with -puzzle"},
	} {
		code, out, stderr := runCLI(tc.args...)
		require.Equal(t, 2, code, "%v: %s", tc.args, stderr)
		require.Contains(t, stderr, tc.want)
		require.Empty(t, out)
		require.Equal(t, 1, strings.Count(strings.TrimSpace(stderr), "\n")+1, stderr)
	}
}
