package acctest

import (
	"bytes"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strings"
	"sync"
	"testing"
)

var (
	buildOnce sync.Once
	buildDir  string
	buildErr  error
)

// CLI runs the real terraform binary against a provider binary built from
// this module, installed through a dev_overrides CLI config, as a user would
// run it. It covers what terraform-plugin-testing cannot drive, such as
// editing a configuration that -generate-config-out wrote.
type CLI struct {
	t   testing.TB
	Dir string
	env []string
}

// RemoveBuilds deletes the provider binary NewCLI built; call it from
// TestMain after the tests ran.
func RemoveBuilds() {
	if buildDir != "" {
		_ = os.RemoveAll(buildDir)
	}
}

// NewCLI builds the provider once per test binary and returns a CLI working
// in a fresh directory, with the target's credentials in the environment.
func NewCLI(t testing.TB, tg *Target) *CLI {
	t.Helper()
	buildOnce.Do(func() {
		// One build shared by every test of the binary, so not t.TempDir.
		buildDir, buildErr = os.MkdirTemp("", "stackone-provider-bin-*") //nolint:usetesting
		if buildErr != nil {
			return
		}
		_, file, _, _ := runtime.Caller(0)
		root := filepath.Join(filepath.Dir(file), "..", "..")
		cmd := exec.Command("go", "build", "-o", filepath.Join(buildDir, "terraform-provider-stackone"), ".")
		cmd.Dir = root
		if out, err := cmd.CombinedOutput(); err != nil {
			buildErr = fmt.Errorf("go build: %v\n%s", err, out)
		}
	})
	if buildErr != nil {
		t.Fatal(buildErr)
	}
	dir := t.TempDir()
	rc := filepath.Join(dir, ".terraformrc")
	rcText := fmt.Sprintf("provider_installation {\n  dev_overrides {\n    %q = %q\n  }\n  direct {}\n}\n", "stackonehq/stackone", buildDir)
	if err := os.WriteFile(rc, []byte(rcText), 0o600); err != nil {
		t.Fatal(err)
	}
	env := append(os.Environ(),
		"TF_CLI_CONFIG_FILE="+rc, "CHECKPOINT_DISABLE=1", "TF_IN_AUTOMATION=1",
		"STACKONE_API_KEY="+tg.APIKey, "STACKONE_BASE_URL="+tg.BaseURL,
	)
	return &CLI{t: t, Dir: dir, env: env}
}

// WriteFile writes a file into the working directory.
func (c *CLI) WriteFile(name, content string) {
	c.t.Helper()
	if err := os.WriteFile(filepath.Join(c.Dir, name), []byte(content), 0o600); err != nil {
		c.t.Fatal(err)
	}
}

// ReadFile reads a file of the working directory.
func (c *CLI) ReadFile(name string) string {
	c.t.Helper()
	b, err := os.ReadFile(filepath.Join(c.Dir, name))
	if err != nil {
		c.t.Fatal(err)
	}
	return string(b)
}

// Run runs terraform with args and returns its combined output and exit code.
func (c *CLI) Run(args ...string) (string, int) {
	c.t.Helper()
	bin := os.Getenv("TF_ACC_TERRAFORM_PATH")
	if bin == "" {
		bin = "terraform"
	}
	cmd := exec.Command(bin, append(args, "-no-color")...)
	cmd.Dir, cmd.Env = c.Dir, c.env
	var out bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &out
	err := cmd.Run()
	code := 0
	if exitErr, ok := err.(*exec.ExitError); ok {
		code = exitErr.ExitCode()
	} else if err != nil {
		c.t.Fatalf("terraform %s: %v", strings.Join(args, " "), err)
	}
	return out.String(), code
}

// Setenv sets an environment variable for the following runs, replacing an
// inherited value of the same name (for example TF_LOG and TF_LOG_PATH).
func (c *CLI) Setenv(key, value string) {
	prefix := key + "="
	env := c.env[:0:0]
	for _, kv := range c.env {
		if !strings.HasPrefix(kv, prefix) {
			env = append(env, kv)
		}
	}
	c.env = append(env, prefix+value)
}
