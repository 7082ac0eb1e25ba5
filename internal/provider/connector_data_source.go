package provider

import (
	"context"
	"fmt"
	"strings"

	"github.com/hashicorp/terraform-plugin-framework/attr"
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

var (
	authTypeAttrTypes = map[string]attr.Type{
		"key": types.StringType, "label": types.StringType, "type": types.StringType,
		"authorization_url": types.StringType, "token_url": types.StringType, "callback_url": types.StringType,
		"pkce": types.BoolType, "required_scopes": types.ListType{ElemType: types.StringType},
	}
	scopeAttrTypes = map[string]attr.Type{
		"name": types.StringType, "description": types.StringType, "includes": types.ListType{ElemType: types.StringType},
	}
	actionAttrTypes = map[string]attr.Type{
		"id": types.StringType, "label": types.StringType, "required_scopes": types.ListType{ElemType: types.StringType},
	}
)

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
				Validators:          []validator.String{textValidator{maxLen: 100, noWhitespace: true}},
			},
			"name": schema.StringAttribute{MarkdownDescription: "Display name.", Computed: true},
			"auth_types": schema.ListNestedAttribute{
				MarkdownDescription: "Ways to authenticate the connector; `key` is a profile's `auth_type`.",
				Computed:            true,
				NestedObject: schema.NestedAttributeObject{Attributes: map[string]schema.Attribute{
					"key":               schema.StringAttribute{Computed: true, MarkdownDescription: "Auth type key."},
					"label":             schema.StringAttribute{Computed: true, MarkdownDescription: "Label shown in the dashboard."},
					"type":              schema.StringAttribute{Computed: true, MarkdownDescription: "Kind, e.g. `oauth2`."},
					"authorization_url": schema.StringAttribute{Computed: true, MarkdownDescription: "OAuth authorization endpoint. Always null: StackOne's catalog does not publish it (`stackone_registered_scopes` knows the documented ones)."},
					"token_url":         schema.StringAttribute{Computed: true, MarkdownDescription: "OAuth token endpoint. Always null: StackOne's catalog does not publish it."},
					"callback_url":      schema.StringAttribute{Computed: true, MarkdownDescription: "Redirect URI StackOne uses, `{base_url}/connect/oauth2/{connector}/callback`: register it on the OAuth app."},
					"pkce":              schema.BoolAttribute{Computed: true, MarkdownDescription: "Whether the flow uses PKCE. Always null: StackOne's catalog does not publish it."},
					"required_scopes":   schema.ListAttribute{Computed: true, ElementType: types.StringType, MarkdownDescription: "Scopes the auth type always needs."},
				}},
			},
			"scopes": schema.ListNestedAttribute{
				MarkdownDescription: "Scope definitions; `includes` lists the scopes a scope implies.",
				Computed:            true,
				NestedObject: schema.NestedAttributeObject{Attributes: map[string]schema.Attribute{
					"name":        schema.StringAttribute{Computed: true, MarkdownDescription: "Scope name."},
					"description": schema.StringAttribute{Computed: true, MarkdownDescription: "What it grants."},
					"includes":    schema.ListAttribute{Computed: true, ElementType: types.StringType, MarkdownDescription: "Scopes it implies."},
				}},
			},
			"actions": schema.ListNestedAttribute{
				MarkdownDescription: "Actions a profile can enable, with the scopes each needs.",
				Computed:            true,
				NestedObject: schema.NestedAttributeObject{Attributes: map[string]schema.Attribute{
					"id":              schema.StringAttribute{Computed: true, MarkdownDescription: "Action id, for a profile's `actions`."},
					"label":           schema.StringAttribute{Computed: true, MarkdownDescription: "Label."},
					"required_scopes": schema.ListAttribute{Computed: true, ElementType: types.StringType, MarkdownDescription: "Scopes the action needs."},
				}},
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

	auths := make([]attr.Value, 0, len(c.Authentication))
	for _, a := range c.Authentication {
		v, d := types.ObjectValue(authTypeAttrTypes, map[string]attr.Value{
			"key": types.StringValue(a.Key), "label": types.StringValue(a.Label), "type": types.StringValue(a.Type),
			// StackOne's catalog publishes no endpoints: the callback is
			// derived from the base URL; the others are not known here.
			"authorization_url": types.StringNull(), "token_url": types.StringNull(),
			"callback_url": types.StringValue(stackone.RedirectURIFor(baseURL, c.Key)), "pkce": types.BoolNull(),
			"required_scopes": stringList(a.RequiredScopes),
		})
		diags.Append(d...)
		auths = append(auths, v)
	}
	var d diag.Diagnostics
	m.AuthTypes, d = types.ListValue(types.ObjectType{AttrTypes: authTypeAttrTypes}, auths)
	diags.Append(d...)

	scopes := make([]attr.Value, 0, len(c.ScopeDefinitions))
	names := make([]string, 0, len(c.ScopeDefinitions))
	for _, s := range c.ScopeDefinitions {
		v, d := types.ObjectValue(scopeAttrTypes, map[string]attr.Value{
			"name": types.StringValue(s.Name), "description": types.StringValue(s.Description), "includes": stringList(s.Includes),
		})
		diags.Append(d...)
		scopes = append(scopes, v)
		names = append(names, s.Name)
	}
	m.Scopes, d = types.ListValue(types.ObjectType{AttrTypes: scopeAttrTypes}, scopes)
	diags.Append(d...)

	actions := make([]attr.Value, 0, len(c.Actions))
	ids := make([]string, 0, len(c.Actions))
	for _, a := range c.Actions {
		v, d := types.ObjectValue(actionAttrTypes, map[string]attr.Value{
			"id": types.StringValue(a.ID), "label": types.StringValue(a.Label), "required_scopes": stringList(a.RequiredScopes),
		})
		diags.Append(d...)
		actions = append(actions, v)
		ids = append(ids, a.ID)
	}
	m.Actions, d = types.ListValue(types.ObjectType{AttrTypes: actionAttrTypes}, actions)
	diags.Append(d...)

	m.ScopeNames, d = stringSet(ctx, names)
	diags.Append(d...)
	m.ActionIDs, d = stringSet(ctx, ids)
	diags.Append(d...)
	return diags
}

func stringList(values []string) types.List {
	elems := make([]attr.Value, 0, len(values))
	for _, v := range values {
		elems = append(elems, types.StringValue(v))
	}
	return types.ListValueMust(types.StringType, elems)
}
