package main

import (
	"path/filepath"
	"strings"
	"testing"

	"github.com/hrmgo/hrm/convert"
	"github.com/stretchr/testify/require"
)

// A model whose own schedule asks for far more work per puzzle than its
// layers do on the official schedule is refused unless -steps says how
// many segments to run.
func TestWorkBudget(t *testing.T) {
	dir := t.TempDir()
	for _, tc := range []struct {
		set  map[string]any
		want string
	}{
		{map[string]any{"halt_max_steps": 1 << 20}, "(2×2 cycles, 1048576 segments)"},
		{map[string]any{"H_cycles": 64, "L_cycles": 64}, "(64×64 cycles, 4 segments)"},
	} {
		m, err := convert.Import("../../testdata/checkpoint", convert.Options{Config: tc.set})
		require.NoError(t, err)
		p := filepath.Join(dir, "m.safetensors")
		require.NoError(t, m.Save(p))
		code, out, stderr := runCLI("-model", p, "-puzzle", sample)
		require.Equal(t, 2, code, stderr)
		require.Empty(t, out)
		require.Contains(t, stderr, tc.want)
		require.Contains(t, stderr, "give -steps N to run it anyway")
		require.Equal(t, 1, strings.Count(stderr, "\n"))
		code, _, stderr = runCLI("-model", p, "-puzzle", sample, "-steps", "0")
		require.Equal(t, 2, code, "-steps 0 is the model's budget, not an override: %s", stderr)
	}
	m, err := convert.Import("../../testdata/checkpoint", convert.Options{Config: map[string]any{"halt_max_steps": 1 << 20}})
	require.NoError(t, err)
	p := filepath.Join(dir, "long.safetensors")
	require.NoError(t, m.Save(p))
	code, out, stderr := runCLI("-model", p, "-puzzle", sample, "-steps", "3", "-retries", "0", "-json")
	require.Equal(t, 0, code, stderr)
	require.Contains(t, out, `"steps":3`)
}
