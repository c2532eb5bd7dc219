package main

import (
	"encoding/json"
	"flag"
	"fmt"
	"io"
	"math"
	"strconv"
	"strings"
	"text/tabwriter"

	"github.com/hrmgo/hrm/internal/cli"
	"github.com/hrmgo/hrm/internal/retry"
	"github.com/hrmgo/hrm/runtime"
	"github.com/hrmgo/hrm/task/maze"
	"github.com/hrmgo/hrm/task/sudoku"
)

// accuracyReport compares an int8 model with its float32 original.
type accuracyReport struct {
	Puzzles     int                     `json:"puzzles"`
	Steps       []runtime.StepAgreement `json:"steps"`        // W8A8, teacher-forced
	WeightsOnly []runtime.StepAgreement `json:"weights_only"` // dequantized int8 weights, f32 activations
	// NoiseRelErr is, per step, the relative logit error of the f32 model
	// with int8-sized random weight noise (runtime.Model.WithWeightNoise,
	// mean of 3 draws): the model's own sensitivity, which W8A8's RelErr is
	// judged against.
	NoiseRelErr  []float64 `json:"noise_rel_err"`
	SolvedF32    int       `json:"solved_f32"`
	SolvedInt8   int       `json:"solved_int8"`
	SolvedBoth   int       `json:"solved_both"`
	KeptFraction float64   `json:"int8_solves_of_f32_solved"`
	// NoiseKept is, per noise draw, the fraction of f32's solved puzzles
	// that the noisy f32 model also solves: how many of them a perturbation
	// of int8's size turns over by itself, the yardstick for KeptFraction.
	NoiseKept []float64 `json:"noise_solves_of_f32_solved"`
	// SmallerNoise is the same for weight noise of a fraction of int8's
	// size (-noise-scales): how small a perturbation still turns puzzles
	// over, the floor any quantization of this f32 model is measured at.
	SmallerNoise []scaledNoiseKept `json:"smaller_noise,omitempty"`
	// ByRetries is the solve counts for every number of retries up to
	// -retries (hrm-run's: unsolved puzzles run again as equivalent ones).
	ByRetries []retriesRow `json:"by_retries,omitempty"`
}

// retriesRow is the solve counts had hrm-run retried unsolved puzzles
// only Retries times.
type retriesRow struct {
	Retries    int       `json:"retries"`
	SolvedF32  int       `json:"solved_f32"`
	SolvedInt8 int       `json:"solved_int8"`
	Kept       float64   `json:"int8_solves_of_f32_solved"`
	NoiseKept  []float64 `json:"noise_solves_of_f32_solved"`
}

type scaledNoiseKept struct {
	Scale float64   `json:"scale"` // of int8's weight step
	Kept  []float64 `json:"solves_of_f32_solved"`
}

// accuracy runs the int8 accuracy harness on generated Sudoku puzzles of the
// model's size: per-step agreement of logits and Q values (teacher-forced)
// and the fraction of the f32 model's solved puzzles that int8 also solves.
func accuracy(args []string, stdout, stderr io.Writer) error {
	fs := flag.NewFlagSet("hrm-bench accuracy", flag.ContinueOnError)
	path := fs.String("model", "", "float32 Sudoku or maze weight file")
	int8Path := fs.String("int8", "", "its int8 version (default: quantize -model in memory)")
	n := fs.Int("n", 200, "puzzles")
	blanks := fs.Int("blanks", -1, "Sudoku: blank cells per puzzle (default: 10 for 4×4, 40 for 9×9)")
	seed := fs.Uint64("seed", 7, "puzzle seed")
	asJSON := fs.Bool("json", false, "JSON output")
	retriesF := fs.Int("retries", -1, fmt.Sprintf("retries of unsolved puzzles as equivalent ones, as hrm-run's -retries (default: hrm-run's, %d for valid, 0 for max and q)", retry.Default))
	stepsF := fs.Int("steps", 0, "ACT segment budget of the solve counts (0: the model's halt_max_steps, as hrm-run)")
	scalesF := fs.String("noise-scales", "", "also count the solves kept under weight noise of these fractions of int8's size, e.g. 0.1,0.01 (3 draws each)")
	haltF := fs.String("halt", "valid", "halting of the solve counts: valid (hrm-run's default for Sudoku and mazes), max (the official evaluation) or q")
	if err := cli.Parse(fs, args, stderr); err != nil {
		if err == flag.ErrHelp {
			return err
		}
		return usageError{err}
	}
	if *path == "" {
		return bad("-model FILE is required")
	}
	halt, herr := runtime.ParseHaltMode(*haltF)
	if herr != nil {
		return bad("-halt: %v", herr)
	}
	if *retriesF < -1 || *retriesF > 64 {
		return bad("-retries %d: want 0..64", *retriesF)
	}
	if *stepsF < 0 || *stepsF > 1<<20 {
		return bad("-steps %d: want 0..%d", *stepsF, 1<<20)
	}
	var scales []float64
	for _, f := range strings.FieldsFunc(*scalesF, func(r rune) bool { return r == ',' }) {
		v, err := strconv.ParseFloat(strings.TrimSpace(f), 64)
		if err != nil || !(v > 0 && v < 1) {
			return bad("-noise-scales: %q is not a fraction between 0 and 1", f)
		}
		scales = append(scales, v)
	}
	if *n < 1 || *n > 100000 {
		return bad("-n %d: want 1..100000", *n)
	}
	f32, err := runtime.Load(*path)
	if err != nil {
		return usageError{err}
	}
	defer f32.Close()
	side := int(math.Round(math.Sqrt(float64(f32.Cfg.SeqLen))))
	isMaze := f32.Vocab.Task == "maze" && side*side == f32.Cfg.SeqLen && side >= maze.MinCells && side <= maze.MaxCells
	if !isMaze && (f32.Vocab.Task != "sudoku" || (f32.Cfg.SeqLen != 16 && f32.Cfg.SeqLen != 81)) {
		return bad("%s: the harness generates Sudoku puzzles and mazes; this model is for %s with %d cells", *path, f32.Vocab.Task, f32.Cfg.SeqLen)
	}
	if f32.Metadata()[runtime.MetaQuant] != runtime.QuantF32 {
		return bad("%s: -model must be the float32 model", *path)
	}
	q := f32
	if *int8Path != "" {
		if q, err = runtime.Load(*int8Path); err != nil {
			return usageError{err}
		}
		defer q.Close()
		if q.Cfg != f32.Cfg {
			return bad("%s and %s have different configs", *path, *int8Path)
		}
		if q.Metadata()[runtime.MetaQuant] != runtime.QuantInt8 {
			return bad("%s: -int8 must be an int8 model, this one is %s", *int8Path, q.Metadata()[runtime.MetaQuant])
		}
	} else if q, err = f32.Quantize(); err != nil {
		return err
	}
	var puzzles []benchPuzzle
	var what string
	if isMaze {
		if *blanks >= 0 {
			return bad("-blanks: a maze model is shown generated mazes of its side")
		}
		cfg := maze.ConfigFor(side)
		gen, err := maze.NewGenerator(cfg, *seed, 1)
		if err != nil {
			return bad("%v", err)
		}
		for i := 0; i < *n; i++ {
			mz, err := gen.Generate()
			if err != nil {
				return bad("%v", err)
			}
			puzzles = append(puzzles, mazePuzzle(mz, side))
		}
		what = fmt.Sprintf("%d generated %d×%d mazes", *n, side, side)
	} else {
		box := 3
		if f32.Cfg.SeqLen == 16 {
			box = 2
		}
		if *blanks < 0 {
			*blanks = map[int]int{2: 10, 3: 40}[box]
		}
		gen, err := sudoku.NewGenerator(box, *seed, 1)
		if err != nil {
			return err
		}
		for i := 0; i < *n; i++ {
			p, _, err := gen.Generate(*blanks)
			if err != nil {
				return bad("%v", err)
			}
			puzzles = append(puzzles, sudokuPuzzle(p))
		}
		what = fmt.Sprintf("%d generated %d×%d puzzles with %d blanks", *n, box*box, box*box, *blanks)
	}
	var tokens, pids []int32
	for _, p := range puzzles {
		for _, t := range p.toks {
			tokens = append(tokens, int32(t))
		}
		pids = append(pids, 0)
	}
	rep := accuracyReport{Puzzles: *n}
	if rep.Steps, err = runtime.Compare(f32, q, tokens, pids, 0); err != nil {
		return err
	}
	if rep.WeightsOnly, err = runtime.Compare(f32, q.Dequantize(), tokens, pids, 0); err != nil {
		return err
	}
	if *retriesF < 0 {
		*retriesF = retry.DefaultFor(f32.Vocab.Task, halt)
	}
	rps := retryPuzzles(puzzles)
	// attempts is, per puzzle, the retries it took to verify (0: as
	// given), or -1.
	attempts := func(m *runtime.Model) ([]int, error) {
		s, err := m.NewSession(len(pids), 0)
		if err != nil {
			return nil, err
		}
		defer s.Close()
		res, err := retry.Solve(s, retry.Options{Run: runtime.Options{Halt: halt, Steps: *stepsF}, Retries: *retriesF}, rps)
		if err != nil {
			return nil, err
		}
		at := make([]int, len(res))
		for i, r := range res {
			at[i] = r.Retries
			if !r.Solved {
				at[i] = -1
			}
		}
		return at, nil
	}
	within := func(at []int, r int) []bool {
		ok := make([]bool, len(at))
		for i, a := range at {
			ok[i] = a >= 0 && a <= r
		}
		return ok
	}
	solved := func(m *runtime.Model) ([]bool, error) {
		at, err := attempts(m)
		if err != nil {
			return nil, err
		}
		return within(at, *retriesF), nil
	}
	atF32, err := attempts(f32)
	if err != nil {
		return err
	}
	atInt8, err := attempts(q)
	if err != nil {
		return err
	}
	a, b := within(atF32, *retriesF), within(atInt8, *retriesF)
	var atNoise [][]int
	// kept is the fraction of a's solved puzzles that b solves too.
	kept := func(a, b []bool) (both int, frac float64) {
		n := 0
		for i := range a {
			if a[i] {
				n++
				if b[i] {
					both++
				}
			}
		}
		if n == 0 {
			return both, 1
		}
		return both, float64(both) / float64(n)
	}
	for i := range a {
		if a[i] {
			rep.SolvedF32++
		}
		if b[i] {
			rep.SolvedInt8++
		}
	}
	rep.SolvedBoth, rep.KeptFraction = kept(a, b)
	rep.NoiseRelErr = make([]float64, len(rep.Steps))
	const draws = 3
	for seed := range uint64(draws) {
		nm, err := f32.WithWeightNoise(seed, 1)
		if err != nil {
			return err
		}
		r, err := runtime.Compare(f32, nm, tokens, pids, 0)
		if err != nil {
			return err
		}
		for i := range r {
			rep.NoiseRelErr[i] += r[i].RelErr / draws
		}
		at, err := attempts(nm)
		if err != nil {
			return err
		}
		atNoise = append(atNoise, at)
		_, f := kept(a, within(at, *retriesF))
		rep.NoiseKept = append(rep.NoiseKept, f)
	}
	if *retriesF > 0 {
		for r := 0; r <= *retriesF; r++ {
			row := retriesRow{Retries: r}
			fa, fb := within(atF32, r), within(atInt8, r)
			for i := range fa {
				if fa[i] {
					row.SolvedF32++
				}
				if fb[i] {
					row.SolvedInt8++
				}
			}
			_, row.Kept = kept(fa, fb)
			for _, at := range atNoise {
				_, f := kept(fa, within(at, r))
				row.NoiseKept = append(row.NoiseKept, f)
			}
			rep.ByRetries = append(rep.ByRetries, row)
		}
	}
	for _, sc := range scales {
		r := scaledNoiseKept{Scale: sc}
		for seed := range uint64(draws) {
			nm, err := f32.WithWeightNoise(seed, sc)
			if err != nil {
				return err
			}
			c, err := solved(nm)
			if err != nil {
				return err
			}
			_, f := kept(a, c)
			r.Kept = append(r.Kept, f)
		}
		rep.SmallerNoise = append(rep.SmallerNoise, r)
	}
	if *asJSON {
		return json.NewEncoder(stdout).Encode(rep)
	}
	fmt.Fprintf(stdout, "%s; teacher-forced per ACT step, int8 vs f32 logits\n\n", what)
	tw := tabwriter.NewWriter(stdout, 0, 0, 2, ' ', tabwriter.AlignRight)
	fmt.Fprintln(tw, "step\tW8A8 cosine\trel.err\t× noise ref.\tmax|Δ| logits\tmax|Δ| q\targmax agree\tweights-only cosine\tweights-only agree\t")
	for i, s := range rep.Steps {
		w := rep.WeightsOnly[i]
		fmt.Fprintf(tw, "%d\t%.6f\t%.4f\t%.2f\t%.4f\t%.4f\t%.4f\t%.6f\t%.4f\t\n", s.Step, s.LogitsCosine, s.RelErr, s.RelErr/rep.NoiseRelErr[i],
			s.LogitsMaxAbs, s.QMaxAbs, s.ArgmaxAgree, w.LogitsCosine, w.ArgmaxAgree)
	}
	if err := tw.Flush(); err != nil {
		return err
	}
	fmt.Fprintf(stdout, "\nsolved (halt %s, %d retries): f32 %d/%d, int8 %d/%d; int8 solves %.2f%% of the puzzles f32 solves\n",
		halt, *retriesF, rep.SolvedF32, *n, rep.SolvedInt8, *n, 100*rep.KeptFraction)
	fmt.Fprintf(stdout, "noise reference (f32 with int8-sized weight noise, %d draws) solves", draws)
	for i, f := range rep.NoiseKept {
		sep := ","
		if i == 0 {
			sep = ""
		}
		fmt.Fprintf(stdout, "%s %.2f%%", sep, 100*f)
	}
	fmt.Fprintln(stdout, " of them")
	for _, r := range rep.SmallerNoise {
		fmt.Fprintf(stdout, "… with %g× that noise:", r.Scale)
		for i, f := range r.Kept {
			sep := ","
			if i == 0 {
				sep = ""
			}
			fmt.Fprintf(stdout, "%s %.2f%%", sep, 100*f)
		}
		fmt.Fprintln(stdout)
	}
	if len(rep.ByRetries) > 0 {
		fmt.Fprintln(stdout, "\nretries  solved f32  solved int8  int8 keeps  noise reference keeps")
		for _, r := range rep.ByRetries {
			fmt.Fprintf(stdout, "%7d  %10d  %11d  %9.2f%% ", r.Retries, r.SolvedF32, r.SolvedInt8, 100*r.Kept)
			for _, f := range r.NoiseKept {
				fmt.Fprintf(stdout, " %.2f%%", 100*f)
			}
			fmt.Fprintln(stdout)
		}
	}
	return nil
}
