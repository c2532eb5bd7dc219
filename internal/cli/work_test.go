package cli

import (
	"testing"

	"github.com/hrmgo/hrm/runtime"
	"github.com/stretchr/testify/require"
)

func TestCheckWork(t *testing.T) {
	full := runtime.FullSizeConfig(900) // the largest published HRM
	require.NoError(t, CheckWork("full", full, full.HaltMaxSteps))
	// The README's 6.71 G of GEMMs for a full-size segment at 82 tokens,
	// plus 24 blocks × 2·82²·512 of attention.
	require.InDelta(t, 6.71e9+24*2*82*82*512, runtime.FullSizeConfig(81).SegmentMACs(), 0.01e9)

	small := full
	small.HiddenSize, small.NumHeads, small.HLayers, small.LLayers, small.SeqLen, small.PuzzleEmbNdim = 128, 4, 2, 2, 81, 0
	small.HaltMaxSteps = 8
	require.NoError(t, CheckWork("small", small, 8))
	trm := small
	trm.HCycles, trm.LCycles, trm.HaltMaxSteps = 3, 6, 16
	require.NoError(t, CheckWork("3×6", trm, 16))
	for _, mlp := range []bool{false, true} {
		c := runtime.FullSizeTRMConfig(81, mlp)
		require.NoError(t, CheckWork("trm", c, c.HaltMaxSteps))
	}

	long := small
	long.HaltMaxSteps = 1 << 20
	err := CheckWork("long", long, long.HaltMaxSteps)
	require.ErrorContains(t, err, "model long asks for")
	require.ErrorContains(t, err, "2×2 cycles, 1048576 segments")
	require.ErrorContains(t, err, "give -steps N to run it anyway")

	deep := small
	deep.HCycles, deep.LCycles = 64, 64
	require.ErrorContains(t, CheckWork("deep", deep, 8), "(64×64 cycles, 8 segments), 347 times")
}
