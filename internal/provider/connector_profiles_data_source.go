package provider

import (
	"context"

	"github.com/hashicorp/terraform-plugin-framework/attr"
	"github.com/hashicorp/terraform-plugin-framework/datasource"
	"github.com/hashicorp/terraform-plugin-framework/datasource/schema"
	"github.com/hashicorp/terraform-plugin-framework/diag"
	"github.com/hashicorp/terraform-plugin-framework/path"
	"github.com/hashicorp/terraform-plugin-framework/schema/validator"
	"github.com/hashicorp/terraform-plugin-framework/types"

	"github.com/stackonehq/terraform-provider-stackone/internal/catalogcheck"
)

var _ datasource.DataSourceWithConfigure = (*connectorProfilesDataSource)(nil)

// NewConnectorProfilesDataSource returns the stackone_connector_profiles data source.
func NewConnectorProfilesDataSource() datasource.DataSource { return &connectorProfilesDataSource{} }

type connectorProfilesDataSource struct{ data *providerData }

type connectorProfilesModel struct {
	Connector types.String `tfsdk:"connector"`
	IDs       types.List   `tfsdk:"ids"`
	Profiles  types.List   `tfsdk:"profiles"`
}

func (d *connectorProfilesDataSource) Metadata(_ context.Context, req datasource.MetadataRequest, resp *datasource.MetadataResponse) {
	resp.TypeName = req.ProviderTypeName + "_connector_profiles"
}

func (d *connectorProfilesDataSource) Schema(_ context.Context, _ datasource.SchemaRequest, resp *datasource.SchemaResponse) {
	resp.Schema = schema.Schema{
		MarkdownDescription: "Every connector profile of the account (all pages), optionally of one connector, oldest first.",
		Attributes: map[string]schema.Attribute{
			"connector": schema.StringAttribute{
				MarkdownDescription: "Only profiles of this connector, e.g. `zoominfo`.",
				Optional:            true,
				Validators:          []validator.String{textValidator{maxLen: 100, noWhitespace: true, pathSegment: true}},
			},
			"ids": schema.ListAttribute{Computed: true, ElementType: types.StringType, MarkdownDescription: "Profile ids, in the order of `profiles`."},
			"profiles": schema.ListNestedAttribute{
				Computed:            true,
				MarkdownDescription: "The profiles.",
				NestedObject:        schema.NestedAttributeObject{Attributes: profileDataAttributes(false)},
			},
		},
	}
}

func (d *connectorProfilesDataSource) Configure(_ context.Context, req datasource.ConfigureRequest, resp *datasource.ConfigureResponse) {
	d.data = providerDataFrom(req.ProviderData, &resp.Diagnostics)
}

func (d *connectorProfilesDataSource) Read(ctx context.Context, req datasource.ReadRequest, resp *datasource.ReadResponse) {
	defer d.data.maskDiagnostics(&resp.Diagnostics)
	var m connectorProfilesModel
	resp.Diagnostics.Append(req.Config.Get(ctx, &m)...)
	if resp.Diagnostics.HasError() || d.data == nil || !d.data.configKnown(&resp.Diagnostics) {
		return
	}
	profiles, err := d.data.client.ConnectorProfiles(ctx, m.Connector.ValueString())
	if err != nil {
		resp.Diagnostics.AddError("Cannot list connector profiles", err.Error())
		return
	}
	if len(profiles) == 0 && m.Connector.ValueString() != "" {
		d.data.warnUnknownConnector(ctx, m.Connector.ValueString(), &resp.Diagnostics)
	}
	objs := make([]attr.Value, 0, len(profiles))
	ids := make([]attr.Value, 0, len(profiles))
	for i := range profiles {
		var pm profileDataModel
		resp.Diagnostics.Append(pm.fromAPI(ctx, &profiles[i], d.data.baseURL)...)
		obj, diags := types.ObjectValueFrom(ctx, profileDataAttrTypes, pm)
		resp.Diagnostics.Append(diags...)
		objs = append(objs, obj)
		ids = append(ids, types.StringValue(profiles[i].ID))
	}
	list, diags := types.ListValue(types.ObjectType{AttrTypes: profileDataAttrTypes}, objs)
	resp.Diagnostics.Append(diags...)
	m.Profiles = list
	m.IDs = types.ListValueMust(types.StringType, ids)
	resp.Diagnostics.Append(resp.State.Set(ctx, &m)...)
}

// warnUnknownConnector explains an empty list filtered by a connector that
// is not in StackOne's catalog, a typo most likely, with the nearest keys.
// It is only a hint: a catalog that cannot be fetched adds nothing. The
// data source and the list resource both give it.
func (d *providerData) warnUnknownConnector(ctx context.Context, connector string, diags *diag.Diagnostics) {
	if d.skipCatalogValidation {
		return
	}
	catalog, err := d.catalogFor(ctx, connector)
	if err != nil {
		return
	}
	if _, problem := catalogcheck.Lookup(catalog, connector); problem != nil {
		diags.AddAttributeWarning(path.Root("connector"), "No profiles of an unknown connector", problem.Detail+" The list is empty.")
	}
}
