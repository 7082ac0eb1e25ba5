package stackone

import (
	"github.com/stackonehq/terraform-provider-stackone/internal/safetext"

	"encoding/json"
	"fmt"
	"strconv"
	"time"
)

// ConnectorProfile is a StackOne connector profile as GET /connector_profiles
// lists it. The published fields come first; the extension fields (see
// WIRE_CONTRACT.md) are pointers because a server without the extension
// omits them, and "not reported" must never read as "empty". The client
// secret is write-only on the wire and so never appears here.
type ConnectorProfile struct {
	ID             string   `json:"id"`
	Name           string   `json:"name"`
	ConnectorKey   string   `json:"connector_key"`
	ConnectorLabel string   `json:"connector_label,omitempty"`
	LogoURL        string   `json:"logo_url,omitempty"`
	Categories     []string `json:"categories,omitempty"`
	// Active is nil when the answer leaves it out (or null): not
	// reported, which is not "disabled" (WIRE_CONTRACT.md, Unclear cases).
	Active                    *bool  `json:"active"`
	Default                   bool   `json:"default"`
	ReleaseStage              string `json:"release_stage,omitempty"`
	AuthenticationConfigKey   string `json:"authentication_config_key,omitempty"`
	AuthenticationConfigLabel string `json:"authentication_config_label,omitempty"`
	Environment               string `json:"environment,omitempty"`
	ConnectorVersion          string `json:"connector_version,omitempty"`
	ConnectorPinnedVersion    string `json:"connector_pinned_version,omitempty"`
	ConnectorOwner            string `json:"connector_owner,omitempty"`
	// CreatedAt and UpdatedAt are kept as the server wrote them (published as
	// date-time strings); Time parses them.
	CreatedAt string `json:"created_at"`
	UpdatedAt string `json:"updated_at"`

	// Extension fields: nil when the server does not report them.
	ClientID              *string    `json:"client_id,omitempty"`
	Scopes                *[]string  `json:"scopes,omitempty"`
	Actions               *[]string  `json:"actions,omitempty"`
	ClientSecretSet       *bool      `json:"client_secret_set,omitempty"`
	ClientSecretUpdatedAt *time.Time `json:"client_secret_updated_at,omitempty"`
}

// ReportsExtension says whether the server reported the extension's profile
// fields (client id, scopes, actions) for this profile.
func (p *ConnectorProfile) ReportsExtension() bool {
	return p.ClientID != nil && p.Scopes != nil && p.Actions != nil
}

// CreateConnectorProfileRequest is the body of POST /connector_profiles (extension).
type CreateConnectorProfileRequest struct {
	ConnectorKey            string   `json:"connector_key"`
	AuthenticationConfigKey string   `json:"authentication_config_key"`
	Name                    string   `json:"name"`
	ClientID                string   `json:"client_id"`
	ClientSecret            string   `json:"client_secret"`
	Scopes                  []string `json:"scopes"`
	Actions                 []string `json:"actions"`
	Active                  *bool    `json:"active,omitempty"`
}

// UpdateConnectorProfileRequest is the body of PATCH /connector_profiles/{id}
// (extension). A nil field is left unchanged on the server; Scopes and
// Actions replace the whole list when set.
type UpdateConnectorProfileRequest struct {
	Name         *string   `json:"name,omitempty"`
	Active       *bool     `json:"active,omitempty"`
	ClientID     *string   `json:"client_id,omitempty"`
	ClientSecret *string   `json:"client_secret,omitempty"`
	Scopes       *[]string `json:"scopes,omitempty"`
	Actions      *[]string `json:"actions,omitempty"`
}

// ListConnectorProfilesOptions filters GET /connector_profiles.
type ListConnectorProfilesOptions struct {
	// ConnectorKey keeps only profiles of this connector when not empty.
	ConnectorKey string
	// Enabled, when set, keeps only enabled (true) or disabled (false) profiles.
	Enabled *bool
}

// ConnectorVersion is one version of a profile's connector
// (GET /connector_profiles/{id}/versions).
type ConnectorVersion struct {
	Version string `json:"version"`
	Owner   string `json:"owner"`
	Builtin bool   `json:"builtin"`
	Pinned  bool   `json:"pinned"`
}

// PinnedVersion is the connector version pinned on a profile
// (GET/PUT /connector_profiles/{id}/pinned_version).
type PinnedVersion struct {
	ConnectorProfileID string `json:"connector_profile_id"`
	PinnedVersion      string `json:"pinned_version"`
	Owner              string `json:"owner,omitempty"`
	CreatedAt          string `json:"created_at"`
	UpdatedAt          string `json:"updated_at"`
}

// PinVersionRequest is the body of PUT /connector_profiles/{id}/pinned_version.
type PinVersionRequest struct {
	PinnedVersion string `json:"pinned_version"`
	Owner         string `json:"owner,omitempty"`
}

// Connector is one connector of the catalog served by GET /actions.
type Connector struct {
	Key              string            `json:"key"`
	Name             string            `json:"name"`
	Actions          []Action          `json:"actions"`
	Authentication   []Authentication  `json:"authentication"`
	ScopeDefinitions []ScopeDefinition `json:"scope_definitions"`
}

// Action is an action a connector offers, with the scopes it needs.
type Action struct {
	ID             string   `json:"id"`
	Label          string   `json:"label"`
	RequiredScopes []string `json:"required_scopes"`
}

// Authentication is one way of authenticating a connector (an auth type), as
// the catalog publishes it: no authorization, token or callback URL.
type Authentication struct {
	Key            string   `json:"key"`
	Label          string   `json:"label"`
	Type           string   `json:"type"`
	RequiredScopes []string `json:"required_scopes"`
	Support        any      `json:"support,omitempty"`
}

// ScopeDefinition describes a scope and the scopes it implies.
type ScopeDefinition struct {
	Name        string   `json:"name"`
	Description string   `json:"description"`
	Includes    []string `json:"includes"`
}

// ConnectSessionRequest is the body of POST /connect_sessions.
type ConnectSessionRequest struct {
	OriginOwnerID      string `json:"origin_owner_id"`
	OriginOwnerName    string `json:"origin_owner_name"`
	Provider           string `json:"provider,omitempty"`
	ConnectorProfileID string `json:"connector_profile_id,omitempty"`
	Label              string `json:"label,omitempty"`
	ExpiresIn          int    `json:"expires_in,omitempty"`
	// Multiple links a new account even when the owner (origin_owner_id,
	// origin_owner_name) already has one of this provider, which StackOne
	// would otherwise update.
	Multiple bool `json:"multiple,omitempty"`
}

// SessionID is a connect session id. StackOne publishes it as a number; a
// string holding digits is accepted too.
type SessionID string

// UnmarshalJSON takes a JSON number or string.
func (s *SessionID) UnmarshalJSON(b []byte) error {
	var n json.Number
	if err := json.Unmarshal(b, &n); err == nil {
		if _, err := strconv.ParseInt(n.String(), 10, 64); err != nil {
			return fmt.Errorf("connect session id %s is not an integer", n)
		}
		*s = SessionID(n.String())
		return nil
	}
	var str string
	if err := json.Unmarshal(b, &str); err != nil {
		return fmt.Errorf("connect session id must be a number, got %s", safetext.Text(string(b), 40))
	}
	if _, err := strconv.ParseInt(str, 10, 64); err != nil {
		return fmt.Errorf("connect session id %q is not an integer", safetext.Text(str, 40))
	}
	*s = SessionID(str)
	return nil
}

// ConnectSession is a connect session; Token (a secret) and AuthLinkURL come
// only with the answer to POST /connect_sessions.
type ConnectSession struct {
	ID                      SessionID          `json:"id"`
	OriginOwnerID           string             `json:"origin_owner_id"`
	OriginOwnerName         string             `json:"origin_owner_name"`
	Provider                string             `json:"provider,omitempty"`
	ConnectorProfileID      string             `json:"connector_profile_id,omitempty"`
	CreatedAt               string             `json:"created_at"`
	Token                   string             `json:"token,omitempty"`
	AuthLinkURL             string             `json:"auth_link_url,omitempty"`
	LatestConnectionAttempt *ConnectionAttempt `json:"latest_connection_attempt,omitempty"`
}

// ConnectionAttempt is how the latest link attempt of a session stands.
type ConnectionAttempt struct {
	ID                    any    `json:"id"`
	Status                string `json:"status"` // pending, authenticated, error, cancelled
	OAuthErrorCode        string `json:"oauth_error_code"`
	OAuthErrorDescription string `json:"oauth_error_description"`
	AccountSecureID       string `json:"account_secure_id"`
	CreatedAt             string `json:"created_at"`
	UpdatedAt             string `json:"updated_at"`
}

// Account is a linked account (GET /accounts, GET /accounts/{id}).
type Account struct {
	ID              string `json:"id"`
	Provider        string `json:"provider"`
	ProviderName    string `json:"provider_name,omitempty"`
	OriginOwnerID   string `json:"origin_owner_id"`
	OriginOwnerName string `json:"origin_owner_name"`
	OriginUsername  string `json:"origin_username,omitempty"`
	Label           string `json:"label,omitempty"`
	Status          string `json:"status"`
	CreatedAt       string `json:"created_at"`
	UpdatedAt       string `json:"updated_at"`
	// Optional published fields: empty (nil) when StackOne leaves them out.
	Type          string         `json:"type,omitempty"`
	Shared        *bool          `json:"shared,omitempty"`
	Categories    []string       `json:"categories,omitempty"`
	StatusReasons []StatusReason `json:"status_reasons,omitempty"`

	// Extension fields (the sandbox's extended mode): nil when not reported.
	ConnectorProfileID *string   `json:"connector_profile_id,omitempty"`
	Scopes             *[]string `json:"scopes,omitempty"`
}

// StatusReason says why a linked account is in its status (LinkedAccount
// status_reasons[]; all optional but timestamp).
type StatusReason struct {
	Code        string `json:"code,omitempty"`
	Description string `json:"description,omitempty"`
	Timestamp   string `json:"timestamp"`
}

// ListAccountsOptions filters GET /accounts. Empty fields filter nothing.
type ListAccountsOptions struct {
	Providers     []string
	OriginOwnerID string
	Statuses      []string
	AccountIDs    []string
}

// ParseTime reads a date-time as the API writes it (RFC 3339, with or
// without fractional seconds).
func ParseTime(s string) (time.Time, error) {
	return time.Parse(time.RFC3339Nano, s)
}
