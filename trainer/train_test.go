package trainer

import (
	"os"
	"os/exec"
	"path/filepath"
	goruntime "runtime"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/hrmgo/hrm/runtime"
	"github.com/hrmgo/hrm/trainer/data"
)

// tinyRun is a model and recipe small enough to learn 4×4 Sudoku givens in
// seconds: the test task, copying the given cells and filling two blanks.
func tinyRun(t testing.TB, blanks int, seed uint64) (Config, data.Source) {
	mc := runtime.DefaultConfig()
	mc.SeqLen, mc.VocabSize, mc.HiddenSize, mc.NumHeads = 16, 11, 32, 2
	mc.HLayers, mc.LLayers, mc.HCycles, mc.LCycles = 1, 1, 1, 2
	mc.Expansion, mc.NumPuzzleIdentifiers, mc.HaltMaxSteps, mc.HaltExplorationProb = 2, 1, 3, 0.1
	src, err := data.NewSudokuStream(2, blanks, seed, nil)
	require.NoError(t, err)
	return Config{Model: mc, Vocab: runtime.SudokuVocab, Batch: 32, Steps: 400, LR: 3e-3, PuzzleLR: 1e-2,
		WeightDecay: 0.1, PuzzleWD: 0.1, Beta1: 0.9, Beta2: 0.95, Warmup: 20, LRMinRatio: 1,
		Loss: "stablemax_cross_entropy", Seed: seed, Threads: 2}, src
}

// tinyTRMRun is tinyRun as a TRM (two blocks, one round of two latent
// updates, a 4-row prefix, EMA), with attention or the token-mixing MLP.
func tinyTRMRun(t testing.TB, blanks int, seed uint64, mlpT bool) (Config, data.Source) {
	cfg, src := tinyRun(t, blanks, seed)
	mc := &cfg.Model
	mc.Arch, mc.HLayers, mc.LLayers, mc.HCycles, mc.LCycles, mc.MLPT = runtime.ArchTRM, 0, 2, 1, 2, mlpT
	mc.PuzzleEmbNdim, mc.PuzzleEmbLen = mc.HiddenSize, 4
	if mlpT {
		mc.PosEncodings = "none"
	}
	cfg.EMA = 0.99
	return cfg, src
}

func testSet(t testing.TB, src data.Source, from, n int) []data.Example {
	var out []data.Example
	for i := 0; i < n; i++ {
		ex, err := src.At(uint64(from + i))
		require.NoError(t, err)
		out = append(out, ex)
	}
	return out
}

// A tiny run must learn: the loss falls and the held-out token accuracy
// passes a bar no untrained model reaches.
func TestTrainingLearns(t *testing.T) {
	for name, run := range map[string]func() (Config, data.Source){
		"hrm":     func() (Config, data.Source) { return tinyRun(t, 1, 7) },
		"trm_att": func() (Config, data.Source) { return tinyTRMRun(t, 1, 7, false) },
		"trm_mlp": func() (Config, data.Source) { return tinyTRMRun(t, 1, 7, true) },
	} {
		t.Run(name, func(t *testing.T) {
			cfg, src := run()
			steps := 300
			if cfg.Model.Arch == runtime.ArchTRM {
				steps = 150 // twice the block applications per step; it learns in fewer
			}
			trainingLearns(t, cfg, src, steps)
		})
	}
}

func trainingLearns(t *testing.T, cfg Config, src data.Source, steps int) {
	tr, err := New(cfg, src)
	require.NoError(t, err)
	held := testSet(t, src, 1<<40, 200)
	before, err := Evaluate(tr.EvalModel(), held, 0, 2, 32)
	require.NoError(t, err)
	var first, last float64
	for i := 0; i < steps; i++ {
		r, err := tr.Step()
		require.NoError(t, err)
		if i < 10 {
			first += r.LMLoss / 10
		}
		if i >= steps-10 {
			last += r.LMLoss / 10
		}
	}
	after, err := Evaluate(tr.EvalModel(), held, 0, 2, 32)
	require.NoError(t, err)
	t.Logf("lm loss %.3f → %.3f; held-out token accuracy %.3f → %.3f, exact %.3f → %.3f",
		first, last, before.Accuracy, after.Accuracy, before.ExactAccuracy, after.ExactAccuracy)
	require.Less(t, last, first/2)
	require.Greater(t, after.Accuracy, 0.9)
}

// Resuming from a checkpoint reproduces the uninterrupted run exactly, bit
// for bit, whatever the thread count of either run.
func TestResumeDeterminism(t *testing.T) {
	for name, run := range map[string]func() (Config, data.Source){
		"hrm":         func() (Config, data.Source) { return tinyRun(t, 2, 3) },
		"trm_mlp+ema": func() (Config, data.Source) { return tinyTRMRun(t, 2, 3, true) },
	} {
		t.Run(name, func(t *testing.T) {
			cfg, src := run()
			resumeDeterminism(t, cfg, src)
		})
	}
}

func resumeDeterminism(t *testing.T, cfg Config, src data.Source) {
	a, err := New(cfg, src)
	require.NoError(t, err)
	var want []StepResult
	for i := 0; i < 12; i++ {
		r, err := a.Step()
		require.NoError(t, err)
		want = append(want, r)
	}
	b, err := New(cfg, src)
	require.NoError(t, err)
	for i := 0; i < 5; i++ {
		_, err := b.Step()
		require.NoError(t, err)
	}
	path := filepath.Join(t.TempDir(), "ckpt.safetensors")
	require.NoError(t, b.SaveCheckpoint(path))
	c, err := Resume(path, src, 3) // the runs above use 2
	require.NoError(t, err)
	require.Equal(t, 5, c.StepCount())
	for i := 5; i < 12; i++ {
		r, err := c.Step()
		require.NoError(t, err)
		require.Equal(t, want[i], r, "step %d", i+1)
	}
	require.Equal(t, a.w.flat, c.w.flat)
	if cfg.EMA > 0 {
		require.Equal(t, a.ema.flat, c.ema.flat)
		require.NotEqual(t, c.w.flat, c.ema.flat)
		// Export and the checkpoint export ship the average.
		dir := t.TempDir()
		require.NoError(t, c.SaveCheckpoint(path))
		require.NoError(t, c.Export(filepath.Join(dir, "live.safetensors")))
		require.NoError(t, ExportCheckpoint(path, filepath.Join(dir, "ckpt.safetensors"), false))
		x, err := os.ReadFile(filepath.Join(dir, "live.safetensors"))
		require.NoError(t, err)
		y, err := os.ReadFile(filepath.Join(dir, "ckpt.safetensors"))
		require.NoError(t, err)
		require.Equal(t, x, y)
		m, err := runtime.Load(filepath.Join(dir, "live.safetensors"))
		require.NoError(t, err)
		defer m.Close()
		ema := c.EvalModel()
		require.Equal(t, ema.Tensors()[len(ema.Tensors())-1].Data, m.Tensors()[len(m.Tensors())-1].Data)
	}

	// Resuming on another data stream is refused.
	other, _ := data.NewSudokuStream(2, 3, 99, nil)
	_, err = Resume(path, other, 1)
	require.ErrorContains(t, err, "another data stream")
}

// The thread count changes nothing: the batch's chunks, not the threads,
// fix the order of every float sum.
func TestThreadsDoNotChangeResults(t *testing.T) {
	var ref []float32
	var refRes []StepResult
	for _, threads := range []int{1, 2, 3, 8} {
		cfg, src := tinyRun(t, 2, 13)
		cfg.Threads = threads
		tr, err := New(cfg, src)
		require.NoError(t, err)
		var res []StepResult
		for i := 0; i < 4; i++ {
			r, err := tr.Step()
			require.NoError(t, err)
			res = append(res, r)
		}
		if ref == nil {
			ref, refRes = tr.w.flat, res
			continue
		}
		require.Equal(t, refRes, res, "threads %d", threads)
		require.Equal(t, ref, tr.w.flat, "threads %d", threads)
	}
}

// A process killed while writing checkpoints in a loop never leaves a
// broken checkpoint behind: the last complete one always loads.
func TestCheckpointCrashSafety(t *testing.T) {
	if os.Getenv("HRM_CKPT_LOOP") != "" {
		cfg, src := tinyRun(t, 2, 5)
		tr, err := New(cfg, src)
		require.NoError(t, err)
		for {
			if _, err := tr.Step(); err != nil {
				t.Fatal(err)
			}
			if err := tr.SaveCheckpoint(os.Getenv("HRM_CKPT_LOOP")); err != nil {
				t.Fatal(err)
			}
		}
	}
	if testing.Short() {
		t.Skip("spawns a subprocess")
	}
	dir := t.TempDir()
	path := filepath.Join(dir, "ckpt.safetensors")
	_, src := tinyRun(t, 2, 5)
	for _, after := range []time.Duration{700 * time.Millisecond, 1100 * time.Millisecond, 1600 * time.Millisecond} {
		cmd := exec.Command(os.Args[0], "-test.run=^TestCheckpointCrashSafety$")
		cmd.Env = append(os.Environ(), "HRM_CKPT_LOOP="+path)
		require.NoError(t, cmd.Start())
		time.Sleep(after)
		require.NoError(t, cmd.Process.Kill())
		_ = cmd.Wait()
		if _, err := os.Stat(path); os.IsNotExist(err) {
			continue // killed before the first checkpoint completed
		}
		tr, err := Resume(path, src, 1)
		require.NoError(t, err, "checkpoint left by a process killed after %v", after)
		require.Greater(t, tr.StepCount(), 0)
		entries, _ := os.ReadDir(dir)
		t.Logf("killed after %v: checkpoint at step %d loads; %d files in the directory", after, tr.StepCount(), len(entries))
	}
}

// Training memory does not grow with steps: every buffer is allocated when
// the trainer is built.
func TestTrainingMemoryConstant(t *testing.T) {
	cfg, src := tinyRun(t, 2, 11)
	tr, err := New(cfg, src)
	require.NoError(t, err)
	heapAfter := func(steps int) uint64 {
		for i := 0; i < steps; i++ {
			_, err := tr.Step()
			require.NoError(t, err)
		}
		// Two collections empty the sync.Pools of the kernels (the first
		// moves their contents to the victim cache, the second frees it).
		goruntime.GC()
		goruntime.GC()
		var ms goruntime.MemStats
		goruntime.ReadMemStats(&ms)
		return ms.HeapAlloc
	}
	a := heapAfter(20)
	b := heapAfter(60)
	c := heapAfter(120)
	goruntime.KeepAlive(tr)
	t.Logf("heap after 20, 80 and 200 steps: %d, %d, %d bytes", a, b, c)
	require.InDelta(t, float64(b), float64(c), 64<<10)
	require.InDelta(t, float64(a), float64(c), 64<<10)
}
