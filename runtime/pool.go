package runtime

// pool is a fixed set of worker goroutines owned by a Session. Work is
// handed out as a job function called once per worker with its index; the
// job functions are method values made once per Session, so dispatching
// allocates nothing.
type pool struct {
	n     int
	start []chan struct{}
	done  chan struct{}
	job   func(w int)
}

func newPool(n int) *pool {
	p := &pool{n: n, done: make(chan struct{}, n)}
	for w := 1; w < n; w++ {
		c := make(chan struct{}, 1)
		p.start = append(p.start, c)
		go func() {
			for range c {
				p.job(w)
				p.done <- struct{}{}
			}
		}()
	}
	return p
}

// run calls job(w) for every worker w and returns when all are done. The
// calling goroutine is worker 0.
func (p *pool) run(job func(w int)) {
	if p.n == 1 {
		job(0)
		return
	}
	p.job = job
	for _, c := range p.start {
		c <- struct{}{}
	}
	job(0)
	for range p.start {
		<-p.done
	}
	p.job = nil
}

// close stops the workers.
func (p *pool) close() {
	for _, c := range p.start {
		close(c)
	}
	p.start = nil
}

// span splits [0, n) into p.n nearly equal parts and returns part w.
func span(n, parts, w int) (int, int) { return w * n / parts, (w + 1) * n / parts }
