package sandbox

import (
	"bytes"
	"encoding/json"
	"io"
	"net/http"
	"strings"
	"testing"
	"time"
)

func startSandbox(t *testing.T, opts Options) *Sandbox {
	t.Helper()
	s, err := Start(opts)
	if err != nil {
		t.Fatalf("Start: %v", err)
	}
	t.Cleanup(func() {
		if err := s.Close(); err != nil {
			t.Errorf("Close: %v", err)
		}
	})
	return s
}

// testClient talks to a sandbox over real HTTP the way a well-behaved
// StackOne client does; each request can opt out of parts of that.
type testClient struct {
	t    *testing.T
	s    *Sandbox
	http *http.Client
}

func newClient(t *testing.T, s *Sandbox) *testClient {
	return &testClient{t: t, s: s, http: &http.Client{Timeout: 10 * time.Second}}
}

type response struct {
	status int
	header http.Header
	body   []byte
}

func (r response) json(t *testing.T, v any) {
	t.Helper()
	if err := json.Unmarshal(r.body, v); err != nil {
		t.Fatalf("decoding %s: %v", r.body, err)
	}
}

func (r response) apiErr(t *testing.T) errorBody {
	t.Helper()
	var e errorBody
	r.json(t, &e)
	if e.StatusCode != r.status || e.Message == "" || e.Timestamp == "" {
		t.Fatalf("error body %s does not have StackOne's shape for status %d", r.body, r.status)
	}
	if _, err := time.Parse(time.RFC3339Nano, e.Timestamp); err != nil {
		t.Fatalf("error timestamp %q: %v", e.Timestamp, err)
	}
	return e
}

// request options
type reqOpt func(*http.Request)

func header(k, v string) reqOpt { return func(r *http.Request) { r.Header.Set(k, v) } }

func noUserAgent() reqOpt { return func(r *http.Request) { r.Header.Set("User-Agent", "") } }

func basic(user, pass string) reqOpt { return func(r *http.Request) { r.SetBasicAuth(user, pass) } }

func noAuth() reqOpt { return func(r *http.Request) { r.Header.Del("Authorization") } }

func bearer(token string) reqOpt {
	return func(r *http.Request) { r.Header.Set("Authorization", "Bearer "+token) }
}

func (c *testClient) send(method, path string, body any, opts ...reqOpt) (response, error) {
	c.t.Helper()
	var rd io.Reader
	switch b := body.(type) {
	case nil:
	case string:
		rd = strings.NewReader(b)
	case []byte:
		rd = bytes.NewReader(b)
	default:
		raw, err := json.Marshal(b)
		if err != nil {
			c.t.Fatal(err)
		}
		rd = bytes.NewReader(raw)
	}
	req, err := http.NewRequest(method, c.s.BaseURL()+path, rd)
	if err != nil {
		c.t.Fatal(err)
	}
	req.SetBasicAuth(c.s.APIKey(), "")
	req.Header.Set("User-Agent", "sandbox-test/1.0")
	if rd != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	for _, o := range opts {
		o(req)
	}
	resp, err := c.http.Do(req)
	if err != nil {
		return response{}, err
	}
	defer resp.Body.Close()
	raw, err := io.ReadAll(resp.Body)
	if err != nil {
		return response{}, err
	}
	if resp.Header.Get("X-Request-Id") == "" {
		c.t.Errorf("%s %s: no X-Request-Id on a %d response", method, path, resp.StatusCode)
	}
	return response{status: resp.StatusCode, header: resp.Header, body: raw}, nil
}

func (c *testClient) do(method, path string, body any, opts ...reqOpt) response {
	c.t.Helper()
	r, err := c.send(method, path, body, opts...)
	if err != nil {
		c.t.Fatalf("%s %s: %v", method, path, err)
	}
	return r
}

func (c *testClient) mustStatus(want int, method, path string, body any, opts ...reqOpt) response {
	c.t.Helper()
	r := c.do(method, path, body, opts...)
	if r.status != want {
		c.t.Fatalf("%s %s: status %d, want %d; body %s", method, path, r.status, want, r.body)
	}
	return r
}

func (c *testClient) create(body map[string]any, opts ...reqOpt) wireProfile {
	c.t.Helper()
	var p wireProfile
	c.mustStatus(http.StatusCreated, http.MethodPost, "/connector_profiles", body, opts...).json(c.t, &p)
	return p
}

func zoomInfoBody(name string) map[string]any {
	return map[string]any{
		"connector_key":             "zoominfo",
		"name":                      name,
		"authentication_config_key": "oauth2_authorization_code_pkce",
		"client_id":                 "0oaf6t3osgvaPvy4E1d7",
		"client_secret":             "s3cr3t-" + name,
		"scopes":                    []string{"api:data:contact", "api:data:company"},
		"actions":                   []string{"zoominfo_search_contacts"},
	}
}

func acmeBody(name string) map[string]any {
	return map[string]any{
		"connector_key":             "acmecrm",
		"name":                      name,
		"authentication_config_key": "oauth2_authorization_code",
		"client_id":                 "acme-client",
		"client_secret":             "acme-secret",
		"scopes":                    []string{"contacts:write"},
	}
}

// wireProfile decodes a connector profile as a client sees it: the
// published fields, then the extension's.
type wireProfile struct {
	ID                        string   `json:"id"`
	Name                      string   `json:"name"`
	ConnectorKey              string   `json:"connector_key"`
	ConnectorLabel            string   `json:"connector_label"`
	LogoURL                   string   `json:"logo_url"`
	Categories                []string `json:"categories"`
	Active                    bool     `json:"active"`
	Default                   bool     `json:"default"`
	ReleaseStage              string   `json:"release_stage"`
	CreatedAt                 string   `json:"created_at"`
	UpdatedAt                 string   `json:"updated_at"`
	AuthenticationConfigKey   string   `json:"authentication_config_key"`
	AuthenticationConfigLabel string   `json:"authentication_config_label"`
	Environment               string   `json:"environment"`
	ConnectorVersion          string   `json:"connector_version"`
	ConnectorPinnedVersion    *string  `json:"connector_pinned_version"`
	ConnectorOwner            string   `json:"connector_owner"`

	ClientID              string   `json:"client_id"`
	Scopes                []string `json:"scopes"`
	Actions               []string `json:"actions"`
	ClientSecretSet       bool     `json:"client_secret_set"`
	ClientSecretUpdatedAt *string  `json:"client_secret_updated_at"`
}

// wireProfilePage decodes GET /connector_profiles.
type wireProfilePage struct {
	Data     []wireProfile `json:"data"`
	Page     int           `json:"page"`
	PageSize int           `json:"page_size"`
	Total    int           `json:"total"`
}

// keysOf returns the top-level keys of a JSON object.
func keysOf(t *testing.T, raw []byte) map[string]json.RawMessage {
	t.Helper()
	var m map[string]json.RawMessage
	if err := json.Unmarshal(raw, &m); err != nil {
		t.Fatalf("decoding %s: %v", raw, err)
	}
	return m
}
