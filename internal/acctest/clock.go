package acctest

import (
	"sync"
	"time"
)

// Clock is a clock a test moves by hand, for sandbox.Options.Now: it lets a
// test expire authorization codes and sessions without waiting.
type Clock struct {
	mu sync.Mutex
	t  time.Time
}

// NewClock returns a Clock set to the current time.
func NewClock() *Clock { return &Clock{t: time.Now()} }

// Now is the clock's time.
func (c *Clock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.t
}

// Advance moves the clock forward by d.
func (c *Clock) Advance(d time.Duration) {
	c.mu.Lock()
	c.t = c.t.Add(d)
	c.mu.Unlock()
}
