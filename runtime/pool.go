package runtime

import (
	goruntime "runtime"
	"sync/atomic"
)

// pool is a fixed set of worker goroutines owned by a Session. Work is
// handed out as a job function called once per worker with its index; the
// job functions are method values made once per Session, so dispatching
// allocates nothing.
//
// A segment dispatches a few hundred jobs of tens to hundreds of
// microseconds each, so waking a parked goroutine through a channel for
// every job (tens of microseconds) would eat the gain of the second core.
// Workers therefore spin on a generation counter for a while after each
// job and park only when no work comes.
type pool struct {
	n        int
	job      func(w int)
	gen      atomic.Uint32 // incremented for every job
	left     atomic.Int32  // workers (other than the caller) still running the job
	sleeping []atomic.Bool
	wake     []chan struct{}
	quit     atomic.Bool
}

// spinLimit bounds the busy-wait of an idle worker before it parks (tens
// of microseconds on current cores).
const spinLimit = 1 << 14

func newPool(n int) *pool {
	p := &pool{n: n, sleeping: make([]atomic.Bool, n), wake: make([]chan struct{}, n)}
	for w := 1; w < n; w++ {
		p.wake[w] = make(chan struct{}, 1)
		go p.worker(w)
	}
	return p
}

func (p *pool) worker(w int) {
	var seen uint32
	for {
		for i := 0; p.gen.Load() == seen; i++ {
			if p.quit.Load() {
				return
			}
			if i < spinLimit {
				if i&255 == 255 {
					goruntime.Gosched()
				}
				continue
			}
			// Park. The generation is re-read after announcing sleep, so a
			// job published in between is never missed (atomics are
			// sequentially consistent); a spare wake-up only loops again.
			p.sleeping[w].Store(true)
			if p.gen.Load() == seen && !p.quit.Load() {
				<-p.wake[w]
			}
			p.sleeping[w].Store(false)
			i = 0
		}
		seen = p.gen.Load()
		p.job(w)
		p.left.Add(-1)
	}
}

func (p *pool) wakeAll() {
	for w := 1; w < p.n; w++ {
		if p.sleeping[w].Load() {
			select {
			case p.wake[w] <- struct{}{}:
			default:
			}
		}
	}
}

// run calls job(w) for every worker w and returns when all are done. The
// calling goroutine is worker 0.
func (p *pool) run(job func(w int)) {
	if p.n == 1 {
		job(0)
		return
	}
	p.job = job
	p.left.Store(int32(p.n - 1))
	p.gen.Add(1)
	p.wakeAll()
	job(0)
	for i := 0; p.left.Load() != 0; i++ {
		if i&255 == 255 {
			goruntime.Gosched()
		}
	}
	p.job = nil
}

// close stops the workers.
func (p *pool) close() {
	p.quit.Store(true)
	for w := 1; w < p.n; w++ {
		select {
		case p.wake[w] <- struct{}{}:
		default:
		}
	}
}

// span splits [0, n) into p.n nearly equal parts and returns part w.
func span(n, parts, w int) (int, int) { return w * n / parts, (w + 1) * n / parts }
