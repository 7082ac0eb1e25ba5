package provider_test

import (
	"fmt"
	"os"
	"testing"

	"github.com/stackonehq/terraform-provider-stackone/internal/acctest"
)

func TestMain(m *testing.M) {
	if err := acctest.PrepareTerraformCLI(); err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	code := m.Run()
	acctest.RemoveBuilds()
	os.Exit(code)
}
