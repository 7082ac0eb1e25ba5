package authserver

import (
	"encoding/json"
	"net/http"
	"net/url"
	"strings"
)

// ZoomInfo's API gateway (api.zoominfo.com) stands in front of its Okta
// authorization server for both steps of the flow (stackone-platform-api.md):
//
//   - GET /gtm/oauth/v1/authorize forwards the request, query unchanged, to
//     the Okta server's /v1/authorize with a 302;
//   - POST /gtm/oauth/v1/token redeems codes and refresh tokens. When the
//     request has an Authorization header, client credentials in the body are
//     ignored (Okta's own /v1/token refuses a request carrying both).
//
// Errors of the gateway itself (unknown path, wrong method, unreadable body)
// are JSON {"error": {"code", "message", "status", "requestId",
// "retryable"}}; the token endpoint's OAuth errors pass through in RFC 6749
// form, as the Okta server writes them.
const (
	gatewayAuthorizePath = "/gtm/oauth/v1/authorize"
	gatewayTokenPath     = "/gtm/oauth/v1/token"
)

// gatewayError is the body of an error the gateway itself answers.
type gatewayError struct {
	Error gatewayErrorBody `json:"error"`
}

type gatewayErrorBody struct {
	Code      string `json:"code"`
	Message   string `json:"message"`
	Status    int    `json:"status"`
	RequestID string `json:"requestId"`
	Retryable bool   `json:"retryable"`
}

func writeGatewayError(w http.ResponseWriter, status int, code, message string) {
	w.Header().Set("Cache-Control", "no-store")
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	_ = json.NewEncoder(w).Encode(gatewayError{Error: gatewayErrorBody{
		Code: code, Message: message, Status: status, RequestID: randomToken(12),
		Retryable: status == http.StatusTooManyRequests || status >= 500,
	}})
}

// gatewayRoutes registers the gateway's paths on m. Any other path under
// /gtm/ is the gateway's 404, in its own error shape.
func (s *Server) gatewayRoutes(m *http.ServeMux) {
	m.HandleFunc(gatewayAuthorizePath, s.handleGatewayAuthorize)
	m.HandleFunc(gatewayTokenPath, s.handleGatewayToken)
	m.HandleFunc("/gtm/", func(w http.ResponseWriter, r *http.Request) {
		writeGatewayError(w, http.StatusNotFound, "NOT_FOUND", "No route matches "+r.Method+" "+r.URL.EscapedPath()+".")
	})
}

// GatewayHandler serves the gateway alone, for a listener of its own at
// Config.GatewayURL. Everything but the gateway's paths is its 404.
func (s *Server) GatewayHandler() http.Handler {
	m := http.NewServeMux()
	s.gatewayRoutes(m)
	m.HandleFunc("/", func(w http.ResponseWriter, r *http.Request) {
		writeGatewayError(w, http.StatusNotFound, "NOT_FOUND", "No route matches "+r.Method+" "+r.URL.EscapedPath()+".")
	})
	return m
}

// gatewayBaseURL is where the gateway is served: Config.GatewayURL, or the
// issuer's scheme and host.
func (s *Server) gatewayBaseURL() string {
	if s.gatewayBase != "" {
		return s.gatewayBase
	}
	u, err := url.Parse(s.issuer)
	if err != nil {
		return ""
	}
	return u.Scheme + "://" + u.Host
}

// GatewayAuthorizeEndpoint is the gateway's authorize URL: it forwards
// every request, query unchanged, to AuthorizationEndpoint, as ZoomInfo's
// gateway does.
func (s *Server) GatewayAuthorizeEndpoint() string { return s.gatewayBaseURL() + gatewayAuthorizePath }

// GatewayTokenEndpoint is the gateway's token URL.
func (s *Server) GatewayTokenEndpoint() string { return s.gatewayBaseURL() + gatewayTokenPath }

func (s *Server) handleGatewayAuthorize(w http.ResponseWriter, r *http.Request) {
	if r.Method != http.MethodGet && r.Method != http.MethodHead {
		w.Header().Set("Allow", "GET, HEAD")
		writeGatewayError(w, http.StatusMethodNotAllowed, "METHOD_NOT_ALLOWED", "The authorize endpoint only accepts GET.")
		return
	}
	target := s.issuer + "/v1/authorize"
	if r.URL.RawQuery != "" {
		target += "?" + r.URL.RawQuery
	}
	http.Redirect(w, r, target, http.StatusFound)
}

// handleGatewayToken is the token step through the gateway: Basic
// credentials, when present, win over client_id and client_secret in the
// body, which are dropped before the Okta server sees the request.
func (s *Server) handleGatewayToken(w http.ResponseWriter, r *http.Request) {
	if r.Method != http.MethodPost {
		w.Header().Set("Allow", "POST")
		writeGatewayError(w, http.StatusMethodNotAllowed, "METHOD_NOT_ALLOWED", "The token endpoint only accepts POST.")
		return
	}
	form, ok := readTokenForm(w, r)
	if !ok {
		writeGatewayError(w, http.StatusBadRequest, "BAD_REQUEST", descFormBody)
		return
	}
	if strings.TrimSpace(r.Header.Get("Authorization")) != "" {
		form.Del("client_id")
		form.Del("client_secret")
	}
	s.handleToken(w, r, form)
}
