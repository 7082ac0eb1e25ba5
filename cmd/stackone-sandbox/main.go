// Command stackone-sandbox runs an imitation of StackOne's API and a
// ZoomInfo-style authorization server on loopback, so that a Terraform
// configuration, a `terraform test` suite or a CI job can use the
// stackonehq/stackone provider without a StackOne API key, a ZoomInfo app or
// a person signing in. Install it with
//
//	go install github.com/stackonehq/terraform-provider-stackone/cmd/stackone-sandbox@latest
//
// Usage:
//
//	stackone-sandbox [-addr 127.0.0.1:8080] [-authz-addr 127.0.0.1:8081] [-env-file PATH]
//	                 [-api published|extended] [-seed FILE] [-app-scopes "a b"]
//	                 [-rate-limit N] [-fault-rate 0..1] [-api-key K] [-admin-token T]
//
// -api published serves only what StackOne publishes (as live StackOne does
// today): the extension's profile writes answer 404 like unknown routes, and
// profiles are created, edited and deleted through the dashboard stand-in
// below. -api extended, the default, serves both. -rate-limit N allows N
// requests per API key in any 60 seconds. Port 0 picks a free port.
//
// -seed FILE preloads profiles made in the dashboard (with pinned versions),
// linked accounts and the ZoomInfo app's registered scopes from a JSON file
// (examples/testing/seed.json in the repository is one); a mistake in it is
// reported as FILE:LINE:COLUMN with the field's path, and the sandbox does not
// start. POST /admin/reset returns to the seed.
//
// # The environment it prints
//
// Once both listeners are up it prints KEY=value lines to stdout and, with
// -env-file, writes them to that file (mode 0600, replaced atomically, values
// single-quoted where a shell needs it, so `set -a; . FILE; set +a` works).
// The keys are a stable interface, in this order:
//
//	STACKONE_BASE_URL       the API's base URL (the provider's base_url)
//	STACKONE_API_KEY        the API key it accepts (the provider's api_key)
//	SANDBOX_ADMIN_TOKEN     bearer token of the /admin endpoints
//	ZOOMINFO_AUTHORIZATION_ENDPOINT, ZOOMINFO_TOKEN_ENDPOINT, ZOOMINFO_ISSUER
//	ZOOMINFO_CLIENT_ID, ZOOMINFO_CLIENT_SECRET   the ZoomInfo app's credentials
//	ZOOMINFO_REGISTERED_SCOPES                   its scopes, space-separated
//	SANDBOX_USER, SANDBOX_PASSWORD               who signs in to link an account
//	ZOOMINFO_GATEWAY_AUTHORIZATION_ENDPOINT, ZOOMINFO_GATEWAY_TOKEN_ENDPOINT
//	                        ZoomInfo's gateway (where stackone_registered_scopes checks the app)
//
// New keys may be added at the end; none is renamed or removed. It then
// serves until SIGINT or SIGTERM. Requests are logged to stderr without
// headers or bodies.
//
// # Admin endpoints
//
// All take Authorization: Bearer $SANDBOX_ADMIN_TOKEN, in both API modes, on
// STACKONE_BASE_URL:
//
//	POST   /admin/connector_profiles        create a profile, as in StackOne's dashboard; 201 with it
//	PATCH  /admin/connector_profiles/{id}   change one (only the fields sent); 200 with it
//	DELETE /admin/connector_profiles/{id}   delete one (and its pin); 204
//	GET    /admin/stats                     request counts by "METHOD /route"
//	POST   /admin/reset                     forget every object, then load the -seed again; 204
//
// A profile body is a JSON object of these fields (POST needs the first five;
// PATCH takes any of them, but connector_key and authentication_config_key
// cannot change):
//
//	{"connector_key": "zoominfo",
//	 "authentication_config_key": "oauth2_authorization_code_pkce",
//	 "name": "ZoomInfo", "client_id": "…", "client_secret": "…",
//	 "scopes": ["api:data:contact"], "actions": ["zoominfo_search_contacts"],
//	 "active": true}
//
// For example, a change made "in the dashboard", which the next terraform
// plan shows as drift:
//
//	curl -fsS -X PATCH -H "Authorization: Bearer $SANDBOX_ADMIN_TOKEN" \
//	  -H 'Content-Type: application/json' -d '{"name": "Renamed in the dashboard"}' \
//	  "$STACKONE_BASE_URL/admin/connector_profiles/$PROFILE_ID"
//
// On the authorization server (the host of ZOOMINFO_ISSUER), POST, GET and
// PATCH /admin/apps[/{client_id}] read and change the ZoomInfo app as its
// Developer Portal would: {"client_secret", "redirect_uris", "scopes",
// "pkce_required"}.
//
// What the sandbox does not imitate: it is one process with everything in
// memory (nothing survives a restart); it has one StackOne project, one API
// key and one ZoomInfo user; no ZoomInfo data API behind a linked account;
// and where StackOne's published reference leaves behaviour open, it makes
// the choices listed in the repository's internal/stackone/WIRE_CONTRACT.md.
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"log"
	"os"
	"os/signal"
	"path/filepath"
	"strings"
	"syscall"
	"time"

	"github.com/stackonehq/terraform-provider-stackone/internal/sandbox"
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	if err := run(ctx, os.Args[1:], os.Stdout); err != nil {
		fmt.Fprintln(os.Stderr, "stackone-sandbox:", err)
		os.Exit(1)
	}
}

// run starts the sandbox as args say, announces it on stdout and serves until
// ctx ends, then shuts down gracefully.
func run(ctx context.Context, args []string, stdout io.Writer) error {
	fs := flag.NewFlagSet("stackone-sandbox", flag.ContinueOnError)
	fs.SetOutput(os.Stderr)
	fs.Usage = func() {
		fmt.Fprint(fs.Output(), usageHead)
		fs.PrintDefaults()
		fmt.Fprint(fs.Output(), usageTail)
	}
	addr := fs.String("addr", "127.0.0.1:8080", "StackOne API listen address (port 0 picks a free port)")
	authzAddr := fs.String("authz-addr", "127.0.0.1:8081", "authorization server listen address (port 0 picks a free port)")
	envFile := fs.String("env-file", "", "also write the KEY=value lines to this file (mode 0600)")
	appScopes := fs.String("app-scopes", "", "scopes registered on the seeded ZoomInfo app, space or comma separated (default: a subset of the catalog)")
	rateLimit := fs.Int("rate-limit", 0, "requests per minute per API key; 0 = unlimited")
	faultRate := fs.Float64("fault-rate", 0, "share of requests (0..1) failing with 500/503, 429, or a connection dropped after the change is committed")
	apiKey := fs.String("api-key", "", "fixed StackOne API key (default: generated)")
	adminToken := fs.String("admin-token", "", "fixed admin bearer token (default: generated)")
	api := fs.String("api", string(sandbox.APIExtended), "published: only StackOne's published API (profile writes answer 404); extended: also this project's profile-write extension")
	seedFile := fs.String("seed", "", "preload profiles, pins, linked accounts and the app's scopes from this JSON file (examples/testing/seed.json)")
	if err := fs.Parse(args); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return nil
		}
		return err
	}
	if fs.NArg() > 0 {
		return fmt.Errorf("unexpected arguments: %q", fs.Args())
	}
	if *faultRate < 0 || *faultRate > 1 {
		return fmt.Errorf("-fault-rate %v is outside 0..1", *faultRate)
	}
	if *rateLimit < 0 {
		return fmt.Errorf("-rate-limit %d is negative", *rateLimit)
	}
	mode, err := sandbox.ParseAPIMode(*api)
	if err != nil {
		return fmt.Errorf("-api %q is neither published nor extended", *api)
	}

	var seed *sandbox.Seed
	if *seedFile != "" {
		data, err := os.ReadFile(*seedFile)
		if err != nil {
			return fmt.Errorf("-seed: %w", err)
		}
		if seed, err = sandbox.ParseSeed(*seedFile, data); err != nil {
			return err
		}
	}

	logger := log.New(os.Stderr, "stackone-sandbox: ", log.LstdFlags|log.Lmicroseconds)
	sb, err := sandbox.Start(sandbox.Options{
		Addr:       *addr,
		AuthzAddr:  *authzAddr,
		APIKey:     *apiKey,
		AdminToken: *adminToken,
		RateLimit:  *rateLimit,
		FaultRate:  *faultRate,
		AppScopes:  splitScopes(*appScopes),
		Logf:       logger.Printf,
		API:        mode,
		Seed:       seed,
	})
	if err != nil {
		return explainListenError(err)
	}

	var lines, fileLines strings.Builder
	for _, kv := range sb.Env() {
		fmt.Fprintf(&lines, "%s=%s\n", kv.Key, kv.Value)
		fmt.Fprintf(&fileLines, "%s=%s\n", kv.Key, shellQuote(kv.Value))
	}
	if *envFile != "" {
		if err := writeEnvFile(*envFile, fileLines.String()); err != nil {
			_ = sb.Close()
			return err
		}
	}
	// One write, so that a reader sees all lines at once.
	if _, err := io.WriteString(stdout, lines.String()); err != nil {
		_ = sb.Close()
		return err
	}
	logger.Printf("StackOne API (%s) on %s, authorization server on %s", sb.API(), sb.BaseURL(), sb.AuthzURL())

	<-ctx.Done()
	logger.Printf("shutting down")
	shutdownCtx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	return sb.Shutdown(shutdownCtx)
}

// explainListenError says which flag moves a listener whose port is taken,
// instead of a bare "bind: address already in use".
func explainListenError(err error) error {
	var le *sandbox.ListenError
	if !errors.As(err, &le) {
		return err
	}
	flagName := "-addr"
	if le.Listener == sandbox.ListenerAuthz {
		flagName = "-authz-addr"
	}
	if errors.Is(err, syscall.EADDRINUSE) {
		return fmt.Errorf("%s is already in use, so the %s cannot listen there (%s): stop what listens on it, or give another address with %s, e.g. %s 127.0.0.1:0 for a free port (the printed URLs and the -env-file carry the real ones; with make: make sandbox SANDBOX_FLAGS=\"%s 127.0.0.1:0\")",
			le.Addr, le.Listener, flagName, flagName, flagName, flagName)
	}
	return fmt.Errorf("the %s cannot listen on %s (%s): %v", le.Listener, le.Addr, flagName, le.Err)
}

// shellQuote writes a value so that `source`-ing the env file sets it as
// is: in single quotes when it holds anything a shell would read specially
// (ZOOMINFO_REGISTERED_SCOPES holds spaces), bare otherwise. A line-by-line
// reader strips one pair of surrounding single quotes (README).
func shellQuote(v string) string {
	if v != "" && strings.IndexFunc(v, shellSpecial) < 0 {
		return v
	}
	return "'" + strings.ReplaceAll(v, "'", `'\''`) + "'"
}

// shellSpecial reports whether a shell reads r as anything but itself.
func shellSpecial(r rune) bool {
	safe := r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9' || strings.ContainsRune("_-./:@%+,=", r)
	return !safe
}

const usageHead = `Usage: stackone-sandbox [flags]

Runs an imitation of StackOne's API and a ZoomInfo-style authorization server
on loopback until interrupted, and prints (and with -env-file writes) the
KEY=value lines that point the provider at it: STACKONE_BASE_URL,
STACKONE_API_KEY, SANDBOX_ADMIN_TOKEN, ZOOMINFO_AUTHORIZATION_ENDPOINT,
ZOOMINFO_TOKEN_ENDPOINT, ZOOMINFO_ISSUER, ZOOMINFO_CLIENT_ID,
ZOOMINFO_CLIENT_SECRET, ZOOMINFO_REGISTERED_SCOPES, SANDBOX_USER,
SANDBOX_PASSWORD, ZOOMINFO_GATEWAY_AUTHORIZATION_ENDPOINT,
ZOOMINFO_GATEWAY_TOKEN_ENDPOINT. Load them with: set -a; . FILE; set +a

Flags:
`

const usageTail = `
Admin endpoints on STACKONE_BASE_URL (Authorization: Bearer $SANDBOX_ADMIN_TOKEN,
in both -api modes): the StackOne dashboard's stand-in
  POST   /admin/connector_profiles        create a profile; 201 with it
  PATCH  /admin/connector_profiles/{id}   change the fields sent; 200 with it
  DELETE /admin/connector_profiles/{id}   delete it and its pin; 204
  GET    /admin/stats                     request counts by "METHOD /route"
  POST   /admin/reset                     forget everything, reload -seed; 204
A profile body (POST needs the first five fields; connector_key and
authentication_config_key cannot change):
  {"connector_key": "zoominfo", "authentication_config_key":
   "oauth2_authorization_code_pkce", "name": "ZoomInfo", "client_id": "...",
   "client_secret": "...", "scopes": ["api:data:contact"],
   "actions": ["zoominfo_search_contacts"], "active": true}
e.g. curl -fsS -X PATCH -H "Authorization: Bearer $SANDBOX_ADMIN_TOKEN" \
       -H 'Content-Type: application/json' -d '{"name": "Renamed"}' \
       "$STACKONE_BASE_URL/admin/connector_profiles/$PROFILE_ID"
The ZoomInfo app, on the authorization server's host: POST, GET, PATCH
/admin/apps[/{client_id}] with {"client_secret", "redirect_uris", "scopes",
"pkce_required", "grant_types"}.
`

func splitScopes(s string) []string {
	return strings.FieldsFunc(s, func(r rune) bool { return r == ',' || r == ' ' || r == '\t' || r == '\n' })
}

// writeEnvFile replaces path atomically with a 0600 file, so that a script
// polling for it never reads half of it and the secrets in it stay private.
func writeEnvFile(path, content string) error {
	f, err := os.CreateTemp(filepath.Dir(path), ".stackone-sandbox-env-*")
	if err != nil {
		return fmt.Errorf("writing env file: %w", err)
	}
	defer os.Remove(f.Name()) // fails harmlessly once renamed
	if err := f.Chmod(0o600); err != nil {
		f.Close()
		return fmt.Errorf("writing env file: %w", err)
	}
	if _, err := f.WriteString(content); err != nil {
		f.Close()
		return fmt.Errorf("writing env file: %w", err)
	}
	if err := f.Close(); err != nil {
		return fmt.Errorf("writing env file: %w", err)
	}
	if err := os.Rename(f.Name(), path); err != nil {
		return fmt.Errorf("writing env file: %w", err)
	}
	return nil
}
