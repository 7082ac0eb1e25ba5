package provider_test

import (
	"context"
	"encoding/json"
	"testing"

	"github.com/hashicorp/terraform-plugin-go/tfprotov6"
	"github.com/hashicorp/terraform-plugin-go/tftypes"
	"github.com/hashicorp/terraform-plugin-testing/helper/resource"
	"github.com/hashicorp/terraform-plugin-testing/knownvalue"
	"github.com/hashicorp/terraform-plugin-testing/statecheck"
	"github.com/hashicorp/terraform-plugin-testing/tfjsonpath"
	"github.com/hashicorp/terraform-plugin-testing/tfversion"

	"github.com/stackonehq/terraform-provider-stackone/internal/acctest"
)

// Resource identity needs Terraform 1.12 (or OpenTofu 1.12); older CLIs
// run every other test of the suite unchanged.
var skipBelowIdentity = []tfversion.TerraformVersionCheck{tfversion.SkipBelow(tfversion.Version1_12_0)}

// A profile's identity is its id; an import block that names it by identity
// adopts it, and plans no change.
func TestConnectorProfile_importByIdentity(t *testing.T) {
	t.Parallel()
	tg := acctest.New(t)
	tg.RequireProfileWrites(t)
	resource.UnitTest(t, resource.TestCase{
		ProtoV6ProviderFactories: acctest.ProtoV6ProviderFactories(),
		TerraformVersionChecks:   skipBelowIdentity,
		Steps: []resource.TestStep{
			{
				Config: profileConfig(tg, `
  name             = "identified"
  client_secret_wo = "wo-secret"
`),
				ConfigStateChecks: []statecheck.StateCheck{
					statecheck.ExpectIdentity(profileAddr, map[string]knownvalue.Check{"id": knownvalue.NotNull()}),
					statecheck.ExpectIdentityValueMatchesState(profileAddr, tfjsonpath.New("id")),
				},
			},
			{
				ResourceName:    profileAddr,
				ImportState:     true,
				ImportStateKind: resource.ImportBlockWithResourceIdentity,
			},
		},
	})
}

// A pin's identity is its profile's id, in both API modes.
func TestPinnedVersion_importByIdentity(t *testing.T) {
	bothAPIModes(t, func(t *testing.T, tg *acctest.Target) {
		id := dashboardZoomInfoProfile(t, tg).ID
		resource.UnitTest(t, resource.TestCase{
			ProtoV6ProviderFactories: acctest.ProtoV6ProviderFactories(),
			TerraformVersionChecks:   skipBelowIdentity,
			Steps: []resource.TestStep{
				{
					Config: pinConfig(tg, id, "1.4.0"),
					ConfigStateChecks: []statecheck.StateCheck{
						statecheck.ExpectIdentity(pinAddr, map[string]knownvalue.Check{"connector_profile_id": knownvalue.StringExact(id)}),
					},
				},
				{
					ResourceName:    pinAddr,
					ImportState:     true,
					ImportStateKind: resource.ImportBlockWithResourceIdentity,
				},
			},
		})
	})
}

// importByIdentity imports typeName by an identity holding attr = id,
// as Terraform 1.12 does for an import block with identity = { ... }.
func (p *protoServer) importByIdentity(typeName, attr, id string) *tfprotov6.ImportResourceStateResponse {
	p.t.Helper()
	idType := tftypes.Object{AttributeTypes: map[string]tftypes.Type{attr: tftypes.String}}
	dv, err := tfprotov6.NewDynamicValue(idType, tftypes.NewValue(idType, map[string]tftypes.Value{attr: tftypes.NewValue(tftypes.String, id)}))
	if err != nil {
		p.t.Fatal(err)
	}
	resp, err := p.server.ImportResourceState(context.Background(), &tfprotov6.ImportResourceStateRequest{
		TypeName: typeName, Identity: &tfprotov6.ResourceIdentityData{IdentityData: &dv},
	})
	if err != nil {
		p.t.Fatal(err)
	}
	return resp
}

// identityOf decodes the identity a response carries (nil: none).
func identityOf(t *testing.T, data *tfprotov6.ResourceIdentityData, attr string) string {
	t.Helper()
	if data == nil || data.IdentityData == nil {
		return ""
	}
	raw, err := data.IdentityData.Unmarshal(tftypes.Object{AttributeTypes: map[string]tftypes.Type{attr: tftypes.String}})
	if err != nil {
		t.Fatal(err)
	}
	var vals map[string]tftypes.Value
	if err := raw.As(&vals); err != nil {
		t.Fatal(err)
	}
	var id string
	if err := vals[attr].As(&id); err != nil {
		t.Fatal(err)
	}
	return id
}

// Import by identity checks the id as import by id does, naming where it
// came from; a good one lands in state and in the identity.
func TestImportByIdentity_checksTheID(t *testing.T) {
	t.Parallel()
	tg := acctest.New(t)
	p := newProtoServer(t, tg)
	for typeName, attr := range map[string]string{
		"stackone_connector_profile":                "id",
		"stackone_connector_profile_pinned_version": "connector_profile_id",
	} {
		resp := p.importByIdentity(typeName, attr, "../x")
		if !hasDiag(resp.Diagnostics, tfprotov6.DiagnosticSeverityError, `Invalid import id: The identity's `+attr+` "../x" is not a connector profile id: it contains '.'`) {
			t.Errorf("%s: import by identity ../x: %s", typeName, diagText(resp.Diagnostics))
		}
		resp = p.importByIdentity(typeName, attr, "8f5a3c1e-5f0b-4c1e-9d7a-2b6f1c0e4a11")
		if len(resp.Diagnostics) > 0 || len(resp.ImportedResources) != 1 {
			t.Fatalf("%s: import by identity: %d resources, %s", typeName, len(resp.ImportedResources), diagText(resp.Diagnostics))
		}
		got := resp.ImportedResources[0]
		if id := identityOf(t, got.Identity, attr); id != "8f5a3c1e-5f0b-4c1e-9d7a-2b6f1c0e4a11" {
			t.Errorf("%s: imported identity %q", typeName, id)
		}
		state, err := got.State.Unmarshal(p.resourceType(typeName))
		if err != nil {
			t.Fatal(err)
		}
		var vals map[string]tftypes.Value
		_ = state.As(&vals)
		if !vals[attr].Equal(tftypes.NewValue(tftypes.String, "8f5a3c1e-5f0b-4c1e-9d7a-2b6f1c0e4a11")) {
			t.Errorf("%s: imported state %s = %s", typeName, attr, vals[attr])
		}
	}
}

// A state written before identities existed (or by Terraform 1.11, which
// keeps none) gains one at the next refresh, also when the refresh finds the
// profile gone and drops it, which the framework would otherwise refuse as
// "Missing Resource Identity After Read".
func TestConnectorProfile_refreshWithoutIdentityGainsOne(t *testing.T) {
	t.Parallel()
	tg := acctest.New(t)
	p := newProtoServer(t, tg)
	made := dashboardZoomInfoProfile(t, tg)
	for name, id := range map[string]string{"existing": made.ID, "gone": "00000000-0000-4000-8000-000000000000"} {
		private, _ := json.Marshal(map[string][]byte{})
		resp, err := p.server.ReadResource(context.Background(), &tfprotov6.ReadResourceRequest{
			TypeName:     "stackone_connector_profile",
			CurrentState: p.profileValue(map[string]tftypes.Value{"id": tftypes.NewValue(tftypes.String, id)}),
			Private:      private,
		})
		if err != nil {
			t.Fatal(err)
		}
		for _, d := range resp.Diagnostics {
			if d.Severity == tfprotov6.DiagnosticSeverityError {
				t.Fatalf("%s: refresh without identity: %s", name, diagText(resp.Diagnostics))
			}
		}
		if got := identityOf(t, resp.NewIdentity, "id"); got != id {
			t.Errorf("%s: identity after refresh %q, want %q", name, got, id)
		}
	}
}
