package provider

import (
	"context"
	"fmt"

	"github.com/hashicorp/terraform-plugin-framework/diag"
	"github.com/hashicorp/terraform-plugin-framework/path"
	"github.com/hashicorp/terraform-plugin-framework/resource"
	"github.com/hashicorp/terraform-plugin-framework/resource/identityschema"
	"github.com/hashicorp/terraform-plugin-framework/tfsdk"
	"github.com/hashicorp/terraform-plugin-framework/types"
)

// Resource identity (Terraform 1.12 and later): both resources are named by
// one connector profile id, stored under the same attribute name as in their
// state (id for the profile, connector_profile_id for its pin). Older CLIs
// neither ask for the identity schema nor send or keep identity data: for
// them nothing changes.

// profileIdentitySchema is an identity made of one connector profile id,
// under attr.
func profileIdentitySchema(attr, description string) identityschema.Schema {
	return identityschema.Schema{
		Attributes: map[string]identityschema.Attribute{
			attr: identityschema.StringAttribute{RequiredForImport: true, Description: description},
		},
	}
}

// setProfileIdentity records id as the resource's identity. identity is nil
// when the framework has none to fill (never for these resources, which
// declare an identity schema; the framework gives older CLIs a null one).
func setProfileIdentity(ctx context.Context, identity *tfsdk.ResourceIdentity, attr string, id types.String) diag.Diagnostics {
	if identity == nil || !isKnown(id) {
		return nil
	}
	return identity.SetAttribute(ctx, path.Root(attr), id)
}

// importProfile imports a resource named by a connector profile id: the
// import id (terraform import, or an import block's id) or the identity's
// attr (an import block's identity). The id is checked, then written to the
// state's attr and to the identity; example is the advice's terraform
// import command, without the id.
func importProfile(ctx context.Context, req resource.ImportStateRequest, resp *resource.ImportStateResponse, attr, example string) {
	id, where := req.ID, "import id"
	if id == "" && req.Identity != nil {
		var fromIdentity types.String
		resp.Diagnostics.Append(req.Identity.GetAttribute(ctx, path.Root(attr), &fromIdentity)...)
		if resp.Diagnostics.HasError() {
			return
		}
		id, where = fromIdentity.ValueString(), "identity's "+attr
	}
	if problem := checkProfileID(id); problem != "" {
		resp.Diagnostics.AddAttributeError(path.Root(attr), "Invalid import id",
			fmt.Sprintf("The %s %q is not a connector profile id: %s. Import with the profile's id, e.g. %s 8f5a3c1e-5f0b-4c1e-9d7a-2b6f1c0e4a11, or an import block with identity = { %s = \"8f5a3c1e-5f0b-4c1e-9d7a-2b6f1c0e4a11\" }.",
				where, id, problem, example, attr))
		return
	}
	resp.Diagnostics.Append(resp.State.SetAttribute(ctx, path.Root(attr), id)...)
	resp.Diagnostics.Append(setProfileIdentity(ctx, resp.Identity, attr, types.StringValue(id))...)
}
