package main

import (
	"encoding/binary"
	"encoding/json"
	"math"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/hrmgo/hrm/loader"
	"github.com/hrmgo/hrm/runtime"
	"github.com/stretchr/testify/require"
)

// overflowingQHead writes the tiny model with a Q head whose weights are
// finite but so large that its outputs overflow float32.
func overflowingQHead(t *testing.T) string {
	f, err := loader.Open(tinyModel(t))
	require.NoError(t, err)
	defer f.Close()
	var ts []loader.Tensor
	for _, x := range f.Tensors() {
		x.Data = append([]byte(nil), x.Data...)
		if x.Name == runtime.KeyQHeadW {
			for i := 0; i+4 <= len(x.Data); i += 4 {
				binary.LittleEndian.PutUint32(x.Data[i:], math.Float32bits(3e38))
			}
		}
		ts = append(ts, x)
	}
	p := filepath.Join(t.TempDir(), "broken.safetensors")
	require.NoError(t, loader.WriteFile(p, f.Metadata(), ts))
	return p
}

// Non-finite Q values are written as null, every puzzle is written, and
// stderr says the model is broken.
func TestNonFiniteQ(t *testing.T) {
	model := overflowingQHead(t)
	txt := filepath.Join(t.TempDir(), "p.txt")
	require.NoError(t, os.WriteFile(txt, []byte(strings.Repeat(sample+"\n", 3)), 0o644))
	code, out, stderr := runCLI("-model", model, "-in", txt, "-json", "-batch", "1")
	require.Equal(t, 0, code, stderr)
	lines := strings.Split(strings.TrimSpace(out), "\n")
	require.Len(t, lines, 3)
	for _, l := range lines {
		var m map[string]any
		require.NoError(t, json.Unmarshal([]byte(l), &m), l)
		require.Contains(t, m, "q_halt")
		require.Nil(t, m["q_halt"], l)
		require.Len(t, m["solution"], 81)
	}
	require.Contains(t, stderr, "not finite (NaN or infinite) for 3 of 3 puzzles")
	require.Equal(t, 2, strings.Count(stderr, "\n"), "the warning and the summary:\n%s", stderr)
	require.Contains(t, lastLine(stderr), "hrm-run: solved 0 of 3")

	code, out, _ = runCLI("-model", model, "-puzzle", sample)
	require.Equal(t, 0, code)
	// Whether the overflow ends as +Inf or NaN depends on the kernel tier's
	// summation order; either way it must be printed, not hidden.
	require.Regexp(t, `q_halt [+-]?(NaN|Inf)`, out)
}
