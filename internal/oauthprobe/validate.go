package oauthprobe

import (
	"fmt"
	"net/url"
	"slices"
	"strings"
	"unicode"

	"github.com/stackonehq/terraform-provider-stackone/internal/safetext"
)

// validated is a Request that passed validate, with scopes sorted and
// de-duplicated.
type validated struct {
	endpoint    *url.URL
	display     string // endpoint as messages show it (safetext.URLOf)
	clientID    string
	redirectURI string
	scopes      []string
	withoutPKCE bool
}

// probeParams are set by the probe; an endpoint that already carries one
// would send it twice, which servers reject (RFC 6749 section 3.1).
var probeParams = []string{"response_type", "client_id", "redirect_uri", "scope", "state", "code_challenge", "code_challenge_method"}

const endpointExample = "https://okta-login.zoominfo.com/oauth2/default/v1/authorize"

func inputErr(in Input, format string, args ...any) error {
	return &InputError{Input: in, Message: fmt.Sprintf(format, args...)}
}

func validate(req Request) (validated, error) {
	var v validated
	var err error
	if v.endpoint, err = validateEndpoint(req.AuthorizationEndpoint); err != nil {
		return v, err
	}
	v.display = safetext.URLOf(v.endpoint)

	id := req.ClientID
	switch {
	case strings.TrimSpace(id) == "":
		return v, inputErr(InputClientID, "the client id is empty; copy the Client ID of the app from the ZoomInfo Developer Portal")
	case strings.IndexFunc(id, func(r rune) bool { return unicode.IsSpace(r) || unicode.IsControl(r) }) >= 0:
		return v, inputErr(InputClientID, "the client id contains whitespace or control characters; copy it again without surrounding spaces")
	}
	v.clientID = id

	if err := validateRedirectURI(req.RedirectURI); err != nil {
		return v, err
	}
	v.redirectURI = req.RedirectURI

	scopes := make([]string, 0, len(req.Scopes))
	for _, sc := range req.Scopes {
		if err := validateScope(sc); err != nil {
			return v, err
		}
		scopes = append(scopes, sc)
	}
	slices.Sort(scopes)
	v.scopes = slices.Compact(scopes)
	return v, nil
}

func validateEndpoint(raw string) (*url.URL, error) {
	const f = InputEndpoint
	if strings.TrimSpace(raw) == "" {
		return nil, inputErr(f, "the authorization endpoint is empty; set it to the server's authorize URL, e.g. %s", endpointExample)
	}
	if strings.TrimSpace(raw) != raw {
		return nil, inputErr(f, "%s has leading or trailing whitespace; remove it", safetext.URL(raw))
	}
	u, err := url.Parse(raw)
	if err != nil || !u.IsAbs() || u.Host == "" || u.Opaque != "" {
		return nil, inputErr(f, "%s is not an absolute URL; use the full authorize URL, e.g. %s", safetext.URL(raw), endpointExample)
	}
	scheme := strings.ToLower(u.Scheme)
	if scheme != "https" && scheme != "http" {
		return nil, inputErr(f, "%s uses the %q scheme; use an https URL, e.g. %s", safetext.URL(raw), u.Scheme, endpointExample)
	}
	if u.User != nil {
		return nil, inputErr(f, "%s contains credentials (user:password@); remove them, an authorization request needs none", safetext.URL(raw))
	}
	if u.Fragment != "" || strings.HasSuffix(raw, "#") {
		return nil, inputErr(f, "%s contains a fragment (#…); remove it", safetext.URL(raw))
	}
	if scheme == "http" && !safetext.IsLoopbackHost(u.Hostname()) {
		return nil, inputErr(f, "%s uses plain http to %s; use https (plain http is allowed only for loopback hosts: localhost, 127.0.0.0/8, ::1)", safetext.URL(raw), u.Hostname())
	}
	q := u.Query()
	for _, p := range probeParams {
		if q.Has(p) {
			return nil, inputErr(f, "%s already has the %q query parameter; remove it, the probe sets it", safetext.URL(raw), p)
		}
	}
	u.Scheme = scheme
	return u, nil
}

func validateRedirectURI(raw string) error {
	const f = InputRedirectURI
	const example = "https://api.stackone.com/connect/oauth2/zoominfo/callback"
	if strings.TrimSpace(raw) == "" {
		return inputErr(f, "the redirect URI is empty; use the connector profile's redirect_uri, e.g. %s", example)
	}
	if strings.TrimSpace(raw) != raw {
		return inputErr(f, "%s has leading or trailing whitespace; remove it, redirect URIs must match exactly", safetext.URL(raw))
	}
	u, err := url.Parse(raw)
	if err != nil || !u.IsAbs() {
		return inputErr(f, "%s is not an absolute URI; use the exact URI registered on the app, e.g. %s", safetext.URL(raw), example)
	}
	if u.Fragment != "" || strings.HasSuffix(raw, "#") {
		// RFC 6749 section 3.1.2: a redirection endpoint has no fragment.
		return inputErr(f, "%s contains a fragment (#…), which a redirect URI may not have (RFC 6749 section 3.1.2); remove it", safetext.URL(raw))
	}
	return nil
}

// validateScope checks a scope token against RFC 6749 section 3.3: printable
// ASCII except space, double quote and backslash.
func validateScope(sc string) error {
	const f = InputScope
	if sc == "" {
		return inputErr(f, "a scope is empty; remove the empty entry")
	}
	for i := 0; i < len(sc); i++ {
		c := sc[i]
		switch {
		case c == ' ' || c == '\t' || c == '\n' || c == '\r':
			return inputErr(f, "scope %q contains whitespace; list each scope as its own element", sc)
		case c < 0x21 || c > 0x7e || c == '"' || c == '\\':
			return inputErr(f, "scope %q contains a character not allowed in an OAuth scope (RFC 6749 section 3.3: printable ASCII except space, \" and \\)", sc)
		}
	}
	return nil
}
