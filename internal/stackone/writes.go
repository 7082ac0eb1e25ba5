package stackone

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"regexp"
	"slices"
	"strings"
	"sync"
)

// WritesSupport is what a Client knows of its server's connector-profile
// writes (this project's extension; StackOne publishes none today).
type WritesSupport int

// What ProfileWrites can tell.
const (
	// WritesUnknown: the server's answer said neither (a 401, a 5xx, no
	// answer): nothing can be concluded.
	WritesUnknown WritesSupport = iota
	// WritesSupported: the server serves profile writes.
	WritesSupported
	// WritesRefused: the server has no profile writes (ErrWritesUnsupported).
	WritesRefused
)

// writesProbe remembers, per Client, what ProfileWrites found out or what a
// write taught it, so that a process asks at most once.
type writesProbe struct {
	mu     sync.Mutex // held while asking: one question per Client
	known  WritesSupport
	asked  bool
	answer string // the answer that decided, for messages
}

// learn records what a write's outcome says: success means writes are
// served; ErrWritesUnsupported that they are not. Other errors say nothing.
func (w *writesProbe) learn(err error) {
	w.mu.Lock()
	defer w.mu.Unlock()
	var unsupported *WritesUnsupportedError
	switch {
	case err == nil:
		w.known, w.answer = WritesSupported, ""
	case errors.As(err, &unsupported):
		w.known, w.answer = WritesRefused, unsupported.Error()
	}
}

// writeCheckID names a profile no server holds: the check's PATCH goes to
// it, so that a server with profile writes answers "no such profile" and
// changes nothing.
const writeCheckID = "terraform-provider-stackone-write-check-0000"

// ProfileWrites tells whether the server takes connector-profile writes,
// cheaply and without side effects: a write already made by this Client
// answers it; else the Client asks once, with OPTIONS /connector_profiles
// (safe by definition: an extended server answers with an Allow header
// naming POST, as the extension proposes), and only when that answer says
// nothing either way (no Allow header, or a server that does not route
// OPTIONS) with PATCH /connector_profiles/{an id no profile has} and an
// empty body: a server with the extension answers 404 for the missing
// profile (or 400/422 for the body) and changes nothing; one without it
// answers 404 "Cannot PATCH …" (the published convention for a route it
// does not serve), 405 or 501. Any other answer (401, 5xx, none) is
// WritesUnknown, with the error. The result is kept for the Client's life.
// detail is the answer that decided (for messages).
func (c *Client) ProfileWrites(ctx context.Context) (support WritesSupport, detail string, err error) {
	w := &c.writes
	w.mu.Lock()
	defer w.mu.Unlock()
	if w.known != WritesUnknown || w.asked {
		return w.known, w.answer, nil
	}
	w.asked = true
	if allow, ok := c.allowedMethods(ctx); ok {
		if slices.Contains(allow, http.MethodPost) {
			w.known = WritesSupported
		} else {
			w.known = WritesRefused
			w.answer = fmt.Sprintf("%s: it answered OPTIONS %s allowing only %s", ErrWritesUnsupported, routeConnectorProfiles, strings.Join(allow, ", "))
		}
		return w.known, w.answer, nil
	}
	path := "/connector_profiles/" + url.PathEscape(writeCheckID)
	err = c.do(ctx, &request{method: http.MethodPatch, route: routeConnectorProfile, path: path, body: struct{}{}}, nil)
	var apiErr *APIError
	switch {
	case err == nil:
		w.known = WritesSupported
	case !errors.As(err, &apiErr):
		return WritesUnknown, "", err
	case apiErr.StatusCode == http.StatusMethodNotAllowed || apiErr.StatusCode == http.StatusNotImplemented || isRouteMissing(apiErr):
		w.known = WritesRefused
		w.answer = fmt.Sprintf("%s: it answered %s %s with %s", ErrWritesUnsupported, apiErr.Method, apiErr.Path, statusLabel(apiErr.StatusCode))
	case apiErr.StatusCode == http.StatusNotFound || apiErr.StatusCode == http.StatusBadRequest || apiErr.StatusCode == http.StatusUnprocessableEntity:
		w.known = WritesSupported
	default:
		return WritesUnknown, "", err
	}
	return w.known, w.answer, nil
}

// allowedMethods asks OPTIONS /connector_profiles for its Allow header; ok
// is false when the answer has none (or is not a 2xx).
func (c *Client) allowedMethods(ctx context.Context) (methods []string, ok bool) {
	var allow string
	err := c.do(ctx, &request{method: http.MethodOptions, route: routeConnectorProfiles, path: routeConnectorProfiles, allow: &allow}, nil)
	if err != nil || strings.TrimSpace(allow) == "" {
		return nil, false
	}
	for _, m := range strings.Split(allow, ",") {
		if m = strings.ToUpper(strings.TrimSpace(m)); m != "" {
			methods = append(methods, m)
		}
	}
	return methods, len(methods) > 0
}

// cannotRoute is the message of a 404 for a route the server does not
// serve, as StackOne's published API writes it: "Cannot {METHOD} {path}".
var cannotRoute = regexp.MustCompile(`^Cannot [A-Z]+ /\S*$`)

// isRouteMissing reports a 404 that says the route is not served (as
// opposed to an object that does not exist).
func isRouteMissing(e *APIError) bool {
	return e.StatusCode == http.StatusNotFound && e.ErrorCode == "" && cannotRoute.MatchString(e.Message)
}

// ErrRouteMissing is wrapped by the error for a 404 that names a route the
// server does not serve ("Cannot GET …/pinned_version"): not an object that
// does not exist, so IsNotFound is false for it.
var ErrRouteMissing = errors.New("the server does not serve this route")

// RouteMissingError is a 404 "Cannot {METHOD} {path}".
type RouteMissingError struct{ Answer *APIError }

func (e *RouteMissingError) Error() string {
	return fmt.Sprintf("%s: it answered %s %s with %s (%q), which says the route is missing, not the object", ErrRouteMissing, e.Answer.Method, e.Answer.Path, statusLabel(e.Answer.StatusCode), e.Answer.Message)
}

// Unwrap lets errors.Is find ErrRouteMissing.
func (e *RouteMissingError) Unwrap() error { return ErrRouteMissing }

// routeMissing turns a 404 "Cannot …" into a *RouteMissingError.
func routeMissing(err error) error {
	var apiErr *APIError
	if errors.As(err, &apiErr) && isRouteMissing(apiErr) {
		return &RouteMissingError{Answer: apiErr}
	}
	return err
}
