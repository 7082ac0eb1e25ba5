// Command stackone-sandbox runs the StackOne API sandbox and its ZoomInfo-style
// authorization server until interrupted, for people, scripts and `make demo`.
//
//	stackone-sandbox [-addr 127.0.0.1:8080] [-authz-addr 127.0.0.1:8081] [-env-file PATH]
//	                 [-app-scopes "a b"] [-rate-limit N] [-fault-rate 0..1] [-api-key K] [-admin-token T]
//	                 [-api published|extended]
//
// -api published serves only what StackOne publishes (as live StackOne does
// today): the extension's profile writes answer 404 like unknown routes, and
// profiles are created and edited through the dashboard stand-in
// (POST/PATCH /admin/connector_profiles, bearer SANDBOX_ADMIN_TOKEN). -api
// extended, the default, serves both. -rate-limit N allows N requests per
// API key in any 60 seconds.
//
// Once both listeners are up it prints KEY=value lines describing them
// (STACKONE_BASE_URL, STACKONE_API_KEY, SANDBOX_ADMIN_TOKEN, ZOOMINFO_*, …) to
// stdout and, with -env-file, writes them to that file (mode 0600), quoted
// for the shell where needed so that `set -a; source FILE` works. Requests
// are logged to stderr without headers or bodies.
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
	addr := fs.String("addr", "127.0.0.1:8080", "StackOne API listen address (port 0 picks a free port)")
	authzAddr := fs.String("authz-addr", "127.0.0.1:8081", "authorization server listen address (port 0 picks a free port)")
	envFile := fs.String("env-file", "", "also write the KEY=value lines to this file (mode 0600)")
	appScopes := fs.String("app-scopes", "", "scopes registered on the seeded ZoomInfo app, space or comma separated (default: a subset of the catalog)")
	rateLimit := fs.Int("rate-limit", 0, "requests per minute per API key; 0 = unlimited")
	faultRate := fs.Float64("fault-rate", 0, "share of requests (0..1) failing with 500/503, 429, or a connection dropped after the change is committed")
	apiKey := fs.String("api-key", "", "fixed StackOne API key (default: generated)")
	adminToken := fs.String("admin-token", "", "fixed admin bearer token (default: generated)")
	api := fs.String("api", string(sandbox.APIExtended), "published: only StackOne's published API (profile writes answer 404); extended: also this project's profile-write extension")
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
	})
	if err != nil {
		return err
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
