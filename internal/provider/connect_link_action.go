package provider

import (
	"context"
	"errors"
	"fmt"
	"net/url"
	"strings"
	"time"

	"github.com/hashicorp/terraform-plugin-framework/action"
	"github.com/hashicorp/terraform-plugin-framework/action/schema"
	"github.com/hashicorp/terraform-plugin-framework/diag"
	"github.com/hashicorp/terraform-plugin-framework/path"
	"github.com/hashicorp/terraform-plugin-framework/schema/validator"
	"github.com/hashicorp/terraform-plugin-framework/types"
	"github.com/hashicorp/terraform-plugin-log/tflog"

	"github.com/stackonehq/terraform-provider-stackone/internal/safetext"
	"github.com/stackonehq/terraform-provider-stackone/internal/stackone"
)

var (
	_ action.ActionWithConfigure      = (*connectLinkAction)(nil)
	_ action.ActionWithValidateConfig = (*connectLinkAction)(nil)
)

// NewConnectLinkAction returns the stackone_connect_link action.
func NewConnectLinkAction() action.Action { return &connectLinkAction{} }

// connectLinkAction starts linking an account to a connector profile, as an
// application embedding StackOne's Hub does: it creates a connect session and
// shows its auth link, the one thing the person linking must open. With wait,
// it then follows the session until an account is linked, the attempt fails,
// or time runs out.
//
// The auth link carries the session token, so it is a secret the user must
// see: it goes to Terraform only as a progress message, which Terraform shows
// and does not log (an action has no state). It is never logged by the
// provider nor put in a diagnostic, which Terraform's and the SDK's logs
// record.
type connectLinkAction struct {
	data *providerData
}

type connectLinkModel struct {
	ConnectorProfileID types.String `tfsdk:"connector_profile_id"`
	OriginOwnerID      types.String `tfsdk:"origin_owner_id"`
	OriginOwnerName    types.String `tfsdk:"origin_owner_name"`
	Label              types.String `tfsdk:"label"`
	ExpiresIn          types.String `tfsdk:"expires_in"`
	Wait               types.String `tfsdk:"wait"`
}

var (
	pathConnectorProfileID = path.Root("connector_profile_id")
	pathExpiresIn          = path.Root("expires_in")
	pathWait               = path.Root("wait")
)

// Metadata names the action.
func (a *connectLinkAction) Metadata(_ context.Context, req action.MetadataRequest, resp *action.MetadataResponse) {
	resp.TypeName = req.ProviderTypeName + "_connect_link"
}

// Schema describes the action block's config.
func (a *connectLinkAction) Schema(_ context.Context, _ action.SchemaRequest, resp *action.SchemaResponse) {
	text := []validator.String{textValidator{maxLen: maxTextLength}}
	resp.Schema = schema.Schema{
		MarkdownDescription: "Starts linking an account to a connector profile: creates a StackOne connect session (`POST /connect_sessions`) and shows its auth link, which the person linking opens to sign in with the connector. " +
			"With `wait`, follows the session until the account is linked (its id is shown), the sign-in fails (the OAuth error is reported) or the time is up. Terraform 1.14 and later.",
		Attributes: map[string]schema.Attribute{
			"connector_profile_id": schema.StringAttribute{
				MarkdownDescription: "The connector profile to link an account to, for example `stackone_connector_profile.zoominfo.id`.",
				Required:            true,
				Validators:          []validator.String{profileIDValidator{}},
			},
			"origin_owner_id": schema.StringAttribute{
				MarkdownDescription: "Your id for the customer or user who owns the linked account (StackOne's `origin_owner_id`). Linking again with the same owner and connector updates that owner's account.",
				Required:            true,
				Validators:          text,
			},
			"origin_owner_name": schema.StringAttribute{
				MarkdownDescription: "A readable name for that owner (StackOne's `origin_owner_name`).",
				Required:            true,
				Validators:          text,
			},
			"label": schema.StringAttribute{
				MarkdownDescription: "A label for the linked account.",
				Optional:            true,
				Validators:          text,
			},
			"expires_in": schema.StringAttribute{
				MarkdownDescription: "How long the auth link stays valid, as a Go duration in whole seconds (`30m`, `1h`). Defaults to StackOne's default (10 minutes on the sandbox).",
				Optional:            true,
				Validators:          []validator.String{durationValidator{wholeSeconds: true}},
			},
			"wait": schema.StringAttribute{
				MarkdownDescription: "How long to wait for the account to be linked, as a Go duration (`5m`). Unset: the action shows the link and ends at once. " +
					"Set: it ends when the account is linked, fails with the OAuth error when the sign-in fails or is refused, and fails when the time is up or the link has expired.",
				Optional:   true,
				Validators: []validator.String{durationValidator{}},
			},
		},
	}
}

// Configure keeps the provider's client.
func (a *connectLinkAction) Configure(_ context.Context, req action.ConfigureRequest, resp *action.ConfigureResponse) {
	a.data = providerDataFrom(req.ProviderData, &resp.Diagnostics)
}

// ValidateConfig warns about a wait that outlives the link.
func (a *connectLinkAction) ValidateConfig(ctx context.Context, req action.ValidateConfigRequest, resp *action.ValidateConfigResponse) {
	var m connectLinkModel
	resp.Diagnostics.Append(req.Config.Get(ctx, &m)...)
	if resp.Diagnostics.HasError() || m.Wait.IsNull() || m.Wait.IsUnknown() || m.ExpiresIn.IsNull() || m.ExpiresIn.IsUnknown() {
		return
	}
	wait, okWait := positiveDuration(m.Wait.ValueString())
	expires, okExpires := positiveDuration(m.ExpiresIn.ValueString())
	if okWait && okExpires && wait > expires {
		resp.Diagnostics.AddAttributeWarning(pathWait, "wait is longer than the link lives",
			fmt.Sprintf("wait is %s but the link expires after %s (expires_in): the action stops waiting when the link expires. Lengthen expires_in or shorten wait.", wait, expires))
	}
}

// Invoke creates the connect session, shows its auth link and, with wait,
// follows it to an outcome.
func (a *connectLinkAction) Invoke(ctx context.Context, req action.InvokeRequest, resp *action.InvokeResponse) {
	defer a.data.maskDiagnostics(&resp.Diagnostics)
	var m connectLinkModel
	resp.Diagnostics.Append(req.Config.Get(ctx, &m)...)
	if resp.Diagnostics.HasError() {
		return
	}
	if a.data == nil {
		resp.Diagnostics.AddError("Provider not configured", "The stackone provider was not configured before the action ran. This is a bug in the stackone provider: please report it.")
		return
	}
	if !a.data.configKnown(&resp.Diagnostics) {
		return
	}
	// The validators have refused anything else.
	expiresIn, _ := positiveDuration(m.ExpiresIn.ValueString())
	wait, _ := positiveDuration(m.Wait.ValueString())

	profileID := m.ConnectorProfileID.ValueString()
	sess, err := a.data.client.CreateConnectSession(ctx, stackone.ConnectSessionRequest{
		OriginOwnerID:      m.OriginOwnerID.ValueString(),
		OriginOwnerName:    m.OriginOwnerName.ValueString(),
		ConnectorProfileID: profileID,
		Label:              m.Label.ValueString(),
		ExpiresIn:          int(expiresIn / time.Second),
	})
	if err != nil {
		addSessionCreateError(&resp.Diagnostics, profileID, err)
		return
	}
	created := time.Now()
	link, problem := checkAuthLink(sess.AuthLinkURL)
	if problem != "" {
		resp.Diagnostics.AddError("StackOne answered with an unusable auth link",
			fmt.Sprintf("StackOne created connect session %s for connector profile %q but its auth_link_url %s. Nothing was linked; the session expires unused.", sess.ID, profileID, problem))
		return
	}
	tflog.Debug(ctx, "connect session created", map[string]any{"session_id": string(sess.ID), "connector_profile_id": profileID})

	expiry := ""
	if expiresIn > 0 {
		expiry = fmt.Sprintf(", valid for %s until %s", expiresIn, created.Add(expiresIn).UTC().Format(time.RFC3339))
	}
	sendProgress(ctx, resp, fmt.Sprintf("Open this link to link an account of %q to connector profile %s (connect session %s%s): %s",
		m.OriginOwnerName.ValueString(), profileID, sess.ID, expiry, link))
	if wait == 0 {
		return
	}

	until := created.Add(wait)
	if expiresIn > 0 && created.Add(expiresIn).Before(until) {
		until = created.Add(expiresIn)
	}
	sendProgress(ctx, resp, fmt.Sprintf("Waiting up to %s for the account to be linked.", until.Sub(created).Round(time.Second)))
	attempt, err := a.data.client.AwaitConnectSession(ctx, sess.ID, stackone.AwaitOptions{
		Until: until,
		OnChange: func(att *stackone.ConnectionAttempt) {
			if att != nil && att.Status == stackone.AttemptPending {
				sendProgress(ctx, resp, "The link was opened: waiting for the sign-in to finish.")
			}
		},
	})
	reportLinkOutcome(ctx, resp, linkOutcome{
		sessionID: sess.ID, profileID: profileID, ownerID: m.OriginOwnerID.ValueString(),
		waited: until.Sub(created).Round(time.Second), expired: until.Before(created.Add(wait)),
		attempt: attempt, err: err,
	})
}

// linkOutcome is how waiting for a connect session ended.
type linkOutcome struct {
	sessionID stackone.SessionID
	profileID string
	ownerID   string
	waited    time.Duration
	// expired: the wait was cut short by the link's expiry.
	expired bool
	attempt *stackone.ConnectionAttempt
	err     error
}

// Limits on server text shown in a diagnostic.
const (
	maxOAuthCodeRunes = 100
	maxOAuthDescRunes = 500
)

// reportLinkOutcome says how the wait ended: the linked account as progress,
// anything else as an error naming the session.
func reportLinkOutcome(ctx context.Context, resp *action.InvokeResponse, o linkOutcome) {
	diags := &resp.Diagnostics
	where := fmt.Sprintf("connect session %s (connector profile %s)", o.sessionID, o.profileID)
	switch {
	case errors.Is(o.err, stackone.ErrSessionWaitTimeout):
		why := fmt.Sprintf("No account was linked through %s within %s", where, o.waited)
		if o.expired {
			why = fmt.Sprintf("The auth link of %s expired (after %s) before an account was linked", where, o.waited)
		}
		seen := "nobody opened the link"
		if o.attempt != nil {
			seen = fmt.Sprintf("the latest attempt is %q", safetext.Text(o.attempt.Status, maxOAuthCodeRunes))
		}
		diags.AddError("No account linked in time",
			fmt.Sprintf("%s: %s. Run the action again with a longer wait (or expires_in); an account linked later through the same link shows in data.stackone_accounts with origin_owner_id = %q.", why, seen, o.ownerID))
	case o.err != nil && ctx.Err() != nil:
		diags.AddError("Stopped waiting for the account to be linked",
			fmt.Sprintf("Terraform stopped the action while it waited on %s. The link stays valid until it expires; an account linked through it shows in data.stackone_accounts with origin_owner_id = %q.", where, o.ownerID))
	case o.err != nil:
		diags.AddError("Cannot follow the connect session", fmt.Sprintf("Reading %s failed: %s", where, o.err))
	case o.attempt.Status == stackone.AttemptAuthenticated:
		sendProgress(ctx, resp, fmt.Sprintf("Linked account %s to connector profile %s (connect session %s).",
			safetext.Text(o.attempt.AccountSecureID, maxTextLength), o.profileID, o.sessionID))
	default:
		code := safetext.Text(o.attempt.OAuthErrorCode, maxOAuthCodeRunes)
		desc := safetext.Text(o.attempt.OAuthErrorDescription, maxOAuthDescRunes)
		summary := "Linking the account failed"
		if o.attempt.Status == stackone.AttemptCancelled {
			summary = "Linking the account was cancelled"
		}
		if code == "" {
			code = "(no OAuth error code given)"
		}
		detail := fmt.Sprintf("The sign-in through %s ended %s with OAuth error %s", where, safetext.Text(o.attempt.Status, maxOAuthCodeRunes), code)
		if desc != "" {
			detail += ": " + desc
		}
		diags.AddError(summary, detail+". "+oauthErrorAdvice(o.attempt.OAuthErrorCode))
	}
}

// oauthErrorAdvice says what to check for the OAuth errors a misconfigured
// connector app gives (RFC 6749 4.1.2.1, 5.2).
func oauthErrorAdvice(code string) string {
	switch code {
	case "access_denied":
		return "The person signing in refused access: open a new link and approve it."
	case "invalid_scope":
		return "The profile asks for a scope the connector's OAuth app does not have: compare its scopes with data.stackone_registered_scopes and register the missing ones on the app, or remove them from the profile."
	case "invalid_client", "unauthorized_client":
		return "The connector's OAuth app refused the profile's client credentials: check client_id and the client secret of the profile against the app."
	case "invalid_request", "redirect_uri_mismatch":
		return "Check that the profile's redirect_uri is registered on the connector's OAuth app exactly as shown."
	case "invalid_grant":
		return "The authorization code was refused (it may have expired or been used): open a new link and try again."
	}
	return "Check the connector's OAuth app against the profile, then run the action again."
}

// sendProgress shows msg to the user unless Terraform has stopped listening:
// the framework delivers progress over an unbuffered channel that nobody
// reads once Terraform cancels the invocation, so a send then would block
// the action for good.
func sendProgress(ctx context.Context, resp *action.InvokeResponse, msg string) {
	if ctx.Err() != nil || resp.SendProgress == nil {
		return
	}
	sent := make(chan struct{})
	go func() {
		defer close(sent)
		resp.SendProgress(action.InvokeProgressEvent{Message: msg})
	}()
	select {
	case <-sent:
	case <-ctx.Done():
	}
}

// maxAuthLinkBytes bounds the auth link shown: browsers handle links of a
// few thousand characters, and a server must not fill the terminal.
const maxAuthLinkBytes = 8192

// checkAuthLink returns the auth link as it is shown to the user, or what is
// wrong with it. The user is asked to open it in a browser, so it must be an
// absolute https URL (http only to a loopback host, a local sandbox) without
// user information.
func checkAuthLink(raw string) (string, string) {
	if strings.TrimSpace(raw) == "" {
		return "", "is missing"
	}
	if len(raw) > maxAuthLinkBytes {
		return "", fmt.Sprintf("is %d bytes long, more than any browser link should be", len(raw))
	}
	u, err := url.Parse(strings.TrimSpace(raw))
	switch {
	case err != nil || !u.IsAbs() || u.Host == "" || u.Opaque != "":
		return "", "is not an absolute URL"
	case !safetext.TransportAllowed(u):
		return "", fmt.Sprintf("is %s, which is neither https nor http to a loopback host", safetext.URL(raw))
	case u.User != nil:
		return "", fmt.Sprintf("%s carries user information", safetext.URL(raw))
	}
	return u.String(), ""
}

// addSessionCreateError reports a refused POST /connect_sessions on the
// attribute it concerns.
func addSessionCreateError(diags *diag.Diagnostics, profileID string, err error) {
	var apiErr *stackone.APIError
	switch {
	case stackone.IsNotFound(err):
		diags.AddAttributeError(pathConnectorProfileID, "Connector profile not found",
			fmt.Sprintf("StackOne has no connector profile %q to link an account to: %s Use the id of an existing profile (data.stackone_connector_profiles lists them).", profileID, err))
	case errors.As(err, &apiErr) && strings.Contains(apiErr.Message, "expires_in"):
		diags.AddAttributeError(pathExpiresIn, "StackOne refused expires_in", err.Error())
	default:
		diags.AddError("Cannot create a connect session", fmt.Sprintf("Creating a connect session for connector profile %q failed: %s", profileID, err))
	}
}
