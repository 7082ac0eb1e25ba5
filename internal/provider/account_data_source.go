package provider

import (
	"context"
	"fmt"
	"strings"

	"github.com/hashicorp/terraform-plugin-framework/attr"
	"github.com/hashicorp/terraform-plugin-framework/datasource"
	"github.com/hashicorp/terraform-plugin-framework/datasource/schema"
	"github.com/hashicorp/terraform-plugin-framework/path"
	"github.com/hashicorp/terraform-plugin-framework/schema/validator"
	"github.com/hashicorp/terraform-plugin-framework/types"

	"github.com/stackonehq/terraform-provider-stackone/internal/stackone"
)

var _ datasource.DataSourceWithConfigure = (*accountDataSource)(nil)

// NewAccountDataSource returns the stackone_account data source.
func NewAccountDataSource() datasource.DataSource { return &accountDataSource{} }

type accountDataSource struct{ data *providerData }

// accountModel is a linked account as data sources show it. StackOne never
// returns its credentials.
type accountModel struct {
	ID              types.String `tfsdk:"id"`
	Provider        types.String `tfsdk:"provider"`
	ProviderName    types.String `tfsdk:"provider_name"`
	OriginOwnerID   types.String `tfsdk:"origin_owner_id"`
	OriginOwnerName types.String `tfsdk:"origin_owner_name"`
	Label           types.String `tfsdk:"label"`
	Status          types.String `tfsdk:"status"`
	CreatedAt       types.String `tfsdk:"created_at"`
	UpdatedAt       types.String `tfsdk:"updated_at"`
}

var accountAttrTypes = map[string]attr.Type{
	"id": types.StringType, "provider": types.StringType, "provider_name": types.StringType,
	"origin_owner_id": types.StringType, "origin_owner_name": types.StringType, "label": types.StringType,
	"status": types.StringType, "created_at": types.StringType, "updated_at": types.StringType,
}

// accountStatuses are the statuses StackOne publishes for a linked account.
var accountStatuses = []string{"active", "inactive", "suspended", "archived", "expired", "error"}

// providerAttribute is the name of an account's connector key (the wire's
// provider) in the schema: "provider" inside the list of stackone_accounts,
// but "connector" at the root of stackone_account, where Terraform reserves
// "provider" (as stackone_connector_profile does).
func providerAttribute(root bool) string {
	if root {
		return "connector"
	}
	return "provider"
}

// accountAttributes is the schema of accountModel; at the root (the
// stackone_account data source) id is the lookup key.
func accountAttributes(root bool) map[string]schema.Attribute {
	id := schema.StringAttribute{Computed: true, MarkdownDescription: "Account id."}
	if root {
		id = schema.StringAttribute{Required: true, MarkdownDescription: "Account id.", Validators: []validator.String{textValidator{maxLen: maxTextLength, noWhitespace: true, pathSegment: true}}}
	}
	return map[string]schema.Attribute{
		"id":                    id,
		providerAttribute(root): schema.StringAttribute{Computed: true, MarkdownDescription: "Connector key, e.g. `zoominfo` (StackOne's `provider`)."},
		"provider_name":         schema.StringAttribute{Computed: true, MarkdownDescription: "Connector name, e.g. `ZoomInfo` (null when StackOne does not report it)."},
		"origin_owner_id":       schema.StringAttribute{Computed: true, MarkdownDescription: "Id, in your application, of the customer who linked the account."},
		"origin_owner_name":     schema.StringAttribute{Computed: true, MarkdownDescription: "Name, in your application, of the customer who linked the account."},
		"label":                 schema.StringAttribute{Computed: true, MarkdownDescription: "Label of the account (null when it has none)."},
		"status":                schema.StringAttribute{Computed: true, MarkdownDescription: "Status: one of `" + strings.Join(accountStatuses, "`, `") + "`."},
		"created_at":            schema.StringAttribute{Computed: true, MarkdownDescription: "When the account was linked (RFC 3339)."},
		"updated_at":            schema.StringAttribute{Computed: true, MarkdownDescription: "Last change (RFC 3339)."},
	}
}

// fromAPI copies an account; optional fields StackOne leaves out are null.
func (m *accountModel) fromAPI(a *stackone.Account) {
	m.ID, m.Provider, m.Status = types.StringValue(a.ID), types.StringValue(a.Provider), types.StringValue(a.Status)
	m.ProviderName, m.Label = optionalString(a.ProviderName), optionalString(a.Label)
	m.OriginOwnerID, m.OriginOwnerName = types.StringValue(a.OriginOwnerID), types.StringValue(a.OriginOwnerName)
	m.CreatedAt, m.UpdatedAt = types.StringValue(formatTime(a.CreatedAt)), types.StringValue(formatTime(a.UpdatedAt))
}

func optionalString(s string) types.String {
	if s == "" {
		return types.StringNull()
	}
	return types.StringValue(s)
}

func (d *accountDataSource) Metadata(_ context.Context, req datasource.MetadataRequest, resp *datasource.MetadataResponse) {
	resp.TypeName = req.ProviderTypeName + "_account"
}

func (d *accountDataSource) Schema(_ context.Context, _ datasource.SchemaRequest, resp *datasource.SchemaResponse) {
	resp.Schema = schema.Schema{
		MarkdownDescription: "One linked account (an account a user linked through a connector profile), by id. Its credentials are never returned.",
		Attributes:          accountAttributes(true),
	}
}

func (d *accountDataSource) Configure(_ context.Context, req datasource.ConfigureRequest, resp *datasource.ConfigureResponse) {
	d.data = providerDataFrom(req.ProviderData, &resp.Diagnostics)
}

func (d *accountDataSource) Read(ctx context.Context, req datasource.ReadRequest, resp *datasource.ReadResponse) {
	defer d.data.maskDiagnostics(&resp.Diagnostics)
	var id types.String
	resp.Diagnostics.Append(req.Config.GetAttribute(ctx, path.Root("id"), &id)...)
	if resp.Diagnostics.HasError() || d.data == nil || !d.data.configKnown(&resp.Diagnostics) {
		return
	}
	a, err := d.data.client.GetAccount(ctx, id.ValueString())
	if stackone.IsNotFound(err) {
		resp.Diagnostics.AddAttributeError(path.Root("id"), "Linked account not found",
			fmt.Sprintf("StackOne has no linked account %q. List the existing ones with data.stackone_accounts.", id.ValueString()))
		return
	}
	if err != nil {
		resp.Diagnostics.AddError("Cannot read the linked account", err.Error())
		return
	}
	var m accountModel
	m.fromAPI(a)
	obj, diags := types.ObjectValueFrom(ctx, accountAttrTypes, m)
	resp.Diagnostics.Append(diags...)
	for name, v := range obj.Attributes() {
		if name == providerAttribute(false) {
			name = providerAttribute(true)
		}
		resp.Diagnostics.Append(resp.State.SetAttribute(ctx, path.Root(name), v)...)
	}
}
