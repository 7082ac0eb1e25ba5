package acctest

import (
	"context"
	"fmt"
	"os"
	"os/exec"
	"regexp"
	"sync"
	"testing"

	"github.com/hashicorp/go-version"
	"github.com/hashicorp/terraform-plugin-testing/tfversion"
)

// CLIProduct says which CLI the tests drive: Terraform or OpenTofu. Their
// version numbers are separate lines (OpenTofu 1.12 is not Terraform 1.12),
// and terraform-plugin-testing's version checks see only the number.
type CLIProduct string

// The CLIs the suite runs on.
const (
	ProductTerraform CLIProduct = "Terraform"
	ProductOpenTofu  CLIProduct = "OpenTofu"
)

var (
	cliOnce    sync.Once
	cliProduct CLIProduct
	cliVersion *version.Version
	cliErr     error
)

// cliVersionLine is the first line of `terraform version` / `tofu version`.
var cliVersionLine = regexp.MustCompile(`(?m)^(Terraform|OpenTofu) v(\S+)`)

// CLIVersion runs the CLI of TF_ACC_TERRAFORM_PATH (else terraform on PATH)
// once and returns which product and version it is.
func CLIVersion() (CLIProduct, *version.Version, error) {
	cliOnce.Do(func() {
		bin := os.Getenv("TF_ACC_TERRAFORM_PATH")
		if bin == "" {
			bin = "terraform"
		}
		cmd := exec.Command(bin, "version")
		cmd.Env = append(os.Environ(), "CHECKPOINT_DISABLE=1")
		out, err := cmd.Output() // stdout only: CLI config warnings go to stderr
		if err != nil {
			cliErr = fmt.Errorf("%s version: %w", bin, err)
			return
		}
		m := cliVersionLine.FindSubmatch(out)
		if m == nil {
			cliErr = fmt.Errorf("%s version: cannot read a version in %q", bin, out)
			return
		}
		cliProduct = CLIProduct(m[1])
		cliVersion, cliErr = version.NewVersion(string(m[2]))
	})
	return cliProduct, cliVersion, cliErr
}

// ActionsSupported is the version check of a test that declares an action
// (Terraform 1.14 and later; OpenTofu has none, opentofu/opentofu#3309): it
// skips, saying why, on a CLI without them. For resource.TestCase's
// TerraformVersionChecks; tests that run the CLI themselves call
// RequireActions.
func ActionsSupported() tfversion.TerraformVersionCheck { return actionsCheck{} }

type actionsCheck struct{}

func (actionsCheck) CheckTerraformVersion(ctx context.Context, req tfversion.CheckTerraformVersionRequest, resp *tfversion.CheckTerraformVersionResponse) {
	product, _, err := CLIVersion()
	if err != nil {
		resp.Error = err
		return
	}
	if product == ProductOpenTofu {
		resp.Skip = fmt.Sprintf("OpenTofu %s does not support actions (opentofu/opentofu#3309): skipping a test of the stackone_connect_link action", req.TerraformVersion)
		return
	}
	tfversion.SkipBelow(tfversion.Version1_14_0).CheckTerraformVersion(ctx, req, resp)
	if resp.Skip != "" {
		resp.Skip = "actions need Terraform 1.14 or later: " + resp.Skip
	}
}

// RequireActions skips a test that runs the CLI itself with an action in its
// configuration when the CLI has no actions, as ActionsSupported does.
func RequireActions(t testing.TB) {
	t.Helper()
	_, v, err := CLIVersion()
	if err != nil {
		t.Fatal(err)
	}
	var resp tfversion.CheckTerraformVersionResponse
	actionsCheck{}.CheckTerraformVersion(context.Background(), tfversion.CheckTerraformVersionRequest{TerraformVersion: v}, &resp)
	if resp.Error != nil {
		t.Fatal(resp.Error)
	}
	if resp.Skip != "" {
		t.Skip(resp.Skip)
	}
}
