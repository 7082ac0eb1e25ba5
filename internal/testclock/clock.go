// Package testclock is a clock a test moves by hand. The sandbox and its
// authorization server take a Now function; passing a Clock's Now lets a
// test expire authorization codes, tokens and sessions without waiting.
package testclock

import (
	"sync"
	"time"
)

// Clock is a time source that moves only when told to. It is safe for
// concurrent use.
type Clock struct {
	mu sync.Mutex
	t  time.Time
}

// New returns a Clock set to start.
func New(start time.Time) *Clock { return &Clock{t: start} }

// Now is the clock's time.
func (c *Clock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.t
}

// Advance moves the clock forward by d.
func (c *Clock) Advance(d time.Duration) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.t = c.t.Add(d)
}
