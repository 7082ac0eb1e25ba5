package provider

import (
	"context"

	"github.com/hashicorp/terraform-plugin-framework/attr"
	"github.com/hashicorp/terraform-plugin-framework/datasource"
	"github.com/hashicorp/terraform-plugin-framework/datasource/schema"
	"github.com/hashicorp/terraform-plugin-framework/schema/validator"
	"github.com/hashicorp/terraform-plugin-framework/types"
)

var _ datasource.DataSourceWithConfigure = (*connectorProfileVersionsDataSource)(nil)

// NewConnectorProfileVersionsDataSource returns the stackone_connector_profile_versions data source.
func NewConnectorProfileVersionsDataSource() datasource.DataSource {
	return &connectorProfileVersionsDataSource{}
}

type connectorProfileVersionsDataSource struct{ data *providerData }

type connectorProfileVersionsModel struct {
	ConnectorProfileID types.String `tfsdk:"connector_profile_id"`
	Versions           types.List   `tfsdk:"versions"`
}

type connectorVersionModel struct {
	Version types.String `tfsdk:"version"`
	Owner   types.String `tfsdk:"owner"`
	Builtin types.Bool   `tfsdk:"builtin"`
	Pinned  types.Bool   `tfsdk:"pinned"`
}

var connectorVersionAttrTypes = map[string]attr.Type{
	"version": types.StringType, "owner": types.StringType, "builtin": types.BoolType, "pinned": types.BoolType,
}

func (d *connectorProfileVersionsDataSource) Metadata(_ context.Context, req datasource.MetadataRequest, resp *datasource.MetadataResponse) {
	resp.TypeName = req.ProviderTypeName + "_connector_profile_versions"
}

func (d *connectorProfileVersionsDataSource) Schema(_ context.Context, _ datasource.SchemaRequest, resp *datasource.SchemaResponse) {
	resp.Schema = schema.Schema{
		MarkdownDescription: "The connector versions a connector profile can be pinned to (with `stackone_connector_profile_pinned_version`), in StackOne's order, and which one is pinned.",
		Attributes: map[string]schema.Attribute{
			"connector_profile_id": schema.StringAttribute{
				MarkdownDescription: "Id of the connector profile.",
				Required:            true,
				Validators:          []validator.String{profileIDValidator{}},
			},
			"versions": schema.ListNestedAttribute{
				Computed:            true,
				MarkdownDescription: "The versions.",
				NestedObject: schema.NestedAttributeObject{Attributes: map[string]schema.Attribute{
					"version": schema.StringAttribute{Computed: true, MarkdownDescription: "Version, e.g. `1.5.0`."},
					"owner":   schema.StringAttribute{Computed: true, MarkdownDescription: "Who publishes it (`stackone` for StackOne's own)."},
					"builtin": schema.BoolAttribute{Computed: true, MarkdownDescription: "Whether it is one of StackOne's builtin versions."},
					"pinned":  schema.BoolAttribute{Computed: true, MarkdownDescription: "Whether StackOne marks it as the version currently pinned (with a range such as `1.x.x` pinned, the sandbox marks the version the range selects)."},
				}},
			},
		},
	}
}

func (d *connectorProfileVersionsDataSource) Configure(_ context.Context, req datasource.ConfigureRequest, resp *datasource.ConfigureResponse) {
	d.data = providerDataFrom(req.ProviderData, &resp.Diagnostics)
}

func (d *connectorProfileVersionsDataSource) Read(ctx context.Context, req datasource.ReadRequest, resp *datasource.ReadResponse) {
	defer d.data.maskDiagnostics(&resp.Diagnostics)
	var m connectorProfileVersionsModel
	resp.Diagnostics.Append(req.Config.Get(ctx, &m)...)
	if resp.Diagnostics.HasError() || d.data == nil || !d.data.configKnown(&resp.Diagnostics) {
		return
	}
	profileID := m.ConnectorProfileID.ValueString()
	versions, err := listVersions(ctx, d.data.client, profileID)
	if err != nil {
		addVersionsError(&resp.Diagnostics, profileID, err)
		return
	}
	objs := make([]attr.Value, 0, len(versions))
	for _, v := range versions {
		obj, diags := types.ObjectValueFrom(ctx, connectorVersionAttrTypes, connectorVersionModel{
			Version: types.StringValue(v.Version), Owner: types.StringValue(v.Owner),
			Builtin: types.BoolValue(v.Builtin), Pinned: types.BoolValue(v.Pinned),
		})
		resp.Diagnostics.Append(diags...)
		objs = append(objs, obj)
	}
	list, diags := types.ListValue(types.ObjectType{AttrTypes: connectorVersionAttrTypes}, objs)
	resp.Diagnostics.Append(diags...)
	m.Versions = list
	resp.Diagnostics.Append(resp.State.Set(ctx, &m)...)
}
