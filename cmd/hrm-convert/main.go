// Command hrm-convert imports an official HRM checkpoint (a safetensors file
// with official state-dict names, or the released torch.save "checkpoint"
// with all_config.yaml beside it) and writes an hrm weight file, float32 or
// int8. Given an hrm weight file it converts that (e.g. f32 to int8).
//
//	hrm-convert -o sudoku.safetensors path/to/HRM-checkpoint-sudoku-extreme
//	hrm-convert -quant int8 -o sudoku-int8.safetensors sudoku.safetensors
package main

import (
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"strconv"
	"strings"

	"github.com/hrmgo/hrm/convert"
	"github.com/hrmgo/hrm/internal/cli"
	"github.com/hrmgo/hrm/loader"
	"github.com/hrmgo/hrm/runtime"
)

func main() {
	// Ctrl-C or SIGTERM mid-write removes the temporary output file.
	loader.ExitOnSignal()
	os.Exit(run(os.Args[1:], os.Stdout, os.Stderr))
}

// setFlags collects repeated -set key=value config overrides.
type setFlags map[string]any

func (s setFlags) String() string { return "" }

func (s setFlags) Set(v string) error {
	k, val, ok := strings.Cut(v, "=")
	if !ok || k == "" {
		return fmt.Errorf("want key=value, got %q", v)
	}
	if n, err := strconv.ParseInt(val, 10, 64); err == nil {
		s[k] = n
	} else if _, err := strconv.ParseFloat(val, 64); err == nil || errors.Is(err, strconv.ErrRange) {
		// strconv reads NaN, Inf and 1e999 as floats; no config field
		// wants one, and NaN would pass every range check.
		f, err := cli.ParseFinite(val)
		if err != nil {
			return fmt.Errorf("%s=%s: %v", k, val, err)
		}
		s[k] = f
	} else {
		s[k] = val
	}
	return nil
}

func run(args []string, stdout, stderr io.Writer) int {
	fs := flag.NewFlagSet("hrm-convert", flag.ContinueOnError)
	out := fs.String("o", "", "output weight file (required)")
	cfgPath := fs.String("config", "", "all_config.yaml or JSON config (default: all_config.yaml beside the checkpoint)")
	seqLen := fs.Int("seq-len", 0, "sequence length (default: from the task: sudoku 81, maze/arc 900)")
	task := fs.String("task", "", "task: sudoku, maze or arc (default: from data_path or vocabulary size)")
	idents := fs.String("identifiers", "", "the official dataset's identifiers.json: names of the puzzle-embedding rows, kept in the output (ARC: how hrm-run finds a task's augmented variants)")
	quantize := fs.String("quant", "f32", "weight format to write: f32 or int8 (an int8 input written as f32 is dequantized)")
	sets := setFlags{}
	fs.Var(sets, "set", "override an official config field, key=value (repeatable)")
	fs.Usage = func() {
		fmt.Fprintf(stderr, "usage: hrm-convert [flags] -o OUT CHECKPOINT\n\nCHECKPOINT is a safetensors file, a torch.save zip file, or a directory\nholding 'checkpoint' and all_config.yaml.\n\n")
		fs.PrintDefaults()
	}
	fail := func(format string, a ...any) int {
		fmt.Fprintf(stderr, "hrm-convert: "+format+"\n", a...)
		return 2
	}
	if err := cli.Parse(fs, args, stderr); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return 0
		}
		return fail("%v", err)
	}
	if fs.NArg() != 1 {
		return fail("want exactly one checkpoint argument, got %d", fs.NArg())
	}
	if *out == "" {
		return fail("-o OUT is required")
	}
	if *seqLen < 0 {
		return fail("-seq-len %d: must be positive", *seqLen)
	}
	if *quantize != "f32" && *quantize != "int8" {
		return fail("-quant %q: want f32 or int8", *quantize)
	}
	if err := loader.CheckWritable(*out); err != nil {
		return fail("-o %s: %v", *out, err)
	}
	var m *runtime.Model
	var err error
	if runtime.IsWeightFile(fs.Arg(0)) {
		// Our own weight file, e.g. to quantize a trained model.
		m, err = runtime.Load(fs.Arg(0))
		if err == nil {
			defer m.Close()
			if *idents != "" {
				m, err = convert.WithIdentifiers(m, *idents)
			}
		}
	} else {
		m, err = convert.Import(fs.Arg(0), convert.Options{ConfigPath: *cfgPath, Config: sets, SeqLen: *seqLen, Task: *task, Identifiers: *idents})
	}
	if err != nil {
		return fail("%v", err)
	}
	var note string
	switch wasInt8 := m.Metadata()[runtime.MetaQuant] == runtime.QuantInt8; {
	case *quantize == "int8":
		if m, err = m.Quantize(); err != nil {
			return fail("%v", err)
		}
	case wasInt8:
		// Asked for f32: write the int8 values as float32 rather than
		// copying int8 under an f32 label. The original float weights are
		// gone; this is what the int8 file computes, in float32.
		m, note = m.Dequantize(), " (dequantized from int8)"
	}
	if err := m.Save(*out); err != nil {
		// The target was checked up front: this is a failure of the write
		// itself (a full disk, an I/O error), not bad input.
		fmt.Fprintf(stderr, "hrm-convert: writing %s: %v\n", *out, err)
		return 1
	}
	c := m.Cfg
	report := cli.NewOutput(stdout)
	fmt.Fprintf(report, "wrote %s: %s; task %s, vocab %d, %s\n", *out, c.Describe(), m.Vocab.Task, c.VocabSize, m.Metadata()[runtime.MetaQuant]+note)
	if err := report.Err(); err != nil {
		fmt.Fprintf(stderr, "hrm-convert: %v\n", err)
		return 1
	}
	return 0
}
