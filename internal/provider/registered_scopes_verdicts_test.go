package provider_test

import (
	"fmt"
	"net"
	"net/http"
	"net/http/httptest"
	"net/url"
	"regexp"
	"slices"
	"strings"
	"testing"

	"github.com/hashicorp/terraform-plugin-go/tfprotov6"
	"github.com/hashicorp/terraform-plugin-go/tftypes"
	"github.com/hashicorp/terraform-plugin-testing/helper/resource"
	"github.com/hashicorp/terraform-plugin-testing/knownvalue"
	"github.com/hashicorp/terraform-plugin-testing/statecheck"
	"github.com/hashicorp/terraform-plugin-testing/tfjsonpath"

	"github.com/stackonehq/terraform-provider-stackone/internal/acctest"
	"github.com/stackonehq/terraform-provider-stackone/internal/sandbox"
	"github.com/stackonehq/terraform-provider-stackone/internal/sandbox/authserver"
)

// The verdicts of stackone_registered_scopes as a user meets them: through
// terraform, against the sandbox's Okta-style server and stand-ins for what
// sits in front of it. The scope api:data:lookup is not on the sandbox app.

const scopesAddr = "data.stackone_registered_scopes.test"

// scopesConfig is a check of the sandbox app's api:data:contact and
// api:data:lookup at endpoint, reading the result rather than failing.
func scopesConfig(tg *acctest.Target, endpoint string, extra ...string) string {
	return tg.ProviderConfig() + fmt.Sprintf(`
data "stackone_registered_scopes" "test" {
  connector              = "zoominfo"
  client_id              = %q
  scopes                 = ["api:data:contact", "api:data:lookup"]
  authorization_endpoint = %q
  fail_on_unregistered   = false
  %s
}
`, tg.Sandbox.ZoomInfoApp().ClientID, endpoint, strings.Join(extra, "\n  "))
}

// correctVerdict is what the sandbox app really has of those two scopes.
var correctVerdict = []statecheck.StateCheck{
	statecheck.ExpectKnownValue(scopesAddr, tfjsonpath.New("registered_scopes"), knownvalue.SetExact([]knownvalue.Check{knownvalue.StringExact("api:data:contact")})),
	statecheck.ExpectKnownValue(scopesAddr, tfjsonpath.New("unregistered_scopes"), knownvalue.SetExact([]knownvalue.Check{knownvalue.StringExact("api:data:lookup")})),
	statecheck.ExpectKnownValue(scopesAddr, tfjsonpath.New("all_registered"), knownvalue.Bool(false)),
}

// cannotTell is the error a user gets for the third verdict: it says what
// the server answered and gives the URL to open by hand.
func cannotTell(answer string) *regexp.Regexp {
	return expectError(`Cannot tell whether the scopes are registered.*` + answer + `.*Check by hand.*authorize\?client_id=`)
}

func runScopes(t *testing.T, steps ...resource.TestStep) {
	t.Helper()
	resource.UnitTest(t, resource.TestCase{ProtoV6ProviderFactories: acctest.ProtoV6ProviderFactories(), Steps: steps})
}

// forwarder is a gateway stand-in that answers every request with a 302 to
// the sandbox's Okta authorize endpoint, the query made by rewrite.
func forwarder(t *testing.T, tg *acctest.Target, rewrite func(url.Values) string) string {
	t.Helper()
	target := tg.Sandbox.AuthServer().Metadata().AuthorizationEndpoint
	gw := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		http.Redirect(w, r, target+"?"+rewrite(r.URL.Query()), http.StatusFound)
	}))
	t.Cleanup(gw.Close)
	return gw.URL + "/gtm/oauth/v1/authorize"
}

// TestRegisteredScopes_forwardThatRewritesIsCannotTell: a gateway that puts
// its own redirect_uri in the forwarded request asks the server another
// question; its answer says nothing about the app's redirect URI and scopes.
// (This gateway made the data source report all_registered = true.)
func TestRegisteredScopes_forwardThatRewritesIsCannotTell(t *testing.T) {
	t.Parallel()
	tg := acctest.New(t)
	tg.RequireSandbox(t)
	const gatewayCallback = "https://gateway.example/oauth/callback"
	app := tg.Sandbox.ZoomInfoApp()
	tg.Sandbox.AuthServer().UpdateApp(app.ClientID, func(a *authserver.App) { a.RedirectURIs = append(a.RedirectURIs, gatewayCallback) })
	endpoint := forwarder(t, tg, func(q url.Values) string {
		q.Set("redirect_uri", gatewayCallback)
		return q.Encode()
	})
	runScopes(t, resource.TestStep{
		Config:      scopesConfig(tg, endpoint),
		ExpectError: cannotTell(`not the one the probe sent \(redirect_uri was changed\)`),
	})
}

// TestRegisteredScopes_forwardThatReencodesIsFollowed: a gateway that only
// reorders the parameters, percent-encodes them differently (names too) and
// adds one of its own sends the same request: it is followed, and the
// server's answer is the verdict.
func TestRegisteredScopes_forwardThatReencodesIsFollowed(t *testing.T) {
	t.Parallel()
	tg := acctest.New(t)
	tg.RequireSandbox(t)
	endpoint := forwarder(t, tg, func(q url.Values) string {
		keys := make([]string, 0, len(q))
		for k := range q {
			keys = append(keys, k)
		}
		slices.Sort(keys)
		slices.Reverse(keys)
		parts := []string{"gw_trace=7"}
		for _, k := range keys {
			name := strings.ReplaceAll(k, "_", "%5f")
			v := strings.ReplaceAll(url.PathEscape(q.Get(k)), ":", "%3a")
			parts = append(parts, name+"="+v)
		}
		return strings.Join(parts, "&")
	})
	runScopes(t, resource.TestStep{Config: scopesConfig(tg, endpoint), ConfigStateChecks: correctVerdict})
}

// TestRegisteredScopes_gatewayOnAnotherHost: the sandbox's gateway on a
// listener of its own (127.0.0.2, another host than the Okta server's
// 127.0.0.1) forwards across hosts; the probe follows and reads the
// server's answer.
func TestRegisteredScopes_gatewayOnAnotherHost(t *testing.T) {
	t.Parallel()
	ln, err := net.Listen("tcp", "127.0.0.2:0")
	if err != nil {
		t.Skipf("cannot bind a second loopback host: %v", err)
	}
	ln.Close()
	tg := acctest.NewWithOptions(t, sandbox.Options{GatewayAddr: "127.0.0.2:0"})
	tg.RequireSandbox(t)
	gw, _ := url.Parse(tg.Sandbox.AuthServer().GatewayAuthorizeEndpoint())
	okta, _ := url.Parse(tg.Sandbox.AuthServer().Metadata().AuthorizationEndpoint)
	if gw.Hostname() == okta.Hostname() {
		t.Fatalf("gateway %s and server %s on one host", gw, okta)
	}
	runScopes(t, resource.TestStep{Config: scopesConfig(tg, gw.String()), ConfigStateChecks: correctVerdict})
}

// fakeOkta is an Okta-style authorize endpoint that serves its sign-in page
// in place with a 200 for a valid request, its 400 error page for a
// redirect URI it does not know, and its error page with invalid_scope for
// a scope the app lacks.
func fakeOkta(t *testing.T, redirectURI string, scopes ...string) string {
	t.Helper()
	page := func(w http.ResponseWriter, status int, code, desc string) {
		w.Header().Set("Content-Type", "text/html;charset=utf-8")
		w.WriteHeader(status)
		fmt.Fprintf(w, `<!DOCTYPE html><html><head><title>Okta - Error</title><script>var config = {"Error Code": "none"};</script></head>
<body><div class="content"><h2>400 Bad Request</h2><p id="errorSummary">Identity Provider: Unknown</p>
<p>Error Code: %s</p><p>Description: %s</p></div></body></html>`, code, strings.ReplaceAll(desc, "'", "&#x27;"))
	}
	ts := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		q := r.URL.Query()
		if q.Get("redirect_uri") != redirectURI {
			page(w, http.StatusBadRequest, "invalid_request", "The 'redirect_uri' parameter must be a Login redirect URI in the client app settings")
			return
		}
		for _, sc := range strings.Fields(q.Get("scope")) {
			if !slices.Contains(scopes, sc) {
				page(w, http.StatusBadRequest, "invalid_scope", "One or more scopes are not configured for the authorization server resource.")
				return
			}
		}
		w.Header().Set("Content-Type", "text/html;charset=utf-8")
		fmt.Fprint(w, `<!DOCTYPE html><html><head><title>ZoomInfo - Sign In</title><script src="/js/okta-sign-in.min.js"></script></head>
<body><div id="okta-login-container"></div><noscript><form method="post" action="/login"><input name="username"><input type="password" name="password"></form></noscript>
<script>var signIn = new OktaSignIn({baseUrl: "https://okta-login.zoominfo.com"});</script></body></html>`)
	}))
	t.Cleanup(ts.Close)
	return ts.URL + "/oauth2/default/v1/authorize"
}

// TestRegisteredScopes_signInPageAtOnce: a 200 sign-in page is the server
// moving on to sign-in: registered.
func TestRegisteredScopes_signInPageAtOnce(t *testing.T) {
	t.Parallel()
	tg := acctest.New(t)
	tg.RequireSandbox(t)
	endpoint := fakeOkta(t, tg.BaseURL+"/connect/oauth2/zoominfo/callback", "api:data:contact", "api:data:lookup")
	runScopes(t, resource.TestStep{
		Config: scopesConfig(tg, endpoint),
		ConfigStateChecks: []statecheck.StateCheck{
			statecheck.ExpectKnownValue(scopesAddr, tfjsonpath.New("registered_scopes"), knownvalue.SetSizeExact(2)),
			statecheck.ExpectKnownValue(scopesAddr, tfjsonpath.New("all_registered"), knownvalue.Bool(true)),
		},
	})
}

// TestRegisteredScopes_oktaErrorPage: Okta's error pages are verdicts: with
// invalid_scope, the scope is not registered; about the redirect URI, the
// redirect URI is not.
func TestRegisteredScopes_oktaErrorPage(t *testing.T) {
	t.Parallel()
	tg := acctest.New(t)
	tg.RequireSandbox(t)
	callback := tg.BaseURL + "/connect/oauth2/zoominfo/callback"
	endpoint := fakeOkta(t, callback, "api:data:contact")
	runScopes(t,
		resource.TestStep{Config: scopesConfig(tg, endpoint), ConfigStateChecks: correctVerdict},
		resource.TestStep{
			Config:      scopesConfig(tg, endpoint, `redirect_uri = "https://elsewhere.example/cb"`),
			ExpectError: expectError(`Redirect URI not registered on the OAuth app.*add exactly.*https://elsewhere.example/cb`),
		},
	)
}

// TestRegisteredScopes_bodyCutShortIsCannotTell: a sign-in page whose
// connection drops before the promised Content-Length arrives is not read
// as a sign-in page: cannot tell, even with fail_on_unregistered = false.
func TestRegisteredScopes_bodyCutShortIsCannotTell(t *testing.T) {
	t.Parallel()
	tg := acctest.New(t)
	tg.RequireSandbox(t)
	ts := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		conn, buf, err := http.NewResponseController(w).Hijack()
		if err != nil {
			return
		}
		defer conn.Close()
		fmt.Fprint(buf, "HTTP/1.1 200 OK\r\nContent-Type: text/html\r\nContent-Length: 4096\r\n\r\n"+
			`<!DOCTYPE html><html><body><form method="post"><input name="username"><input type="password" name="password">`)
		_ = buf.Flush()
	}))
	t.Cleanup(ts.Close)
	runScopes(t, resource.TestStep{
		Config:      scopesConfig(tg, ts.URL+"/oauth2/default/v1/authorize"),
		ExpectError: cannotTell(`answered 200 OK but the body was cut short`),
	})
}

// TestRegisteredScopes_endpointDefaults: zoominfo's endpoint comes from the
// provider's table (ZoomInfo's gateway; unreachable from here, which is
// itself "cannot tell"), and redirect_uri from the provider's base_url; a
// connector the table does not know needs authorization_endpoint.
func TestRegisteredScopes_endpointDefaults(t *testing.T) {
	t.Parallel()
	tg := acctest.New(t)
	tg.RequireSandbox(t)
	str := func(s string) tftypes.Value { return tftypes.NewValue(tftypes.String, s) }
	ps := newProtoServer(t, tg)
	diags, _ := ps.readDataSource("stackone_registered_scopes", map[string]tftypes.Value{
		"connector": str("zoominfo"), "client_id": str("0oaSomeClient0000001"), "scopes": stringSetValue("api:data:contact"),
	})
	want := `Cannot tell.*https://api\.zoominfo\.com/gtm/oauth/v1/authorize.*redirect URI ` + regexp.QuoteMeta(tg.BaseURL+"/connect/oauth2/zoominfo/callback") +
		`.*https://api\.zoominfo\.com/gtm/oauth/v1/authorize\?client_id=0oaSomeClient0000001&code_challenge=`
	if !hasDiag(diags, tfprotov6.DiagnosticSeverityError, want) {
		t.Fatalf("diagnostics %v, want %s", diags, want)
	}

	diags, _ = ps.readDataSource("stackone_registered_scopes", map[string]tftypes.Value{
		"connector": str("acmecrm"), "client_id": str("cid"),
	})
	if len(diags) != 1 || !diags[0].Attribute.Equal(tftypes.NewAttributePath().WithAttributeName("authorization_endpoint")) ||
		!hasDiag(diags, tfprotov6.DiagnosticSeverityError, `No known authorization endpoint.*Set authorization_endpoint.*"acmecrm"`) {
		t.Fatalf("diagnostics %v, want one error on authorization_endpoint", diags)
	}

	// The catalog, when consulted, only confirms the connector: its failure
	// advises skipping it, which loses nothing else.
	tg.Sandbox.SetDown(true)
	defer tg.Sandbox.SetDown(false)
	ps = newProtoServerWith(t, tg, map[string]tftypes.Value{"max_retries": tftypes.NewValue(tftypes.Number, 0)})
	diags, _ = ps.readDataSource("stackone_registered_scopes", map[string]tftypes.Value{
		"connector": str("zoominfo"), "client_id": str("cid"), "authorization_endpoint": str(tg.Sandbox.AuthServer().GatewayAuthorizeEndpoint()),
	})
	if !hasDiag(diags, tfprotov6.DiagnosticSeverityError, `Cannot read StackOne's catalog.*503.*set skip_catalog_validation = true in the provider block to check the app without the catalog`) {
		t.Fatalf("diagnostics %v", diags)
	}
}

// redirectingServer is an authorization endpoint that answers every request
// with a 302 to where(query), resolved against itself.
func redirectingServer(t *testing.T, where func(q url.Values) string) string {
	t.Helper()
	ts := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path != "/oauth2/default/v1/authorize" {
			http.NotFound(w, r)
			return
		}
		w.Header().Set("Location", where(r.URL.Query()))
		w.WriteHeader(http.StatusFound)
	}))
	t.Cleanup(ts.Close)
	return ts.URL + "/oauth2/default/v1/authorize"
}

// TestRegisteredScopes_redirectsNeedEvidence: a server that sends a scope
// it lacks to its own error page (/error?errorCode=invalid_scope, not the
// redirect URI) and a good request to its sign-in route gives the right
// verdict; a server that redirects to about:blank, or to an error page
// that names nothing, proves nothing (before, each counted as "moved on to
// sign-in": registered).
func TestRegisteredScopes_redirectsNeedEvidence(t *testing.T) {
	t.Parallel()
	tg := acctest.New(t)
	tg.RequireSandbox(t)
	errorPage := redirectingServer(t, func(q url.Values) string {
		if strings.Contains(q.Get("scope"), "api:data:lookup") {
			return "/error?errorCode=invalid_scope"
		}
		return "/login/login.htm?fromURI=%2F"
	})
	blank := redirectingServer(t, func(url.Values) string { return "about:blank" })
	vague := redirectingServer(t, func(url.Values) string { return "/error?errorCode=E0000022" })
	runScopes(t,
		resource.TestStep{Config: scopesConfig(tg, errorPage), ConfigStateChecks: correctVerdict},
		resource.TestStep{Config: scopesConfig(tg, blank), ExpectError: cannotTell(`neither a sign-in page nor the redirect URI`)},
		resource.TestStep{Config: scopesConfig(tg, vague), ExpectError: cannotTell(`an error page`)},
	)
}
