package provider

import (
	"context"
	"testing"

	"github.com/hashicorp/terraform-plugin-framework/types"

	"github.com/stackonehq/terraform-provider-stackone/internal/stackone"
)

// TestConnectorFromAPINullsAndEmptyLists: what the catalog leaves out of a
// connector is an empty list, never null, and only the endpoints and pkce,
// which the catalog does not publish, are null.
func TestConnectorFromAPINullsAndEmptyLists(t *testing.T) {
	ctx := context.Background()
	var bare connectorModel
	if diags := bare.fromAPI(ctx, stackone.Connector{Key: "k"}, "https://api.stackone.com"); diags.HasError() {
		t.Fatal(diags)
	}
	for name, l := range map[string]types.List{"auth_types": bare.AuthTypes, "scopes": bare.Scopes, "actions": bare.Actions} {
		if l.IsNull() || len(l.Elements()) != 0 {
			t.Errorf("%s = %s, want an empty list", name, l)
		}
	}

	var m connectorModel
	diags := m.fromAPI(ctx, stackone.Connector{Key: "k",
		Authentication:   []stackone.Authentication{{Key: "a"}},
		ScopeDefinitions: []stackone.ScopeDefinition{{Name: "s"}},
		Actions:          []stackone.Action{{ID: "x"}},
	}, "https://api.stackone.com")
	if diags.HasError() {
		t.Fatal(diags)
	}
	for _, l := range []types.List{m.AuthTypes, m.Scopes, m.Actions} {
		if len(l.Elements()) != 1 {
			t.Fatalf("want one element, got %s", l)
		}
		for name, v := range l.Elements()[0].(types.Object).Attributes() {
			wantNull := name == "authorization_url" || name == "token_url" || name == "pkce"
			if v.IsNull() != wantNull {
				t.Errorf("%s is null: %v, want %v", name, v.IsNull(), wantNull)
			}
			if list, ok := v.(types.List); ok && len(list.Elements()) != 0 {
				t.Errorf("%s = %s, want an empty list", name, list)
			}
		}
	}
	auth := m.AuthTypes.Elements()[0].(types.Object).Attributes()
	if got := auth["callback_url"].(types.String).ValueString(); got != "https://api.stackone.com/connect/oauth2/k/callback" {
		t.Errorf("callback_url = %q", got)
	}
}
