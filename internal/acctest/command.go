package acctest

import (
	"context"
	"flag"
	"fmt"
	"io"
	"os"
	"os/signal"
	"strings"
	"syscall"

	"github.com/stackonehq/terraform-provider-stackone/internal/provider"
	"github.com/stackonehq/terraform-provider-stackone/internal/stackone"
)

// EnvAdminToken is the sandbox's admin bearer token, as the sandbox prints it.
const EnvAdminToken = "SANDBOX_ADMIN_TOKEN"

// RunCommand is the start-up of the harness's commands (stackone-link,
// stackone-dashboard): run until done or interrupted, and on failure print
// "name: error" and exit 1.
func RunCommand(name string, run func(ctx context.Context, args []string, out io.Writer) error) {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	err := run(ctx, os.Args[1:], os.Stdout)
	stop()
	if err != nil {
		fmt.Fprintln(os.Stderr, name+":", err)
		os.Exit(1)
	}
}

// CommandFlags is the flag set of a harness command, with the -profile flag
// every one of them takes.
func CommandFlags(name string) (fs *flag.FlagSet, profileID *string) {
	fs = flag.NewFlagSet(name, flag.ContinueOnError)
	return fs, fs.String("profile", "", "connector profile id (required)")
}

// TargetFromEnv is the target a running sandbox (or StackOne) describes in
// the environment the provider reads (provider.EnvBaseURL,
// provider.EnvAPIKey), plus the sandbox's admin token when set. It fails
// naming the variables that are missing.
func TargetFromEnv(userAgent string, needAPIKey bool) (*Target, error) {
	tg := &Target{BaseURL: os.Getenv(provider.EnvBaseURL), APIKey: os.Getenv(provider.EnvAPIKey), AdminToken: os.Getenv(EnvAdminToken)}
	var missing []string
	if tg.BaseURL == "" {
		missing = append(missing, provider.EnvBaseURL)
	}
	if needAPIKey && tg.APIKey == "" {
		missing = append(missing, provider.EnvAPIKey)
	}
	if len(missing) > 0 {
		return nil, fmt.Errorf("set %s (the sandbox prints them)", strings.Join(missing, " and "))
	}
	if tg.APIKey != "" {
		client, err := stackone.New(stackone.Config{BaseURL: tg.BaseURL, APIKey: tg.APIKey, UserAgent: userAgent})
		if err != nil {
			return nil, err
		}
		tg.Client = client
	}
	return tg, nil
}
