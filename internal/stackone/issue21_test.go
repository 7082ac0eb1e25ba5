package stackone

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"
)

// What the client does with answers that StackOne's published API allows,
// or that a proxy, a busy account or a newer StackOne might send.

// TestListWithoutTotalReadToItsEnd: a server that caps its pages at 30 and
// sends no total is read until an empty page (with page_size unstated) or a
// page shorter than the page_size it states.
func TestListWithoutTotalReadToItsEnd(t *testing.T) {
	items := profileItems("zoominfo", "p", 1, 75)
	for _, stated := range []bool{false, true} {
		srv, hits := pageServer(t, func(n int, _ url.Values) any {
			page := numbered(items, n, 30, false)
			if !stated {
				delete(page, "page_size")
			}
			return page
		})
		got, err := listProfiles(t, srv, "zoominfo")
		if err != nil || len(got) != 75 {
			t.Fatalf("page_size stated %v: read %d profiles (%v), want 75", stated, len(got), err)
		}
		// 30, 30, 15: the short page ends it when its size was stated; else
		// the empty page after it does.
		if want := map[bool]int{true: 3, false: 4}[stated]; hits.get() != want {
			t.Errorf("page_size stated %v: %d requests, want %d", stated, hits.get(), want)
		}
	}
}

// TestAccountsCappedBelowThePageSizeReadToTheirEnd: /accounts is a bare
// array; a server that caps it at 50 is read until an empty page, and one
// that ignores page is an error, not a loop.
func TestAccountsCappedBelowThePageSizeReadToTheirEnd(t *testing.T) {
	serve := func(ignorePage bool) *httptest.Server {
		srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			page, _ := strconv.Atoi(r.URL.Query().Get("page"))
			if ignorePage {
				page = 1
			}
			items := []map[string]any{}
			for i := (page - 1) * 50; i < page*50 && i < 120; i++ {
				items = append(items, map[string]any{"id": fmt.Sprintf("acc-%d", i), "provider": "zoominfo", "status": "active"})
			}
			writeJSON(w, 200, items)
		}))
		t.Cleanup(srv.Close)
		return srv
	}
	c, _ := newTestClient(t, serve(false))
	accts, err := c.ListAccounts(context.Background(), ListAccountsOptions{})
	if err != nil || len(accts) != 120 {
		t.Fatalf("read %d accounts (%v), want 120", len(accts), err)
	}
	c, _ = newTestClient(t, serve(true))
	if _, err := c.ListAccounts(context.Background(), ListAccountsOptions{}); err == nil || !strings.Contains(err.Error(), "seems to ignore the page parameter") {
		t.Fatalf("want an error for a server that ignores page, got %v", err)
	}
}

// churnServer lists p1..p5 and the profile under test in pages of 3 (a
// paged list, which can shift between its pages), except that every read
// misses "target" and lists a profile the read before did not (as a shift
// between pages does under steady churn), until settle reads have been
// made; from then on it lists the same ids each time.
func churnServer(t *testing.T, settle int, withTarget bool) (*httptest.Server, *counter) {
	var reads counter
	var mu sync.Mutex
	var items []map[string]any
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		page, _ := strconv.Atoi(r.URL.Query().Get("page"))
		mu.Lock()
		defer mu.Unlock()
		if page == 1 { // a new read
			n := reads.inc()
			items = profileItems("zoominfo", "p", 1, 5)
			switch {
			case n <= settle:
				items = append(items, map[string]any{"id": fmt.Sprintf("new-%d", n), "name": "n", "connector_key": "zoominfo"})
			case withTarget:
				items = append(items, map[string]any{"id": "target", "name": "n", "connector_key": "zoominfo"})
			}
		}
		writeJSON(w, 200, numbered(items, page, 3, true))
	}))
	t.Cleanup(srv.Close)
	return srv, &reads
}

// TestMissConfirmedOnlyByAListThatHoldsStill: a profile missing from reads
// that never agree is not reported gone (ErrListUnsettled, not
// ErrProfileNotFound); missing from two reads that agree, it is.
func TestMissConfirmedOnlyByAListThatHoldsStill(t *testing.T) {
	srv, reads := churnServer(t, 100, false)
	c, _ := newTestClient(t, srv)
	_, err := c.ConnectorProfile(context.Background(), "target", "zoominfo")
	if IsNotFound(err) || !errors.Is(err, ErrListUnsettled) {
		t.Fatalf("a list that never held still: want ErrListUnsettled and not IsNotFound, got %v", err)
	}
	if n := reads.get(); n != 1+maxConfirmingReads {
		t.Errorf("%d reads, want %d", n, 1+maxConfirmingReads)
	}

	srv, reads = churnServer(t, 2, false) // two moving reads, then still
	c, _ = newTestClient(t, srv)
	_, err = c.ConnectorProfile(context.Background(), "target", "zoominfo")
	if !errors.Is(err, ErrProfileNotFound) {
		t.Fatalf("a list that held still without it: want ErrProfileNotFound, got %v", err)
	}
	if n := reads.get(); n != 4 {
		t.Errorf("%d reads, want 4 (two moving, then two that agree)", n)
	}

	srv, _ = churnServer(t, 2, true) // it shows up once the list settles
	c, _ = newTestClient(t, srv)
	if p, err := c.ConnectorProfile(context.Background(), "target", "zoominfo"); err != nil || p.ID != "target" {
		t.Fatalf("want the profile once a read finds it, got %v, %v", p, err)
	}
}

// TestEveryLookupOfAMissingProfileIsConfirmed: a lookup whose first read is
// a read another lookup made (even one that held still) still gets a read
// of its own after its miss; and a list that comes in one page (one answer,
// which nothing can shift) confirms a miss at once.
func TestEveryLookupOfAMissingProfileIsConfirmed(t *testing.T) {
	srv, reads := churnServer(t, 1, false)
	c, _ := newTestClient(t, srv)
	ctx := context.Background()
	if _, err := c.ConnectorProfile(ctx, "a-missing-one", "zoominfo"); !errors.Is(err, ErrProfileNotFound) || reads.get() != 3 {
		t.Fatalf("want ErrProfileNotFound after 3 reads (one moving, two that agree), got %v after %d", err, reads.get())
	}
	if _, err := c.ConnectorProfile(ctx, "another-missing-one", "zoominfo"); !errors.Is(err, ErrProfileNotFound) {
		t.Fatalf("want ErrProfileNotFound, got %v", err)
	}
	if n := reads.get(); n != 4 {
		t.Errorf("the second lookup's miss made %d reads, want 1 of its own", n-3)
	}
	// One page: the confirming read agrees by being one answer.
	one, hits := pageServer(t, func(n int, _ url.Values) any {
		return numbered(profileItems("zoominfo", "p", 1, 5), n, 100, true)
	})
	c, _ = newTestClient(t, one)
	if _, err := c.ConnectorProfile(ctx, "target", "zoominfo"); !errors.Is(err, ErrProfileNotFound) || hits.get() != 2 {
		t.Fatalf("want ErrProfileNotFound after 2 reads, got %v after %d", err, hits.get())
	}
}

// TestIDInAnotherLetterCaseIsNeitherFoundNorGone: a list that holds the
// profile only under another letter case of its id gives an error naming
// both, never "not found".
func TestIDInAnotherLetterCaseIsNeitherFoundNorGone(t *testing.T) {
	srv, _ := pageServer(t, func(n int, _ url.Values) any {
		return numbered([]map[string]any{{"id": "ABC-123", "name": "n", "connector_key": "zoominfo"}}, n, 100, true)
	})
	c, _ := newTestClient(t, srv)
	_, err := c.ConnectorProfile(context.Background(), "abc-123", "zoominfo")
	if err == nil || IsNotFound(err) || !strings.Contains(err.Error(), `lists "ABC-123", which differs from it only in letter case`) {
		t.Fatalf("want an error naming the other case, got %v", err)
	}
}

// TestPinnedRouteMissingIsNotNoPin: 404 "Cannot GET …/pinned_version" is a
// missing route, not "nothing pinned"; a 404 with another message is.
func TestPinnedRouteMissingIsNotNoPin(t *testing.T) {
	for _, tc := range []struct {
		message, code string
		notFound      bool
	}{
		{"Cannot GET /connector_profiles/p1/pinned_version", "", false},
		{"No pinned version for profile p1", "NotFound", true},
	} {
		srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			writeError(w, 404, tc.message, tc.code)
		}))
		c, _ := newTestClient(t, srv)
		_, err := c.GetPinnedVersion(context.Background(), "p1")
		srv.Close()
		if IsNotFound(err) != tc.notFound || errors.Is(err, ErrRouteMissing) == tc.notFound {
			t.Errorf("%q: IsNotFound %v, ErrRouteMissing %v; want IsNotFound %v", tc.message, IsNotFound(err), errors.Is(err, ErrRouteMissing), tc.notFound)
		}
	}
}

// TestCreateAnsweredWithAnExistingProfileIsRefused: a create-or-return
// server's answer is not recorded: an id listed before the POST, a
// created_at older than the request on the server's clock, or a client id,
// scopes or actions other than those sent.
func TestCreateAnsweredWithAnExistingProfileIsRefused(t *testing.T) {
	old := "2024-01-01T00:00:00Z"
	for name, tc := range map[string]struct {
		answer map[string]any
		want   string
	}{
		"an id listed before":   {map[string]any{"id": "by-1", "name": "mine", "connector_key": "zoominfo"}, "was in the list of profiles read before the create was sent"},
		"created long ago":      {map[string]any{"id": "new-1", "name": "mine", "connector_key": "zoominfo", "created_at": old}, "it was created before the request was sent"},
		"another client id":     {map[string]any{"id": "new-1", "name": "mine", "connector_key": "zoominfo", "client_id": "other"}, `its client id is "other", not the "cid" sent`},
		"other scopes":          {map[string]any{"id": "new-1", "name": "mine", "connector_key": "zoominfo", "scopes": []string{"a", "x"}}, `its scopes are ["a", "x"], not the ["a"] sent`},
		"other actions":         {map[string]any{"id": "new-1", "name": "mine", "connector_key": "zoominfo", "actions": []string{"z"}}, `its actions are ["z"], not the [] sent`},
		"unreadable created_at": {map[string]any{"id": "new-1", "name": "mine", "connector_key": "zoominfo", "created_at": "yesterday"}, "not an RFC 3339 time"},
	} {
		srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			if r.Method == http.MethodGet {
				writeJSON(w, 200, numbered([]map[string]any{{"id": "by-1", "name": "mine", "connector_key": "zoominfo", "created_at": old}}, 1, 100, true))
				return
			}
			writeJSON(w, 201, tc.answer)
		}))
		c, _ := newTestClient(t, srv)
		_, err := c.CreateConnectorProfile(context.Background(), CreateConnectorProfileRequest{ConnectorKey: "zoominfo", Name: "mine", ClientID: "cid", ClientSecret: "s", Scopes: []string{"a"}})
		srv.Close()
		var existing *ExistingProfileError
		if !errors.As(err, &existing) || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("%s: want an *ExistingProfileError saying %q, got %v", name, tc.want, err)
		}
	}
	// The same answer, made now, for a profile not listed before: recorded.
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Method == http.MethodGet {
			writeJSON(w, 200, numbered(nil, 1, 100, true))
			return
		}
		now := time.Now().UTC().Format(time.RFC3339)
		writeJSON(w, 201, map[string]any{"id": "new-1", "name": "mine", "connector_key": "zoominfo", "client_id": "cid", "scopes": []string{"a", "a"}, "actions": []string{}, "created_at": now})
	}))
	defer srv.Close()
	c, _ := newTestClient(t, srv)
	if _, err := c.CreateConnectorProfile(context.Background(), CreateConnectorProfileRequest{ConnectorKey: "zoominfo", Name: "mine", ClientID: "cid", ClientSecret: "s", Scopes: []string{"a"}}); err != nil {
		t.Fatalf("a new profile was refused: %v", err)
	}
}

// TestSecretsTheProcessHoldsAreMaskedInEveryAnswer: a client secret handed
// over (or sent once) is masked in the answer to any later request; a
// value quoting one is refused before it can be stored.
func TestSecretsTheProcessHoldsAreMaskedInEveryAnswer(t *testing.T) {
	const held, sent = "held-in-state-0123456789", "sent-by-a-create-0123456789"
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		switch {
		case r.Method == http.MethodPost:
			writeError(w, 400, "refused", "")
		case strings.HasSuffix(r.URL.Path, "/versions"):
			writeJSON(w, 200, []map[string]any{{"version": "1.0", "owner": "x " + held}})
		default:
			writeError(w, 400, "bad: "+held+" and "+sent, "")
		}
	}))
	defer srv.Close()
	c, _ := newTestClient(t, srv)
	primeEmptyList(c, "zoominfo")
	c.RememberSecrets(held)
	_, _ = c.CreateConnectorProfile(context.Background(), CreateConnectorProfileRequest{ConnectorKey: "zoominfo", ClientSecret: sent})
	_, err := c.UpdateConnectorProfile(context.Background(), "p1", "zoominfo", UpdateConnectorProfileRequest{})
	if err == nil || strings.Contains(err.Error(), held) || strings.Contains(err.Error(), sent) || strings.Count(err.Error(), "[redacted]") != 2 {
		t.Fatalf("want both secrets masked in a later answer, got %v", err)
	}
	_, err = c.ListConnectorVersions(context.Background(), "p1")
	if err == nil || strings.Contains(err.Error(), held) || !strings.Contains(err.Error(), "owner that quotes a secret") {
		t.Fatalf("want the echoed owner refused and masked, got %v", err)
	}
	if got := c.Mask("x " + held + " y"); got != "x [redacted] y" {
		t.Errorf("Mask = %q", got)
	}
}

// TestProfileWritesAskedOnceWithoutSideEffects: OPTIONS decides when it
// names its methods; else a PATCH of an id no profile has; once per Client.
func TestProfileWritesAskedOnceWithoutSideEffects(t *testing.T) {
	for name, tc := range map[string]struct {
		options func(w http.ResponseWriter)
		patch   func(w http.ResponseWriter)
		want    WritesSupport
		patches int
	}{
		"allow with POST":    {func(w http.ResponseWriter) { w.Header().Set("Allow", "GET, POST"); w.WriteHeader(204) }, nil, WritesSupported, 0},
		"allow without POST": {func(w http.ResponseWriter) { w.Header().Set("Allow", "GET, HEAD"); w.WriteHeader(204) }, nil, WritesRefused, 0},
		"no OPTIONS, Cannot PATCH": {nil, func(w http.ResponseWriter) {
			writeError(w, 404, "Cannot PATCH /connector_profiles/"+writeCheckID, "")
		}, WritesRefused, 1},
		"no OPTIONS, no such profile": {nil, func(w http.ResponseWriter) { writeError(w, 404, "connector profile not found", "NotFound") }, WritesSupported, 1},
		"no OPTIONS, 401":             {nil, func(w http.ResponseWriter) { writeError(w, 401, "bad key", "") }, WritesUnknown, 1},
		"OPTIONS 503":                 {func(w http.ResponseWriter) { writeError(w, 503, "down", "") }, nil, WritesUnknown, 0},
	} {
		var mu sync.Mutex
		seen := map[string]int{}
		srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			mu.Lock()
			seen[r.Method]++
			mu.Unlock()
			switch {
			case r.Method == http.MethodOptions && tc.options != nil:
				tc.options(w)
			case r.Method == http.MethodPatch && tc.patch != nil:
				body := map[string]any{}
				if err := json.NewDecoder(r.Body).Decode(&body); err != nil || len(body) != 0 || !strings.HasSuffix(r.URL.Path, writeCheckID) {
					t.Errorf("%s: the check's PATCH carried %v to %s", name, body, r.URL.Path)
				}
				tc.patch(w)
			default:
				writeError(w, 404, "Cannot "+r.Method+" "+r.URL.Path, "")
			}
		}))
		c, _ := newTestClient(t, srv, func(c *Config) { c.MaxRetries = retries(0) })
		for range 3 {
			if got, _, _ := c.ProfileWrites(context.Background()); got != tc.want {
				t.Errorf("%s: %v, want %v", name, got, tc.want)
			}
		}
		srv.Close()
		if seen[http.MethodOptions] != 1 || seen[http.MethodPatch] != tc.patches || seen[http.MethodPost]+seen[http.MethodDelete] != 0 {
			t.Errorf("%s: asked %v, want one OPTIONS and %d PATCH, nothing else", name, seen, tc.patches)
		}
	}
}

// TestAfterA429TheWholeProcessWaits: a 429 with Retry-After: 1 holds back
// every request of the Client, not only its own retry, for at least that
// second (plus jitter); and the 429 uses up no retry (max_retries 1 is left
// for a 500 that follows).
func TestAfterA429TheWholeProcessWaits(t *testing.T) {
	var mu sync.Mutex
	var arrivals []time.Time
	throttled := make(chan struct{})
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		mu.Lock()
		arrivals = append(arrivals, time.Now())
		n := len(arrivals)
		mu.Unlock()
		switch n {
		case 1:
			w.Header().Set("Retry-After", "1")
			writeError(w, 429, "slow down", "")
			close(throttled)
		case 2:
			writeError(w, 500, "oops", "")
		default:
			writeJSON(w, 200, []any{})
		}
	}))
	defer srv.Close()
	c, _ := newTestClient(t, srv, func(c *Config) { c.MaxRetries = retries(1); c.RetryWaitMax = 5 * time.Second })
	ctx := context.Background()
	var wg sync.WaitGroup
	wg.Add(1)
	go func() {
		defer wg.Done()
		// 429, 500, then answered: the 429 cost no retry.
		if _, err := c.ListConnectorVersions(ctx, "p0"); err != nil {
			t.Error(err)
		}
	}()
	<-throttled
	// Once the client has read the 429 (requests already in flight cannot
	// be held back), every new request waits.
	limiter := c.httpClient.Transport.(*attemptTransport).limiter
	for deadline, paused := time.Now().Add(500*time.Millisecond), false; !paused && time.Now().Before(deadline); {
		limiter.mu.Lock()
		paused = !limiter.pausedUntil.IsZero()
		limiter.mu.Unlock()
		time.Sleep(time.Millisecond)
	}
	for i := range 8 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			if _, err := c.ListConnectorVersions(ctx, fmt.Sprintf("p%d", i+1)); err != nil {
				t.Error(err)
			}
		}()
	}
	wg.Wait()
	mu.Lock()
	defer mu.Unlock()
	for i, at := range arrivals[1:] {
		if d := at.Sub(arrivals[0]); d < time.Second {
			t.Errorf("request %d arrived %s after the 429 that asked for 1s", i+2, d)
		}
	}
	if len(arrivals) != 11 {
		t.Errorf("%d requests, want 11 (the 429, a 500, the answer, 8 others)", len(arrivals))
	}
}
