// Command hrm-bench measures hrm on this machine, in the spirit of
// llama-bench.
//
//	hrm-bench kernels                      # every kernel tier on the HRM shapes
//	hrm-bench model -random -quant int8    # a random full-size Sudoku HRM
//	hrm-bench model -model m.safetensors -threads 1,2 -batch 1,16 -json
//	hrm-bench accuracy -model sudoku.safetensors   # int8 vs f32, per ACT step
package main

import (
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"math/rand/v2"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"sync/atomic"
	"syscall"
	"text/tabwriter"
	"time"

	"github.com/hrmgo/hrm/asm"
	"github.com/hrmgo/hrm/internal/cli"
	"github.com/hrmgo/hrm/loader"
	"github.com/hrmgo/hrm/runtime"
)

func main() {
	loader.ExitOnSignal(os.Interrupt, syscall.SIGTERM)
	os.Exit(run(os.Args[1:], os.Stdout, os.Stderr))
}

type usageError struct{ error }

func bad(format string, a ...any) error { return usageError{fmt.Errorf(format, a...)} }

func run(args []string, stdout, stderr io.Writer) int {
	out := cli.NewOutput(stdout)
	err := dispatch(args, out, stderr)
	if oerr := out.Err(); oerr != nil {
		err = oerr // the cause of whatever else failed
	}
	if err == flag.ErrHelp {
		return 0
	}
	if err != nil {
		fmt.Fprintf(stderr, "hrm-bench: %v\n", err)
		var ue usageError
		if errors.As(err, &ue) {
			return 2
		}
		return 1
	}
	return 0
}

func dispatch(args []string, stdout, stderr io.Writer) error {
	if err := asm.EnvError(); err != nil {
		return usageError{err}
	}
	if len(args) == 0 {
		return bad("usage: hrm-bench kernels|model|accuracy|train|solve|arc [flags] (hrm-bench COMMAND -h for help)")
	}
	switch args[0] {
	case "-h", "-help", "--help", "help":
		fmt.Fprintln(stderr, "usage: hrm-bench kernels|model|accuracy [flags]\n\n"+
			"  kernels   every kernel tier on the HRM shapes\n"+
			"  model     ms per ACT segment of a weight file or a random full-size HRM\n"+
			"  accuracy  int8 against float32, per ACT step\n"+
			"  train     training throughput\n"+
			"  solve     solve rate of a Sudoku or maze model per level and halting mode\n"+
			"  arc       pass@1 and pass@2 of an ARC model on a directory of task files\n\n"+
			"hrm-bench COMMAND -h lists the command's flags.")
		return flag.ErrHelp
	case "kernels":
		return kernels(args[1:], stdout, stderr)
	case "model":
		return model(args[1:], stdout, stderr)
	case "accuracy":
		return accuracy(args[1:], stdout, stderr)
	case "train":
		return train(args[1:], stdout, stderr)
	case "solve":
		return solve(args[1:], stdout, stderr)
	case "arc":
		return arcBench(args[1:], stdout, stderr)
	}
	return bad("unknown command %q: want kernels, model, accuracy, train, solve or arc", args[0])
}

func kernels(args []string, stdout, stderr io.Writer) error {
	fs := flag.NewFlagSet("hrm-bench kernels", flag.ContinueOnError)
	minTime := fs.Duration("time", 200*time.Millisecond, "measuring time per kernel and shape")
	family := fs.String("family", "", "only this family: gemms8, gemmf32, attention or vector")
	asJSON := fs.Bool("json", false, "JSON output")
	if err := cli.Parse(fs, args, stderr); err != nil {
		if err == flag.ErrHelp {
			return err
		}
		return usageError{err}
	}
	if *minTime <= 0 {
		return bad("-time %v: must be positive", *minTime)
	}
	cfg := asm.BenchConfig{MinTime: *minTime}
	switch *family {
	case "":
	case asm.FamilyGemmS8, asm.FamilyGemmF32, asm.FamilyAttention, asm.FamilyVector:
		cfg.Families = []string{*family}
	default:
		return bad("-family %q: want %s, %s, %s or %s", *family, asm.FamilyGemmS8, asm.FamilyGemmF32, asm.FamilyAttention, asm.FamilyVector)
	}
	rs, err := asm.Bench(cfg)
	if err != nil {
		return usageError{err}
	}
	hz, how := asm.ClockHz()
	if *asJSON {
		return json.NewEncoder(stdout).Encode(map[string]any{"clock_hz": hz, "clock": how, "kernels": asm.Describe(), "results": rs})
	}
	fmt.Fprintf(stdout, "selected kernels: %s; clock %.2f GHz (%s); single thread\n\n", asm.Describe(), hz/1e9, how)
	return asm.WriteBenchTable(stdout, rs)
}

// intList parses "1,2,4", each value in 1..hi.
func intList(s, name string, hi int) ([]int, error) {
	var out []int
	for _, f := range strings.Split(s, ",") {
		v, err := strconv.Atoi(strings.TrimSpace(f))
		if err != nil || v < 1 {
			return nil, bad("-%s %q: want positive integers separated by commas", name, s)
		}
		if v > hi {
			return nil, bad("-%s %d: want at most %d", name, v, hi)
		}
		out = append(out, v)
	}
	return out, nil
}

// Limits of runtime.NewSession, checked before a model is built.
const (
	maxThreads = 1024
	maxBatch   = 1 << 16
)

// modelResult is one (quantization, threads, batch) configuration.
type modelResult struct {
	Model         string    `json:"model"`
	Quant         string    `json:"quant"`
	Threads       int       `json:"threads"`
	Batch         int       `json:"batch"`
	SeqLen        int       `json:"tokens"`
	Steps         int       `json:"steps"`
	Reps          int       `json:"reps"`
	LoadMS        float64   `json:"load_ms"`
	SegmentMS     float64   `json:"segment_ms_median"`
	SegmentMin    float64   `json:"segment_ms_min"`
	SegmentMax    float64   `json:"segment_ms_max"`
	PuzzleMS      float64   `json:"puzzle_ms"`
	PuzzlesPerSec float64   `json:"puzzles_per_s"`
	GOPS          float64   `json:"gops"`
	PctPeak       float64   `json:"pct_peak,omitempty"`
	PeakRSSMB     float64   `json:"peak_rss_mb"`
	WeightMB      float64   `json:"weight_mb"`
	Kernels       string    `json:"kernels"`
	SamplesMS     []float64 `json:"segment_ms"`
	// Profile is the breakdown of -profile: per step, ms per segment.
	Profile map[string]profileStep `json:"profile,omitempty"`
	// GemmRatio is the segment's time over its GEMMs' time at the rate
	// the tier's kernel reaches at this model's main shape (-profile).
	GemmRatio float64 `json:"segment_over_gemm,omitempty"`
}

func model(args []string, stdout, stderr io.Writer) error {
	fs := flag.NewFlagSet("hrm-bench model", flag.ContinueOnError)
	path := fs.String("model", "", "weight file to measure")
	random := fs.Bool("random", false, "build random full-size Sudoku models (see -arch)")
	archF := fs.String("arch", "hrm", "random models: hrm (D 512, 8 heads, 4+4 layers), trm-att, trm-mlp (D 512, 2 layers, 3×(6+1) updates, 16-row prefix), comma-separated, or all")
	seq := fs.Int("seq", 81, "sequence length of the -random model (81: Sudoku; 900: 30×30)")
	quantF := fs.String("quant", "", "convert the model before measuring: f32, int8 or both (f32,int8) (default: as stored)")
	threadsF := fs.String("threads", "1", "thread counts to measure, e.g. 1,2")
	batchF := fs.String("batch", "1", "batch sizes to measure, e.g. 1,16")
	steps := fs.Int("steps", 16, "ACT segments per puzzle")
	profile := fs.Bool("profile", false, "also break a segment down by step, and set it against its GEMMs at the kernel's measured rate")
	reps := fs.Int("reps", 5, "measured repetitions (segments) per configuration")
	asJSON := fs.Bool("json", false, "JSON output, one object per configuration")
	mem := cli.Bytes(cli.DefaultMemBudget())
	fs.Var(&mem, "mem", "working memory allowed for a session's buffers, e.g. 512M or 2G (default: a quarter of this machine's memory, at most 1 GiB)")
	if err := cli.Parse(fs, args, stderr); err != nil {
		if err == flag.ErrHelp {
			return err
		}
		return usageError{err}
	}
	threads, err := intList(*threadsF, "threads", maxThreads)
	if err != nil {
		return err
	}
	batches, err := intList(*batchF, "batch", maxBatch)
	if err != nil {
		return err
	}
	var quants []string
	if *quantF != "" {
		for _, q := range strings.Split(*quantF, ",") {
			if q != "f32" && q != "int8" {
				return bad("-quant %q: want f32, int8 or f32,int8", *quantF)
			}
			quants = append(quants, q)
		}
	}
	switch {
	case (*path == "") == !*random:
		return bad("give -model FILE or -random")
	case *steps < 1, *reps < 1:
		return bad("-steps and -reps must be positive")
	case *seq < 1 || *seq > 4096:
		return bad("-seq %d: want 1..4096", *seq)
	}
	type source struct {
		name string
		m    *runtime.Model
		load time.Duration
	}
	var sources []source
	if *random {
		archs := strings.Split(*archF, ",")
		if *archF == "all" {
			archs = []string{"hrm", "trm-att", "trm-mlp"}
		}
		for _, a := range archs {
			var c runtime.Config
			switch a {
			case "hrm":
				c = runtime.FullSizeConfig(*seq)
			case "trm-att":
				c = runtime.FullSizeTRMConfig(*seq, false)
			case "trm-mlp":
				c = runtime.FullSizeTRMConfig(*seq, true)
			default:
				return bad("-arch %q: want hrm, trm-att, trm-mlp or all", a)
			}
			m, err := runtime.NewRandom(c, 42)
			if err != nil {
				return err
			}
			sources = append(sources, source{fmt.Sprintf("random %s D%d T%d", a, c.HiddenSize, c.TotalLen()), m, 0})
		}
	} else {
		t0 := time.Now()
		m, err := runtime.Load(*path)
		if err != nil {
			return usageError{err}
		}
		defer m.Close()
		sources = append(sources, source{*path, m, time.Since(t0)})
	}
	if len(quants) == 0 {
		quants = []string{""}
	}

	// Every configuration must fit before any is measured: a batch's
	// buffers grow with it (2.5 GB at batch 2048 for a 1 MB model). An int8
	// session needs more than a float32 one, so the int8 form is checked
	// when int8 will run.
	for _, src := range sources {
		m := src.m
		if slices.Contains(quants, runtime.QuantInt8) && m.Metadata()[runtime.MetaQuant] != runtime.QuantInt8 {
			if m, err = m.Quantize(); err != nil {
				return err
			}
		}
		for _, th := range threads {
			for _, b := range batches {
				if need := m.SessionBytes(b, th); need > int64(mem) {
					return bad("-batch %d with -threads %d needs %s of working memory with %s, over the -mem budget of %s; raise -mem",
						b, th, cli.FormatBytes(need), src.name, cli.FormatBytes(int64(mem)))
				}
			}
		}
	}

	var results []modelResult
	for _, src := range sources {
		for _, qn := range quants {
			m, load, err := prepare(src.m, qn, *random)
			if err != nil {
				return err
			}
			if m == src.m {
				load = src.load
			}
			q := m.Metadata()[runtime.MetaQuant]
			wmb := float64(weightBytes(m)) / 1e6
			for _, th := range threads {
				for _, b := range batches {
					r, err := measure(m, th, b, *steps, *reps, *profile)
					if err != nil {
						return err
					}
					r.Model, r.Quant, r.LoadMS, r.WeightMB = src.name, q, float64(load.Microseconds())/1e3, wmb
					results = append(results, r)
				}
			}
			if m != src.m {
				m.Close()
			}
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
	fmt.Fprintf(stdout, "kernels %s; ms per ACT segment of the whole batch\n\n", asm.Describe())
	tw := tabwriter.NewWriter(stdout, 0, 0, 2, ' ', tabwriter.AlignRight)
	fmt.Fprintln(tw, "model\tquant\tMB\tload ms\tthreads\tbatch\ttokens\tms/segment (median)\tmin..max\tms/puzzle\tpuzzles/s\tGOP/s\t% peak\tpeak RSS MB\t")
	for _, r := range results {
		pct := "-"
		if r.PctPeak > 0 {
			pct = fmt.Sprintf("%.0f", r.PctPeak)
		}
		fmt.Fprintf(tw, "%s\t%s\t%.1f\t%.1f\t%d\t%d\t%d\t%.2f\t%.2f..%.2f\t%.1f\t%.2f\t%.1f\t%s\t%.1f\t\n", r.Model, r.Quant, r.WeightMB, r.LoadMS, r.Threads, r.Batch, r.SeqLen,
			r.SegmentMS, r.SegmentMin, r.SegmentMax, r.PuzzleMS, r.PuzzlesPerSec, r.GOPS, pct, r.PeakRSSMB)
	}
	if err := tw.Flush(); err != nil {
		return err
	}
	if *profile {
		return writeProfiles(stdout, results)
	}
	return nil
}

// writeProfiles prints each configuration's breakdown: where a segment's
// time goes, and the segment against its GEMMs at the kernel's rate.
func writeProfiles(w io.Writer, results []modelResult) error {
	hz, _ := asm.ClockHz()
	for _, r := range results {
		fmt.Fprintf(w, "\n%s %s, %d thread(s), batch %d: segment %.2f ms = %.2f× its GEMMs at the kernel's measured rate\n", r.Model, r.Quant, r.Threads, r.Batch, r.SegmentMS, r.GemmRatio)
		tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', tabwriter.AlignRight)
		fmt.Fprintln(tw, "step\tcalls\tms/segment\t% of segment\tMACs/cycle/thread\t")
		var total float64
		for _, p := range r.Profile {
			total += p.MS
		}
		for _, name := range runtime.ProfileNames {
			p, ok := r.Profile[name]
			if !ok {
				continue
			}
			mpc := "-"
			if p.MACs > 0 && p.MS > 0 {
				mpc = fmt.Sprintf("%.1f", p.MACs/(p.MS/1e3)/hz/float64(r.Threads))
			}
			fmt.Fprintf(tw, "%s\t%.0f\t%.3f\t%.1f\t%s\t\n", name, p.Calls, p.MS, 100*p.MS/total, mpc)
		}
		if err := tw.Flush(); err != nil {
			return err
		}
	}
	return nil
}

// prepare converts m to the quantization q ("" keeps it) and, when it made
// a new model (or m is a random one), writes and maps it, so that the model
// measured and its load time are those of a weight file as it will run.
func prepare(m *runtime.Model, q string, random bool) (*runtime.Model, time.Duration, error) {
	var err error
	stored := m.Metadata()[runtime.MetaQuant]
	switch {
	case q == runtime.QuantInt8 && stored != runtime.QuantInt8:
		if m, err = m.Quantize(); err != nil {
			return nil, 0, err
		}
	case q == runtime.QuantF32 && stored == runtime.QuantInt8:
		m = m.Dequantize()
	case !random:
		return m, 0, nil
	}
	// The file lives only between its rename into place and the mapping:
	// Save writes through a temporary file that loader.ExitOnSignal (main)
	// removes on Ctrl-C, and the mapping outlives the unlink.
	p := filepath.Join(os.TempDir(), fmt.Sprintf("hrm-bench-%d-%d.safetensors", os.Getpid(), scratchSeq.Add(1)))
	if err := m.Save(p); err != nil {
		return nil, 0, err
	}
	t0 := time.Now()
	mm, err := runtime.Load(p)
	load := time.Since(t0)
	os.Remove(p)
	return mm, load, err
}

var scratchSeq atomic.Int64

// measure times single segments after one warm-up segment; one puzzle is
// steps segments of the batch.
// profileStep is one step of a segment's breakdown.
type profileStep struct {
	MS    float64 `json:"ms_per_segment"`
	Calls float64 `json:"calls_per_segment"`
	MACs  float64 `json:"macs_per_segment,omitempty"`
}

func measure(m *runtime.Model, threads, batch, steps, reps int, profile bool) (modelResult, error) {
	c := m.Cfg
	sess, err := m.NewSession(batch, threads)
	if err != nil {
		return modelResult{}, err
	}
	defer sess.Close()
	rng := rand.New(rand.NewPCG(1, 2))
	toks := make([]int32, batch*c.SeqLen)
	for i := range toks {
		toks[i] = int32(1 + rng.IntN(c.VocabSize-1))
	}
	if err := sess.Begin(toks, make([]int32, batch)); err != nil {
		return modelResult{}, err
	}
	sess.Segment() // warm-up: page in the weights, fill caches
	var ms []float64
	for i := 0; i < reps; i++ {
		t := time.Now()
		sess.Segment()
		ms = append(ms, float64(time.Since(t).Nanoseconds())/1e6)
	}
	sorted := slices.Clone(ms)
	slices.Sort(sorted)
	med := sorted[len(sorted)/2]
	if len(sorted)%2 == 0 {
		med = (sorted[len(sorted)/2-1] + sorted[len(sorted)/2]) / 2
	}
	r := modelResult{Threads: sess.Threads(), Batch: batch, SeqLen: c.TotalLen(), Steps: steps, Reps: reps,
		SegmentMS: med, SegmentMin: sorted[0], SegmentMax: sorted[len(sorted)-1], SamplesMS: ms,
		PuzzleMS: med * float64(steps), Kernels: asm.Describe(), PeakRSSMB: peakRSSMB()}
	r.PuzzlesPerSec = float64(batch) / (r.PuzzleMS / 1e3)
	ops := 2 * c.SegmentMACs() * float64(batch) // a multiply-add is two operations
	r.GOPS = ops / (med / 1e3) / 1e9
	if peak := tierPeak(m); peak > 0 {
		hz, _ := asm.ClockHz()
		r.PctPeak = 100 * (ops / 2 / (med / 1e3)) / (peak * hz * float64(sess.Threads()))
	}
	if profile {
		var p runtime.Profile
		sess.SetProfile(&p)
		for i := 0; i < reps; i++ {
			sess.Segment()
		}
		sess.SetProfile(nil)
		r.Profile = map[string]profileStep{}
		var gemmMACs float64
		for i, name := range runtime.ProfileNames {
			if p.Calls[i] == 0 {
				continue
			}
			n := float64(reps)
			r.Profile[name] = profileStep{MS: float64(p.Time[i].Nanoseconds()) / 1e6 / n, Calls: float64(p.Calls[i]) / n, MACs: p.MACs[i] / n}
			if i == runtime.ProfGemmS8 || i == runtime.ProfGemmF32 {
				gemmMACs += p.MACs[i] / n
			}
		}
		rate, err := gemmRate(m, batch)
		if err != nil {
			return r, err
		}
		ideal := gemmMACs / (rate * float64(sess.Threads())) * 1e3 // ms
		r.GemmRatio = float64(p.Total().Nanoseconds()) / 1e6 / float64(reps) / ideal
	}
	return r, nil
}

// gemmRate is the MACs/s one thread's GEMM kernel (int8 or float32, as the
// model's linears run) reaches at the model's gate_up shape for a batch:
// the yardstick of a segment's GEMM time.
func gemmRate(m *runtime.Model, batch int) (float64, error) {
	c := m.Cfg
	fam := asm.FamilyGemmF32
	if m.Metadata()[runtime.MetaQuant] == runtime.QuantInt8 {
		fam = asm.FamilyGemmS8
	}
	rs, err := asm.Bench(asm.BenchConfig{Families: []string{fam}, Tiers: []string{selectedTier(fam)},
		GemmShapes: [][3]int{{batch * c.TotalLen(), c.HiddenSize, 2 * c.Inter()}}, MinTime: 100 * time.Millisecond})
	if err != nil || len(rs) != 1 {
		return 0, fmt.Errorf("GEMM yardstick: %v", err)
	}
	return rs[0].MACs / rs[0].Seconds, nil
}

// tierPeak is the MACs/cycle peak of the kernel family the model's linears
// run on.
func tierPeak(m *runtime.Model) float64 {
	fam := asm.FamilyGemmF32
	if m.Metadata()[runtime.MetaQuant] == runtime.QuantInt8 {
		fam = asm.FamilyGemmS8
	}
	for _, t := range asm.Selected() {
		if t.Family == fam {
			return asm.NominalPeak[fam+"/"+t.Name]
		}
	}
	return 0
}

func weightBytes(m *runtime.Model) int {
	n := 0
	for _, t := range m.Tensors() {
		n += len(t.Data)
	}
	return n
}
