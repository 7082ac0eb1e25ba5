package provider

import (
	"strings"
	"testing"

	"github.com/stackonehq/terraform-provider-stackone/internal/stackone"
)

// The query's advice on generated configuration names what each listed
// profile lacks: the secret always; client id, scopes and actions when
// StackOne did not report them; the auth type when it listed none.
func TestGeneratedConfigAdvice(t *testing.T) {
	cid, none := "cid", []string{}
	reported := stackone.ConnectorProfile{ID: "a", AuthenticationConfigKey: "oauth2_authorization_code_pkce", ClientID: &cid, Scopes: &none, Actions: &none}
	published := stackone.ConnectorProfile{ID: "b", AuthenticationConfigKey: "oauth2_authorization_code_pkce"}
	bare := stackone.ConnectorProfile{ID: "c"}
	for name, c := range map[string]struct {
		profiles  []stackone.ConnectorProfile
		want, not []string
	}{
		"extension": {[]stackone.ConnectorProfile{reported},
			[]string{"client_secret_wo = null", "changes nothing"}, []string{"client id, scopes and actions", "auth type"}},
		"published": {[]stackone.ConnectorProfile{reported, published},
			[]string{"client_secret_wo = null", "of 1 of the 2 profiles", "every scope registered on the OAuth app"}, []string{"changes nothing", "auth type"}},
		"no auth type": {[]stackone.ConnectorProfile{bare},
			[]string{"of 1 of the 1 profiles", "1 of the profiles without an auth type: set their auth_type"}, nil},
	} {
		diags := generatedConfigAdvice(c.profiles)
		if len(diags) != 1 || diags[0].Summary() != "Generated configuration needs the client secret" {
			t.Fatalf("%s: %v", name, diags)
		}
		detail := diags[0].Detail()
		for _, w := range c.want {
			if !strings.Contains(detail, w) {
				t.Errorf("%s: advice lacks %q:\n%s", name, w, detail)
			}
		}
		for _, n := range c.not {
			if strings.Contains(detail, n) {
				t.Errorf("%s: advice says %q:\n%s", name, n, detail)
			}
		}
	}
}
