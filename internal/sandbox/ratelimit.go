package sandbox

import (
	"math"
	"sync"
	"time"
)

// rateLimiter is a token bucket per API key: capacity perMinute, refilled at
// perMinute/60 tokens a second. A bucket rather than a fixed window so that a
// client pacing itself at the advertised rate is never refused.
type rateLimiter struct {
	mu        sync.Mutex
	perMinute int
	buckets   map[string]*bucket
	now       func() time.Time
}

type bucket struct {
	tokens float64
	last   time.Time
}

func newRateLimiter(perMinute int) *rateLimiter {
	return &rateLimiter{perMinute: perMinute, buckets: map[string]*bucket{}, now: time.Now}
}

// allow takes a token for key. When none is left it reports how many whole
// seconds (at least 1) until one will be.
func (l *rateLimiter) allow(key string) (ok bool, retryAfter int) {
	l.mu.Lock()
	defer l.mu.Unlock()
	if l.perMinute <= 0 {
		return true, 0
	}
	now := l.now()
	capacity := float64(l.perMinute)
	perSecond := capacity / 60
	b := l.buckets[key]
	if b == nil {
		b = &bucket{tokens: capacity, last: now}
		l.buckets[key] = b
	}
	if elapsed := now.Sub(b.last).Seconds(); elapsed > 0 {
		b.tokens = math.Min(capacity, b.tokens+elapsed*perSecond)
	}
	b.last = now
	if b.tokens >= 1 {
		b.tokens--
		return true, 0
	}
	wait := int(math.Ceil((1 - b.tokens) / perSecond))
	return false, max(wait, 1)
}

func (l *rateLimiter) setLimit(perMinute int) {
	l.mu.Lock()
	l.perMinute = perMinute
	l.buckets = map[string]*bucket{}
	l.mu.Unlock()
}

func (l *rateLimiter) reset() {
	l.mu.Lock()
	l.buckets = map[string]*bucket{}
	l.mu.Unlock()
}
