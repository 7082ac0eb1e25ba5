package sandbox

import (
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/stackonehq/terraform-provider-stackone/internal/testclock"
)

type wireVersion struct {
	Version string `json:"version"`
	Owner   string `json:"owner"`
	Builtin bool   `json:"builtin"`
	Pinned  bool   `json:"pinned"`
}

type wirePin struct {
	ConnectorProfileID string `json:"connector_profile_id"`
	PinnedVersion      string `json:"pinned_version"`
	Owner              string `json:"owner"`
	CreatedAt          string `json:"created_at"`
	UpdatedAt          string `json:"updated_at"`
}

func listVersions(c *testClient, id string) []wireVersion {
	c.t.Helper()
	var vs []wireVersion
	c.mustStatus(http.StatusOK, http.MethodGet, "/connector_profiles/"+id+"/versions", nil).json(c.t, &vs)
	return vs
}

func pinnedOf(vs []wireVersion) (pinned []string) {
	for _, v := range vs {
		if v.Pinned {
			pinned = append(pinned, v.Version)
		}
	}
	return pinned
}

func onlyProfile(c *testClient) wireProfile {
	c.t.Helper()
	var p wireProfilePage
	c.mustStatus(http.StatusOK, http.MethodGet, "/connector_profiles", nil).json(c.t, &p)
	if len(p.Data) != 1 {
		c.t.Fatalf("%d profiles listed, want 1", len(p.Data))
	}
	return p.Data[0]
}

func TestVersionsAndPinnedVersion(t *testing.T) {
	clk := testclock.New(time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC))
	s := startSandbox(t, Options{Now: clk.Now})
	c := newClient(t, s)
	p := c.create(zoomInfoBody("pinned"))
	path := "/connector_profiles/" + p.ID + "/pinned_version"

	vs := listVersions(c, p.ID)
	builtin := 0
	for _, v := range vs {
		if v.Builtin {
			builtin++
			if v.Owner != "stackone" {
				t.Errorf("builtin version %+v is not StackOne's", v)
			}
		}
	}
	if len(vs) < 2 || builtin == 0 || builtin == len(vs) || len(pinnedOf(vs)) != 0 {
		t.Fatalf("versions = %+v", vs)
	}

	// Nothing pinned yet.
	c.mustStatus(http.StatusNotFound, http.MethodGet, path, nil).apiErr(t)
	c.mustStatus(http.StatusNotFound, http.MethodDelete, path, nil).apiErr(t)
	if _, ok := s.PinnedVersion(p.ID); ok {
		t.Fatal("PinnedVersion before any pin")
	}

	var pin wirePin
	c.mustStatus(http.StatusOK, http.MethodPut, path, map[string]any{"pinned_version": "1.4.0"}).json(t, &pin)
	if pin.ConnectorProfileID != p.ID || pin.PinnedVersion != "1.4.0" || pin.Owner != "stackone" ||
		pin.CreatedAt != "2026-01-02T03:04:05Z" || pin.UpdatedAt != pin.CreatedAt {
		t.Fatalf("pin = %+v", pin)
	}
	var got wirePin
	c.mustStatus(http.StatusOK, http.MethodGet, path, nil).json(t, &got)
	if got != pin {
		t.Errorf("GET = %+v, PUT answered %+v", got, pin)
	}
	if pinned := pinnedOf(listVersions(c, p.ID)); len(pinned) != 1 || pinned[0] != "1.4.0" {
		t.Errorf("versions mark %v pinned", pinned)
	}
	if lp := onlyProfile(c); lp.ConnectorPinnedVersion == nil || *lp.ConnectorPinnedVersion != "1.4.0" ||
		lp.ConnectorVersion != "1.4.0" || lp.ConnectorOwner != "stackone" {
		t.Errorf("profile after pinning = %+v", lp)
	}

	// Upsert: a custom version with its owner replaces the pin, keeping
	// when it was made.
	clk.Advance(time.Hour)
	c.mustStatus(http.StatusOK, http.MethodPut, path, map[string]any{"pinned_version": "1.5.0-acme.1", "owner": "acme-corp"}).json(t, &pin)
	if pin.PinnedVersion != "1.5.0-acme.1" || pin.Owner != "acme-corp" || pin.CreatedAt != "2026-01-02T03:04:05Z" ||
		pin.UpdatedAt != "2026-01-02T04:04:05Z" {
		t.Errorf("replaced pin = %+v", pin)
	}
	if lp := onlyProfile(c); lp.ConnectorOwner != "acme-corp" || lp.ConnectorVersion != "1.5.0-acme.1" {
		t.Errorf("profile after re-pinning = %+v", lp)
	}

	// Versions the profile does not have are refused, naming the valid ones.
	for _, body := range []map[string]any{
		{"pinned_version": "9.9.9"},
		{"pinned_version": "1.4.0", "owner": "acme-corp"},
		{"pinned_version": "2.1.0"}, // an Acme CRM version
	} {
		r := c.mustStatus(http.StatusBadRequest, http.MethodPut, path, body)
		if e := r.apiErr(t); !strings.Contains(e.Message, "1.4.0") || !strings.Contains(e.Message, "1.5.0-acme.1") {
			t.Errorf("PUT %v: message %q does not name the valid versions", body, e.Message)
		}
	}
	for _, body := range []any{map[string]any{}, map[string]any{"pinned_version": ""}, map[string]any{"pinned_version": 1},
		map[string]any{"version": "1.4.0"}, "[]"} {
		c.mustStatus(http.StatusBadRequest, http.MethodPut, path, body).apiErr(t)
	}
	if cur, _ := s.PinnedVersion(p.ID); cur.Version != "1.5.0-acme.1" {
		t.Errorf("refused PUTs changed the pin to %+v", cur)
	}

	// A change outside Terraform, through the Go API.
	if _, err := s.PinVersion(p.ID, "1.5.0", ""); err != nil {
		t.Fatal(err)
	}
	if cur, ok := s.PinnedVersion(p.ID); !ok || cur.Version != "1.5.0" || cur.Owner != "stackone" {
		t.Errorf("PinnedVersion = %+v, %v", cur, ok)
	}
	if _, err := s.PinVersion(p.ID, "0.0.1", ""); err == nil || !strings.Contains(err.Error(), "1.4.0") {
		t.Errorf("PinVersion of an unknown version: %v", err)
	}
	if _, err := s.PinVersion("missing", "1.5.0", ""); err == nil {
		t.Error("PinVersion of an unknown profile succeeded")
	}

	c.mustStatus(http.StatusNoContent, http.MethodDelete, path, nil)
	c.mustStatus(http.StatusNotFound, http.MethodGet, path, nil)
	if lp := onlyProfile(c); lp.ConnectorPinnedVersion != nil || lp.ConnectorVersion != "1.5.0" {
		t.Errorf("profile after unpinning = %+v", lp)
	}
	if len(pinnedOf(listVersions(c, p.ID))) != 0 {
		t.Error("a version is still marked pinned")
	}
	if s.UnpinVersion(p.ID) {
		t.Error("UnpinVersion reported a pin that was gone")
	}

	// Unknown profiles: 404 everywhere; deleting a profile drops its pin.
	for _, m := range []string{http.MethodGet, http.MethodPut, http.MethodDelete} {
		c.mustStatus(http.StatusNotFound, m, "/connector_profiles/missing/pinned_version", map[string]any{"pinned_version": "1.4.0"}).apiErr(t)
	}
	c.mustStatus(http.StatusNotFound, http.MethodGet, "/connector_profiles/missing/versions", nil).apiErr(t)
	c.mustStatus(http.StatusOK, http.MethodPut, path, map[string]any{"pinned_version": "1.4.0"})
	c.mustStatus(http.StatusNoContent, http.MethodDelete, "/connector_profiles/"+p.ID, nil)
	if _, ok := s.PinnedVersion(p.ID); ok {
		t.Error("a deleted profile keeps its pin")
	}
}

// TestPinRanges: the forms StackOne's connector-versioning guide accepts
// (latest, N.x.x, N.M.x, exact) pin, read back as set, and resolve to the
// version the profile runs, reported in the profile's connector_version
// (StackOne: "the resolved connector version") and marked pinned in the
// version list; the forms it refuses, and ranges no version is in, are 400s
// that say what is accepted.
func TestPinRanges(t *testing.T) {
	s := startSandbox(t, Options{})
	c := newClient(t, s)
	p := c.create(zoomInfoBody("ranges"))
	path := "/connector_profiles/" + p.ID + "/pinned_version"
	for _, tc := range []struct{ pin, owner, resolved, resolvedOwner string }{
		{"latest", "", "1.5.0", "stackone"},
		{"1.x.x", "", "1.5.0", "stackone"},
		{"1.4.x", "", "1.4.0", "stackone"},
		{"1.5.x", "", "1.5.0", "stackone"},
		{"1.4.0", "", "1.4.0", "stackone"},
		{"1.5.0-acme.1", "", "1.5.0-acme.1", "acme-corp"},
	} {
		body := map[string]any{"pinned_version": tc.pin}
		if tc.owner != "" {
			body["owner"] = tc.owner
		}
		var pin wirePin
		c.mustStatus(http.StatusOK, http.MethodPut, path, body).json(t, &pin)
		var got wirePin
		c.mustStatus(http.StatusOK, http.MethodGet, path, nil).json(t, &got)
		if pin.PinnedVersion != tc.pin || got.PinnedVersion != tc.pin {
			t.Errorf("pin %q: PUT answered %q, GET %q; want the pin as set", tc.pin, pin.PinnedVersion, got.PinnedVersion)
		}
		lp := onlyProfile(c)
		if lp.ConnectorPinnedVersion == nil || *lp.ConnectorPinnedVersion != tc.pin || lp.ConnectorVersion != tc.resolved || lp.ConnectorOwner != tc.resolvedOwner {
			t.Errorf("pin %q: profile reports pinned %v, version %q (owner %q); want %q resolved to %q (owner %q)",
				tc.pin, lp.ConnectorPinnedVersion, lp.ConnectorVersion, lp.ConnectorOwner, tc.pin, tc.resolved, tc.resolvedOwner)
		}
		if pinned := pinnedOf(listVersions(c, p.ID)); len(pinned) != 1 || pinned[0] != tc.resolved {
			t.Errorf("pin %q: versions mark %v pinned, want [%s]", tc.pin, pinned, tc.resolved)
		}
	}
	c.mustStatus(http.StatusOK, http.MethodPut, path, map[string]any{"pinned_version": "1.4.0"})
	for _, pin := range []string{"^1.2.0", "~1.2", "1.x", "x.x.x", "1.x.2", "*", ">=1.4.0", "2.x.x", "1.3.x", "latest-ish"} {
		r := c.mustStatus(http.StatusBadRequest, http.MethodPut, path, map[string]any{"pinned_version": pin})
		if e := r.apiErr(t); !strings.Contains(e.Message, pin) {
			t.Errorf("PUT %q: message %q does not name it", pin, e.Message)
		}
	}
	for _, pin := range []string{"^1.2.0", "~1.2", "1.x"} {
		e := c.mustStatus(http.StatusBadRequest, http.MethodPut, path, map[string]any{"pinned_version": pin}).apiErr(t)
		if !strings.Contains(e.Message, `"latest", a major range like "1.x.x", a minor range like "1.2.x"`) {
			t.Errorf("PUT %q: message %q does not give the accepted forms", pin, e.Message)
		}
	}
	if cur, _ := s.PinnedVersion(p.ID); cur.Version != "1.4.0" {
		t.Errorf("refused PUTs changed the pin to %+v", cur)
	}
}
