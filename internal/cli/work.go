package cli

import (
	"fmt"

	"github.com/hrmgo/hrm/runtime"
)

// Work budget. A model file sets its own recurrence (H_cycles, L_cycles,
// halt_max_steps) and the runtime accepts up to 64×64 cycles and 2^20
// segments, so a 1 MB file can ask for minutes of work per puzzle. What is
// sane scales with the model: the official schedule (2×2 cycles, 16
// segments) applied to its own layers, times a margin that covers every
// published schedule (TRM's 3×6 cycles is 3.5 times it).
const (
	refCycles  = 2
	refSteps   = 16
	workMargin = 64
)

// CheckWork refuses a model whose work per puzzle, at steps segments,
// exceeds workMargin times that of its layers on the official schedule.
// Callers skip it when the user set the segment budget explicitly.
func CheckWork(name string, c runtime.Config, steps int) error {
	ref := c
	ref.HCycles, ref.LCycles = refCycles, refCycles
	work, budget := c.SegmentMACs()*float64(steps), workMargin*ref.SegmentMACs()*refSteps
	if work <= budget {
		return nil
	}
	return fmt.Errorf("model %s asks for %.2g multiply-adds per puzzle (%d×%d cycles, %d segments), %.0f times what its layers do on the official schedule (2×2 cycles, 16 segments); give -steps N to run it anyway (%.2g per segment)",
		name, work, c.HCycles, c.LCycles, steps, work/(budget/workMargin), c.SegmentMACs())
}
