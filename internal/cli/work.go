package cli

import (
	"fmt"

	"github.com/hrmgo/hrm/runtime"
)

// SegmentMACs is the multiply-adds of one ACT segment of one sequence: the
// block linears and attention of every block pass, and the heads.
func SegmentMACs(c runtime.Config) float64 {
	T, D, F := float64(c.TotalLen()), float64(c.HiddenSize), float64(c.Inter())
	perBlock := T*(3*D*D+D*D+2*F*D+F*D) + 2*T*T*D
	blocks := float64(c.HCycles * (c.LCycles*c.LLayers + c.HLayers))
	return blocks*perBlock + float64(c.SeqLen)*D*float64(c.VocabSize) + 2*D
}

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
	work, budget := SegmentMACs(c)*float64(steps), workMargin*SegmentMACs(ref)*refSteps
	if work <= budget {
		return nil
	}
	return fmt.Errorf("model %s asks for %.2g multiply-adds per puzzle (%d×%d cycles, %d segments), %.0f times what its layers do on the official schedule (2×2 cycles, 16 segments); give -steps N to run it anyway (%.2g per segment)",
		name, work, c.HCycles, c.LCycles, steps, work/(budget/workMargin), SegmentMACs(c))
}
