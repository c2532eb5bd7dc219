// Package maze is the maze task of spec §6.3: an N×N grid of squares, one
// token each (0 PAD, 1 '#' wall, 2 ' ' open, 3 'S', 4 'G', 5 'o' path;
// vocabulary 6, seq_len N², 900 for the official 30×30 mazes), its text
// form, the verification of a predicted path (connected, on open squares,
// S to G, shortest), and the generator of mazes with long unique shortest
// paths.
package maze
