// Command hrm-train trains an HRM or TRM model on the CPU with the official
// recipe of its architecture on generated Sudoku (4×4 or 9×9) or maze data,
// and exports weight files that hrm-run loads.
//
//	hrm-train -task sudoku4 -out runs/s4 -time 15m
//	hrm-train -out runs/s4 -resume                # continue after a stop
//	hrm-train -export model.safetensors -from runs/s4/checkpoint.safetensors [-quant int8]
//
// Ctrl-C saves a checkpoint and exits cleanly.
package main

import (
	"bytes"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"io/fs"
	"math"
	"os"
	"os/signal"
	"path/filepath"
	"reflect"
	goruntime "runtime"
	"sort"
	"strconv"
	"strings"
	"sync/atomic"
	"syscall"
	"time"

	"github.com/hrmgo/hrm/internal/cli"
	"github.com/hrmgo/hrm/loader"
	"github.com/hrmgo/hrm/runtime"
	"github.com/hrmgo/hrm/task/arc"
	"github.com/hrmgo/hrm/task/maze"
	"github.com/hrmgo/hrm/trainer"
	"github.com/hrmgo/hrm/trainer/data"
)

func main() {
	sigs := make(chan os.Signal, 2)
	signal.Notify(sigs, os.Interrupt, syscall.SIGTERM)
	stop := make(chan os.Signal, 1)
	go interrupts(sigs, stop, training.Load, loader.RemoveTemps, os.Exit)
	os.Exit(run(os.Args[1:], os.Stdout, os.Stderr, stop))
}

// training is set while a training run can stop gracefully.
var training atomic.Bool

// interrupts handles SIGINT and SIGTERM. During training the first one
// asks the loop (through stop) to save a checkpoint and finish; a second
// one, or the first when nothing is training (an export, an evaluation),
// removes the temporary files of writes in progress and exits at once with
// 128+n, so that an impatient Ctrl-C never leaves .checkpoint.*.tmp-* behind.
func interrupts(sigs <-chan os.Signal, stop chan<- os.Signal, graceful func() bool, cleanup func(), exit func(int)) {
	asked := false
	for s := range sigs {
		if !asked && graceful() {
			asked = true
			stop <- s
			continue
		}
		cleanup()
		exit(loader.SignalStatus(s))
		return
	}
}

type usageError struct{ error }

func bad(format string, a ...any) error { return usageError{fmt.Errorf(format, a...)} }

// options are the command's flags; a JSON file given with -config sets
// them too (flags on the command line win).
type options struct {
	Arch      string  `json:"arch,omitempty"` // hrm or trm
	MLPT      bool    `json:"mlp_t,omitempty"`
	PrefixLen int     `json:"puzzle_emb_len,omitempty"`
	EMA       float64 `json:"ema_rate,omitempty"`
	Task      string  `json:"task"`
	Blanks    int     `json:"blanks"`
	MinBlanks int     `json:"min_blanks,omitempty"`
	MazeCells int     `json:"maze_cells"`
	MazeMin   int     `json:"maze_min_path"`
	MazeFrom  int     `json:"maze_path_from,omitempty"`
	ARC       string  `json:"arc_dir,omitempty"`
	ARCAug    int     `json:"arc_augmentations"`
	ARCCanvas int     `json:"arc_canvas"`
	ARCShift  bool    `json:"arc_translate"`
	PuzzleLR  float64 `json:"puzzle_emb_lr,omitempty"`
	TestSize  int     `json:"test_size"`
	Hidden    int     `json:"hidden"`
	Heads     int     `json:"heads"`
	HLayers   int     `json:"h_layers"`
	LLayers   int     `json:"l_layers"`
	HCycles   int     `json:"h_cycles"`
	LCycles   int     `json:"l_cycles"`
	Expansion float64 `json:"expansion"`
	MaxSteps  int     `json:"halt_max_steps"`
	Explore   float64 `json:"halt_exploration_prob"`
	Pos       string  `json:"pos_encodings"`
	Batch     int     `json:"batch"`
	Steps     int     `json:"steps"`
	LR        float64 `json:"lr"`
	WD        float64 `json:"weight_decay"`
	Warmup    int     `json:"warmup"`
	MinRatio  float64 `json:"lr_min_ratio"`
	Loss      string  `json:"loss"`
	Seed      uint64  `json:"seed"`

	Threads   int           `json:"-"`
	Out       string        `json:"-"`
	Resume    bool          `json:"-"`
	Force     bool          `json:"-"`
	Budget    time.Duration `json:"time_budget,omitempty"` // the whole run's training time, across resumes
	EvalEvery int           `json:"-"`
	SaveEvery time.Duration `json:"-"`
	Export    string        `json:"-"`
	From      string        `json:"-"`
	Quiet     bool          `json:"-"`
	Quant     string        `json:"-"`
	// ExportSteps is -export's halt_max_steps (0: the trained one).
	ExportSteps int    `json:"-"`
	Eval        string `json:"-"`
	// set names the flags given on the command line, so that -resume can
	// tell a deliberate setting from a default.
	set map[string]bool
}

func defaults() options {
	return options{Arch: "hrm", PrefixLen: -1, EMA: -1, Task: "sudoku4", Blanks: 6, MazeCells: maze.DefaultConfig().Cells, MazeMin: maze.DefaultConfig().MinPathLen, TestSize: 1000,
		ARCAug: 8, ARCCanvas: arc.MaxSize, ARCShift: true,
		Hidden: 128, Heads: 4, HLayers: 2, LLayers: 2, HCycles: 2, LCycles: 2, Expansion: 4, MaxSteps: 8, Explore: 0.1,
		Pos: "rope", Batch: 64, Steps: 100000, LR: 1e-3, WD: 0.1, Warmup: 200, MinRatio: 1, Loss: "stablemax_cross_entropy", Seed: 1,
		EvalEvery: 500, SaveEvery: 2 * time.Minute}
}

func parse(args []string, stderr io.Writer) (options, error) {
	o := defaults()
	fs := flag.NewFlagSet("hrm-train", flag.ContinueOnError)
	cfgFile := fs.String("config", "", "JSON file of training options (flags override it)")
	fs.StringVar(&o.Arch, "arch", o.Arch, "architecture: hrm (H and L stacks, one-step gradient, Q-learning halting) or trm (one stack, gradient through the last round, EMA)")
	fs.BoolVar(&o.MLPT, "mlp-t", o.MLPT, "mix tokens with an MLP over positions instead of attention (TRM-MLP; implies -pos none unless given)")
	fs.IntVar(&o.PrefixLen, "puzzle-emb-len", o.PrefixLen, "TRM: puzzle-prefix rows in front of the tokens (default 16, as the official TRM; 0: none)")
	fs.Float64Var(&o.EMA, "ema", o.EMA, "EMA rate of the weights evaluated and exported (default 0.999 for trm, 0 = off for hrm)")
	fs.StringVar(&o.Task, "task", o.Task, "sudoku4, sudoku9, maze or arc")
	fs.StringVar(&o.ARC, "arc", o.ARC, "arc: directory of ARC-AGI task files; their test pairs are held out (training/ and evaluation/ inside it follow the official split: training tasks' test pairs train too)")
	fs.IntVar(&o.ARCAug, "arc-aug", o.ARCAug, "arc: augmented variants per task (dihedral × colour permutation, each its own puzzle identifier; the official builder makes 1000)")
	fs.IntVar(&o.ARCCanvas, "arc-canvas", o.ARCCanvas, "arc: canvas side (30, the official 900 tokens; smaller for small grids)")
	fs.BoolVar(&o.ARCShift, "arc-translate", o.ARCShift, "arc: translate the demonstrations at random on the canvas, as the official builder does")
	cli.FloatVar(fs, &o.PuzzleLR, "puzzle-lr", 0, "learning rate of the puzzle embeddings' sign-SGD (default: -lr; arc: 1e-2, the official)")
	fs.IntVar(&o.Blanks, "blanks", o.Blanks, "blank cells per sudoku")
	fs.IntVar(&o.MinBlanks, "min-blanks", o.MinBlanks, "train on blanks drawn uniformly from [min-blanks, blanks] (0: always -blanks); the held-out set keeps -blanks")
	fs.IntVar(&o.MazeCells, "maze-cells", o.MazeCells, "maze grid side N: N×N squares, each wall or open (seq_len N²)")
	fs.IntVar(&o.MazeMin, "maze-min-path", o.MazeMin, "minimum S→G shortest-path length in moves (hardness)")
	fs.IntVar(&o.MazeFrom, "maze-path-from", o.MazeFrom, "train on minimum path lengths drawn uniformly from [maze-path-from, maze-min-path] (0: always -maze-min-path); the held-out set keeps -maze-min-path")
	fs.IntVar(&o.TestSize, "test-size", o.TestSize, "held-out puzzles (never trained on)")
	fs.IntVar(&o.Hidden, "hidden", o.Hidden, "hidden size")
	fs.IntVar(&o.Heads, "heads", o.Heads, "attention heads")
	fs.IntVar(&o.HLayers, "h-layers", o.HLayers, "H blocks")
	fs.IntVar(&o.LLayers, "l-layers", o.LLayers, "L blocks")
	fs.IntVar(&o.HCycles, "h-cycles", o.HCycles, "H cycles")
	fs.IntVar(&o.LCycles, "l-cycles", o.LCycles, "L cycles")
	cli.FloatVar(fs, &o.Expansion, "expansion", o.Expansion, "MLP expansion")
	fs.IntVar(&o.MaxSteps, "max-steps", o.MaxSteps, "halt_max_steps (ACT segments)")
	cli.FloatVar(fs, &o.Explore, "explore", o.Explore, "halt exploration probability")
	fs.StringVar(&o.Pos, "pos", o.Pos, "position encodings: rope, learned or none")
	fs.IntVar(&o.Batch, "batch", o.Batch, "global batch size")
	fs.IntVar(&o.Steps, "steps", o.Steps, "optimizer steps (the schedule's length)")
	cli.FloatVar(fs, &o.LR, "lr", o.LR, "learning rate (puzzle embeddings use it too)")
	cli.FloatVar(fs, &o.WD, "wd", o.WD, "weight decay")
	fs.IntVar(&o.Warmup, "warmup", o.Warmup, "warm-up steps")
	cli.FloatVar(fs, &o.MinRatio, "lr-min-ratio", o.MinRatio, "final lr / lr of the cosine decay (1 = constant)")
	fs.StringVar(&o.Loss, "loss", o.Loss, "stablemax_cross_entropy or softmax_cross_entropy")
	fs.Uint64Var(&o.Seed, "seed", o.Seed, "seed for data, init and exploration")
	fs.IntVar(&o.Threads, "threads", 0, "worker threads (default GOMAXPROCS)")
	fs.StringVar(&o.Out, "out", "", "run directory: checkpoint, metrics.jsonl, model.safetensors")
	fs.BoolVar(&o.Resume, "resume", false, "continue the run in -out from its checkpoint")
	fs.BoolVar(&o.Force, "force", false, "start afresh in an -out that holds a run, deleting its checkpoint, metrics, options and model")
	fs.DurationVar(&o.Budget, "time", 0, "stop after this much training time (0: run all -steps)")
	fs.IntVar(&o.EvalEvery, "eval-every", o.EvalEvery, "evaluate on the held-out set every N steps")
	fs.DurationVar(&o.SaveEvery, "save-every", o.SaveEvery, "checkpoint interval")
	fs.StringVar(&o.Export, "export", "", "write the weights of -from as a weight file and exit")
	fs.StringVar(&o.From, "from", "", "checkpoint to export")
	fs.StringVar(&o.Quant, "quant", "f32", "weight format of -export: f32 or int8")
	fs.IntVar(&o.ExportSteps, "export-max-steps", 0, "halt_max_steps of the -export file, hrm-run's default segment budget (0: as trained); more than trained is inference-time scaling")
	fs.StringVar(&o.Eval, "eval", "", "evaluate this weight file on the held-out set of the run in -out and exit")
	fs.BoolVar(&o.Quiet, "q", false, "no progress bar")
	if err := cli.Parse(fs, args, stderr); err != nil {
		if err == flag.ErrHelp {
			return o, err
		}
		return o, usageError{err}
	}
	if fs.NArg() > 0 {
		return o, bad("unexpected argument %q", fs.Arg(0))
	}
	if o.MLPT {
		posSet := false
		fs.Visit(func(f *flag.Flag) { posSet = posSet || f.Name == "pos" })
		if !posSet {
			o.Pos = "none" // the official TRM-MLP recipe: the mixer carries positions
		}
	}
	if *cfgFile != "" {
		b, err := os.ReadFile(*cfgFile)
		if err != nil {
			return o, bad("%v", err)
		}
		fromFile := defaults()
		dec := json.NewDecoder(strings.NewReader(string(b)))
		dec.DisallowUnknownFields()
		if err := dec.Decode(&fromFile); err != nil {
			return o, bad("%s: %v", *cfgFile, err)
		}
		set := map[string]bool{}
		fs.Visit(func(f *flag.Flag) { set[f.Name] = true })
		// Re-apply command-line flags over the file's values.
		keep := o
		o = fromFile
		o.Threads, o.Out, o.Resume, o.Force, o.Budget, o.EvalEvery, o.SaveEvery, o.Export, o.From, o.Quiet, o.Quant =
			keep.Threads, keep.Out, keep.Resume, keep.Force, keep.Budget, keep.EvalEvery, keep.SaveEvery, keep.Export, keep.From, keep.Quiet, keep.Quant
		if err := cli.Parse(fs, args, stderr); err != nil {
			return o, usageError{err}
		}
	}
	o.set = map[string]bool{}
	fs.Visit(func(f *flag.Flag) { o.set[f.Name] = true })
	if o.Export != "" {
		if o.From == "" {
			return o, bad("-export needs -from CHECKPOINT")
		}
		if o.Quant != "f32" && o.Quant != "int8" {
			return o, bad("-quant %q: want f32 or int8", o.Quant)
		}
		if o.ExportSteps < 0 || o.ExportSteps > 1<<16 {
			return o, bad("-export-max-steps %d: want 0..65536", o.ExportSteps)
		}
		// Bad input is found before anything is written; a failure of the
		// write itself is exit 1.
		if err := trainer.CheckCheckpoint(o.From); err != nil {
			return o, bad("-from: %v", err)
		}
		if err := loader.CheckWritable(o.Export); err != nil {
			return o, bad("-export %s: %v", o.Export, err)
		}
		return o, nil
	}
	if o.Out == "" {
		return o, bad("-out DIR is required")
	}
	if st, err := os.Stat(o.Out); err == nil && !st.IsDir() {
		return o, bad("-out %s: not a directory", o.Out)
	}
	switch {
	case o.Resume && o.Force:
		return o, bad("-force starts a run afresh; it cannot go with -resume")
	case o.Threads < 0 || o.Threads > maxThreads:
		return o, bad("-threads %d: want 1..%d, or 0 for every CPU", o.Threads, maxThreads)
	case o.Eval != "":
		return o, nil
	case o.Budget < 0:
		return o, bad("-time %v: must be positive", o.Budget)
	case o.TestSize < 1 || o.TestSize > 1_000_000:
		return o, bad("-test-size %d: want 1..1000000", o.TestSize)
	case o.EvalEvery < 1:
		return o, bad("-eval-every %d: must be positive", o.EvalEvery)
	case o.SaveEvery <= 0:
		return o, bad("-save-every %v: must be positive", o.SaveEvery)
	}
	return o, nil
}

// maxThreads is the runtime's limit on a session's workers; each trainer
// worker also holds a gradient buffer the size of the model.
const maxThreads = 1024

// dataFor builds the held-out set first, then a training stream that never
// yields a puzzle equivalent to a held-out one.
func dataFor(o options) (train data.Source, test []data.Example, names []string, err error) {
	if o.Task == "arc" {
		ds, err := arcData(o)
		if err != nil {
			return nil, nil, nil, err
		}
		src, err := data.NewShuffleSource(ds.Train, o.Seed^0x5eed, nil)
		if err != nil {
			return nil, nil, nil, bad("%v", err)
		}
		return src, ds.Test, ds.Names, nil
	}
	train, test, err = gridData(o)
	return train, test, nil, err
}

// arcData builds the official-style augmented ARC dataset of -arc.
func arcData(o options) (*data.ARCDataset, error) {
	if o.ARC == "" {
		return nil, bad("-task arc needs -arc DIR, a directory of ARC-AGI task files")
	}
	cfg := data.ARCDatasetConfig{Augmentations: o.ARCAug, Translate: o.ARCShift, Canvas: o.ARCCanvas, Seed: o.Seed}
	any := false
	for _, d := range []struct {
		dir  string
		eval bool
	}{{o.ARC, true}, {filepath.Join(o.ARC, "training"), false}, {filepath.Join(o.ARC, "evaluation"), true}} {
		files, _ := filepath.Glob(filepath.Join(d.dir, "*.json"))
		if len(files) == 0 {
			continue
		}
		any = true
		ts, err := arc.LoadDir(d.dir)
		if err != nil {
			return nil, bad("%v", err)
		}
		if d.eval {
			cfg.Eval = append(cfg.Eval, ts...)
		} else {
			cfg.Train = append(cfg.Train, ts...)
		}
	}
	if !any {
		return nil, bad("-arc %s: no *.json task files in it, nor in training/ or evaluation/", o.ARC)
	}
	ds, err := data.BuildARCDataset(cfg)
	if err != nil {
		return nil, bad("%v", err)
	}
	return ds, nil
}

func gridData(o options) (train data.Source, test []data.Example, err error) {
	switch o.Task {
	case "sudoku4", "sudoku9":
		box := 2
		if o.Task == "sudoku9" {
			box = 3
		}
		// 9×9 splits are disjoint up to augmentation; 4×4 has too few
		// augmentation classes for that (about a thousand), so its splits
		// share no puzzle exactly (data.SudokuDatasetConfig.ExactKeys).
		exact := box == 2
		ds, err := data.BuildSudokuDataset(data.SudokuDatasetConfig{Box: box, Blanks: o.Blanks, Test: o.TestSize, Seed: o.Seed, ExactKeys: exact})
		if err != nil {
			return nil, nil, bad("%v", err)
		}
		src, err := data.NewSudokuStream(box, o.Blanks, o.Seed^0x5eed, ds.TestKeys)
		if err == nil && o.MinBlanks != 0 {
			if src, err = src.WithBlankRange(o.MinBlanks); err != nil {
				err = fmt.Errorf("-min-blanks %d: want 1..%d (-blanks)", o.MinBlanks, o.Blanks)
			}
		}
		if err != nil {
			return nil, nil, bad("%v", err)
		}
		if exact {
			return src.WithExactKeys(), ds.Test, nil
		}
		return src, ds.Test, nil
	case "maze":
		mc := maze.Config{Cells: o.MazeCells, Loops: maze.DefaultConfig().Loops, MinPathLen: o.MazeMin}
		ds, err := data.BuildMazeDataset(data.MazeDatasetConfig{Maze: mc, Test: o.TestSize, Seed: o.Seed})
		if err != nil {
			return nil, nil, bad("%v", err)
		}
		src, err := data.NewMazeStream(mc, o.Seed^0x5eed, ds.TestKeys)
		if err == nil && o.MazeFrom != 0 {
			if src, err = src.WithPathRange(o.MazeFrom); err != nil {
				err = fmt.Errorf("-maze-path-from %d: want 1..%d (-maze-min-path)", o.MazeFrom, o.MazeMin)
			}
		}
		if err != nil {
			return nil, nil, bad("%v", err)
		}
		return src, ds.Test, nil
	}
	return nil, nil, bad("-task %q: want sudoku4, sudoku9, maze or arc", o.Task)
}

// taskShape is the sequence length and vocabulary of a task.
func taskShape(o options) (int, runtime.Vocab, error) {
	switch o.Task {
	case "sudoku4":
		return 16, runtime.SudokuVocab, nil
	case "sudoku9":
		return 81, runtime.SudokuVocab, nil
	case "maze":
		if o.MazeCells < maze.MinCells || o.MazeCells > maze.MaxCells {
			return 0, runtime.Vocab{}, bad("-maze-cells %d: want a grid side of %d..%d squares", o.MazeCells, maze.MinCells, maze.MaxCells)
		}
		return maze.SeqLen(o.MazeCells), runtime.MazeVocab, nil
	case "arc":
		if o.ARCCanvas < 1 || o.ARCCanvas > arc.MaxSize {
			return 0, runtime.Vocab{}, bad("-arc-canvas %d: want 1..%d", o.ARCCanvas, arc.MaxSize)
		}
		return o.ARCCanvas * o.ARCCanvas, runtime.ARCVocab, nil
	}
	return 0, runtime.Vocab{}, bad("-task %q: want sudoku4, sudoku9, maze or arc", o.Task)
}

// metricsWriter is where metrics.jsonl records go: the file itself, except
// in the test of a failing write.
var metricsWriter = func(f *os.File) io.Writer { return f }

func run(args []string, stdout, stderr io.Writer, stop <-chan os.Signal) int {
	o, err := parse(args, stderr)
	if err == flag.ErrHelp {
		return 0
	}
	out := cli.NewOutput(stdout)
	stdout = out
	if err == nil {
		if o.Export != "" {
			err = trainer.ExportCheckpointSteps(o.From, o.Export, o.Quant == "int8", o.ExportSteps)
			if err == nil {
				fmt.Fprintf(stdout, "wrote %s\n", o.Export)
			}
		} else if o.Eval != "" {
			err = evalOnly(o, stdout)
		} else {
			err = train(o, stdout, stderr, stop)
		}
		if oerr := out.Err(); oerr != nil && err == nil {
			err = oerr
		}
	}
	if err != nil {
		fmt.Fprintf(stderr, "hrm-train: %v\n", err)
		var ue usageError
		if errors.As(err, &ue) {
			return 2
		}
		return 1
	}
	return 0
}

// The files of a run directory, and the checkpoint metadata key of the
// training time so far.
const (
	ckptName    = "checkpoint.safetensors"
	optsName    = "options.json"
	metricsName = "metrics.jsonl"
	modelName   = "model.safetensors"
	identsName  = "identifiers.json"
	elapsedKey  = "hrm_train_elapsed_ns"
)

// runFiles lists the files of a run present in dir.
func runFiles(dir string) []string {
	var found []string
	for _, name := range []string{ckptName, optsName, metricsName, modelName, identsName} {
		if _, err := os.Lstat(filepath.Join(dir, name)); err == nil {
			found = append(found, name)
		}
	}
	return found
}

func train(o options, stdout, stderr io.Writer, stop <-chan os.Signal) error {
	training.Store(true)
	defer training.Store(false)
	ckpt := filepath.Join(o.Out, ckptName)
	optsPath := filepath.Join(o.Out, optsName)
	metricsPath := filepath.Join(o.Out, metricsName)
	var stale []string
	if o.Resume {
		b, err := os.ReadFile(optsPath)
		if err != nil {
			return bad("-resume: %v", err)
		}
		keep := o
		if err := json.Unmarshal(b, &o); err != nil {
			return bad("%s: %v", optsPath, err)
		}
		if err := resumeConflicts(keep, o); err != nil {
			return err
		}
		o.Threads, o.Out, o.Resume, o.EvalEvery, o.SaveEvery, o.Quiet = keep.Threads, keep.Out, true, keep.EvalEvery, keep.SaveEvery, keep.Quiet
		if keep.set["time"] {
			o.Budget = keep.Budget // a new budget for the whole run
		}
		if _, err := os.Stat(ckpt); errors.Is(err, fs.ErrNotExist) {
			return bad("-resume: %s has no %s (the run stopped before writing it): start it again with -force", o.Out, ckptName)
		}
	} else if stale = runFiles(o.Out); len(stale) > 0 && !o.Force {
		// Appending to another run's metrics would mix two runs in one log.
		return bad("%s already holds a run (%s): use -resume, -force to start afresh (deleting them), or another -out", o.Out, strings.Join(stale, ", "))
	}
	seqLen, vocab, err := taskShape(o)
	if err != nil {
		return err
	}
	src, test, names, err := dataFor(o)
	if err != nil {
		return err
	}
	mc, ema, err := modelConfig(o, seqLen, vocab, len(names))
	if err != nil {
		return err
	}
	puzzleLR := o.PuzzleLR
	if puzzleLR == 0 {
		puzzleLR = o.LR
		if o.Task == "arc" {
			puzzleLR = 1e-2 // the official puzzle_emb_lr: sign-SGD moves a row by lr a step
		}
	}
	cfg := trainer.Config{Model: mc, Vocab: vocab, Batch: o.Batch, Steps: o.Steps, LR: o.LR, PuzzleLR: puzzleLR,
		WeightDecay: o.WD, PuzzleWD: o.WD, Beta1: 0.9, Beta2: 0.95, Warmup: o.Warmup, LRMinRatio: o.MinRatio,
		Loss: o.Loss, EMA: ema, Seed: o.Seed, Threads: o.Threads}
	if err := cfg.Validate(); err != nil {
		return bad("%v", err)
	}
	var tr *trainer.Trainer
	var before time.Duration // training time of the run before this process
	if o.Resume {
		if tr, err = trainer.Resume(ckpt, src, o.Threads); err != nil {
			return err
		}
		if before, err = checkpointElapsed(ckpt); err != nil {
			return err
		}
		// The log must describe one run: drop what was logged after the
		// checkpoint (it is about to be redone) and the final evaluation
		// of a run that is now continuing.
		if err := truncateMetrics(metricsPath, tr.StepCount()); err != nil {
			return err
		}
	} else {
		if err := os.MkdirAll(o.Out, 0o755); err != nil {
			return bad("-out: %v", err)
		}
		for _, name := range stale { // -force: checked above
			if err := os.Remove(filepath.Join(o.Out, name)); err != nil {
				return err
			}
		}
		b, err := json.MarshalIndent(o, "", "  ")
		if err != nil {
			return fmt.Errorf("%s: %w", optsPath, err)
		}
		if err := loader.WriteAtomic(optsPath, func(w io.Writer) error { _, err := w.Write(append(b, '\n')); return err }); err != nil {
			return err
		}
		if tr, err = trainer.New(cfg, src); err != nil {
			return err
		}
	}
	if names != nil {
		// identifiers.json as the official builder writes it: for hrm-run
		// (kept in model.safetensors) and for hrm-convert -identifiers of
		// an exported checkpoint.
		b, err := json.Marshal(names)
		if err != nil {
			return err
		}
		if err := loader.WriteAtomic(filepath.Join(o.Out, identsName), func(w io.Writer) error { _, err := w.Write(append(b, '\n')); return err }); err != nil {
			return err
		}
	}
	metrics, err := os.OpenFile(metricsPath, os.O_CREATE|os.O_APPEND|os.O_WRONLY, 0o644)
	if err != nil {
		return err
	}
	defer metrics.Close()
	mw := metricsWriter(metrics)
	logJSON := func(kind string, v any, extra map[string]any) error {
		b, err := record(kind, time.Now(), v, extra)
		if err != nil {
			return err
		}
		if _, err := mw.Write(append(b, '\n')); err != nil {
			return fmt.Errorf("writing %s: %w", metrics.Name(), err)
		}
		return nil
	}
	threads := o.Threads
	if threads <= 0 {
		threads = goruntime.GOMAXPROCS(0)
	}
	evaluate := func() (trainer.EvalResult, error) {
		return trainer.Evaluate(tr.EvalModel(), test, 0, threads, 32)
	}
	p := mc.TotalLen()
	mixer := "attention"
	if mc.MLPT {
		mixer = "mlp_t"
	}
	fmt.Fprintf(stderr, "hrm-train: %s %s (%s, pos %s), hidden %d, %d heads, H %d×%d, L %d×%d, T %d, %d ACT steps; batch %d, lr %g, ema %g, %d threads; %d held-out puzzles\n",
		o.Task, mc.Arch, mixer, mc.PosEncodings, mc.HiddenSize, mc.NumHeads, mc.HCycles, mc.HLayers, mc.LCycles, mc.LLayers, p, mc.HaltMaxSteps, o.Batch, o.LR, cfg.EMA, threads, len(test))

	start, lastSave, lastLog := time.Now(), time.Now(), time.Now()
	elapsed := func() time.Duration { return before + time.Since(start) }
	bar := newProgress(stderr, o.Quiet)
	var sum trainer.StepResult
	var n int
	var lastEval trainer.EvalResult
	save := func() error {
		if err := tr.SaveCheckpointMeta(ckpt, map[string]string{elapsedKey: strconv.FormatInt(int64(elapsed()), 10)}); err != nil {
			return err
		}
		lastSave = time.Now()
		return nil
	}
	if !o.Resume {
		// A checkpoint from the start: a run killed at any moment resumes.
		if err := save(); err != nil {
			return err
		}
	}
	reason := "step limit reached"
loop:
	for tr.StepCount() < o.Steps {
		select {
		case <-stop:
			reason = "interrupted"
			break loop
		default:
		}
		if o.Budget > 0 && elapsed() >= o.Budget {
			reason = "time budget reached"
			break loop
		}
		r, err := tr.Step()
		if err != nil {
			// A failed step updated nothing, and its state is not saved: the
			// last checkpoint is the last good step, and -resume goes on
			// from it.
			return fmt.Errorf("%w (the checkpoint at %s holds the last good state)", err, ckpt)
		}
		sum = accumulate(sum, r, n)
		n++
		step := tr.StepCount()
		if step%50 == 0 {
			if err := logJSON("train", sum, map[string]any{"step": step, "elapsed_s": elapsed().Seconds()}); err != nil {
				save() // the metrics are lost, not the training
				return err
			}
			bar.update(step, o.Steps, elapsed(), o.Budget, sum, float64(n*o.Batch)/time.Since(lastLog).Seconds(), lastEval)
			sum, n, lastLog = trainer.StepResult{}, 0, time.Now()
		}
		if step%o.EvalEvery == 0 {
			if lastEval, err = evaluate(); err != nil {
				return err
			}
			if err := logJSON("eval", lastEval, map[string]any{"step": step, "elapsed_s": elapsed().Seconds()}); err != nil {
				save()
				return err
			}
			bar.note(fmt.Sprintf("step %d: held-out exact %.4f, token %.4f (%d puzzles)", step, lastEval.ExactAccuracy, lastEval.Accuracy, lastEval.Count))
		}
		if time.Since(lastSave) >= o.SaveEvery {
			if err := save(); err != nil {
				return err
			}
		}
	}
	bar.done()
	if err := save(); err != nil {
		return err
	}
	final, err := evaluate()
	if err != nil {
		return err
	}
	if err := logJSON("eval", final, map[string]any{"step": tr.StepCount(), "elapsed_s": elapsed().Seconds(), "final": true}); err != nil {
		return err
	}
	model := filepath.Join(o.Out, modelName)
	em := tr.EvalModel()
	if names != nil {
		if em, err = em.WithIdentifiers(names); err != nil {
			return err
		}
	}
	if err := em.Save(model); err != nil {
		return err
	}
	fmt.Fprintf(stdout, "%s after %d steps in %v: held-out exact accuracy %.4f, token accuracy %.4f on %d puzzles\ncheckpoint %s\nmodel %s\n",
		reason, tr.StepCount(), elapsed().Round(time.Second), final.ExactAccuracy, final.Accuracy, final.Count, ckpt, model)
	return nil
}

// modelConfig is the architecture of a run and its EMA rate. TRM follows the
// official TRM defaults: one stack (H layers unused), a 16-row puzzle
// prefix whose first row is a learned vector, and EMA 0.999.
func modelConfig(o options, seqLen int, vocab runtime.Vocab, ids int) (runtime.Config, float64, error) {
	mc := runtime.DefaultConfig()
	mc.SeqLen, mc.VocabSize, mc.HiddenSize, mc.NumHeads = seqLen, len(vocab.Tokens), o.Hidden, o.Heads
	mc.HLayers, mc.LLayers, mc.HCycles, mc.LCycles, mc.Expansion = o.HLayers, o.LLayers, o.HCycles, o.LCycles, o.Expansion
	mc.NumPuzzleIdentifiers, mc.HaltMaxSteps, mc.HaltExplorationProb, mc.PosEncodings = 1, o.MaxSteps, o.Explore, o.Pos
	mc.MLPT = o.MLPT
	if ids > 0 {
		// ARC: a learned row per task variant, the task's only identity
		// (spec §6.4), one prefix row as in the official configs.
		mc.NumPuzzleIdentifiers, mc.PuzzleEmbNdim = ids, o.Hidden
	}
	ema := o.EMA
	switch o.Arch {
	case "hrm", "":
		if o.PrefixLen > 0 {
			return mc, 0, bad("-puzzle-emb-len is a TRM option")
		}
		ema = max(ema, 0)
	case "trm":
		mc.Arch, mc.HLayers = runtime.ArchTRM, 0
		mc.PuzzleEmbLen = 16
		if o.PrefixLen >= 0 {
			mc.PuzzleEmbLen = o.PrefixLen
		}
		if mc.PuzzleEmbLen > 0 {
			mc.PuzzleEmbNdim = mc.HiddenSize // the official Sudoku/maze setting: one row of the prefix
		}
		if ema < 0 {
			ema = 0.999
		}
	default:
		return mc, 0, bad("-arch %q: want hrm or trm", o.Arch)
	}
	if err := mc.Validate(); err != nil {
		return mc, 0, bad("%v", err)
	}
	return mc, ema, nil
}

// resumeFlags are the flags that may differ when a run is resumed: how it
// runs, not what it trains. -time sets a new budget for the whole run.
var resumeFlags = map[string]bool{"resume": true, "out": true, "threads": true, "time": true, "eval-every": true, "save-every": true, "q": true}

// flagKeys maps the flags that define a run to their options.json keys.
var flagKeys = map[string]string{
	"arch": "arch", "mlp-t": "mlp_t", "puzzle-emb-len": "puzzle_emb_len", "ema": "ema_rate", "task": "task",
	"blanks": "blanks", "min-blanks": "min_blanks", "maze-cells": "maze_cells", "maze-min-path": "maze_min_path",
	"maze-path-from": "maze_path_from",
	"test-size":      "test_size", "hidden": "hidden", "heads": "heads", "h-layers": "h_layers", "l-layers": "l_layers",
	"h-cycles": "h_cycles", "l-cycles": "l_cycles", "expansion": "expansion", "max-steps": "halt_max_steps",
	"explore": "halt_exploration_prob", "pos": "pos_encodings", "batch": "batch", "steps": "steps", "lr": "lr",
	"wd": "weight_decay", "warmup": "warmup", "lr-min-ratio": "lr_min_ratio", "loss": "loss", "seed": "seed",
}

// resumeConflicts refuses a flag given with -resume that would change the
// run (its task, model or schedule): the checkpoint continues the run as it
// was configured, so such a flag could only be ignored. given holds the
// command line's options, run the stored ones.
func resumeConflicts(given, run options) error {
	g, r := map[string]any{}, map[string]any{}
	gb, _ := json.Marshal(given)
	rb, _ := json.Marshal(run)
	_ = json.Unmarshal(gb, &g)
	_ = json.Unmarshal(rb, &r)
	var bad []string
	for name := range given.set {
		if resumeFlags[name] {
			continue
		}
		key, ok := flagKeys[name]
		if !ok {
			bad = append(bad, "-"+name)
			continue
		}
		if fmt.Sprint(g[key]) != fmt.Sprint(r[key]) {
			bad = append(bad, fmt.Sprintf("-%s %v (the run has %v)", name, g[key], r[key]))
		}
	}
	if len(bad) > 0 {
		sort.Strings(bad)
		return usageError{fmt.Errorf("-resume continues the run as it was configured; these flags would change it: %s (drop them, or start a new run with another -out)", strings.Join(bad, ", "))}
	}
	return nil
}

// checkpointElapsed is the training time stored in a checkpoint (zero for
// one written before it was stored).
func checkpointElapsed(ckpt string) (time.Duration, error) {
	f, err := loader.Open(ckpt)
	if err != nil {
		return 0, err
	}
	defer f.Close()
	v, ok := f.Metadata()[elapsedKey]
	if !ok {
		return 0, nil
	}
	ns, err := strconv.ParseInt(v, 10, 64)
	if err != nil || ns < 0 {
		return 0, bad("%s: bad %s %q", ckpt, elapsedKey, v)
	}
	return time.Duration(ns), nil
}

// truncateMetrics keeps the records of the log at path up to the
// checkpoint's step, except final evaluations, and rewrites it atomically
// if that drops anything. A last line without its newline is a record
// cut short by a crash; it goes too.
func truncateMetrics(path string, step int) error {
	b, err := os.ReadFile(path)
	if errors.Is(err, fs.ErrNotExist) {
		return nil
	}
	if err != nil {
		return err
	}
	var kept bytes.Buffer
	for i, line := range bytes.SplitAfter(b, []byte("\n")) {
		if len(line) == 0 {
			continue
		}
		var rec struct {
			Step  *int `json:"step"`
			Final bool `json:"final"`
		}
		if line[len(line)-1] != '\n' {
			break
		}
		if err := json.Unmarshal(line, &rec); err != nil || rec.Step == nil {
			return bad("%s line %d: not a metrics record", path, i+1)
		}
		if *rec.Step <= step && !rec.Final {
			kept.Write(line)
		}
	}
	if bytes.Equal(kept.Bytes(), b) {
		return nil
	}
	return loader.WriteAtomic(path, func(w io.Writer) error {
		_, err := w.Write(kept.Bytes())
		return err
	})
}

// evalOnly evaluates a weight file (float32 or int8) on the held-out set of
// the run in o.Out, rebuilt from its options.
func evalOnly(o options, stdout io.Writer) error {
	b, err := os.ReadFile(filepath.Join(o.Out, "options.json"))
	if err != nil {
		return bad("-eval: %v", err)
	}
	keep := o
	if err := json.Unmarshal(b, &o); err != nil {
		return bad("%s: %v", filepath.Join(o.Out, "options.json"), err)
	}
	_, test, _, err := dataFor(o)
	if err != nil {
		return err
	}
	m, err := runtime.Load(keep.Eval)
	if err != nil {
		return usageError{err}
	}
	defer m.Close()
	if seq, _, _ := taskShape(o); seq != m.Cfg.SeqLen {
		return bad("%s reads %d cells, the run's task has %d", keep.Eval, m.Cfg.SeqLen, seq)
	}
	threads := keep.Threads
	if threads <= 0 {
		threads = goruntime.GOMAXPROCS(0)
	}
	r, err := trainer.Evaluate(m, test, 0, threads, 32)
	if err != nil {
		return err
	}
	fmt.Fprintf(stdout, "%s (%s): held-out exact accuracy %.4f, token accuracy %.4f on %d puzzles\n",
		keep.Eval, m.Metadata()[runtime.MetaQuant], r.ExactAccuracy, r.Accuracy, r.Count)
	return nil
}

// record is one metrics.jsonl line: kind, time, the JSON fields of the
// struct v and extra. A float that is not finite (a diverged loss) is
// written as null: encoding/json refuses NaN and ±Inf, and the record must
// keep its other fields rather than fail or lose them.
func record(kind string, now time.Time, v any, extra map[string]any) ([]byte, error) {
	m := map[string]any{"kind": kind, "time": now.UTC().Format(time.RFC3339)}
	rv := reflect.ValueOf(v)
	for i := 0; i < rv.NumField(); i++ {
		f := rv.Type().Field(i)
		name, _, _ := strings.Cut(f.Tag.Get("json"), ",")
		if !f.IsExported() || name == "-" {
			continue
		}
		if name == "" {
			name = f.Name
		}
		m[name] = rv.Field(i).Interface()
	}
	for k, x := range extra {
		m[k] = x
	}
	for k, x := range m {
		switch f := x.(type) {
		case float64:
			if math.IsNaN(f) || math.IsInf(f, 0) {
				m[k] = nil
			}
		case float32:
			if math.IsNaN(float64(f)) || math.IsInf(float64(f), 0) {
				m[k] = nil
			}
		}
	}
	b, err := json.Marshal(m)
	if err != nil {
		return nil, fmt.Errorf("metrics record: %w", err)
	}
	return b, nil
}

// accumulate keeps running means of the step results of one log interval.
func accumulate(s, r trainer.StepResult, n int) trainer.StepResult {
	f := func(a, b float64) float64 { return (a*float64(n) + b) / float64(n+1) }
	s.Loss, s.LMLoss, s.QHaltLoss, s.QContLoss = f(s.Loss, r.Loss), f(s.LMLoss, r.LMLoss), f(s.QHaltLoss, r.QHaltLoss), f(s.QContLoss, r.QContLoss)
	s.LR = r.LR
	if r.Count > 0 {
		w := float64(s.Count) + float64(r.Count)
		s.Accuracy = (s.Accuracy*float64(s.Count) + r.Accuracy*float64(r.Count)) / w
		s.ExactAccuracy = (s.ExactAccuracy*float64(s.Count) + r.ExactAccuracy*float64(r.Count)) / w
		s.QHaltAccuracy = (s.QHaltAccuracy*float64(s.Count) + r.QHaltAccuracy*float64(r.Count)) / w
		s.MeanSteps = (s.MeanSteps*float64(s.Count) + r.MeanSteps*float64(r.Count)) / w
		s.Count += r.Count
	}
	return s
}

// progress draws a one-line bar on a terminal, or a line per update
// elsewhere. Its writes go unchecked: they go to stderr, where a failure
// has nowhere to be reported, and the run's record is metrics.jsonl.
type progress struct {
	w     io.Writer
	quiet bool
	tty   bool
}

func newProgress(w io.Writer, quiet bool) *progress {
	tty := false
	if f, ok := w.(*os.File); ok {
		if st, err := f.Stat(); err == nil && st.Mode()&os.ModeCharDevice != 0 {
			tty = true
		}
	}
	return &progress{w: w, quiet: quiet, tty: tty}
}

func (p *progress) update(step, total int, el, budget time.Duration, s trainer.StepResult, rate float64, ev trainer.EvalResult) {
	if p.quiet {
		return
	}
	frac := float64(step) / float64(total)
	if budget > 0 {
		frac = math.Max(frac, el.Seconds()/budget.Seconds())
	}
	eta := "?"
	if frac > 0 {
		eta = (time.Duration(float64(el)/frac) - el).Round(time.Second).String()
	}
	const width = 20
	fill := int(math.Min(1, frac) * width)
	line := fmt.Sprintf("[%s%s] step %d  loss %.4f  tok %.3f  exact %.3f  act %.2f  %.0f samples/s  eta %s",
		strings.Repeat("#", fill), strings.Repeat(".", width-fill), step, s.Loss, s.Accuracy, s.ExactAccuracy, s.MeanSteps, rate, eta)
	if p.tty {
		fmt.Fprintf(p.w, "\r\033[K%s", line)
	} else {
		fmt.Fprintln(p.w, line)
	}
}

func (p *progress) note(s string) {
	if p.quiet {
		return
	}
	if p.tty {
		fmt.Fprintf(p.w, "\r\033[K%s\n", s)
	} else {
		fmt.Fprintln(p.w, s)
	}
}

func (p *progress) done() {
	if p.tty && !p.quiet {
		fmt.Fprintln(p.w)
	}
}
