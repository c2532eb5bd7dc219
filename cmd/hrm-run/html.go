package main

import (
	"bufio"
	"os"

	"github.com/hrmgo/hrm/runtime"
	"github.com/hrmgo/hrm/trainer/data"
	"github.com/hrmgo/hrm/trajectory"
)

// startHTML sets up -html: the file is created before the model runs, so
// an unwritable path is bad input named up front, and the first puzzle's
// trajectory (every segment and inner update) is recorded through opt's
// observer. The returned finish writes the page once the run is over.
func startHTML(path, model string, m *runtime.Model, puzzle data.SudokuGrid, opt *runtime.Options) (finish func() error, err error) {
	rec, err := trajectory.NewRecorder(m, model, puzzle, 0, true)
	if err != nil {
		return nil, err
	}
	f, err := os.Create(path)
	if err != nil {
		return nil, badInput("-html: %v", err)
	}
	opt.Observer = rec.Observer()
	return func() error {
		budget := opt.Steps
		if budget == 0 {
			budget = m.Cfg.HaltMaxSteps
		}
		w := bufio.NewWriter(f)
		err := trajectory.WriteHTML(w, rec.Finish(budget))
		if err == nil {
			err = w.Flush()
		}
		if cerr := f.Close(); err == nil {
			err = cerr
		}
		return err
	}, nil
}
