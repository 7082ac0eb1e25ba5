package stackone

import (
	"context"
	"errors"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"
)

// TestCreateOnPublishedServer: POST /connector_profiles answered 404 "Cannot
// POST" (its GET is published) is a server without profile writes, not a
// missing object.
func TestCreateOnPublishedServer(t *testing.T) {
	fake := newFakeAPI(1, "zoominfo")
	fake.published = true
	srv := httptest.NewServer(fake)
	defer srv.Close()
	c, _ := newTestClient(t, srv)
	_, err := c.CreateConnectorProfile(context.Background(), CreateConnectorProfileRequest{ConnectorKey: "zoominfo", ClientSecret: "s"})
	if !errors.Is(err, ErrWritesUnsupported) || IsNotFound(err) {
		t.Fatalf("want ErrWritesUnsupported and not IsNotFound, got %v (IsNotFound %v)", err, IsNotFound(err))
	}
	var wu *WritesUnsupportedError
	if !errors.As(err, &wu) || wu.Op != "create" || wu.Answer.StatusCode != 404 || wu.Answer.Method != "POST" {
		t.Fatalf("want a *WritesUnsupportedError for the create, got %#v", err)
	}
	if !strings.Contains(err.Error(), "POST /connector_profiles") || !strings.Contains(err.Error(), "404") {
		t.Errorf("message should say what was answered: %v", err)
	}
	// One list read before the create (to prove an answer new), none after its 404.
	if n := fake.count("GET /connector_profiles"); n != 1 {
		t.Errorf("a create's 404 needs no list beyond the one read before it, made %d", n)
	}
}

// TestUpdateDeleteOnPublishedServer: a 404 to PATCH or DELETE of a profile
// that the list holds is a missing route.
func TestUpdateDeleteOnPublishedServer(t *testing.T) {
	for _, key := range []string{"zoominfo", ""} {
		fake := newFakeAPI(3, "zoominfo")
		fake.published = true
		srv := httptest.NewServer(fake)
		c, _ := newTestClient(t, srv)
		ctx := context.Background()
		name := "n"
		_, errU := c.UpdateConnectorProfile(ctx, "id-2", key, UpdateConnectorProfileRequest{Name: &name})
		errD := c.DeleteConnectorProfile(ctx, "id-2", key)
		srv.Close()
		for op, err := range map[string]error{"update": errU, "delete": errD} {
			var wu *WritesUnsupportedError
			if !errors.Is(err, ErrWritesUnsupported) || IsNotFound(err) || errors.Is(err, ErrProfileNotFound) ||
				!errors.As(err, &wu) || wu.Op != op || wu.Answer == nil || wu.Answer.StatusCode != 404 {
				t.Errorf("key %q, %s: want a *WritesUnsupportedError, got %v", key, op, err)
			}
		}
		if n := fake.count("GET /connector_profiles"); n != 2 {
			t.Errorf("key %q: made %d list requests, want one per ambiguous 404", key, n)
		}
	}
}

// TestUpdateDeleteOfMissingProfile: a 404 to PATCH or DELETE of a profile
// absent from the list is "not found".
func TestUpdateDeleteOfMissingProfile(t *testing.T) {
	for _, published := range []bool{false, true} {
		fake := newFakeAPI(3, "zoominfo")
		fake.published = published
		srv := httptest.NewServer(fake)
		c, _ := newTestClient(t, srv)
		ctx := context.Background()
		name := "n"
		_, errU := c.UpdateConnectorProfile(ctx, "gone", "zoominfo", UpdateConnectorProfileRequest{Name: &name})
		errD := c.DeleteConnectorProfile(ctx, "gone", "zoominfo")
		srv.Close()
		for op, err := range map[string]error{"update": errU, "delete": errD} {
			if !IsNotFound(err) || !errors.Is(err, ErrProfileNotFound) || errors.Is(err, ErrWritesUnsupported) {
				t.Errorf("published %v, %s: want ErrProfileNotFound, got %v", published, op, err)
			}
			if !strings.Contains(err.Error(), `"gone"`) {
				t.Errorf("published %v, %s: message should name the profile: %v", published, op, err)
			}
		}
	}
}

// TestWriteAnswered405Or501: both mean "no such write" whatever the op, and
// need no list to tell.
func TestWriteAnswered405Or501(t *testing.T) {
	for _, status := range []int{405, 501} {
		var lists counter
		srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			if r.Method == http.MethodGet {
				lists.inc()
				writeJSON(w, 200, numbered(nil, 1, 100, true))
				return
			}
			writeError(w, status, "nope", "")
		}))
		c, _ := newTestClient(t, srv)
		ctx := context.Background()
		_, errC := c.CreateConnectorProfile(ctx, CreateConnectorProfileRequest{ConnectorKey: "zoominfo", ClientSecret: "s"})
		_, errU := c.UpdateConnectorProfile(ctx, "p", "zoominfo", UpdateConnectorProfileRequest{})
		errD := c.DeleteConnectorProfile(ctx, "p", "zoominfo")
		srv.Close()
		for op, err := range map[string]error{"create": errC, "update": errU, "delete": errD} {
			var wu *WritesUnsupportedError
			if !errors.Is(err, ErrWritesUnsupported) || IsNotFound(err) || !errors.As(err, &wu) || wu.Op != op ||
				wu.Answer.StatusCode != status {
				t.Errorf("%d %s: want a *WritesUnsupportedError, got %v", status, op, err)
			}
		}
		if n := lists.get(); n != 1 {
			t.Errorf("%d: made %d list requests, want only the one read before the create", status, n)
		}
	}
}

// TestWriteOtherErrorsPassThrough: a 400 or 409 to a write is the server's
// answer, neither "unsupported" nor "not found".
func TestWriteOtherErrorsPassThrough(t *testing.T) {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		writeError(w, 409, "Idempotency key reused", "IdempotencyKeyReused")
	}))
	defer srv.Close()
	c, _ := newTestClient(t, srv)
	_, err := c.CreateConnectorProfile(context.Background(), CreateConnectorProfileRequest{ConnectorKey: "zoominfo", ClientSecret: "s"})
	var apiErr *APIError
	if !errors.As(err, &apiErr) || apiErr.ErrorCode != "IdempotencyKeyReused" || errors.Is(err, ErrWritesUnsupported) || IsNotFound(err) {
		t.Errorf("want the 409 APIError, got %v", err)
	}
}

// TestWriteAnswersChecked: an answer Terraform could not record safely is an
// error, and does not reach the snapshot.
func TestWriteAnswersChecked(t *testing.T) {
	cases := []struct {
		name   string
		method string
		answer map[string]any
		want   string
	}{
		{"create without id", http.MethodPost, map[string]any{"name": "n", "connector_key": "zoominfo"}, "without a profile id"},
		{"create with empty id", http.MethodPost, map[string]any{"id": "", "connector_key": "zoominfo"}, "without a profile id"},
		{"create with blank id", http.MethodPost, map[string]any{"id": "  ", "connector_key": "zoominfo"}, "without a profile id"},
		{"create with a path id", http.MethodPost, map[string]any{"id": "../x", "connector_key": "zoominfo"}, "invalid id"},
		{"create of another connector", http.MethodPost, map[string]any{"id": "p9", "connector_key": "workday"}, `connector "workday" instead of "zoominfo"`},
		{"update with another id", http.MethodPatch, map[string]any{"id": "other", "connector_key": "zoominfo"}, `profile "p1" with profile "other"`},
		{"update without id", http.MethodPatch, map[string]any{"connector_key": "zoominfo"}, "without a profile id"},
		// connector_key cannot change: an answer of another connector is broken,
		// and recording it would move the profile out of its connector's list.
		{"update of another connector", http.MethodPatch, map[string]any{"id": "p1", "connector_key": "workday"}, `connector "workday" instead of "zoominfo"`},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				switch r.Method {
				case http.MethodGet:
					writeJSON(w, 200, numbered([]map[string]any{{"id": "p1", "name": "old", "connector_key": "zoominfo"}}, 1, 100, true))
				case tc.method:
					writeJSON(w, 200, tc.answer)
				default:
					writeError(w, 500, "unexpected", "")
				}
			}))
			defer srv.Close()
			c, _ := newTestClient(t, srv)
			ctx := context.Background()
			if _, err := c.ConnectorProfiles(ctx, "zoominfo"); err != nil {
				t.Fatal(err)
			}
			var err error
			if tc.method == http.MethodPost {
				_, err = c.CreateConnectorProfile(ctx, CreateConnectorProfileRequest{ConnectorKey: "zoominfo", ClientSecret: "s"})
			} else {
				name := "new"
				_, err = c.UpdateConnectorProfile(ctx, "p1", "zoominfo", UpdateConnectorProfileRequest{Name: &name})
			}
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Fatalf("want an error with %q, got %v", tc.want, err)
			}
			ps, _ := c.ConnectorProfiles(ctx, "zoominfo")
			if len(ps) != 1 || ps[0].ID != "p1" || ps[0].Name != "old" {
				t.Errorf("a refused answer reached the snapshot: %+v", ps)
			}
		})
	}
}

// TestWrite404WithListFailure: when the list that would tell a missing route
// from a missing profile cannot be read, the answer is neither: only a
// profile absent from a complete list is "not found" (else a delete would
// read as done and Terraform would forget a profile that still exists).
func TestWrite404WithListFailure(t *testing.T) {
	for _, listStatus := range []int{503, 404, 403} {
		srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			if r.Method == http.MethodGet {
				writeError(w, listStatus, "list failed", "")
				return
			}
			writeError(w, 404, "Cannot "+r.Method+" "+r.URL.Path, "")
		}))
		c, _ := newTestClient(t, srv, func(c *Config) { c.MaxRetries = retries(0) })
		ctx := context.Background()
		_, errU := c.UpdateConnectorProfile(ctx, "p", "zoominfo", UpdateConnectorProfileRequest{})
		errD := c.DeleteConnectorProfile(ctx, "p", "zoominfo")
		srv.Close()
		for op, err := range map[string]error{"update": errU, "delete": errD} {
			if err == nil || IsNotFound(err) || errors.Is(err, ErrProfileNotFound) || errors.Is(err, ErrWritesUnsupported) {
				t.Errorf("list %d, %s: want an error that is neither not-found nor unsupported, got %v (IsNotFound %v)",
					listStatus, op, err, IsNotFound(err))
				continue
			}
			if !strings.Contains(err.Error(), "listing the profiles") || !strings.Contains(err.Error(), "list failed") {
				t.Errorf("list %d, %s: message should give both answers: %v", listStatus, op, err)
			}
		}
	}
}

// TestWrite404WithListDeadline: the list's failure stays recognisable, so
// the provider can say the operation timed out.
func TestWrite404WithListDeadline(t *testing.T) {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Method == http.MethodGet {
			<-r.Context().Done()
			return
		}
		writeError(w, 404, "Cannot DELETE "+r.URL.Path, "")
	}))
	defer srv.Close()
	c, _ := newTestClient(t, srv)
	ctx, cancel := context.WithTimeout(context.Background(), 200*time.Millisecond)
	defer cancel()
	err := c.DeleteConnectorProfile(ctx, "p", "zoominfo")
	if !errors.Is(err, context.DeadlineExceeded) || IsNotFound(err) {
		t.Fatalf("want a deadline error that is not not-found, got %v", err)
	}
}
