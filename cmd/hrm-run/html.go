package main

import (
	"bufio"
	"io"
	"os"
	"path/filepath"

	"github.com/hrmgo/hrm/loader"
	"github.com/hrmgo/hrm/runtime"
	"github.com/hrmgo/hrm/task/sudoku"
	"github.com/hrmgo/hrm/trajectory"
)

// startHTML sets up -html: the path is checked before the model runs, so
// an unwritable one is bad input named up front, and the first puzzle's
// trajectory (every segment and inner update) is recorded through opt's
// observer. The returned finish writes the page once the run is over,
// atomically like every file hrm writes.
func startHTML(path, model string, m *runtime.Model, puzzle sudoku.Grid, opt *runtime.Options) (finish func() error, err error) {
	rec, err := trajectory.NewRecorder(m, model, puzzle, 0, true)
	if err != nil {
		return nil, err
	}
	if st, err := os.Stat(filepath.Dir(path)); err != nil || !st.IsDir() {
		return nil, badInput("-html %s: no directory %s", path, filepath.Dir(path))
	}
	if st, err := os.Stat(path); err == nil && st.IsDir() {
		return nil, badInput("-html %s: is a directory", path)
	}
	opt.Observer = rec.Observer()
	return func() error {
		budget := opt.Steps
		if budget == 0 {
			budget = m.Cfg.HaltMaxSteps
		}
		return loader.WriteAtomic(path, func(w io.Writer) error {
			bw := bufio.NewWriter(w)
			if err := trajectory.WriteHTML(bw, rec.Finish(budget)); err != nil {
				return err
			}
			return bw.Flush()
		})
	}, nil
}
