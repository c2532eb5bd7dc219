// Package task holds what the official tasks share: the dihedral
// transforms of their augmentations and the deterministic random helpers
// of their generators. Each task owns its format in a subpackage —
// task/sudoku, task/maze, task/arc: tokens and grids, parsing with errors
// that name the problem, rendering, verification and generators — which
// the edge runtime's commands import without the trainer.
//
// # Determinism
//
// All randomness comes from math/rand/v2 PCG generators with explicit
// seeds, through the bounded-integer and shuffle helpers here, so that
// generated streams depend only on the PCG algorithm (which math/rand/v2
// specifies exactly) and not on the convenience methods of *rand.Rand.
package task
