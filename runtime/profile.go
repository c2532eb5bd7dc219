package runtime

import "time"

// Profile steps: where a segment's time goes. GEMM steps carry their
// multiply-adds so that a report can set the time against the kernels'
// rate.
const (
	ProfQuantize  = iota // int8: activations quantized per row (where no earlier step did it)
	ProfGemmS8           // int8 GEMM with its epilogue: dequantize, and SwiGLU for gate_up
	ProfGemmF32          // float32 GEMM
	ProfAttention        // scores, softmax and weighted sums
	ProfRoPE             // rotary embedding of q and k
	ProfNorm             // residual add and RMSNorm
	ProfSwiGLU           // SwiGLU where the GEMM did not do it, the down input's rotation and its quantize (int8)
	ProfTranspose        // mlp_t's transposes
	ProfResidual         // the injections z + u of every update
	ProfHeads            // lm_head and the Q head
	numProf
)

// ProfileNames names the profile steps.
var ProfileNames = [numProf]string{"quantize", "int8 GEMM + epilogue", "f32 GEMM", "attention", "RoPE", "residual + RMSNorm (+ quantize)", "SwiGLU / rotation (+ quantize)", "transpose", "injection adds", "heads"}

// Profile accumulates the wall time of a session's steps (Session.SetProfile).
// Each step is timed on the calling goroutine around its parallel job, so
// the steps add up to the segment.
type Profile struct {
	Calls [numProf]int
	Time  [numProf]time.Duration
	MACs  [numProf]float64
}

// Total is the time of all steps.
func (p *Profile) Total() time.Duration {
	var t time.Duration
	for _, d := range p.Time {
		t += d
	}
	return t
}

// SetProfile makes the session accumulate its step times into p (nil:
// stop). Profiling costs two clock reads per step; without it, none.
func (s *Session) SetProfile(p *Profile) { s.prof = p }

func (s *Session) profStart() time.Time {
	if s.prof == nil {
		return time.Time{}
	}
	return time.Now()
}

func (s *Session) profEnd(step int, t0 time.Time, macs float64) {
	if s.prof == nil {
		return
	}
	s.prof.Calls[step]++
	s.prof.Time[step] += time.Since(t0)
	s.prof.MACs[step] += macs
}
