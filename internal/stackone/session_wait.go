package stackone

import (
	"context"
	"errors"
	"fmt"
	"time"
)

// Statuses of a connection attempt (latest_connection_attempt.status).
const (
	AttemptPending       = "pending"
	AttemptAuthenticated = "authenticated"
	AttemptError         = "error"
	AttemptCancelled     = "cancelled"
)

// Poll pacing of AwaitConnectSession: a person takes seconds to sign in, so
// the first reads come quickly and later ones settle at one every 5 s, 12 a
// minute against StackOne's 1000 per key. Each read also waits for the
// client's rate limiter like every other request.
const (
	DefaultFirstPoll = time.Second
	DefaultMaxPoll   = 5 * time.Second
)

// ErrSessionWaitTimeout is wrapped by the error AwaitConnectSession returns
// when its deadline passes with the session still undecided.
var ErrSessionWaitTimeout = errors.New("no account linked before the deadline")

// AwaitOptions tunes AwaitConnectSession.
type AwaitOptions struct {
	// Until is when to stop waiting; one last read is made at that moment.
	Until time.Time
	// FirstPoll is the pause before the second read (the first is at
	// once); each later pause is one FirstPoll longer, up to MaxPoll.
	// Zero means DefaultFirstPoll and DefaultMaxPoll.
	FirstPoll, MaxPoll time.Duration
	// OnChange, when set, is called with the latest connection attempt
	// whenever its status differs from the one last seen (nil at first).
	OnChange func(*ConnectionAttempt)
}

// AwaitConnectSession reads connect session id until its latest connection
// attempt is decided (authenticated, error or cancelled) and returns that
// attempt. An authenticated attempt without an account id is an error: it
// would say an account was linked without saying which. When opts.Until
// passes first, the error wraps ErrSessionWaitTimeout and the attempt last
// seen (nil if none) is returned with it; when ctx ends, the error wraps
// ctx.Err().
func (c *Client) AwaitConnectSession(ctx context.Context, id SessionID, opts AwaitOptions) (*ConnectionAttempt, error) {
	step := opts.FirstPoll
	if step <= 0 {
		step = DefaultFirstPoll
	}
	maxStep := opts.MaxPoll
	if maxStep <= 0 {
		maxStep = DefaultMaxPoll
	}
	pause := time.Duration(0)
	lastStatus := ""
	var last *ConnectionAttempt
	for {
		if pause > 0 {
			timer := time.NewTimer(pause)
			select {
			case <-ctx.Done():
				timer.Stop()
				return last, fmt.Errorf("stopped waiting for connect session %s: %w", id, ctx.Err())
			case <-timer.C:
			}
		}
		sess, err := c.GetConnectSession(ctx, id)
		if err != nil {
			return last, err
		}
		last = sess.LatestConnectionAttempt
		status := ""
		if last != nil {
			status = last.Status
		}
		if status != lastStatus && opts.OnChange != nil {
			opts.OnChange(last)
		}
		lastStatus = status
		switch status {
		case AttemptAuthenticated:
			if last.AccountSecureID == "" {
				return last, fmt.Errorf("StackOne reports connect session %s authenticated but names no linked account (account_secure_id is empty)", id)
			}
			return last, nil
		case AttemptError, AttemptCancelled:
			return last, nil
		}
		left := time.Until(opts.Until)
		if left <= 0 {
			return last, fmt.Errorf("connect session %s: %w", id, ErrSessionWaitTimeout)
		}
		pause = min(pause+step, maxStep, left)
	}
}
