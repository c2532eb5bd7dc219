package main

import (
	"fmt"
	"math"

	"github.com/hrmgo/hrm/runtime"
	"gonum.org/v1/gonum/blas"
	"gonum.org/v1/gonum/blas/blas64"
	"gonum.org/v1/gonum/mat"
)

// Sampling (the README defines it): a sample is the D-vector of one grid
// cell's row of z_H or z_L (the puzzle-embedding prefix rows are left out)
// at one time of one puzzle's run; by default each state is sampled right
// after each of its own updates — z_L after every latent update, z_H after
// every answer update — over every segment of the budget. PR is computed
// from the covariance of all samples pooled over puzzles, times and cells.

// sampleAt chooses the times.
type sampleAt int

const (
	atUpdate  sampleAt = iota // each state after each of its own updates
	atSegment                 // both states at the end of every segment
)

func parseAt(s string) (sampleAt, error) {
	switch s {
	case "update":
		return atUpdate, nil
	case "segment":
		return atSegment, nil
	}
	return 0, fmt.Errorf("-at %q: want update or segment", s)
}

// moments are a state's running sums over samples: n, Σx and Σxxᵀ (upper
// triangle), in float64.
type moments struct {
	n   int
	sum []float64
	xx  blas64.Symmetric
}

func newMoments(d int) *moments {
	return &moments{sum: make([]float64, d), xx: blas64.Symmetric{Uplo: blas.Upper, N: d, Stride: d, Data: make([]float64, d*d)}}
}

// add takes the rows of x (rows × D) as samples.
func (m *moments) add(x blas64.General) {
	m.n += x.Rows
	for r := 0; r < x.Rows; r++ {
		for j, v := range x.Data[r*x.Stride : r*x.Stride+x.Cols] {
			m.sum[j] += v
		}
	}
	blas64.Syrk(blas.Trans, 1, x, 1, m.xx)
}

func (m *moments) merge(o *moments) {
	m.n += o.n
	for i, v := range o.sum {
		m.sum[i] += v
	}
	for i, v := range o.xx.Data {
		m.xx.Data[i] += v
	}
}

func (m *moments) reset() {
	m.n = 0
	clear(m.sum)
	clear(m.xx.Data)
}

// covariance is the sample covariance (divided by n−1; PR does not depend
// on the scale).
func (m *moments) covariance() *mat.SymDense {
	d := len(m.sum)
	c := mat.NewSymDense(d, nil)
	n := float64(m.n)
	for i := 0; i < d; i++ {
		for j := i; j < d; j++ {
			c.SetSym(i, j, (m.xx.Data[i*d+j]-m.sum[i]*m.sum[j]/n)/(n-1))
		}
	}
	return c
}

// participationRatio is (Σλ)²/Σλ² over the eigenvalues of the covariance
// of the samples, and the eigenvalues (ascending).
func (m *moments) participationRatio() (float64, []float64, error) {
	if m.n < 2 {
		return 0, nil, fmt.Errorf("%d samples: PR needs at least 2", m.n)
	}
	var es mat.EigenSym
	if !es.Factorize(m.covariance(), false) {
		return 0, nil, fmt.Errorf("eigendecomposition of the %d×%d covariance did not converge", len(m.sum), len(m.sum))
	}
	vals := es.Values(nil)
	var s, s2 float64
	for _, v := range vals {
		s += v
		s2 += v * v
	}
	if s2 == 0 || math.IsNaN(s2) || math.IsInf(s2, 0) {
		return 0, vals, fmt.Errorf("covariance has no finite variance (Σλ² = %v)", s2)
	}
	return s * s / s2, vals, nil
}

// collector is the Observer of a batch: per row, the moments of its z_H
// and z_L samples.
type collector struct {
	at      sampleAt
	lCycles int
	p, s, d int        // prefix rows, cells, width
	h, l    []*moments // per batch row
	scratch []float64  // cells × D
}

func newCollector(c runtime.Config, batch int, at sampleAt) *collector {
	col := &collector{at: at, lCycles: c.LCycles, p: c.PrefixLen(), s: c.SeqLen, d: c.HiddenSize,
		scratch: make([]float64, c.SeqLen*c.HiddenSize)}
	for range batch {
		col.h = append(col.h, newMoments(c.HiddenSize))
		col.l = append(col.l, newMoments(c.HiddenSize))
	}
	return col
}

func (c *collector) take(m *moments, z []float32) {
	cells := z[c.p*c.d : (c.p+c.s)*c.d]
	for i, v := range cells {
		c.scratch[i] = float64(v)
	}
	m.add(blas64.General{Rows: c.s, Cols: c.d, Stride: c.d, Data: c.scratch})
}

func (c *collector) onState(st *runtime.State) {
	var takeH, takeL bool
	switch {
	case c.at == atSegment:
		takeH, takeL = st.AtSegmentEnd(), st.AtSegmentEnd()
	case st.AtSegmentEnd() || st.Update == c.lCycles:
		takeH = true // z_H was just updated (the last answer update ends the segment)
	default:
		takeL = true
	}
	for r := 0; r < st.Rows(); r++ {
		if !st.Active(r) {
			continue
		}
		zH, zL := st.Carry(r)
		if takeH {
			c.take(c.h[r], zH)
		}
		if takeL {
			c.take(c.l[r], zL)
		}
	}
}

// prPoint is PR after the first n puzzles.
type prPoint struct {
	N      int     `json:"puzzles"`
	ZH     float64 `json:"z_H"`
	ZL     float64 `json:"z_L"`
	Ratio  float64 `json:"ratio"`
	HCount int     `json:"z_H_samples"`
	LCount int     `json:"z_L_samples"`
}

// measure runs every puzzle through m (budget steps, batches of batch) and
// returns PR after every sweep-th puzzle and after the last.
func measure(m *runtime.Model, puzzles []puzzle, steps, batch, threads, sweep int, at sampleAt) ([]prPoint, error) {
	c := m.Cfg
	batch = min(batch, len(puzzles))
	sess, err := m.NewSession(batch, threads)
	if err != nil {
		return nil, err
	}
	defer sess.Close()
	col := newCollector(c, batch, at)
	obs := &runtime.Observer{Updates: at == atUpdate, OnState: col.onState}
	totH, totL := newMoments(c.HiddenSize), newMoments(c.HiddenSize)
	var out []prPoint
	for lo := 0; lo < len(puzzles); lo += batch {
		hi := min(lo+batch, len(puzzles))
		var toks, ids []int32
		for _, p := range puzzles[lo:hi] {
			toks = append(toks, p.toks...)
			ids = append(ids, 0)
		}
		for r := range col.h {
			col.h[r].reset()
			col.l[r].reset()
		}
		if err := sess.Begin(toks, ids); err != nil {
			return nil, err
		}
		if err := sess.Run(runtime.Options{Steps: steps, Halt: runtime.HaltMax, Observer: obs}); err != nil {
			return nil, err
		}
		// In puzzle order, so that "the first n puzzles" does not depend
		// on the batch size.
		for r := 0; r < hi-lo; r++ {
			totH.merge(col.h[r])
			totL.merge(col.l[r])
			n := lo + r + 1
			if n%sweep != 0 && n != len(puzzles) {
				continue
			}
			ph, _, err := totH.participationRatio()
			if err != nil {
				return nil, fmt.Errorf("z_H: %v", err)
			}
			pl, _, err := totL.participationRatio()
			if err != nil {
				return nil, fmt.Errorf("z_L: %v", err)
			}
			out = append(out, prPoint{N: n, ZH: ph, ZL: pl, Ratio: ph / pl, HCount: totH.n, LCount: totL.n})
		}
	}
	return out, nil
}
