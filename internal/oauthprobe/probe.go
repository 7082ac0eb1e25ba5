// Package oauthprobe finds out which scopes are registered on an OAuth 2.0
// client application by sending authorization requests (authorization code
// with PKCE S256) and reading the authorization server's first answer.
//
// ZoomInfo's Developer Portal has no API, so this is the only way to check,
// before a user tries to link an account, that an app really has the scopes,
// redirect URI and PKCE setting a connector profile relies on. The probe
// follows no redirect but a gateway's forward of the very same request to
// the authorization server, never signs in, keeps no cookies, sends no
// Referer and never needs or sends the client secret: an authorization
// request is public.
//
// Okta-style servers (ZoomInfo's included) reject a request naming any
// unregistered scope with an invalid_scope redirect, show a 400 page for an
// unknown client or unregistered redirect URI, and send a valid request to
// their login page. Probe relies on exactly that behaviour.
//
// Every scope gets one of three verdicts: registered (the server moved on
// to sign-in), not registered (invalid_scope), or cannot tell. An answer
// that is not positive evidence either way — a forward that changed the
// request, a body cut short, a timeout, a 5xx, a page that is neither a
// sign-in page nor an error page — is "cannot tell" (a *CannotTellError),
// never "registered".
package oauthprobe

import (
	"context"
	"crypto/rand"
	"encoding/base64"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/url"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/stackonehq/terraform-provider-stackone/internal/pkce"
	"github.com/stackonehq/terraform-provider-stackone/internal/safetext"
)

// Defaults for Options fields left at zero.
const (
	DefaultTimeout     = 10 * time.Second
	DefaultConcurrency = 4
	DefaultUserAgent   = "terraform-provider-stackone-oauthprobe"
)

// retryDelay is the pause before the single retry of a 5xx or connection
// failure: long enough for a blip to pass, short enough not to slow a plan.
var retryDelay = 250 * time.Millisecond

// maxBody bounds how much of an answer is read: a hostile or broken server
// must not make the probe buffer without bound. It is large enough for a
// hosted sign-in page; a longer body is "cannot tell", never read in part.
const maxBody = 1 << 20

// Options tunes how Probe talks to the authorization server. The zero value
// is ready to use.
type Options struct {
	// HTTPClient is copied, never modified: the copy stops at the first
	// response (CheckRedirect) and keeps no cookies (Jar nil), so a redirect
	// to the redirect URI or the login page is seen, not followed. Its
	// Transport (proxies, TLS settings) is used as is. Nil means a client
	// with http.DefaultTransport.
	HTTPClient *http.Client
	// Timeout bounds each authorization request (default 10s); ctx bounds
	// the whole probe.
	Timeout time.Duration
	// Concurrency is how many single-scope requests may be in flight at
	// once (default 4), so probing many scopes neither takes long nor
	// floods the server.
	Concurrency int
	// UserAgent is sent with every request (default DefaultUserAgent).
	UserAgent string
}

// Request names the app to probe and the scopes to check.
type Request struct {
	// AuthorizationEndpoint is the absolute authorize URL, https (plain http
	// only for loopback hosts). Query parameters it already has are kept.
	AuthorizationEndpoint string
	// ClientID is the app's client id.
	ClientID string
	// RedirectURI must be registered on the app exactly; the server refuses
	// to redirect anywhere else, so it is checked too.
	RedirectURI string
	// Scopes to check. Order and duplicates do not matter. None means one
	// request without a scope parameter, which checks the client id,
	// redirect URI and PKCE setting only.
	Scopes []string
	// WithoutPKCE leaves the PKCE challenge out, for an auth type that does
	// not use PKCE: an Okta app without PKCE refuses a request that carries
	// one, which would hide its scopes.
	WithoutPKCE bool
}

// Outcome is the overall verdict on the client application.
type Outcome string

// Outcomes. OutcomeOK means the client id, redirect URI and PKCE setting
// are fine; some scopes may still be unregistered.
const (
	OutcomeOK                       Outcome = "ok"
	OutcomeUnknownClient            Outcome = "unknown_client"
	OutcomeRedirectURINotRegistered Outcome = "redirect_uri_not_registered"
	OutcomePKCENotEnabled           Outcome = "pkce_not_enabled"
	OutcomeGrantNotEnabled          Outcome = "grant_not_enabled"
	OutcomeError                    Outcome = "error"
	// OutcomeCannotTell: an answer proved nothing either way; Probe
	// returns a *CannotTellError with it.
	OutcomeCannotTell Outcome = "cannot_tell"
)

// Result is what a probe found out.
type Result struct {
	// Registered scopes, sorted.
	Registered []string
	// Unregistered scopes, sorted: requesting any of them fails the whole
	// authorization request.
	Unregistered []string
	// Unknown holds scopes whose status could not be determined, sorted:
	// the probe stopped on a client-level problem or an error first.
	Unknown []string
	// Outcome is the verdict on the client: OutcomeOK when the client id,
	// redirect URI and PKCE setting are fine, even if scopes are missing.
	Outcome Outcome
	// Error is the server's error code when Outcome is not ok, such as
	// "invalid_request", or "http_<status>" when the page names none.
	Error string
	// ErrorDescription is the server's description or an excerpt of its
	// error page, with control characters removed and length bounded.
	ErrorDescription string
	// Requests is how many authorization requests were sent, retries and
	// requests forwarded by a gateway included.
	Requests int
	// CheckURL is an authorization request for all the scopes, built as the
	// probe builds its own (public: no secret, a throwaway state and PKCE
	// challenge). Opened in a browser, a sign-in page means the request is
	// accepted; an error page or a redirect carrying error= means it is
	// not. Empty when the input was invalid.
	CheckURL string
}

// CannotTellError is the third verdict: the server's answer is evidence
// neither that the scopes are registered nor that they are not (a timeout,
// a connection failure, a 5xx or 429, a body cut short, a forward that
// changed the request, a page that is neither sign-in nor error). The
// scopes concerned are in Result.Unknown; Result.CheckURL is the request to
// open by hand.
type CannotTellError struct {
	// Endpoint is the authorize endpoint without its query.
	Endpoint string
	// Answer says what the server answered, sanitised and bounded.
	Answer string
	err    error
}

// Error implements error.
func (e *CannotTellError) Error() string {
	return "oauthprobe: cannot tell from the answer of " + e.Endpoint + ": " + e.Answer
}

// Unwrap returns the underlying cause (such as context.DeadlineExceeded) when there is one.
func (e *CannotTellError) Unwrap() error { return e.err }

// Input is a part of a Request that Probe checks before it sends anything,
// named in words.
type Input string

// The inputs an InputError can be about.
const (
	// InputEndpoint is Request.AuthorizationEndpoint.
	InputEndpoint Input = "authorization endpoint"
	// InputClientID is Request.ClientID.
	InputClientID Input = "client id"
	// InputRedirectURI is Request.RedirectURI.
	InputRedirectURI Input = "redirect URI"
	// InputScope is one of Request.Scopes.
	InputScope Input = "scope"
)

// InputError reports a Request input Probe cannot use. Input says which, so
// that a caller can point at where the value came from; Message says what is
// wrong and how to fix it.
type InputError struct {
	Input   Input
	Message string
}

// Error implements error.
func (e *InputError) Error() string {
	return "oauthprobe: invalid " + string(e.Input) + ": " + e.Message
}

// Probe finds out which of req.Scopes are registered on the app.
//
// It sends one request with all scopes first, so an app that has them all
// costs exactly one request. Only if that fails with invalid_scope is each
// scope probed on its own, in parallel up to Options.Concurrency.
//
// A problem with the app itself (unknown client, unregistered redirect URI,
// PKCE or the authorization code grant not enabled, another error the
// server reports) is a Result with Outcome set and the scopes it prevented
// checking in Unknown, not an error. The error is *InputError for invalid
// input, *CannotTellError when an answer proves nothing (timeouts,
// connection failures, 5xx and 429 answers — 5xx and connection failures
// are retried once —, bodies cut short, forwards that change the request,
// unrecognisable pages), or wraps ctx.Err() when ctx ends; the Result
// returned with it still holds what was learned before, and CheckURL.
func Probe(ctx context.Context, req Request, opts Options) (Result, error) {
	in, err := validate(req)
	if err != nil {
		return Result{}, err
	}
	in.withoutPKCE = req.WithoutPKCE
	p := newProber(in, opts)
	res, err := p.run(ctx)
	res.Requests = int(p.requests.Load())
	res.CheckURL = p.checkURL
	return res, err
}

// prober holds one probe's validated inputs and its private HTTP client.
type prober struct {
	in          validated
	client      *http.Client
	timeout     time.Duration
	concurrency int
	userAgent   string
	requests    atomic.Int64
	checkURL    string // the first request's URL, set before any request is sent
}

func newProber(in validated, opts Options) *prober {
	var c http.Client
	if opts.HTTPClient != nil {
		c = *opts.HTTPClient
	}
	c.Jar = nil
	p := &prober{
		in:          in,
		client:      &c,
		timeout:     opts.Timeout,
		concurrency: opts.Concurrency,
		userAgent:   opts.UserAgent,
	}
	// Stop at the first answer of the authorization server: it is the one
	// that says whether the request was accepted, and following it would
	// mean visiting the redirect URI (a real StackOne callback) or the login
	// page. A gateway in front of the server (ZoomInfo's) answers first with
	// the same request forwarded to the server: that one is followed, or
	// every request would look accepted. A redirect that looks like an
	// authorization request but is not the same one is "cannot tell".
	c.CheckRedirect = func(next *http.Request, via []*http.Request) error {
		// Go sets a Referer on redirects; the probe sends none.
		next.Header.Del("Referer")
		if sameEndpoint(next.URL, in.redirectURI) || !looksLikeAuthorizationRequest(next.URL) {
			return http.ErrUseLastResponse
		}
		if why := differsFrom(next.URL, via[0].URL); why != "" {
			return &forwardError{fmt.Sprintf("it redirected to %s, an authorization request that is not the one the probe sent (%s)", safetext.URLOf(next.URL), why)}
		}
		// Plain http only from loopback to loopback: never a downgrade of
		// an https request, and never towards a remote host.
		prev := via[len(via)-1].URL
		if next.URL.Scheme != "https" && (!safetext.TransportAllowed(next.URL) || prev.Scheme != "http" || !safetext.IsLoopbackHost(prev.Hostname())) {
			return &forwardError{fmt.Sprintf("it forwards the request to %s over %s; use that server's https authorize endpoint", safetext.URLOf(next.URL), next.URL.Scheme)}
		}
		if len(via) > maxForwards {
			return &forwardError{fmt.Sprintf("it forwarded the request more than %d times", maxForwards)}
		}
		p.requests.Add(1)
		return nil
	}
	if p.timeout <= 0 {
		p.timeout = DefaultTimeout
	}
	if p.concurrency <= 0 {
		p.concurrency = DefaultConcurrency
	}
	if p.userAgent == "" {
		p.userAgent = DefaultUserAgent
	}
	return p
}

// maxForwards bounds the gateway hops followed before an authorization
// server's own answer.
const maxForwards = 3

// authorizationParams are the parameters of an authorization request
// (RFC 6749, RFC 7636, OpenID Connect). A redirect carrying any of them, or
// to a path ending in /authorize, is a forward of an authorization request
// rather than the way to a sign-in page.
var authorizationParams = []string{
	"response_type", "client_id", "redirect_uri", "scope", "state", "code_challenge", "code_challenge_method",
	"response_mode", "prompt", "max_age", "nonce", "request", "request_uri", "login_hint", "id_token_hint",
	"acr_values", "display", "claims", "resource", "audience", "idp",
}

// looksLikeAuthorizationRequest reports whether u is (a forward of) an
// authorization request.
func looksLikeAuthorizationRequest(u *url.URL) bool {
	if strings.HasSuffix(strings.TrimSuffix(u.Path, "/"), "/authorize") {
		return true
	}
	q, _ := url.ParseQuery(u.RawQuery)
	for _, k := range authorizationParams {
		if q.Has(k) {
			return true
		}
	}
	return false
}

// differsFrom says how next, a forwarded authorization request, differs from
// orig, the probe's own request; "" means it is the same request: every
// parameter the probe sent appears once with the same value after decoding
// (in any order or percent-encoding), and no other authorization parameter
// was added. Parameters outside authorizationParams (a gateway's own) are
// allowed.
func differsFrom(next, orig *url.URL) string {
	nq, err := url.ParseQuery(next.RawQuery)
	if err != nil {
		return "its query cannot be decoded"
	}
	oq, _ := url.ParseQuery(orig.RawQuery)
	for _, k := range authorizationParams {
		ov, sent := oq[k]
		nv, has := nq[k]
		switch {
		case sent && !has:
			return k + " is missing"
		case !sent && has:
			return k + " was added"
		case sent && (len(nv) != 1 || len(ov) != 1 || nv[0] != ov[0]):
			return k + " was changed"
		}
	}
	return ""
}

// redactQuery is u without its query, for messages.

// forwardError is a forward the probe refuses to follow.
type forwardError struct{ reason string }

func (e *forwardError) Error() string { return e.reason }

func newResult() Result {
	return Result{Registered: []string{}, Unregistered: []string{}, Unknown: []string{}}
}

func (p *prober) run(ctx context.Context) (Result, error) {
	scopes := p.in.scopes
	res := newResult()
	if u, err := p.authorizeURL(scopes); err == nil {
		p.checkURL = u
	}

	cls, err := p.send(ctx, scopes)
	if err != nil {
		res.Unknown = append(res.Unknown, scopes...)
		markCannotTell(&res, err)
		return res, err
	}
	switch cls.Kind {
	case Accepted:
		res.Registered = append(res.Registered, scopes...)
		res.Outcome = OutcomeOK
		return res, nil
	case InvalidScope:
		if len(scopes) == 0 {
			// Nothing was requested, so the server's complaint is about
			// something else: report it rather than guess.
			setProblem(&res, cls)
			return res, nil
		}
		if len(scopes) == 1 {
			// The combined request was already the single-scope probe.
			res.Unregistered = append(res.Unregistered, scopes...)
			res.Outcome = OutcomeOK
			return res, nil
		}
	default:
		res.Unknown = append(res.Unknown, scopes...)
		setProblem(&res, cls)
		return res, nil
	}
	return p.perScope(ctx, scopes)
}

// scopeProbe is what the single-scope request for one scope found.
type scopeProbe struct {
	done bool
	cls  Classification
	err  error
}

// perScope probes each scope on its own with at most p.concurrency requests
// in flight, stopping early once an answer shows the remaining ones cannot
// be interpreted (a client-level problem or an error).
func (p *prober) perScope(ctx context.Context, scopes []string) (Result, error) {
	pctx, stop := context.WithCancel(ctx)
	defer stop()
	var stopped atomic.Bool
	out := make([]scopeProbe, len(scopes))
	sem := make(chan struct{}, p.concurrency)
	var wg sync.WaitGroup
launch:
	for i, sc := range scopes {
		select {
		case sem <- struct{}{}:
		case <-pctx.Done():
			break launch
		}
		if pctx.Err() != nil {
			// Both cases can be ready at once; never start after a stop.
			<-sem
			break
		}
		wg.Add(1)
		go func() {
			defer wg.Done()
			defer func() { <-sem }()
			cls, err := p.send(pctx, []string{sc})
			out[i] = scopeProbe{done: true, cls: cls, err: err}
			if err != nil || (cls.Kind != Accepted && cls.Kind != InvalidScope) {
				stopped.Store(true)
				stop()
			}
		}()
	}
	wg.Wait()

	res := newResult()
	if err := ctx.Err(); err != nil {
		// The caller gave up: report what finished, the rest is unknown.
		for i, sc := range scopes {
			switch {
			case out[i].done && out[i].err == nil && out[i].cls.Kind == Accepted:
				res.Registered = append(res.Registered, sc)
			case out[i].done && out[i].err == nil && out[i].cls.Kind == InvalidScope:
				res.Unregistered = append(res.Unregistered, sc)
			default:
				res.Unknown = append(res.Unknown, sc)
			}
		}
		return res, fmt.Errorf("oauthprobe: probe of %s interrupted: %w", p.in.display, err)
	}

	var firstErr error
	var problem *Classification
	for i, sc := range scopes {
		r := out[i]
		switch {
		case !r.done:
			res.Unknown = append(res.Unknown, sc)
		case r.err != nil:
			res.Unknown = append(res.Unknown, sc)
			// Requests cut short by our own early stop are not failures.
			if stopped.Load() && errors.Is(r.err, context.Canceled) {
				continue
			}
			if firstErr == nil {
				firstErr = r.err
			}
		case r.cls.Kind == Accepted:
			res.Registered = append(res.Registered, sc)
		case r.cls.Kind == InvalidScope:
			res.Unregistered = append(res.Unregistered, sc)
		default:
			res.Unknown = append(res.Unknown, sc)
			if problem == nil {
				c := r.cls
				problem = &c
			}
		}
	}
	if firstErr != nil {
		markCannotTell(&res, firstErr)
		return res, firstErr
	}
	if problem != nil {
		setProblem(&res, *problem)
		return res, nil
	}
	res.Outcome = OutcomeOK
	if len(res.Unregistered) == 0 {
		// Every scope passes alone but not together: the set as a whole
		// cannot be requested, which is what a user would hit.
		res.Outcome = OutcomeError
		res.Error = "invalid_scope"
		res.ErrorDescription = "the server refused these scopes requested together but accepted each one on its own; request them separately or check the app's scope configuration"
	}
	return res, nil
}

// markCannotTell sets Outcome to OutcomeCannotTell when err is that verdict.
func markCannotTell(res *Result, err error) {
	var ct *CannotTellError
	if errors.As(err, &ct) {
		res.Outcome = OutcomeCannotTell
		res.Error = "cannot_tell"
		res.ErrorDescription = safetext.Text(ct.Answer, MaxDescriptionLength)
	}
}

// setProblem records a client-level problem from cls on res.
func setProblem(res *Result, cls Classification) {
	res.Outcome = cls.Outcome
	if res.Outcome == "" || res.Outcome == OutcomeOK {
		res.Outcome = OutcomeError
	}
	res.Error = cls.Error
	res.ErrorDescription = cls.ErrorDescription
}

// send makes one authorization request for scopes and retries it once
// after a 5xx or a connection failure. An answer that proves nothing —
// a 5xx or 429 that persists, a timeout, a body cut short, a refused
// forward, an unrecognisable answer — is a *CannotTellError.
func (p *prober) send(ctx context.Context, scopes []string) (Classification, error) {
	cls, err := p.attempt(ctx, scopes)
	var te *transportError
	retry := (err != nil && errors.As(err, &te) && te.retryable) ||
		(err == nil && cls.Kind == ServerError && cls.StatusCode >= 500)
	if retry {
		t := time.NewTimer(retryDelay)
		select {
		case <-ctx.Done():
			t.Stop()
		case <-t.C:
			cls, err = p.attempt(ctx, scopes)
		}
	}
	if err != nil {
		if ctx.Err() != nil {
			return Classification{}, fmt.Errorf("oauthprobe: probe of %s interrupted: %w", p.in.display, ctx.Err())
		}
		var te *transportError
		if errors.As(err, &te) {
			return Classification{}, &CannotTellError{Endpoint: p.in.display, Answer: te.answer, err: te.err}
		}
		return Classification{}, err
	}
	switch cls.Kind {
	case ServerError:
		return cls, &CannotTellError{Endpoint: p.in.display,
			Answer: fmt.Sprintf("it answered %d %s (%s): %s", cls.StatusCode, http.StatusText(cls.StatusCode), cls.Error, cls.ErrorDescription)}
	case Unexpected:
		return cls, &CannotTellError{Endpoint: p.in.display, Answer: cls.ErrorDescription}
	}
	return cls, nil
}

// transportError is a request that got no usable answer. answer says what
// happened, for a person; retryable marks failures a second attempt may get
// past (a refused or reset connection), as opposed to a timeout, which
// would only double the wait.
type transportError struct {
	answer    string
	err       error
	retryable bool
}

func (e *transportError) Error() string { return e.answer }
func (e *transportError) Unwrap() error { return e.err }

// attempt sends one authorization request with a fresh state and PKCE pair
// and classifies the first answer, reading its body in full (up to
// maxBody) within the timeout.
func (p *prober) attempt(ctx context.Context, scopes []string) (Classification, error) {
	if err := ctx.Err(); err != nil {
		return Classification{}, fmt.Errorf("oauthprobe: probe of %s interrupted: %w", p.in.display, err)
	}
	u, err := p.authorizeURL(scopes)
	if err != nil {
		return Classification{}, err
	}
	rctx, cancel := context.WithTimeout(ctx, p.timeout)
	defer cancel()
	hreq, err := http.NewRequestWithContext(rctx, http.MethodGet, u, nil)
	if err != nil {
		return Classification{}, fmt.Errorf("oauthprobe: building request to %s: %w", p.in.display, err)
	}
	hreq.Header.Set("User-Agent", p.userAgent)
	// Ask for what a browser gets: the authorize endpoint is a browser page.
	hreq.Header.Set("Accept", "text/html,application/xhtml+xml;q=0.9,*/*;q=0.8")
	p.requests.Add(1)
	resp, err := p.client.Do(hreq)
	if err != nil {
		if resp != nil && resp.Body != nil {
			_ = resp.Body.Close()
		}
		return Classification{}, p.transportErr(ctx, rctx, err)
	}
	defer func() {
		// Drain a bounded amount so the connection can be reused.
		_, _ = io.Copy(io.Discard, io.LimitReader(resp.Body, maxBody))
		_ = resp.Body.Close()
	}()
	cls := Classify(resp, p.in.redirectURI)
	if cls.cutShort && errors.Is(rctx.Err(), context.DeadlineExceeded) && ctx.Err() == nil {
		cls.ErrorDescription = safetext.Text(fmt.Sprintf("it answered %s but the body was still arriving when the %s timeout fired", statusLine(cls.StatusCode), p.timeout), MaxDescriptionLength)
	}
	return cls, nil
}

// transportErr turns a client error into a message that names the endpoint
// (without the query, which is noise) and says what went wrong.
func (p *prober) transportErr(ctx, rctx context.Context, err error) error {
	inner := err
	var ue *url.Error
	if errors.As(err, &ue) {
		inner = ue.Err
	}
	if ctx.Err() != nil {
		return fmt.Errorf("oauthprobe: request to %s interrupted: %w", p.in.display, ctx.Err())
	}
	var fe *forwardError
	if errors.As(err, &fe) {
		return &transportError{answer: fe.reason, err: fe}
	}
	var ne net.Error
	if errors.Is(rctx.Err(), context.DeadlineExceeded) || (errors.As(err, &ne) && ne.Timeout()) {
		return &transportError{answer: fmt.Sprintf("no answer within %s; check the endpoint or raise the timeout", p.timeout), err: context.DeadlineExceeded}
	}
	return &transportError{answer: "could not reach it: " + safetext.Text(inner.Error(), MaxDescriptionLength), err: inner, retryable: true}
}

// authorizeURL builds the request URL: response_type, client_id,
// redirect_uri, scope (when scopes are asked for), state and, unless
// WithoutPKCE, code_challenge and code_challenge_method=S256. Every request
// gets its own state and verifier so requests cannot be confused with one
// another or replayed; the verifier itself never leaves this function. No
// nonce: it is an OpenID Connect parameter for ID tokens, which the probe
// never receives, and Okta does not require it for response_type=code.
func (p *prober) authorizeURL(scopes []string) (string, error) {
	verifier, err := pkce.GenerateVerifier(0)
	if err != nil {
		return "", fmt.Errorf("oauthprobe: generating a PKCE verifier: %w", err)
	}
	state, err := randomString(16)
	if err != nil {
		return "", err
	}
	u := *p.in.endpoint
	q := u.Query()
	q.Set("response_type", "code")
	q.Set("client_id", p.in.clientID)
	q.Set("redirect_uri", p.in.redirectURI)
	if len(scopes) > 0 {
		q.Set("scope", strings.Join(scopes, " "))
	}
	q.Set("state", state)
	if !p.in.withoutPKCE {
		q.Set("code_challenge", pkce.S256Challenge(verifier))
		q.Set("code_challenge_method", pkce.MethodS256)
	}
	u.RawQuery = q.Encode()
	return u.String(), nil
}

func randomString(n int) (string, error) {
	b := make([]byte, n)
	if _, err := rand.Read(b); err != nil {
		return "", fmt.Errorf("oauthprobe: reading random bytes: %w", err)
	}
	return base64.RawURLEncoding.EncodeToString(b), nil
}
