package stackone

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"net/http/httptest"
	"sync"
	"testing"
	"time"
)

// TestSnapshotSingleFlight: N concurrent reads of one connector's profiles
// cost the list's pages once, not N lists.
func TestSnapshotSingleFlight(t *testing.T) {
	const profiles, readers = 250, 60
	fake := newFakeAPI(profiles, "zoominfo")
	fake.add("workday", "other")
	fake.listGate = make(chan bool)
	srv := httptest.NewServer(fake)
	defer srv.Close()
	c, _ := newTestClient(t, srv)

	start := make(chan struct{})
	errs := make([]error, readers)
	var wg sync.WaitGroup
	for i := 0; i < readers; i++ {
		wg.Add(1)
		go func(i int) {
			defer wg.Done()
			<-start
			id := fmt.Sprintf("id-%d", i*4+1)
			p, err := c.ConnectorProfile(context.Background(), id, "zoominfo")
			if err == nil && p.ID != id {
				err = fmt.Errorf("asked for %s, got %s", id, p.ID)
			}
			errs[i] = err
		}(i)
	}
	close(start)
	// Hold the first page until every reader has had time to ask.
	time.Sleep(100 * time.Millisecond)
	go func() {
		for {
			select {
			case fake.listGate <- true:
			case <-time.After(5 * time.Second):
				return
			}
		}
	}()
	wg.Wait()
	for i, err := range errs {
		if err != nil {
			t.Errorf("reader %d: %v", i, err)
		}
	}
	want := (profiles + maxPageSize - 1) / maxPageSize
	if n := fake.count("GET /connector_profiles"); n != want {
		t.Errorf("%d readers made %d list requests, want %d", readers, n, want)
	}

	// Later reads are served from the snapshot.
	all, err := c.ConnectorProfiles(context.Background(), "zoominfo")
	if err != nil || len(all) != profiles {
		t.Fatalf("ConnectorProfiles = %d profiles, %v", len(all), err)
	}
	if n := fake.count("GET /connector_profiles"); n != want {
		t.Errorf("a later read listed again (%d requests)", n)
	}
	// The slice is the caller's: changing it changes no later answer.
	all[0].Name = "changed by the caller"
	if p, _ := c.ConnectorProfile(context.Background(), all[0].ID, "zoominfo"); p == nil || p.Name == "changed by the caller" {
		t.Errorf("the snapshot shares memory with a caller: %+v", p)
	}
	// Another connector is its own list.
	if _, err := c.ConnectorProfile(context.Background(), "id-251", "workday"); err != nil {
		t.Fatal(err)
	}
	if _, err := c.ConnectorProfile(context.Background(), "id-1", "workday"); !errors.Is(err, ErrProfileNotFound) || !IsNotFound(err) {
		t.Errorf("a zoominfo profile read as workday: want ErrProfileNotFound, got %v", err)
	}
	// The workday list, and the read confirming that id-1 is not in it.
	if n := fake.count("GET /connector_profiles"); n != want+2 {
		t.Errorf("made %d list requests, want %d", n, want+2)
	}
}

// TestSnapshotFollowsClientWrites: a create, update or delete through the
// Client shows in the snapshot without another list request.
func TestSnapshotFollowsClientWrites(t *testing.T) {
	fake := newFakeAPI(3, "zoominfo")
	srv := httptest.NewServer(fake)
	defer srv.Close()
	c, _ := newTestClient(t, srv)
	ctx := context.Background()

	if _, err := c.ConnectorProfiles(ctx, "zoominfo"); err != nil {
		t.Fatal(err)
	}
	if _, err := c.ConnectorProfiles(ctx, ""); err != nil {
		t.Fatal(err)
	}
	if _, err := c.ConnectorProfiles(ctx, "workday"); err != nil {
		t.Fatal(err)
	}
	// Look one profile up in each list, so that their id indexes exist
	// before the writes and must follow them.
	for _, key := range []string{"zoominfo", ""} {
		if _, err := c.ConnectorProfile(ctx, "id-1", key); err != nil {
			t.Fatal(err)
		}
	}
	lists := fake.count("GET /connector_profiles")

	created, err := c.CreateConnectorProfile(ctx, CreateConnectorProfileRequest{
		ConnectorKey: "zoominfo", AuthenticationConfigKey: "oauth2_authorization_code_pkce", Name: "new",
		ClientID: "cid", ClientSecret: "s",
	})
	if err != nil {
		t.Fatal(err)
	}
	for _, key := range []string{"zoominfo", ""} {
		if p, err := c.ConnectorProfile(ctx, created.ID, key); err != nil || p.Name != "new" {
			t.Errorf("created profile in the %q snapshot: %+v, %v", key, p, err)
		}
	}
	if _, err := c.ConnectorProfile(ctx, created.ID, "workday"); !errors.Is(err, ErrProfileNotFound) {
		t.Errorf("a zoominfo profile appeared in the workday snapshot: %v", err)
	}
	lists++ // that miss is confirmed by reading the workday list again

	name := "renamed"
	if _, err := c.UpdateConnectorProfile(ctx, "id-2", "zoominfo", UpdateConnectorProfileRequest{Name: &name}); err != nil {
		t.Fatal(err)
	}
	for _, key := range []string{"zoominfo", ""} {
		if p, err := c.ConnectorProfile(ctx, "id-2", key); err != nil || p.Name != "renamed" {
			t.Errorf("updated profile in the %q snapshot: %+v, %v", key, p, err)
		}
	}

	if err := c.DeleteConnectorProfile(ctx, "id-3", "zoominfo"); err != nil {
		t.Fatal(err)
	}
	for _, key := range []string{"zoominfo", ""} {
		if _, err := c.ConnectorProfile(ctx, "id-3", key); !errors.Is(err, ErrProfileNotFound) {
			t.Errorf("deleted profile still in the %q snapshot: %v", key, err)
		}
	}
	ps, _ := c.ConnectorProfiles(ctx, "zoominfo")
	if len(ps) != 3 {
		t.Errorf("zoominfo snapshot holds %d profiles, want 3", len(ps))
	}
	if n := fake.count("GET /connector_profiles"); n != lists {
		t.Errorf("writes cost %d more list requests, want none", n-lists)
	}
}

// TestSnapshotInterruptedReadDoesNotPoisonOthers: a read that ends because
// its caller's context did must not fail the callers waiting for it, nor be
// remembered.
func TestSnapshotInterruptedReadDoesNotPoisonOthers(t *testing.T) {
	fake := newFakeAPI(3, "zoominfo")
	fake.listGate = make(chan bool, 10)
	srv := httptest.NewServer(fake)
	defer srv.Close()
	c, _ := newTestClient(t, srv)

	// The first reader's request hangs at the gate until its context ends.
	ctxA, cancelA := context.WithCancel(context.Background())
	errA := make(chan error, 1)
	go func() {
		_, err := c.ConnectorProfile(ctxA, "id-1", "zoominfo")
		errA <- err
	}()
	time.Sleep(50 * time.Millisecond)
	// A second reader joins the read under way.
	errB := make(chan error, 1)
	go func() {
		_, err := c.ConnectorProfile(context.Background(), "id-2", "zoominfo")
		errB <- err
	}()
	time.Sleep(50 * time.Millisecond)
	cancelA()
	if err := <-errA; !errors.Is(err, context.Canceled) {
		t.Fatalf("the interrupted reader: want context.Canceled, got %v", err)
	}
	// Let the next read through. Two tokens: the interrupted request's
	// handler may not have noticed its client is gone and take one.
	fake.listGate <- true
	fake.listGate <- true
	select {
	case err := <-errB:
		if err != nil {
			t.Fatalf("the waiting reader inherited the interruption: %v", err)
		}
	case <-time.After(5 * time.Second):
		t.Fatal("the waiting reader never finished")
	}
	// And a later caller gets the good list, without another read.
	before := fake.count("GET /connector_profiles")
	if _, err := c.ConnectorProfile(context.Background(), "id-3", "zoominfo"); err != nil {
		t.Fatal(err)
	}
	if n := fake.count("GET /connector_profiles"); n != before {
		t.Errorf("a later read listed again")
	}
}

// TestSnapshotInterruptedReadAlone: with no one waiting, the next caller
// simply reads again.
func TestSnapshotInterruptedReadAlone(t *testing.T) {
	fake := newFakeAPI(1, "zoominfo")
	srv := httptest.NewServer(fake)
	defer srv.Close()
	c, _ := newTestClient(t, srv)
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if _, err := c.ConnectorProfile(ctx, "id-1", "zoominfo"); !errors.Is(err, context.Canceled) {
		t.Fatalf("want context.Canceled, got %v", err)
	}
	if _, err := c.ConnectorProfile(context.Background(), "id-1", "zoominfo"); err != nil {
		t.Fatalf("a cancelled read was remembered: %v", err)
	}
}

// TestSnapshotRemembersFailure: a failed read is not repeated by every
// caller; a write through the Client drops it so the next read tries again.
func TestSnapshotRemembersFailure(t *testing.T) {
	var lists counter
	var fail sync.Mutex
	failing := true
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Method == http.MethodPost {
			writeJSON(w, 201, map[string]any{"id": "new", "connector_key": "zoominfo"})
			return
		}
		if r.URL.Query().Get("connector_key") == "" {
			writeJSON(w, 200, numbered(nil, 1, 100, true)) // the create's list read, of another key
			return
		}
		lists.inc()
		fail.Lock()
		defer fail.Unlock()
		if failing {
			writeError(w, 503, "down", "")
			return
		}
		writeJSON(w, 200, numbered([]map[string]any{{"id": "a", "connector_key": "zoominfo"}, {"id": "new", "connector_key": "zoominfo"}}, 1, 100, true))
	}))
	defer srv.Close()
	c, _ := newTestClient(t, srv, func(c *Config) { c.MaxRetries = retries(0) })
	ctx := context.Background()
	for i := 0; i < 5; i++ {
		_, err := c.ConnectorProfile(ctx, "a", "zoominfo")
		if statusOf(err) != 503 || IsNotFound(err) {
			t.Fatalf("read %d: want the 503, got %v", i, err)
		}
	}
	if n := lists.get(); n != 1 {
		t.Errorf("5 reads made %d list requests, want 1", n)
	}
	fail.Lock()
	failing = false
	fail.Unlock()
	if _, err := c.CreateConnectorProfile(ctx, CreateConnectorProfileRequest{ConnectorKey: "", ClientSecret: "s"}); err != nil {
		t.Fatal(err)
	}
	if _, err := c.ConnectorProfile(ctx, "a", "zoominfo"); err != nil {
		t.Fatalf("after a write the failed read should be tried again: %v", err)
	}
	if n := lists.get(); n != 2 {
		t.Errorf("made %d list requests, want 2", n)
	}
}

// TestConnectorProfileDuringRefresh: a lookup that overlaps another
// caller's re-read of the same list (as a write's 404 triggers) must not
// report a listed profile as not found.
func TestConnectorProfileDuringRefresh(t *testing.T) {
	fake := newFakeAPI(2, "zoominfo")
	fake.published = true
	fake.listGate = make(chan bool, 100)
	srv := httptest.NewServer(fake)
	defer srv.Close()
	c, _ := newTestClient(t, srv)
	ctx := context.Background()
	fake.listGate <- true
	if _, err := c.ConnectorProfiles(ctx, "zoominfo"); err != nil {
		t.Fatal(err)
	}
	for round := 0; round < 50; round++ {
		var wg sync.WaitGroup
		wg.Add(2)
		var readErr error
		go func() {
			defer wg.Done()
			// The write's 404 makes the client list again.
			name := "x"
			_, _ = c.UpdateConnectorProfile(ctx, "id-1", "zoominfo", UpdateConnectorProfileRequest{Name: &name})
		}()
		go func() {
			defer wg.Done()
			for i := 0; i < 20; i++ {
				if _, err := c.ConnectorProfile(ctx, "id-2", "zoominfo"); err != nil {
					readErr = err
					return
				}
			}
		}()
		time.Sleep(2 * time.Millisecond)
		fake.listGate <- true
		wg.Wait()
		if readErr != nil {
			t.Fatalf("round %d: a listed profile read as %v", round, readErr)
		}
	}
	if n := fake.count("PATCH /connector_profiles/{id}"); n != 50 {
		t.Errorf("PATCH count = %d, want 50", n)
	}
}

// TestSnapshotWriteDuringRead: a profile the Client creates while a list
// read (of every connector) is under way, whose answer was made before the
// create, is in the snapshot once the read ends; so is a delete made
// meanwhile. (A create first reads its own connector's list, which is not
// held up.)
func TestSnapshotWriteDuringRead(t *testing.T) {
	var mu sync.Mutex
	listed := profileItems("zoominfo", "old", 1, 2) // id-old-1, id-old-2 style items
	gate, started := make(chan struct{}), make(chan struct{}, 1)
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		switch {
		case r.Method == http.MethodGet && r.URL.Path == "/connector_profiles":
			mu.Lock()
			answer := map[string]any{"data": listed, "page": 1, "page_size": 100, "total": len(listed)}
			mu.Unlock()
			if r.URL.Query().Get("connector_key") == "" {
				started <- struct{}{}
				<-gate // the answer was made before the writes below
			}
			writeJSON(w, http.StatusOK, answer)
		case r.Method == http.MethodPost:
			now := time.Now().UTC().Format(time.RFC3339)
			writeJSON(w, http.StatusCreated, map[string]any{"id": "made-during-read", "name": "new", "connector_key": "zoominfo", "created_at": now, "updated_at": now})
		case r.Method == http.MethodDelete:
			w.WriteHeader(http.StatusNoContent)
		default:
			writeError(w, http.StatusNotFound, "Cannot "+r.Method+" "+r.URL.Path, "")
		}
	}))
	defer srv.Close()
	c, _ := newTestClient(t, srv)
	ctx := context.Background()
	gone, _ := listed[0]["id"].(string)

	done := make(chan []ConnectorProfile)
	go func() {
		ps, err := c.ConnectorProfiles(ctx, "")
		if err != nil {
			t.Error(err)
		}
		done <- ps
	}()
	<-started
	if _, err := c.CreateConnectorProfile(ctx, CreateConnectorProfileRequest{ConnectorKey: "zoominfo", AuthenticationConfigKey: "a", Name: "new", ClientID: "c", ClientSecret: "s"}); err != nil {
		t.Fatal(err)
	}
	if err := c.DeleteConnectorProfile(ctx, gone, "zoominfo"); err != nil {
		t.Fatal(err)
	}
	close(gate)
	first := <-done
	for _, ps := range [][]ConnectorProfile{first, mustProfiles(t, c, "zoominfo")} {
		if !hasProfile(ps, "made-during-read") {
			t.Errorf("the profile created during the read is missing: %+v", ps)
		}
		if hasProfile(ps, gone) {
			t.Errorf("the profile deleted during the read is still listed: %+v", ps)
		}
	}
}

func mustProfiles(t *testing.T, c *Client, key string) []ConnectorProfile {
	t.Helper()
	ps, err := c.ConnectorProfiles(context.Background(), key)
	if err != nil {
		t.Fatal(err)
	}
	return ps
}

// BenchmarkRefreshLookups: the N lookups of a refresh of N profiles, from a
// list already read: copying the list for each lookup, as ConnectorProfile
// did (get, then a search of the copy), against the id index it uses now. One op is
// the whole refresh's lookups.
func BenchmarkRefreshLookups(b *testing.B) {
	for _, n := range []int{1000, 10000} {
		fake := newFakeAPI(n, "zoominfo")
		srv := httptest.NewServer(fake)
		c, err := New(Config{BaseURL: srv.URL, APIKey: testAPIKey, RequestsPerMinute: 60_000_000})
		if err != nil {
			b.Fatal(err)
		}
		ctx := context.Background()
		ids := make([]string, n)
		for i := range ids {
			ids[i] = fmt.Sprintf("id-%d", i+1)
		}
		if _, err := c.ConnectorProfiles(ctx, "zoominfo"); err != nil {
			b.Fatal(err)
		}
		b.Run(fmt.Sprintf("N=%d/copy-list-per-lookup", n), func(b *testing.B) {
			for b.Loop() {
				for _, id := range ids {
					items, err := c.profiles.get(ctx, "zoominfo")
					if err != nil {
						b.Fatal(err)
					}
					if !hasProfile(items, id) {
						b.Fatal("not found")
					}
				}
			}
		})
		b.Run(fmt.Sprintf("N=%d/index", n), func(b *testing.B) {
			for b.Loop() {
				for _, id := range ids {
					if _, err := c.ConnectorProfile(ctx, id, "zoominfo"); err != nil {
						b.Fatal(err)
					}
				}
			}
		})
		srv.Close()
	}
}

// TestOwnDeleteDoesNotUnsettleTheNextRead: a profile this Client deletes
// after a read of a paged list is not the list moving (WIRE_CONTRACT.md: the
// process's own creates and deletes aside), so the next miss is confirmed by
// one read, not two.
func TestOwnDeleteDoesNotUnsettleTheNextRead(t *testing.T) {
	fake := newFakeAPI(5, "zoominfo")
	fake.maxPage = 2 // 3 pages: a read that can shift between them
	var mu sync.Mutex
	reads := 0 // list reads, counted by their first page
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Method == http.MethodGet && r.URL.Path == "/connector_profiles" && r.URL.Query().Get("page") == "1" {
			mu.Lock()
			reads++
			mu.Unlock()
		}
		fake.ServeHTTP(w, r)
	}))
	defer srv.Close()
	readsNow := func() int {
		mu.Lock()
		defer mu.Unlock()
		return reads
	}
	c, _ := newTestClient(t, srv)
	ctx := context.Background()

	// The first read and its confirming read agree: the list held still.
	if _, err := c.ConnectorProfile(ctx, "missing-1", "zoominfo"); !errors.Is(err, ErrProfileNotFound) || readsNow() != 2 {
		t.Fatalf("want ErrProfileNotFound after 2 reads, got %v after %d", err, readsNow())
	}
	if err := c.DeleteConnectorProfile(ctx, "id-3", "zoominfo"); err != nil {
		t.Fatal(err)
	}
	before := readsNow()
	if _, err := c.ConnectorProfile(ctx, "missing-2", "zoominfo"); !errors.Is(err, ErrProfileNotFound) {
		t.Fatalf("want ErrProfileNotFound, got %v", err)
	}
	if n := readsNow() - before; n != 1 {
		t.Errorf("the miss after this Client's own delete cost %d list reads, want 1 (the profile it deleted is not the list moving)", n)
	}
	// The profile it deleted is gone without any read.
	before = readsNow()
	if _, err := c.ConnectorProfile(ctx, "id-3", "zoominfo"); !errors.Is(err, ErrProfileNotFound) || readsNow() != before {
		t.Errorf("the deleted profile: %v after %d reads, want ErrProfileNotFound after none", err, readsNow()-before)
	}
}
