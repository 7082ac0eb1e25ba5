package main

import (
	"bytes"
	"context"
	"strings"
	"testing"

	"github.com/stackonehq/terraform-provider-stackone/internal/acctest"
	"github.com/stackonehq/terraform-provider-stackone/internal/stackone"
)

func TestRunLinksAutomatically(t *testing.T) {
	tg := acctest.New(t)
	tg.RequireSandbox(t)
	for _, kv := range tg.Sandbox.Env() {
		t.Setenv(kv.Key, kv.Value)
	}
	app := tg.Sandbox.ZoomInfoApp()
	create := func(scopes ...string) string {
		p, err := tg.Client.CreateConnectorProfile(context.Background(), stackone.CreateConnectorProfileRequest{
			ConnectorKey: "zoominfo", AuthenticationConfigKey: "oauth2_authorization_code_pkce", Name: "link", ClientID: app.ClientID, ClientSecret: app.ClientSecret, Scopes: scopes,
		})
		if err != nil {
			t.Fatal(err)
		}
		return p.ID
	}

	var out bytes.Buffer
	if err := run(context.Background(), []string{"-profile", create("api:data:contact"), "-auto"}, &out); err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(out.String(), "Linked account") || !strings.Contains(out.String(), "scopes: api:data:contact") {
		t.Fatalf("output: %s", out.String())
	}

	err := run(context.Background(), []string{"-profile", create("api:data:lookup"), "-auto"}, &out)
	if err == nil || !strings.Contains(err.Error(), "invalid_scope") {
		t.Fatalf("a profile with an unregistered scope should fail with invalid_scope, got %v", err)
	}
	out.Reset()
	if err := run(context.Background(), []string{"-create", "-auto"}, &out); err != nil || !strings.Contains(out.String(), "Created ZoomInfo profile") || !strings.Contains(out.String(), "Linked account") {
		t.Fatalf("-create -auto: %v\n%s", err, out.String())
	}
	// -owner links the account for that customer, which is how a test finds it.
	out.Reset()
	if err := run(context.Background(), []string{"-profile", create("api:data:contact"), "-auto", "-owner", "customer-7"}, &out); err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(out.String(), "owner customer-7") {
		t.Errorf("output: %s", out.String())
	}
	if as, err := tg.Client.ListAccounts(context.Background(), stackone.ListAccountsOptions{OriginOwnerID: "customer-7"}); err != nil || len(as) != 1 {
		t.Errorf("accounts of customer-7: %v, %+v", err, as)
	}
	if err := run(context.Background(), nil, &out); err == nil || !strings.Contains(err.Error(), "-profile is required") {
		t.Fatalf("missing -profile: %v", err)
	}
}
