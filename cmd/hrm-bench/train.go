package main

import (
	"encoding/json"
	"flag"
	"fmt"
	"io"
	"slices"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/hrmgo/hrm/asm"
	"github.com/hrmgo/hrm/runtime"
	"github.com/hrmgo/hrm/trainer"
	"github.com/hrmgo/hrm/trainer/data"
)

// trainResult is the training throughput of one recipe and thread count.
type trainResult struct {
	Recipe        string  `json:"recipe"`
	Config        string  `json:"config"`
	Threads       int     `json:"threads"`
	Batch         int     `json:"batch"`
	StepMS        float64 `json:"step_ms_median"`
	RowSegments   float64 `json:"row_segments_per_s"`
	GFLOPS        float64 `json:"gflops"`
	GemmGFLOPS    float64 `json:"f32_gemm_gflops"` // the f32 GEMM at this recipe's gate_up shape, per thread × threads
	ShareOfGemm   float64 `json:"share_of_f32_gemm"`
	StepMACsPerRw float64 `json:"step_macs_per_row"`
}

func selectedTier(family string) string {
	for _, t := range asm.Selected() {
		if t.Family == family {
			return t.Name
		}
	}
	return "generic"
}

// trainRecipe is the model of a recipe at hidden size D on a task.
func trainRecipe(name string, seq, vocab, D, heads int) (runtime.Config, error) {
	c := runtime.DefaultConfig()
	c.SeqLen, c.VocabSize, c.HiddenSize, c.NumHeads, c.Expansion = seq, vocab, D, heads, 4
	c.NumPuzzleIdentifiers, c.HaltMaxSteps, c.HaltExplorationProb = 1, 16, 0.1
	switch name {
	case "hrm": // make train-sudoku9's shape: H and L 2 layers, 2×2 cycles
		c.HLayers, c.LLayers, c.HCycles, c.LCycles = 2, 2, 2, 2
	case "trm-att", "trm-mlp": // the TRM paper's Sudoku schedule, 16-row prefix
		c.Arch, c.HLayers, c.LLayers, c.HCycles, c.LCycles = runtime.ArchTRM, 0, 2, 3, 6
		c.PuzzleEmbNdim, c.PuzzleEmbLen = D, 16
		if name == "trm-mlp" {
			c.MLPT, c.PosEncodings = true, "none"
		}
	default:
		return c, bad("-recipe %q: want hrm, trm-att or trm-mlp", name)
	}
	return c, c.Validate()
}

// train measures training throughput of the HRM and TRM recipes side by
// side on generated data: optimizer steps per second, row-segments per
// second, and the achieved GFLOP/s beside what the float32 GEMM reaches at
// the recipe's main shape on this machine.
func train(args []string, stdout, stderr io.Writer) error {
	fs := flag.NewFlagSet("hrm-bench train", flag.ContinueOnError)
	fs.SetOutput(stderr)
	recipesF := fs.String("recipe", "hrm,trm-att,trm-mlp", "recipes to measure, comma-separated")
	task := fs.String("task", "sudoku9", "sudoku4 or sudoku9")
	hidden := fs.Int("hidden", 128, "hidden size")
	heads := fs.Int("heads", 4, "attention heads")
	batch := fs.Int("batch", 32, "global batch")
	steps := fs.Int("steps", 6, "measured optimizer steps per configuration (after 2 warm-up steps)")
	threadsF := fs.String("threads", "1,2", "thread counts")
	asJSON := fs.Bool("json", false, "JSON output")
	if err := fs.Parse(args); err != nil {
		if err == flag.ErrHelp {
			return err
		}
		return usageError{err}
	}
	threads, err := intList(*threadsF, "threads", maxThreads)
	if err != nil {
		return err
	}
	box := map[string]int{"sudoku4": 2, "sudoku9": 3}[*task]
	switch {
	case box == 0:
		return bad("-task %q: want sudoku4 or sudoku9", *task)
	case *hidden < 8 || *hidden > 1024, *heads < 1:
		return bad("-hidden %d / -heads %d out of range", *hidden, *heads)
	case *batch < 1 || *batch > 1024:
		return bad("-batch %d: want 1..1024", *batch)
	case *steps < 1 || *steps > 1000:
		return bad("-steps %d: want 1..1000", *steps)
	}
	src, err := data.NewSudokuStream(box, map[int]int{2: 8, 3: 40}[box], 1, nil)
	if err != nil {
		return err
	}
	var results []trainResult
	for _, name := range strings.Split(*recipesF, ",") {
		mc, err := trainRecipe(name, box*box*box*box, len(runtime.SudokuVocab.Tokens), *hidden, *heads)
		if err != nil {
			return err
		}
		for _, th := range threads {
			cfg := trainer.Config{Model: mc, Vocab: runtime.SudokuVocab, Batch: *batch, Steps: 1 << 20, LR: 1e-4, PuzzleLR: 1e-2,
				WeightDecay: 0.1, PuzzleWD: 0.1, Beta1: 0.9, Beta2: 0.95, Warmup: 1, LRMinRatio: 1,
				Loss: "stablemax_cross_entropy", Seed: 1, Threads: th}
			if mc.Arch == runtime.ArchTRM {
				cfg.EMA = 0.999
			}
			tr, err := trainer.New(cfg, src)
			if err != nil {
				return err
			}
			var ms []float64
			for i := 0; i < 2+*steps; i++ {
				t0 := time.Now()
				if _, err := tr.Step(); err != nil {
					return err
				}
				if i >= 2 {
					ms = append(ms, float64(time.Since(t0).Nanoseconds())/1e6)
				}
			}
			slices.Sort(ms)
			med := ms[len(ms)/2]
			// The GEMM yardstick: gate_up of one worker's rows.
			rows := (*batch + th - 1) / th * mc.TotalLen()
			gemm, err := asm.Bench(asm.BenchConfig{Families: []string{asm.FamilyGemmF32}, Tiers: []string{selectedTier(asm.FamilyGemmF32)},
				GemmShapes: [][3]int{{rows, mc.HiddenSize, 2 * mc.Inter()}}, MinTime: 100 * time.Millisecond})
			if err != nil || len(gemm) != 1 {
				return fmt.Errorf("f32 GEMM yardstick: %v", err)
			}
			rate := gemm[0].GOPS
			r := trainResult{Recipe: name, Config: mc.Describe(), Threads: th, Batch: *batch, StepMS: med,
				RowSegments: float64(*batch) / (med / 1e3), StepMACsPerRw: trainer.StepMACs(mc), GemmGFLOPS: rate * float64(th)}
			r.GFLOPS = 2 * r.StepMACsPerRw * float64(*batch) / (med / 1e3) / 1e9
			r.ShareOfGemm = r.GFLOPS / r.GemmGFLOPS
			results = append(results, r)
		}
	}
	if *asJSON {
		enc := json.NewEncoder(stdout)
		for _, r := range results {
			if err := enc.Encode(r); err != nil {
				return err
			}
		}
		return nil
	}
	fmt.Fprintf(stdout, "training throughput on generated %s, batch %d, hidden %d; kernels %s\n", *task, *batch, *hidden, asm.Describe())
	for _, name := range strings.Split(*recipesF, ",") {
		for _, r := range results {
			if r.Recipe == name {
				fmt.Fprintf(stdout, "  %s: %s\n", name, r.Config)
				break
			}
		}
	}
	fmt.Fprintln(stdout)
	tw := tabwriter.NewWriter(stdout, 0, 0, 2, ' ', tabwriter.AlignRight)
	fmt.Fprintln(tw, "recipe\tthreads\tms/step\trow·segments/s\tGFLOP/step-row\tGFLOP/s\tf32 GEMM GFLOP/s\tshare\t")
	for _, r := range results {
		fmt.Fprintf(tw, "%s\t%d\t%.1f\t%.1f\t%.3f\t%.1f\t%.1f\t%.0f%%\t\n", r.Recipe, r.Threads, r.StepMS, r.RowSegments,
			2*r.StepMACsPerRw/1e9, r.GFLOPS, r.GemmGFLOPS, 100*r.ShareOfGemm)
	}
	return tw.Flush()
}
