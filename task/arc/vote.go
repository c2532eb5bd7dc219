package arc

import (
	"math"
	"slices"
	"strings"
)

// Variant is one augmented version of a task, as the official dataset
// builder made it: dihedral transform D after colour map Map (the
// original task is D 0 with the identity map).
type Variant struct {
	Name string
	D    int
	Map  ColorMap
}

// VariantOf reads a puzzle identifier's name: ok is true when it names
// task (the task itself, or "<task>_t<d>_<map>").
func VariantOf(name, task string) (v Variant, ok bool) {
	if name == task {
		return Variant{Name: name, Map: IdentityColorMap()}, true
	}
	if !strings.HasPrefix(name, task+"_t") {
		return Variant{}, false
	}
	orig, d, m, ok := ParseAugName(name)
	if !ok || orig != task {
		return Variant{}, false
	}
	return Variant{Name: name, D: d, Map: m}, true
}

// Apply augments a grid as the variant's task was augmented.
func (v Variant) Apply(g Grid) Grid { return g.Recolor(v.Map).Dihedral(v.D) }

// Undo maps a grid of the variant back to the original task.
func (v Variant) Undo(g Grid) Grid { return Unaugment(g, v.D, v.Map) }

// Prediction is one variant's answer to a test input, mapped back to the
// original task, with the Q head's halting logit.
type Prediction struct {
	Grid  Grid
	QHalt float32
}

// Candidate is one distinct answer and the variants that gave it.
type Candidate struct {
	Grid  Grid
	Votes int
	// Confidence is the mean of sigmoid(q_halt) over the votes.
	Confidence float64
}

// Vote ranks the distinct predictions of one test input as the official
// evaluation does (spec §6.5): by votes, then by mean sigmoid(q_halt),
// both descending; ties keep the order of first appearance. The first two
// are the attempts of a submission.
func Vote(preds []Prediction) []Candidate {
	var out []Candidate
	sums := []float64{}
	for _, p := range preds {
		k := slices.IndexFunc(out, func(c Candidate) bool { return c.Grid.Equal(p.Grid) })
		if k < 0 {
			out = append(out, Candidate{Grid: p.Grid})
			sums = append(sums, 0)
			k = len(out) - 1
		}
		out[k].Votes++
		sums[k] += 1 / (1 + math.Exp(-float64(p.QHalt)))
	}
	for k := range out {
		out[k].Confidence = sums[k] / float64(out[k].Votes)
	}
	slices.SortStableFunc(out, func(a, b Candidate) int {
		if a.Votes != b.Votes {
			return b.Votes - a.Votes
		}
		switch {
		case a.Confidence > b.Confidence:
			return -1
		case a.Confidence < b.Confidence:
			return 1
		}
		return 0
	})
	return out
}
