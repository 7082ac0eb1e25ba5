package stackone

import (
	"github.com/stackonehq/terraform-provider-stackone/internal/safetext"

	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"strings"
)

// Limits on text taken from a server answer. Error messages end up in
// Terraform diagnostics and CI logs, so they stay short and single-line.
const (
	maxMessageRunes   = 500
	maxErrorCodeRunes = 100
	maxRequestIDRunes = 128
	// Bodies larger than this are not parsed as JSON for an error message:
	// a real error body is small, and a huge one is not worth the CPU.
	maxErrorBodyParse = 1 << 20
)

// ErrInvalidID is wrapped by the error returned when an id cannot be placed
// in a URL path (empty, ".", ".." or containing "/"). No request is sent.
var ErrInvalidID = errors.New("invalid id")

// APIError is a non-2xx answer from StackOne.
type APIError struct {
	// StatusCode is the HTTP status of the (last) response.
	StatusCode int
	// Message is the server's message, cleaned of control characters and
	// truncated; when the server gave none it is the HTTP status text.
	Message string
	// ErrorCode is the server's machine-readable code (e.g. "ValidationError"), if any.
	ErrorCode string
	// RequestID is the X-Request-Id response header, if any: quote it to StackOne support.
	RequestID string
	// Method is the HTTP method of the request.
	Method string
	// Path is the request path relative to the base URL (ids filled in, no query).
	Path string
}

// Error says what went wrong and what the user can do about it, in one or
// two sentences, including method, path and request id when known.
func (e *APIError) Error() string {
	where := "the request"
	if e.Method != "" || e.Path != "" {
		where = strings.TrimSpace(e.Method + " " + e.Path)
	}
	status := statusLabel(e.StatusCode)
	detail := e.detail()

	var s string
	switch {
	case e.StatusCode == http.StatusUnauthorized:
		s = fmt.Sprintf("StackOne rejected the API key (%s) on %s: check the provider's api_key or the STACKONE_API_KEY environment variable", status, where)
	case e.StatusCode == http.StatusForbidden:
		s = fmt.Sprintf("StackOne refused %s (%s): %s. The API key may lack the \"Platform API\" scope, or StackOne refused this request", where, status, detail)
	case e.StatusCode == http.StatusTooManyRequests:
		s = fmt.Sprintf("StackOne kept rate limiting %s (%s) after retries: %s. Try again later, or lower max_requests_per_minute", where, status, detail)
	case e.StatusCode == http.StatusRequestTimeout:
		s = fmt.Sprintf("StackOne timed out on %s (%s) after retries: %s. Try again later", where, status, detail)
	case e.StatusCode >= 500:
		s = fmt.Sprintf("StackOne failed on %s (%s): %s. This is an error on StackOne's side; try again later", where, status, detail)
	case e.StatusCode >= 300 && e.StatusCode < 400:
		s = fmt.Sprintf("StackOne answered %s with a redirect (%s), which this client does not follow: check base_url", where, status)
	default:
		s = fmt.Sprintf("StackOne answered %s with %s: %s", where, status, detail)
	}
	if e.RequestID != "" {
		s += " [request id " + e.RequestID + "]"
	}
	return s + "."
}

// detail is the server's message with its error code, when it adds anything.
func (e *APIError) detail() string {
	msg := strings.TrimRight(e.Message, ". ")
	if msg == "" {
		msg = http.StatusText(e.StatusCode)
	}
	if msg == "" {
		msg = "no message"
	}
	if e.ErrorCode != "" && !strings.Contains(msg, e.ErrorCode) {
		msg += " (" + e.ErrorCode + ")"
	}
	return msg
}

func statusLabel(code int) string {
	if t := http.StatusText(code); t != "" {
		return fmt.Sprintf("%d %s", code, t)
	}
	return fmt.Sprintf("HTTP %d", code)
}

// IsNotFound reports whether err is, or wraps, an APIError with status 404
// or ErrProfileNotFound. A write refused for want of the route
// (*WritesUnsupportedError) and a route the server does not serve
// (*RouteMissingError) are not "not found".
func IsNotFound(err error) bool {
	if errors.Is(err, ErrWritesUnsupported) || errors.Is(err, ErrRouteMissing) {
		return false
	}
	if errors.Is(err, ErrProfileNotFound) {
		return true
	}
	var apiErr *APIError
	return errors.As(err, &apiErr) && apiErr.StatusCode == http.StatusNotFound
}

// ParseAPIError builds an APIError from any answer: StackOne JSON errors,
// HTML error pages from proxies, empty or huge bodies, JSON with unexpected
// types. It never panics; the text it keeps is valid UTF-8, single-line, free
// of control characters and truncated. header may be nil.
func ParseAPIError(status int, header http.Header, body []byte) *APIError {
	return parseAPIError(status, header, body, nil)
}

// parseAPIError is ParseAPIError with redact (when not nil) applied to the
// server's text before it is cleaned and truncated: a secret cut in two by
// the truncation would no longer match, and its first part would show.
func parseAPIError(status int, header http.Header, body []byte, redact func(string) string) *APIError {
	if redact == nil {
		redact = func(s string) string { return s }
	}
	e := &APIError{StatusCode: status}
	if header != nil {
		e.RequestID = safetext.Text(redact(header.Get("X-Request-Id")), maxRequestIDRunes)
	}
	msg, code := parseErrorBody(body)
	e.Message = safetext.Text(redact(msg), maxMessageRunes)
	e.ErrorCode = safetext.Text(redact(code), maxErrorCodeRunes)
	if e.Message == "" {
		e.Message = http.StatusText(status)
	}
	if e.Message == "" {
		e.Message = fmt.Sprintf("HTTP %d", status)
	}
	return e
}

// parseErrorBody extracts a message and an error code from an error body.
func parseErrorBody(body []byte) (msg, code string) {
	trimmed := bytes.TrimSpace(body)
	if len(trimmed) == 0 {
		return "", ""
	}
	if trimmed[0] == '{' && len(trimmed) <= maxErrorBodyParse {
		var fields map[string]json.RawMessage
		if err := json.Unmarshal(trimmed, &fields); err == nil {
			// StackOne uses "message"; OAuth-style and other gateways use the others.
			for _, k := range []string{"message", "error_description", "error", "detail"} {
				if m := jsonText(fields[k]); m != "" {
					msg = m
					break
				}
			}
			code = jsonText(fields["errorCode"])
			return msg, code
		}
	}
	if trimmed[0] == '<' || trimmed[0] == '{' || trimmed[0] == '[' {
		// An HTML page from a proxy or JSON we cannot read: the status says more.
		return "", ""
	}
	// Plain text: keep the beginning; cleanText truncates further.
	if len(trimmed) > 4*maxMessageRunes {
		trimmed = trimmed[:4*maxMessageRunes]
	}
	return string(trimmed), ""
}

// jsonText reads a JSON string, or an array of strings (as some validation
// layers send), as text; anything else gives "".
func jsonText(raw json.RawMessage) string {
	if len(raw) == 0 {
		return ""
	}
	var s string
	if err := json.Unmarshal(raw, &s); err == nil {
		return s
	}
	var list []json.RawMessage
	if err := json.Unmarshal(raw, &list); err == nil {
		parts := make([]string, 0, len(list))
		for _, item := range list {
			var p string
			if json.Unmarshal(item, &p) == nil && strings.TrimSpace(p) != "" {
				parts = append(parts, p)
			}
			if len(parts) == 20 {
				break
			}
		}
		return strings.Join(parts, "; ")
	}
	return ""
}
