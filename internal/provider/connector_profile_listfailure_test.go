package provider_test

import (
	"testing"

	"github.com/hashicorp/terraform-plugin-go/tftypes"
)

// TestConnectorProfile_listFailureKeepsProfile: a 404 to the list itself (a
// wrong base_url path, a proxy, a route outage) is an error, never "this
// profile was deleted": the profile stays in state.
func TestConnectorProfile_listFailureKeepsProfile(t *testing.T) {
	ps := newProtoServer(t, fakeStackOne(t, map[string]string{}))
	diags, kept := ps.readProfile(map[string]tftypes.Value{
		"id":        tftypes.NewValue(tftypes.String, "p1"),
		"connector": tftypes.NewValue(tftypes.String, "zoominfo"),
	}, nil)
	if !kept {
		t.Fatalf("profile removed from state after GET /connector_profiles answered 404:%s", diagText(diags))
	}
}
