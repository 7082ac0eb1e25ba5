package main

import (
	"bytes"
	"context"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"time"

	"github.com/stackonehq/terraform-provider-stackone/internal/bench"
)

// procLogEnv names the file the provider wrapper appends its PID to.
const procLogEnv = "STACKONE_BENCH_PROC_LOG"

// runner runs the terraform on PATH with a dev_overrides CLI config that
// points at the wrapper of the provider built for the benchmark.
type runner struct {
	tfBin        string
	env          []string
	procLog      string
	providerExes []string // the real provider binaries, for /proc/PID/exe
	pollEvery    time.Duration
}

// run is one terraform command.
type run struct {
	Wall time.Duration
	Code int
	// CPU is user+system time of terraform and of the children it reaped
	// (the provider processes).
	CPU time.Duration
	// Procs describes the provider processes the command started.
	Procs bench.ProcSummary
	// Out is the combined output (kept for error reports).
	Out string
}

// setup builds the provider (from root) into dir and writes the wrapper and
// CLI config; withNull also builds the do-nothing framework provider
// (benchnull, from benchDir).
func setup(root, benchDir, dir string, withNull bool) (*runner, time.Duration, error) {
	tfBin, err := exec.LookPath("terraform")
	if err != nil {
		return nil, 0, fmt.Errorf("terraform is not on PATH: %w", err)
	}
	realDir := filepath.Join(dir, "provider-bin")
	overrideDir := filepath.Join(dir, "provider-override")
	for _, d := range []string{realDir, overrideDir} {
		if err := os.MkdirAll(d, 0o755); err != nil {
			return nil, 0, err
		}
	}
	exe := filepath.Join(realDir, "terraform-provider-stackone")
	start := time.Now()
	build := exec.Command("go", "build", "-trimpath", "-o", exe, ".")
	build.Dir = root
	if out, err := build.CombinedOutput(); err != nil {
		return nil, 0, fmt.Errorf("go build: %v\n%s", err, out)
	}
	buildTime := time.Since(start)
	nullDir := filepath.Join(dir, "benchnull-override")
	nullExe := filepath.Join(realDir, "terraform-provider-benchnull")
	if withNull {
		build := exec.Command("go", "build", "-trimpath", "-o", nullExe, "./cmd/benchnull-provider")
		build.Dir = benchDir
		if out, err := build.CombinedOutput(); err != nil {
			return nil, 0, fmt.Errorf("go build benchnull-provider: %v\n%s", err, out)
		}
		if err := writeWrapper(filepath.Join(nullDir, "terraform-provider-benchnull"), nullExe); err != nil {
			return nil, 0, err
		}
	}

	// The wrapper logs its PID and execs the provider: the PID stays the
	// same, so terraform talks to the real binary and the watcher can find it.
	if err := writeWrapper(filepath.Join(overrideDir, "terraform-provider-stackone"), exe); err != nil {
		return nil, 0, err
	}
	rc := filepath.Join(dir, "terraformrc")
	rcText := fmt.Sprintf("provider_installation {\n  dev_overrides {\n    %q = %q\n    %q = %q\n  }\n  direct {}\n}\n",
		"stackonehq/stackone", overrideDir, "stackonehq/benchnull", nullDir)
	if err := os.WriteFile(rc, []byte(rcText), 0o600); err != nil {
		return nil, 0, err
	}
	procLog := filepath.Join(dir, "provider-pids.log")

	var env []string
	for _, kv := range os.Environ() {
		k, _, _ := strings.Cut(kv, "=")
		if strings.HasPrefix(k, "TF_LOG") || strings.HasPrefix(k, "TF_CLI_ARGS") || strings.HasPrefix(k, "STACKONE_") ||
			k == "TF_CLI_CONFIG_FILE" || k == "TF_DATA_DIR" || k == "TF_PLUGIN_CACHE_DIR" || k == "CHECKPOINT_DISABLE" {
			continue
		}
		env = append(env, kv)
	}
	env = append(env, "TF_CLI_CONFIG_FILE="+rc, "CHECKPOINT_DISABLE=1", "TF_IN_AUTOMATION=1", procLogEnv+"="+procLog)
	return &runner{tfBin: tfBin, env: env, procLog: procLog, providerExes: []string{exe, nullExe}, pollEvery: 10 * time.Millisecond}, buildTime, nil
}

// writeWrapper writes an executable script at path that logs its PID and
// execs exe.
func writeWrapper(path, exe string) error {
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		return err
	}
	wrapper := fmt.Sprintf("#!/bin/sh\n[ -n \"$%[1]s\" ] && echo $$ >> \"$%[1]s\"\nexec %[2]q \"$@\"\n", procLogEnv, exe)
	return os.WriteFile(path, []byte(wrapper), 0o755) //nolint:gosec // an executable script by design
}

// terraform runs one command in dir and measures it.
func (r *runner) terraform(dir string, args ...string) (run, error) {
	return r.terraformEnv(dir, nil, args...)
}

// terraformEnv is terraform with extra environment variables (which the
// provider processes inherit).
func (r *runner) terraformEnv(dir string, extraEnv []string, args ...string) (run, error) {
	watch, err := bench.WatchProcs(r.procLog, r.pollEvery, r.providerExes...)
	if err != nil {
		return run{}, err
	}
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Minute)
	defer cancel()
	cmd := exec.CommandContext(ctx, r.tfBin, append(args, "-no-color")...)
	cmd.Dir, cmd.Env = dir, append(slices.Clone(r.env), extraEnv...)
	var out bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &out
	start := time.Now()
	err = cmd.Run()
	wall := time.Since(start)
	procs := watch.Stop()
	res := run{Wall: wall, Procs: procs, Out: out.String()}
	if cmd.ProcessState != nil {
		res.Code = cmd.ProcessState.ExitCode()
		res.CPU = cmd.ProcessState.UserTime() + cmd.ProcessState.SystemTime()
	}
	if _, ok := err.(*exec.ExitError); err != nil && !ok {
		return res, fmt.Errorf("terraform %s: %w", strings.Join(args, " "), err)
	}
	return res, nil
}

// tail returns the last n lines of s, for error reports.
func tail(s string, n int) string {
	lines := strings.Split(strings.TrimRight(s, "\n"), "\n")
	if len(lines) > n {
		lines = lines[len(lines)-n:]
	}
	return strings.Join(lines, "\n")
}

// freshState removes the state of a working directory.
func freshState(dir string) error {
	for _, f := range []string{"terraform.tfstate", "terraform.tfstate.backup", ".terraform.tfstate.lock.info"} {
		if err := os.Remove(filepath.Join(dir, f)); err != nil && !os.IsNotExist(err) {
			return err
		}
	}
	return nil
}
