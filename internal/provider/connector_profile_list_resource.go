package provider

import (
	"context"
	"fmt"
	"regexp"

	"github.com/hashicorp/terraform-plugin-framework-timeouts/resource/timeouts"
	"github.com/hashicorp/terraform-plugin-framework/diag"
	"github.com/hashicorp/terraform-plugin-framework/list"
	"github.com/hashicorp/terraform-plugin-framework/list/schema"
	"github.com/hashicorp/terraform-plugin-framework/path"
	"github.com/hashicorp/terraform-plugin-framework/resource"
	"github.com/hashicorp/terraform-plugin-framework/schema/validator"
	"github.com/hashicorp/terraform-plugin-framework/types"

	"github.com/stackonehq/terraform-provider-stackone/internal/stackone"
)

var (
	_ list.ListResource              = (*connectorProfileListResource)(nil)
	_ list.ListResourceWithConfigure = (*connectorProfileListResource)(nil)
)

// NewConnectorProfileListResource returns the stackone_connector_profile list
// resource, which `terraform query` (Terraform 1.14 and later) uses to find
// the profiles that exist, made in the dashboard or elsewhere, for import.
func NewConnectorProfileListResource() list.ListResource {
	return &connectorProfileListResource{}
}

type connectorProfileListResource struct{ data *providerData }

// connectorProfileListModel is the config block of a list
// "stackone_connector_profile" block: every filter is optional, and a
// profile is listed when it matches all that are set.
type connectorProfileListModel struct {
	Connector types.String `tfsdk:"connector"`
	Active    types.Bool   `tfsdk:"active"`
	AuthType  types.String `tfsdk:"auth_type"`
	Name      types.String `tfsdk:"name"`
	NameRegex types.String `tfsdk:"name_regex"`
}

func (r *connectorProfileListResource) Metadata(_ context.Context, req resource.MetadataRequest, resp *resource.MetadataResponse) {
	resp.TypeName = req.ProviderTypeName + "_connector_profile"
}

func (r *connectorProfileListResource) ListResourceConfigSchema(_ context.Context, _ list.ListResourceSchemaRequest, resp *list.ListResourceSchemaResponse) {
	resp.Schema = schema.Schema{
		MarkdownDescription: "The connector profiles that exist in StackOne, for `terraform query` (Terraform 1.14 and later): " +
			"each one's name, its identity (`id`) and, with `include_resource = true` or `-generate-config-out`, what StackOne reports of it. " +
			"Every filter is optional; a profile is listed when it matches all that are set. The profiles are read as a plan's refresh reads them: " +
			"one list of every page, never one request per profile.",
		Attributes: map[string]schema.Attribute{
			"connector": schema.StringAttribute{
				MarkdownDescription: "Only profiles of this connector, e.g. `zoominfo`.",
				Optional:            true,
				Validators:          []validator.String{textValidator{maxLen: 100, noWhitespace: true}},
			},
			"active": schema.BoolAttribute{
				MarkdownDescription: "Only active (`true`) or only inactive (`false`) profiles.",
				Optional:            true,
			},
			"auth_type": schema.StringAttribute{
				MarkdownDescription: "Only profiles of this auth type, e.g. `oauth2_authorization_code_pkce`. A profile StackOne lists without an auth type matches no value.",
				Optional:            true,
				Validators:          []validator.String{textValidator{maxLen: 100, noWhitespace: true}},
			},
			"name": schema.StringAttribute{
				MarkdownDescription: "Only the profiles with exactly this name (case and spaces count, as in the dashboard).",
				Optional:            true,
				Validators:          []validator.String{textValidator{maxLen: maxTextLength}},
			},
			"name_regex": schema.StringAttribute{
				MarkdownDescription: "Only the profiles whose name matches this regular expression ([RE2 syntax](https://github.com/google/re2/wiki/Syntax), unanchored: `^ZoomInfo` for names that start with ZoomInfo).",
				Optional:            true,
				Validators:          []validator.String{regexValidator{}},
			},
		},
	}
}

func (r *connectorProfileListResource) Configure(_ context.Context, req resource.ConfigureRequest, resp *resource.ConfigureResponse) {
	r.data = providerDataFrom(req.ProviderData, &resp.Diagnostics)
}

// List answers every profile that matches the filters, in StackOne's order,
// from the client's snapshot of the profile list: the same read a refresh
// makes, so N profiles cost ⌈N / page size⌉ requests.
func (r *connectorProfileListResource) List(ctx context.Context, req list.ListRequest, stream *list.ListResultsStream) {
	var diags diag.Diagnostics
	var cfg connectorProfileListModel
	diags.Append(req.Config.Get(ctx, &cfg)...)
	if diags.HasError() {
		stream.Results = list.ListResultsStreamDiagnostics(diags)
		return
	}
	if r.data == nil {
		diags.AddError("Provider not configured", "The stackone provider was not configured before listing connector profiles. This is a bug in the provider or in Terraform: please report it.")
	}
	if diags.HasError() || !r.data.configKnown(&diags) {
		stream.Results = list.ListResultsStreamDiagnostics(diags)
		return
	}
	match, err := cfg.matcher()
	if err != nil {
		diags.AddAttributeError(path.Root("name_regex"), "Invalid regular expression", err.Error())
		stream.Results = list.ListResultsStreamDiagnostics(diags)
		return
	}
	connector := cfg.Connector.ValueString()
	profiles, err := r.data.client.ConnectorProfiles(ctx, connector)
	if err != nil {
		diags.AddError("Cannot list connector profiles", err.Error())
		stream.Results = list.ListResultsStreamDiagnostics(diags)
		return
	}
	matched := profiles[:0]
	for _, p := range profiles {
		if match(&p) {
			matched = append(matched, p)
		}
	}
	if len(profiles) == 0 && connector != "" {
		r.data.warnUnknownConnector(ctx, connector, &diags)
	}
	if len(matched) > 0 && req.IncludeResource {
		diags.Append(generatedConfigAdvice(matched)...)
	}

	stream.Results = func(push func(list.ListResult) bool) {
		if len(matched) == 0 {
			// Only warnings (or nothing) to report: Terraform keeps the
			// diagnostics of a result without identity, not the result.
			if len(diags) > 0 {
				push(list.ListResult{Diagnostics: diags})
			}
			return
		}
		for i := range matched {
			if req.Limit > 0 && int64(i) >= req.Limit {
				return
			}
			result := r.result(ctx, req, &matched[i])
			if i == 0 {
				// Diagnostics of the whole query travel with the first result.
				result.Diagnostics = append(diags, result.Diagnostics...)
			}
			if !push(result) {
				return
			}
		}
	}
}

// result is one listed profile: its name, identity and, when asked, the
// resource object a refresh right after importing it would record.
func (r *connectorProfileListResource) result(ctx context.Context, req list.ListRequest, p *stackone.ConnectorProfile) list.ListResult {
	result := req.NewListResult(ctx)
	result.DisplayName = p.Name
	result.Diagnostics.Append(result.Identity.SetAttribute(ctx, path.Root("id"), p.ID)...)
	if !req.IncludeResource {
		return result
	}
	m, diags := importedProfileModel(ctx, req, p, r.data.baseURL)
	result.Diagnostics.Append(diags...)
	if !diags.HasError() {
		result.Diagnostics.Append(result.Resource.Set(ctx, &m)...)
	}
	return result
}

// importedProfileModel is the state of profile p just after an import and
// its refresh: what StackOne reports, everything else null (no secret, no
// timeouts; against a StackOne without the extension, no client id, scopes
// or actions either).
func importedProfileModel(ctx context.Context, req list.ListRequest, p *stackone.ConnectorProfile, baseURL string) (connectorProfileModel, diag.Diagnostics) {
	m := connectorProfileModel{
		ID: types.StringNull(), Connector: types.StringNull(), AuthType: types.StringNull(), Name: types.StringNull(),
		ClientID: types.StringNull(), ClientSecret: types.StringNull(), ClientSecretWO: types.StringNull(),
		ClientSecretWOVersion: types.Int64Null(), Scopes: types.SetNull(types.StringType), Actions: types.SetNull(types.StringType),
		Active: types.BoolNull(), RedirectURI: types.StringNull(), CreatedAt: types.StringNull(), UpdatedAt: types.StringNull(),
	}
	timeoutsType, diags := req.ResourceSchema.TypeAtPath(ctx, path.Root("timeouts"))
	if diags.HasError() {
		return m, diags
	}
	objectType, ok := timeoutsType.(timeouts.Type)
	if !ok {
		diags.AddError("Unexpected resource schema", fmt.Sprintf("The timeouts block of stackone_connector_profile has type %T. This is a bug in the stackone provider: please report it.", timeoutsType))
		return m, diags
	}
	m.Timeouts = timeouts.Value{Object: types.ObjectNull(objectType.AttrTypes)}
	diags.Append(m.fromAPI(ctx, p, baseURL)...)
	return m, diags
}

// generatedConfigAdvice says what configuration generated from these
// profiles still needs, since no comment can be written into the generated
// file: the client secret always, and the fields StackOne did not report.
func generatedConfigAdvice(profiles []stackone.ConnectorProfile) diag.Diagnostics {
	var diags diag.Diagnostics
	unreported, noAuthType := 0, 0
	for i := range profiles {
		if !profiles[i].ReportsExtension() {
			unreported++
		}
		if profiles[i].AuthenticationConfigKey == "" {
			noAuthType++
		}
	}
	detail := "StackOne never returns a profile's client secret, so each generated stackone_connector_profile block has client_secret_wo = null: " +
		"set it to the OAuth app's client secret (from a variable) and leave client_secret and client_secret_wo_version null, or the plan fails with \"Missing client secret\"."
	if unreported > 0 {
		detail += fmt.Sprintf(" StackOne did not report the client id, scopes and actions of %d of the %d profiles listed (its published API does not): "+
			"their blocks have client_id = null and no scopes or actions. Copy all three from the StackOne dashboard (Connector Profiles → the profile) before the first apply: "+
			"that apply records them without calling StackOne, and an unset scopes records [] (every scope registered on the OAuth app), which may not be what the dashboard has. "+
			"The plan shows each such profile as imported and changed in place.", unreported, len(profiles))
	} else {
		detail += " With the secret added, the plan imports each profile and changes nothing."
	}
	if noAuthType > 0 {
		detail += fmt.Sprintf(" StackOne listed %d of the profiles without an auth type: set their auth_type (null in the generated block) to the one the dashboard shows, e.g. \"oauth2_authorization_code_pkce\".", noAuthType)
	}
	diags.AddWarning("Generated configuration needs the client secret", detail)
	return diags
}

// matcher returns the test of the configured filters (the connector is
// filtered by the list read itself).
func (m connectorProfileListModel) matcher() (func(*stackone.ConnectorProfile) bool, error) {
	var re *regexp.Regexp
	if isKnown(m.NameRegex) {
		var err error
		if re, err = regexp.Compile(m.NameRegex.ValueString()); err != nil {
			return nil, fmt.Errorf("name_regex %q is not a regular expression: %s", m.NameRegex.ValueString(), err)
		}
	}
	return func(p *stackone.ConnectorProfile) bool {
		switch {
		case isKnown(m.Active) && (p.Active == nil || *p.Active != m.Active.ValueBool()): // an unreported active matches no filter
			return false
		case isKnown(m.AuthType) && p.AuthenticationConfigKey != m.AuthType.ValueString():
			return false
		case isKnown(m.Name) && p.Name != m.Name.ValueString():
			return false
		case re != nil && !re.MatchString(p.Name):
			return false
		}
		return true
	}, nil
}
