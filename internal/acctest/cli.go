package acctest

import (
	"bufio"
	"bytes"
	"context"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
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

// Running is a terraform command started with Start, whose output the test
// reads while it runs (an action that prints a link, then waits for it to be
// followed).
type Running struct {
	t       testing.TB
	cmd     *exec.Cmd
	mu      sync.Mutex
	lines   []string
	changed chan struct{} // signalled when a line arrives or the output ends
	ended   bool
	done    chan struct{}
	code    int
}

// Start starts terraform with args in the working directory. Read its output
// with WaitForLine; Wait for its end. The test's cleanup kills it if the test
// ends first.
func (c *CLI) Start(args ...string) *Running {
	c.t.Helper()
	bin := os.Getenv("TF_ACC_TERRAFORM_PATH")
	if bin == "" {
		bin = "terraform"
	}
	r := &Running{t: c.t, changed: make(chan struct{}, 1), done: make(chan struct{})}
	r.cmd = exec.Command(bin, append(args, "-no-color")...)
	r.cmd.Dir, r.cmd.Env = c.Dir, c.env
	pr, pw, err := os.Pipe()
	if err != nil {
		c.t.Fatal(err)
	}
	r.cmd.Stdout, r.cmd.Stderr = pw, pw
	if err := r.cmd.Start(); err != nil {
		c.t.Fatalf("terraform %s: %v", strings.Join(args, " "), err)
	}
	pw.Close() // the child holds its own copy
	go func() {
		sc := bufio.NewScanner(pr)
		sc.Buffer(make([]byte, 64*1024), 1<<20)
		for sc.Scan() {
			r.mu.Lock()
			r.lines = append(r.lines, sc.Text())
			r.mu.Unlock()
			r.signal()
		}
		pr.Close()
		err := r.cmd.Wait()
		if exitErr, ok := err.(*exec.ExitError); ok {
			r.code = exitErr.ExitCode()
		} else if err != nil {
			r.code = -1
		}
		r.mu.Lock()
		r.ended = true
		r.mu.Unlock()
		r.signal()
		close(r.done)
	}()
	c.t.Cleanup(func() {
		select {
		case <-r.done:
		default:
			_ = r.cmd.Process.Kill()
			<-r.done
		}
	})
	return r
}

func (r *Running) signal() {
	select {
	case r.changed <- struct{}{}:
	default:
	}
}

// WaitForLine returns the submatches of the first output line matching re,
// or fails the test when the command ends (or ctx does) without one.
func (r *Running) WaitForLine(ctx context.Context, re *regexp.Regexp) []string {
	r.t.Helper()
	next := 0
	for {
		r.mu.Lock()
		lines, ended := r.lines[next:], r.ended
		next = len(r.lines)
		r.mu.Unlock()
		for _, l := range lines {
			if m := re.FindStringSubmatch(l); m != nil {
				return m
			}
		}
		if ended {
			out, code := r.Wait()
			r.t.Fatalf("terraform ended (exit %d) without a line matching %s:\n%s", code, re, out)
		}
		select {
		case <-r.changed:
		case <-ctx.Done():
			r.t.Fatalf("no line matching %s: %v", re, ctx.Err())
		}
	}
}

// Wait waits for the command to end and returns its output and exit code.
func (r *Running) Wait() (string, int) {
	<-r.done
	r.mu.Lock()
	defer r.mu.Unlock()
	return strings.Join(r.lines, "\n"), r.code
}
