// Package arc is the ARC-AGI task of spec §6.4–6.5: task files (JSON) with
// errors naming the file and the offending cell, grids of colours 0..9 up
// to 30×30, their 900-token canvas (0 PAD, 1 EOS, 2..11 colours) and the
// crop that reads a prediction back, the augmentations of the official
// dataset builder (dihedral transform × colour permutation, named
// "<task>_t<d>_<map>") and their inverses, and the voting of augmented
// predictions into two attempts per test input.
package arc
