package main

import (
	"encoding/json"
	"flag"
	"fmt"
	"io"
	"path/filepath"
	"sort"
	"strings"
	"time"

	"github.com/hrmgo/hrm/internal/arcrun"
	"github.com/hrmgo/hrm/internal/cli"
	"github.com/hrmgo/hrm/loader"
	"github.com/hrmgo/hrm/runtime"
	"github.com/hrmgo/hrm/task/arc"
)

// arcTask is one task of an arc report.
type arcTask struct {
	Task     string  `json:"task"`
	Variants int     `json:"variants"`
	Tests    int     `json:"tests"`
	Pass1    bool    `json:"pass@1"`
	Pass2    bool    `json:"pass@2"`
	Known    bool    `json:"known"`             // the file gives every test output
	Missing  string  `json:"missing,omitempty"` // why the model cannot answer it
	Segments float64 `json:"segments,omitempty"`
}

// arcBench scores an ARC model on a directory of task files the official
// way: every task's known variants vote (internal/arcrun), a task scores
// when all its test inputs pass, and the score is the fraction of tasks
// (spec §6.5). A task the model has no identifiers for scores 0 and is
// named.
func arcBench(args []string, stdout, stderr io.Writer) error {
	fs := flag.NewFlagSet("hrm-bench arc", flag.ContinueOnError)
	path := fs.String("model", "", "ARC weight file with puzzle identifiers")
	steps := fs.Int("steps", 0, "ACT segment budget (0: the model's halt_max_steps)")
	batch := fs.Int("batch", 16, "rows (variants × test inputs) per session batch")
	threads := fs.Int("threads", 0, "worker threads (0: all cores)")
	asJSON := fs.Bool("json", false, "JSON output, one object per task")
	limit := fs.Int("variants", 0, "run at most N variants of each task, the task itself first (0: all)")
	sub := fs.String("submission", "", "also write the attempts as an ARC Prize submission.json here")
	fs.Usage = func() {
		fmt.Fprintf(stderr, "usage: hrm-bench arc -model M [flags] DIR\n\nDIR holds ARC-AGI task files (*.json).\n\n")
		fs.PrintDefaults()
	}
	if err := cli.Parse(fs, args, stderr); err != nil {
		if err == flag.ErrHelp {
			return err
		}
		return usageError{err}
	}
	switch {
	case *path == "":
		return bad("-model FILE is required")
	case fs.NArg() != 1:
		return bad("want one directory of task files, got %d arguments", fs.NArg())
	case *batch < 1 || *batch > 1024:
		return bad("-batch %d: want 1..1024", *batch)
	case *steps < 0 || *steps > 10000:
		return bad("-steps %d: want 0..10000", *steps)
	case *threads < 0 || *threads > 256:
		return bad("-threads %d: want 0..256", *threads)
	}
	m, err := runtime.Load(*path)
	if err != nil {
		return usageError{err}
	}
	defer m.Close()
	if m.Vocab.Task != "arc" {
		return bad("%s: a %s model; arc scores ARC models", *path, m.Vocab.Task)
	}
	side, err := arcrun.Canvas(m)
	if err != nil {
		return bad("%s: %v", *path, err)
	}
	if !m.HasIdentifiers() {
		return bad("%s: %v", *path, arcrun.ErrNoIdentifiers)
	}
	tasks, err := arc.LoadDir(fs.Arg(0))
	if err != nil {
		return bad("%v", err)
	}
	sess, err := m.NewSession(*batch, *threads)
	if err != nil {
		return err
	}
	defer sess.Close()
	var rows []arcTask
	submission := map[string][]map[string][][]int{}
	answered := 0
	t0 := time.Now()
	for _, t := range tasks {
		row := arcTask{Task: t.Name, Tests: len(t.Test)}
		vs, err := arcrun.Variants(m, t.Name)
		if err == nil {
			err = arcrun.Fits(t, side)
		}
		if err != nil {
			row.Missing = err.Error()
			rows = append(rows, row)
			continue
		}
		res, err := arcrun.Solve(sess, t, arcrun.Limit(vs, *limit), side, runtime.Options{Steps: *steps})
		if err != nil {
			return err
		}
		answered++
		row.Variants, row.Segments = res.Variants, res.Segments
		row.Pass1, row.Known = res.Pass(1)
		row.Pass2, _ = res.Pass(2)
		for _, a := range res.Tests {
			submission[t.Name] = append(submission[t.Name], map[string][][]int{"attempt_1": gridRows(a.Attempt(0)), "attempt_2": gridRows(a.Attempt(1))})
		}
		rows = append(rows, row)
	}
	if answered == 0 {
		return bad("%s: the model has puzzle identifiers for none of the %d tasks of %s (%s)", *path, len(tasks), fs.Arg(0), rows[0].Missing)
	}
	if *sub != "" {
		b, err := json.Marshal(submission)
		if err != nil {
			return err
		}
		if err := loader.WriteAtomic(*sub, func(w io.Writer) error { _, err := w.Write(append(b, '\n')); return err }); err != nil {
			return err
		}
	}
	if *asJSON {
		enc := json.NewEncoder(stdout)
		for _, r := range rows {
			if err := enc.Encode(r); err != nil {
				return err
			}
		}
		return nil
	}
	p1, p2, known := 0, 0, 0
	var missing []string
	for _, r := range rows {
		if r.Pass1 {
			p1++
		}
		if r.Pass2 {
			p2++
		}
		if r.Known {
			known++
		}
		if r.Missing != "" {
			missing = append(missing, r.Task)
		}
		status := fmt.Sprintf("%d variants, %d test inputs: pass@1 %s, pass@2 %s", r.Variants, r.Tests, yes(r.Pass1, r.Known), yes(r.Pass2, r.Known))
		if r.Missing != "" {
			status = "not answered: " + r.Missing
		}
		fmt.Fprintf(stdout, "%s  %s\n", r.Task, status)
	}
	sort.Strings(missing)
	n := len(rows)
	fmt.Fprintf(stdout, "\n%s on %s: %d tasks (%d answered, %d with known test outputs) in %v: pass@1 %d (%.1f%%), pass@2 %d (%.1f%%)\n",
		filepath.Base(*path), fs.Arg(0), n, answered, known, time.Since(t0).Round(time.Millisecond), p1, 100*float64(p1)/float64(n), p2, 100*float64(p2)/float64(n))
	if len(missing) > 0 {
		fmt.Fprintf(stderr, "hrm-bench: %d of %d tasks not answered (%s) count as failed\n", len(missing), n, strings.Join(missing, ", "))
	}
	return nil
}

func yes(pass, known bool) string {
	switch {
	case !known:
		return "unknown"
	case pass:
		return "yes"
	}
	return "no"
}

func gridRows(g arc.Grid) [][]int {
	if g.Empty() {
		return [][]int{}
	}
	return g.Rows()
}
