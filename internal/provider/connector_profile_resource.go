package provider

import (
	"github.com/stackonehq/terraform-provider-stackone/internal/catalogcheck"
	"github.com/stackonehq/terraform-provider-stackone/internal/safetext"

	"context"
	"encoding/json"
	"errors"
	"fmt"
	"sort"
	"strings"
	"time"

	"github.com/hashicorp/terraform-plugin-framework-timeouts/resource/timeouts"
	"github.com/hashicorp/terraform-plugin-framework/attr"
	"github.com/hashicorp/terraform-plugin-framework/diag"
	"github.com/hashicorp/terraform-plugin-framework/path"
	"github.com/hashicorp/terraform-plugin-framework/resource"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema/booldefault"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema/planmodifier"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema/setdefault"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema/stringplanmodifier"
	"github.com/hashicorp/terraform-plugin-framework/schema/validator"
	"github.com/hashicorp/terraform-plugin-framework/tfsdk"
	"github.com/hashicorp/terraform-plugin-framework/types"

	"github.com/stackonehq/terraform-provider-stackone/internal/stackone"
)

var (
	_ resource.Resource                   = (*connectorProfileResource)(nil)
	_ resource.ResourceWithConfigure      = (*connectorProfileResource)(nil)
	_ resource.ResourceWithImportState    = (*connectorProfileResource)(nil)
	_ resource.ResourceWithModifyPlan     = (*connectorProfileResource)(nil)
	_ resource.ResourceWithValidateConfig = (*connectorProfileResource)(nil)
	_ resource.ResourceWithIdentity       = (*connectorProfileResource)(nil)
)

// Limits shared with the wire contract.
const (
	maxTextLength  = 255
	maxListEntries = 200
	defaultTimeout = 10 * time.Minute
)

// privateSecretWrittenAt is the private-state key holding the server's
// client_secret_updated_at as of the provider's own last write of the
// secret. A newer server value means someone changed the secret elsewhere.
const privateSecretWrittenAt = "secret_written_at"

// privateSecretMode records which attribute holds the secret ("state" for
// client_secret, "wo" for client_secret_wo), so that a refresh, which cannot
// see the configuration, gives the advice that fits. State alone cannot say:
// client_secret is null there after an import or a drift refresh too.
const privateSecretMode = "secret_mode"

// NewConnectorProfileResource returns the stackone_connector_profile resource.
func NewConnectorProfileResource() resource.Resource {
	return &connectorProfileResource{}
}

type connectorProfileResource struct {
	data *providerData
}

type connectorProfileModel struct {
	ID                    types.String   `tfsdk:"id"`
	Connector             types.String   `tfsdk:"connector"`
	AuthType              types.String   `tfsdk:"auth_type"`
	Name                  types.String   `tfsdk:"name"`
	ClientID              types.String   `tfsdk:"client_id"`
	ClientSecret          types.String   `tfsdk:"client_secret"`
	ClientSecretWO        types.String   `tfsdk:"client_secret_wo"`
	ClientSecretWOVersion types.Int64    `tfsdk:"client_secret_wo_version"`
	Scopes                types.Set      `tfsdk:"scopes"`
	Actions               types.Set      `tfsdk:"actions"`
	Active                types.Bool     `tfsdk:"active"`
	RedirectURI           types.String   `tfsdk:"redirect_uri"`
	CreatedAt             types.String   `tfsdk:"created_at"`
	UpdatedAt             types.String   `tfsdk:"updated_at"`
	Timeouts              timeouts.Value `tfsdk:"timeouts"`
}

func (r *connectorProfileResource) Metadata(_ context.Context, req resource.MetadataRequest, resp *resource.MetadataResponse) {
	resp.TypeName = req.ProviderTypeName + "_connector_profile"
}

func (r *connectorProfileResource) Schema(ctx context.Context, _ resource.SchemaRequest, resp *resource.SchemaResponse) {
	emptySet := types.SetValueMust(types.StringType, []attr.Value{})
	resp.Schema = schema.Schema{
		MarkdownDescription: "A StackOne connector profile: the OAuth app credentials, scopes and actions StackOne uses when a user links an account of a connector (for example ZoomInfo with OAuth 2.0 Authorization Code + PKCE).",
		Attributes: map[string]schema.Attribute{
			"id": schema.StringAttribute{
				MarkdownDescription: "Profile id (the `integration_id` of connect sessions and linked accounts).",
				Computed:            true,
				PlanModifiers:       []planmodifier.String{stringplanmodifier.UseStateForUnknown()},
			},
			"connector": schema.StringAttribute{
				MarkdownDescription: "Connector key from StackOne's catalog, e.g. `zoominfo` (the profile's `connector_key` in StackOne's API). Changing it replaces the profile.",
				Required:            true,
				Validators:          []validator.String{textValidator{maxLen: 100, noWhitespace: true, pathSegment: true}},
				PlanModifiers:       []planmodifier.String{stringplanmodifier.RequiresReplace()},
			},
			"auth_type": schema.StringAttribute{
				MarkdownDescription: "Auth type key of the connector, e.g. `oauth2_authorization_code_pkce`. Changing it replaces the profile.",
				Required:            true,
				Validators:          []validator.String{textValidator{maxLen: 100, noWhitespace: true}},
				PlanModifiers:       []planmodifier.String{replaceWhenAuthTypeChanges},
			},
			"name": schema.StringAttribute{
				MarkdownDescription: "Display name of the profile.",
				Required:            true,
				Validators:          []validator.String{textValidator{maxLen: maxTextLength}},
			},
			"client_id": schema.StringAttribute{
				MarkdownDescription: "Client ID of the OAuth app (ZoomInfo Developer Portal → your app → Client ID).",
				Required:            true,
				Validators:          []validator.String{textValidator{maxLen: maxTextLength, noWhitespace: true, asciiOnly: true}},
			},
			"client_secret": schema.StringAttribute{
				MarkdownDescription: "Client secret of the OAuth app. Kept in state (marked sensitive). Prefer `client_secret_wo` on Terraform 1.11 and later. Exactly one of the two is required.",
				Optional:            true,
				Sensitive:           true,
				Validators:          []validator.String{textValidator{maxLen: maxTextLength}},
			},
			"client_secret_wo": schema.StringAttribute{
				MarkdownDescription: "Client secret of the OAuth app, write-only: sent to StackOne but never stored in state or plan (Terraform 1.11 and later). Bump `client_secret_wo_version` to send a new value.",
				Optional:            true,
				Sensitive:           true,
				WriteOnly:           true,
				Validators:          []validator.String{textValidator{maxLen: maxTextLength}},
			},
			"client_secret_wo_version": schema.Int64Attribute{
				MarkdownDescription: "Any number; change it to re-send `client_secret_wo` (for example after rotating the secret). Requires `client_secret_wo`.",
				Optional:            true,
			},
			"scopes": schema.SetAttribute{
				MarkdownDescription: "OAuth scopes requested when a user links an account. Every scope must be registered on the OAuth app (check with `data.stackone_registered_scopes`). Empty or unset requests every scope registered on the app.",
				ElementType:         types.StringType,
				Optional:            true,
				Computed:            true,
				Default:             setdefault.StaticValue(emptySet),
				Validators:          []validator.Set{tokenSetValidator{what: "scope", maxItems: maxListEntries, maxLen: maxTextLength}},
			},
			"actions": schema.SetAttribute{
				MarkdownDescription: "Actions enabled on the profile (ids from the catalog, e.g. `zoominfo_search_contacts`). Each action's required scopes must be in `scopes` unless `scopes` is empty.",
				ElementType:         types.StringType,
				Optional:            true,
				Computed:            true,
				Default:             setdefault.StaticValue(emptySet),
				Validators:          []validator.Set{tokenSetValidator{what: "action", maxItems: maxListEntries, maxLen: maxTextLength}},
			},
			"active": schema.BoolAttribute{
				MarkdownDescription: "Whether users can link accounts with this profile. Defaults to `true`.",
				Optional:            true,
				Computed:            true,
				Default:             booldefault.StaticBool(true),
			},
			"redirect_uri": schema.StringAttribute{
				MarkdownDescription: "The exact redirect URI to add to the OAuth app (ZoomInfo Developer Portal → Sign-in redirect URIs): `{base_url}/connect/oauth2/{connector}/callback`, known at plan.",
				Computed:            true,
			},
			"created_at": schema.StringAttribute{
				MarkdownDescription: "When the profile was created (RFC 3339).",
				Computed:            true,
				PlanModifiers:       []planmodifier.String{stringplanmodifier.UseStateForUnknown()},
			},
			"updated_at": schema.StringAttribute{
				MarkdownDescription: "When the profile last changed (RFC 3339).",
				Computed:            true,
			},
		},
		Blocks: map[string]schema.Block{
			"timeouts": timeouts.Block(ctx, timeouts.Opts{Create: true, Update: true, Delete: true}),
		},
	}
}

func (r *connectorProfileResource) Configure(_ context.Context, req resource.ConfigureRequest, resp *resource.ConfigureResponse) {
	r.data = providerDataFrom(req.ProviderData, &resp.Diagnostics)
}

// IdentitySchema: a profile is identified by its id (Terraform 1.12 and
// later; import blocks may name it with identity = { id = "..." }).
func (r *connectorProfileResource) IdentitySchema(_ context.Context, _ resource.IdentitySchemaRequest, resp *resource.IdentitySchemaResponse) {
	resp.IdentitySchema = profileIdentitySchema("id", "Connector profile id.")
}

// replaceWhenAuthTypeChanges replaces the profile when its auth type
// changes, but not when state has none: StackOne's published list may omit
// a profile's authentication_config_key, and adopting an imported profile
// must not destroy it (the first apply records the configured value).
var replaceWhenAuthTypeChanges = stringplanmodifier.RequiresReplaceIf(
	func(_ context.Context, req planmodifier.StringRequest, resp *stringplanmodifier.RequiresReplaceIfFuncResponse) {
		resp.RequiresReplace = authTypeHeld(req.StateValue)
	},
	"Changing the auth type replaces the profile.",
	"Changing the auth type replaces the profile.",
)

// authTypeHeld reports whether state holds an auth type whose change
// replaces the profile (replaceWhenAuthTypeChanges).
func authTypeHeld(v types.String) bool { return !v.IsNull() && v.ValueString() != "" }

// replacedBy reports whether planning state into plan replaces the profile,
// by the same rules as the plan modifiers: a new connector, or a new auth
// type where state holds one.
func replacedBy(plan, state connectorProfileModel) bool {
	return !plan.Connector.Equal(state.Connector) || (authTypeHeld(state.AuthType) && !plan.AuthType.Equal(state.AuthType))
}

// warnAdoption says at plan what Update's adoption (an imported profile
// whose client id, scopes and actions StackOne does not report: the
// configured values are recorded, nothing is called) will record.
func warnAdoption(ctx context.Context, plan, state connectorProfileModel, diags *diag.Diagnostics) {
	diags.AddWarning("Adopting a profile StackOne reports only in part",
		fmt.Sprintf("StackOne does not report the client id, scopes, actions or client secret of connector profile %q, so this update in place only records the configured values in state, without calling StackOne:\n\n%s\n\n"+
			"Before applying, make sure they are the dashboard's (Connector Profiles → %s): Terraform cannot check them, and a later change to them is refused until StackOne accepts profile writes.",
			state.ID.ValueString(), adoptedValues(ctx, plan, state), state.Name.ValueString()))
}

// warnNewClientOldSecret warns when an in-place update changes client_id
// but will not send a client secret (secretWillBeSent): the profile would
// keep the old client's secret, and linking would fail with invalid_client.
func warnNewClientOldSecret(plan, state connectorProfileModel, diags *diag.Diagnostics) {
	// A replacement is a create, which sends the secret.
	if replacedBy(plan, state) || !isKnown(plan.ClientID) || !isKnown(state.ClientID) || plan.ClientID.Equal(state.ClientID) || secretWillBeSent(plan, state) {
		return
	}
	diags.AddAttributeWarning(path.Root("client_secret_wo_version"), "New client id, same client secret",
		fmt.Sprintf("client_id changes from %q to %q but client_secret_wo_version does not, so the profile keeps the secret of the old client and linking accounts would fail with invalid_client. "+
			"Set client_secret_wo to the new client's secret and increase client_secret_wo_version (or set it, if it is not set) in the same apply.",
			state.ClientID.ValueString(), plan.ClientID.ValueString()))
}

// secretWillBeSent reports whether updating state to plan sends the client
// secret: when client_secret changes, or client_secret_wo_version does.
func secretWillBeSent(plan, state connectorProfileModel) bool {
	return !plan.ClientSecret.Equal(state.ClientSecret) || !plan.ClientSecretWOVersion.Equal(state.ClientSecretWOVersion)
}

// ValidateConfig checks the secret attributes together; each message names the
// attribute at fault and what to write instead.
func (r *connectorProfileResource) ValidateConfig(ctx context.Context, req resource.ValidateConfigRequest, resp *resource.ValidateConfigResponse) {
	// Only the attributes it checks: decoding the whole model costs
	// more, and this runs for every profile on every plan.
	var cfg connectorProfileModel
	resp.Diagnostics.Append(req.Config.GetAttribute(ctx, path.Root("client_secret"), &cfg.ClientSecret)...)
	resp.Diagnostics.Append(req.Config.GetAttribute(ctx, path.Root("client_secret_wo"), &cfg.ClientSecretWO)...)
	resp.Diagnostics.Append(req.Config.GetAttribute(ctx, path.Root("client_secret_wo_version"), &cfg.ClientSecretWOVersion)...)
	resp.Diagnostics.Append(req.Config.GetAttribute(ctx, path.Root("timeouts"), &cfg.Timeouts)...)
	if resp.Diagnostics.HasError() {
		return
	}
	checkTimeoutsPositive(cfg.Timeouts, &resp.Diagnostics)
	if cfg.ClientSecret.IsUnknown() || cfg.ClientSecretWO.IsUnknown() {
		return
	}
	switch {
	case !cfg.ClientSecret.IsNull() && !cfg.ClientSecretWO.IsNull():
		resp.Diagnostics.AddAttributeError(path.Root("client_secret_wo"), "Two client secrets",
			"Set either client_secret (kept in state) or client_secret_wo (write-only, never stored), not both: remove one of them.")
	case cfg.ClientSecret.IsNull() && cfg.ClientSecretWO.IsNull():
		resp.Diagnostics.AddAttributeError(path.Root("client_secret_wo"), "Missing client secret",
			"A connector profile needs the OAuth app's client secret: set client_secret_wo (write-only, Terraform 1.11 and later, recommended), or client_secret (kept in state).")
	}
	if !cfg.ClientSecretWOVersion.IsNull() && cfg.ClientSecretWO.IsNull() {
		resp.Diagnostics.AddAttributeError(path.Root("client_secret_wo_version"), "Version without a write-only secret",
			"client_secret_wo_version only says when to re-send client_secret_wo: set client_secret_wo too, or remove client_secret_wo_version.")
	}
}

// checkTimeoutsPositive refuses a zero or negative timeout, which would fail
// the operation at once, before any request. (The timeouts package checks
// that each is a duration.)
func checkTimeoutsPositive(t timeouts.Value, diags *diag.Diagnostics) {
	if t.IsNull() || t.IsUnknown() {
		return
	}
	for op, v := range t.Attributes() {
		s, ok := v.(types.String)
		if !ok || s.IsNull() || s.IsUnknown() {
			continue
		}
		if d, err := time.ParseDuration(s.ValueString()); err == nil && d <= 0 {
			diags.AddAttributeError(path.Root("timeouts").AtName(op), "Timeout must be positive",
				fmt.Sprintf("timeouts { %s = %q } would end the %s before it starts: use a positive duration such as \"10m\", or remove it for the default (%s).", op, s.ValueString(), op, defaultTimeout))
		}
	}
}

// ModifyPlan checks the planned profile against StackOne's catalog, so an
// unknown connector, auth type, scope or action fails at plan, before anything
// is created.
func (r *connectorProfileResource) ModifyPlan(ctx context.Context, req resource.ModifyPlanRequest, resp *resource.ModifyPlanResponse) {
	defer r.data.maskDiagnostics(&resp.Diagnostics)
	r.rememberSecrets(ctx, req.Config, &req.State)
	// Nothing to send: a refresh-only plan of 1000 unchanged profiles need
	// not check each of them again.
	if req.Plan.Raw.IsNull() || (!req.State.Raw.IsNull() && req.Plan.Raw.Equal(req.State.Raw)) {
		return
	}
	var plan connectorProfileModel
	resp.Diagnostics.Append(req.Plan.Get(ctx, &plan)...)
	if resp.Diagnostics.HasError() {
		return
	}
	op := "create"
	if !req.State.Raw.IsNull() {
		var state connectorProfileModel
		resp.Diagnostics.Append(req.State.Get(ctx, &state)...)
		warnNewClientOldSecret(plan, state, &resp.Diagnostics)
		op = ""
		adopts := sendsAnything(plan, state) && r.adoptsOnly(ctx, req.Private, plan, state, &resp.Diagnostics)
		switch {
		case replacedBy(plan, state):
			op = "create"
		case sendsAnything(plan, state) && !adopts:
			op = "update"
		case adopts:
			warnAdoption(ctx, plan, state, &resp.Diagnostics)
			// The adoption writes nothing: updated_at stays as it is.
			resp.Diagnostics.Append(resp.Plan.SetAttribute(ctx, path.Root("updated_at"), state.UpdatedAt)...)
		}
	}
	// Last, and only for a plan that is otherwise sound: StackOne is asked
	// whether it takes profile writes at most once per process.
	defer func() {
		if op != "" && !resp.Diagnostics.HasError() {
			r.checkWritesAtPlan(ctx, op, plan, &resp.Diagnostics)
		}
	}()
	// The redirect URI follows from the base URL and the connector, so the
	// plan can show it before the profile exists: paste it into the OAuth
	// app first.
	if r.data != nil && r.data.baseURL != "" && isKnown(plan.Connector) {
		resp.Diagnostics.Append(resp.Plan.SetAttribute(ctx, path.Root("redirect_uri"), stackone.RedirectURIFor(r.data.baseURL, plan.Connector.ValueString()))...)
	}
	if r.data == nil || r.data.skipCatalogValidation || !isKnown(plan.Connector) {
		return
	}
	if len(r.data.unknownConfig) > 0 {
		// Terraform plans again at apply, with the provider configured.
		resp.Diagnostics.AddWarning("Catalog check postponed to apply",
			fmt.Sprintf("The stackone provider's %s is known only at apply, so this profile is checked against StackOne's catalog when it is applied rather than now.",
				strings.Join(r.data.unknownConfig, ", ")))
		return
	}
	// What is known only at apply is left empty, so it is not checked now.
	profile := catalogcheck.Profile{Connector: plan.Connector.ValueString()}
	if isKnown(plan.AuthType) {
		profile.AuthType = plan.AuthType.ValueString()
	}
	profile.Scopes = knownStrings(ctx, plan.Scopes)
	profile.Actions = knownStrings(ctx, plan.Actions)
	r.data.validateAgainstCatalog(ctx, profile, &resp.Diagnostics)
}

// checkWritesAtPlan fails the plan of a create or a change (op) when
// StackOne takes no profile writes, with the advice the apply would give:
// a plan that says "1 to add" must not be refused at apply. The client asks
// at most once per provider process (see stackone.Client.ProfileWrites);
// an answer that says neither yes nor no lets the plan go on.
func (r *connectorProfileResource) checkWritesAtPlan(ctx context.Context, op string, plan connectorProfileModel, diags *diag.Diagnostics) {
	if r.data == nil || r.data.client == nil || len(r.data.unknownConfig) > 0 {
		return // no client yet: the apply finds out
	}
	support, detail, _ := r.data.client.ProfileWrites(ctx)
	if support != stackone.WritesRefused {
		return
	}
	if op == "create" && r.data.profileWasGone(plan.Connector.ValueString(), plan.Name.ValueString()) {
		// Deleted in the dashboard and found gone by the refresh just
		// before. Terraform also plans this way in the refresh that precedes
		// a destroy (it cannot tell the provider which), and a destroy of
		// what is already gone must not fail: warn, the apply still refuses.
		diags.AddWarning("StackOne does not accept connector profile writes",
			fmt.Sprintf("Connector profile %q was deleted outside Terraform, and this StackOne API does not accept profile writes (%s), so an apply cannot create it again: create it in the StackOne dashboard and adopt it with an import block, or remove it from the configuration. terraform destroy is not affected.",
				plan.Name.ValueString(), detail))
		return
	}
	diags.AddError("StackOne does not accept connector profile writes",
		writesUnsupportedAdvice(op, errors.New(detail), plan)+" (Found out while planning, so that the plan does not promise what the apply cannot do.)")
}

// adoptsOnly reports whether applying plan would only record the
// unreported fields of an imported profile without calling StackOne (the
// adoption Update does).
func (r *connectorProfileResource) adoptsOnly(ctx context.Context, private privateGetter, plan, state connectorProfileModel, diags *diag.Diagnostics) bool {
	reported, d := reportsExtension(ctx, private)
	diags.Append(d...)
	adopted, d := private.GetKey(ctx, privateAdopted)
	diags.Append(d...)
	return !reported && len(adopted) == 0 && onlyAdoptsUnreportedFields(plan, state)
}

// rememberSecrets hands the client secrets of the configuration and of the
// state (when given) to the client's masker: the process holds them, so no
// answer to any request may show them.
func (r *connectorProfileResource) rememberSecrets(ctx context.Context, config tfsdk.Config, state *tfsdk.State) {
	if r.data == nil || r.data.client == nil {
		return
	}
	var secret, secretWO, held types.String
	if !config.Raw.IsNull() {
		_ = config.GetAttribute(ctx, path.Root("client_secret"), &secret)
		_ = config.GetAttribute(ctx, path.Root("client_secret_wo"), &secretWO)
	}
	if state != nil && !state.Raw.IsNull() {
		_ = state.GetAttribute(ctx, path.Root("client_secret"), &held)
	}
	r.data.rememberSecrets(secret, secretWO, held)
}

func (r *connectorProfileResource) Create(ctx context.Context, req resource.CreateRequest, resp *resource.CreateResponse) {
	defer r.data.maskDiagnostics(&resp.Diagnostics)
	r.rememberSecrets(ctx, req.Config, nil)
	var plan, cfg connectorProfileModel
	resp.Diagnostics.Append(req.Plan.Get(ctx, &plan)...)
	resp.Diagnostics.Append(req.Config.Get(ctx, &cfg)...)
	if resp.Diagnostics.HasError() || !r.configured(&resp.Diagnostics) {
		return
	}
	timeout, diags := plan.Timeouts.Create(ctx, defaultTimeout)
	resp.Diagnostics.Append(diags...)
	ctx, cancel := context.WithTimeout(ctx, timeout)
	defer cancel()

	scopes, actions := setStrings(ctx, plan.Scopes, &resp.Diagnostics), setStrings(ctx, plan.Actions, &resp.Diagnostics)
	if resp.Diagnostics.HasError() {
		return
	}
	active := plan.Active.ValueBool()
	profile, err := r.data.client.CreateConnectorProfile(ctx, stackone.CreateConnectorProfileRequest{
		ConnectorKey:            plan.Connector.ValueString(),
		AuthenticationConfigKey: plan.AuthType.ValueString(),
		Name:                    plan.Name.ValueString(),
		ClientID:                plan.ClientID.ValueString(),
		ClientSecret:            secretToSend(plan, cfg),
		Scopes:                  scopes,
		Actions:                 actions,
		Active:                  &active,
	})
	if err != nil {
		addOperationError(ctx, &resp.Diagnostics, "create", timeout, err, plan)
		return
	}
	resp.Diagnostics.Append(plan.fromAPI(ctx, profile, r.data.baseURL)...)
	resp.Diagnostics.Append(resp.State.Set(ctx, &plan)...)
	resp.Diagnostics.Append(setProfileIdentity(ctx, resp.Identity, "id", plan.ID)...)
	resp.Diagnostics.Append(setSecretWrittenAt(ctx, resp.Private, profile.ClientSecretUpdatedAt)...)
	resp.Diagnostics.Append(setSecretMode(ctx, resp.Private, plan)...)
	resp.Diagnostics.Append(setReportsExtension(ctx, resp.Private, profile.ReportsExtension())...)
}

func (r *connectorProfileResource) Read(ctx context.Context, req resource.ReadRequest, resp *resource.ReadResponse) {
	defer r.data.maskDiagnostics(&resp.Diagnostics)
	r.rememberSecrets(ctx, tfsdk.Config{}, &req.State)
	var state connectorProfileModel
	resp.Diagnostics.Append(req.State.Get(ctx, &state)...)
	// First, so that a state written before identities (or by a CLI that
	// keeps none) gains one even when the profile turns out to be gone.
	resp.Diagnostics.Append(setProfileIdentity(ctx, resp.Identity, "id", state.ID)...)
	if resp.Diagnostics.HasError() || !r.configured(&resp.Diagnostics) {
		return
	}
	// From the list of the profile's connector, read once per provider
	// process and shared by every profile of it (after an import the
	// connector is not known yet: then from the list of every profile).
	connector := ""
	if isKnown(state.Connector) {
		connector = state.Connector.ValueString()
	}
	profile, err := r.data.client.ConnectorProfile(ctx, state.ID.ValueString(), connector)
	if errors.Is(err, stackone.ErrProfileNotFound) {
		resp.Diagnostics.AddWarning("Connector profile no longer exists",
			fmt.Sprintf("StackOne lists no connector profile %q: it was deleted outside Terraform. It is removed from state, and the next apply creates it again (with a new id).", state.ID.ValueString()))
		r.data.noteProfileGone(state.Connector.ValueString(), state.Name.ValueString())
		resp.State.RemoveResource(ctx)
		return
	}
	if err != nil {
		resp.Diagnostics.AddError("Cannot read the connector profile", err.Error())
		return
	}
	resp.Diagnostics.Append(state.fromAPI(ctx, profile, r.data.baseURL)...)
	resp.Diagnostics.Append(setReportsExtension(ctx, resp.Private, profile.ReportsExtension())...)

	// Secret drift: compare the server's last secret change with our own last write.
	written, known, diags := secretWrittenAt(ctx, req.Private)
	resp.Diagnostics.Append(diags...)
	switch {
	case !known:
		// Imported, or written by a build that did not record it: adopt the server's value.
		resp.Diagnostics.Append(setSecretWrittenAt(ctx, resp.Private, profile.ClientSecretUpdatedAt)...)
	case profile.ClientSecretUpdatedAt != nil && (written == nil || profile.ClientSecretUpdatedAt.After(*written)):
		changed := profile.ClientSecretUpdatedAt.UTC().Format(time.RFC3339)
		mode, diags := secretMode(ctx, req.Private)
		resp.Diagnostics.Append(diags...)
		if mode == "" && !state.ClientSecret.IsNull() {
			mode = "state"
		}
		// Forget any secret we hold so the plan shows it being sent again.
		state.ClientSecret = types.StringNull()
		var advice string
		switch mode {
		case "state":
			advice = "The plan re-sends client_secret from your configuration; apply to restore it."
		case "wo":
			advice = "Terraform cannot see write-only values: if the configured client_secret_wo is the right secret, increase client_secret_wo_version (or set it, if it is not set) and apply to send it again."
		default:
			advice = "With client_secret, the plan re-sends it from your configuration; with client_secret_wo, increase client_secret_wo_version (or set it, if it is not set) and apply to send it again."
		}
		resp.Diagnostics.AddWarning("Client secret changed outside Terraform",
			fmt.Sprintf("The client secret of connector profile %q was changed outside Terraform at %s. %s", state.ID.ValueString(), changed, advice))
	}
	resp.Diagnostics.Append(resp.State.Set(ctx, &state)...)
}

func (r *connectorProfileResource) Update(ctx context.Context, req resource.UpdateRequest, resp *resource.UpdateResponse) {
	defer r.data.maskDiagnostics(&resp.Diagnostics)
	r.rememberSecrets(ctx, req.Config, &req.State)
	var plan, state, cfg connectorProfileModel
	resp.Diagnostics.Append(req.Plan.Get(ctx, &plan)...)
	resp.Diagnostics.Append(req.State.Get(ctx, &state)...)
	resp.Diagnostics.Append(req.Config.Get(ctx, &cfg)...)
	resp.Diagnostics.Append(setProfileIdentity(ctx, resp.Identity, "id", state.ID)...)
	if resp.Diagnostics.HasError() || !r.configured(&resp.Diagnostics) {
		return
	}
	// On any error below, the profile keeps the state it had: the framework
	// would otherwise record the plan as if it had been applied.
	keepState := func() {
		resp.Diagnostics.Append(resp.State.Set(ctx, &state)...)
	}
	timeout, diags := plan.Timeouts.Update(ctx, defaultTimeout)
	resp.Diagnostics.Append(diags...)
	ctx, cancel := context.WithTimeout(ctx, timeout)
	defer cancel()

	if !sendsAnything(plan, state) {
		// Only what never goes on the wire changed (timeouts, or a
		// redirect_uri after base_url moved): record it, call nothing.
		plan.UpdatedAt = state.UpdatedAt
		resp.Diagnostics.Append(resp.State.Set(ctx, &plan)...)
		return
	}
	if r.adoptsOnly(ctx, req.Private, plan, state, &resp.Diagnostics) {
		// A profile made in the dashboard and imported from a StackOne that
		// does not report client id, scopes and actions: record what the
		// configuration says without writing anything there.
		plan.UpdatedAt = state.UpdatedAt
		resp.Diagnostics.AddWarning("Recorded without checking StackOne",
			fmt.Sprintf("StackOne does not report the client id, scopes, actions or client secret of connector profile %q, so Terraform recorded the configured values without sending or checking them:\n\n%s\n\n"+
				"Compare each with the profile in the StackOne dashboard (Connector Profiles → %s): where they differ, the profile works as the dashboard says, not as recorded. "+
				"Later changes to them show in the plan, and applying them needs a StackOne API that accepts profile writes.",
				state.ID.ValueString(), adoptedValues(ctx, plan, state), state.Name.ValueString()))
		resp.Diagnostics.Append(resp.State.Set(ctx, &plan)...)
		resp.Diagnostics.Append(setSecretMode(ctx, resp.Private, plan)...)
		// Once only: a later change of these fields is a change to send.
		resp.Diagnostics.Append(resp.Private.SetKey(ctx, privateAdopted, []byte("true"))...)
		return
	}

	scopes, actions := setStrings(ctx, plan.Scopes, &resp.Diagnostics), setStrings(ctx, plan.Actions, &resp.Diagnostics)
	if resp.Diagnostics.HasError() {
		keepState()
		return
	}
	// Every mutable field is sent: PATCH with full values is idempotent, so a
	// retried request cannot leave the profile half-updated.
	name, clientID, active := plan.Name.ValueString(), plan.ClientID.ValueString(), plan.Active.ValueBool()
	patch := stackone.UpdateConnectorProfileRequest{
		Name: &name, ClientID: &clientID, Active: &active, Scopes: &scopes, Actions: &actions,
	}
	if secret := secretToSend(plan, cfg); secretWillBeSent(plan, state) && secret != "" {
		patch.ClientSecret = &secret
	}
	profile, err := r.data.client.UpdateConnectorProfile(ctx, state.ID.ValueString(), state.Connector.ValueString(), patch)
	if err != nil {
		addOperationError(ctx, &resp.Diagnostics, "update", timeout, err, state)
		keepState()
		return
	}
	resp.Diagnostics.Append(plan.fromAPI(ctx, profile, r.data.baseURL)...)
	resp.Diagnostics.Append(resp.State.Set(ctx, &plan)...)
	if patch.ClientSecret != nil {
		resp.Diagnostics.Append(setSecretWrittenAt(ctx, resp.Private, profile.ClientSecretUpdatedAt)...)
	}
	resp.Diagnostics.Append(setSecretMode(ctx, resp.Private, plan)...)
	resp.Diagnostics.Append(setReportsExtension(ctx, resp.Private, profile.ReportsExtension())...)
}

// adoptedValues lists, one per line, each field an adoption records (null in
// state, set in the plan) with the value recorded, and what an empty set
// means there: an adopted "scopes = []" (also what leaving scopes out
// records) asks for every scope registered on the OAuth app, which may not
// be what the dashboard's profile has.
func adoptedValues(ctx context.Context, plan, state connectorProfileModel) string {
	var lines []string
	add := func(planned, held attr.Value, line string) {
		if held.IsNull() && !planned.IsNull() && !planned.Equal(held) {
			lines = append(lines, "  "+line)
		}
	}
	set := func(name string, v types.Set, empty string) string {
		values := setStrings(ctx, v, &diag.Diagnostics{})
		if len(values) == 0 {
			return fmt.Sprintf("%s = [] (%s)", name, empty)
		}
		return fmt.Sprintf("%s = [%s]", name, strings.Join(quoteAll(values), ", "))
	}
	add(plan.AuthType, state.AuthType, fmt.Sprintf("auth_type = %q", plan.AuthType.ValueString()))
	add(plan.ClientID, state.ClientID, fmt.Sprintf("client_id = %q", plan.ClientID.ValueString()))
	add(plan.Scopes, state.Scopes, set("scopes", plan.Scopes, "every scope registered on the OAuth app, which may not be what the dashboard's profile has: copy its scopes"))
	add(plan.Actions, state.Actions, set("actions", plan.Actions, "no action enabled: copy the dashboard's actions if it has any"))
	add(plan.ClientSecret, state.ClientSecret, "client_secret = (sensitive value, kept in state)")
	add(plan.ClientSecretWOVersion, state.ClientSecretWOVersion, fmt.Sprintf("client_secret_wo_version = %d (client_secret_wo itself is never stored)", plan.ClientSecretWOVersion.ValueInt64()))
	return strings.Join(lines, "\n")
}

// privateAdopted marks a profile whose unreported fields were adopted from
// the configuration after an import: adoption happens on that first apply
// only.
const privateAdopted = "adopted"

// sendsAnything reports whether updating state to plan changes a field
// that goes on the wire (or sends the secret).
func sendsAnything(plan, state connectorProfileModel) bool {
	return !plan.Name.Equal(state.Name) || !plan.Active.Equal(state.Active) || !plan.ClientID.Equal(state.ClientID) ||
		!plan.Scopes.Equal(state.Scopes) || !plan.Actions.Equal(state.Actions) || !plan.AuthType.Equal(state.AuthType) ||
		secretWillBeSent(plan, state)
}

// onlyAdoptsUnreportedFields reports whether updating state to plan only
// fills in fields that StackOne does not report and state has never held:
// the first apply after importing a dashboard-made profile. A change of a
// value state already holds is a real change, to be sent.
func onlyAdoptsUnreportedFields(plan, state connectorProfileModel) bool {
	if !plan.Name.Equal(state.Name) {
		return false
	}
	adopted := false
	for _, f := range []struct{ planned, held attr.Value }{
		{plan.Active, state.Active},
		{plan.AuthType, state.AuthType},
		{plan.ClientID, state.ClientID},
		{plan.Scopes, state.Scopes},
		{plan.Actions, state.Actions},
		{plan.ClientSecret, state.ClientSecret},
		{plan.ClientSecretWOVersion, state.ClientSecretWOVersion},
	} {
		if f.planned.Equal(f.held) {
			continue
		}
		if !f.held.IsNull() {
			return false
		}
		adopted = true
	}
	return adopted
}

func (r *connectorProfileResource) Delete(ctx context.Context, req resource.DeleteRequest, resp *resource.DeleteResponse) {
	defer r.data.maskDiagnostics(&resp.Diagnostics)
	r.rememberSecrets(ctx, tfsdk.Config{}, &req.State)
	var state connectorProfileModel
	resp.Diagnostics.Append(req.State.Get(ctx, &state)...)
	if resp.Diagnostics.HasError() || !r.configured(&resp.Diagnostics) {
		return
	}
	timeout, diags := state.Timeouts.Delete(ctx, defaultTimeout)
	resp.Diagnostics.Append(diags...)
	ctx, cancel := context.WithTimeout(ctx, timeout)
	defer cancel()

	err := r.data.client.DeleteConnectorProfile(ctx, state.ID.ValueString(), state.Connector.ValueString())
	if err != nil && !errors.Is(err, stackone.ErrProfileNotFound) { // already gone is what we wanted
		addOperationError(ctx, &resp.Diagnostics, "delete", timeout, err, state)
	}
}

// ImportState takes a profile id, as shown by the StackOne dashboard,
// data.stackone_connector_profiles or terraform query (as an identity).
func (r *connectorProfileResource) ImportState(ctx context.Context, req resource.ImportStateRequest, resp *resource.ImportStateResponse) {
	importProfile(ctx, req, resp, "id", "terraform import stackone_connector_profile.zoominfo")
}

// addOperationError reports a failed create, update or delete. A call cut
// short by the operation's own deadline or by an interrupt (Ctrl-C) says so,
// and what to do, instead of Go's "context deadline exceeded"; a StackOne
// that takes no profile writes gets the dashboard path instead.
func addOperationError(ctx context.Context, diags *diag.Diagnostics, op string, timeout time.Duration, err error, m connectorProfileModel) {
	gerund := map[string]string{"create": "creating", "update": "updating", "delete": "deleting"}[op]
	var unsure string
	switch op {
	case "create":
		unsure = fmt.Sprintf(" If a request reached StackOne before the end, the profile %q may exist without being in state: find its id by that name (data.stackone_connector_profiles, or the StackOne dashboard under Connector Profiles) and import it rather than creating a second one: terraform import <this resource's address> <the profile's id>, or an import block with the same two values.", m.Name.ValueString())
	case "update", "delete":
		unsure = " The change may or may not have reached StackOne: the next plan shows where the profile stands."
	}
	var existing *stackone.ExistingProfileError
	switch {
	case errors.Is(err, stackone.ErrWritesUnsupported):
		diags.AddError("StackOne does not accept connector profile writes", writesUnsupportedAdvice(op, err, m))
	case op == "create" && errors.As(err, &existing):
		diags.AddError("StackOne answered the create with a profile that is not new",
			fmt.Sprintf("%s. Nothing was recorded in state: recording it would let Terraform later change or destroy a profile it did not create (a server that answers a create with an existing profile of the same name does this). "+
				"If profile %q is the one this resource should manage, import it instead of creating one: an import block with to = <this resource's address> and id = %q, or terraform import <this resource's address> %s. "+
				"If it is another profile, give this resource a name no other profile has and apply again.%s",
				strings.TrimSuffix(err.Error(), "."), existing.ID, existing.ID, existing.ID, unsure))
	case errors.Is(err, context.DeadlineExceeded) && errors.Is(ctx.Err(), context.DeadlineExceeded):
		diags.AddError("Timed out "+gerund+" the connector profile",
			fmt.Sprintf("The %s did not succeed within its timeout of %s (timeouts { %s = \"%s\" } in the resource): %s.%s Try again later, or raise the timeout.", op, timeout, op, timeout, err, unsure))
	case errors.Is(err, context.Canceled) && ctx.Err() != nil:
		diags.AddError("Interrupted while "+gerund+" the connector profile",
			fmt.Sprintf("Terraform stopped the %s before StackOne answered (interrupted): %s.%s", op, err, unsure))
	case op == "update" && errors.Is(err, stackone.ErrProfileNotFound):
		diags.AddError("Connector profile no longer exists",
			fmt.Sprintf("%s. The profile was deleted outside Terraform after this plan's refresh. Run terraform apply again: its refresh notices the profile is gone and plans to create it.", strings.TrimSuffix(err.Error(), ".")))
	case op == "create":
		diags.AddError("Cannot create the connector profile", strings.TrimSuffix(err.Error(), ".")+"."+unsure)
	default:
		diags.AddError("Cannot "+op+" the connector profile", err.Error())
	}
}

// writesUnsupportedAdvice is what to do when StackOne refuses profile
// writes: the dashboard, then import (create), or the dashboard and a
// refresh (update, delete).
func writesUnsupportedAdvice(op string, err error, m connectorProfileModel) string {
	connector := m.Connector.ValueString()
	what := fmt.Sprintf("This StackOne API publishes connector profiles read-only (%s), so Terraform cannot %s profiles there yet.", err, op)
	switch op {
	case "create":
		return what + fmt.Sprintf(" Create the profile in the StackOne dashboard: Connector Profiles → + Connector Profile → %s → %s, with the client id, client secret, scopes and actions of this resource. Then adopt it instead of creating it: add an import block\n\n"+
			"  import {\n    to = <this resource's address>\n    id = \"<the new profile's id>\"\n  }\n\n"+
			"or run terraform import <this resource's address> <the new profile's id> (data.stackone_connector_profiles lists the ids). Nothing was recorded in state.",
			connector, m.AuthType.ValueString())
	case "update":
		return what + fmt.Sprintf(" Make the change in the StackOne dashboard (Connector Profiles → %s); the next plan then shows the profile as configured. The state was left as it was.", m.Name.ValueString())
	default:
		return what + fmt.Sprintf(" Delete the profile in the StackOne dashboard (Connector Profiles → %s); the next plan notices it is gone. To stop managing it without deleting it, remove it from the configuration with a removed block (lifecycle { destroy = false }) or terraform state rm.", m.Name.ValueString())
	}
}

func (r *connectorProfileResource) configured(diags *diag.Diagnostics) bool {
	return resourceConfigured(r.data, diags)
}

// resourceConfigured reports whether a resource can call StackOne: the
// provider was configured, with a known configuration.
func resourceConfigured(data *providerData, diags *diag.Diagnostics) bool {
	if data == nil {
		diags.AddError("Provider not configured", "The stackone provider was not configured before this resource was used. This is a bug in the provider or in Terraform: please report it.")
		return false
	}
	return data.configKnown(diags)
}

// fromAPI copies the server's view into the model. Fields the server does
// not report (a StackOne without the extension: client id, scopes,
// actions) keep the model's values, as do the secret attributes and
// timeouts, which are never on the wire.
func (m *connectorProfileModel) fromAPI(ctx context.Context, p *stackone.ConnectorProfile, baseURL string) diag.Diagnostics {
	var diags diag.Diagnostics
	m.ID = types.StringValue(p.ID)
	m.Connector = types.StringValue(p.ConnectorKey)
	switch {
	case p.AuthenticationConfigKey != "":
		m.AuthType = types.StringValue(p.AuthenticationConfigKey)
	case m.AuthType.IsUnknown():
		m.AuthType = types.StringNull() // not reported: adopted from the configuration
	}
	m.Name = types.StringValue(p.Name)
	switch {
	case p.Active != nil:
		m.Active = types.BoolValue(*p.Active)
	case m.Active.IsUnknown():
		m.Active = types.BoolNull() // not reported: adopted from the configuration
	}
	m.RedirectURI = types.StringValue(stackone.RedirectURIFor(baseURL, p.ConnectorKey))
	m.CreatedAt = types.StringValue(formatTime(p.CreatedAt))
	m.UpdatedAt = types.StringValue(formatTime(p.UpdatedAt))
	m.ClientSecretWO = types.StringNull() // write-only: never stored
	if p.ClientID != nil {
		m.ClientID = types.StringValue(*p.ClientID)
	}
	var d diag.Diagnostics
	if p.Scopes != nil {
		m.Scopes, d = stringSet(ctx, *p.Scopes)
		diags.Append(d...)
	} else if m.Scopes.IsUnknown() {
		m.Scopes = types.SetNull(types.StringType)
	}
	if p.Actions != nil {
		m.Actions, d = stringSet(ctx, *p.Actions)
		diags.Append(d...)
	} else if m.Actions.IsUnknown() {
		m.Actions = types.SetNull(types.StringType)
	}
	if m.ClientID.IsUnknown() {
		m.ClientID = types.StringNull()
	}
	return diags
}

// secretToSend is the configured secret, from whichever attribute holds it.
// Write-only values exist only in the configuration, never in the plan.
func secretToSend(plan, cfg connectorProfileModel) string {
	if !plan.ClientSecret.IsNull() && !plan.ClientSecret.IsUnknown() {
		return plan.ClientSecret.ValueString()
	}
	if !cfg.ClientSecretWO.IsNull() && !cfg.ClientSecretWO.IsUnknown() {
		return cfg.ClientSecretWO.ValueString()
	}
	return ""
}

type privateGetter interface {
	GetKey(ctx context.Context, key string) ([]byte, diag.Diagnostics)
}
type privateSetter interface {
	SetKey(ctx context.Context, key string, value []byte) diag.Diagnostics
}

// secretWrittenAt reads the private record of our last secret write. known is
// false when there is no record at all; written is nil when the server had no
// timestamp then.
func secretWrittenAt(ctx context.Context, private privateGetter) (written *time.Time, known bool, diags diag.Diagnostics) {
	raw, diags := private.GetKey(ctx, privateSecretWrittenAt)
	if diags.HasError() || len(raw) == 0 {
		return nil, false, diags
	}
	var s *string
	if err := json.Unmarshal(raw, &s); err != nil {
		return nil, false, diags // unreadable record: adopt the server's value again
	}
	if s == nil {
		return nil, true, diags
	}
	t, err := time.Parse(time.RFC3339Nano, *s)
	if err != nil {
		return nil, false, diags
	}
	return &t, true, diags
}

func setSecretWrittenAt(ctx context.Context, private privateSetter, at *time.Time) diag.Diagnostics {
	var v *string
	if at != nil {
		s := at.UTC().Format(time.RFC3339Nano)
		v = &s
	}
	raw, _ := json.Marshal(v)
	return private.SetKey(ctx, privateSecretWrittenAt, raw)
}

// formatTime writes a server time as RFC 3339 in UTC, to the second; a
// time the server wrote some other way is kept as written (cleaned).
func formatTime(s string) string {
	if s == "" {
		return ""
	}
	t, err := stackone.ParseTime(s)
	if err != nil {
		return safetext.Text(s, 64)
	}
	return t.UTC().Format(time.RFC3339)
}

func isKnown(v interface {
	IsNull() bool
	IsUnknown() bool
}) bool {
	return !v.IsNull() && !v.IsUnknown()
}

// knownStrings returns a set's values, or none while any of them is known
// only at apply (a null set has none either).
func knownStrings(ctx context.Context, s types.Set) []string {
	if s.IsNull() || s.IsUnknown() {
		return nil
	}
	for _, e := range s.Elements() {
		if e.IsUnknown() {
			return nil
		}
	}
	var out []string
	if diags := s.ElementsAs(ctx, &out, false); diags.HasError() {
		return nil
	}
	return out
}

func setStrings(ctx context.Context, s types.Set, diags *diag.Diagnostics) []string {
	out := []string{}
	if s.IsNull() || s.IsUnknown() {
		return out
	}
	diags.Append(s.ElementsAs(ctx, &out, false)...)
	sort.Strings(out)
	return out
}

// stringSet makes a set of values. A server that lists a value twice still
// means one value: duplicates are dropped rather than failing the plan.
func stringSet(ctx context.Context, values []string) (types.Set, diag.Diagnostics) {
	unique := make([]string, 0, len(values))
	seen := make(map[string]bool, len(values))
	for _, v := range values {
		if !seen[v] {
			seen[v] = true
			unique = append(unique, v)
		}
	}
	return types.SetValueFrom(ctx, types.StringType, unique)
}

func setSecretMode(ctx context.Context, private privateSetter, plan connectorProfileModel) diag.Diagnostics {
	mode := `"wo"`
	if !plan.ClientSecret.IsNull() {
		mode = `"state"`
	}
	return private.SetKey(ctx, privateSecretMode, []byte(mode))
}

// privateReportsExtension records whether StackOne reported the extension's
// profile fields (client id, scopes, actions) at the last read or write:
// "false" for a StackOne that publishes profiles read-only.
const privateReportsExtension = "reports_extension"

func setReportsExtension(ctx context.Context, private privateSetter, reported bool) diag.Diagnostics {
	raw, _ := json.Marshal(reported)
	return private.SetKey(ctx, privateReportsExtension, raw)
}

// reportsExtension is true unless a read recorded otherwise.
func reportsExtension(ctx context.Context, private privateGetter) (bool, diag.Diagnostics) {
	raw, diags := private.GetKey(ctx, privateReportsExtension)
	reported := true
	if len(raw) > 0 {
		_ = json.Unmarshal(raw, &reported)
	}
	return reported, diags
}

// secretMode is "state", "wo", or "" when no write recorded it.
func secretMode(ctx context.Context, private privateGetter) (string, diag.Diagnostics) {
	raw, diags := private.GetKey(ctx, privateSecretMode)
	var mode string
	if len(raw) > 0 {
		_ = json.Unmarshal(raw, &mode)
	}
	return mode, diags
}
