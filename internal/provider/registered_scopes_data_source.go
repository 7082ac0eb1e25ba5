package provider

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"

	"github.com/hashicorp/terraform-plugin-framework/datasource"
	"github.com/hashicorp/terraform-plugin-framework/datasource/schema"
	"github.com/hashicorp/terraform-plugin-framework/diag"
	"github.com/hashicorp/terraform-plugin-framework/path"
	"github.com/hashicorp/terraform-plugin-framework/schema/validator"
	"github.com/hashicorp/terraform-plugin-framework/types"

	"github.com/stackonehq/terraform-provider-stackone/internal/oauthprobe"
	"github.com/stackonehq/terraform-provider-stackone/internal/safetext"
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
		MarkdownDescription: "Checks, at plan time, which scopes are registered on the OAuth app behind a connector profile, and that its redirect URI and PKCE setting are right, by sending authorization requests (public ones: never the client secret) and reading the first answers. " +
			"Any scope requested at authorization time must be registered on the app, or users linking an account get an error: this moves that failure to `terraform plan`. " +
			"Each scope is registered, not registered, or cannot be told; an answer that proves neither (a timeout, a body cut short, a gateway forward that changes the request, an unrecognisable page) fails the read with the authorize URL to open by hand, whatever `fail_on_unregistered` says.",
		Attributes: map[string]schema.Attribute{
			"connector": schema.StringAttribute{
				MarkdownDescription: "Connector key, e.g. `zoominfo`. For a connector whose authorization endpoint is documented (`zoominfo`), the default `authorization_endpoint` and PKCE setting come from the provider's table of them.",
				Required:            true,
				Validators:          []validator.String{textValidator{maxLen: 100, noWhitespace: true, pathSegment: true}},
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
				MarkdownDescription: "Redirect URI registered on the app. Defaults to the connector profile's, `{base_url}/connect/oauth2/{connector}/callback` with the provider's `base_url`.",
				Optional:            true,
				Validators:          []validator.String{textValidator{maxLen: 2048, noWhitespace: true}},
			},
			"authorization_endpoint": schema.StringAttribute{
				MarkdownDescription: "Authorization endpoint of the OAuth server. Defaults to the connector's documented endpoint (`zoominfo`: `https://api.zoominfo.com/gtm/oauth/v1/authorize`, ZoomInfo's gateway); required for any other connector. `https://` only, except `http://` to a loopback host. The probe sends a PKCE S256 challenge unless the connector is documented as not using PKCE.",
				Optional:            true,
				Validators:          []validator.String{textValidator{maxLen: 2048, noWhitespace: true}},
			},
			"fail_on_unregistered": schema.BoolAttribute{
				MarkdownDescription: "Fail the plan when a scope is not registered on the app. Defaults to `true`; set `false` to read the result and decide in configuration (for example with a `check` block).",
				Optional:            true,
			},
			"registered_scopes":   schema.SetAttribute{Computed: true, ElementType: types.StringType, MarkdownDescription: "Scopes registered on the app."},
			"unregistered_scopes": schema.SetAttribute{Computed: true, ElementType: types.StringType, MarkdownDescription: "Scopes the app does not have: requesting any of them fails the authorization."},
			"unknown_scopes":      schema.SetAttribute{Computed: true, ElementType: types.StringType, MarkdownDescription: "Scopes whose status could not be determined. Always empty in a successful read: \"cannot tell\" fails the read."},
			"all_registered":      schema.BoolAttribute{Computed: true, MarkdownDescription: "Whether every scope in `scopes` is registered, on positive evidence (the server moved on to sign-in) only."},
		},
	}
}

func (d *registeredScopesDataSource) Configure(_ context.Context, req datasource.ConfigureRequest, resp *datasource.ConfigureResponse) {
	d.data = providerDataFrom(req.ProviderData, &resp.Diagnostics)
}

func (d *registeredScopesDataSource) Read(ctx context.Context, req datasource.ReadRequest, resp *datasource.ReadResponse) {
	defer d.data.maskDiagnostics(&resp.Diagnostics)
	var m registeredScopesModel
	resp.Diagnostics.Append(req.Config.Get(ctx, &m)...)
	if resp.Diagnostics.HasError() || d.data == nil {
		return
	}
	connector := m.Connector.ValueString()
	scopes := setStrings(ctx, m.Scopes, &resp.Diagnostics)
	if resp.Diagnostics.HasError() {
		return
	}

	portal := "the OAuth app's settings"
	if !d.data.skipCatalogValidation {
		// The catalog only confirms the connector exists: the probe talks to
		// the authorization server alone.
		if !d.data.configKnown(&resp.Diagnostics) {
			return
		}
		conn, ok := d.data.lookupConnectorAt(ctx, path.Root("connector"), connector,
			"Fix the cause, or set skip_catalog_validation = true in the provider block to check the app without the catalog.", &resp.Diagnostics)
		if !ok {
			return
		}
		if conn.Name != "" {
			portal = "the " + conn.Name + " app's settings"
		}
	}

	// Where to send the probe: authorization_endpoint, else the documented
	// endpoint of the connector (StackOne's catalog has none).
	known, isKnown := oauthprobe.Known(connector)
	if isKnown {
		portal = known.Portal
	}
	endpoint := m.AuthorizationEndpoint.ValueString()
	if endpoint == "" {
		if !isKnown || known.AuthorizationEndpoint == "" {
			resp.Diagnostics.AddAttributeError(path.Root("authorization_endpoint"), "No known authorization endpoint for this connector",
				fmt.Sprintf("StackOne's catalog does not publish authorization endpoints, and the provider knows the documented one only for %s. Set authorization_endpoint to the authorize URL of connector %q's OAuth server (https://).",
					strings.Join(oauthprobe.KnownConnectors(), ", "), connector))
			return
		}
		endpoint = known.AuthorizationEndpoint
	}
	// PKCE as the connector's apps use it; S256 for a connector the table
	// does not know (the flow this data source exists to check).
	withoutPKCE := isKnown && !known.PKCE

	redirectURI := m.RedirectURI.ValueString()
	if redirectURI == "" {
		// The connector profile's redirect URI.
		if slices.Contains(d.data.unknownConfig, "base_url") && !d.data.configKnown(&resp.Diagnostics) {
			return
		}
		redirectURI = stackone.RedirectURIFor(d.data.baseURL, connector)
	}
	result, err := oauthprobe.Probe(ctx, oauthprobe.Request{
		AuthorizationEndpoint: endpoint, ClientID: m.ClientID.ValueString(), RedirectURI: redirectURI, Scopes: scopes,
		WithoutPKCE: withoutPKCE,
	}, oauthprobe.Options{UserAgent: "terraform-provider-stackone (registered-scopes check)"})
	var inputErr *oauthprobe.InputError
	var cannotTell *oauthprobe.CannotTellError
	switch {
	case errors.As(err, &inputErr):
		resp.Diagnostics.AddAttributeError(path.Root(probeInputAttributes[inputErr.Input]), "Cannot check the OAuth app", inputErr.Message)
		return
	case errors.As(err, &cannotTell):
		// The third verdict: an error whatever fail_on_unregistered says,
		// since a green plan must mean users can link.
		notChecked := ""
		if len(result.Unknown) > 0 {
			notChecked = fmt.Sprintf("\n\nScopes not checked: %s.", strings.Join(quoteAll(result.Unknown), ", "))
		}
		resp.Diagnostics.AddError("Cannot tell whether the scopes are registered",
			fmt.Sprintf("The authorization server at %s gave no answer that shows whether the app %q accepts these scopes and the redirect URI %s: %s.\n\n"+
				"Check by hand: open this URL in a browser (it is public and carries no secret). A sign-in page means everything is registered (do not sign in); an error page, or a redirect to the redirect URI with error=invalid_scope, means something is not:\n\n  %s%s",
				cannotTell.Endpoint, m.ClientID.ValueString(), redirectURI, strings.TrimSuffix(cannotTell.Answer, "."), result.CheckURL, notChecked))
		return
	case err != nil:
		resp.Diagnostics.AddError("Cannot check the OAuth app", fmt.Sprintf("The check of the authorization server at %s did not finish: %s", safetext.URL(endpoint), err))
		return
	}

	if result.Outcome != oauthprobe.OutcomeOK {
		attr, summary, detail := appProblem(result, m.ClientID.ValueString(), redirectURI, portal)
		if attr == "" {
			resp.Diagnostics.AddError(summary, detail)
		} else {
			resp.Diagnostics.AddAttributeError(path.Root(attr), summary, detail)
		}
		return
	}

	failOnUnregistered := m.FailOnUnregistered.IsNull() || m.FailOnUnregistered.ValueBool()
	if len(result.Unregistered) > 0 && failOnUnregistered {
		resp.Diagnostics.AddAttributeError(path.Root("scopes"), "Scopes not registered on the OAuth app",
			fmt.Sprintf("The app %q does not have these scopes: %s. Requesting any of them makes every account link fail. Add them to the app in the %s (the app's scopes), or remove them from scopes. Set fail_on_unregistered = false to read the result without failing.",
				m.ClientID.ValueString(), strings.Join(quoteAll(result.Unregistered), ", "), portal))
		return
	}

	var diags diag.Diagnostics
	m.RegisteredScopes, diags = stringSet(ctx, result.Registered)
	resp.Diagnostics.Append(diags...)
	m.UnregisteredScopes, diags = stringSet(ctx, result.Unregistered)
	resp.Diagnostics.Append(diags...)
	m.UnknownScopes, diags = stringSet(ctx, result.Unknown)
	resp.Diagnostics.Append(diags...)
	// Only positive evidence for every scope makes all_registered true.
	m.AllRegistered = types.BoolValue(len(result.Unregistered) == 0 && len(result.Unknown) == 0 && len(result.Registered) == len(scopesDeduped(scopes)))
	resp.Diagnostics.Append(resp.State.Set(ctx, &m)...)
}

// scopesDeduped is scopes without repeats.
func scopesDeduped(scopes []string) []string {
	out := slices.Clone(scopes)
	slices.Sort(out)
	return slices.Compact(out)
}

// appProblem says what a refusal by the authorization server means for the
// app, on which attribute, and what to change in the developer portal.
func appProblem(result oauthprobe.Result, clientID, redirectURI, portal string) (attr, summary, detail string) {
	switch result.Outcome {
	case oauthprobe.OutcomeUnknownClient:
		return "client_id", "Unknown OAuth client",
			fmt.Sprintf("The authorization server does not know client_id %q (%s). Copy the Client ID of the app from the %s.", clientID, result.ErrorDescription, portal)
	case oauthprobe.OutcomeRedirectURINotRegistered:
		return "redirect_uri", "Redirect URI not registered on the OAuth app",
			fmt.Sprintf("The app %q does not accept the redirect URI %s, so no user can link an account. In the %s, open the app and add exactly\n\n  %s\n\nunder \"Sign-in redirect URIs\".", clientID, redirectURI, portal, redirectURI)
	case oauthprobe.OutcomePKCENotEnabled:
		return "client_id", "PKCE is not enabled on the OAuth app",
			fmt.Sprintf("The app %q refuses PKCE (%s). In the %s, give the app the Authorization Code grant with PKCE.", clientID, result.ErrorDescription, portal)
	case oauthprobe.OutcomeGrantNotEnabled:
		return "client_id", "Authorization Code grant not enabled on the OAuth app",
			fmt.Sprintf("The app %q may not use the Authorization Code grant (%s). In the %s, enable Authorization Code (PKCE) for the app.", clientID, result.ErrorDescription, portal)
	}
	return "", "The OAuth app check failed", fmt.Sprintf("The authorization server answered %s: %s", result.Error, result.ErrorDescription)
}

func quoteAll(in []string) []string {
	out := make([]string, len(in))
	for i, s := range in {
		out[i] = fmt.Sprintf("%q", s)
	}
	return out
}

// probeInputAttributes names the attribute that gave the probe each input it
// can refuse. A redirect URI derived from base_url is still reported on
// redirect_uri, the attribute that would override it.
var probeInputAttributes = map[oauthprobe.Input]string{
	oauthprobe.InputEndpoint: "authorization_endpoint", oauthprobe.InputClientID: "client_id",
	oauthprobe.InputRedirectURI: "redirect_uri", oauthprobe.InputScope: "scopes",
}
