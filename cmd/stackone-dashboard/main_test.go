package main

import (
	"bytes"
	"context"
	"strings"
	"testing"

	"github.com/stackonehq/terraform-provider-stackone/internal/acctest"
	"github.com/stackonehq/terraform-provider-stackone/internal/stackone"
)

func TestRunChangesTheProfile(t *testing.T) {
	tg := acctest.New(t)
	t.Setenv("STACKONE_BASE_URL", tg.BaseURL)
	t.Setenv("SANDBOX_ADMIN_TOKEN", tg.Sandbox.AdminToken())
	ctx := context.Background()
	p, err := tg.Client.CreateConnectorProfile(ctx, stackone.CreateConnectorProfileRequest{
		ConnectorKey: "zoominfo", AuthenticationConfigKey: "oauth2_authorization_code_pkce", Name: "before", ClientID: "cid", ClientSecret: "s",
	})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = tg.Client.DeleteConnectorProfile(ctx, p.ID, "") })
	var out bytes.Buffer
	if err := run(ctx, []string{"-profile", p.ID, "-name", "after", "-scopes", "api:data:news api:data:contact"}, &out); err != nil {
		t.Fatal(err)
	}
	got, err := tg.ReadProfile(ctx, p.ID)
	if err != nil {
		t.Fatal(err)
	}
	if got.Name != "after" || len(acctest.Strings(got.Scopes)) != 2 || !strings.Contains(out.String(), p.ID) {
		t.Fatalf("profile after the change: %+v; output %s", got, out.String())
	}
	if err := run(ctx, []string{"-profile", p.ID}, &out); err == nil {
		t.Fatal("no change asked for should be a usage error")
	}
}
