package sandbox

import (
	"fmt"
	"net"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"sync"
	"testing"
)

// gatewayAddr is another loopback host than the sandbox's 127.0.0.1 where
// the machine allows binding it, so the gateway's forward crosses hosts.
func gatewayAddr(t *testing.T) string {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.2:0")
	if err != nil {
		return "127.0.0.1:0"
	}
	ln.Close()
	return "127.0.0.2:0"
}

// TestLinkThroughGateway: with LinkThroughGateway, the Hub's link goes to the
// gateway's authorize endpoint on its own listener, which forwards to the
// Okta server; the callback redeems the code at the gateway's token endpoint.
func TestLinkThroughGateway(t *testing.T) {
	var logMu sync.Mutex
	var logs []string
	s := startSandbox(t, Options{GatewayAddr: gatewayAddr(t), LinkThroughGateway: true, Logf: func(format string, args ...any) {
		logMu.Lock()
		logs = append(logs, fmt.Sprintf(format, args...))
		logMu.Unlock()
	}})
	env := map[string]string{}
	var keys []string
	for _, kv := range s.Env() {
		env[kv.Key] = kv.Value
		keys = append(keys, kv.Key)
	}
	gwAuthorize, gwToken := env["ZOOMINFO_GATEWAY_AUTHORIZATION_ENDPOINT"], env["ZOOMINFO_GATEWAY_TOKEN_ENDPOINT"]
	if !slices.Equal(keys[len(keys)-2:], []string{"ZOOMINFO_GATEWAY_AUTHORIZATION_ENDPOINT", "ZOOMINFO_GATEWAY_TOKEN_ENDPOINT"}) ||
		gwAuthorize != s.AuthServer().GatewayAuthorizeEndpoint() || gwToken != s.AuthServer().GatewayTokenEndpoint() ||
		strings.HasPrefix(gwAuthorize, s.AuthzURL()) || !strings.HasSuffix(gwToken, "/gtm/oauth/v1/token") {
		t.Fatalf("env %v", s.Env())
	}

	c := newClient(t, s)
	b := newBrowser(t)
	p := linkProfile(c, []string{"api:data:contact"}, "")
	cs := newSession(c, p.ID)
	authorize := location(t, b.get(cs.AuthLinkURL))
	if got := authorize.Scheme + "://" + authorize.Host + authorize.Path; got != gwAuthorize {
		t.Fatalf("the link went to %s, want the gateway %s", got, gwAuthorize)
	}
	fwd := location(t, b.get(authorize.String()))
	if got := fwd.Scheme + "://" + fwd.Host + fwd.Path; got != s.AuthServer().Metadata().AuthorizationEndpoint || fwd.RawQuery != authorize.RawQuery {
		t.Fatalf("the gateway forwarded to %s", fwd.Redacted())
	}
	login := location(t, b.get(fwd.String()))
	user, password := s.User()
	cb := location(t, b.post(s.AuthServer().LoginURL(), url.Values{"tx": {login.Query().Get("tx")}, "username": {user}, "password": {password}}))
	r := b.get(cb.String())
	if r.status != http.StatusOK || !strings.Contains(string(r.body), "Account linked") {
		t.Fatalf("callback: %d %s", r.status, r.body)
	}
	if st := sessionStatus(c, cs.ID); st.LatestConnectionAttempt == nil || st.LatestConnectionAttempt.Status != string(AttemptAuthenticated) {
		t.Fatalf("session = %+v", st)
	}
	logMu.Lock()
	defer logMu.Unlock()
	if !slices.ContainsFunc(logs, func(l string) bool { return strings.HasPrefix(l, "authz POST /gtm/oauth/v1/token 200") }) ||
		slices.ContainsFunc(logs, func(l string) bool { return strings.Contains(l, "/v1/token") && !strings.Contains(l, "/gtm/") }) {
		t.Fatalf("the code was not redeemed at the gateway alone: %q", logs)
	}
}
