package main

import (
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"testing"
	"unsafe"

	"github.com/stretchr/testify/require"

	"github.com/hrmgo/hrm/loader"
	"github.com/hrmgo/hrm/runtime"
)

// TestWriteBigTableModel writes the files of the README's measurement of
// a full-size ARC model with a million-row puzzle table (2 GB, as the
// official ARC checkpoints have): HRM_BIG_TABLE_OUT=DIR go test -run
// TestWriteBigTableModel ./cmd/hrm-run, then /usr/bin/time -v hrm-run on
// DIR/big.safetensors and DIR/small.safetensors (the same transformer with
// only the task's rows) and DIR/task0500.json. It writes 2 GB, so it is
// not part of the suite (runtime's TestMillionRowTableStaysOnDisk is).
func TestWriteBigTableModel(t *testing.T) {
	dir := os.Getenv("HRM_BIG_TABLE_OUT")
	if dir == "" {
		t.Skip("a generator for the README's measurement: set HRM_BIG_TABLE_OUT=DIR")
	}
	const tasks, variants, task = 1000, 1000, 500
	cfg := runtime.FullSizeConfig(900)
	cfg.VocabSize = 12
	base, err := runtime.NewRandom(cfg, 1)
	require.NoError(t, err)
	base.Vocab = runtime.ARCVocab
	q, err := base.Quantize()
	require.NoError(t, err)

	for _, big := range []bool{true, false} {
		var names []string
		if big {
			names = append(names, "<blank>")
			for k := 0; k < tasks; k++ {
				for v := 0; v < variants; v++ {
					names = append(names, variantName(k, v))
				}
			}
		} else {
			names = append(names, "<blank>")
			for v := 0; v < variants; v++ {
				names = append(names, variantName(task, v))
			}
		}
		rows := len(names)
		c := cfg
		c.NumPuzzleIdentifiers = rows
		// The names table of the row count: from a small model of it.
		small := runtime.DefaultConfig()
		small.SeqLen, small.VocabSize, small.HiddenSize, small.NumHeads = 4, 12, 8, 1
		small.HLayers, small.LLayers, small.HCycles, small.LCycles, small.Expansion = 1, 1, 1, 1, 1
		small.NumPuzzleIdentifiers, small.HaltMaxSteps = rows, 1
		sm, err := runtime.NewRandom(small, 1)
		require.NoError(t, err)
		sm, err = sm.WithIdentifiers(names)
		require.NoError(t, err)
		idents := sm.Tensors()[len(sm.Tensors())-1]
		require.Equal(t, runtime.KeyIdentifiers, idents.Name)

		meta := q.Metadata()
		meta[runtime.MetaConfig] = c.String()
		var ts []loader.Tensor
		for _, x := range q.Tensors() {
			if x.Name == runtime.KeyPuzzleEmb {
				// Fresh zeroed memory, not written to except the task's
				// rows: the rest of the 2 GB is never resident here either.
				x.Data = make([]byte, rows*512*4)
				x.Shape = []int{rows, 512}
				first := 1
				if big {
					first = 1 + task*variants
				}
				for r := first; r < first+variants; r++ {
					row := unsafe.Slice((*float32)(unsafe.Pointer(&x.Data[r*512*4])), 512)
					for i := range row {
						row[i] = float32((r*31+i)%17-8) / 64
					}
				}
			}
			ts = append(ts, x)
		}
		ts = append(ts, idents)
		name := "small.safetensors"
		if big {
			name = "big.safetensors"
		}
		require.NoError(t, loader.WriteFile(filepath.Join(dir, name), meta, ts))
	}
	g := [][]int{{1, 2, 3}, {4, 5, 6}, {7, 8, 9}}
	b, _ := json.Marshal(map[string]any{"train": []any{map[string]any{"input": g, "output": g}}, "test": []any{map[string]any{"input": g}}})
	require.NoError(t, os.WriteFile(filepath.Join(dir, fmt.Sprintf("task%04d.json", task)), b, 0o644))
}

// variantName is the v-th variant of task k, named as the official
// builder names them (v 0 is the task itself): transform v mod 8 after the
// v-th permutation of the colours 1..9 (0 stays).
func variantName(k, v int) string {
	if v == 0 {
		return fmt.Sprintf("task%04d", k)
	}
	digits := []byte("123456789")
	perm := []byte{'0'}
	n := v
	for f := 8; f >= 0; f-- {
		fact := 1
		for i := 2; i <= f; i++ {
			fact *= i
		}
		j := n / fact
		n %= fact
		perm = append(perm, digits[j])
		digits = append(digits[:j], digits[j+1:]...)
	}
	return fmt.Sprintf("task%04d_t%d_%s", k, v%8, perm)
}
