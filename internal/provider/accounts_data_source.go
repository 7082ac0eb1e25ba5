package provider

import (
	"context"
	"strings"

	"github.com/hashicorp/terraform-plugin-framework-validators/setvalidator"
	"github.com/hashicorp/terraform-plugin-framework-validators/stringvalidator"
	"github.com/hashicorp/terraform-plugin-framework/attr"
	"github.com/hashicorp/terraform-plugin-framework/datasource"
	"github.com/hashicorp/terraform-plugin-framework/datasource/schema"
	"github.com/hashicorp/terraform-plugin-framework/schema/validator"
	"github.com/hashicorp/terraform-plugin-framework/types"

	"github.com/stackonehq/terraform-provider-stackone/internal/stackone"
)

var _ datasource.DataSourceWithConfigure = (*accountsDataSource)(nil)

// NewAccountsDataSource returns the stackone_accounts data source.
func NewAccountsDataSource() datasource.DataSource { return &accountsDataSource{} }

type accountsDataSource struct{ data *providerData }

type accountsModel struct {
	Connectors    types.Set    `tfsdk:"connectors"`
	OriginOwnerID types.String `tfsdk:"origin_owner_id"`
	Status        types.Set    `tfsdk:"status"`
	AccountIDs    types.Set    `tfsdk:"account_ids"`
	Accounts      types.List   `tfsdk:"accounts"`
}

func (d *accountsDataSource) Metadata(_ context.Context, req datasource.MetadataRequest, resp *datasource.MetadataResponse) {
	resp.TypeName = req.ProviderTypeName + "_accounts"
}

func (d *accountsDataSource) Schema(_ context.Context, _ datasource.SchemaRequest, resp *datasource.SchemaResponse) {
	resp.Schema = schema.Schema{
		MarkdownDescription: "Every linked account (all pages) matching the filters, in StackOne's order. Filters combine with AND; the values of one filter with OR; an unset filter matches everything.",
		Attributes: map[string]schema.Attribute{
			"connectors": schema.SetAttribute{
				MarkdownDescription: "Only accounts of these connectors, e.g. `[\"zoominfo\"]` (StackOne's `providers` filter).",
				Optional:            true,
				ElementType:         types.StringType,
				Validators:          []validator.Set{tokenSetValidator{what: "connector", maxItems: maxListEntries, maxLen: 100}},
			},
			"origin_owner_id": schema.StringAttribute{
				MarkdownDescription: "Only accounts linked by this customer (the `origin_owner_id` your application gave the connect session).",
				Optional:            true,
				Validators:          []validator.String{textValidator{maxLen: maxTextLength}},
			},
			"status": schema.SetAttribute{
				MarkdownDescription: "Only accounts in these statuses: `" + strings.Join(accountStatuses, "`, `") + "`.",
				Optional:            true,
				ElementType:         types.StringType,
				Validators:          []validator.Set{setvalidator.ValueStringsAre(stringvalidator.OneOf(accountStatuses...))},
			},
			"account_ids": schema.SetAttribute{
				MarkdownDescription: "Only the accounts with these ids.",
				Optional:            true,
				ElementType:         types.StringType,
				Validators:          []validator.Set{tokenSetValidator{what: "account id", maxItems: maxListEntries, maxLen: maxTextLength}},
			},
			"accounts": schema.ListNestedAttribute{
				Computed:            true,
				MarkdownDescription: "The accounts.",
				NestedObject:        schema.NestedAttributeObject{Attributes: accountAttributes(false)},
			},
		},
	}
}

func (d *accountsDataSource) Configure(_ context.Context, req datasource.ConfigureRequest, resp *datasource.ConfigureResponse) {
	d.data = providerDataFrom(req.ProviderData, &resp.Diagnostics)
}

func (d *accountsDataSource) Read(ctx context.Context, req datasource.ReadRequest, resp *datasource.ReadResponse) {
	defer d.data.maskDiagnostics(&resp.Diagnostics)
	var m accountsModel
	resp.Diagnostics.Append(req.Config.Get(ctx, &m)...)
	if resp.Diagnostics.HasError() || d.data == nil || !d.data.configKnown(&resp.Diagnostics) {
		return
	}
	opts := stackone.ListAccountsOptions{
		Providers:     setStrings(ctx, m.Connectors, &resp.Diagnostics),
		OriginOwnerID: m.OriginOwnerID.ValueString(),
		Statuses:      setStrings(ctx, m.Status, &resp.Diagnostics),
		AccountIDs:    setStrings(ctx, m.AccountIDs, &resp.Diagnostics),
	}
	if resp.Diagnostics.HasError() {
		return
	}
	accounts, err := d.data.client.ListAccounts(ctx, opts)
	if err != nil {
		resp.Diagnostics.AddError("Cannot list linked accounts", err.Error())
		return
	}
	objs := make([]attr.Value, 0, len(accounts))
	for i := range accounts {
		var am accountModel
		resp.Diagnostics.Append(am.fromAPI(ctx, &accounts[i])...)
		obj, diags := types.ObjectValueFrom(ctx, accountAttrTypes, am)
		resp.Diagnostics.Append(diags...)
		objs = append(objs, obj)
	}
	list, diags := types.ListValue(types.ObjectType{AttrTypes: accountAttrTypes}, objs)
	resp.Diagnostics.Append(diags...)
	m.Accounts = list
	resp.Diagnostics.Append(resp.State.Set(ctx, &m)...)
}
