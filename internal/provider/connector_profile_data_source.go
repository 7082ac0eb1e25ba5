package provider

import (
	"context"
	"errors"
	"fmt"

	"github.com/hashicorp/terraform-plugin-framework/attr"
	"github.com/hashicorp/terraform-plugin-framework/datasource"
	"github.com/hashicorp/terraform-plugin-framework/datasource/schema"
	"github.com/hashicorp/terraform-plugin-framework/diag"
	"github.com/hashicorp/terraform-plugin-framework/path"
	"github.com/hashicorp/terraform-plugin-framework/types"

	"github.com/stackonehq/terraform-provider-stackone/internal/safetext"
	"github.com/stackonehq/terraform-provider-stackone/internal/stackone"
)

var _ datasource.DataSourceWithConfigure = (*connectorProfileDataSource)(nil)

// NewConnectorProfileDataSource returns the stackone_connector_profile data source.
func NewConnectorProfileDataSource() datasource.DataSource { return &connectorProfileDataSource{} }

type connectorProfileDataSource struct{ data *providerData }

// profileDataModel is a profile as data sources show it: everything but the secret.
type profileDataModel struct {
	ID              types.String `tfsdk:"id"`
	Connector       types.String `tfsdk:"connector"`
	AuthType        types.String `tfsdk:"auth_type"`
	Name            types.String `tfsdk:"name"`
	ClientID        types.String `tfsdk:"client_id"`
	ClientSecretSet types.Bool   `tfsdk:"client_secret_set"`
	Scopes          types.Set    `tfsdk:"scopes"`
	Actions         types.Set    `tfsdk:"actions"`
	Active          types.Bool   `tfsdk:"active"`
	RedirectURI     types.String `tfsdk:"redirect_uri"`
	// What StackOne reports of the version the profile runs: the pin as set
	// and the version it resolves to.
	ConnectorVersion       types.String `tfsdk:"connector_version"`
	ConnectorPinnedVersion types.String `tfsdk:"connector_pinned_version"`
	CreatedAt              types.String `tfsdk:"created_at"`
	UpdatedAt              types.String `tfsdk:"updated_at"`
}

var profileDataAttrTypes = map[string]attr.Type{
	"id": types.StringType, "connector": types.StringType, "auth_type": types.StringType, "name": types.StringType,
	"client_id": types.StringType, "client_secret_set": types.BoolType,
	"scopes": types.SetType{ElemType: types.StringType}, "actions": types.SetType{ElemType: types.StringType},
	"active": types.BoolType, "redirect_uri": types.StringType, "created_at": types.StringType, "updated_at": types.StringType,
	"connector_version": types.StringType, "connector_pinned_version": types.StringType,
}

// profileDataAttributes is the schema of profileDataModel; id is the lookup key
// when idRequired is set.
func profileDataAttributes(idRequired bool) map[string]schema.Attribute {
	return map[string]schema.Attribute{
		"id":                       schema.StringAttribute{Required: idRequired, Computed: !idRequired, MarkdownDescription: "Profile id."},
		"connector":                schema.StringAttribute{Computed: true, MarkdownDescription: "Connector key."},
		"auth_type":                schema.StringAttribute{Computed: true, MarkdownDescription: "Auth type key."},
		"name":                     schema.StringAttribute{Computed: true, MarkdownDescription: "Display name."},
		"client_id":                schema.StringAttribute{Computed: true, MarkdownDescription: "OAuth client id (null when StackOne does not report it)."},
		"client_secret_set":        schema.BoolAttribute{Computed: true, MarkdownDescription: "Whether a client secret is stored (it is never returned; null when StackOne does not report it)."},
		"scopes":                   schema.SetAttribute{Computed: true, ElementType: types.StringType, MarkdownDescription: "Requested scopes (null when StackOne does not report them)."},
		"actions":                  schema.SetAttribute{Computed: true, ElementType: types.StringType, MarkdownDescription: "Enabled actions (null when StackOne does not report them)."},
		"active":                   schema.BoolAttribute{Computed: true, MarkdownDescription: "Whether accounts can be linked."},
		"redirect_uri":             schema.StringAttribute{Computed: true, MarkdownDescription: "Redirect URI to register on the OAuth app."},
		"connector_version":        schema.StringAttribute{Computed: true, MarkdownDescription: "The connector version the profile runs, as StackOne resolves it: the pinned version, the version a pinned range such as `1.x.x` selects, or the latest (null when StackOne does not report it)."},
		"connector_pinned_version": schema.StringAttribute{Computed: true, MarkdownDescription: "The pin as set, e.g. `1.x.x` or `1.4.0` (null when nothing is pinned); see `stackone_connector_profile_pinned_version`."},
		"created_at":               schema.StringAttribute{Computed: true, MarkdownDescription: "Creation time (RFC 3339)."},
		"updated_at":               schema.StringAttribute{Computed: true, MarkdownDescription: "Last change (RFC 3339)."},
	}
}

// fromAPI copies a listed profile. Fields a StackOne without the extension
// does not report (client id, secret set, scopes, actions) are null.
func (m *profileDataModel) fromAPI(ctx context.Context, p *stackone.ConnectorProfile, baseURL string) diag.Diagnostics {
	var diags, d diag.Diagnostics
	m.ID, m.Connector, m.AuthType = types.StringValue(p.ID), types.StringValue(p.ConnectorKey), types.StringValue(p.AuthenticationConfigKey)
	m.Name, m.Active = types.StringValue(p.Name), types.BoolPointerValue(p.Active)
	m.ClientID, m.ClientSecretSet = types.StringPointerValue(p.ClientID), types.BoolPointerValue(p.ClientSecretSet)
	m.RedirectURI = types.StringValue(stackone.RedirectURIFor(baseURL, p.ConnectorKey))
	m.CreatedAt, m.UpdatedAt = types.StringValue(formatTime(p.CreatedAt)), types.StringValue(formatTime(p.UpdatedAt))
	m.ConnectorVersion = optionalString(safetext.Text(p.ConnectorVersion, 100))
	m.ConnectorPinnedVersion = optionalString(safetext.Text(p.ConnectorPinnedVersion, 100))
	m.Scopes, m.Actions = types.SetNull(types.StringType), types.SetNull(types.StringType)
	if p.Scopes != nil {
		m.Scopes, d = stringSet(ctx, *p.Scopes)
		diags.Append(d...)
	}
	if p.Actions != nil {
		m.Actions, d = stringSet(ctx, *p.Actions)
		diags.Append(d...)
	}
	return diags
}

func (d *connectorProfileDataSource) Metadata(_ context.Context, req datasource.MetadataRequest, resp *datasource.MetadataResponse) {
	resp.TypeName = req.ProviderTypeName + "_connector_profile"
}

func (d *connectorProfileDataSource) Schema(_ context.Context, _ datasource.SchemaRequest, resp *datasource.SchemaResponse) {
	resp.Schema = schema.Schema{
		MarkdownDescription: "One connector profile, by id. The client secret is never returned.",
		Attributes:          profileDataAttributes(true),
	}
}

func (d *connectorProfileDataSource) Configure(_ context.Context, req datasource.ConfigureRequest, resp *datasource.ConfigureResponse) {
	d.data = providerDataFrom(req.ProviderData, &resp.Diagnostics)
}

func (d *connectorProfileDataSource) Read(ctx context.Context, req datasource.ReadRequest, resp *datasource.ReadResponse) {
	defer d.data.maskDiagnostics(&resp.Diagnostics)
	var m profileDataModel
	resp.Diagnostics.Append(req.Config.Get(ctx, &m)...)
	if resp.Diagnostics.HasError() || d.data == nil || !d.data.configKnown(&resp.Diagnostics) {
		return
	}
	id := m.ID.ValueString()
	if problem := checkProfileID(id); problem != "" {
		resp.Diagnostics.AddAttributeError(path.Root("id"), "Invalid connector profile id", fmt.Sprintf("id %q %s.", id, problem))
		return
	}
	p, err := d.data.client.ConnectorProfile(ctx, id, "")
	if errors.Is(err, stackone.ErrProfileNotFound) {
		resp.Diagnostics.AddAttributeError(path.Root("id"), "Connector profile not found",
			fmt.Sprintf("StackOne has no connector profile %q. List the existing ones with data.stackone_connector_profiles.", id))
		return
	}
	if err != nil {
		resp.Diagnostics.AddError("Cannot read the connector profile", err.Error())
		return
	}
	resp.Diagnostics.Append(m.fromAPI(ctx, p, d.data.baseURL)...)
	resp.Diagnostics.Append(resp.State.Set(ctx, &m)...)
}
