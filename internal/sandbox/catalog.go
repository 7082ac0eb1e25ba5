package sandbox

import "slices"

// Connector is one connector of the catalog served by GET /actions. The
// fields without a JSON name are not part of a catalog item: they describe
// the connector on the profiles that use it.
type Connector struct {
	Key              string            `json:"key"`
	Name             string            `json:"name"`
	Actions          []Action          `json:"actions"`
	Authentication   []Authentication  `json:"authentication"`
	ScopeDefinitions []ScopeDefinition `json:"scope_definitions"`
	// Categories are a profile's categories (StackOne's category keys).
	Categories []string `json:"-"`
	// LogoURL is a profile's logo_url.
	LogoURL string `json:"-"`
	// ReleaseStage is a profile's release_stage.
	ReleaseStage string `json:"-"`
	// Versions are the connector versions a profile of this connector can
	// pin, oldest first; the last builtin one is in effect when nothing is
	// pinned.
	Versions []ConnectorVersion `json:"-"`
}

// ConnectorVersion is a version of a connector's implementation. Builtin
// versions are StackOne's own; others are custom versions of an owner.
type ConnectorVersion struct {
	Version string
	Owner   string
	Builtin bool
}

// Action is an action a connector offers and the scopes it needs.
type Action struct {
	ID             string   `json:"id"`
	Label          string   `json:"label"`
	RequiredScopes []string `json:"required_scopes"`
}

// Authentication is one auth type of a connector; its Key is what a profile's
// authentication_config_key names. Only key, label, type, required_scopes
// and support are on the wire, as StackOne publishes them; the endpoints and
// the PKCE setting stay inside the sandbox, which needs them to link
// accounts. CallbackURL becomes the profile's RedirectURI.
type Authentication struct {
	Key              string   `json:"key"`
	Label            string   `json:"label"`
	Type             string   `json:"type"`
	AuthorizationURL string   `json:"-"`
	TokenURL         string   `json:"-"`
	CallbackURL      string   `json:"-"`
	PKCE             bool     `json:"-"`
	RequiredScopes   []string `json:"required_scopes"`
	Support          Support  `json:"support"`
}

// Support says where a person setting up an auth type finds help. StackOne
// publishes the field without a schema the sandbox could read; the sandbox
// serves it as this object, and clients are not to depend on its shape.
type Support struct {
	Link        string `json:"link"`
	Description string `json:"description"`
}

// ScopeDefinition is a scope a connector knows and the scopes it implies.
type ScopeDefinition struct {
	Name        string   `json:"name"`
	Description string   `json:"description"`
	Includes    []string `json:"includes"`
}

// Catalog returns a copy of the catalog this sandbox serves and validates
// profiles against.
func (s *Sandbox) Catalog() []Connector {
	out := make([]Connector, len(s.catalog))
	for i, c := range s.catalog {
		out[i] = c.clone()
	}
	return out
}

func (c Connector) clone() Connector {
	c.Actions = slices.Clone(c.Actions)
	for i := range c.Actions {
		c.Actions[i].RequiredScopes = slices.Clone(c.Actions[i].RequiredScopes)
	}
	c.Authentication = slices.Clone(c.Authentication)
	for i := range c.Authentication {
		c.Authentication[i].RequiredScopes = slices.Clone(c.Authentication[i].RequiredScopes)
	}
	c.ScopeDefinitions = slices.Clone(c.ScopeDefinitions)
	for i := range c.ScopeDefinitions {
		c.ScopeDefinitions[i].Includes = slices.Clone(c.ScopeDefinitions[i].Includes)
	}
	c.Categories = slices.Clone(c.Categories)
	c.Versions = slices.Clone(c.Versions)
	return c
}

func (s *Sandbox) connector(key string) (Connector, bool) {
	for _, c := range s.catalog {
		if c.Key == key {
			return c, true
		}
	}
	return Connector{}, false
}

// buildCatalog assembles the served catalog. ZoomInfo's endpoints are the
// authorization server's; the callbacks point back at this StackOne listener.
// The second connector exists so that anything ZoomInfo-specific creeping into
// the provider shows up in tests.
func buildCatalog(baseURL, zoomInfoAuthorizationURL, zoomInfoTokenURL string) []Connector {
	scope := func(name, description string, includes ...string) ScopeDefinition {
		return ScopeDefinition{Name: name, Description: description, Includes: append([]string{}, includes...)}
	}
	action := func(id, label string, scopes ...string) Action {
		return Action{ID: id, Label: label, RequiredScopes: append([]string{}, scopes...)}
	}
	zoominfo := Connector{
		Key:  "zoominfo",
		Name: "ZoomInfo",
		// StackOne's own ZoomInfo action ids are not published: these are
		// sample data mirroring ZoomInfo's data API, in StackOne's
		// {connector}_{verb}_{entity} form (services.md).
		Actions: []Action{
			action("zoominfo_search_contacts", "Search contacts", "api:data:contact"),
			action("zoominfo_search_companies", "Search companies", "api:data:company"),
			action("zoominfo_enrich_contacts", "Enrich contacts", "api:data:contact"),
			action("zoominfo_enrich_companies", "Enrich companies", "api:data:company"),
			action("zoominfo_search_intent", "Search intent signals", "api:data:intent"),
			action("zoominfo_search_news", "Search news", "api:data:news"),
			action("zoominfo_search_scoops", "Search scoops", "api:data:scoops"),
			action("zoominfo_lookup", "Look up field values", "api:data:lookup"),
		},
		Authentication: []Authentication{{
			Key:              "oauth2_authorization_code_pkce",
			Label:            "OAuth 2.0 (Authorization Code + PKCE)",
			Type:             "oauth2",
			AuthorizationURL: zoomInfoAuthorizationURL,
			TokenURL:         zoomInfoTokenURL,
			CallbackURL:      baseURL + "/connect/oauth2/zoominfo/callback",
			PKCE:             true,
			RequiredScopes:   []string{},
			Support:          oauthSupport("zoominfo", "ZoomInfo"),
		}},
		Categories:   []string{"crm", "marketing"},
		LogoURL:      logoURL("zoominfo"),
		ReleaseStage: "ga",
		Versions: []ConnectorVersion{
			{Version: "1.4.0", Owner: builtinOwner, Builtin: true},
			{Version: "1.5.0", Owner: builtinOwner, Builtin: true},
			{Version: "1.5.0-acme.1", Owner: "acme-corp", Builtin: false},
		},
		// Every scope ZoomInfo documents: the api:* scopes of its GTM
		// OpenAPI specs and the OIDC set of docs.zoominfo.com/docs/authentication
		// (services.md). Which an app may request is its registration on the
		// authorization server (sandbox.DefaultAppScopes).
		ScopeDefinitions: []ScopeDefinition{
			scope("api:data:contact", "Search and enrich contacts"),
			scope("api:data:company", "Search and enrich companies"),
			scope("api:data:intent", "Read buyer intent signals"),
			scope("api:data:news", "Read company news"),
			scope("api:data:scoops", "Read scoops"),
			scope("api:data:lookup", "Read lookup values for search fields"),
			scope("api:audience:read", "Read audiences"),
			scope("api:audience:manage", "Create and manage audiences", "api:audience:read"),
			scope("api:audience-member:read", "Read audience members"),
			scope("api:audience-member:manage", "Add and remove audience members", "api:audience-member:read"),
			scope("api:account-summary:read", "Read account summaries"),
			scope("api:gtm-config:read", "Read GTM configuration"),
			scope("api:gtm-config:manage", "Manage GTM configuration", "api:gtm-config:read"),
			scope("api:insights:read", "Read insights"),
			scope("api:recommendations:read", "Read recommendations"),
			scope("api:gtm-data-model:read", "Read the GTM data model"),
			scope("api:gtm-data-model:manage", "Manage the GTM data model", "api:gtm-data-model:read"),
			scope("openid", "Sign the user in (OpenID Connect)"),
			scope("profile", "Read the user's profile"),
			scope("email", "Read the user's email address"),
			scope("offline_access", "Obtain a refresh token"),
		},
	}
	acme := Connector{
		Key:  "acmecrm",
		Name: "Acme CRM",
		Actions: []Action{
			action("acmecrm_list_contacts", "List contacts", "contacts:read"),
			action("acmecrm_create_contact", "Create a contact", "contacts:write"),
			action("acmecrm_list_deals", "List deals", "deals:read"),
		},
		Authentication: []Authentication{{
			Key:              "oauth2_authorization_code",
			Label:            "OAuth 2.0 (Authorization Code)",
			Type:             "oauth2",
			AuthorizationURL: "https://login.acmecrm.example/oauth/authorize",
			TokenURL:         "https://login.acmecrm.example/oauth/token",
			CallbackURL:      baseURL + "/connect/oauth2/acmecrm/callback",
			PKCE:             false,
			RequiredScopes:   []string{},
			Support:          oauthSupport("acmecrm", "Acme CRM"),
		}, {
			// A second auth type, so a test can change auth_type and see the
			// profile replaced. Client credentials have no user redirect.
			Key:            "oauth2_client_credentials",
			Label:          "OAuth 2.0 (Client Credentials)",
			Type:           "oauth2",
			TokenURL:       "https://login.acmecrm.example/oauth/token",
			RequiredScopes: []string{},
			Support:        oauthSupport("acmecrm", "Acme CRM"),
		}},
		Categories:   []string{"crm"},
		LogoURL:      logoURL("acmecrm"),
		ReleaseStage: "beta",
		Versions: []ConnectorVersion{
			{Version: "2.0.0", Owner: builtinOwner, Builtin: true},
			{Version: "2.1.0", Owner: builtinOwner, Builtin: true},
		},
		ScopeDefinitions: []ScopeDefinition{
			scope("contacts:read", "Read contacts"),
			scope("contacts:write", "Create and update contacts", "contacts:read"),
			scope("deals:read", "Read deals"),
		},
	}
	return []Connector{zoominfo, acme}
}

// builtinOwner owns StackOne's own connector versions.
const builtinOwner = "stackone"

// logoURL is a connector's logo: a reserved .invalid host, so nothing ever
// fetches it.
func logoURL(key string) string { return "https://logos.sandbox.invalid/" + key + ".svg" }

func oauthSupport(key, connectorName string) Support {
	return Support{
		Link:        "https://docs.sandbox.invalid/connectors/" + key,
		Description: "Create an OAuth app in " + connectorName + "'s developer portal and register the callback URL on it.",
	}
}
