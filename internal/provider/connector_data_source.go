package provider

import (
	"context"
	"fmt"
	"strings"

	"github.com/hashicorp/terraform-plugin-framework/datasource"
	"github.com/hashicorp/terraform-plugin-framework/datasource/schema"
	"github.com/hashicorp/terraform-plugin-framework/diag"
	"github.com/hashicorp/terraform-plugin-framework/path"
	"github.com/hashicorp/terraform-plugin-framework/schema/validator"
	"github.com/hashicorp/terraform-plugin-framework/types"

	"github.com/stackonehq/terraform-provider-stackone/internal/catalogcheck"
	"github.com/stackonehq/terraform-provider-stackone/internal/stackone"
)

var _ datasource.DataSourceWithConfigure = (*connectorDataSource)(nil)

// NewConnectorDataSource returns the stackone_connector data source.
func NewConnectorDataSource() datasource.DataSource { return &connectorDataSource{} }

type connectorDataSource struct{ data *providerData }

type connectorModel struct {
	Key        types.String `tfsdk:"key"`
	Name       types.String `tfsdk:"name"`
	AuthTypes  types.List   `tfsdk:"auth_types"`
	Scopes     types.List   `tfsdk:"scopes"`
	Actions    types.List   `tfsdk:"actions"`
	ScopeNames types.Set    `tfsdk:"scope_names"`
	ActionIDs  types.Set    `tfsdk:"action_ids"`
}

// The nested objects of stackone_connector. fromAPI fills them from the
// models below and takes their types from here, so the values it builds
// cannot drift from the schema.
var (
	connectorAuthTypeObject = schema.NestedAttributeObject{Attributes: map[string]schema.Attribute{
		"key":               schema.StringAttribute{Computed: true, MarkdownDescription: "Auth type key."},
		"label":             schema.StringAttribute{Computed: true, MarkdownDescription: "Label shown in the dashboard."},
		"type":              schema.StringAttribute{Computed: true, MarkdownDescription: "Kind, e.g. `oauth2`."},
		"authorization_url": schema.StringAttribute{Computed: true, MarkdownDescription: "OAuth authorization endpoint. Always null: StackOne's catalog does not publish it (`stackone_registered_scopes` knows the documented ones)."},
		"token_url":         schema.StringAttribute{Computed: true, MarkdownDescription: "OAuth token endpoint. Always null: StackOne's catalog does not publish it."},
		"callback_url":      schema.StringAttribute{Computed: true, MarkdownDescription: "Redirect URI StackOne uses, `{base_url}/connect/oauth2/{connector}/callback`: register it on the OAuth app."},
		"pkce":              schema.BoolAttribute{Computed: true, MarkdownDescription: "Whether the flow uses PKCE. Always null: StackOne's catalog does not publish it."},
		"required_scopes":   schema.ListAttribute{Computed: true, ElementType: types.StringType, MarkdownDescription: "Scopes the auth type always needs."},
	}}
	connectorScopeObject = schema.NestedAttributeObject{Attributes: map[string]schema.Attribute{
		"name":        schema.StringAttribute{Computed: true, MarkdownDescription: "Scope name."},
		"description": schema.StringAttribute{Computed: true, MarkdownDescription: "What it grants."},
		"includes":    schema.ListAttribute{Computed: true, ElementType: types.StringType, MarkdownDescription: "Scopes it implies."},
	}}
	connectorActionObject = schema.NestedAttributeObject{Attributes: map[string]schema.Attribute{
		"id":              schema.StringAttribute{Computed: true, MarkdownDescription: "Action id, for a profile's `actions`."},
		"label":           schema.StringAttribute{Computed: true, MarkdownDescription: "Label."},
		"required_scopes": schema.ListAttribute{Computed: true, ElementType: types.StringType, MarkdownDescription: "Scopes the action needs."},
	}}
)

// connectorAuthTypeModel is one element of auth_types.
type connectorAuthTypeModel struct {
	Key              string       `tfsdk:"key"`
	Label            string       `tfsdk:"label"`
	Type             string       `tfsdk:"type"`
	AuthorizationURL types.String `tfsdk:"authorization_url"`
	TokenURL         types.String `tfsdk:"token_url"`
	CallbackURL      string       `tfsdk:"callback_url"`
	PKCE             types.Bool   `tfsdk:"pkce"`
	RequiredScopes   []string     `tfsdk:"required_scopes"`
}

// connectorScopeModel is one element of scopes.
type connectorScopeModel struct {
	Name        string   `tfsdk:"name"`
	Description string   `tfsdk:"description"`
	Includes    []string `tfsdk:"includes"`
}

// connectorActionModel is one element of actions.
type connectorActionModel struct {
	ID             string   `tfsdk:"id"`
	Label          string   `tfsdk:"label"`
	RequiredScopes []string `tfsdk:"required_scopes"`
}

func (d *connectorDataSource) Metadata(_ context.Context, req datasource.MetadataRequest, resp *datasource.MetadataResponse) {
	resp.TypeName = req.ProviderTypeName + "_connector"
}

func (d *connectorDataSource) Schema(_ context.Context, _ datasource.SchemaRequest, resp *datasource.SchemaResponse) {
	resp.Schema = schema.Schema{
		MarkdownDescription: "One connector of StackOne's catalog (`GET /actions`): its auth types with the callback URL to register, its scopes, and its actions with the scopes they need.",
		Attributes: map[string]schema.Attribute{
			"key": schema.StringAttribute{
				MarkdownDescription: "Connector key, e.g. `zoominfo`.",
				Required:            true,
				Validators:          []validator.String{textValidator{maxLen: 100, noWhitespace: true, pathSegment: true}},
			},
			"name": schema.StringAttribute{MarkdownDescription: "Display name.", Computed: true},
			"auth_types": schema.ListNestedAttribute{
				MarkdownDescription: "Ways to authenticate the connector; `key` is a profile's `auth_type`.",
				Computed:            true,
				NestedObject:        connectorAuthTypeObject,
			},
			"scopes": schema.ListNestedAttribute{
				MarkdownDescription: "Scope definitions; `includes` lists the scopes a scope implies.",
				Computed:            true,
				NestedObject:        connectorScopeObject,
			},
			"actions": schema.ListNestedAttribute{
				MarkdownDescription: "Actions a profile can enable, with the scopes each needs.",
				Computed:            true,
				NestedObject:        connectorActionObject,
			},
			"scope_names": schema.SetAttribute{Computed: true, ElementType: types.StringType, MarkdownDescription: "Every scope name, for use in `scopes` or `stackone_registered_scopes`."},
			"action_ids":  schema.SetAttribute{Computed: true, ElementType: types.StringType, MarkdownDescription: "Every action id."},
		},
	}
}

func (d *connectorDataSource) Configure(_ context.Context, req datasource.ConfigureRequest, resp *datasource.ConfigureResponse) {
	d.data = providerDataFrom(req.ProviderData, &resp.Diagnostics)
}

func (d *connectorDataSource) Read(ctx context.Context, req datasource.ReadRequest, resp *datasource.ReadResponse) {
	defer d.data.maskDiagnostics(&resp.Diagnostics)
	var m connectorModel
	resp.Diagnostics.Append(req.Config.Get(ctx, &m)...)
	if resp.Diagnostics.HasError() || d.data == nil || !d.data.configKnown(&resp.Diagnostics) {
		return
	}
	conn, ok := d.data.lookupConnectorAt(ctx, path.Root("key"), m.Key.ValueString(), "", &resp.Diagnostics)
	if !ok {
		return
	}
	resp.Diagnostics.Append(m.fromAPI(ctx, conn, d.data.baseURL)...)
	resp.Diagnostics.Append(resp.State.Set(ctx, &m)...)
}

// lookupConnectorAt finds a connector in the cached catalog; an unknown key is
// an error on the attribute at attr that suggests the nearest keys. A catalog
// that cannot be fetched is an error on attr too, ending with advice: what
// the caller can do without the catalog, if anything.
func (d *providerData) lookupConnectorAt(ctx context.Context, attr path.Path, key, advice string, diags *diag.Diagnostics) (stackone.Connector, bool) {
	catalog, err := d.catalogFor(ctx, key)
	if err != nil {
		diags.AddAttributeError(attr, "Cannot read StackOne's catalog",
			strings.TrimSpace(fmt.Sprintf("Fetching the connector catalog (GET /actions) for connector %q failed: %s. %s", key, strings.TrimSuffix(err.Error(), "."), advice)))
		return stackone.Connector{}, false
	}
	conn, problem := catalogcheck.Lookup(catalog, key)
	if problem != nil {
		diags.AddAttributeError(attr, problem.Summary, problem.Detail)
		return stackone.Connector{}, false
	}
	return conn, true
}

func (m *connectorModel) fromAPI(ctx context.Context, c stackone.Connector, baseURL string) diag.Diagnostics {
	var diags diag.Diagnostics
	m.Name = types.StringValue(c.Name)

	auths := make([]connectorAuthTypeModel, 0, len(c.Authentication))
	for _, a := range c.Authentication {
		auths = append(auths, connectorAuthTypeModel{
			Key: a.Key, Label: a.Label, Type: a.Type,
			// StackOne's catalog publishes no endpoints: the callback is
			// derived from the base URL; the others are not known here.
			AuthorizationURL: types.StringNull(), TokenURL: types.StringNull(),
			CallbackURL: stackone.RedirectURIFor(baseURL, c.Key), PKCE: types.BoolNull(),
			RequiredScopes: listed(a.RequiredScopes),
		})
	}
	scopes := make([]connectorScopeModel, 0, len(c.ScopeDefinitions))
	names := make([]string, 0, len(c.ScopeDefinitions))
	for _, s := range c.ScopeDefinitions {
		scopes = append(scopes, connectorScopeModel{Name: s.Name, Description: s.Description, Includes: listed(s.Includes)})
		names = append(names, s.Name)
	}
	actions := make([]connectorActionModel, 0, len(c.Actions))
	ids := make([]string, 0, len(c.Actions))
	for _, a := range c.Actions {
		actions = append(actions, connectorActionModel{ID: a.ID, Label: a.Label, RequiredScopes: listed(a.RequiredScopes)})
		ids = append(ids, a.ID)
	}

	var d diag.Diagnostics
	m.AuthTypes, d = types.ListValueFrom(ctx, connectorAuthTypeObject.Type(), auths)
	diags.Append(d...)
	m.Scopes, d = types.ListValueFrom(ctx, connectorScopeObject.Type(), scopes)
	diags.Append(d...)
	m.Actions, d = types.ListValueFrom(ctx, connectorActionObject.Type(), actions)
	diags.Append(d...)
	m.ScopeNames, d = stringSet(ctx, names)
	diags.Append(d...)
	m.ActionIDs, d = stringSet(ctx, ids)
	diags.Append(d...)
	return diags
}

// listed is values as a list attribute shows them: a catalog entry that
// lists none is an empty list, not null (a nil slice would be null).
func listed(values []string) []string {
	if values == nil {
		return []string{}
	}
	return values
}
