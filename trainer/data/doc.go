// Package data produces the training and evaluation data of the HRM
// trainer from the task packages (task/sudoku, task/maze, task/arc, which
// own the formats, verification and generators): examples with labels,
// augmenters, disjoint train/test splits, position-addressable training
// streams and a deterministic, resumable batch sampler.
//
// # Token layouts (spec §6)
//
//	task     vocab  seq_len            ids
//	sudoku   11     81 (9×9), 16 (4×4)  0 PAD, 1 blank, 2..10 digits 1..9 (4×4: 2..5)
//	maze     6      Canvas² (8²=64)     0 PAD, 1 '#', 2 ' ', 3 'S', 4 'G', 5 'o'
//	ARC      12     900 (30×30)         0 PAD, 1 EOS, 2..11 colours 0..9
//
// Grids are flattened row-major. Labels use IgnoreLabel (-100) where the
// builders' ignore id (PAD) would be: nowhere for sudoku (all cells are
// supervised, givens included), outside the maze grid when it is padded into
// a larger canvas, and on the PAD cells of an ARC output canvas. Sudoku and
// maze examples use puzzle identifier 0, as the official builders do.
//
// # Determinism
//
// All randomness comes from math/rand/v2 PCG generators with explicit seeds,
// through the bounded-integer and shuffle helpers of package task (so
// streams do not depend on the implementation of *rand.Rand methods).
// sudoku.Generator and maze.Generator are sequential and serialise their
// PCG state (encoding.BinaryMarshaler). Sources (ShuffleSource, SudokuStream,
// MazeStream) are position-addressable: example k depends only on the seed
// and k, so a Sampler's state is just its step count.
//
// # Train/test disjointness
//
// BuildSudokuDataset and BuildMazeDataset generate the test split first from
// its own PCG stream, then draw train candidates from another stream and
// reject any whose canonical key (sudoku.Key, maze.Key) is a test key. Keys
// are invariant under the augmentation group, so no augmented copy of a test
// puzzle can appear in train; the streams accept the same exclusion set.
// CheckDisjoint verifies a pair of splits (exact inputs and keys).
package data
