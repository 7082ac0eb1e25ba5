package main

import (
	"bufio"
	"context"
	"encoding/json"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"
)

// lockedBuffer is stdout for run while the test reads it.
type lockedBuffer struct {
	mu sync.Mutex
	b  strings.Builder
}

func (l *lockedBuffer) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.Write(p)
}

func (l *lockedBuffer) String() string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.String()
}

func parseEnv(t *testing.T, s string) (keys []string, env map[string]string) {
	t.Helper()
	env = map[string]string{}
	sc := bufio.NewScanner(strings.NewReader(s))
	for sc.Scan() {
		k, v, ok := strings.Cut(sc.Text(), "=")
		if !ok {
			t.Fatalf("line %q is not KEY=value", sc.Text())
		}
		keys = append(keys, k)
		env[k] = v
	}
	return keys, env
}

// startRun runs the command with args until the test ends and waits for its
// env lines; stop cancels it and waits for run to return.
func startRun(t *testing.T, args ...string) (out *lockedBuffer, stop func()) {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	out = &lockedBuffer{}
	done := make(chan error, 1)
	go func() { done <- run(ctx, args, out) }()
	stopped := false
	stop = func() {
		t.Helper()
		if stopped {
			return
		}
		stopped = true
		cancel()
		select {
		case err := <-done:
			if err != nil {
				t.Fatalf("run: %v", err)
			}
		case <-time.After(15 * time.Second):
			t.Fatal("run did not return after cancel")
		}
	}
	t.Cleanup(stop)

	deadline := time.Now().Add(10 * time.Second)
	for out.String() == "" {
		select {
		case err := <-done:
			stopped = true
			t.Fatalf("run returned early: %v", err)
		default:
		}
		if time.Now().After(deadline) {
			t.Fatal("no env lines printed")
		}
		time.Sleep(10 * time.Millisecond)
	}
	return out, stop
}

func TestRun(t *testing.T) {
	envFile := filepath.Join(t.TempDir(), "sandbox.env")
	if err := os.WriteFile(envFile, []byte("stale"), 0o644); err != nil {
		t.Fatal(err)
	}
	out, stop := startRun(t, "-addr", "127.0.0.1:0", "-authz-addr", "127.0.0.1:0", "-env-file", envFile,
		"-app-scopes", "api:data:contact,openid profile", "-admin-token", "fixed-admin")
	keys, env := parseEnv(t, out.String())
	if len(keys) < 3 || !slices.Equal(keys[:3], []string{"STACKONE_BASE_URL", "STACKONE_API_KEY", "SANDBOX_ADMIN_TOKEN"}) {
		t.Fatalf("printed keys %v", keys)
	}
	if env["SANDBOX_ADMIN_TOKEN"] != "fixed-admin" || !strings.HasPrefix(env["STACKONE_API_KEY"], "v1.sandbox.") {
		t.Errorf("env = %v", env)
	}
	// Every key DESIGN.md promises to scripts, in that order.
	wantKeys := []string{"STACKONE_BASE_URL", "STACKONE_API_KEY", "SANDBOX_ADMIN_TOKEN",
		"ZOOMINFO_AUTHORIZATION_ENDPOINT", "ZOOMINFO_TOKEN_ENDPOINT", "ZOOMINFO_ISSUER", "ZOOMINFO_CLIENT_ID",
		"ZOOMINFO_CLIENT_SECRET", "ZOOMINFO_REGISTERED_SCOPES", "SANDBOX_USER", "SANDBOX_PASSWORD",
		"ZOOMINFO_GATEWAY_AUTHORIZATION_ENDPOINT", "ZOOMINFO_GATEWAY_TOKEN_ENDPOINT"}
	if !slices.Equal(keys, wantKeys) {
		t.Errorf("printed keys %v, want %v", keys, wantKeys)
	}
	for _, k := range wantKeys {
		if env[k] == "" {
			t.Errorf("%s is empty", k)
		}
	}
	if env["ZOOMINFO_REGISTERED_SCOPES"] != "api:data:contact openid profile" ||
		env["ZOOMINFO_AUTHORIZATION_ENDPOINT"] != env["ZOOMINFO_ISSUER"]+"/v1/authorize" ||
		!strings.HasPrefix(env["ZOOMINFO_CLIENT_ID"], "0oa") {
		t.Errorf("authorization server env = %v", env)
	}

	info, err := os.Stat(envFile)
	if err != nil {
		t.Fatal(err)
	}
	if info.Mode().Perm() != 0o600 {
		t.Errorf("env file mode %v", info.Mode().Perm())
	}
	// The env file sets every variable as printed, both when a shell
	// sources it and when the README's line-by-line loop reads it.
	for name, script := range map[string]string{
		"source":      `set -a; . "$1"; set +a; env`,
		"README loop": `while IFS='=' read -r k v; do v=${v#\'}; export "$k=${v%\'}"; done < "$1"; env`,
	} {
		got, err := exec.Command("bash", "-c", script, "bash", envFile).Output()
		if err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		_, sourced := parseEnv(t, string(got))
		for _, k := range wantKeys {
			if sourced[k] != env[k] {
				t.Errorf("%s of the env file: %s = %q, printed %q", name, k, sourced[k], env[k])
			}
		}
	}

	req, _ := http.NewRequest(http.MethodGet, env["STACKONE_BASE_URL"]+"/actions?filter[connectors]=zoominfo", nil)
	req.SetBasicAuth(env["STACKONE_API_KEY"], "")
	req.Header.Set("User-Agent", "main-test")
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	var page struct {
		Data []struct{ Key string } `json:"data"`
	}
	err = json.NewDecoder(resp.Body).Decode(&page)
	resp.Body.Close()
	if err != nil || resp.StatusCode != http.StatusOK || len(page.Data) != 1 || page.Data[0].Key != "zoominfo" {
		t.Fatalf("GET /actions: %d %v %+v", resp.StatusCode, err, page)
	}

	stop()
	if resp, err := http.Get(env["STACKONE_BASE_URL"] + "/actions"); err == nil {
		resp.Body.Close()
		t.Error("still serving after shutdown")
	}
}

// apiStatus sends an API request to a running command's sandbox.
func apiStatus(t *testing.T, env map[string]string, method, path, body string) int {
	t.Helper()
	req, _ := http.NewRequest(method, env["STACKONE_BASE_URL"]+path, strings.NewReader(body))
	req.SetBasicAuth(env["STACKONE_API_KEY"], "")
	req.Header.Set("User-Agent", "main-test")
	req.Header.Set("Content-Type", "application/json")
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	return resp.StatusCode
}

func TestRunAPIMode(t *testing.T) {
	profile := `{"connector_key":"zoominfo","authentication_config_key":"oauth2_authorization_code_pkce","name":"n","client_id":"c","client_secret":"s"}`
	for _, tc := range []struct {
		args       []string
		wantCreate int
	}{
		{nil, http.StatusCreated}, // extended is the default
		{[]string{"-api", "extended"}, http.StatusCreated},
		{[]string{"-api", "published"}, http.StatusNotFound},
	} {
		args := append([]string{"-addr", "127.0.0.1:0", "-authz-addr", "127.0.0.1:0"}, tc.args...)
		out, stop := startRun(t, args...)
		_, env := parseEnv(t, out.String())
		if got := apiStatus(t, env, http.MethodPost, "/connector_profiles", profile); got != tc.wantCreate {
			t.Errorf("%q: POST /connector_profiles = %d, want %d", tc.args, got, tc.wantCreate)
		}
		if got := apiStatus(t, env, http.MethodGet, "/connector_profiles", ""); got != http.StatusOK {
			t.Errorf("%q: GET /connector_profiles = %d", tc.args, got)
		}
		stop()
	}
}

func TestRunRejectsBadFlags(t *testing.T) {
	for _, args := range [][]string{
		{"-fault-rate", "1.5"},
		{"-rate-limit", "-1"},
		{"-api", "internal"},
		{"-nope"},
		{"extra"},
		{"-addr", "256.0.0.1:0", "-authz-addr", "127.0.0.1:0"},
	} {
		if err := run(context.Background(), args, &lockedBuffer{}); err == nil {
			t.Errorf("run(%q) succeeded", args)
		}
	}
}

func TestSplitScopes(t *testing.T) {
	if got := splitScopes(" a,b  c,,\td "); !slices.Equal(got, []string{"a", "b", "c", "d"}) {
		t.Errorf("splitScopes = %q", got)
	}
	if got := splitScopes(""); len(got) != 0 {
		t.Errorf("empty = %q", got)
	}
}

// A port already taken says which flag moves that listener, instead of a
// bare "bind: address already in use".
func TestRunBusyPortNamesTheFlag(t *testing.T) {
	out, _ := startRun(t, "-addr", "127.0.0.1:0", "-authz-addr", "127.0.0.1:0")
	_, env := parseEnv(t, out.String())
	apiAddr := strings.TrimPrefix(env["STACKONE_BASE_URL"], "http://")
	authzAddr := strings.TrimPrefix(strings.TrimSuffix(env["ZOOMINFO_ISSUER"], "/oauth2/default"), "http://")
	for _, tc := range []struct {
		args []string
		flag string
	}{
		{[]string{"-addr", apiAddr, "-authz-addr", "127.0.0.1:0"}, "-addr"},
		{[]string{"-addr", "127.0.0.1:0", "-authz-addr", authzAddr}, "-authz-addr"},
	} {
		err := run(context.Background(), tc.args, &lockedBuffer{})
		if err == nil {
			t.Fatalf("run(%q) succeeded on a busy port", tc.args)
		}
		msg := err.Error()
		for _, want := range []string{"already in use", tc.flag + " 127.0.0.1:0", `SANDBOX_FLAGS="` + tc.flag} {
			if !strings.Contains(msg, want) {
				t.Errorf("run(%q) = %q, want it to contain %q", tc.args, msg, want)
			}
		}
	}
}

// -seed loads the example seed file; a broken one stops the command with
// the file, line and field at fault.
func TestRunSeed(t *testing.T) {
	example := filepath.Join("..", "..", "examples", "testing", "seed.json")
	out, _ := startRun(t, "-addr", "127.0.0.1:0", "-authz-addr", "127.0.0.1:0", "-api", "published", "-seed", example)
	_, env := parseEnv(t, out.String())
	if env["ZOOMINFO_REGISTERED_SCOPES"] != "api:data:contact api:data:company api:data:intent" {
		t.Errorf("ZOOMINFO_REGISTERED_SCOPES = %q, want the seed's", env["ZOOMINFO_REGISTERED_SCOPES"])
	}
	req, _ := http.NewRequest(http.MethodGet, env["STACKONE_BASE_URL"]+"/connector_profiles", nil)
	req.SetBasicAuth(env["STACKONE_API_KEY"], "")
	req.Header.Set("User-Agent", "main-test")
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	var page struct {
		Data []struct{ ID, Name string } `json:"data"`
	}
	err = json.NewDecoder(resp.Body).Decode(&page)
	resp.Body.Close()
	if err != nil || len(page.Data) != 1 || page.Data[0].ID != "3f2b8c1e-7a4d-4e59-9b61-0c8d2f5a7e10" {
		t.Fatalf("profiles after -seed: %v %+v", err, page)
	}

	bad := filepath.Join(t.TempDir(), "bad.json")
	if err := os.WriteFile(bad, []byte("{\n  \"connector_profiles\": [{\"connector_key\": \"zoominfo\", \"authentication_config_key\": \"oauth2_authorization_code_pkce\",\n    \"name\": \"Z\", \"scopes\": [\"api:data:nope\"]}]\n}\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		args []string
		want string
	}{
		{[]string{"-seed", bad}, bad + `:3:28: connector_profiles[0].scopes: "api:data:nope" is not a scope`},
		{[]string{"-seed", filepath.Join(t.TempDir(), "missing.json")}, "-seed: open"},
		{[]string{"-seed", example, "-app-scopes", "api:data:contact"}, "zoominfo_app.registered_scopes"},
	} {
		err := run(context.Background(), append([]string{"-addr", "127.0.0.1:0", "-authz-addr", "127.0.0.1:0"}, tc.args...), &lockedBuffer{})
		if err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("run(%q) = %v, want an error containing %q", tc.args, err, tc.want)
		}
	}
}
