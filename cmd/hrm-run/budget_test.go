package main

import (
	"os"
	"path/filepath"
	goruntime "runtime"
	"strings"
	"testing"

	"github.com/hrmgo/hrm/runtime"
	"github.com/stretchr/testify/require"
)

// runtime.Model.SessionBytes is what NewSession allocates, within the
// bookkeeping of slices and goroutines.
func TestSessionBytesMatchesAllocation(t *testing.T) {
	f32, err := runtime.Load(tinyModel(t))
	require.NoError(t, err)
	defer f32.Close()
	i8, err := f32.Quantize()
	require.NoError(t, err)
	for _, m := range []*runtime.Model{f32, i8, builtinModel(t)} {
		for _, tc := range []struct{ batch, threads int }{{1, 1}, {16, 2}, {64, 1}} {
			var before, after goruntime.MemStats
			goruntime.GC()
			goruntime.ReadMemStats(&before)
			s, err := m.NewSession(tc.batch, tc.threads)
			require.NoError(t, err)
			goruntime.ReadMemStats(&after)
			s.Close()
			got := int64(after.TotalAlloc - before.TotalAlloc)
			want := m.SessionBytes(tc.batch, tc.threads)
			// Allocations above 32 KiB are rounded up to whole pages.
			require.InDelta(t, want, got, float64(want)/100+128<<10, "batch %d, %d threads", tc.batch, tc.threads)
		}
	}
}

func builtinModel(t *testing.T) *runtime.Model {
	m, err := runtime.LoadBytes(builtinSudoku9.name, builtinSudoku9.file)
	require.NoError(t, err)
	t.Cleanup(func() { m.Close() })
	return m
}

// A batch whose buffers exceed -mem is refused when -batch asked for it,
// and lowered to fit when it is the default; the answers do not change.
func TestBatchMemoryBudget(t *testing.T) {
	dir := t.TempDir()
	many := filepath.Join(dir, "many.txt")
	// 4096 rows of the built-in 9×9 model need about 1.5 GiB (2048 took
	// 787 MiB when measured).
	require.NoError(t, os.WriteFile(many, []byte(strings.Repeat(builtinSudoku9.sample+"\n", 4200)), 0o644))
	code, out, stderr := runCLI("-in", many, "-batch", "4096", "-mem", "1G")
	require.Equal(t, 2, code, stderr)
	require.Empty(t, out)
	require.Regexp(t, `^hrm-run: a batch of 4096 puzzles needs \d+\.\d\d GiB of working memory with this model, over the -mem budget of 1\.00 GiB: use -batch \d+ or less, or raise -mem\n$`, stderr)

	model := tinyModel(t)
	txt := filepath.Join(dir, "p.txt")
	require.NoError(t, os.WriteFile(txt, []byte(strings.Repeat(sample+"\n", 5)), 0o644))
	code, want, stderr := runCLI("-model", model, "-in", txt, "-json")
	require.Equal(t, 0, code, stderr)
	code, got, stderr := runCLI("-model", model, "-in", txt, "-json", "-mem", "1.2M", "-v")
	require.Equal(t, 0, code, stderr)
	require.Equal(t, want, got)
	require.Contains(t, stderr, "batch 2 (the most that fits -mem 1.20 MiB)")

	code, _, stderr = runCLI("-model", model, "-in", txt, "-batch", "4", "-mem", "1.2M")
	require.Equal(t, 2, code)
	require.Contains(t, stderr, "use -batch 2 or less")
	code, _, stderr = runCLI("-model", model, "-puzzle", sample, "-mem", "100K")
	require.Equal(t, 2, code)
	require.Contains(t, stderr, "for one puzzle, over the -mem budget of 100 KiB; raise -mem")
	code, _, stderr = runCLI("-model", model, "-puzzle", sample, "-mem", "lots")
	require.Equal(t, 2, code)
	require.Contains(t, stderr, `invalid value "lots" for flag -mem`)
}
