package stackone

import "time"

// ConnectorProfile is a StackOne connector profile as the API returns it. The
// client secret is write-only on the wire and so never appears here.
type ConnectorProfile struct {
	ID                    string     `json:"id"`
	Provider              string     `json:"provider"`
	Name                  string     `json:"name"`
	AuthType              string     `json:"auth_type"`
	Active                bool       `json:"active"`
	ClientID              string     `json:"client_id"`
	Scopes                []string   `json:"scopes"`
	Actions               []string   `json:"actions"`
	RedirectURI           string     `json:"redirect_uri"`
	ClientSecretSet       bool       `json:"client_secret_set"`
	ClientSecretUpdatedAt *time.Time `json:"client_secret_updated_at"`
	CreatedAt             time.Time  `json:"created_at"`
	UpdatedAt             time.Time  `json:"updated_at"`
}

// CreateConnectorProfileRequest is the body of POST /connector_profiles.
type CreateConnectorProfileRequest struct {
	Provider     string   `json:"provider"`
	Name         string   `json:"name"`
	AuthType     string   `json:"auth_type"`
	ClientID     string   `json:"client_id"`
	ClientSecret string   `json:"client_secret"`
	Scopes       []string `json:"scopes"`
	Actions      []string `json:"actions"`
	Active       *bool    `json:"active,omitempty"`
}

// UpdateConnectorProfileRequest is the body of PATCH /connector_profiles/{id}.
// A nil field is left unchanged on the server; Scopes and Actions replace the
// whole list when set.
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
	// Provider keeps only profiles of this connector when not empty.
	Provider string
	// PageSize is the page size asked for (1..100); 0 or out of range asks for 100, the maximum.
	PageSize int
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

// Authentication is one way of authenticating a connector (an auth type).
type Authentication struct {
	Key              string   `json:"key"`
	Label            string   `json:"label"`
	Type             string   `json:"type"`
	AuthorizationURL string   `json:"authorization_url,omitempty"`
	TokenURL         string   `json:"token_url,omitempty"`
	CallbackURL      string   `json:"callback_url,omitempty"`
	PKCE             bool     `json:"pkce"`
	RequiredScopes   []string `json:"required_scopes"`
}

// ScopeDefinition describes a scope and the scopes it implies.
type ScopeDefinition struct {
	Name        string   `json:"name"`
	Description string   `json:"description"`
	Includes    []string `json:"includes"`
}

// ConnectSessionRequest is the body of POST /connect_sessions.
type ConnectSessionRequest struct {
	OriginOwnerID   string `json:"origin_owner_id"`
	OriginOwnerName string `json:"origin_owner_name"`
	Provider        string `json:"provider,omitempty"`
	IntegrationID   string `json:"integration_id,omitempty"`
}

// ConnectSession is the answer to POST /connect_sessions. Token is a secret.
type ConnectSession struct {
	ID          string `json:"id"`
	Token       string `json:"token"`
	AuthLinkURL string `json:"auth_link_url"`
}

// Account is a linked account from GET /accounts.
type Account struct {
	ID            string    `json:"id"`
	Provider      string    `json:"provider"`
	IntegrationID string    `json:"integration_id"`
	Status        string    `json:"status"`
	Scopes        []string  `json:"scopes"`
	CreatedAt     time.Time `json:"created_at"`
}
