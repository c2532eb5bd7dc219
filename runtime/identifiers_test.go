package runtime_test

import (
	"bufio"
	"bytes"
	"fmt"
	"math"
	"os"
	"path/filepath"
	goruntime "runtime"
	"strconv"
	"strings"
	"testing"
	"unsafe"

	"github.com/stretchr/testify/require"

	"github.com/hrmgo/hrm/loader"
	"github.com/hrmgo/hrm/runtime"
)

// puzzleModel is a tiny random model with a puzzle table of rows rows of
// width 32.
func puzzleModel(t testing.TB, rows int) *runtime.Model {
	c := runtime.DefaultConfig()
	c.SeqLen, c.VocabSize, c.HiddenSize, c.NumHeads = 16, 11, 32, 2
	c.HLayers, c.LLayers, c.HCycles, c.LCycles, c.Expansion = 1, 1, 1, 1, 2
	c.PuzzleEmbNdim, c.NumPuzzleIdentifiers, c.HaltMaxSteps = 32, rows, 2
	m, err := runtime.NewRandom(c, 1)
	require.NoError(t, err)
	return m
}

func TestIdentifiersRoundTrip(t *testing.T) {
	m := puzzleModel(t, 5)
	require.False(t, m.HasIdentifiers())
	_, err := m.IdentifiersWithPrefix("a")
	require.ErrorContains(t, err, "no puzzle_identifiers table")

	_, err = m.WithIdentifiers([]string{"<blank>", "a"})
	require.ErrorContains(t, err, "2 identifiers for a puzzle table of 5 rows")
	_, err = m.WithIdentifiers([]string{"<blank>", "a", "b", "a", "c"})
	require.ErrorContains(t, err, `identifier "a" names rows 1 and 3`)
	_, err = m.WithIdentifiers([]string{"<blank>", "a\tb", "b", "c", "d"})
	require.ErrorContains(t, err, "holds a tab or newline")

	names := []string{"<blank>", "t1_t3_0123456789", "t1", "t10", "t1_t0_0213456789"}
	n, err := m.WithIdentifiers(names)
	require.NoError(t, err)
	q, err := n.Quantize()
	require.NoError(t, err)
	p := filepath.Join(t.TempDir(), "m.safetensors")
	require.NoError(t, q.Save(p))
	l, err := runtime.Load(p)
	require.NoError(t, err)
	defer l.Close()
	require.True(t, l.HasIdentifiers())
	got, err := l.IdentifiersWithPrefix("t1")
	require.NoError(t, err)
	require.Equal(t, []runtime.Identifier{{"t1", 2}, {"t10", 3}, {"t1_t0_0213456789", 4}, {"t1_t3_0123456789", 1}}, got)
	got, err = l.IdentifiersWithPrefix("t1_")
	require.NoError(t, err)
	require.Len(t, got, 2)
	got, err = l.IdentifiersWithPrefix("zz")
	require.NoError(t, err)
	require.Empty(t, got)
	got, err = l.IdentifiersWithPrefix("<")
	require.NoError(t, err)
	require.Equal(t, []runtime.Identifier{{"<blank>", 0}}, got)
}

func TestIdentifiersTableUntrusted(t *testing.T) {
	m := puzzleModel(t, 3)
	write := func(table string) (*runtime.Model, error) {
		ts := append(m.Tensors(), loader.Tensor{Name: runtime.KeyIdentifiers, DType: "U8", Shape: []int{len(table)}, Data: []byte(table)})
		p := filepath.Join(t.TempDir(), "m.safetensors")
		require.NoError(t, loader.WriteFile(p, m.Metadata(), ts))
		return runtime.Load(p)
	}
	_, err := write("a\t1")
	require.ErrorContains(t, err, "does not end with a newline")
	l, err := write("a\t1\nb\t7\n")
	require.NoError(t, err, "content is checked as it is read")
	_, err = l.IdentifiersWithPrefix("b")
	require.ErrorContains(t, err, `malformed line at byte 4: "b\t7"`)
	got, err := l.IdentifiersWithPrefix("a")
	require.NoError(t, err)
	require.Equal(t, []runtime.Identifier{{"a", 1}}, got)
	l.Close()
}

// A loaded file's puzzle rows are checked as they are used, not at load.
func TestPuzzleRowsCheckedWhenUsed(t *testing.T) {
	m := puzzleModel(t, 4)
	ts := m.Tensors()
	for i := range ts {
		if ts[i].Name == runtime.KeyPuzzleEmb {
			ts[i].Data = bytes.Clone(ts[i].Data)
			row2 := unsafe.Slice((*float32)(unsafe.Pointer(&ts[i].Data[2*32*4])), 32)
			row2[5] = float32(math.Inf(-1))
		}
	}
	p := filepath.Join(t.TempDir(), "m.safetensors")
	require.NoError(t, loader.WriteFile(p, m.Metadata(), ts))
	l, err := runtime.Load(p)
	require.NoError(t, err)
	defer l.Close()
	s, err := l.NewSession(2, 1)
	require.NoError(t, err)
	defer s.Close()
	tok := make([]int32, 32)
	require.NoError(t, s.Begin(tok, []int32{0, 3}))
	require.ErrorContains(t, s.Begin(tok, []int32{1, 2}), "sequence 1: tensor puzzle_emb.weights: non-finite value -Inf in row 2")
}

// mappedRSS is the resident memory of this process's mappings of path
// (Linux /proc/self/smaps): the pages of the file it has touched.
func mappedRSS(t *testing.T, path string) int64 {
	f, err := os.Open("/proc/self/smaps")
	require.NoError(t, err)
	defer f.Close()
	sc := bufio.NewScanner(f)
	in := false
	var kb int64
	for sc.Scan() {
		l := sc.Text()
		if fs := strings.Fields(l); len(fs) >= 5 && strings.Contains(fs[0], "-") && !strings.HasSuffix(fs[0], ":") {
			in = len(fs) >= 6 && fs[5] == path
			continue
		}
		if v, ok := strings.CutPrefix(l, "Rss:"); ok && in {
			n, err := strconv.ParseInt(strings.TrimSpace(strings.TrimSuffix(strings.TrimSpace(v), "kB")), 10, 64)
			require.NoError(t, err)
			kb += n
		}
	}
	require.NoError(t, sc.Err())
	return kb << 10
}

// Loading a model with a million-row puzzle table maps it without reading
// it: only the rows a batch uses become resident. (The full-size numbers,
// 10⁶ × 512 with hrm-run under /usr/bin/time -v, are in the README.)
func TestMillionRowTableStaysOnDisk(t *testing.T) {
	if goruntime.GOOS != "linux" {
		t.Skip("measures the mapping's resident pages in /proc/self/smaps, Linux only")
	}
	const rows, ndim = 1 << 20, 32
	m := puzzleModel(t, rows)
	ts := m.Tensors()
	for i := range ts {
		if ts[i].Name == runtime.KeyPuzzleEmb {
			// Fresh zeroed memory (the random values would cost seconds):
			// the used rows get values, the rest stays zero.
			ts[i].Data = make([]byte, rows*ndim*4)
			for _, r := range []int{7, rows - 1} {
				row := unsafe.Slice((*float32)(unsafe.Pointer(&ts[i].Data[r*ndim*4])), ndim)
				row[0] = float32(r)
			}
		}
	}
	// and a name for every row, as an official ARC table has: 1024 tasks
	// of 1024 variants
	names := make([]string, rows)
	for i := range names {
		names[i] = fmt.Sprintf("%08x_t%d_0%09d", i/1024, i%8, i%1024)
	}
	names[0] = "<blank>"
	n, err := m.WithIdentifiers(names)
	require.NoError(t, err)
	ts = append(ts, n.Tensors()[len(ts)])
	names, n = nil, nil
	p := filepath.Join(t.TempDir(), "big.safetensors")
	require.NoError(t, loader.WriteFile(p, m.Metadata(), ts))
	ts = nil
	goruntime.GC()

	l, err := runtime.Load(p)
	require.NoError(t, err)
	defer l.Close()
	s, err := l.NewSession(2, 1)
	require.NoError(t, err)
	defer s.Close()
	ids, err := l.IdentifiersWithPrefix("00000200")
	require.NoError(t, err)
	require.Len(t, ids, 1024)
	require.Equal(t, int32(0x200*1024), ids[0].ID)
	require.NoError(t, s.Begin(make([]int32, 32), []int32{7, rows - 1}))
	require.NoError(t, s.Run(runtime.Options{}))
	grew := mappedRSS(t, p)
	table := int64(rows * ndim * 4)
	t.Logf("table %d MiB, names %d MiB; %d KiB of the file resident", table>>20, rows*24>>20, grew>>10)
	// The kernel maps a file's page cache in folios of up to 2 MiB around
	// each page touched: the lookup's binary search touches about 25
	// places in the names, the batch two rows; reading the table or the
	// names would make it all resident.
	require.Less(t, grew, int64(16<<20), "the table (%d MiB) or the names were read", table>>20)
}
