package oauthprobe

// KnownApp is what is publicly documented about the OAuth apps of one
// connector's auth type: where its authorization endpoint is, whether it
// uses PKCE, and where its apps are managed.
type KnownApp struct {
	// Connector and AuthType are StackOne's connector key and auth type key.
	Connector string
	AuthType  string
	// AuthorizationEndpoint is the documented public authorize URL.
	AuthorizationEndpoint string
	// PKCE: the app uses Authorization Code with PKCE, so the probe sends an
	// S256 challenge; without it the probe sends none (an Okta app without
	// PKCE refuses a request that carries one).
	PKCE bool
	// Portal is where the app's redirect URIs and scopes are set.
	Portal string
	// Source is where the endpoint is documented.
	Source string
}

// knownApps is the one table of documented endpoints. StackOne's published
// catalog (GET /actions) has no authorization URL, so this is where the
// stackone_registered_scopes data source finds one when its
// authorization_endpoint is not set. Add a connector only with a public
// source for its endpoint.
var knownApps = []KnownApp{
	{
		Connector:             "zoominfo",
		AuthType:              "oauth2_authorization_code_pkce",
		AuthorizationEndpoint: "https://api.zoominfo.com/gtm/oauth/v1/authorize",
		PKCE:                  true,
		Portal:                "ZoomInfo Developer Portal",
		Source:                "ZoomInfo's n8n node and docs.zoominfo.com/docs/refresh-token-flow (the gateway, used for both steps)",
	},
}

// Known returns what is documented about connector's OAuth app, if anything.
func Known(connector string) (KnownApp, bool) {
	for _, a := range knownApps {
		if a.Connector == connector {
			return a, true
		}
	}
	return KnownApp{}, false
}

// KnownConnectors lists the connectors Known has an endpoint for, for messages.
func KnownConnectors() []string {
	out := make([]string, 0, len(knownApps))
	for _, a := range knownApps {
		out = append(out, a.Connector)
	}
	return out
}
