package stackone

import (
	"context"
	"errors"
	mrand "math/rand/v2"
	"sync"
	"time"
)

// requestWindow is the client-side rate limit: at most limit requests in any
// window (a minute for StackOne's "N requests per minute", which StackOne and
// the sandbox count as a sliding 60-second window per API key).
//
// Why a sliding window rather than a token bucket (golang.org/x/time/rate,
// used before): a bucket that never exceeds N in any minute must refill at
// (N−b)/min after a burst of b, so it spaces requests while the server's
// window still has room — one request per 60 ms at 1000/min, which made a
// refresh of 300 profiles ten times slower than with the limit lifted. A
// window counted the way the server counts it lets every request through at
// once while the last minute holds fewer than the limit, and waits exactly
// until the server's window has room again.
//
// Why it cannot draw a 429 from a server counting arrivals in a sliding
// window, whatever the latency: a request holds its slot from the moment it
// is sent (in flight) until one window after its response was read, and the
// server saw it between those two moments. Take any server window and the
// last-sent request k in it: every other request j in it arrived after
// (k's arrival − window) ≥ (k's send − window), so j's response came later
// still, and j held a slot when k was sent. k was sent only with fewer than
// limit slots held, so the server's window holds at most limit requests.
//
// The window is per process and per key; Terraform starts several provider
// processes for one command (the plan-phase process of an apply reads the
// catalog and the profile lists, then another process applies), all on the
// same key. So one process takes at most limit − limit/20 of the window,
// keeping 5% for the others of the same command (at 1000/min, 50: more than
// the reads of a 1000-profile refresh, 10 pages and the catalog).
type requestWindow struct {
	limit  int
	window time.Duration

	mu       sync.Mutex
	inFlight int
	// done holds, oldest first, the times the responses of the requests of
	// the last window were read.
	done []time.Time
	// changed is closed (and replaced) whenever a slot may have opened.
	changed chan struct{}

	// Backpressure after a 429: no request leaves before pausedUntil, and
	// while cap > 0 at most cap requests are in flight. Each 2xx answer
	// doubles cap until it reaches limit, where it is lifted (0).
	pausedUntil time.Time
	cap         int
}

// newRequestWindow allows perWindow requests in any window, less the share
// kept for the command's other provider processes (at least one).
func newRequestWindow(perWindow int, window time.Duration) *requestWindow {
	limit := max(perWindow-perWindow/20, 1)
	return &requestWindow{limit: limit, window: window, changed: make(chan struct{})}
}

// acquire waits for a slot; the caller calls release once the response has
// been read (or the attempt failed). Unlike rate.Limiter.Wait, which fails
// at once when the slot lies beyond the context's deadline, it waits until
// the deadline and then returns the context's own error, so a caller sees
// context.DeadlineExceeded (a timeout it can raise) rather than an instant
// failure.
func (w *requestWindow) acquire(ctx context.Context) (release func(), err error) {
	if w.limit <= 0 {
		return nil, errors.New("the client-side rate limit allows no request at all")
	}
	for {
		w.mu.Lock()
		now := time.Now()
		if now.Before(w.pausedUntil) {
			// The server asked the whole process to wait (a 429).
			pause := time.NewTimer(w.pausedUntil.Sub(now))
			w.mu.Unlock()
			select {
			case <-pause.C:
			case <-ctx.Done():
				pause.Stop()
				return nil, ctx.Err()
			}
			continue
		}
		i := 0
		for i < len(w.done) && !now.Before(w.done[i].Add(w.window)) {
			i++
		}
		w.done = w.done[i:]
		if w.inFlight+len(w.done) < w.limit && (w.cap == 0 || w.inFlight < w.cap) {
			w.inFlight++
			w.mu.Unlock()
			var once sync.Once
			return func() { once.Do(w.release) }, nil
		}
		// Full: a slot opens when the oldest response leaves the window,
		// or (all slots in flight) after a response is read.
		changed := w.changed
		var timer *time.Timer
		var wake <-chan time.Time
		if len(w.done) > 0 && (w.cap == 0 || w.inFlight < w.cap) {
			timer = time.NewTimer(w.done[0].Add(w.window).Sub(now))
			wake = timer.C
		}
		w.mu.Unlock()
		select {
		case <-wake:
		case <-changed:
		case <-ctx.Done():
			err = ctx.Err()
		}
		if timer != nil {
			timer.Stop()
		}
		if err != nil {
			return nil, err
		}
	}
}

func (w *requestWindow) release() {
	w.mu.Lock()
	defer w.mu.Unlock()
	w.inFlight--
	w.done = append(w.done, time.Now())
	close(w.changed)
	w.changed = make(chan struct{})
}

// throttled is told of a 429 whose Retry-After (or, without one, the
// client's own backoff) is wait: every request of the process waits that
// long plus jitter (so that processes sharing the key do not come back
// together), then they go one at a time until an answer is 2xx again.
func (w *requestWindow) throttled(wait time.Duration) {
	jitter := time.Duration(mrand.Int64N(int64(wait/4 + 250*time.Millisecond)))
	until := time.Now().Add(wait + jitter)
	w.mu.Lock()
	defer w.mu.Unlock()
	if until.After(w.pausedUntil) {
		w.pausedUntil = until
	}
	w.cap = 1
}

// succeeded is told of a 2xx answer: the rate lowered after a 429 comes
// back, doubling with each success.
func (w *requestWindow) succeeded() {
	w.mu.Lock()
	defer w.mu.Unlock()
	if w.cap == 0 {
		return
	}
	w.cap *= 2
	if w.cap >= w.limit {
		w.cap = 0
	}
	close(w.changed)
	w.changed = make(chan struct{})
}
