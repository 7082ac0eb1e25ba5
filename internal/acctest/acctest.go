// Package acctest wires Terraform-driven tests to a target: an in-process
// sandbox by default, or the live StackOne API when TF_ACC=1 and
// STACKONE_API_KEY are set (make testacc).
package acctest

import (
	"context"
	"fmt"
	"os"
	"os/exec"
	"strings"
	"testing"

	"github.com/hashicorp/terraform-plugin-go/tfprotov6"

	"github.com/stackonehq/terraform-provider-stackone/internal/provider"
	"github.com/stackonehq/terraform-provider-stackone/internal/sandbox"
	"github.com/stackonehq/terraform-provider-stackone/internal/stackone"
)

// ProviderName is the provider's local name in test configurations.
const ProviderName = "stackone"

// ProtoV6ProviderFactories serves the provider in-process to the Terraform
// CLI that terraform-plugin-testing runs.
func ProtoV6ProviderFactories() map[string]func() (tfprotov6.ProviderServer, error) {
	return map[string]func() (tfprotov6.ProviderServer, error){
		// As main.go serves it (provider.ProtocolServer around the framework).
		ProviderName: func() (tfprotov6.ProviderServer, error) {
			return provider.ProtocolServer(provider.New("test"))(), nil
		},
	}
}

// PrepareTerraformCLI points terraform-plugin-testing at the terraform binary
// on PATH (it would otherwise try to download one, which cannot work offline)
// and turns off checkpoint calls. Call it from TestMain; a missing terraform
// is an error, never a reason to skip.
func PrepareTerraformCLI() error {
	if os.Getenv("TF_ACC_TERRAFORM_PATH") == "" {
		bin, err := exec.LookPath("terraform")
		if err != nil {
			return fmt.Errorf("terraform is not on PATH: install Terraform >= 1.11 (these tests drive the real CLI) or set TF_ACC_TERRAFORM_PATH")
		}
		os.Setenv("TF_ACC_TERRAFORM_PATH", bin)
	}
	os.Setenv("CHECKPOINT_DISABLE", "1")
	// A CLI config of our own, whatever TF_CLI_CONFIG_FILE said: the user's
	// (with dev_overrides or credentials) must not leak in, and one that
	// names a missing file makes OpenTofu print a warning on stdout ahead of
	// its version, which terraform-plugin-testing then cannot read.
	f, err := os.CreateTemp("", "stackone-acctest-*.tfrc")
	if err != nil {
		return err
	}
	f.Close()
	os.Setenv("TF_CLI_CONFIG_FILE", f.Name())
	return nil
}

// Target is where a test's Terraform configuration is applied.
type Target struct {
	// Sandbox is the in-process sandbox, or nil against live StackOne.
	Sandbox *sandbox.Sandbox
	BaseURL string
	APIKey  string
	// AdminToken is the sandbox's admin bearer token, when known without an
	// in-process sandbox (a sandbox run as a command prints it).
	AdminToken string
	// Client talks to the same API, for out-of-band changes and checks.
	Client *stackone.Client
	// LinkOwner, when set, is the origin_owner_id (the customer) that
	// StartLink's connect sessions link accounts for; else a random one.
	LinkOwner string
}

// Live reports whether tests run against the live StackOne API.
func Live() bool {
	return os.Getenv("TF_ACC") != "" && os.Getenv("STACKONE_API_KEY") != ""
}

// New returns the test's target: a fresh sandbox closed at the end of the
// test, or live StackOne under make testacc.
func New(t testing.TB) *Target {
	t.Helper()
	return NewWithOptions(t, sandbox.Options{})
}

// NewWithOptions is New with sandbox options (ignored against live StackOne).
func NewWithOptions(t testing.TB, opts sandbox.Options) *Target {
	t.Helper()
	tg := &Target{}
	if Live() {
		tg.APIKey = os.Getenv("STACKONE_API_KEY")
		tg.BaseURL = os.Getenv("STACKONE_BASE_URL")
		if tg.BaseURL == "" {
			tg.BaseURL = stackone.DefaultBaseURL
		}
	} else {
		sb, err := sandbox.Start(opts)
		if err != nil {
			t.Fatalf("start sandbox: %v", err)
		}
		t.Cleanup(func() { sb.Close() })
		tg.Sandbox, tg.BaseURL, tg.APIKey = sb, sb.BaseURL(), sb.APIKey()
	}
	client, err := stackone.New(stackone.Config{
		BaseURL: tg.BaseURL, APIKey: tg.APIKey, UserAgent: "terraform-provider-stackone-acctest",
		RequestsPerMinute: 60000, // test setup is not the subject of the rate limit
	})
	if err != nil {
		t.Fatalf("client: %v", err)
	}
	tg.Client = client
	return tg
}

// RequireSandbox skips a test that needs the sandbox's internals (its
// counters, fault injection or authorization server) when running live.
func (tg *Target) RequireSandbox(t testing.TB) {
	t.Helper()
	if tg.Sandbox == nil {
		t.Skip("needs the in-process sandbox; not run against live StackOne")
	}
}

// ProviderConfig is the provider block for this target, followed by extra
// provider attributes given as HCL lines.
func (tg *Target) ProviderConfig(extra ...string) string {
	return fmt.Sprintf("provider %q {\n  api_key  = %q\n  base_url = %q\n  %s\n}\n", ProviderName, tg.APIKey, tg.BaseURL, strings.Join(extra, "\n  "))
}

// ReadProfile reads profile id from a fresh list of every profile (never the
// client's snapshot, which keeps what it read first): tests use it to see
// what the server holds now.
func (tg *Target) ReadProfile(ctx context.Context, id string) (*stackone.ConnectorProfile, error) {
	profiles, err := tg.Client.ListConnectorProfiles(ctx, stackone.ListConnectorProfilesOptions{})
	if err != nil {
		return nil, err
	}
	for i := range profiles {
		if profiles[i].ID == id {
			return &profiles[i], nil
		}
	}
	return nil, fmt.Errorf("%w: no profile %q in GET /connector_profiles", stackone.ErrProfileNotFound, id)
}

// Strings is the list p points to, or nil: extension lists are pointers,
// nil when the server does not report them.
func Strings(p *[]string) []string {
	if p == nil {
		return nil
	}
	return *p
}

// RequireProfileWrites skips a test that creates, changes or deletes
// connector profiles through the API when the target does not accept
// profile writes (StackOne's published API, as live StackOne serves it
// today; the sandbox's -api published), saying so. Against live StackOne it
// asks the way the provider's plan does (Client.ProfileWrites: without side
// effects, once per Client).
func (tg *Target) RequireProfileWrites(t testing.TB) {
	t.Helper()
	if tg.Sandbox != nil {
		if tg.Sandbox.API() == sandbox.APIPublished {
			t.Skip("the sandbox serves StackOne's published API only (-api published): no connector profile writes")
		}
		return
	}
	if support, _, _ := tg.Client.ProfileWrites(context.Background()); support == stackone.WritesRefused {
		t.Skipf("StackOne at %s does not accept connector profile writes (its published API lists profiles read-only): skipping a test that writes them", tg.BaseURL)
	}
}
