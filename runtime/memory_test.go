package runtime_test

import (
	"os"
	"runtime"
	"runtime/debug"
	"strconv"
	"strings"
	"sync"
	"testing"

	hrm "github.com/hrmgo/hrm/runtime"
	"github.com/stretchr/testify/require"
)

// rssKB reads the resident set size from /proc (Linux only).
func rssKB(t *testing.T) int {
	b, err := os.ReadFile("/proc/self/status")
	if err != nil {
		t.Skip("no /proc/self/status")
	}
	for _, l := range strings.Split(string(b), "\n") {
		if strings.HasPrefix(l, "VmRSS:") {
			f := strings.Fields(l)
			v, _ := strconv.Atoi(f[1])
			return v
		}
	}
	t.Skip("no VmRSS")
	return 0
}

// Memory does not grow with the number of segments: the heap and the
// resident set after 1024 segments equal those after 1 and 16, for float32
// and int8 models.
func TestConstantMemoryRecurrence(t *testing.T) {
	if testing.Short() {
		t.Skip("runs 1024 segments")
	}
	for _, load := range []func(testing.TB) (*hrm.Model, []int32, []int32){tinyModel, archModels(t)["trm_mlp"]} {
		constantMemory(t, load)
	}
}

func constantMemory(t *testing.T, load func(testing.TB) (*hrm.Model, []int32, []int32)) {
	f32, tok, pid := load(t)
	// One sequence: the trm_mlp model runs 18 blocks a segment.
	tok, pid = tok[:f32.Cfg.SeqLen], pid[:1]
	i8, err := f32.Quantize()
	require.NoError(t, err)
	for _, m := range []*hrm.Model{f32, i8} {
		sess, err := m.NewSession(len(pid), 2)
		require.NoError(t, err)
		require.NoError(t, sess.Begin(tok, pid))
		var heap []uint64
		var rss []int
		done := 0
		for _, n := range []int{1, 16, 1024} {
			for ; done < n; done++ {
				sess.Segment()
			}
			// Return freed pages to the OS so that RSS reflects live memory,
			// not what earlier tests in this process left behind.
			debug.FreeOSMemory()
			runtime.GC() // a second collection also frees the pools' victim caches
			var ms runtime.MemStats
			runtime.ReadMemStats(&ms)
			heap = append(heap, ms.HeapAlloc)
			rss = append(rss, rssKB(t))
		}
		sess.Close()
		t.Logf("%s %s: heap after 1/16/1024 segments: %v bytes; RSS %v kB", m.Cfg.Arch, m.Metadata()[hrm.MetaQuant], heap, rss)
		// Nothing may grow; a few kB of slack for the Go runtime's own
		// bookkeeping (timers, GC metadata). Shrinking is fine.
		require.LessOrEqual(t, heap[2], heap[0]+64<<10)
		require.LessOrEqual(t, heap[2], heap[1]+64<<10)
		require.LessOrEqual(t, rss[2], rss[1]+2048)
	}
}

// Many sessions over one shared model, concurrently (run under -race in
// CI), give results identical to one session alone.
func TestConcurrentSessions(t *testing.T) {
	for arch, load := range archModels(t) {
		t.Run(arch, func(t *testing.T) { concurrentSessions(t, load) })
	}
}

func concurrentSessions(t *testing.T, load func(testing.TB) (*hrm.Model, []int32, []int32)) {
	f32, tok, pid := load(t)
	i8, err := f32.Quantize()
	require.NoError(t, err)
	for _, m := range []*hrm.Model{f32, i8} {
		ref, err := m.NewSession(len(pid), 1)
		require.NoError(t, err)
		require.NoError(t, ref.Begin(tok, pid))
		require.NoError(t, ref.Run(hrm.Options{Steps: 3}))
		var wg sync.WaitGroup
		errs := make([]error, 4)
		for g := 0; g < 4; g++ {
			wg.Add(1)
			go func() {
				defer wg.Done()
				s, err := m.NewSession(len(pid), 1+g%2)
				if err != nil {
					errs[g] = err
					return
				}
				defer s.Close()
				if err := s.Begin(tok, pid); err != nil {
					errs[g] = err
					return
				}
				if err := s.Run(hrm.Options{Steps: 3}); err != nil {
					errs[g] = err
					return
				}
				for r := range pid {
					if !equalF32(s.Logits(r), ref.Logits(r)) {
						errs[g] = errMismatch(r)
						return
					}
				}
			}()
		}
		wg.Wait()
		for _, e := range errs {
			require.NoError(t, e)
		}
		ref.Close()
	}
}

type errMismatch int

func (e errMismatch) Error() string {
	return "row " + strconv.Itoa(int(e)) + ": logits differ from the single-session run"
}

func equalF32(a, b []float32) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if a[i] != b[i] {
			return false
		}
	}
	return true
}
