package sandbox

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"slices"
	"strings"
	"time"
	"unicode"
)

// A seed is the starting point a sandbox is filled with before it serves:
// connector profiles made in the dashboard (with their pinned versions),
// accounts already linked to them, and the scopes registered on the ZoomInfo
// app. Users' tests load one with `stackone-sandbox -seed FILE` to test
// adoption, data sources and queries against known objects; POST
// /admin/reset returns to it.
//
// The file is JSON, spelled with the wire contract's names:
//
//	{
//	  "zoominfo_app": {"registered_scopes": ["api:data:contact", "api:data:company"]},
//	  "connector_profiles": [{
//	    "id": "7b0c5d2e-…",                    // optional; generated when absent
//	    "connector_key": "zoominfo",
//	    "authentication_config_key": "oauth2_authorization_code_pkce",
//	    "name": "ZoomInfo (dashboard)",
//	    "client_id": "…", "client_secret": "…", // ZoomInfo: default to the sandbox app's
//	    "scopes": ["api:data:contact"], "actions": ["zoominfo_search_contacts"],
//	    "active": true,
//	    "pinned_version": {"version": "1.4.0", "owner": "stackone"}
//	  }],
//	  "accounts": [{
//	    "id": "…",                               // optional
//	    "connector_profile_id": "7b0c5d2e-…",    // a seeded profile's id
//	    "origin_owner_id": "customer-1", "origin_owner_name": "Customer One",
//	    "origin_username": "…", "label": "…",   // optional
//	    "scopes": ["api:data:contact"],          // default: the profile's
//	    "status": "active"                       // default active
//	  }]
//	}
//
// Every mistake is reported with the file, line and column of the field at
// fault and the field's path ("seed.json:12:7: connector_profiles[0].scopes:
// …"), and stops the sandbox from starting: a test never runs against half a
// seed.

// Seed is a parsed seed file; ParseSeed makes one, Options.Seed loads it.
type Seed struct {
	file string
	data []byte
	root *seedNode
}

// seedNode is one JSON value of the seed file with where it starts, so that
// a mistake found after parsing can still point at its line.
type seedNode struct {
	off    int
	raw    json.RawMessage
	delim  json.Delim // '{' or '[' for objects and arrays, 0 for scalars
	keys   []string   // object keys in file order
	obj    map[string]*seedNode
	keyOff map[string]int // where each key starts
	arr    []*seedNode
}

// seedSchema lists the fields each object of the file accepts.
var (
	seedTopFields     = []string{"zoominfo_app", "connector_profiles", "accounts"}
	seedAppFields     = []string{"registered_scopes"}
	seedProfileFields = append([]string{"id", "pinned_version"}, createFields...)
	seedPinFields     = []string{"version", "owner"}
	seedAccountFields = []string{"id", "connector_profile_id", "origin_owner_id", "origin_owner_name", "origin_username", "label", "scopes", "status"}
	// seedAccountStatuses are the statuses StackOne publishes for a linked account.
	seedAccountStatuses = []string{"active", "inactive", "suspended", "archived", "expired", "error"}
)

// ParseSeed reads a seed file's text; file names it in errors. It checks the
// JSON and the shape of every object (unknown or misspelt fields, wrong
// types); what depends on the catalog (connectors, scopes, versions) is
// checked when a sandbox loads it.
func ParseSeed(file string, data []byte) (*Seed, error) {
	sd := &Seed{file: file, data: data}
	dec := json.NewDecoder(bytes.NewReader(data))
	root, err := sd.parseValue(dec)
	if err != nil {
		return nil, err
	}
	if off := sd.skipSpace(int(dec.InputOffset())); off < len(sd.data) {
		tok, _ := dec.Token()
		return nil, sd.errAt(off, "", "unexpected %v after the seed's object: a seed file holds one JSON object", tok)
	}
	if root.delim != '{' {
		return nil, sd.errAt(root.off, "", "a seed file holds one JSON object, not %s", kindOf(root))
	}
	sd.root = root
	if err := sd.checkShape(); err != nil {
		return nil, err
	}
	return sd, nil
}

// parseValue reads the next JSON value of dec with its offsets.
func (sd *Seed) parseValue(dec *json.Decoder) (*seedNode, error) {
	start := sd.skipSpace(int(dec.InputOffset()))
	tok, err := dec.Token()
	if err != nil {
		return nil, sd.jsonError(dec, err)
	}
	n := &seedNode{off: start}
	switch t := tok.(type) {
	case json.Delim:
		n.delim = t
		if t == '{' {
			n.obj, n.keyOff = map[string]*seedNode{}, map[string]int{}
			for dec.More() {
				keyOff := sd.skipSpace(int(dec.InputOffset()))
				kt, err := dec.Token()
				if err != nil {
					return nil, sd.jsonError(dec, err)
				}
				key, _ := kt.(string)
				if _, dup := n.obj[key]; dup {
					return nil, sd.errAt(keyOff, "", "field %q appears twice in one object", key)
				}
				v, err := sd.parseValue(dec)
				if err != nil {
					return nil, err
				}
				n.keys = append(n.keys, key)
				n.obj[key], n.keyOff[key] = v, keyOff
			}
		} else {
			for dec.More() {
				v, err := sd.parseValue(dec)
				if err != nil {
					return nil, err
				}
				n.arr = append(n.arr, v)
			}
		}
		if _, err := dec.Token(); err != nil { // the closing delimiter
			return nil, sd.jsonError(dec, err)
		}
	}
	n.raw = json.RawMessage(sd.data[start:dec.InputOffset()])
	return n, nil
}

// skipSpace moves off past the whitespace, commas and colons the decoder
// has not consumed yet, to where the next token starts.
func (sd *Seed) skipSpace(off int) int {
	for off < len(sd.data) && strings.IndexByte(" \t\r\n,:", sd.data[off]) >= 0 {
		off++
	}
	return off
}

func (sd *Seed) jsonError(dec *json.Decoder, err error) error {
	off := int(dec.InputOffset())
	var syn *json.SyntaxError
	if errors.As(err, &syn) {
		off = int(syn.Offset)
	}
	if errors.Is(err, io.EOF) || errors.Is(err, io.ErrUnexpectedEOF) {
		return sd.errAt(len(sd.data), "", "the file ends in the middle of a JSON value")
	}
	return sd.errAt(off, "", "not valid JSON: %s", strings.TrimPrefix(err.Error(), "json: "))
}

// errAt is a mistake at byte offset off, about the field at path (empty:
// the file itself).
func (sd *Seed) errAt(off int, path, format string, args ...any) error {
	line, col := 1, 1
	for _, b := range sd.data[:min(off, len(sd.data))] {
		if b == '\n' {
			line, col = line+1, 1
		} else {
			col++
		}
	}
	msg := fmt.Sprintf(format, args...)
	if path != "" {
		msg = path + ": " + msg
	}
	return fmt.Errorf("seed %s:%d:%d: %s", sd.file, line, col, msg)
}

func kindOf(n *seedNode) string {
	switch {
	case n.delim == '{':
		return "an object"
	case n.delim == '[':
		return "an array"
	case string(n.raw) == "null":
		return "null"
	case strings.HasPrefix(string(n.raw), `"`):
		return "a string"
	case string(n.raw) == "true" || string(n.raw) == "false":
		return "a boolean"
	}
	return "a number"
}

// object checks that n is an object with only allowed fields.
func (sd *Seed) object(n *seedNode, path string, allowed []string) error {
	if n.delim != '{' {
		return sd.errAt(n.off, path, "must be an object, not %s", kindOf(n))
	}
	for _, k := range n.keys {
		if !slices.Contains(allowed, k) {
			return sd.errAt(n.keyOff[k], strings.TrimPrefix(path+"."+k, "."), "is not a field here (accepted: %s)", strings.Join(allowed, ", "))
		}
	}
	return nil
}

// array checks that n, when present, is an array of objects with only
// allowed fields.
func (sd *Seed) array(n *seedNode, path string, allowed []string) error {
	if n == nil {
		return nil
	}
	if n.delim != '[' {
		return sd.errAt(n.off, path, "must be an array of objects, not %s", kindOf(n))
	}
	for i, el := range n.arr {
		if err := sd.object(el, fmt.Sprintf("%s[%d]", path, i), allowed); err != nil {
			return err
		}
	}
	return nil
}

// checkShape checks every object's fields before anything is loaded.
func (sd *Seed) checkShape() error {
	root := sd.root
	if err := sd.object(root, "", seedTopFields); err != nil {
		return err
	}
	if app := root.obj["zoominfo_app"]; app != nil {
		if err := sd.object(app, "zoominfo_app", seedAppFields); err != nil {
			return err
		}
		scopes, err := sd.list(app, "zoominfo_app", "registered_scopes")
		if err != nil {
			return err
		}
		if len(scopes) == 0 {
			return sd.errAt(sd.at(app, "registered_scopes"), "zoominfo_app.registered_scopes", "must name at least one scope")
		}
	}
	if err := sd.array(root.obj["connector_profiles"], "connector_profiles", seedProfileFields); err != nil {
		return err
	}
	for i, p := range sd.profiles() {
		if pin := p.obj["pinned_version"]; pin != nil {
			path := fmt.Sprintf("connector_profiles[%d].pinned_version", i)
			if err := sd.object(pin, path, seedPinFields); err != nil {
				return err
			}
		}
	}
	return sd.array(root.obj["accounts"], "accounts", seedAccountFields)
}

func (sd *Seed) profiles() []*seedNode {
	if n := sd.root.obj["connector_profiles"]; n != nil {
		return n.arr
	}
	return nil
}

func (sd *Seed) accounts() []*seedNode {
	if n := sd.root.obj["accounts"]; n != nil {
		return n.arr
	}
	return nil
}

// at is where field of obj starts, or obj's own start when it is absent.
func (sd *Seed) at(obj *seedNode, field string) int {
	if v := obj.obj[field]; v != nil {
		return v.off
	}
	return obj.off
}

// fail turns an apiError about obj's fields into a positioned error: the
// sandbox's validation messages start with the field they are about
// ("scopes: …", "name must not be blank", "scopes[2] …").
func (sd *Seed) fail(obj *seedNode, path string, aerr *apiError) error {
	msg := aerr.Message
	field := msg[:len(msg)-len(strings.TrimLeftFunc(msg, func(r rune) bool { return r == '_' || unicode.IsLower(r) }))]
	if v := obj.obj[field]; v != nil {
		rest := strings.TrimLeft(msg[len(field):], ": ")
		if rest != "" && rest[0] == '[' {
			return sd.errAt(v.off, path+"."+field+rest[:strings.IndexByte(rest, ']')+1], "%s", msg)
		}
		return sd.errAt(v.off, path+"."+field, "%s", rest)
	}
	return sd.errAt(obj.off, path, "%s", msg)
}

func (sd *Seed) fields(obj *seedNode) map[string]json.RawMessage {
	out := make(map[string]json.RawMessage, len(obj.obj))
	for k, v := range obj.obj {
		out[k] = v.raw
	}
	return out
}

func (sd *Seed) list(obj *seedNode, path, field string) ([]string, error) {
	v, _, aerr := listField(sd.fields(obj), field)
	if aerr != nil {
		return nil, sd.fail(obj, path, aerr)
	}
	return v, nil
}

func (sd *Seed) str(obj *seedNode, path, field string, required bool) (string, error) {
	v, present, aerr := stringField(sd.fields(obj), field)
	if aerr == nil && required && !present {
		aerr = validationError("%s is required", field)
	}
	if aerr != nil {
		return "", sd.fail(obj, path, aerr)
	}
	return v, nil
}

// appScopes is the seed's zoominfo_app.registered_scopes (nil when unset).
func (sd *Seed) appScopes() []string {
	app := sd.root.obj["zoominfo_app"]
	if app == nil {
		return nil
	}
	scopes, _ := sd.list(app, "zoominfo_app", "registered_scopes") // checked by ParseSeed
	return scopes
}

// connectorKeys lists the catalog's connectors.
func (s *Sandbox) connectorKeys() []string {
	keys := make([]string, len(s.catalog))
	for i, c := range s.catalog {
		keys[i] = c.Key
	}
	return keys
}

// checkSeedID refuses an id that could not travel in a URL path segment.
func checkSeedID(id string) *apiError {
	if strings.ContainsAny(id, "/?#%") || strings.IndexFunc(id, unicode.IsSpace) >= 0 {
		return validationError("id %q must not contain spaces or any of / ? # %%", id)
	}
	if id == "." || id == ".." {
		return validationError("id %q is a path's dot segment: no request could name it", id)
	}
	return nil
}

// load fills the empty sandbox with the seed. It runs in Start, before the
// listeners serve, and again after each Reset.
func (s *Sandbox) load(sd *Seed) error {
	now := time.Now().UTC()
	app := s.ZoomInfoApp()
	var profiles []*profileRecord
	byID := map[string]*profileRecord{}
	for i, n := range sd.profiles() {
		path := fmt.Sprintf("connector_profiles[%d]", i)
		fields := sd.fields(n)
		if key, present, _ := stringField(fields, "connector_key"); present {
			if _, ok := s.connector(key); !ok {
				return sd.errAt(sd.at(n, "connector_key"), path+".connector_key", "%q is not a connector in the catalog (one of: %s)", key, strings.Join(s.connectorKeys(), ", "))
			}
		}
		// A dashboard-made ZoomInfo profile uses the sandbox's own app
		// unless the seed says otherwise, so that linking through it works.
		if key, _, _ := stringField(fields, "connector_key"); key == "zoominfo" {
			for field, value := range map[string]string{"client_id": app.ClientID, "client_secret": app.ClientSecret} {
				if isNull(fields[field]) {
					fields[field], _ = json.Marshal(value)
				}
			}
		}
		p, aerr := s.newProfile(fields, now)
		if aerr != nil {
			return sd.fail(n, path, aerr)
		}
		id, err := sd.str(n, path, "id", false)
		if err != nil {
			return err
		}
		if id != "" {
			if aerr := checkSeedID(id); aerr != nil {
				return sd.fail(n, path, aerr)
			}
			if byID[id] != nil {
				return sd.errAt(sd.at(n, "id"), path+".id", "%q is the id of an earlier profile too", id)
			}
			p.ID = id
		}
		rec := &profileRecord{p: p}
		profiles = append(profiles, rec)
		byID[p.ID] = rec
	}

	var accounts []*accountRecord
	seen := map[string]bool{}
	for i, n := range sd.accounts() {
		a, err := s.seedAccount(sd, n, fmt.Sprintf("accounts[%d]", i), byID, now)
		if err != nil {
			return err
		}
		if seen[a.ID] {
			return sd.errAt(sd.at(n, "id"), fmt.Sprintf("accounts[%d].id", i), "%q is the id of an earlier account too", a.ID)
		}
		seen[a.ID] = true
		accounts = append(accounts, &accountRecord{a: a})
	}

	s.mu.Lock()
	s.profiles = profiles
	s.byID = byID
	s.mu.Unlock()
	s.link.mu.Lock()
	s.link.accounts = accounts
	s.link.mu.Unlock()

	// Pins go through PUT /connector_profiles/{id}/pinned_version's own
	// checks, once their profiles are in place.
	for i, n := range sd.profiles() {
		pin := n.obj["pinned_version"]
		if pin == nil {
			continue
		}
		path := fmt.Sprintf("connector_profiles[%d].pinned_version", i)
		version, err := sd.str(pin, path, "version", true)
		if err != nil {
			return err
		}
		owner, err := sd.str(pin, path, "owner", false)
		if err != nil {
			return err
		}
		if _, aerr := s.pinVersion(profiles[i].p.ID, version, owner); aerr != nil {
			return sd.errAt(pin.off, path, "%s", strings.TrimPrefix(aerr.Message, "pinned_version "))
		}
	}
	return nil
}

// seedAccount is an account linked before the sandbox started: one a user
// linked through the Hub, without the tokens (nothing reads them back).
func (s *Sandbox) seedAccount(sd *Seed, n *seedNode, path string, profiles map[string]*profileRecord, now time.Time) (Account, error) {
	var a Account
	var err error
	str := func(field string, required bool, dst *string) {
		if err == nil {
			*dst, err = sd.str(n, path, field, required)
		}
	}
	var profileID string
	str("id", false, &a.ID)
	str("connector_profile_id", true, &profileID)
	str("origin_owner_id", true, &a.OriginOwnerID)
	str("origin_owner_name", true, &a.OriginOwnerName)
	str("origin_username", false, &a.OriginUsername)
	str("label", false, &a.Label)
	str("status", false, &a.Status)
	if err != nil {
		return Account{}, err
	}
	if a.ID == "" {
		a.ID = newUUID()
	} else if aerr := checkSeedID(a.ID); aerr != nil {
		return Account{}, sd.fail(n, path, aerr)
	}
	rec := profiles[profileID]
	if rec == nil {
		known := make([]string, 0, len(profiles))
		for id := range profiles {
			known = append(known, id)
		}
		slices.Sort(known)
		hint := "no profile in the seed has an id: give the profile an \"id\" to link accounts to it"
		if len(known) > 0 {
			hint = "the seed's profile ids are " + strings.Join(known, ", ")
		}
		return Account{}, sd.errAt(sd.at(n, "connector_profile_id"), path+".connector_profile_id", "%q is not the id of a profile in the seed (%s)", profileID, hint)
	}
	if a.Status == "" {
		a.Status = AccountActive
	} else if !slices.Contains(seedAccountStatuses, a.Status) {
		return Account{}, sd.errAt(sd.at(n, "status"), path+".status", "%q is not an account status (one of: %s)", a.Status, strings.Join(seedAccountStatuses, ", "))
	}
	scopes, present, aerr := listField(sd.fields(n), "scopes")
	if aerr != nil {
		return Account{}, sd.fail(n, path, aerr)
	}
	if !present {
		scopes = slices.Clone(rec.p.Scopes)
	}
	c, _ := s.connector(rec.p.Provider)
	if aerr := checkScopesActions(c, scopes, nil); aerr != nil {
		return Account{}, sd.fail(n, path, aerr)
	}
	a.Provider, a.IntegrationID, a.Scopes = rec.p.Provider, rec.p.ID, scopes
	a.CreatedAt, a.UpdatedAt = now, now
	return a, nil
}
