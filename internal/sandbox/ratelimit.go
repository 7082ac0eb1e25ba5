package sandbox

import (
	"sync"
	"time"
)

// rateWindow is the span over which the per-minute limit is counted.
const rateWindow = time.Minute

// rateLimiter allows at most perMinute requests per API key in any 60-second
// window (a sliding window, as "N requests per minute" reads), keeping the
// times of the accepted requests in a ring per key. Unlike a token bucket it
// can say exactly when the next request will be accepted: when the oldest
// accepted request leaves the window. So the Retry-After it hands out is
// exact, and a client that honours it is not refused again (unless other
// clients share its key). golang.org/x/time/rate is a token bucket and would
// not model this.
type rateLimiter struct {
	mu        sync.Mutex
	perMinute int
	windows   map[string]*requestRing
	now       func() time.Time
}

// requestRing holds the times of the last accepted requests of one key,
// oldest at start; its capacity is the limit.
type requestRing struct {
	times []time.Time
	start int
	n     int
}

func newRateLimiter(perMinute int, now func() time.Time) *rateLimiter {
	return &rateLimiter{perMinute: perMinute, windows: map[string]*requestRing{}, now: now}
}

// allow records a request of key if the window has room. Otherwise it
// reports the whole seconds (at least 1, rounded up) until the oldest
// request in the window leaves it.
func (l *rateLimiter) allow(key string) (ok bool, retryAfter int) {
	l.mu.Lock()
	defer l.mu.Unlock()
	if l.perMinute <= 0 {
		return true, 0
	}
	now := l.now()
	ring := l.windows[key]
	if ring == nil {
		ring = &requestRing{times: make([]time.Time, l.perMinute)}
		l.windows[key] = ring
	}
	// A request made at t is inside the window while now-t < 60 s.
	for ring.n > 0 && now.Sub(ring.times[ring.start]) >= rateWindow {
		ring.start = (ring.start + 1) % len(ring.times)
		ring.n--
	}
	if ring.n < len(ring.times) {
		ring.times[(ring.start+ring.n)%len(ring.times)] = now
		ring.n++
		return true, 0
	}
	wait := ring.times[ring.start].Add(rateWindow).Sub(now)
	secs := int((wait + time.Second - 1) / time.Second)
	return false, max(secs, 1)
}

func (l *rateLimiter) setLimit(perMinute int) {
	l.mu.Lock()
	l.perMinute = perMinute
	l.windows = map[string]*requestRing{}
	l.mu.Unlock()
}

func (l *rateLimiter) reset() {
	l.mu.Lock()
	l.windows = map[string]*requestRing{}
	l.mu.Unlock()
}
