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

	"github.com/stackonehq/terraform-provider-stackone/internal/safetext"
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
	Connector       types.String `tfsdk:"connector"`
	ConnectorName   types.String `tfsdk:"connector_name"`
	OriginOwnerID   types.String `tfsdk:"origin_owner_id"`
	OriginOwnerName types.String `tfsdk:"origin_owner_name"`
	OriginUsername  types.String `tfsdk:"origin_username"`
	Label           types.String `tfsdk:"label"`
	Status          types.String `tfsdk:"status"`
	StatusReasons   types.List   `tfsdk:"status_reasons"`
	Type            types.String `tfsdk:"type"`
	Shared          types.Bool   `tfsdk:"shared"`
	Categories      types.List   `tfsdk:"categories"`
	CreatedAt       types.String `tfsdk:"created_at"`
	UpdatedAt       types.String `tfsdk:"updated_at"`
}

// statusReasonModel is one of an account's status_reasons.
type statusReasonModel struct {
	Code        types.String `tfsdk:"code"`
	Description types.String `tfsdk:"description"`
	Timestamp   types.String `tfsdk:"timestamp"`
}

var statusReasonAttrTypes = map[string]attr.Type{
	"code": types.StringType, "description": types.StringType, "timestamp": types.StringType,
}

var accountAttrTypes = map[string]attr.Type{
	"id": types.StringType, "connector": types.StringType, "connector_name": types.StringType,
	"origin_owner_id": types.StringType, "origin_owner_name": types.StringType, "origin_username": types.StringType,
	"label": types.StringType, "status": types.StringType,
	"status_reasons": types.ListType{ElemType: types.ObjectType{AttrTypes: statusReasonAttrTypes}},
	"type":           types.StringType, "shared": types.BoolType, "categories": types.ListType{ElemType: types.StringType},
	"created_at": types.StringType, "updated_at": types.StringType,
}

// accountStatuses are the statuses StackOne publishes for a linked account.
var accountStatuses = []string{"active", "inactive", "suspended", "archived", "expired", "error"}

// accountAttributes is the schema of accountModel; at the root (the
// stackone_account data source) id is the lookup key.
func accountAttributes(root bool) map[string]schema.Attribute {
	id := schema.StringAttribute{Computed: true, MarkdownDescription: "Account id."}
	if root {
		id = schema.StringAttribute{Required: true, MarkdownDescription: "Account id.", Validators: []validator.String{textValidator{maxLen: maxTextLength, noWhitespace: true, pathSegment: true}}}
	}
	return map[string]schema.Attribute{
		"id":                id,
		"connector":         schema.StringAttribute{Computed: true, MarkdownDescription: "Connector key, e.g. `zoominfo` (the account's `provider` in StackOne's API)."},
		"connector_name":    schema.StringAttribute{Computed: true, MarkdownDescription: "Connector name, e.g. `ZoomInfo` (`provider_name` in StackOne's API; null when StackOne does not report it)."},
		"origin_owner_id":   schema.StringAttribute{Computed: true, MarkdownDescription: "Id, in your application, of the customer who linked the account."},
		"origin_owner_name": schema.StringAttribute{Computed: true, MarkdownDescription: "Name, in your application, of the customer who linked the account."},
		"origin_username":   schema.StringAttribute{Computed: true, MarkdownDescription: "User, in your application, who linked the account (null when StackOne does not report one)."},
		"label":             schema.StringAttribute{Computed: true, MarkdownDescription: "Label of the account (null when it has none)."},
		"status":            schema.StringAttribute{Computed: true, MarkdownDescription: "Status: one of `" + strings.Join(accountStatuses, "`, `") + "`."},
		"status_reasons": schema.ListNestedAttribute{
			Computed:            true,
			MarkdownDescription: "Why the account is in its status, e.g. why it is in `error`, as StackOne reports it (null when StackOne does not report reasons).",
			NestedObject: schema.NestedAttributeObject{Attributes: map[string]schema.Attribute{
				"code":        schema.StringAttribute{Computed: true, MarkdownDescription: "Reason code (null when not given)."},
				"description": schema.StringAttribute{Computed: true, MarkdownDescription: "What happened (null when not given)."},
				"timestamp":   schema.StringAttribute{Computed: true, MarkdownDescription: "When (RFC 3339)."},
			}},
		},
		"type":       schema.StringAttribute{Computed: true, MarkdownDescription: "Account type: `production` or `test` (null when StackOne does not report it)."},
		"shared":     schema.BoolAttribute{Computed: true, MarkdownDescription: "Whether the account is shared (null when StackOne does not report it)."},
		"categories": schema.ListAttribute{Computed: true, ElementType: types.StringType, MarkdownDescription: "Categories of the connector, e.g. `crm` (null when StackOne does not report them)."},
		"created_at": schema.StringAttribute{Computed: true, MarkdownDescription: "When the account was linked (RFC 3339)."},
		"updated_at": schema.StringAttribute{Computed: true, MarkdownDescription: "Last change (RFC 3339)."},
	}
}

// fromAPI copies an account; optional fields StackOne leaves out are null.
// Text StackOne reports in status reasons is bounded and cleaned like every
// server text shown.
func (m *accountModel) fromAPI(ctx context.Context, a *stackone.Account) diag.Diagnostics {
	var diags diag.Diagnostics
	m.ID, m.Connector, m.Status = types.StringValue(a.ID), types.StringValue(a.Provider), types.StringValue(a.Status)
	m.ConnectorName, m.Label, m.OriginUsername = optionalString(a.ProviderName), optionalString(a.Label), optionalString(a.OriginUsername)
	m.OriginOwnerID, m.OriginOwnerName = types.StringValue(a.OriginOwnerID), types.StringValue(a.OriginOwnerName)
	m.CreatedAt, m.UpdatedAt = types.StringValue(formatTime(a.CreatedAt)), types.StringValue(formatTime(a.UpdatedAt))
	m.Type = optionalString(a.Type)
	m.Shared = types.BoolPointerValue(a.Shared)
	m.Categories = types.ListNull(types.StringType)
	if a.Categories != nil {
		var d diag.Diagnostics
		m.Categories, d = types.ListValueFrom(ctx, types.StringType, a.Categories)
		diags.Append(d...)
	}
	m.StatusReasons = types.ListNull(types.ObjectType{AttrTypes: statusReasonAttrTypes})
	if a.StatusReasons != nil {
		reasons := make([]statusReasonModel, len(a.StatusReasons))
		for i, r := range a.StatusReasons {
			reasons[i] = statusReasonModel{
				Code:        optionalString(safetext.Text(r.Code, maxTextLength)),
				Description: optionalString(safetext.Text(r.Description, 1000)),
				Timestamp:   types.StringValue(formatTime(r.Timestamp)),
			}
		}
		var d diag.Diagnostics
		m.StatusReasons, d = types.ListValueFrom(ctx, types.ObjectType{AttrTypes: statusReasonAttrTypes}, reasons)
		diags.Append(d...)
	}
	return diags
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
	resp.Diagnostics.Append(m.fromAPI(ctx, a)...)
	resp.Diagnostics.Append(resp.State.Set(ctx, &m)...)
}
