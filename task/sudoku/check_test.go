package sudoku

import (
	"testing"

	"github.com/stretchr/testify/require"
)

func TestCheckReport(t *testing.T) {
	p, _ := Parse(wikiPuzzle)
	s, _ := Parse(wikiSolution)
	r, err := Check(p, s)
	require.NoError(t, err)
	require.True(t, r.Solved())
	require.Equal(t, "", r.String())

	// swap two cells of a row that are blanks of the puzzle (columns 3 and 4,
	// in different boxes): each moved digit repeats in its new column and
	// its new box, so the two cells conflict, and so do the two cells that
	// already held each digit there (the column's and the box's)
	bad := s.Clone()
	i, j := 2, 3 // row 1: columns 3 and 4 are blanks in the puzzle
	require.Zero(t, p[i])
	require.Zero(t, p[j])
	bad[i], bad[j] = bad[j], bad[i]
	r, err = Check(p, bad)
	require.NoError(t, err)
	require.False(t, r.Solved())
	require.Equal(t, 0, r.GivensChanged)
	require.Equal(t, 6, r.Conflicts)
	require.Error(t, Verify(p, bad), "Check agrees with Verify")

	// a changed given that still makes a valid grid of its own is caught:
	// the relabelled solution is a solution, but not of this puzzle
	relabel := s.Clone()
	for k := range relabel {
		relabel[k] = relabel[k]%9 + 1
	}
	r, err = Check(p, relabel)
	require.NoError(t, err)
	require.Equal(t, Report{GivensChanged: 30}, r)
	require.Equal(t, "30 givens changed", r.String())

	blank := s.Clone()
	blank[0], blank[80] = 0, 10
	r, _ = Check(p, blank)
	require.Equal(t, 2, r.Unfilled)
	require.Equal(t, 2, r.GivensChanged, "cells 0 and 80 are givens")
	require.Equal(t, "2 givens changed, 2 cells unfilled", r.String())

	_, err = Check(p, s[:16])
	require.ErrorContains(t, err, "prediction 16")
}
