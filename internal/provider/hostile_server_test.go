package provider_test

import (
	"context"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"

	"github.com/stackonehq/terraform-provider-stackone/internal/acctest"
	"github.com/stackonehq/terraform-provider-stackone/internal/stackone"
)

// A broken or hostile StackOne, played by acctest.HostileProxy in front of
// the sandbox, through the real terraform CLI. Every row checks the same
// promises: no crash, no empty or foreign id in state, no profile of
// another configuration touched, no secret in the output or the TRACE log,
// and a bounded failure where the answer cannot be used.

const hostileSecret = "hs-Zx9/se cr+t$&-0123456789"

// hostileEnv is what a row's rules and checks can see.
type hostileEnv struct {
	t         *testing.T
	tg        *acctest.Target
	proxy     *acctest.HostileProxy
	cli       *acctest.CLI
	bystander *stackone.ConnectorProfile // a profile of another configuration
	name      string                     // the name of this configuration's profile
	appliedID string                     // its id, when applied before the rules were armed
}

type hostileRow struct {
	name string
	// secret is the client_secret_wo sent; hostileSecret when empty.
	secret string
	// applied: apply cleanly first, so that state holds the profile.
	applied bool
	rules   func(e *hostileEnv) []*acctest.Rule
	// args is the terraform command run with the rules armed.
	args []string
	// wantFail: the command must fail (exit 1) with an error matching want;
	// otherwise it must succeed and its output match want.
	wantFail bool
	want     string
	// leaks are texts that must show neither in the output nor in the log
	// (besides the API key, its Basic credential and the secret itself).
	leaks func(secret string) []string
	// check runs after the armed command.
	check func(e *hostileEnv)
}

func TestHostileServer(t *testing.T) {
	rows := []hostileRow{
		{
			name:  "create answered without id",
			rules: rewriteCreate(func(e *hostileEnv, p map[string]any) { delete(p, "id") }),
			args:  []string{"apply", "-auto-approve", "-input=false"}, wantFail: true,
			want:  `without a profile id.*may exist without being in state: find its id by that name.*terraform import <this resource.s address> <the profile.s id>`,
			check: checkOrphanImportable,
		},
		{
			name:  "create answered with an empty id",
			rules: rewriteCreate(func(e *hostileEnv, p map[string]any) { p["id"] = "" }),
			args:  []string{"apply", "-auto-approve", "-input=false"}, wantFail: true,
			want:  `without a profile id.*may exist without being in state: find its id by that name.*terraform import <this resource.s address> <the profile.s id>`,
			check: checkOrphanImportable,
		},
		{
			name: "create answered with the profile of another configuration",
			rules: rewriteCreate(func(e *hostileEnv, p map[string]any) {
				p["id"], p["name"] = e.bystander.ID, e.bystander.Name
			}),
			args: []string{"apply", "-auto-approve", "-input=false"}, wantFail: true,
			want: `answered the create of profile .* with profile .*` + regexp.QuoteMeta(`"bystander`) + `.*may exist without being in state`,
		},
		{
			name: "create answered for another connector",
			rules: rewriteCreate(func(e *hostileEnv, p map[string]any) {
				p["connector_key"] = "acmecrm"
			}),
			args: []string{"apply", "-auto-approve", "-input=false"}, wantFail: true,
			want: `profile of connector "acmecrm" instead of "zoominfo".*may exist without being in state`,
		},
		{
			name: "list with the profile twice", applied: true,
			rules: rewriteList(func(e *hostileEnv, items []map[string]any) []map[string]any {
				for _, it := range items {
					if it["id"] == e.appliedID {
						return append(items, it)
					}
				}
				return items
			}),
			args: []string{"plan", "-input=false"}, wantFail: true,
			want: `appears twice in the list`,
		},
		{
			name: "list with the other profile in place of this one", applied: true,
			rules: rewriteList(func(e *hostileEnv, items []map[string]any) []map[string]any {
				var by map[string]any
				for _, it := range items {
					if it["id"] == e.bystander.ID {
						by = it
					}
				}
				for i, it := range items {
					if it["id"] == e.appliedID {
						items[i] = by
					}
				}
				return items
			}),
			args: []string{"plan", "-input=false"}, wantFail: true,
			want: `appears twice in the list`,
		},
		{
			name: "list with a foreign id in place of this profile", applied: true,
			rules: rewriteList(func(e *hostileEnv, items []map[string]any) []map[string]any {
				for _, it := range items {
					if it["id"] == e.appliedID {
						it["id"] = "foreign-0000"
					}
				}
				return items
			}),
			// The list no longer holds the profile: it looks deleted, and
			// state forgets it; it never takes the foreign id.
			args: []string{"apply", "-refresh-only", "-auto-approve", "-input=false"},
			want: `no longer exists`,
		},
		{
			name: "list that answers a profile of another connector", applied: true,
			rules: rewriteList(func(e *hostileEnv, items []map[string]any) []map[string]any {
				for _, it := range items {
					if it["id"] == e.bystander.ID {
						it["connector_key"] = "acmecrm"
					}
				}
				return items
			}),
			args: []string{"plan", "-input=false"}, wantFail: true,
			want: `connector_key=zoominfo answered profile .* of connector "acmecrm"`,
		},
		{
			name: "list with a scope twice", applied: true,
			rules: rewriteList(func(e *hostileEnv, items []map[string]any) []map[string]any {
				for _, it := range items {
					if it["id"] == e.appliedID {
						it["scopes"] = []string{"api:data:contact", "api:data:contact"}
					}
				}
				return items
			}),
			// A set is a set: the plan is clean.
			args: []string{"plan", "-input=false", "-detailed-exitcode"},
			want: `No changes`,
		},
		{
			name: "list that never ends", applied: true,
			rules: func(e *hostileEnv) []*acctest.Rule {
				return []*acctest.Rule{{Method: http.MethodGet, Route: "/connector_profiles", Rewrite: func(r *acctest.HostileRequest, _ *acctest.Answer) *acctest.Answer {
					page := r.Query.Get("page")
					items := make([]map[string]any, 100)
					for i := range items {
						items[i] = map[string]any{"id": fmt.Sprintf("endless-%s-%d", page, i), "name": "n", "connector_key": "zoominfo"}
					}
					b, _ := json.Marshal(map[string]any{"data": items, "page_size": 100, "page": atoi(page)})
					return acctest.JSONAnswer(200, b)
				}}}
			},
			args: []string{"plan", "-input=false"}, wantFail: true,
			want: `GET /connector_profiles: the list holds more than 100000 items`,
		},
		{
			name: "list of huge pages", applied: true,
			rules: func(e *hostileEnv) []*acctest.Rule {
				pad := strings.Repeat("x", 90_000)
				return []*acctest.Rule{{Method: http.MethodGet, Route: "/connector_profiles", Rewrite: func(r *acctest.HostileRequest, _ *acctest.Answer) *acctest.Answer {
					page := r.Query.Get("page")
					items := make([]map[string]any, 100)
					for i := range items {
						items[i] = map[string]any{"id": fmt.Sprintf("huge-%s-%d", page, i), "name": pad, "connector_key": "zoominfo"}
					}
					b, _ := json.Marshal(map[string]any{"data": items, "page_size": 100, "page": atoi(page)})
					return acctest.JSONAnswer(200, b)
				}}}
			},
			args: []string{"plan", "-input=false"}, wantFail: true,
			want: `GET /connector_profiles: the pages of the list add up to more than 64 MiB`,
		},
		{
			name: "list whose total lies", applied: true,
			rules: rewriteListPage(func(e *hostileEnv, page map[string]any) {
				page["total"] = 1_000
			}),
			args: []string{"plan", "-input=false"}, wantFail: true,
			want: `the pages ended after \d+ items but the total says 1000; it did so on 3 reads in a row`,
		},
		{
			name: "list answered 200 with an HTML page", applied: true,
			rules: func(e *hostileEnv) []*acctest.Rule {
				return []*acctest.Rule{{Method: http.MethodGet, Route: "/connector_profiles", Rewrite: func(*acctest.HostileRequest, *acctest.Answer) *acctest.Answer {
					h := http.Header{}
					h.Set("Content-Type", "text/html")
					return &acctest.Answer{Status: 200, Header: h, Body: []byte("<html><body>Please sign in " + hostileSecret + "</body></html>")}
				}}}
			},
			args: []string{"plan", "-input=false"}, wantFail: true,
			want: `GET /connector_profiles with 200 but the body is not the JSON expected`,
		},
		{
			name: "update answered with the other profile", applied: true,
			rules: func(e *hostileEnv) []*acctest.Rule {
				e.cli.WriteFile("main.tf", hostileConfig(e.name+" renamed", hostileSecret))
				return []*acctest.Rule{{Method: http.MethodPatch, Route: "/connector_profiles/{id}", Upstream: true, Rewrite: func(_ *acctest.HostileRequest, up *acctest.Answer) *acctest.Answer {
					return acctest.RewriteJSON(up, func(p map[string]any) { p["id"] = e.bystander.ID })
				}}}
			},
			args: []string{"apply", "-auto-approve", "-input=false"}, wantFail: true,
			want: `answered the write to profile .* with profile "` + `[^"]*"`,
		},
		{
			name: "create answered 201 with an empty body",
			rules: func(e *hostileEnv) []*acctest.Rule {
				return []*acctest.Rule{{Method: http.MethodPost, Route: "/connector_profiles", Upstream: true, Rewrite: func(_ *acctest.HostileRequest, up *acctest.Answer) *acctest.Answer {
					up.Body = nil
					return up
				}}}
			},
			args: []string{"apply", "-auto-approve", "-input=false"}, wantFail: true,
			want:  `an empty body where JSON was expected.*may exist without being in state: find its id by that name.*terraform import <this resource.s address> <the profile.s id>`,
			check: checkOrphanImportable,
		},
		{
			name: "list with an id of the wrong JSON type", applied: true,
			rules: rewriteList(func(e *hostileEnv, items []map[string]any) []map[string]any {
				for _, it := range items {
					if it["id"] == e.appliedID {
						it["id"] = 12345
					}
				}
				return items
			}),
			args: []string{"plan", "-input=false"}, wantFail: true,
			want: `GET /connector_profiles with 200 but the body is not the JSON expected \(field "data.id" is a JSON number, expected string\)`,
		},
		{
			name: "list answered with a redirect to another host", applied: true,
			rules: func(e *hostileEnv) []*acctest.Rule {
				elsewhere := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
					e.t.Errorf("the redirect was followed: %s %s reached another host", r.Method, r.URL.Path)
				}))
				e.t.Cleanup(elsewhere.Close)
				return []*acctest.Rule{{Method: http.MethodGet, Route: "/connector_profiles", Rewrite: func(r *acctest.HostileRequest, _ *acctest.Answer) *acctest.Answer {
					h := http.Header{}
					h.Set("Location", elsewhere.URL+r.Path+"?"+r.Query.Encode())
					return &acctest.Answer{Status: http.StatusFound, Header: h}
				}}}
			},
			args: []string{"plan", "-input=false"}, wantFail: true,
			want: `StackOne answered GET /connector_profiles with a redirect \(302 Found\), which this client does not follow: check base_url`,
		},
	}
	// A server that quotes the request back, in the encodings it likes.
	for name, encode := range map[string]func(string) string{
		"URL-encoded":  url.QueryEscape,
		"path-escaped": url.PathEscape,
		"form-encoded": func(s string) string { return url.Values{"client_secret": {s}}.Encode() },
		"base64":       func(s string) string { return base64.StdEncoding.EncodeToString([]byte(s)) },
		"base64 URL":   func(s string) string { return base64.RawURLEncoding.EncodeToString([]byte(s)) },
		"JSON \\u":     func(s string) string { b, _ := json.Marshal(s); return strings.ReplaceAll(string(b), "&", `\u0026`) },
	} {
		rows = append(rows, echoRow("error echoing the client secret "+name, hostileSecret, encode))
	}
	rows = append(rows, echoRow("error echoing a short client secret", "Qz/+7", func(s string) string { return s }))
	rows = append(rows, echoRow("error echoing a short client secret URL-encoded", "Qz/+7", url.QueryEscape))

	for _, row := range rows {
		t.Run(row.name, func(t *testing.T) { runHostileRow(t, row) })
	}
}

// echoRow is a create refused with a message that quotes the secret (and
// the API key) back in an encoding, in the message and the request id.
func echoRow(name, secret string, encode func(string) string) hostileRow {
	return hostileRow{
		name: name, secret: secret,
		rules: func(e *hostileEnv) []*acctest.Rule {
			return []*acctest.Rule{{Method: http.MethodPost, Route: "/connector_profiles", Rewrite: func(r *acctest.HostileRequest, _ *acctest.Answer) *acctest.Answer {
				var body struct {
					ClientSecret string `json:"client_secret"`
				}
				_ = json.Unmarshal(r.Body, &body)
				user := strings.TrimPrefix(r.Header.Get("Authorization"), "Basic ")
				echo := "client_secret=" + encode(body.ClientSecret) + "&auth=" + encode(user)
				b, _ := json.Marshal(map[string]any{"statusCode": 400, "message": "invalid request: " + echo})
				a := acctest.JSONAnswer(400, b)
				a.Header.Set("X-Request-Id", "req "+echo)
				return a
			}}}
		},
		args: []string{"apply", "-auto-approve", "-input=false"}, wantFail: true,
		want:  `StackOne answered POST /connector_profiles with 400 Bad Request: invalid request: \S*\[redacted\]`,
		leaks: func(s string) []string { return []string{encode(s)} },
	}
}

func atoi(s string) int {
	n, _ := strconv.Atoi(s)
	return n
}

// rewriteCreate changes the profile a successful create answers.
func rewriteCreate(change func(e *hostileEnv, p map[string]any)) func(e *hostileEnv) []*acctest.Rule {
	return func(e *hostileEnv) []*acctest.Rule {
		return []*acctest.Rule{{Method: http.MethodPost, Route: "/connector_profiles", Upstream: true, Rewrite: func(_ *acctest.HostileRequest, up *acctest.Answer) *acctest.Answer {
			if up.Status/100 != 2 {
				return up
			}
			return acctest.RewriteJSON(up, func(p map[string]any) { change(e, p) })
		}}}
	}
}

// rewriteListPage changes each page of the profile list.
func rewriteListPage(change func(e *hostileEnv, page map[string]any)) func(e *hostileEnv) []*acctest.Rule {
	return func(e *hostileEnv) []*acctest.Rule {
		return []*acctest.Rule{{Method: http.MethodGet, Route: "/connector_profiles", Upstream: true, Rewrite: func(_ *acctest.HostileRequest, up *acctest.Answer) *acctest.Answer {
			return acctest.RewriteJSON(up, func(p map[string]any) { change(e, p) })
		}}}
	}
}

// rewriteList changes the items of each page of the profile list.
func rewriteList(change func(e *hostileEnv, items []map[string]any) []map[string]any) func(e *hostileEnv) []*acctest.Rule {
	return rewriteListPage(func(e *hostileEnv, page map[string]any) {
		raw, _ := json.Marshal(page["data"])
		var items []map[string]any
		_ = json.Unmarshal(raw, &items)
		items = change(e, items)
		page["data"] = items
		if _, ok := page["total"]; ok {
			page["total"] = len(items) // a list that holds what it says
		}
	})
}

func hostileConfig(name, secret string) string {
	return profileHCL(name, "client-hostile", fmt.Sprintf("client_secret_wo = %q\n  client_secret_wo_version = 1", secret))
}

var crashSigns = regexp.MustCompile(`(?i)panic:|goroutine \d+ \[|plugin did not respond|the plugin encountered an error|crash`)

func runHostileRow(t *testing.T, row hostileRow) {
	tg := acctest.New(t)
	tg.RequireSandbox(t)
	ctx := context.Background()
	secret := row.secret
	if secret == "" {
		secret = hostileSecret
	}
	bystander, err := tg.Client.CreateConnectorProfile(ctx, stackone.CreateConnectorProfileRequest{
		ConnectorKey: "zoominfo", AuthenticationConfigKey: "oauth2_authorization_code_pkce", Name: "bystander (another configuration)",
		ClientID: "bystander-client", ClientSecret: "bystander-secret-1234", Scopes: []string{"api:data:company"},
	})
	if err != nil {
		t.Fatal(err)
	}
	proxy := acctest.NewHostileProxy(t, tg)
	cli := acctest.NewCLI(t, proxy.Target(tg))
	logPath := filepath.Join(t.TempDir(), "terraform.log")
	cli.Setenv("TF_LOG", "TRACE")
	cli.Setenv("TF_LOG_PATH", logPath)
	e := &hostileEnv{t: t, tg: tg, proxy: proxy, cli: cli, bystander: bystander, name: "hostile " + row.name}
	cli.WriteFile("main.tf", hostileConfig(e.name, secret))

	var outputs []string
	run := func(args ...string) (string, int) {
		t.Helper()
		out, code := cli.Run(args...)
		outputs = append(outputs, out)
		if m := crashSigns.FindString(out); m != "" {
			t.Fatalf("terraform %s: the provider crashed (%q):\n%s", strings.Join(args, " "), m, out)
		}
		return out, code
	}
	if row.applied {
		if out, code := run("apply", "-auto-approve", "-input=false"); code != 0 {
			t.Fatalf("clean apply: exit %d\n%s", code, out)
		}
		e.appliedID = stateIDs(t, cli)[0]
	}

	rules := row.rules(e)
	proxy.Arm(rules...)
	out, code := run(row.args...)
	switch {
	case row.wantFail && code != 1:
		t.Errorf("terraform %s: exit %d, want 1\n%s", strings.Join(row.args, " "), code, out)
	case !row.wantFail && code != 0:
		t.Errorf("terraform %s: exit %d, want 0\n%s", strings.Join(row.args, " "), code, out)
	}
	if !expectError(row.want).MatchString(out) {
		t.Errorf("terraform %s: the output does not say %q:\n%s", strings.Join(row.args, " "), row.want, out)
	}
	hits := 0
	for _, r := range rules {
		hits += proxy.Hits(r)
	}
	if hits == 0 {
		t.Fatalf("no rule fired: the row tested nothing; requests: %v", proxy.Requests())
	}
	checkHostileState(t, e)
	if row.check != nil {
		row.check(e)
	}

	// A destroy with the server still broken must not touch another
	// configuration's profile either.
	run("destroy", "-auto-approve", "-input=false")
	checkHostileState(t, e)

	// Healed, a destroy removes this configuration's profile only.
	proxy.Disarm()
	if out, code := run("destroy", "-auto-approve", "-input=false"); code != 0 {
		t.Errorf("destroy after the server healed: exit %d\n%s", code, out)
	}
	checkHostileState(t, e)
	if ids := stateIDs(t, cli); len(ids) != 0 {
		t.Errorf("state still holds %v after destroy", ids)
	}

	// No secret anywhere.
	logBytes, err := os.ReadFile(logPath)
	if err != nil {
		t.Fatal(err)
	}
	texts := map[string]string{"output": strings.Join(outputs, "\n"), "TRACE log": string(logBytes)}
	if !strings.Contains(texts["TRACE log"], "StackOne request") {
		t.Fatalf("the TRACE log has no provider request line: the scan below would prove nothing")
	}
	leaks := map[string]string{
		"API key":          tg.APIKey,
		"Basic credential": base64.StdEncoding.EncodeToString([]byte(tg.APIKey + ":")),
		"client secret":    secret,
	}
	if row.leaks != nil {
		for i, l := range row.leaks(secret) {
			leaks[fmt.Sprintf("encoded client secret %d", i)] = l
		}
		for i, l := range row.leaks(base64.StdEncoding.EncodeToString([]byte(tg.APIKey + ":"))) {
			leaks[fmt.Sprintf("encoded Basic credential %d", i)] = l
		}
	}
	for where, text := range texts {
		for what, v := range leaks {
			if i := strings.Index(text, v); i >= 0 {
				t.Errorf("the %s holds the %s:\n…%s…", where, what, excerpt(text, i, len(v)))
			}
		}
	}
}

// checkHostileState: state holds no empty id, no id but this
// configuration's own, and the other configuration's profile is as it was.
func checkHostileState(t *testing.T, e *hostileEnv) {
	t.Helper()
	for _, id := range stateIDs(t, e.cli) {
		switch {
		case strings.TrimSpace(id) == "":
			t.Errorf("state holds an empty id")
		case id == e.bystander.ID:
			t.Errorf("state holds the id of another configuration's profile %s", id)
		case e.appliedID != "" && id != e.appliedID:
			t.Errorf("state holds id %s, want %s (or nothing)", id, e.appliedID)
		case e.appliedID == "":
			if p, ok := e.tg.Sandbox.Profile(id); !ok || p.Name != e.name {
				t.Errorf("state holds id %s, which is not this configuration's profile", id)
			}
		}
	}
	p, ok := e.tg.Sandbox.Profile(e.bystander.ID)
	if !ok {
		t.Fatalf("the profile of another configuration was deleted")
	}
	if p.Name != e.bystander.Name || p.ClientID != "bystander-client" || p.ClientSecret != "bystander-secret-1234" || strings.Join(p.Scopes, ",") != "api:data:company" {
		t.Errorf("the profile of another configuration was changed: %+v", p)
	}
}

// checkOrphanImportable: the create reached StackOne, as the message says
// it may have; the profile it made is found by name and can be imported.
func checkOrphanImportable(e *hostileEnv) {
	t := e.t
	if ids := stateIDs(t, e.cli); len(ids) != 0 {
		t.Fatalf("state holds %v after a create answered without id", ids)
	}
	var orphan string
	for _, p := range e.tg.Sandbox.Profiles() {
		if p.Name == e.name {
			orphan = p.ID
		}
	}
	if orphan == "" {
		t.Fatalf("no profile named %q on the sandbox: the message would send the user looking for nothing", e.name)
	}
	e.proxy.Disarm()
	if out, code := e.cli.Run("import", "-input=false", "stackone_connector_profile.p", orphan); code != 0 {
		t.Fatalf("import of the orphan: exit %d\n%s", code, out)
	}
	e.appliedID = orphan
}

// stateIDs lists the ids of the resources in the local state.
func stateIDs(t *testing.T, cli *acctest.CLI) []string {
	t.Helper()
	raw, err := os.ReadFile(filepath.Join(cli.Dir, "terraform.tfstate"))
	if os.IsNotExist(err) {
		return nil
	}
	if err != nil {
		t.Fatal(err)
	}
	var st struct {
		Resources []struct {
			Mode      string `json:"mode"`
			Instances []struct {
				Attributes map[string]any `json:"attributes"`
			} `json:"instances"`
		} `json:"resources"`
	}
	if err := json.Unmarshal(raw, &st); err != nil {
		t.Fatalf("state: %v", err)
	}
	var ids []string
	for _, r := range st.Resources {
		if r.Mode != "managed" {
			continue
		}
		for _, in := range r.Instances {
			id, _ := in.Attributes["id"].(string)
			ids = append(ids, id)
		}
	}
	return ids
}

// TestHostileServer_httpsToPlainHTTP: an https:// base_url pointing at a
// server that speaks plain HTTP fails at once, saying so, without retries.
func TestHostileServer_httpsToPlainHTTP(t *testing.T) {
	tg := acctest.New(t)
	tg.RequireSandbox(t)
	proxy := acctest.NewHostileProxy(t, tg)
	target := proxy.Target(tg)
	target.BaseURL = "https://" + strings.TrimPrefix(proxy.URL, "http://")
	cli := acctest.NewCLI(t, target)
	logPath := filepath.Join(t.TempDir(), "terraform.log")
	cli.Setenv("TF_LOG", "TRACE")
	cli.Setenv("TF_LOG_PATH", logPath)
	cli.WriteFile("main.tf", hostileConfig("tls", hostileSecret))
	out, code := cli.Run("plan", "-input=false")
	if code != 1 || !expectError(`the server at 127\.0\.0\.1:\d+ does not speak TLS \(it answered the TLS handshake in plain HTTP\)`).MatchString(out) {
		t.Fatalf("want a failure saying the server does not speak TLS, got exit %d:\n%s", code, out)
	}
	if crashSigns.MatchString(out) {
		t.Fatalf("crash:\n%s", out)
	}
	raw, err := os.ReadFile(logPath)
	if err != nil {
		t.Fatal(err)
	}
	if strings.Contains(string(raw), "StackOne request will be retried") {
		t.Errorf("the TLS failure was retried")
	}
	if !strings.Contains(string(raw), "StackOne request") {
		t.Errorf("the TRACE log has no provider request line")
	}
}
