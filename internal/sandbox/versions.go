package sandbox

import (
	"cmp"
	"errors"
	"fmt"
	"net/http"
	"slices"
	"strings"
	"time"
)

// Connector versions and the pinned version of a profile, as StackOne
// publishes them: every profile offers its connector's versions, and may be
// pinned to one of them instead of following the latest builtin version.

// PinnedVersion is the connector version a profile is pinned to.
type PinnedVersion struct {
	ConnectorProfileID string
	Version            string
	Owner              string
	CreatedAt          time.Time
	UpdatedAt          time.Time
}

// errProfileNotFound is the Go API's answer for an unknown profile id.
var errProfileNotFound = errors.New("sandbox: connector profile not found")

// currentVersion is the version a profile of c runs: the one its pin
// resolves to (the pinned version itself when exact), else the latest
// builtin one.
func currentVersion(c Connector, pin *PinnedVersion) ConnectorVersion {
	if pin != nil {
		if v, ok := resolvePin(c.Versions, pin.Version, pin.Owner); ok {
			return v
		}
		return ConnectorVersion{Version: pin.Version, Owner: pin.Owner}
	}
	v, _ := resolvePin(c.Versions, pinLatest, "")
	return v
}

// PinnedVersion returns the version the profile with id is pinned to; false
// when the profile does not exist or nothing is pinned.
func (s *Sandbox) PinnedVersion(profileID string) (PinnedVersion, bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	rec, ok := s.byID[profileID]
	if !ok || rec.pin == nil {
		return PinnedVersion{}, false
	}
	return *rec.pin, true
}

// Versions returns the connector versions the profile with id can be pinned
// to; false when the profile does not exist.
func (s *Sandbox) Versions(profileID string) ([]ConnectorVersion, bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	rec, ok := s.byID[profileID]
	if !ok {
		return nil, false
	}
	c, _ := s.connector(rec.p.Provider)
	return slices.Clone(c.Versions), true
}

// PinVersion pins the profile with id to version (and owner, when not
// empty), as PUT /connector_profiles/{id}/pinned_version does: tests use it
// to change a pin outside Terraform. It fails when the profile does not exist
// or has no such version.
func (s *Sandbox) PinVersion(profileID, version, owner string) (PinnedVersion, error) {
	pin, aerr := s.pinVersion(profileID, version, owner)
	if aerr != nil {
		if aerr.Status == http.StatusNotFound {
			return PinnedVersion{}, errProfileNotFound
		}
		return PinnedVersion{}, aerr
	}
	return pin, nil
}

// UnpinVersion removes the profile's pin and reports whether there was one.
func (s *Sandbox) UnpinVersion(profileID string) bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	rec, ok := s.byID[profileID]
	if !ok || rec.pin == nil {
		return false
	}
	rec.pin = nil
	return true
}

func (s *Sandbox) pinVersion(profileID, version, owner string) (PinnedVersion, *apiError) {
	s.mu.Lock()
	defer s.mu.Unlock()
	rec, ok := s.byID[profileID]
	if !ok {
		return PinnedVersion{}, notFound("connector profile %q not found", profileID)
	}
	c, _ := s.connector(rec.p.Provider)
	if problem := pinFormProblem(version); problem != "" {
		return PinnedVersion{}, validationError("pinned_version %q is not accepted: %s; %s", version, problem, acceptedPinForms)
	}
	resolved, ok := resolvePin(c.Versions, version, owner)
	if !ok {
		valid := make([]string, len(c.Versions))
		for j, v := range c.Versions {
			valid[j] = v.Version + " (owner " + v.Owner + ")"
		}
		return PinnedVersion{}, validationError("pinned_version %q%s matches no version of connector %q; valid versions: %s",
			version, ownerSuffix(owner), c.Key, strings.Join(valid, ", "))
	}
	now := s.now().UTC()
	// The pin keeps what was asked (a range stays a range); its owner is the
	// one asked for, else the resolved version's.
	pin := PinnedVersion{ConnectorProfileID: profileID, Version: version, Owner: cmp.Or(owner, resolved.Owner), CreatedAt: now, UpdatedAt: now}
	if rec.pin != nil {
		// An upsert replaces the version but keeps when the pin was made.
		pin.CreatedAt = rec.pin.CreatedAt
	}
	rec.pin = &pin
	return pin, nil
}

func ownerSuffix(owner string) string {
	if owner == "" {
		return ""
	}
	return fmt.Sprintf(" with owner %q", owner)
}

type versionJSON struct {
	Version string `json:"version"`
	Owner   string `json:"owner"`
	Builtin bool   `json:"builtin"`
	Pinned  bool   `json:"pinned"`
}

type pinnedVersionJSON struct {
	ConnectorProfileID string `json:"connector_profile_id"`
	PinnedVersion      string `json:"pinned_version"`
	Owner              string `json:"owner"`
	CreatedAt          string `json:"created_at"`
	UpdatedAt          string `json:"updated_at"`
}

func pinJSON(p PinnedVersion) pinnedVersionJSON {
	return pinnedVersionJSON{
		ConnectorProfileID: p.ConnectorProfileID, PinnedVersion: p.Version, Owner: p.Owner,
		CreatedAt: p.CreatedAt.UTC().Format(timeLayout), UpdatedAt: p.UpdatedAt.UTC().Format(timeLayout),
	}
}

// listVersions implements GET /connector_profiles/{id}/versions: a bare
// array, each version marked pinned or not.
func (s *Sandbox) listVersions(w http.ResponseWriter, r *http.Request) {
	id := r.PathValue("id")
	s.mu.Lock()
	rec, ok := s.byID[id]
	var out []versionJSON
	if ok {
		// Versions and pin read under one lock: a concurrent PUT shows
		// entirely or not at all.
		// "pinned" marks the version the pin resolves to: the pinned
		// version itself when exact, the one a range selects otherwise.
		c, _ := s.connector(rec.p.Provider)
		var resolved ConnectorVersion
		if rec.pin != nil {
			resolved = currentVersion(c, rec.pin)
		}
		out = make([]versionJSON, len(c.Versions))
		for i, v := range c.Versions {
			out[i] = versionJSON{Version: v.Version, Owner: v.Owner, Builtin: v.Builtin,
				Pinned: rec.pin != nil && resolved.Version == v.Version && resolved.Owner == v.Owner}
		}
	}
	s.mu.Unlock()
	if !ok {
		writeError(w, notFound("connector profile %q not found", id))
		return
	}
	writeJSON(w, http.StatusOK, out)
}

// getPinnedVersion implements GET /connector_profiles/{id}/pinned_version;
// 404 when nothing is pinned.
func (s *Sandbox) getPinnedVersion(w http.ResponseWriter, r *http.Request) {
	id := r.PathValue("id")
	pin, ok := s.PinnedVersion(id)
	if !ok {
		writeError(w, notFound("connector profile %q has no pinned version", id))
		return
	}
	writeJSON(w, http.StatusOK, pinJSON(pin))
}

// putPinnedVersion implements PUT /connector_profiles/{id}/pinned_version,
// an upsert answered with 200 either way.
func (s *Sandbox) putPinnedVersion(w http.ResponseWriter, r *http.Request) {
	fields, _, aerr := readObject(w, r, "a pinned version request", "pinned_version", "owner")
	if aerr != nil {
		writeError(w, aerr)
		return
	}
	version, aerr := requiredString(fields, "pinned_version")
	if aerr != nil {
		writeError(w, aerr)
		return
	}
	owner, _, aerr := stringField(fields, "owner")
	if aerr != nil {
		writeError(w, aerr)
		return
	}
	pin, aerr := s.pinVersion(r.PathValue("id"), version, owner)
	if aerr != nil {
		writeError(w, aerr)
		return
	}
	writeJSON(w, http.StatusOK, pinJSON(pin))
}

// deletePinnedVersion implements DELETE
// /connector_profiles/{id}/pinned_version: 204, or 404 when nothing is
// pinned.
func (s *Sandbox) deletePinnedVersion(w http.ResponseWriter, r *http.Request) {
	id := r.PathValue("id")
	if !s.UnpinVersion(id) {
		writeError(w, notFound("connector profile %q has no pinned version", id))
		return
	}
	w.WriteHeader(http.StatusNoContent)
}
