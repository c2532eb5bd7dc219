package main

import (
	"bufio"
	"encoding/json"
	"fmt"
	"io"
	"path/filepath"
	"strings"

	"github.com/hrmgo/hrm/internal/arcrun"
	"github.com/hrmgo/hrm/runtime"
	"github.com/hrmgo/hrm/task/arc"
)

// maxTaskBytes bounds an ARC task file: the largest of ARC-AGI is about
// 100 KB (30×30 grids, a few pairs).
const maxTaskBytes = 16 << 20

// attempts is one test input's entry of an ARC Prize submission.
type attempts struct {
	Attempt1 [][]int `json:"attempt_1"`
	Attempt2 [][]int `json:"attempt_2"`
}

// arcResult is a task answered, as written with -json (README: "JSON
// output").
type arcResult struct {
	Task     string     `json:"task"`
	Attempts []attempts `json:"attempts"`
	Variants int        `json:"variants"`
	Segments float64    `json:"segments"`
	Tests    []arcTest  `json:"tests"`
	Pass1    *bool      `json:"pass@1"` // null when a test output is unknown
	Pass2    *bool      `json:"pass@2"`
}

// arcTest is the vote on one test input.
type arcTest struct {
	Candidates int   `json:"candidates"`
	Votes      []int `json:"votes"` // of the two attempts
	Pass1      *bool `json:"pass@1"`
	Pass2      *bool `json:"pass@2"`
}

func rowsOf(g arc.Grid) [][]int {
	if g.Empty() {
		return [][]int{}
	}
	return g.Rows()
}

// solveARC answers one ARC-AGI task file (-in) with every variant of the
// task the model knows, and writes the submission's attempts.
func solveARC(c config, m *runtime.Model, src *source, stdout, stderr io.Writer) error {
	switch {
	case src == nil:
		return badInput("an ARC model answers a task file: give -in TASK.json")
	case src.name == "stdin":
		return badInput("an ARC task is named by its file (its puzzle identifiers are): give -in TASK.json, not stdin")
	case c.halt == runtime.HaltValid:
		return badInput("-halt valid needs a verifier, and an ARC answer has none: use -halt max or q")
	case c.trace:
		return badInput("-trace follows Sudoku and maze grids; for ARC use -json (candidates and votes)")
	}
	side, err := arcrun.Canvas(m)
	if err != nil {
		return badInput("model %s: %v", c.model, err)
	}
	b, err := io.ReadAll(io.LimitReader(src.reader(), maxTaskBytes+1))
	if err != nil {
		return badInput("%s: %v", src.name, err)
	}
	if len(b) > maxTaskBytes {
		return badInput("%s: larger than %d MiB, not an ARC task file", src.name, maxTaskBytes>>20)
	}
	name := strings.TrimSuffix(filepath.Base(src.name), filepath.Ext(src.name))
	t, err := arc.ParseTask(name, b)
	if err != nil {
		return badInput("%v", err)
	}
	vs, err := arcrun.Variants(m, name)
	if err != nil {
		return badInput("model %s: %v", c.model, err)
	}
	vs = arcrun.Limit(vs, c.variants)
	if err := arcrun.Fits(t, side); err != nil {
		return badInput("%v", err)
	}
	batch, err := fitBatch(m, c, arcrun.Rows(t, vs))
	if err != nil {
		return err
	}
	sess, err := m.NewSession(batch, c.threads)
	if err != nil {
		return err
	}
	defer sess.Close()
	res, err := arcrun.Solve(sess, t, vs, side, runtime.Options{Steps: c.steps, Halt: c.halt})
	if err != nil {
		return err
	}
	w := bufio.NewWriter(stdout)
	if err := writeARC(w, res, c.json); err != nil {
		return err
	}
	if err := w.Flush(); err != nil {
		return err
	}
	pass1, known := res.Pass(1)
	pass2, _ := res.Pass(2)
	n1, n2 := 0, 0
	for _, a := range res.Tests {
		if a.Pass1 {
			n1++
		}
		if a.Pass2 {
			n2++
		}
	}
	if known {
		fmt.Fprintf(stderr, "hrm-run: task %s: %d variants, test inputs passed: %d of %d at pass@1, %d of %d at pass@2; the task scores %s at pass@1, %s at pass@2\n",
			name, res.Variants, n1, len(res.Tests), n2, len(res.Tests), score(pass1), score(pass2))
	} else {
		fmt.Fprintf(stderr, "hrm-run: task %s: %d variants, %d test inputs (the file gives no test outputs to score)\n", name, res.Variants, len(res.Tests))
	}
	return nil
}

func score(pass bool) string {
	if pass {
		return "1"
	}
	return "0"
}

func writeARC(w io.Writer, res *arcrun.Result, full bool) error {
	var at []attempts
	for _, a := range res.Tests {
		at = append(at, attempts{rowsOf(a.Attempt(0)), rowsOf(a.Attempt(1))})
	}
	var v any = at
	if full {
		r := arcResult{Task: res.Task, Attempts: at, Variants: res.Variants, Segments: res.Segments}
		boolp := func(b bool) *bool { return &b }
		for _, a := range res.Tests {
			tt := arcTest{Candidates: len(a.Candidates)}
			for k := 0; k < min(2, len(a.Candidates)); k++ {
				tt.Votes = append(tt.Votes, a.Candidates[k].Votes)
			}
			if a.Known {
				tt.Pass1, tt.Pass2 = boolp(a.Pass1), boolp(a.Pass2)
			}
			r.Tests = append(r.Tests, tt)
		}
		if p, known := res.Pass(1); known {
			p2, _ := res.Pass(2)
			r.Pass1, r.Pass2 = boolp(p), boolp(p2)
		}
		v = r
	}
	b, err := json.Marshal(v)
	if err != nil {
		return err
	}
	_, err = fmt.Fprintf(w, "%s\n", b)
	return err
}
