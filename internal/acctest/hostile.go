package acctest

import (
	"bytes"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"regexp"
	"strconv"
	"strings"
	"sync"
	"testing"
)

// HostileProxy is a reverse proxy in front of a target (the sandbox) that
// rewrites answers on cue, the way a broken server, a misconfigured proxy
// or a man in the middle would: each Rule names a method and a route and
// says what to answer instead. Requests no rule takes pass through as is.
type HostileProxy struct {
	// URL is the proxy's base URL, to give the provider as base_url.
	URL string

	t        testing.TB
	upstream *url.URL
	srv      *httptest.Server

	mu    sync.Mutex
	rules []*Rule
	log   []string // "METHOD /path" of every request, in order
}

// Rule rewrites the answers to the requests it matches.
type Rule struct {
	// Method matches the request method; "" matches any.
	Method string
	// Route matches the request path; "{name}" stands for one path segment,
	// e.g. "/connector_profiles/{id}". "" matches any path.
	Route string
	// Match, when set, must also hold, e.g. for one query parameter.
	Match func(r *HostileRequest) bool
	// Before, when set, runs before the request goes to the target: it may
	// change the request's query (a server that caps page_size) or change
	// the target itself (another client deleting and creating profiles
	// between two page reads).
	Before func(r *HostileRequest)
	// Upstream says whether the request still goes to the target before
	// Rewrite sees its answer; when false, Rewrite gets nil and answers alone
	// (an endless list needs no target).
	Upstream bool
	// Rewrite returns the answer to send, given the target's (nil when
	// Upstream is false). It may be called from several goroutines.
	Rewrite func(r *HostileRequest, up *Answer) *Answer
	// Times limits the rule to its first n matches; 0 means every match.
	Times int

	hits int
}

// HostileRequest is the request a rule sees; Body is the request body.
type HostileRequest struct {
	Method string
	Path   string
	Query  url.Values
	Header http.Header
	Body   []byte
}

// Answer is an HTTP answer.
type Answer struct {
	Status int
	Header http.Header
	Body   []byte
}

// JSONAnswer is a 200 (or status) answer with a JSON body.
func JSONAnswer(status int, body []byte) *Answer {
	h := http.Header{}
	h.Set("Content-Type", "application/json")
	return &Answer{Status: status, Header: h, Body: body}
}

// NewHostileProxy starts a proxy in front of tg's API, closed at the end of
// the test. Use its Target to point Terraform at it.
func NewHostileProxy(t testing.TB, tg *Target) *HostileProxy {
	t.Helper()
	up, err := url.Parse(tg.BaseURL)
	if err != nil {
		t.Fatal(err)
	}
	p := &HostileProxy{t: t, upstream: up}
	p.srv = httptest.NewServer(http.HandlerFunc(p.serve))
	t.Cleanup(p.srv.Close)
	p.URL = p.srv.URL
	return p
}

// Target is tg with its base URL replaced by the proxy's; its Client still
// talks to the target directly, to see what the server really holds.
func (p *HostileProxy) Target(tg *Target) *Target {
	return &Target{Sandbox: tg.Sandbox, BaseURL: p.URL, APIKey: tg.APIKey, AdminToken: tg.AdminToken, Client: tg.Client}
}

// Arm adds rules; the first rule that matches a request takes it.
func (p *HostileProxy) Arm(rules ...*Rule) {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.rules = append(p.rules, rules...)
}

// Disarm removes every rule: requests pass through again.
func (p *HostileProxy) Disarm() {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.rules = nil
}

// Hits is how many requests r has rewritten.
func (p *HostileProxy) Hits(r *Rule) int {
	p.mu.Lock()
	defer p.mu.Unlock()
	return r.hits
}

// Requests lists "METHOD /path" of every request the proxy received.
func (p *HostileProxy) Requests() []string {
	p.mu.Lock()
	defer p.mu.Unlock()
	return append([]string(nil), p.log...)
}

var routeParam = regexp.MustCompile(`\\\{[^/]+?\\\}`)

func routeMatches(route, path string) bool {
	if route == "" {
		return true
	}
	re := "^" + routeParam.ReplaceAllString(regexp.QuoteMeta(route), `[^/]+`) + "$"
	return regexp.MustCompile(re).MatchString(path)
}

func (p *HostileProxy) serve(w http.ResponseWriter, r *http.Request) {
	body, _ := io.ReadAll(r.Body)
	hr := &HostileRequest{Method: r.Method, Path: r.URL.Path, Query: r.URL.Query(), Header: r.Header.Clone(), Body: body}

	p.mu.Lock()
	p.log = append(p.log, r.Method+" "+r.URL.Path)
	var rule *Rule
	for _, ru := range p.rules {
		if (ru.Method == "" || ru.Method == r.Method) && routeMatches(ru.Route, r.URL.Path) &&
			(ru.Times == 0 || ru.hits < ru.Times) && (ru.Match == nil || ru.Match(hr)) {
			ru.hits++
			rule = ru
			break
		}
	}
	p.mu.Unlock()

	if rule != nil && rule.Before != nil {
		rule.Before(hr)
	}
	var ans *Answer
	if rule == nil || rule.Upstream {
		var err error
		ans, err = p.forward(r, hr)
		if err != nil {
			http.Error(w, "hostile proxy: "+err.Error(), http.StatusBadGateway)
			return
		}
	}
	if rule != nil {
		ans = rule.Rewrite(hr, ans)
	}
	if ans == nil {
		// No answer at all: drop the connection.
		if hj, ok := w.(http.Hijacker); ok {
			if conn, _, err := hj.Hijack(); err == nil {
				conn.Close()
				return
			}
		}
		http.Error(w, "hostile proxy: no answer", http.StatusBadGateway)
		return
	}
	for k, vs := range ans.Header {
		if strings.EqualFold(k, "Content-Length") {
			continue
		}
		w.Header()[k] = vs
	}
	status := ans.Status
	if status == 0 {
		status = http.StatusOK
	}
	w.WriteHeader(status)
	_, _ = w.Write(ans.Body)
}

// forward sends the request (its query as hr holds it) to the target and
// reads its whole answer.
func (p *HostileProxy) forward(r *http.Request, hr *HostileRequest) (*Answer, error) {
	u := *p.upstream
	u.Path = strings.TrimRight(p.upstream.Path, "/") + r.URL.Path
	u.RawQuery = r.URL.RawQuery
	if hr.Query.Encode() != r.URL.Query().Encode() {
		u.RawQuery = hr.Query.Encode()
	}
	req, err := http.NewRequestWithContext(r.Context(), r.Method, u.String(), bytes.NewReader(hr.Body))
	if err != nil {
		return nil, err
	}
	req.Header = r.Header.Clone()
	resp, err := http.DefaultTransport.RoundTrip(req)
	if err != nil {
		return nil, err
	}
	defer resp.Body.Close()
	data, err := io.ReadAll(resp.Body)
	if err != nil {
		return nil, err
	}
	return &Answer{Status: resp.StatusCode, Header: resp.Header.Clone(), Body: data}, nil
}

// RewriteJSON changes the JSON object of an answer (left as it is when it
// is not one).
func RewriteJSON(a *Answer, change func(map[string]any)) *Answer {
	var obj map[string]any
	if a == nil || json.Unmarshal(a.Body, &obj) != nil {
		return a
	}
	change(obj)
	a.Body, _ = json.Marshal(obj)
	return a
}

// CappedProfilePages is a rule for GET /connector_profiles that makes the
// target serve pages of at most size profiles, whatever page_size the
// client asks for, and answers without the fields drop names ("total",
// "page_size"): a server that caps its pages and does not say so.
func CappedProfilePages(size int, drop ...string) *Rule {
	return &Rule{
		Method: http.MethodGet, Route: "/connector_profiles", Upstream: true,
		Before: func(r *HostileRequest) { r.Query.Set("page_size", strconv.Itoa(size)) },
		Rewrite: func(_ *HostileRequest, up *Answer) *Answer {
			return RewriteJSON(up, func(page map[string]any) {
				for _, f := range drop {
					delete(page, f)
				}
			})
		},
	}
}
