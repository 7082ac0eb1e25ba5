// Package provider maps Terraform configuration onto the StackOne API client.
// It holds schemas, plan modifiers, validators and diagnostics; HTTP lives in
// internal/stackone and PKCE in internal/pkce.
package provider

import (
	"context"
	"errors"
	"fmt"
	"os"
	"slices"
	"strings"
	"sync"

	"github.com/hashicorp/terraform-plugin-framework-validators/int64validator"
	"github.com/hashicorp/terraform-plugin-framework/action"
	"github.com/hashicorp/terraform-plugin-framework/datasource"
	"github.com/hashicorp/terraform-plugin-framework/diag"
	"github.com/hashicorp/terraform-plugin-framework/ephemeral"
	"github.com/hashicorp/terraform-plugin-framework/function"
	"github.com/hashicorp/terraform-plugin-framework/list"
	"github.com/hashicorp/terraform-plugin-framework/path"
	"github.com/hashicorp/terraform-plugin-framework/provider"
	"github.com/hashicorp/terraform-plugin-framework/provider/schema"
	"github.com/hashicorp/terraform-plugin-framework/resource"
	"github.com/hashicorp/terraform-plugin-framework/schema/validator"
	"github.com/hashicorp/terraform-plugin-framework/types"

	"github.com/stackonehq/terraform-provider-stackone/internal/stackone"
)

// Environment variables read when the matching provider attribute is not set.
const (
	EnvAPIKey  = "STACKONE_API_KEY"
	EnvBaseURL = "STACKONE_BASE_URL"
)

var (
	_ provider.Provider                       = (*StackOneProvider)(nil)
	_ provider.ProviderWithFunctions          = (*StackOneProvider)(nil)
	_ provider.ProviderWithEphemeralResources = (*StackOneProvider)(nil)
	_ provider.ProviderWithActions            = (*StackOneProvider)(nil)
	_ provider.ProviderWithListResources      = (*StackOneProvider)(nil)
)

// StackOneProvider is the stackone provider.
type StackOneProvider struct {
	version string
}

// New returns a constructor of the provider, as providerserver wants it.
func New(version string) func() provider.Provider {
	return func() provider.Provider {
		return &StackOneProvider{version: version}
	}
}

type providerModel struct {
	APIKey                types.String `tfsdk:"api_key"`
	BaseURL               types.String `tfsdk:"base_url"`
	MaxRetries            types.Int64  `tfsdk:"max_retries"`
	RequestTimeout        types.String `tfsdk:"request_timeout"`
	MaxRequestsPerMinute  types.Int64  `tfsdk:"max_requests_per_minute"`
	SkipCatalogValidation types.Bool   `tfsdk:"skip_catalog_validation"`
}

// Metadata names the provider.
func (p *StackOneProvider) Metadata(_ context.Context, _ provider.MetadataRequest, resp *provider.MetadataResponse) {
	resp.TypeName = "stackone"
	resp.Version = p.version
}

// Schema describes the provider block.
func (p *StackOneProvider) Schema(_ context.Context, _ provider.SchemaRequest, resp *provider.SchemaResponse) {
	resp.Schema = schema.Schema{
		MarkdownDescription: "Manage StackOne connector profiles (for example ZoomInfo with OAuth 2.0 Authorization Code + PKCE) and check the OAuth app behind them.",
		Attributes: map[string]schema.Attribute{
			"api_key": schema.StringAttribute{
				MarkdownDescription: "StackOne API key with the Platform API scope (StackOne dashboard → API Keys), sent as HTTP Basic credentials. Defaults to the `" + EnvAPIKey + "` environment variable; one of the two is required. Prefer the variable: a value set here is written into saved plan files.",
				Optional:            true,
				Sensitive:           true,
			},
			"base_url": schema.StringAttribute{
				MarkdownDescription: "StackOne API base URL. Defaults to the `" + EnvBaseURL + "` environment variable, then `" + stackone.DefaultBaseURL + "`. Must be `https://`, except `http://` to a loopback host (a local sandbox).",
				Optional:            true,
			},
			"max_retries": schema.Int64Attribute{
				MarkdownDescription: fmt.Sprintf("How many times a request is retried after a timeout (408), server error (5xx) or dropped connection, with exponential backoff and jitter, honouring `Retry-After`. A rate limit (429) is retried apart, up to 20 times per request while the whole provider slows down; `0` turns every retry off, 429s included. A create carries an `Idempotency-Key`, so a retry never creates a second profile. Defaults to %d.", stackone.DefaultMaxRetries),
				Optional:            true,
				Validators:          []validator.Int64{int64validator.Between(0, stackone.MaxRetriesLimit)},
			},
			"request_timeout": schema.StringAttribute{
				MarkdownDescription: fmt.Sprintf("Time limit of one HTTP attempt, as a Go duration (`30s`, `2m`). Defaults to `%s`.", stackone.DefaultRequestTimeout),
				Optional:            true,
				Validators:          []validator.String{durationValidator{}},
			},
			"max_requests_per_minute": schema.Int64Attribute{
				MarkdownDescription: fmt.Sprintf("Client-side limit on requests per minute, shared by every resource of this provider and counted, as StackOne counts its own, in a sliding 60-second window, so that a large configuration does not trip the server's limit. StackOne allows %d per API key. Defaults to %d.", stackone.DefaultRequestsPerMinute, stackone.DefaultRequestsPerMinute),
				Optional:            true,
				Validators:          []validator.Int64{int64validator.Between(1, stackone.RequestsPerMinuteLimit)},
			},
			"skip_catalog_validation": schema.BoolAttribute{
				MarkdownDescription: "Skip the plan-time check of connectors, auth types, scopes and actions against StackOne's catalog (`GET /actions`, fetched once per run). StackOne still checks them on apply. Defaults to `false`.",
				Optional:            true,
			},
		},
	}
}

// providerData is what resources and data sources receive from Configure.
type providerData struct {
	client                *stackone.Client
	catalog               *catalogCache
	baseURL               string
	skipCatalogValidation bool
	// unknownConfig names the provider attributes not known until apply
	// (they come from resources not yet created). Then there is no client:
	// a plan that only creates profiles needs none, and anything that must
	// call StackOne during the plan says which attribute it waits for.
	unknownConfig []string

	// goneProfiles are the connector profiles (by connector and name) a
	// refresh in this process found deleted outside Terraform: a create
	// planned for one of them right after may be the refresh Terraform runs
	// before a destroy, which must not fail (see checkWritesAtPlan).
	goneMu       sync.Mutex
	goneProfiles map[[2]string]bool
}

// noteProfileGone records that a refresh found the profile deleted.
func (d *providerData) noteProfileGone(connector, name string) {
	d.goneMu.Lock()
	defer d.goneMu.Unlock()
	if d.goneProfiles == nil {
		d.goneProfiles = map[[2]string]bool{}
	}
	d.goneProfiles[[2]string{connector, name}] = true
}

// profileWasGone reports whether a refresh in this process found the
// profile with this connector and name deleted.
func (d *providerData) profileWasGone(connector, name string) bool {
	d.goneMu.Lock()
	defer d.goneMu.Unlock()
	return d.goneProfiles[[2]string{connector, name}]
}

// maskDiagnostics passes every diagnostic's summary and detail through the
// client's masker, so that a secret the process learnt after an error was
// built (another resource's client secret) is masked too: one rule for
// every message built from server values. Deferred by each operation.
func (d *providerData) maskDiagnostics(diags *diag.Diagnostics) {
	if d == nil || d.client == nil || len(*diags) == 0 {
		return
	}
	out := make(diag.Diagnostics, 0, len(*diags))
	for _, dg := range *diags {
		summary, detail := d.client.Mask(dg.Summary()), d.client.Mask(dg.Detail())
		if summary == dg.Summary() && detail == dg.Detail() {
			out = append(out, dg)
			continue
		}
		withPath, hasPath := dg.(diag.DiagnosticWithPath)
		switch {
		case hasPath && dg.Severity() == diag.SeverityError:
			out.AddAttributeError(withPath.Path(), summary, detail)
		case hasPath:
			out.AddAttributeWarning(withPath.Path(), summary, detail)
		case dg.Severity() == diag.SeverityError:
			out.AddError(summary, detail)
		default:
			out.AddWarning(summary, detail)
		}
	}
	*diags = out
}

// rememberSecrets hands the client secrets this process holds (from
// configuration or state) to the client's masker, for every later answer.
func (d *providerData) rememberSecrets(secrets ...types.String) {
	if d == nil || d.client == nil {
		return
	}
	for _, s := range secrets {
		if !s.IsNull() && !s.IsUnknown() {
			d.client.RememberSecrets(s.ValueString())
		}
	}
}

// configKnown reports whether the provider's configuration is known, so that
// StackOne can be called; otherwise it adds an error that says which
// attributes wait for an apply and what to do.
func (d *providerData) configKnown(diags *diag.Diagnostics) bool {
	if len(d.unknownConfig) == 0 {
		return true
	}
	diags.AddError("Provider configuration not known at plan time",
		fmt.Sprintf("The stackone provider's %s depends on something not yet applied, so the provider cannot call StackOne during this plan "+
			"(to refresh existing connector profiles or to read data sources). Set it from a variable or the environment, "+
			"or apply what it depends on first (terraform apply -target=...).", strings.Join(d.unknownConfig, ", ")))
	return false
}

// Configure builds the API client from the provider block and the environment.
func (p *StackOneProvider) Configure(ctx context.Context, req provider.ConfigureRequest, resp *provider.ConfigureResponse) {
	var cfg providerModel
	resp.Diagnostics.Append(req.Config.Get(ctx, &cfg)...)
	if resp.Diagnostics.HasError() {
		return
	}

	var unknown []string
	for name, v := range map[string]interface{ IsUnknown() bool }{
		"api_key": cfg.APIKey, "base_url": cfg.BaseURL, "max_retries": cfg.MaxRetries,
		"request_timeout": cfg.RequestTimeout, "max_requests_per_minute": cfg.MaxRequestsPerMinute,
		"skip_catalog_validation": cfg.SkipCatalogValidation,
	} {
		if v.IsUnknown() {
			unknown = append(unknown, name)
		}
	}
	if len(unknown) > 0 {
		// Terraform configures the provider again, with known values, for the
		// apply. Until then, a plan that only creates profiles can go on.
		if req.ClientCapabilities.DeferralAllowed {
			resp.Deferred = &provider.Deferred{Reason: provider.DeferredReasonProviderConfigUnknown}
			return
		}
		slices.Sort(unknown)
		// A known skip_catalog_validation still says whether apply checks.
		data := &providerData{unknownConfig: unknown, skipCatalogValidation: cfg.SkipCatalogValidation.ValueBool()}
		resp.ResourceData = data
		resp.DataSourceData = data
		resp.EphemeralResourceData = data
		resp.ActionData = data
		resp.ListResourceData = data
		return
	}

	// The client owns the settings' defaults and rules; this maps the
	// provider block (and the environment) onto them, once.
	settings := stackone.Config{
		APIKey:            stringOr(cfg.APIKey, os.Getenv(EnvAPIKey)),
		BaseURL:           stringOr(cfg.BaseURL, os.Getenv(EnvBaseURL)),
		UserAgent:         fmt.Sprintf("terraform-provider-stackone/%s (+https://github.com/stackonehq/terraform-provider-stackone)", p.version),
		RequestsPerMinute: int(cfg.MaxRequestsPerMinute.ValueInt64()), // null: 0, the default
	}
	if req.TerraformVersion != "" {
		settings.UserAgent += " terraform/" + req.TerraformVersion
	}
	if !cfg.MaxRetries.IsNull() {
		n := int(cfg.MaxRetries.ValueInt64())
		settings.MaxRetries = &n
	}
	if !cfg.RequestTimeout.IsNull() {
		// The schema's validator has refused anything else.
		settings.RequestTimeout, _ = positiveDuration(cfg.RequestTimeout.ValueString())
	}
	settings.Logger = tflogRequestLogger{secrets: []string{strings.TrimSpace(settings.APIKey)}}
	client, err := stackone.New(settings)
	if err != nil {
		addConfigError(&resp.Diagnostics, err)
		return
	}

	data := &providerData{
		client:                client,
		catalog:               newCatalogCache(client),
		baseURL:               client.BaseURL(),
		skipCatalogValidation: cfg.SkipCatalogValidation.ValueBool(),
	}
	resp.ResourceData = data
	resp.DataSourceData = data
	resp.EphemeralResourceData = data
	resp.ActionData = data
	resp.ListResourceData = data
}

// settingAttributes names the provider attribute behind each client setting.
var settingAttributes = map[stackone.Setting]string{
	stackone.SettingAPIKey:            "api_key",
	stackone.SettingBaseURL:           "base_url",
	stackone.SettingMaxRetries:        "max_retries",
	stackone.SettingRequestTimeout:    "request_timeout",
	stackone.SettingRequestsPerMinute: "max_requests_per_minute",
}

// addConfigError reports each setting the client refused on the attribute it
// came from, saying where else the value may have come from.
func addConfigError(diags *diag.Diagnostics, err error) {
	if joined, ok := err.(interface{ Unwrap() []error }); ok {
		for _, e := range joined.Unwrap() {
			addConfigError(diags, e)
		}
		return
	}
	var ce *stackone.ConfigError
	attr, known := "", false
	if errors.As(err, &ce) {
		attr, known = settingAttributes[ce.Setting]
	}
	if !known {
		diags.AddError("Cannot create the StackOne client", err.Error())
		return
	}
	switch ce.Setting {
	case stackone.SettingAPIKey:
		if ce.Missing {
			diags.AddAttributeError(path.Root(attr), "Missing StackOne API key",
				"Set the provider attribute \"api_key\" or the environment variable "+EnvAPIKey+" to a StackOne API key with the Platform API scope (StackOne dashboard → API Keys).")
			return
		}
		diags.AddAttributeError(path.Root(attr), "Malformed StackOne API key", fmt.Sprintf("api_key (or %s) %s.", EnvAPIKey, ce.Problem))
	case stackone.SettingBaseURL:
		// The problem quotes the URL as safetext.URL does.
		diags.AddAttributeError(path.Root(attr), "Invalid StackOne base URL", fmt.Sprintf("base_url (or %s) %s", EnvBaseURL, ce.Problem))
	default:
		diags.AddAttributeError(path.Root(attr), "Invalid provider setting", fmt.Sprintf("%s %s.", attr, ce.Problem))
	}
}

// Resources lists the provider's resources.
func (p *StackOneProvider) Resources(_ context.Context) []func() resource.Resource {
	return []func() resource.Resource{
		NewConnectorProfileResource,
		NewPinnedVersionResource,
	}
}

// DataSources lists the provider's data sources.
func (p *StackOneProvider) DataSources(_ context.Context) []func() datasource.DataSource {
	return []func() datasource.DataSource{
		NewAccountDataSource,
		NewAccountsDataSource,
		NewConnectorDataSource,
		NewConnectorProfileDataSource,
		NewConnectorProfileVersionsDataSource,
		NewConnectorProfilesDataSource,
		NewRegisteredScopesDataSource,
	}
}

// ListResources lists the provider's list resources (terraform query).
func (p *StackOneProvider) ListResources(_ context.Context) []func() list.ListResource {
	return []func() list.ListResource{NewConnectorProfileListResource}
}

// Functions lists the provider's functions.
func (p *StackOneProvider) Functions(_ context.Context) []func() function.Function {
	return []func() function.Function{NewPKCEChallengeFunction}
}

// EphemeralResources lists the provider's ephemeral resources.
func (p *StackOneProvider) EphemeralResources(_ context.Context) []func() ephemeral.EphemeralResource {
	return []func() ephemeral.EphemeralResource{NewPKCEEphemeralResource}
}

// Actions lists the provider's actions (Terraform 1.14 and later).
func (p *StackOneProvider) Actions(_ context.Context) []func() action.Action {
	return []func() action.Action{NewConnectLinkAction}
}

// stringOr is v, or fallback when v is unset; a blank value counts as unset
// (base_url = var.x with a "" default must not send the key to production).
func stringOr(v types.String, fallback string) string {
	if v.IsNull() || v.IsUnknown() || strings.TrimSpace(v.ValueString()) == "" {
		return fallback
	}
	return v.ValueString()
}

// providerDataFrom converts the value Configure handed over, reporting a
// provider bug rather than panicking when it has the wrong type.
func providerDataFrom(raw any, diags interface{ AddError(string, string) }) *providerData {
	if raw == nil {
		return nil // provider not configured yet (validation before Configure)
	}
	data, ok := raw.(*providerData)
	if !ok {
		diags.AddError("Unexpected provider data", fmt.Sprintf("Expected *providerData, got %T. This is a bug in the stackone provider: please report it.", raw))
		return nil
	}
	return data
}
