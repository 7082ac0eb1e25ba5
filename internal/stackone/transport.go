package stackone

import (
	"bytes"
	"context"
	"crypto/tls"
	"crypto/x509"
	"errors"
	"fmt"
	"io"
	"math"
	mrand "math/rand/v2"
	"net"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/google/uuid"

	"github.com/stackonehq/terraform-provider-stackone/internal/safetext"
)

// attemptTransport wraps the base transport and does what must happen once
// per attempt: wait for the shared rate limiter, bound the attempt with its
// own timeout, buffer the (limited) body so that a connection dropped
// mid-body is a retryable transport error, and record the attempt for
// logging.
type attemptTransport struct {
	base    http.RoundTripper
	limiter *requestWindow
	timeout time.Duration
	// waitMin and waitMax bound the process-wide pause after a 429.
	waitMin, waitMax time.Duration
}

// RoundTrip implements http.RoundTripper.
func (t *attemptTransport) RoundTrip(req *http.Request) (*http.Response, error) {
	ctx := req.Context()
	st, _ := ctx.Value(callStateKey{}).(*callState)
	if st != nil {
		st.attempt++
		st.logged = false
		st.last = RequestLog{Method: st.req.method, Route: st.req.route, Path: st.req.path, Attempt: st.attempt}
	}
	record := func(resp *http.Response, d time.Duration, err error) {
		if st == nil {
			return
		}
		st.last.Duration = d
		st.last.Err = err
		if resp != nil {
			st.last.Status = resp.StatusCode
			st.last.RequestID = safetext.Text(st.redact(resp.Header.Get("X-Request-Id")), maxRequestIDRunes)
		}
	}

	release, err := t.limiter.acquire(ctx)
	if err != nil {
		if req.Body != nil {
			_ = req.Body.Close()
		}
		// Waiting again cannot succeed: the context is done.
		err = &permanentError{fmt.Errorf("waiting for the client-side rate limit: %w", err)}
		record(nil, 0, err)
		return nil, err
	}
	defer release() // the response is read (or the attempt failed)

	start := time.Now()
	actx, cancel := context.WithTimeout(ctx, t.timeout)
	defer cancel()
	resp, err := t.base.RoundTrip(req.WithContext(actx))
	if err == nil {
		var data []byte
		data, err = io.ReadAll(io.LimitReader(resp.Body, maxResponseBytes+1))
		_ = resp.Body.Close()
		if err != nil {
			err = fmt.Errorf("reading the response body: %w", err)
			resp = nil
		} else {
			resp.Body = io.NopCloser(bytes.NewReader(data))
			resp.ContentLength = int64(len(data))
		}
	}
	if err == nil {
		switch {
		case resp.StatusCode == http.StatusTooManyRequests:
			wait, ok := parseRetryAfter(resp.Header.Get("Retry-After"), time.Now(), t.waitMax)
			if !ok {
				wait = t.waitMin
			}
			t.limiter.throttled(wait)
		case resp.StatusCode >= 200 && resp.StatusCode < 300:
			t.limiter.succeeded()
		}
	}
	if err != nil {
		if tlsErr := tlsFailure(err, req.URL.Host); tlsErr != nil {
			err = tlsErr
		} else if errors.Is(actx.Err(), context.DeadlineExceeded) && ctx.Err() == nil {
			err = fmt.Errorf("no answer within the request timeout of %s: %w", t.timeout, err)
		}
		if st != nil {
			// A transport error may quote what the server sent.
			err = &redactedError{err: err, redact: st.redact}
		}
	}
	record(resp, time.Since(start), err)
	return resp, err
}

// retryDelay is the wait before retry number attemptNum+1. A Retry-After
// header (seconds or HTTP date) wins, capped at waitMax; otherwise the wait
// grows by 1.5 per attempt from waitMin, with up to 25% jitter, capped at
// waitMax.
func retryDelay(waitMin, waitMax time.Duration, attemptNum int, resp *http.Response, now time.Time) time.Duration {
	if resp != nil {
		if d, ok := parseRetryAfter(resp.Header.Get("Retry-After"), now, waitMax); ok {
			return d
		}
	}
	wait := float64(waitMin) * math.Pow(1.5, float64(attemptNum))
	if wait > float64(waitMax) || math.IsInf(wait, 0) || math.IsNaN(wait) {
		wait = float64(waitMax)
	}
	// Jitter spreads clients that failed together so they do not retry together.
	wait += wait * 0.25 * mrand.Float64()
	if wait > float64(waitMax) {
		wait = float64(waitMax)
	}
	return time.Duration(wait)
}

// parseRetryAfter reads Retry-After as delay-seconds or an HTTP date,
// capped at waitMax. A date in the past means no wait.
func parseRetryAfter(v string, now time.Time, waitMax time.Duration) (time.Duration, bool) {
	v = strings.TrimSpace(v)
	if v == "" {
		return 0, false
	}
	if secs, err := strconv.ParseInt(v, 10, 64); err == nil {
		if secs < 0 {
			return 0, false
		}
		if secs >= int64(waitMax/time.Second)+1 {
			return waitMax, true
		}
		return min(time.Duration(secs)*time.Second, waitMax), true
	}
	when, err := http.ParseTime(v)
	if err != nil {
		return 0, false
	}
	d := when.Sub(now)
	if d < 0 {
		d = 0
	}
	return min(d, waitMax), true
}

// redactedError is a transport error whose text passes through the call's
// redactor; errors.Is and errors.As still see what it wraps.
type redactedError struct {
	err    error
	redact func(string) string
}

func (e *redactedError) Error() string { return e.redact(e.err.Error()) }
func (e *redactedError) Unwrap() error { return e.err }

// tlsFailure turns a failed TLS handshake or certificate into a permanent
// error that says so (nil for any other error): the same server gives the
// same answer on the next attempt. A handshake that timed out is not among
// them: a slow server may answer the next time.
func tlsFailure(err error, host string) error {
	var rh tls.RecordHeaderError
	switch {
	case errors.As(err, &rh) || errors.Is(err, http.ErrSchemeMismatch):
		what := "its first answer is not a TLS record"
		if string(rh.RecordHeader[:]) == "HTTP/" || errors.Is(err, http.ErrSchemeMismatch) {
			what = "it answered the TLS handshake in plain HTTP"
		}
		return &permanentError{fmt.Errorf("the server at %s does not speak TLS (%s): check that base_url names the right host and port, with https:// for a TLS server (http:// is only for a loopback sandbox): %w", host, what, err)}
	case isCertificateError(err):
		return &permanentError{fmt.Errorf("the TLS certificate of the server at %s cannot be trusted: %w", host, err)}
	case isHandshakeError(err):
		return &permanentError{fmt.Errorf("the TLS handshake with the server at %s failed: %w", host, err)}
	}
	return nil
}

// isHandshakeError reports a TLS handshake the server refused or broke
// (an alert, an unsupported version or cipher), not one that timed out.
func isHandshakeError(err error) bool {
	var alert tls.AlertError
	var opErr *net.OpError
	if errors.As(err, &alert) || errors.As(err, &opErr) && opErr.Op == "remote error" {
		return true
	}
	return strings.HasPrefix(err.Error(), "tls: ") || strings.Contains(err.Error(), ": tls: ")
}

// isCertificateError reports TLS verification failures, which retrying
// cannot fix.
func isCertificateError(err error) bool {
	var verr *tls.CertificateVerificationError
	var unknown x509.UnknownAuthorityError
	var hostname x509.HostnameError
	var invalid x509.CertificateInvalidError
	return errors.As(err, &verr) || errors.As(err, &unknown) || errors.As(err, &hostname) || errors.As(err, &invalid)
}

// newIdempotencyKey returns a random UUID v4 (RFC 9562) for one create; the
// create's retries send the same key, so StackOne applies it at most once.
func newIdempotencyKey() (string, error) {
	key, err := uuid.NewRandom()
	if err != nil {
		return "", fmt.Errorf("generating an idempotency key: %w", err)
	}
	return key.String(), nil
}
