package runtime

import (
	"github.com/hrmgo/hrm/asm"
	"github.com/hrmgo/hrm/quant"
)

// The parallel steps of a segment: matrix products split by output rows
// (float32) or output tiles (int8), attention split by (sequence, head).
// Arguments travel in Session.op so that the job functions, method values
// made once, need no closures.

type opArgs struct {
	kind      int
	l         *Linear
	dst, src  []float32
	rows      int
	width     int  // row-wise steps: row width; transposes: source columns
	quantize  bool // row-wise steps: also quantize each output row into acts
	qkv       []float32
	sequences int
}

// unfused turns the quantize-in-the-producer fusion off, for the test
// that it changes no bits.
var unfused bool

// linear computes dst[rows, Out] = src[rows, In]·Wᵀ on the session's workers.
func (s *Session) linear(l *Linear, dst, src []float32, rows int) {
	s.linearQ(l, dst, src, rows, false)
}

// linearQ is linear where quantized says that the step which wrote src
// has already quantized it into acts (rowwiseQ): an int8 layer then
// skips its quantize pass.
func (s *Session) linearQ(l *Linear, dst, src []float32, rows int, quantized bool) {
	s.op = opArgs{l: l, dst: dst, src: src, rows: rows}
	macs := float64(rows) * float64(l.Out) * float64(l.In)
	if l.Q == nil {
		t0 := s.profStart()
		s.pool.run(s.jobF32)
		s.profEnd(ProfGemmF32, t0, macs)
	} else {
		s.quantizeInput(quantized)
		t0 := s.profStart()
		s.pool.run(s.jobS8)
		s.profEnd(ProfGemmS8, t0, macs)
	}
	s.op = opArgs{}
}

// quantizeInput quantizes s.op's src into acts for an int8 layer, unless
// the step that wrote it already did (quantized).
func (s *Session) quantizeInput(quantized bool) {
	if quantized && !unfused {
		return
	}
	t0 := s.profStart()
	s.pool.run(s.jobQuantize)
	s.profEnd(ProfQuantize, t0, 0)
}

func (s *Session) runF32(w int) {
	o := &s.op
	l := o.l
	i0, i1 := span(o.rows, s.pool.n, w)
	if i0 < i1 {
		asm.GemmF32NT(o.dst[i0*l.Out:i1*l.Out], o.src[i0*l.In:i1*l.In], l.W, i1-i0, l.Out, l.In, false)
	}
}

func (s *Session) runQuantize(w int) {
	o := &s.op
	K := o.l.In
	i0, i1 := span(o.rows, s.pool.n, w)
	a := quant.Activations{Q: s.acts.Q[i0*K : i1*K], Scale: s.acts.Scale[i0:i1]}
	a.QuantizeRows(o.src[i0*K:i1*K], i1-i0, K)
}

// linearSwiGLU computes hid[rows, Out/2] = SwiGLU of the two halves of
// src·Wᵀ for an int8 gate_up layer whose halves are whole tiles
// (Matrix.SwiGLUTiles > 0), in the GEMM's epilogue; quantized as in
// linearQ.
func (s *Session) linearSwiGLU(l *Linear, hid, src []float32, rows int, quantized bool) {
	s.op = opArgs{l: l, dst: hid, src: src, rows: rows}
	s.quantizeInput(quantized)
	t0 := s.profStart()
	s.pool.run(s.jobS8SwiGLU)
	s.profEnd(ProfGemmS8, t0, float64(rows)*float64(l.Out)*float64(l.In))
	s.op = opArgs{}
}

func (s *Session) runS8SwiGLU(w int) {
	o := &s.op
	q := o.l.Q
	t0, t1 := span(q.SwiGLUTiles(), s.pool.n, w)
	if t0 < t1 {
		acts := quant.Activations{Q: s.acts.Q[:o.rows*o.l.In], Scale: s.acts.Scale[:o.rows]}
		q.ApplySwiGLUTiles(o.dst, &acts, o.rows, t0, t1)
	}
}

func (s *Session) runS8(w int) {
	o := &s.op
	q := o.l.Q
	t0, t1 := span(q.Q.Tiles(), s.pool.n, w)
	if t0 < t1 {
		acts := quant.Activations{Q: s.acts.Q[:o.rows*o.l.In], Scale: s.acts.Scale[:o.rows]}
		q.ApplyTiles(o.dst, &acts, o.rows, t0, t1)
	}
}

// rowwise applies a row-wise step (Model.rowOp) to rows [0, rows) of width w.
func (s *Session) rowwise(kind int, dst, src []float32, rows, w int) {
	s.rowwiseQ(kind, dst, src, rows, w, false)
}

// rowwiseQ is rowwise that, with quantize, also quantizes each output row
// into acts for the int8 layer that reads dst next (linearQ), while the
// row is still in L1.
func (s *Session) rowwiseQ(kind int, dst, src []float32, rows, w int, quantize bool) {
	quantize = quantize && !unfused
	s.op = opArgs{kind: kind, dst: dst, src: src, rows: rows, width: w, quantize: quantize}
	t0 := s.profStart()
	s.pool.run(s.jobRows)
	s.profEnd([...]int{opRoPE: ProfRoPE, opAddRMSNorm: ProfNorm, opSwiGLU: ProfSwiGLU, opRotate: ProfSwiGLU}[kind], t0, 0)
	s.op = opArgs{}
}

func (s *Session) runRows(w int) {
	o := &s.op
	r0, r1 := span(o.rows, s.pool.n, w)
	if !o.quantize {
		s.m.rowOp(o.kind, o.dst, o.src, r0, r1, o.width)
		return
	}
	W := o.width
	for r := r0; r < r1; r++ {
		s.m.rowOp(o.kind, o.dst, o.src, r, r+1, W)
		s.acts.Scale[r] = asm.QuantizeRowS8(s.acts.Q[r*W:(r+1)*W], o.dst[r*W:(r+1)*W])
	}
}

// transpose writes dst [n, cols, rows] = src [n, rows, cols] transposed
// per sequence, split across workers by destination rows.
func (s *Session) transpose(dst, src []float32, n, rows, cols int) {
	s.op = opArgs{dst: dst, src: src, rows: rows, width: cols, sequences: n}
	t0 := s.profStart()
	s.pool.run(s.jobTranspose)
	s.profEnd(ProfTranspose, t0, 0)
	s.op = opArgs{}
}

func (s *Session) runTranspose(w int) {
	o := &s.op
	R, C := o.rows, o.width
	u0, u1 := span(o.sequences*C, s.pool.n, w)
	for u := u0; u < u1; {
		i, c0 := u/C, u%C
		c1 := min(C, c0+u1-u)
		transposeCols(o.dst[i*R*C:(i+1)*R*C], o.src[i*R*C:(i+1)*R*C], R, C, c0, c1)
		u += c1 - c0
	}
}

// transposeCols writes columns [c0, c1) of src [R, C] as rows of dst [C, R],
// in 8×8 tiles so that both sides are read and written a cache line at a
// time.
func transposeCols(dst, src []float32, R, C, c0, c1 int) {
	const b = 8
	for r0 := 0; r0 < R; r0 += b {
		r1 := min(R, r0+b)
		for cb := c0; cb < c1; cb += b {
			ce := min(c1, cb+b)
			for r := r0; r < r1; r++ {
				row := src[r*C : r*C+C]
				for c := cb; c < ce; c++ {
					dst[c*R+r] = row[c]
				}
			}
		}
	}
}

// attention runs non-causal attention for n sequences from qkv into o.
func (s *Session) attention(o, qkv []float32, n int) {
	s.op = opArgs{dst: o, qkv: qkv, sequences: n}
	c := s.m.Cfg
	t0 := s.profStart()
	s.pool.run(s.jobAttn)
	s.profEnd(ProfAttention, t0, 2*float64(n)*float64(c.TotalLen())*float64(c.TotalLen())*float64(c.HiddenSize))
	s.op = opArgs{}
}

func (s *Session) runAttn(w int) {
	c := s.m.Cfg
	T, D, heads, d := c.TotalLen(), c.HiddenSize, c.NumHeads, c.HeadDim()
	o := &s.op
	u0, u1 := span(o.sequences*heads, s.pool.n, w)
	for u := u0; u < u1; u++ {
		i, h := u/heads, u%heads
		asm.AttentionF32HeadsWs(o.dst[i*T*D:(i+1)*T*D], o.qkv[i*T*3*D:(i+1)*T*3*D], T, heads, d, h, h+1, s.attnWS[w])
	}
}
