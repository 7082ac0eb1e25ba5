package provider

import (
	"github.com/stackonehq/terraform-provider-stackone/internal/catalogcheck"
	"github.com/stackonehq/terraform-provider-stackone/internal/safetext"

	"context"
	"errors"
	"fmt"
	"net/http"
	"slices"
	"strings"

	"github.com/hashicorp/terraform-plugin-framework/diag"
	"github.com/hashicorp/terraform-plugin-framework/path"
	"github.com/hashicorp/terraform-plugin-framework/resource"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema/planmodifier"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema/stringplanmodifier"
	"github.com/hashicorp/terraform-plugin-framework/schema/validator"
	"github.com/hashicorp/terraform-plugin-framework/tfsdk"
	"github.com/hashicorp/terraform-plugin-framework/types"

	"github.com/stackonehq/terraform-provider-stackone/internal/stackone"
)

var (
	_ resource.Resource                = (*pinnedVersionResource)(nil)
	_ resource.ResourceWithConfigure   = (*pinnedVersionResource)(nil)
	_ resource.ResourceWithImportState = (*pinnedVersionResource)(nil)
	_ resource.ResourceWithModifyPlan  = (*pinnedVersionResource)(nil)
	_ resource.ResourceWithIdentity    = (*pinnedVersionResource)(nil)
)

// NewPinnedVersionResource returns the stackone_connector_profile_pinned_version resource.
func NewPinnedVersionResource() resource.Resource { return &pinnedVersionResource{} }

type pinnedVersionResource struct{ data *providerData }

type pinnedVersionModel struct {
	ConnectorProfileID types.String `tfsdk:"connector_profile_id"`
	PinnedVersion      types.String `tfsdk:"pinned_version"`
	Owner              types.String `tfsdk:"owner"`
	CreatedAt          types.String `tfsdk:"created_at"`
	UpdatedAt          types.String `tfsdk:"updated_at"`
}

func (r *pinnedVersionResource) Metadata(_ context.Context, req resource.MetadataRequest, resp *resource.MetadataResponse) {
	resp.TypeName = req.ProviderTypeName + "_connector_profile_pinned_version"
}

func (r *pinnedVersionResource) Schema(_ context.Context, _ resource.SchemaRequest, resp *resource.SchemaResponse) {
	resp.Schema = schema.Schema{
		MarkdownDescription: "The connector version a connector profile is pinned to, instead of following the connector's latest version. " +
			"A pin changed outside Terraform shows in the plan, which puts the configured version back; a pin removed outside Terraform is pinned again. " +
			"A profile that already has a pin (set in the dashboard, or by another configuration) is not taken over: the plan fails with the pin it has, and says to import it. " +
			"Destroying it removes the pin: the profile follows the latest version again (the plan warns when the pin was imported).",
		Attributes: map[string]schema.Attribute{
			"connector_profile_id": schema.StringAttribute{
				MarkdownDescription: "Id of the connector profile to pin. Changing it moves the pin: the old profile's pin is removed and the new one's is set.",
				Required:            true,
				Validators:          []validator.String{profileIDValidator{}},
				PlanModifiers:       []planmodifier.String{stringplanmodifier.RequiresReplace()},
			},
			"pinned_version": schema.StringAttribute{
				MarkdownDescription: "What to pin, in one of the forms StackOne accepts: `latest` (the newest version), a major range such as `1.x.x` (the newest 1.y.z), a minor range such as `1.2.x` (the newest 1.2.z), or an exact version the profile has (`data.stackone_connector_profile_versions` lists them). " +
					"StackOne does not accept `^1.2.0` or `~1.2`; they, and a range or version the profile has no version in, fail the plan with the accepted forms and the versions it has. " +
					"The value stays as written: a range is read back as the range, and which version it runs is StackOne's choice, shown as `connector_version` by `data.stackone_connector_profile(s)` and as `pinned` in `data.stackone_connector_profile_versions`.",
				Required:   true,
				Validators: []validator.String{textValidator{maxLen: 100, noWhitespace: true}, pinFormValidator{}},
			},
			"owner": schema.StringAttribute{
				MarkdownDescription: "Owner of the version (`stackone` for StackOne's builtin versions). Only needed when two owners publish the same version; defaults to the owner of `pinned_version`.",
				Optional:            true,
				Computed:            true,
				Validators:          []validator.String{textValidator{maxLen: maxTextLength}},
			},
			"created_at": schema.StringAttribute{
				MarkdownDescription: "When the pin was made (RFC 3339).",
				Computed:            true,
			},
			"updated_at": schema.StringAttribute{
				MarkdownDescription: "When the pin last changed (RFC 3339).",
				Computed:            true,
			},
		},
	}
}

func (r *pinnedVersionResource) Configure(_ context.Context, req resource.ConfigureRequest, resp *resource.ConfigureResponse) {
	r.data = providerDataFrom(req.ProviderData, &resp.Diagnostics)
}

// IdentitySchema: a pin is identified by its profile's id (Terraform 1.12 and later).
func (r *pinnedVersionResource) IdentitySchema(_ context.Context, _ resource.IdentitySchemaRequest, resp *resource.IdentitySchemaResponse) {
	resp.IdentitySchema = profileIdentitySchema("connector_profile_id", "Id of the pinned connector profile.")
}

func (r *pinnedVersionResource) configured(diags *diag.Diagnostics) bool {
	return resourceConfigured(r.data, diags)
}

// ModifyPlan refuses, at plan, a version or range the profile has no
// version of (or an owner that does not publish it), listing the versions it
// has, and the creation of a pin on a profile that already has one. It needs
// the profile id and version known and the provider configured; otherwise
// the apply checks, through StackOne's 400 and its own read of the pin. A
// destroy of an imported pin warns what it removes.
func (r *pinnedVersionResource) ModifyPlan(ctx context.Context, req resource.ModifyPlanRequest, resp *resource.ModifyPlanResponse) {
	defer r.data.maskDiagnostics(&resp.Diagnostics)
	if req.Plan.Raw.IsNull() {
		warnImportedPinDestroy(ctx, req, resp)
		return
	}
	if !req.State.Raw.IsNull() && req.Plan.Raw.Equal(req.State.Raw) {
		return // nothing to send
	}
	if r.data == nil || r.data.client == nil || len(r.data.unknownConfig) > 0 {
		return
	}
	var plan pinnedVersionModel
	var owner types.String // the configured owner: the plan's is unknown when not set
	resp.Diagnostics.Append(req.Plan.Get(ctx, &plan)...)
	resp.Diagnostics.Append(req.Config.GetAttribute(ctx, path.Root("owner"), &owner)...)
	if resp.Diagnostics.HasError() || !isKnown(plan.ConnectorProfileID) || !isKnown(plan.PinnedVersion) || owner.IsUnknown() {
		return
	}
	profileID := plan.ConnectorProfileID.ValueString()
	versions, err := listVersions(ctx, r.data.client, profileID)
	if err != nil {
		addVersionsError(&resp.Diagnostics, profileID, err)
		return
	}
	checkPinnable(versions, profileID, plan.PinnedVersion.ValueString(), owner.ValueString(), &resp.Diagnostics)
	// A new pin must find its profile unpinned. A pin moving to another
	// profile is a replacement, whose create Terraform plans with no prior
	// state, so it is checked here too, before the old pin is removed.
	if req.State.Raw.IsNull() && !resp.Diagnostics.HasError() {
		r.refuseExistingPin(ctx, profileID, &resp.Diagnostics)
	}
}

// importedKey marks, in private state, a pin that came in by import: it was
// made outside Terraform, so its destroy removes someone else's choice.
const importedKey = "imported"

// warnImportedPinDestroy says, in the plan of a destroy, what destroying an
// imported pin removes.
func warnImportedPinDestroy(ctx context.Context, req resource.ModifyPlanRequest, resp *resource.ModifyPlanResponse) {
	if req.State.Raw.IsNull() || req.Private == nil {
		return
	}
	if mark, diags := req.Private.GetKey(ctx, importedKey); diags.HasError() || len(mark) == 0 {
		return
	}
	var state pinnedVersionModel
	if resp.Diagnostics.Append(req.State.Get(ctx, &state)...); resp.Diagnostics.HasError() {
		return
	}
	resp.Diagnostics.AddWarning("Destroying removes an imported pin",
		fmt.Sprintf("This pin was made outside Terraform and imported. Destroying it removes pin %q%s from connector profile %q: the profile then follows the connector's latest version, for every account linked through it. "+
			"To stop managing the pin but keep it, remove it from state instead (a removed block with destroy = false, or terraform state rm).",
			state.PinnedVersion.ValueString(), ownerNote(state.Owner.ValueString()), state.ConnectorProfileID.ValueString()))
}

// refuseExistingPin adds an error when the profile already has a pin: a
// new resource pins only a profile with none, so that it never overwrites,
// and later removes, a pin it did not make.
func (r *pinnedVersionResource) refuseExistingPin(ctx context.Context, profileID string, diags *diag.Diagnostics) {
	pin, err := r.data.client.GetPinnedVersion(ctx, profileID)
	switch {
	case stackone.IsNotFound(err):
		return
	case err != nil:
		diags.AddError("Cannot read the pinned version",
			fmt.Sprintf("Before pinning connector profile %q, reading the pin it has failed: %s", profileID, err))
		return
	}
	diags.AddAttributeError(path.Root("connector_profile_id"), "Connector profile already pinned",
		fmt.Sprintf("Connector profile %q is already pinned to %q%s (since %s), set outside this configuration (in the dashboard, or by another one). "+
			"Terraform does not take over a pin it did not make. To manage that pin here, import it, then apply your version:\n\n"+
			"  import {\n    to = stackone_connector_profile_pinned_version.<name>\n    id = %q\n  }\n\n"+
			"or: terraform import stackone_connector_profile_pinned_version.<name> %s",
			profileID, safetext.Text(pin.PinnedVersion, 100), ownerNote(safetext.Text(pin.Owner, 100)), safetext.Text(pin.CreatedAt, 40), profileID, profileID))
}

// checkPinnable adds an error on pinned_version when the profile has no
// such version (for a range: none in it), or on owner when no version of
// that name has that owner.
func checkPinnable(versions []stackone.ConnectorVersion, profileID, version, owner string, diags *diag.Diagnostics) {
	spec, err := stackone.ParsePinSpec(version)
	if err != nil {
		return // the attribute's validator has said so
	}
	if spec.IsRange() {
		for _, v := range versions {
			if spec.Covers(v.Version) && (owner == "" || v.Owner == owner) {
				return
			}
		}
		diags.AddAttributeError(path.Root("pinned_version"), "No connector version in range",
			fmt.Sprintf("Connector profile %q has no version%s in %q, so StackOne would refuse the pin. Accepted forms: %s. %s",
				profileID, ownerOf(owner), version, stackone.AcceptedPinForms, versionsAdvice(versions, version)))
		return
	}
	var owners []string
	for _, v := range versions {
		if v.Version == version {
			if owner == "" || v.Owner == owner {
				return
			}
			owners = append(owners, fmt.Sprintf("%q", safetext.Text(v.Owner, 100)))
		}
	}
	if len(owners) > 0 {
		diags.AddAttributeError(path.Root("owner"), "Version not published by this owner",
			fmt.Sprintf("Version %q of connector profile %q is published by %s, not %q: set owner to that, or remove owner to pin the version whoever publishes it.",
				version, profileID, strings.Join(owners, " and "), owner))
		return
	}
	diags.AddAttributeError(path.Root("pinned_version"), "Connector version not found",
		fmt.Sprintf("Connector profile %q has no version %q. %s", profileID, version, versionsAdvice(versions, version)))
}

// versionsAdvice lists the versions a profile can pin, the nearest to
// wanted first, and says to pick one.
func versionsAdvice(versions []stackone.ConnectorVersion, wanted string) string {
	if len(versions) == 0 {
		return "It lists no versions at all, so nothing can be pinned on it: remove this resource, or pin another profile."
	}
	names := make([]string, 0, len(versions))
	owners := map[string][]string{}
	for _, v := range versions {
		if _, seen := owners[v.Version]; !seen {
			names = append(names, v.Version)
		}
		owners[v.Version] = append(owners[v.Version], safetext.Text(v.Owner, 100))
	}
	ordered := catalogcheck.Suggest(wanted, names, len(names))
	for _, n := range names {
		if !slices.Contains(ordered, n) {
			ordered = append(ordered, n)
		}
	}
	listed := make([]string, len(ordered))
	for i, n := range ordered {
		listed[i] = fmt.Sprintf("%q (owner %s)", safetext.Text(n, 100), strings.Join(owners[n], ", "))
	}
	return "Set pinned_version to one of the versions it has, nearest first: " + strings.Join(listed, ", ") + "."
}

// listVersions reads the versions a profile can pin, refusing a broken list.
func listVersions(ctx context.Context, client *stackone.Client, profileID string) ([]stackone.ConnectorVersion, error) {
	versions, err := client.ListConnectorVersions(ctx, profileID)
	if err != nil {
		return nil, err
	}
	return versions, checkVersions(versions, profileID)
}

// checkVersions refuses a broken version list (a version without a name,
// or more than one pinned), which must not read as "nothing matches".
func checkVersions(versions []stackone.ConnectorVersion, profileID string) error {
	pinned := 0
	for i, v := range versions {
		if strings.TrimSpace(v.Version) == "" {
			return fmt.Errorf("StackOne listed the versions of connector profile %q with item %d having no version", profileID, i+1)
		}
		if v.Pinned {
			pinned++
		}
	}
	if pinned > 1 {
		return fmt.Errorf("StackOne listed %d versions of connector profile %q as pinned; a profile has at most one pin", pinned, profileID)
	}
	return nil
}

// addVersionsError reports a failed read of a profile's versions; a missing
// profile is an error on connector_profile_id.
func addVersionsError(diags *diag.Diagnostics, profileID string, err error) {
	if stackone.IsNotFound(err) {
		diags.AddAttributeError(path.Root("connector_profile_id"), "Connector profile not found",
			fmt.Sprintf("StackOne has no connector profile %q. Use the id of an existing profile (data.stackone_connector_profiles lists them), or of a stackone_connector_profile resource.", profileID))
		return
	}
	diags.AddError("Cannot read the connector versions", fmt.Sprintf("Reading the versions of connector profile %q failed: %s", profileID, err))
}

// Create and Update are the same upsert (PUT …/pinned_version).
// Create first makes sure the profile has no pin (the plan could not check
// when the profile id was unknown, and a pin may have been set since).
func (r *pinnedVersionResource) Create(ctx context.Context, req resource.CreateRequest, resp *resource.CreateResponse) {
	defer r.data.maskDiagnostics(&resp.Diagnostics)
	var plan pinnedVersionModel
	resp.Diagnostics.Append(req.Plan.Get(ctx, &plan)...)
	if resp.Diagnostics.HasError() || !r.configured(&resp.Diagnostics) {
		return
	}
	if r.refuseExistingPin(ctx, plan.ConnectorProfileID.ValueString(), &resp.Diagnostics); resp.Diagnostics.HasError() {
		return
	}
	r.upsert(ctx, req.Plan, nil, &resp.State, &resp.Diagnostics)
	resp.Diagnostics.Append(identityFromState(ctx, resp.State, resp.Identity, "connector_profile_id")...)
}

func (r *pinnedVersionResource) Update(ctx context.Context, req resource.UpdateRequest, resp *resource.UpdateResponse) {
	defer r.data.maskDiagnostics(&resp.Diagnostics)
	r.upsert(ctx, req.Plan, &req.State, &resp.State, &resp.Diagnostics)
	resp.Diagnostics.Append(identityFromState(ctx, resp.State, resp.Identity, "connector_profile_id")...)
}

// upsert pins the planned version and records StackOne's answer. When an
// update fails, the pin may or may not have changed: the state keeps what
// the refresh saw (prior), rather than the plan the framework would record.
func (r *pinnedVersionResource) upsert(ctx context.Context, planned tfsdk.Plan, prior *tfsdk.State, out *tfsdk.State, diags *diag.Diagnostics) {
	var plan pinnedVersionModel
	diags.Append(planned.Get(ctx, &plan)...)
	if diags.HasError() || !r.configured(diags) {
		return
	}
	if r.pin(ctx, &plan, diags) {
		diags.Append(out.Set(ctx, &plan)...)
		return
	}
	if prior != nil {
		var state pinnedVersionModel
		diags.Append(prior.Get(ctx, &state)...)
		diags.Append(out.Set(ctx, &state)...)
	}
}

// pin sends the upsert and copies StackOne's answer into m; false when it
// failed (diagnostics say why).
func (r *pinnedVersionResource) pin(ctx context.Context, m *pinnedVersionModel, diags *diag.Diagnostics) bool {
	profileID, version := m.ConnectorProfileID.ValueString(), m.PinnedVersion.ValueString()
	owner := ""
	if isKnown(m.Owner) {
		owner = m.Owner.ValueString()
	}
	out, err := r.data.client.PinVersion(ctx, profileID, stackone.PinVersionRequest{PinnedVersion: version, Owner: owner})
	var apiErr *stackone.APIError
	switch {
	case err == nil:
	case stackone.IsNotFound(err):
		addVersionsError(diags, profileID, err)
		return false
	case errors.As(err, &apiErr) && apiErr.StatusCode == http.StatusBadRequest:
		advice := "Set pinned_version (and owner, if set) to a version the profile has: data.stackone_connector_profile_versions lists them."
		if versions, lerr := listVersions(ctx, r.data.client, profileID); lerr == nil {
			advice = versionsAdvice(versions, version)
		}
		diags.AddAttributeError(path.Root("pinned_version"), "StackOne refused the pinned version",
			fmt.Sprintf("Pinning version %q on connector profile %q failed: %s. %s", version, profileID, strings.TrimSuffix(err.Error(), "."), advice))
		return false
	default:
		diags.AddError("Cannot pin the connector version", fmt.Sprintf("Pinning version %q on connector profile %q failed: %s", version, profileID, err))
		return false
	}
	if out.PinnedVersion != version || (owner != "" && out.Owner != "" && out.Owner != owner) {
		diags.AddError("StackOne pinned another version",
			fmt.Sprintf("Asked to pin version %q%s on connector profile %q, StackOne answered with version %q (owner %q). This is a problem on StackOne's side: check the profile in the dashboard, then plan again.",
				version, ownerNote(owner), profileID, safetext.Text(out.PinnedVersion, 100), safetext.Text(out.Owner, 100)))
		return false
	}
	m.fromAPI(out)
	return true
}

func ownerOf(owner string) string {
	if owner == "" {
		return ""
	}
	return fmt.Sprintf(" of owner %q", owner)
}

func ownerNote(owner string) string {
	if owner == "" {
		return ""
	}
	return fmt.Sprintf(" (owner %q)", owner)
}

// fromAPI copies a pin StackOne answered. An owner StackOne does not report
// keeps the value the model has (null when it had none).
func (m *pinnedVersionModel) fromAPI(p *stackone.PinnedVersion) {
	m.ConnectorProfileID = types.StringValue(p.ConnectorProfileID)
	m.PinnedVersion = types.StringValue(p.PinnedVersion)
	switch {
	case p.Owner != "":
		m.Owner = types.StringValue(p.Owner)
	case m.Owner.IsUnknown():
		m.Owner = types.StringNull()
	}
	m.CreatedAt = types.StringValue(formatTime(p.CreatedAt))
	m.UpdatedAt = types.StringValue(formatTime(p.UpdatedAt))
}

func (r *pinnedVersionResource) Read(ctx context.Context, req resource.ReadRequest, resp *resource.ReadResponse) {
	defer r.data.maskDiagnostics(&resp.Diagnostics)
	var state pinnedVersionModel
	resp.Diagnostics.Append(req.State.Get(ctx, &state)...)
	resp.Diagnostics.Append(setProfileIdentity(ctx, resp.Identity, "connector_profile_id", state.ConnectorProfileID)...)
	if resp.Diagnostics.HasError() || !r.configured(&resp.Diagnostics) {
		return
	}
	profileID := state.ConnectorProfileID.ValueString()
	pin, err := r.data.client.GetPinnedVersion(ctx, profileID)
	if stackone.IsNotFound(err) {
		resp.Diagnostics.AddWarning("Pinned version no longer exists",
			fmt.Sprintf("Connector profile %q has no pinned version any more (it was removed outside Terraform, or the profile was deleted). It is removed from state, and the next apply pins the configured version again.", profileID))
		resp.State.RemoveResource(ctx)
		return
	}
	if err != nil {
		resp.Diagnostics.AddError("Cannot read the pinned version", err.Error())
		return
	}
	state.fromAPI(pin)
	resp.Diagnostics.Append(resp.State.Set(ctx, &state)...)
}

func (r *pinnedVersionResource) Delete(ctx context.Context, req resource.DeleteRequest, resp *resource.DeleteResponse) {
	defer r.data.maskDiagnostics(&resp.Diagnostics)
	var state pinnedVersionModel
	resp.Diagnostics.Append(req.State.Get(ctx, &state)...)
	if resp.Diagnostics.HasError() || !r.configured(&resp.Diagnostics) {
		return
	}
	err := r.data.client.UnpinVersion(ctx, state.ConnectorProfileID.ValueString())
	if err != nil && !stackone.IsNotFound(err) { // nothing pinned is what we wanted
		resp.Diagnostics.AddError("Cannot remove the pinned version",
			fmt.Sprintf("Removing the pinned version of connector profile %q failed: %s", state.ConnectorProfileID.ValueString(), err))
	}
}

// ImportState takes the connector profile's id (an import id or identity).
func (r *pinnedVersionResource) ImportState(ctx context.Context, req resource.ImportStateRequest, resp *resource.ImportStateResponse) {
	importProfile(ctx, req, resp, "connector_profile_id", "terraform import stackone_connector_profile_pinned_version.zoominfo")
	if resp.Diagnostics.HasError() {
		return
	}
	resp.Diagnostics.Append(resp.Private.SetKey(ctx, importedKey, []byte(`true`))...)
}
