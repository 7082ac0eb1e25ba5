package sandbox

import "net/http"

// newAuthorizationServer builds the handler served on the authorization-server
// listener, the env lines describing it, and the endpoints the catalog
// advertises for ZoomInfo. It lives in a file of its own because the
// integrator replaces this body with the real authorization server; until
// then every request gets a JSON 404.
func newAuthorizationServer(authzBaseURL string, stackoneCallbackURL string, o Options, adminToken string) (handler http.Handler, env []EnvVar, authorizationEndpoint, tokenEndpoint string) {
	_, _, _ = stackoneCallbackURL, o, adminToken
	handler = http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		w.WriteHeader(http.StatusNotFound)
		_, _ = w.Write([]byte(`{"error":"not_found","error_description":"the authorization server is not available in this build"}` + "\n"))
	})
	return handler, nil, authzBaseURL + "/oauth2/default/v1/authorize", authzBaseURL + "/oauth2/default/v1/token"
}
