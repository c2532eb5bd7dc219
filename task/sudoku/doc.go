// Package sudoku is the Sudoku task of spec §6.2: 9×9 and 4×4 grids, their
// one-line text form and token encoding (0 PAD, 1 blank, 2..10 digits; the
// vocabulary is 11 for both sizes, seq_len 81 or 16), a solver, the
// verification of a prediction against its puzzle, the canonical keys that
// keep train and test disjoint under the augmentation group, and the
// generator of puzzles with a unique solution.
package sudoku
