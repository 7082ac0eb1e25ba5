package stackone

import (
	"bytes"
	"context"
	"crypto/rand"
	"crypto/tls"
	"crypto/x509"
	"errors"
	"fmt"
	"io"
	"math"
	mrand "math/rand/v2"
	"net/http"
	"strconv"
	"strings"
	"time"
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
			st.last.RequestID = cleanText(st.redact(resp.Header.Get("X-Request-Id")), maxRequestIDRunes)
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
	if err != nil && errors.Is(actx.Err(), context.DeadlineExceeded) && ctx.Err() == nil {
		err = fmt.Errorf("no answer within the request timeout of %s: %w", t.timeout, err)
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

// isCertificateError reports TLS verification failures, which retrying
// cannot fix.
func isCertificateError(err error) bool {
	var verr *tls.CertificateVerificationError
	var unknown x509.UnknownAuthorityError
	var hostname x509.HostnameError
	var invalid x509.CertificateInvalidError
	return errors.As(err, &verr) || errors.As(err, &unknown) || errors.As(err, &hostname) || errors.As(err, &invalid)
}

// newIdempotencyKey returns a random UUID v4 (RFC 9562).
func newIdempotencyKey() (string, error) {
	var b [16]byte
	if _, err := rand.Read(b[:]); err != nil {
		return "", fmt.Errorf("generating an idempotency key: %w", err)
	}
	b[6] = b[6]&0x0f | 0x40 // version 4
	b[8] = b[8]&0x3f | 0x80 // variant 10
	return fmt.Sprintf("%x-%x-%x-%x-%x", b[0:4], b[4:6], b[6:8], b[8:10], b[10:16]), nil
}
