package asm

import (
	"bufio"
	"fmt"
	"io"
	"math"
	"math/rand/v2"
	"os"
	"strconv"
	"strings"
	"sync"
	"text/tabwriter"
	"time"
)

// Benchmark support shared by the Go benchmarks (go test -bench) and by
// tools such as cmd/hrm-bench, which call Bench and WriteBenchTable.
//
// Conventions: one op is a multiply or an add, so GOP/s = 2·MACs/s/1e9
// for both int8 and float32. MACs/cycle divides by the clock from ClockHz.
// Times are the best of several batches (the minimum filters out other
// processes on shared machines), single-threaded.

// NominalPeak is the per-core peak, in MACs per cycle, that "% peak" is
// measured against: the figures of the design brief §2.1. For int8:
// avx512vnni 128 (2 zmm VPDPBUSD per cycle, Zen 5; Zen 4 and Ice Lake
// client issue 1 per cycle, 64), avxvnni 64 (2 ymm), avx2 32 (2 ymm
// VPMADDUBSW+VPMADDWD pairs per cycle; see gemm_s8_avx2_amd64.s), dotprod 32
// (Cortex-A76: 2 SDOT per cycle), neon 8 (Cortex-A72: SMULL/SMLAL on one
// pipe). For float32 (MACs, i.e. FMA lanes): avx512 and avx2 16 (two
// 256-bit FMA pipes on Zen 4/5 and client Intel; 16×2 = 32 flops), neon 8
// (two 128-bit FMLA pipes). Attention uses its float32 tier's figure.
// Generic tiers have no peak (0).
var NominalPeak = map[string]float64{
	"gemms8/avx512vnni": 128, "gemms8/avxvnni": 64, "gemms8/avx2": 32,
	"gemms8/dotprod": 32, "gemms8/neon": 8,
	"gemmf32/avx512": 16, "gemmf32/avx2": 16, "gemmf32/neon": 8,
	"attention/avx512": 16, "attention/avx2": 16, "attention/neon": 8,
}

// Probe is the measured limit of one tier's inner instruction mix on this
// CPU: a register-only loop of the instructions a kernel's inner loop
// issues per multiply-add step, with no loads.
type Probe struct {
	Key          string // "family/tier"
	What         string // the instructions timed
	MACsPerCycle float64
}

var (
	probesOnce sync.Once
	probes     []Probe
)

// Probes runs the instruction probes of this CPU's tiers once and returns
// them (nil without assembly).
func Probes() []Probe {
	probesOnce.Do(func() { probes = probeList() })
	return probes
}

func probePeaks() map[string]float64 {
	m := map[string]float64{}
	for _, p := range Probes() {
		m[p.Key] = p.MACsPerCycle
	}
	return m
}

// BenchResult is one measured kernel configuration.
type BenchResult struct {
	Family, Tier string
	Shape        string  // "M=82 K=512 N=1536" or "T=901 heads=8 d=64"
	MACs         float64 // multiply-adds per call
	Seconds      float64 // best time per call
	GOPS         float64 // 2·MACs/Seconds/1e9
	MACsPerCycle float64
	Peak         float64 // NominalPeak of the tier, 0 if none
	PctPeak      float64 // 100·MACsPerCycle/Peak
	ProbePeak    float64 // peak measured by an instruction probe on this CPU, 0 if none
	PctProbe     float64
	// FamilyVector results: Shape is "SwiGLU n=512", MACs and the fields
	// derived from it are 0, and Elems is the row length.
	Elems     int
	NsPerElem float64
}

// BenchConfig chooses what Bench measures. Zero fields mean: all families,
// every supported tier, HRMGemmShapes and TRMGemmShapes / HRMAttentionShapes /
// HRMVectorLens, 200 ms each.
type BenchConfig struct {
	Families   []string
	Tiers      []string // tier names; empty = every supported tier
	GemmShapes [][3]int // {M, K, N}
	AttnShapes [][3]int // {T, heads, headDim}
	VectorLens []int    // row lengths for FamilyVector
	MinTime    time.Duration
}

// HRMGemmShapes are the linear layers of an HRM block ({M, K, N}): qkv,
// o, gate_up and down at 82 (Sudoku), 901 (30×30) and 1312 tokens.
func HRMGemmShapes() [][3]int {
	var s [][3]int
	for _, m := range []int{82, 901, 1312} {
		for _, kn := range [][2]int{{512, 1536}, {512, 512}, {512, 3072}, {1536, 512}} {
			s = append(s, [3]int{m, kn[0], kn[1]})
		}
	}
	return s
}

// TRMGemmShapes are the token-mixing products of a TRM ({M, K, N}): the
// D = 512 hidden rows of one sequence times its positions, 97 (9×9 plus a
// prefix) or 916 (30×30 plus a prefix), into 512 or 1024 outputs. K is not
// a multiple of 16 and N is small, which must not leave the fast path.
func TRMGemmShapes() [][3]int {
	return [][3]int{{512, 97, 512}, {512, 97, 1024}, {512, 916, 512}, {512, 916, 1024}}
}

// HRMAttentionShapes are HRM's attention shapes ({T, heads, headDim}).
func HRMAttentionShapes() [][3]int { return [][3]int{{82, 8, 64}, {901, 8, 64}} }

// HRMVectorLens are the row lengths of HRM's vector steps: D = 512 and the
// MLP width 1536.
func HRMVectorLens() []int { return []int{512, 1536} }

// vectorKernels are the FamilyVector kernels as benchmarks: setup makes
// inputs of n elements and returns the call to time. RoPEHalf rotates n/64
// head vectors of 64 (HRM's head size), or one of n when 64 does not
// divide n.
var vectorKernels = []struct {
	name  string
	setup func(n int) func()
}{
	{"QuantizeRowS8", func(n int) func() {
		src, dst := randF32(rand.New(rand.NewPCG(1, uint64(n))), n), make([]int8, n)
		return func() { QuantizeRowS8(dst, src) }
	}},
	{"DequantS8", func(n int) func() {
		r := rand.New(rand.NewPCG(2, uint64(n)))
		acc, sw, y := make([]int32, n), randF32(r, n), make([]float32, n)
		for i := range acc {
			acc[i] = int32(r.IntN(1<<20) - 1<<19)
		}
		return func() { DequantS8(y, acc, 0.01, sw) }
	}},
	{"SwiGLU", func(n int) func() {
		r := rand.New(rand.NewPCG(3, uint64(n)))
		gate, up, out := randF32(r, n), randF32(r, n), make([]float32, n)
		return func() { SwiGLU(out, gate, up) }
	}},
	{"AddRMSNorm", func(n int) func() {
		r := rand.New(rand.NewPCG(4, uint64(n)))
		h, y := randF32(r, n), randF32(r, n)
		return func() { AddRMSNorm(h, y, 1e-5) }
	}},
	{"RoPEHalf", func(n int) func() {
		r := rand.New(rand.NewPCG(5, uint64(n)))
		half := 32
		if n%64 != 0 {
			half = max(1, n/2)
		}
		v, cos, sin := randF32(r, n), make([]float32, half), make([]float32, half)
		v = v[:len(v)/(2*half)*(2*half)]
		for j := range cos {
			cos[j], sin[j] = float32(math.Cos(float64(j))), float32(math.Sin(float64(j)))
		}
		return func() { RoPEHalf(v, cos, sin) }
	}},
}

var (
	clockOnce sync.Once
	clockHz   float64
	clockHow  string
)

// ClockHz estimates the core clock. With assembly it times a chain of
// dependent integer adds (one per cycle), taking the fastest of many short
// runs, so it reports the clock the core actually runs at under turbo;
// otherwise it reads "cpu MHz" from /proc/cpuinfo (often the base clock),
// and failing that assumes 1 GHz. how says which.
func ClockHz() (hz float64, how string) {
	clockOnce.Do(func() {
		if haveAddChain {
			const n = 20000
			best := time.Duration(1 << 62)
			for i := 0; i < 300; i++ {
				t0 := time.Now()
				addChain(n)
				if d := time.Since(t0); d < best && d > 0 {
					best = d
				}
			}
			clockHz, clockHow = 16*n/best.Seconds(), "calibrated: dependent-ADD chain"
			return
		}
		if mhz := cpuinfoMHz(); mhz > 0 {
			clockHz, clockHow = mhz*1e6, "/proc/cpuinfo cpu MHz"
			return
		}
		clockHz, clockHow = 1e9, "unknown, assumed 1 GHz"
	})
	return clockHz, clockHow
}

func cpuinfoMHz() float64 {
	f, err := os.Open("/proc/cpuinfo")
	if err != nil {
		return 0
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		k, v, ok := strings.Cut(sc.Text(), ":")
		if ok && strings.TrimSpace(k) == "cpu MHz" {
			x, _ := strconv.ParseFloat(strings.TrimSpace(v), 64)
			return x
		}
	}
	return 0
}

// timeBest runs f in batches for about minTime and returns the best time
// per call.
func timeBest(f func(), minTime time.Duration) float64 {
	f() // warm caches and pools
	t0 := time.Now()
	f()
	one := time.Since(t0)
	batch := max(1, int(2*time.Millisecond/(one+1)))
	best := 1e300
	for start := time.Now(); time.Since(start) < minTime || best == 1e300; {
		t := time.Now()
		for i := 0; i < batch; i++ {
			f()
		}
		best = min(best, time.Since(t).Seconds()/float64(batch))
	}
	return best
}

// Bench measures the configured kernels, one tier at a time (it switches
// tiers with Use and restores the selection before returning, so do not run
// kernels concurrently with it).
func Bench(cfg BenchConfig) ([]BenchResult, error) {
	if cfg.MinTime == 0 {
		cfg.MinTime = 200 * time.Millisecond
	}
	if cfg.Families == nil {
		cfg.Families = families
	}
	if cfg.GemmShapes == nil {
		cfg.GemmShapes = append(HRMGemmShapes(), TRMGemmShapes()...)
	}
	if cfg.AttnShapes == nil {
		cfg.AttnShapes = HRMAttentionShapes()
	}
	if cfg.VectorLens == nil {
		cfg.VectorLens = HRMVectorLens()
	}
	prev := Selected()
	defer func() {
		for _, p := range prev {
			_ = Use(p.Family + "=" + p.Name)
		}
	}()
	hz, _ := ClockHz()
	probes := probePeaks()
	var out []BenchResult
	for _, fam := range cfg.Families {
		for _, tier := range Tiers() {
			if tier.Family != fam || !tier.Supported || (len(cfg.Tiers) > 0 && !contains(cfg.Tiers, tier.Name)) {
				continue
			}
			if err := Use(fam + "=" + tier.Name); err != nil {
				return out, err
			}
			if fam == FamilyVector {
				for _, k := range vectorKernels {
					for _, n := range cfg.VectorLens {
						sec := timeBest(k.setup(n), cfg.MinTime)
						out = append(out, BenchResult{Family: fam, Tier: tier.Name, Shape: fmt.Sprintf("%s n=%d", k.name, n),
							Seconds: sec, Elems: n, NsPerElem: sec * 1e9 / float64(n)})
					}
				}
				continue
			}
			shapes := cfg.GemmShapes
			if fam == FamilyAttention {
				shapes = cfg.AttnShapes
			}
			for _, s := range shapes {
				run, macs, name := benchFunc(fam, s)
				sec := timeBest(run, cfg.MinTime)
				r := BenchResult{Family: fam, Tier: tier.Name, Shape: name, MACs: macs, Seconds: sec,
					GOPS: 2 * macs / sec / 1e9, MACsPerCycle: macs / sec / hz,
					Peak: NominalPeak[fam+"/"+tier.Name], ProbePeak: probes[fam+"/"+tier.Name]}
				if r.Peak > 0 {
					r.PctPeak = 100 * r.MACsPerCycle / r.Peak
				}
				if r.ProbePeak > 0 {
					r.PctProbe = 100 * r.MACsPerCycle / r.ProbePeak
				}
				out = append(out, r)
			}
		}
	}
	return out, nil
}

func contains(xs []string, x string) bool {
	for _, y := range xs {
		if y == x {
			return true
		}
	}
	return false
}

// benchFunc prepares inputs for one shape and returns the call to time.
func benchFunc(fam string, s [3]int) (run func(), macs float64, name string) {
	r := rand.New(rand.NewPCG(uint64(s[0]), uint64(s[1]*s[2])))
	switch fam {
	case FamilyGemmS8:
		m, k, n := s[0], s[1], s[2]
		a, w := make([]int8, m*k), make([]int8, n*k)
		for i := range a {
			a[i] = int8(r.IntN(255) - 127)
		}
		for i := range w {
			w[i] = int8(r.IntN(255) - 127)
		}
		p, _ := PackS8(w, n, k)
		c := make([]int32, m*n)
		return func() { GemmS8(c, a, m, &p) }, float64(m * n * k), fmt.Sprintf("M=%d K=%d N=%d", m, k, n)
	case FamilyGemmF32:
		m, k, n := s[0], s[1], s[2]
		a, w, c := randF32(r, m*k), randF32(r, n*k), make([]float32, m*n)
		return func() { GemmF32NT(c, a, w, m, n, k, false) }, float64(m * n * k), fmt.Sprintf("M=%d K=%d N=%d", m, k, n)
	default:
		T, heads, d := s[0], s[1], s[2]
		qkv, o := randF32(r, T*3*heads*d), make([]float32, T*heads*d)
		return func() { AttentionF32(o, qkv, T, heads, d) }, float64(2 * heads * T * T * d), fmt.Sprintf("T=%d heads=%d d=%d", T, heads, d)
	}
}

func randF32(r *rand.Rand, n int) []float32 {
	x := make([]float32, n)
	for i := range x {
		x[i] = float32(r.NormFloat64())
	}
	return x
}

// WriteBenchTable prints results with each tier next to the generic tier
// of its family on the same shape; FamilyVector results follow in a table
// of their own (ns per element).
func WriteBenchTable(w io.Writer, rs []BenchResult) error {
	var vec []BenchResult
	var mat []BenchResult
	for _, r := range rs {
		if r.Family == FamilyVector {
			vec = append(vec, r)
		} else {
			mat = append(mat, r)
		}
	}
	if len(mat) > 0 || len(vec) == 0 {
		if err := writeMatrixTable(w, mat); err != nil {
			return err
		}
	}
	if len(vec) == 0 {
		return nil
	}
	if len(mat) > 0 {
		fmt.Fprintln(w)
	}
	fmt.Fprintln(w, "vector kernels: single thread, ns per element (best of batches), speed-up against the generic tier")
	gen := map[string]float64{}
	for _, r := range vec {
		if r.Tier == "generic" {
			gen[r.Shape] = r.NsPerElem
		}
	}
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', tabwriter.AlignRight)
	io.WriteString(tw, "family\ttier\tkernel\tns/elem\tgeneric ns/elem\tspeed-up\t\n")
	for _, r := range vec {
		g := gen[r.Shape]
		sp := 0.0
		if g > 0 && r.NsPerElem > 0 {
			sp = g / r.NsPerElem
		}
		fmt.Fprintf(tw, "%s\t%s\t%s\t%.3f\t%s\t%s\t\n", r.Family, r.Tier, r.Shape, r.NsPerElem, num(g, "%.3f"), num(sp, "%.1fx"))
	}
	return tw.Flush()
}

func writeMatrixTable(w io.Writer, rs []BenchResult) error {
	hz, how := ClockHz()
	fmt.Fprintf(w, "clock %.2f GHz (%s); single thread; GOP/s counts multiply and add; %%peak is against NominalPeak, %%probe against the instruction probe on this CPU\n", hz/1e9, how)
	gen := map[string]float64{}
	for _, r := range rs {
		if r.Tier == "generic" {
			gen[r.Family+r.Shape] = r.GOPS
		}
	}
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', tabwriter.AlignRight)
	io.WriteString(tw, "family\ttier\tshape\tGOP/s\tMACs/cycle\tpeak\t%peak\tprobe\t%probe\tgeneric GOP/s\tspeed-up\t\n")
	for _, r := range rs {
		g := gen[r.Family+r.Shape]
		fmt.Fprintf(tw, "%s\t%s\t%s\t%.1f\t%.2f\t%s\t%s\t%s\t%s\t%s\t%s\t\n", r.Family, r.Tier, r.Shape, r.GOPS, r.MACsPerCycle,
			num(r.Peak, "%.0f"), num(r.PctPeak, "%.0f%%"), num(r.ProbePeak, "%.1f"), num(r.PctProbe, "%.0f%%"),
			num(g, "%.2f"), num(r.GOPS/g*float64(b2i(g > 0)), "%.1fx"))
	}
	if err := tw.Flush(); err != nil {
		return err
	}
	if ps := Probes(); len(ps) > 0 {
		fmt.Fprintln(w, "probes (register-only inner instruction mix of each tier, MACs/cycle):")
		for _, p := range ps {
			fmt.Fprintf(w, "  %-44s %6.2f  %s\n", p.Key, p.MACsPerCycle, p.What)
		}
	}
	return nil
}

func b2i(b bool) int {
	if b {
		return 1
	}
	return 0
}

func num(x float64, f string) string {
	if x == 0 {
		return "-"
	}
	return fmt.Sprintf(f, x)
}
