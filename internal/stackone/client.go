// Package stackone is the HTTP client for the StackOne API used by the
// Terraform provider: Basic auth, typed errors, retries honouring
// Retry-After, an idempotency key on creates, a client-side rate limit,
// pagination and per-attempt logging that never sees a secret.
//
// It imports nothing from Terraform so that it can be tested and reused on
// its own.
package stackone

import (
	"github.com/stackonehq/terraform-provider-stackone/internal/safetext"

	"bytes"
	"context"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strings"
	"time"
	"unicode"

	"github.com/hashicorp/go-retryablehttp"
)

// DefaultBaseURL is StackOne's API endpoint.
const DefaultBaseURL = "https://api.stackone.com"

// Defaults applied to zero Config fields.
const (
	DefaultUserAgent         = "terraform-provider-stackone"
	DefaultMaxRetries        = 4
	DefaultRequestTimeout    = 30 * time.Second
	DefaultRequestsPerMinute = 1000 // StackOne's documented limit per API key
	DefaultRetryWaitMin      = 500 * time.Millisecond
	DefaultRetryWaitMax      = 60 * time.Second
)

// maxThrottledRetries bounds the retries of one call after 429 answers,
// which do not count against Config.MaxRetries.
const maxThrottledRetries = 20

// maxResponseBytes bounds what is read from any response, so a broken or
// hostile server cannot make the provider use unbounded memory.
const maxResponseBytes = 10 << 20

// Config configures a Client. Zero values mean defaults. New checks it and
// reports a refused setting as a *ConfigError.
type Config struct {
	// BaseURL defaults to DefaultBaseURL; see ValidateBaseURL for what is accepted.
	BaseURL string
	// APIKey is required. It is sent only in the Authorization header.
	APIKey string
	// UserAgent defaults to DefaultUserAgent. StackOne may refuse requests without one.
	UserAgent string
	// HTTPClient is optional; only its Transport is used, as the base transport.
	HTTPClient *http.Client
	// MaxRetries is the number of retries after the first attempt, 0 to
	// MaxRetriesLimit (0: no retry); nil means DefaultMaxRetries.
	MaxRetries *int
	// RequestTimeout bounds each attempt (not the whole call); default 30s.
	RequestTimeout time.Duration
	// RequestsPerMinute is a client-side limit shared by every call on the
	// Client, retries included, up to RequestsPerMinuteLimit; 0 means
	// DefaultRequestsPerMinute.
	RequestsPerMinute int
	// RetryWaitMin is the backoff base; default 500ms.
	RetryWaitMin time.Duration
	// RetryWaitMax caps each wait, Retry-After included; default 60s.
	RetryWaitMax time.Duration
	// Logger, when set, receives one RequestLog per HTTP attempt.
	Logger Logger
}

// RequestLog is one HTTP attempt, for logging. It holds no header, body or secret.
type RequestLog struct {
	// Method is the HTTP method.
	Method string
	// Route is the path with ids replaced, e.g. "/connector_profiles/{id}".
	Route string
	// Path is the request path relative to the base URL, without query.
	Path string
	// Status is the HTTP status, 0 when no response arrived.
	Status int
	// Duration is the time from sending the request to the end of the response body.
	Duration time.Duration
	// Attempt counts from 1.
	Attempt int
	// RequestID is the X-Request-Id response header, if any.
	RequestID string
	// Err is the transport error of this attempt (nil when a response arrived).
	Err error
	// WillRetry says another attempt follows.
	WillRetry bool
	// RetryAfter is the wait before the next attempt when WillRetry is true.
	RetryAfter time.Duration
}

// Logger receives a record of each HTTP attempt.
type Logger interface {
	LogRequest(ctx context.Context, l RequestLog)
}

// Client talks to the StackOne API. It is safe for concurrent use; every call
// shares one rate limiter.
type Client struct {
	baseURL      *url.URL
	apiKey       string
	userAgent    string
	httpClient   *http.Client
	maxRetries   int
	retryWaitMin time.Duration
	retryWaitMax time.Duration
	logger       Logger
	masker       *secretMasker
	profiles     *profileSnapshots
	writes       writesProbe
}

// New checks cfg and returns a Client. Each setting it refuses gives a
// *ConfigError naming the setting (several are joined with errors.Join); no
// error contains the key.
func New(cfg Config) (*Client, error) {
	// Every refused setting is reported, not only the first.
	var refused []error
	if err := CheckAPIKey(cfg.APIKey); err != nil {
		refused = append(refused, err)
	}
	key := strings.TrimSpace(cfg.APIKey)
	raw := cfg.BaseURL
	if strings.TrimSpace(raw) == "" {
		raw = DefaultBaseURL
	}
	base, err := ValidateBaseURL(raw)
	if err != nil {
		refused = append(refused, &ConfigError{Setting: SettingBaseURL, Problem: "cannot be used: " + err.Error()})
	}
	ua := strings.TrimSpace(cfg.UserAgent)
	if ua == "" {
		ua = DefaultUserAgent
	}
	if strings.IndexFunc(ua, unicode.IsControl) >= 0 {
		refused = append(refused, &ConfigError{Setting: SettingUserAgent, Problem: "contains a control character"})
	}
	maxRetries, rpm, err := checkNumbers(cfg)
	if err != nil {
		refused = append(refused, err)
	}
	if len(refused) > 0 {
		return nil, errors.Join(refused...)
	}
	timeout := cfg.RequestTimeout
	if timeout == 0 {
		timeout = DefaultRequestTimeout
	}
	waitMin := cfg.RetryWaitMin
	if waitMin <= 0 {
		waitMin = DefaultRetryWaitMin
	}
	waitMax := cfg.RetryWaitMax
	if waitMax <= 0 {
		waitMax = DefaultRetryWaitMax
	}
	if waitMax < waitMin {
		waitMax = waitMin
	}

	var transport http.RoundTripper
	if cfg.HTTPClient != nil && cfg.HTTPClient.Transport != nil {
		transport = cfg.HTTPClient.Transport
	} else if dt, ok := http.DefaultTransport.(*http.Transport); ok {
		// A clone gives this client its own connection pool.
		transport = dt.Clone()
	} else {
		transport = http.DefaultTransport
	}

	c := &Client{
		masker:    newSecretMasker(key, base64.StdEncoding.EncodeToString([]byte(key+":"))),
		baseURL:   base,
		apiKey:    key,
		userAgent: ua,
		httpClient: &http.Client{
			Transport: &attemptTransport{
				base:    transport,
				limiter: newRequestWindow(rpm, time.Minute),
				timeout: timeout,
				waitMin: waitMin,
				waitMax: waitMax,
			},
			// API calls never redirect; following one could replay a body
			// carrying a client secret somewhere else. Return it instead.
			CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse },
		},
		maxRetries:   maxRetries,
		retryWaitMin: waitMin,
		retryWaitMax: waitMax,
		logger:       cfg.Logger,
	}
	c.profiles = &profileSnapshots{client: c, entries: map[string]*snapshotEntry{}, last: map[string][]string{}, created: map[string]bool{}, deleted: map[string]bool{}, deleting: map[string]bool{}}
	return c, nil
}

// BaseURL is the checked base URL requests go to, without a trailing slash.
func (c *Client) BaseURL() string { return c.baseURL.String() }

// ValidateBaseURL parses and checks a base URL: absolute, scheme https, or
// http only when the host is loopback (localhost, 127.0.0.0/8, ::1); no
// userinfo, query or fragment; trailing slash trimmed. Errors say why and
// what to do, and quote the URL only as safetext.URL does.
func ValidateBaseURL(raw string) (*url.URL, error) {
	raw = strings.TrimSpace(raw)
	if raw == "" {
		return nil, errors.New("base_url is empty: leave it unset for " + DefaultBaseURL + " or give an absolute https:// URL")
	}
	shown := safetext.URL(raw)
	u, err := url.Parse(raw)
	if err != nil {
		return nil, fmt.Errorf("base_url %s is not a valid URL: use an absolute URL such as %s", shown, DefaultBaseURL)
	}
	if u.User != nil {
		return nil, fmt.Errorf("base_url %s must not contain a user name or password: give the API key with api_key or STACKONE_API_KEY instead", shown)
	}
	if !u.IsAbs() || u.Host == "" || u.Opaque != "" {
		return nil, fmt.Errorf("base_url %s is not an absolute URL: use one such as %s", shown, DefaultBaseURL)
	}
	if u.RawQuery != "" || u.ForceQuery {
		return nil, fmt.Errorf("base_url %s must not have a query string: remove everything from '?'", shown)
	}
	if u.Fragment != "" || strings.Contains(raw, "#") {
		return nil, fmt.Errorf("base_url %s must not have a fragment: remove everything from '#'", shown)
	}
	host := u.Hostname()
	if host == "" {
		return nil, fmt.Errorf("base_url %s has no host: use an absolute URL such as %s", shown, DefaultBaseURL)
	}
	switch u.Scheme {
	case "https":
	case "http":
		if !safetext.IsLoopbackHost(host) {
			return nil, fmt.Errorf("base_url %s uses plain http, which is allowed only for loopback hosts (localhost, 127.0.0.0/8, ::1): use https://%s", shown, u.Host)
		}
	default:
		return nil, fmt.Errorf("base_url %s has scheme %q: use https (or http for a loopback host)", shown, u.Scheme)
	}
	u.Path = strings.TrimRight(u.Path, "/")
	u.RawPath = strings.TrimRight(u.RawPath, "/")
	return u, nil
}

// request describes one API call.
type request struct {
	method string
	route  string // path template for logs, e.g. "/connector_profiles/{id}"
	path   string // escaped path relative to the base URL
	query  url.Values
	body   any // JSON-encoded when not nil
	// idempotencyKey, when set, is sent as Idempotency-Key on every attempt
	// so that a retried POST creates nothing twice.
	idempotencyKey string
	// secrets are values the request sends (a client secret) that must not
	// come back in an error, should the server echo the request.
	secrets []string
	// bytesRead, when set, receives the size of the answer's body.
	bytesRead *int
	// date, when set, receives the Date header of the answer (zero when
	// it has none): the server's clock.
	date *time.Time
	// allow, when set, receives the Allow header of a 2xx answer.
	allow *string
	// once: a single attempt, never retried (a question the caller can do
	// without an answer to, such as the profile-write check).
	once bool
}

// callState follows one call across its attempts. Only the calling
// goroutine touches it: the transport runs synchronously inside Do.
type callState struct {
	req     *request
	attempt int
	last    RequestLog
	logged  bool
	// redact removes the API key and the request's secrets from
	// server-supplied text.
	redact func(string) string
	// failed counts the retried failures, throttled the retried 429s.
	failed, throttled int
}

type callStateKey struct{}

// do sends r with retries and decodes a 2xx JSON body into out (when out is
// not nil). A non-2xx answer gives an *APIError.
func (c *Client) do(ctx context.Context, r *request, out any) error {
	target := c.baseURL.Scheme + "://" + c.baseURL.Host + strings.TrimRight(c.baseURL.EscapedPath(), "/") + r.path
	if len(r.query) > 0 {
		target += "?" + r.query.Encode()
	}

	var body any
	if r.body != nil {
		b, err := json.Marshal(r.body)
		if err != nil {
			return fmt.Errorf("encoding the body of %s %s: %w", r.method, r.route, err)
		}
		body = b
	}

	st := &callState{req: r, redact: c.redactorFor(r)}
	ctx = context.WithValue(ctx, callStateKey{}, st)
	rreq, err := retryablehttp.NewRequestWithContext(ctx, r.method, target, body)
	if err != nil {
		return fmt.Errorf("building the request %s %s: %w", r.method, r.route, err)
	}
	rreq.SetBasicAuth(c.apiKey, "")
	rreq.Header.Set("User-Agent", c.userAgent)
	rreq.Header.Set("Accept", "application/json")
	if body != nil {
		rreq.Header.Set("Content-Type", "application/json")
	}
	if r.idempotencyKey != "" {
		rreq.Header.Set("Idempotency-Key", r.idempotencyKey)
	}

	retryMax := c.maxRetries
	if retryMax > 0 {
		retryMax += maxThrottledRetries
	}
	if r.once {
		retryMax = 0
	}
	rc := &retryablehttp.Client{
		HTTPClient:   c.httpClient,
		Logger:       nil, // attempts are reported through Config.Logger instead
		RetryWaitMin: c.retryWaitMin,
		RetryWaitMax: c.retryWaitMax,
		RetryMax:     retryMax,
		// A 429 is the server asking for time, not a failure: it is
		// retried without counting against max_retries (up to
		// maxThrottledRetries times, within the caller's deadline), while
		// the whole process slows down (requestWindow.throttled).
		CheckRetry: func(ctx context.Context, resp *http.Response, err error) (bool, error) {
			retry, cerr := checkRetry(ctx, resp, err)
			if !retry || cerr != nil {
				return retry, cerr
			}
			if resp != nil && resp.StatusCode == http.StatusTooManyRequests {
				st.throttled++
				return st.throttled <= maxThrottledRetries, nil
			}
			st.failed++
			return st.failed <= c.maxRetries, nil
		},
		Backoff: func(waitMin, waitMax time.Duration, _ int, resp *http.Response) time.Duration {
			n := st.failed - 1
			if resp != nil && resp.StatusCode == http.StatusTooManyRequests {
				n = st.throttled - 1
			}
			wait := retryDelay(waitMin, waitMax, max(n, 0), resp, time.Now())
			c.logAttempt(ctx, st, true, wait)
			return wait
		},
		// Keep the last response so its error body reaches the caller.
		ErrorHandler: retryablehttp.PassthroughErrorHandler,
	}

	resp, err := rc.Do(rreq)
	c.logAttempt(ctx, st, false, 0)
	if err != nil {
		if resp != nil && resp.Body != nil {
			_ = resp.Body.Close()
		}
		// net/http quotes the whole URL, query included.
		var uerr *url.Error
		if errors.As(err, &uerr) {
			if u, perr := url.Parse(uerr.URL); perr == nil {
				uerr.URL = safetext.URLOf(u)
			}
		}
		if ctxErr := ctx.Err(); ctxErr != nil && !errors.Is(err, ctxErr) {
			err = fmt.Errorf("%w (%v)", ctxErr, err)
		}
		return fmt.Errorf("StackOne request %s %s failed after %d attempt(s)%s: %w", r.method, r.path, st.attempt, lastAnswer(st), err)
	}
	defer resp.Body.Close()
	// The transport has already buffered the body (up to the limit + 1).
	data, err := io.ReadAll(resp.Body)
	if err != nil {
		return fmt.Errorf("reading the answer to %s %s: %w", r.method, r.path, err)
	}
	if r.bytesRead != nil {
		*r.bytesRead = len(data)
	}
	if r.date != nil {
		if d, err := http.ParseTime(resp.Header.Get("Date")); err == nil {
			*r.date = d
		}
	}
	if r.allow != nil && resp.StatusCode/100 == 2 {
		*r.allow = resp.Header.Get("Allow")
	}

	if resp.StatusCode < 200 || resp.StatusCode > 299 {
		if len(data) > maxResponseBytes {
			data = data[:maxResponseBytes]
		}
		apiErr := parseAPIError(resp.StatusCode, resp.Header, data, st.redact)
		apiErr.Method = r.method
		apiErr.Path = r.path
		return apiErr
	}
	if out == nil {
		return nil
	}
	reqID := safetext.Text(st.redact(resp.Header.Get("X-Request-Id")), maxRequestIDRunes)
	if len(data) > maxResponseBytes {
		return fmt.Errorf("StackOne answered %s %s with more than %d MiB%s: refusing to read it", r.method, r.path, maxResponseBytes>>20, requestIDSuffix(reqID))
	}
	if len(bytes.TrimSpace(data)) == 0 {
		return fmt.Errorf("StackOne answered %s %s with %d and an empty body where JSON was expected%s", r.method, r.path, resp.StatusCode, requestIDSuffix(reqID))
	}
	if err := json.Unmarshal(data, out); err != nil {
		return fmt.Errorf("StackOne answered %s %s with %d but the body is not the JSON expected (%s)%s", r.method, r.path, resp.StatusCode, describeJSONError(err), requestIDSuffix(reqID))
	}
	return nil
}

// lastAnswer describes the last attempt of a call that ended without a
// usable response (typically because the caller's context ended while
// waiting to retry), so the error still says what StackOne answered.
func lastAnswer(st *callState) string {
	if st.attempt == 0 || st.last.Status == 0 {
		return ""
	}
	return " (last answer: " + statusLabel(st.last.Status) + requestIDSuffix(st.last.RequestID) + ")"
}

func requestIDSuffix(id string) string {
	if id == "" {
		return ""
	}
	return " [request id " + id + "]"
}

// describeJSONError names what is wrong without quoting the body, which may
// hold a token.
func describeJSONError(err error) string {
	var syn *json.SyntaxError
	var typ *json.UnmarshalTypeError
	switch {
	case errors.As(err, &syn):
		return fmt.Sprintf("invalid JSON at byte %d", syn.Offset)
	case errors.As(err, &typ):
		if typ.Field != "" {
			return fmt.Sprintf("field %q is a JSON %s, expected %s", typ.Field, typ.Value, typ.Type)
		}
		return fmt.Sprintf("got a JSON %s, expected %s", typ.Value, typ.Type)
	case errors.Is(err, io.ErrUnexpectedEOF):
		return "truncated JSON"
	default:
		return "undecodable JSON"
	}
}

// logAttempt reports the last attempt once.
func (c *Client) logAttempt(ctx context.Context, st *callState, willRetry bool, wait time.Duration) {
	if c.logger == nil || st.logged || st.attempt == 0 {
		return
	}
	st.logged = true
	l := st.last
	l.WillRetry = willRetry
	if willRetry {
		l.RetryAfter = wait
	}
	c.logger.LogRequest(ctx, l)
}

// checkRetry retries connection errors and 408, 429, 500, 502, 503, 504, and
// never once the caller's context is done. GET, PATCH (full values) and
// DELETE are idempotent and POSTs carry an Idempotency-Key, so retrying a
// request whose connection dropped after it was sent creates no second
// profile. (A server that ignored the key on POST /connect_sessions would
// make a second session, which is harmless: an unused session expires.)
func checkRetry(ctx context.Context, resp *http.Response, err error) (bool, error) {
	if err == nil && !retryableStatus(resp.StatusCode) {
		return false, nil
	}
	if ctxErr := ctx.Err(); ctxErr != nil {
		return false, ctxErr
	}
	if err != nil {
		return retryableError(err), nil
	}
	return true, nil
}

func retryableStatus(code int) bool {
	switch code {
	case http.StatusRequestTimeout, http.StatusTooManyRequests, http.StatusInternalServerError,
		http.StatusBadGateway, http.StatusServiceUnavailable, http.StatusGatewayTimeout:
		return true
	}
	return false
}

// permanentError marks a transport error that a retry cannot fix.
type permanentError struct{ err error }

func (e *permanentError) Error() string { return e.err.Error() }
func (e *permanentError) Unwrap() error { return e.err }

func retryableError(err error) bool {
	var perm *permanentError
	if errors.As(err, &perm) {
		return false
	}
	// A certificate problem will not fix itself between attempts.
	return !isCertificateError(err)
}
