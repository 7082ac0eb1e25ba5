package provider

import (
	"context"
	"errors"
	"fmt"
	"strings"

	"github.com/hashicorp/terraform-plugin-framework/datasource"
	"github.com/hashicorp/terraform-plugin-framework/datasource/schema"
	"github.com/hashicorp/terraform-plugin-framework/diag"
	"github.com/hashicorp/terraform-plugin-framework/path"
	"github.com/hashicorp/terraform-plugin-framework/schema/validator"
	"github.com/hashicorp/terraform-plugin-framework/types"

	"github.com/stackonehq/terraform-provider-stackone/internal/oauthprobe"
	"github.com/stackonehq/terraform-provider-stackone/internal/stackone"
)

var _ datasource.DataSourceWithConfigure = (*registeredScopesDataSource)(nil)

// NewRegisteredScopesDataSource returns the stackone_registered_scopes data source.
func NewRegisteredScopesDataSource() datasource.DataSource { return &registeredScopesDataSource{} }

type registeredScopesDataSource struct{ data *providerData }

type registeredScopesModel struct {
	Connector             types.String `tfsdk:"connector"`
	ClientID              types.String `tfsdk:"client_id"`
	Scopes                types.Set    `tfsdk:"scopes"`
	RedirectURI           types.String `tfsdk:"redirect_uri"`
	AuthorizationEndpoint types.String `tfsdk:"authorization_endpoint"`
	FailOnUnregistered    types.Bool   `tfsdk:"fail_on_unregistered"`
	RegisteredScopes      types.Set    `tfsdk:"registered_scopes"`
	UnregisteredScopes    types.Set    `tfsdk:"unregistered_scopes"`
	UnknownScopes         types.Set    `tfsdk:"unknown_scopes"`
	AllRegistered         types.Bool   `tfsdk:"all_registered"`
}

func (d *registeredScopesDataSource) Metadata(_ context.Context, req datasource.MetadataRequest, resp *datasource.MetadataResponse) {
	resp.TypeName = req.ProviderTypeName + "_registered_scopes"
}

func (d *registeredScopesDataSource) Schema(_ context.Context, _ datasource.SchemaRequest, resp *datasource.SchemaResponse) {
	resp.Schema = schema.Schema{
		MarkdownDescription: "Checks, at plan time, which scopes are registered on the OAuth app behind a connector profile, and that its redirect URI and PKCE setting are right, by sending authorization requests (with a PKCE S256 challenge, never the client secret, following no redirect but a gateway's forward of the request) and reading the answers. " +
			"Any scope requested at authorization time must be registered on the app, or users linking an account get an error: this moves that failure to `terraform plan`.",
		Attributes: map[string]schema.Attribute{
			"connector": schema.StringAttribute{
				MarkdownDescription: "Connector key, e.g. `zoominfo`. Its catalog entry gives the default authorization endpoint and redirect URI.",
				Required:            true,
				Validators:          []validator.String{textValidator{maxLen: 100, noWhitespace: true}},
			},
			"client_id": schema.StringAttribute{
				MarkdownDescription: "Client ID of the OAuth app.",
				Required:            true,
				Validators:          []validator.String{textValidator{maxLen: maxTextLength, noWhitespace: true}},
			},
			"scopes": schema.SetAttribute{
				MarkdownDescription: "Scopes to check. Empty or unset checks only the client id, redirect URI and PKCE setting.",
				ElementType:         types.StringType,
				Optional:            true,
				Validators:          []validator.Set{tokenSetValidator{what: "scope", maxItems: maxListEntries, maxLen: maxTextLength}},
			},
			"redirect_uri": schema.StringAttribute{
				MarkdownDescription: "Redirect URI registered on the app. Defaults to the connector's callback URL from StackOne's catalog (the `redirect_uri` of a profile).",
				Optional:            true,
				Validators:          []validator.String{textValidator{maxLen: 2048, noWhitespace: true}},
			},
			"authorization_endpoint": schema.StringAttribute{
				MarkdownDescription: "Authorization endpoint of the OAuth server. Defaults to the connector's `authorization_url` from StackOne's catalog. `https://` only, except `http://` to a loopback host.",
				Optional:            true,
				Validators:          []validator.String{textValidator{maxLen: 2048, noWhitespace: true}},
			},
			"fail_on_unregistered": schema.BoolAttribute{
				MarkdownDescription: "Fail the plan when a scope is not registered on the app. Defaults to `true`; set `false` to read the result and decide in configuration (for example with a `check` block).",
				Optional:            true,
			},
			"registered_scopes":   schema.SetAttribute{Computed: true, ElementType: types.StringType, MarkdownDescription: "Scopes registered on the app."},
			"unregistered_scopes": schema.SetAttribute{Computed: true, ElementType: types.StringType, MarkdownDescription: "Scopes the app does not have: requesting any of them fails the authorization."},
			"unknown_scopes":      schema.SetAttribute{Computed: true, ElementType: types.StringType, MarkdownDescription: "Scopes whose status could not be determined."},
			"all_registered":      schema.BoolAttribute{Computed: true, MarkdownDescription: "Whether every scope in `scopes` is registered."},
		},
	}
}

func (d *registeredScopesDataSource) Configure(_ context.Context, req datasource.ConfigureRequest, resp *datasource.ConfigureResponse) {
	d.data = providerDataFrom(req.ProviderData, &resp.Diagnostics)
}

func (d *registeredScopesDataSource) Read(ctx context.Context, req datasource.ReadRequest, resp *datasource.ReadResponse) {
	var m registeredScopesModel
	resp.Diagnostics.Append(req.Config.Get(ctx, &m)...)
	if resp.Diagnostics.HasError() || d.data == nil {
		return
	}
	connector := m.Connector.ValueString()
	scopes := setStrings(ctx, m.Scopes, &resp.Diagnostics)

	endpoint, redirectURI, portal := m.AuthorizationEndpoint.ValueString(), m.RedirectURI.ValueString(), "the OAuth app's settings"
	withoutPKCE := false
	if endpoint == "" || redirectURI == "" || !d.data.skipCatalogValidation {
		// Only the catalog needs StackOne: the probe talks to the
		// authorization server alone.
		if !d.data.configKnown(&resp.Diagnostics) {
			return
		}
		conn, ok := d.data.lookupConnectorAt(ctx, path.Root("connector"), connector,
			"Fix the cause, or set authorization_endpoint and redirect_uri here and skip_catalog_validation = true in the provider block to probe without the catalog.", &resp.Diagnostics)
		if !ok {
			return
		}
		portal = conn.Name + " Developer Portal"
		if endpoint == "" {
			resp.Diagnostics.AddAttributeError(path.Root("authorization_endpoint"), "No authorization endpoint",
				fmt.Sprintf("StackOne's catalog publishes no OAuth authorization URL for connector %q: set authorization_endpoint.", connector))
			return
		}
	}
	if redirectURI == "" {
		redirectURI = stackone.RedirectURIFor(d.data.baseURL, connector)
	}

	result, err := oauthprobe.Probe(ctx, oauthprobe.Request{
		AuthorizationEndpoint: endpoint, ClientID: m.ClientID.ValueString(), RedirectURI: redirectURI, Scopes: scopes,
		WithoutPKCE: withoutPKCE,
	}, oauthprobe.Options{UserAgent: "terraform-provider-stackone (registered-scopes check)"})
	var inputErr *oauthprobe.InputError
	switch {
	case errors.As(err, &inputErr):
		resp.Diagnostics.AddAttributeError(path.Root(inputErr.Field), "Cannot check the OAuth app", inputErr.Message)
		return
	case err != nil:
		resp.Diagnostics.AddError("Cannot check the OAuth app", fmt.Sprintf("The authorization server at %s did not answer usably: %s", endpoint, err))
		return
	}

	clientID := m.ClientID.ValueString()
	switch result.Outcome {
	case oauthprobe.OutcomeOK:
	case oauthprobe.OutcomeUnknownClient:
		resp.Diagnostics.AddAttributeError(path.Root("client_id"), "Unknown OAuth client",
			fmt.Sprintf("The authorization server does not know client_id %q (%s). Copy the Client ID of the app from the %s.", clientID, result.ErrorDescription, portal))
		return
	case oauthprobe.OutcomeRedirectURINotRegistered:
		resp.Diagnostics.AddAttributeError(path.Root("redirect_uri"), "Redirect URI not registered on the OAuth app",
			fmt.Sprintf("The app %q does not accept the redirect URI %s, so no user can link an account. In the %s, open the app and add exactly\n\n  %s\n\nunder \"Sign-in redirect URIs\".", clientID, redirectURI, portal, redirectURI))
		return
	case oauthprobe.OutcomePKCENotEnabled:
		resp.Diagnostics.AddAttributeError(path.Root("client_id"), "PKCE is not enabled on the OAuth app",
			fmt.Sprintf("The app %q refuses PKCE (%s). In the %s, give the app the Authorization Code grant with PKCE.", clientID, result.ErrorDescription, portal))
		return
	case oauthprobe.OutcomeGrantNotEnabled:
		resp.Diagnostics.AddAttributeError(path.Root("client_id"), "Authorization Code grant not enabled on the OAuth app",
			fmt.Sprintf("The app %q may not use the Authorization Code grant (%s). In the %s, enable Authorization Code (PKCE) for the app.", clientID, result.ErrorDescription, portal))
		return
	default:
		resp.Diagnostics.AddError("The OAuth app check failed",
			fmt.Sprintf("The authorization server answered %s: %s", result.Error, result.ErrorDescription))
		return
	}

	failOnUnregistered := m.FailOnUnregistered.IsNull() || m.FailOnUnregistered.ValueBool()
	if len(result.Unregistered) > 0 && failOnUnregistered {
		resp.Diagnostics.AddAttributeError(path.Root("scopes"), "Scopes not registered on the OAuth app",
			fmt.Sprintf("The app %q does not have these scopes: %s. Requesting any of them makes every account link fail. Add them to the app in the %s (the app's scopes), or remove them from scopes. Set fail_on_unregistered = false to read the result without failing.",
				clientID, strings.Join(quoteAll(result.Unregistered), ", "), portal))
		return
	}

	var diags diag.Diagnostics
	m.RegisteredScopes, diags = stringSet(ctx, result.Registered)
	resp.Diagnostics.Append(diags...)
	m.UnregisteredScopes, diags = stringSet(ctx, result.Unregistered)
	resp.Diagnostics.Append(diags...)
	m.UnknownScopes, diags = stringSet(ctx, result.Unknown)
	resp.Diagnostics.Append(diags...)
	m.AllRegistered = types.BoolValue(len(result.Unregistered) == 0 && len(result.Unknown) == 0)
	resp.Diagnostics.Append(resp.State.Set(ctx, &m)...)
}

func quoteAll(in []string) []string {
	out := make([]string, len(in))
	for i, s := range in {
		out[i] = fmt.Sprintf("%q", s)
	}
	return out
}
