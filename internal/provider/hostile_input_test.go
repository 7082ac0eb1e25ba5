package provider_test

import (
	"fmt"
	"strings"
	"testing"
	"unicode"

	"github.com/hashicorp/terraform-plugin-testing/helper/resource"
	"github.com/hashicorp/terraform-plugin-testing/terraform"
	"github.com/hashicorp/terraform-plugin-testing/tfversion"

	"github.com/stackonehq/terraform-provider-stackone/internal/acctest"
)

// hostileCase is one malformed or hostile input. One of attrs, importID
// and data is set, or provider alone; attrs may come with provider.
type hostileCase struct {
	name string
	// attrs override attributes of an otherwise valid profile (HCL values).
	attrs map[string]string
	// provider overrides attributes of the provider block (HCL values); the
	// resource is valid.
	provider map[string]string
	// importID is given to terraform import (ImportStateIdFunc, so that ""
	// really is empty).
	importID *string
	// data is a data source block.
	data string
	// want must match the diagnostic; it names the attribute at fault.
	want string
}

func strPtr(s string) *string { return &s }

// hclString quotes s as an HCL string literal, escaping what HCL needs and
// writing every other non-printable character as \uNNNN, so that the value
// Terraform hands the provider is exactly s.
func hclString(s string) string {
	var b strings.Builder
	b.WriteByte('"')
	for i, r := range s {
		switch {
		case r == '"' || r == '\\':
			b.WriteByte('\\')
			b.WriteRune(r)
		case r == '\n':
			b.WriteString(`\n`)
		case r == '$' && strings.HasPrefix(s[i:], "${"), r == '%' && strings.HasPrefix(s[i:], "%{"):
			b.WriteRune(r)
			b.WriteRune(r) // "$${" is a literal "${"
		case !unicode.IsPrint(r) && r > 0xffff:
			fmt.Fprintf(&b, `\U%08X`, r)
		case !unicode.IsPrint(r):
			fmt.Fprintf(&b, `\u%04X`, r)
		default:
			b.WriteRune(r)
		}
	}
	b.WriteByte('"')
	return b.String()
}

// TestHostileInput feeds the provider malformed and hostile values. Each must
// fail with a clear diagnostic naming the attribute, without a panic (a
// panic in the in-process provider kills the test binary), and nothing may
// be created: at the end the server holds no profile and received no POST.
//
// Decisions recorded here:
//   - Emoji are fine in name (a display name), including sequences joined with
//     U+200D; see TestHostileInput_acceptedLookalikes.
//   - Invisible formatting characters (bidi overrides such as U+202E,
//     zero-width spaces, BOM) and line separators are refused in every text
//     attribute: they make a value display as something it is not.
//   - client_id and scopes are printable ASCII only, as RFC 6749 defines them.
//   - http://[::1]:1 and a trailing slash on base_url are valid and therefore
//     not in this table (see TestHostileInput_acceptedLookalikes).
func TestHostileInput(t *testing.T) {
	t.Parallel()
	tg := acctest.New(t)
	tg.RequireSandbox(t)

	manyScopes := make([]string, 5000)
	for i := range manyScopes {
		manyScopes[i] = fmt.Sprintf("%q", fmt.Sprintf("api:data:s%d", i))
	}
	manyActions := make([]string, 201)
	for i := range manyActions {
		manyActions[i] = fmt.Sprintf("%q", fmt.Sprintf("zoominfo_action_%d", i))
	}

	cases := []hostileCase{
		// Overlong values.
		{name: "name of 300 characters", attrs: map[string]string{"name": hclString(strings.Repeat("n", 300))},
			want: `name is 300 characters long; shorten it to at most 255`},
		{name: "client_id of 10k characters", attrs: map[string]string{"client_id": hclString(strings.Repeat("c", 10000))},
			want: `client_id is 10000 characters long; shorten it to at most 255`},
		{name: "client_secret of 1000 characters", attrs: map[string]string{"client_secret": hclString(strings.Repeat("s", 1000))},
			want: `client_secret is 1000 characters long`},
		{name: "scope of 300 characters", attrs: map[string]string{"scopes": "[" + hclString(strings.Repeat("x", 300)) + "]"},
			want: `scopes entry "x+" is 300 characters long`},
		// Unicode that displays as something else.
		{name: "RTL override in name", attrs: map[string]string{"name": hclString("invoice\u202Egpj.exe")},
			want: `name contains an invisible formatting character \(U\+202E\) at byte 7`},
		{name: "zero-width space in client_id", attrs: map[string]string{"client_id": hclString("0oaf6t3o\u200Bsgva")},
			want: `client_id contains an invisible formatting character \(U\+200B\)`},
		{name: "byte-order mark in client_secret", attrs: map[string]string{"client_secret": hclString("\uFEFFsecret")},
			want: `client_secret contains an invisible formatting character \(U\+FEFF\)`},
		{name: "line separator in name", attrs: map[string]string{"name": hclString("first\u2028second")},
			want: `name contains an invisible formatting character \(U\+2028\)`},
		{name: "non-ASCII client_id", attrs: map[string]string{"client_id": hclString("cl\u00efent")},
			want: `client_id contains U\+00EF at byte 2, which is not printable ASCII`},
		{name: "zero-width joiner in connector", attrs: map[string]string{"connector": hclString("zoom\u200Dinfo")},
			want: `connector contains an invisible formatting character \(U\+200D\)`},
		// NUL and control characters.
		{name: "NUL in name", attrs: map[string]string{"name": hclString("a\x00b")},
			want: `name contains a control character \(U\+0000\) at byte 1`},
		{name: "newline in name", attrs: map[string]string{"name": hclString("line1\nline2")},
			want: `name contains a control character \(U\+000A\)`},
		{name: "ANSI escape in client_secret", attrs: map[string]string{"client_secret": hclString("\x1b[31mred")},
			want: `client_secret contains a control character \(U\+001B\) at byte 0`},
		{name: "NUL in client_secret_wo", attrs: map[string]string{"client_secret": "null", "client_secret_wo": hclString("wo\x00")},
			want: `client_secret_wo contains a control character \(U\+0000\)`},
		{name: "blank name", attrs: map[string]string{"name": `"   "`},
			want: `name must not be empty or blank`},
		{name: "padded name", attrs: map[string]string{"name": `" padded "`},
			want: `name has leading or trailing whitespace`},
		// Timeouts.
		{name: "zero create timeout", attrs: map[string]string{"timeouts": `create = "0s"`},
			want: `Timeout must be positive.*timeouts \{ create = "0s" \} would end the create before it starts`},
		{name: "negative update timeout", attrs: map[string]string{"timeouts": `update = "-1m"`},
			want: `timeouts \{ update = "-1m" \} would end the update before it starts`},
		// Scopes and actions.
		{name: "scope with a space", attrs: map[string]string{"scopes": `["api:data:contact api:data:company"]`},
			want: `scopes entry "api:data:contact api:data:company" contains whitespace`},
		{name: "scope with a tab", attrs: map[string]string{"scopes": hclList("api:data:contact\tx")},
			want: `scopes entry "api:data:contact\\tx" contains a control character`},
		{name: "scope a,b", attrs: map[string]string{"scopes": `["a,b"]`},
			want: `scopes entry "a,b" contains a comma: list each scope as its own string, e.g. \["a", "b"\]\.`},
		{name: "scope with a double quote", attrs: map[string]string{"scopes": hclList(`api:"data"`)},
			want: `scopes entry "api:\\"data\\"" contains '"' at byte 4, which OAuth does not allow`},
		{name: "scope with a backslash", attrs: map[string]string{"scopes": hclList(`api:data\contact`)},
			want: `scopes entry .* contains '\\\\' at byte 8`},
		{name: "non-ASCII scope", attrs: map[string]string{"scopes": hclList("api:d\u0430ta:contact")}, // Cyrillic a
			want: `scopes entry "api:dаta:contact" contains U\+0430 at byte 5, which is not printable ASCII`},
		{name: "null scope", attrs: map[string]string{"scopes": `["api:data:contact", null]`},
			want: `scopes contains null`},
		{name: "5000 scopes", attrs: map[string]string{"scopes": "[" + strings.Join(manyScopes, ", ") + "]"},
			want: `scopes has 5000 entries; StackOne accepts at most 200`},
		{name: "5000 scopes from a for expression", attrs: map[string]string{"scopes": `flatten([for i in range(5) : [for j in range(1000) : "api:data:r${i}-${j}"]])`},
			want: `scopes has 5000 entries`},
		{name: "201 actions", attrs: map[string]string{"actions": "[" + strings.Join(manyActions, ", ") + "]"},
			want: `actions has 201 entries; StackOne accepts at most 200`},
		{name: "action that looks like a path", attrs: map[string]string{"actions": `["../../admin"]`},
			want: `action "../../admin" is not an action of connector "zoominfo"`},
		// Connector and auth type.
		{name: "connector in upper case", attrs: map[string]string{"connector": `"ZoomInfo"`},
			want: `connector "ZoomInfo" is not in StackOne's catalog.*Did you mean "zoominfo"`},
		{name: "connector with a space", attrs: map[string]string{"connector": `"zoom info"`},
			want: `connector contains whitespace at byte 4`},
		{name: "empty connector", attrs: map[string]string{"connector": `""`},
			want: `connector must not be empty`},
		// Path segments, refused at plan even where the catalog is skipped
		// (they would build a redirect_uri and API paths that point elsewhere).
		{name: "connector . with the catalog skipped", attrs: map[string]string{"connector": `"."`}, provider: map[string]string{"skip_catalog_validation": "true"},
			want: `connector is "\.", a dot segment that a URL resolves away`},
		{name: "connector .. with the catalog skipped", attrs: map[string]string{"connector": `".."`}, provider: map[string]string{"skip_catalog_validation": "true"},
			want: `connector is "\.\.", a dot segment`},
		{name: "connector with a ?", attrs: map[string]string{"connector": `"zoominfo?x=1"`}, provider: map[string]string{"skip_catalog_validation": "true"},
			want: `connector contains '/', '\?' or '#'`},
		{name: "connector with a #", attrs: map[string]string{"connector": `"zoominfo#x"`}, provider: map[string]string{"skip_catalog_validation": "true"},
			want: `connector contains '/', '\?' or '#'`},
		{name: "connectors data source with ..", data: `data "stackone_connector_profiles" "x" {
  connector = ".."
}`, want: `connector is "\.\.", a dot segment`},
		{name: "account id with a /", data: `data "stackone_account" "x" {
  id = "acc/../x"
}`, want: `id contains '/', '\?' or '#'`},
		{name: "empty auth_type", attrs: map[string]string{"auth_type": `""`},
			want: `auth_type must not be empty`},
		// Import ids.
		{name: "import ../x", importID: strPtr("../x"), want: `Invalid import id.*"../x" is not a connector profile id: it contains '.'`},
		{name: "import a/b", importID: strPtr("a/b"), want: `Invalid import id.*"a/b" is not a connector profile id: it contains '/'`},
		{name: "import a.b", importID: strPtr("a.b"), want: `Invalid import id.*it contains '.'`},
		{name: "import empty id", importID: strPtr(""), want: `Invalid import id.*it is empty`},
		{name: "import id with a leading space", importID: strPtr(" id"), want: `Invalid import id.*has leading or trailing whitespace`},
		{name: "import percent-encoded dots", importID: strPtr("%2e%2e"), want: `Invalid import id.*it contains '%'`},
		{name: "import id with a query", importID: strPtr("x?next=y"), want: `Invalid import id.*it contains '\?'`},
		// Data sources.
		{name: "data source id ../x", data: `data "stackone_connector_profile" "bad" { id = "../x" }`,
			want: `Invalid connector profile id`},
		{name: "data source id with a slash", data: `data "stackone_connector_profile" "bad" { id = "a/b" }`,
			want: `Invalid connector profile id`},
		{name: "data source connector that looks like a path", data: `data "stackone_connector" "bad" { key = "../../admin" }`,
			want: `key contains '/', '\?' or '#', which would split or end the URL path`},
		// Provider block (the resource in the configuration is valid).
		{name: "base_url ftp", provider: map[string]string{"base_url": `"ftp://x"`}, want: `Invalid StackOne base URL.*base_url "ftp://x" has scheme "ftp": use https`},
		{name: "base_url plain http to a remote host", provider: map[string]string{"base_url": `"http://example.com"`},
			want: `base_url "http://example.com" uses plain http, which is allowed only for loopback hosts.*use https://example.com`},
		// A URL is quoted with scheme, host, port and path only: the closing
		// quote right after the path shows that nothing else was.
		{name: "base_url with credentials", provider: map[string]string{"base_url": `"https://user:pass@host"`},
			want: `base_url "https://host" must not contain a user name or password`},
		{name: "base_url with a query", provider: map[string]string{"base_url": `"https://host/?q=1"`}, want: `base_url "https://host/" must not have a query string`},
		{name: "base_url with a fragment", provider: map[string]string{"base_url": `"https://host/#x"`}, want: `base_url "https://host/" must not have a fragment`},
		{name: "base_url with a token in the fragment", provider: map[string]string{"base_url": `"https://host:8443/v1#access_token=tok"`}, want: `base_url "https://host:8443/v1" must not have a fragment`},
		{name: "base_url with credentials, query and plain http", provider: map[string]string{"base_url": `"http://u:pw@example.com/p?key=k"`}, want: `base_url "http://example.com/p" must not contain a user name or password`},
		{name: "base_url not a URL", provider: map[string]string{"base_url": `"not a url"`}, want: `base_url "not a url" is not an absolute URL`},
		{name: "request_timeout -1s", provider: map[string]string{"request_timeout": `"-1s"`}, want: `request_timeout is "-1s", which is not a positive Go duration`},
		{name: "request_timeout abc", provider: map[string]string{"request_timeout": `"abc"`}, want: `request_timeout is "abc", which is not a positive Go duration`},
		{name: "max_retries -1", provider: map[string]string{"max_retries": `-1`}, want: `max_retries value must be between 0 and 20, got: -1`},
		{name: "max_retries 1000", provider: map[string]string{"max_retries": `1000`}, want: `max_retries value must be between 0 and 20, got: 1000`},
		{name: "max_requests_per_minute 0", provider: map[string]string{"max_requests_per_minute": `0`}, want: `max_requests_per_minute value must be between 1 and 100000, got: 0`},
		{name: "api_key with a colon", provider: map[string]string{"api_key": `"user:password"`}, want: `Malformed StackOne API key.*api_key \(or STACKONE_API_KEY\) contains a colon or a control character`},
		{name: "api_key with a header injection", provider: map[string]string{"api_key": `"k\r\nX-Injected: 1"`}, want: `Malformed StackOne API key`},
		{name: "empty api_key", provider: map[string]string{"api_key": `""`}, want: `Missing StackOne API key.*Set the provider attribute "api_key"`},
	}

	t.Run("cases", func(t *testing.T) {
		for _, tc := range cases {
			t.Run(tc.name, func(t *testing.T) {
				t.Parallel()
				resource.UnitTest(t, resource.TestCase{
					ProtoV6ProviderFactories: acctest.ProtoV6ProviderFactories(),
					TerraformVersionChecks:   []tfversion.TerraformVersionCheck{tfversion.SkipBelow(tfversion.Version1_11_0)},
					Steps:                    []resource.TestStep{hostileStep(tg, tc)},
				})
			})
		}
	})

	if n := len(tg.Sandbox.Profiles()); n != 0 {
		t.Fatalf("hostile input created %d profiles on the server", n)
	}
	st := tg.Sandbox.Stats()
	for route, n := range st.Requests {
		if !strings.HasPrefix(route, "GET ") {
			t.Errorf("hostile input sent %d %s", n, route)
		}
	}
	if st.Requests["GET /actions"] == 0 {
		t.Error("no catalog request reached the sandbox: the cases never got as far as a plan against it")
	}
}

// providerBlock is the provider block for tg with some attributes replaced.
func providerBlock(tg *acctest.Target, override map[string]string) string {
	attrs := map[string]string{"api_key": hclString(tg.APIKey), "base_url": hclString(tg.BaseURL)}
	for k, v := range override {
		attrs[k] = v
	}
	var b strings.Builder
	b.WriteString("provider \"stackone\" {\n")
	for _, k := range []string{"api_key", "base_url", "max_retries", "request_timeout", "max_requests_per_minute", "skip_catalog_validation"} {
		if v, ok := attrs[k]; ok {
			fmt.Fprintf(&b, "  %s = %s\n", k, v)
		}
	}
	b.WriteString("}\n")
	return b.String()
}

func hclList(items ...string) string {
	q := make([]string, len(items))
	for i, s := range items {
		q[i] = hclString(s)
	}
	return "[" + strings.Join(q, ", ") + "]"
}

// hostileStep builds the test step of a case.
func hostileStep(tg *acctest.Target, tc hostileCase) resource.TestStep {
	attrs := map[string]string{
		"connector": `"zoominfo"`, "auth_type": `"oauth2_authorization_code_pkce"`,
		"name": `"hostile"`, "client_id": `"cid"`, "client_secret": `"s"`,
		"scopes": `["api:data:contact"]`, "actions": `["zoominfo_search_contacts"]`,
	}
	for k, v := range tc.attrs {
		attrs[k] = v
	}
	var body strings.Builder
	for _, k := range []string{"connector", "auth_type", "name", "client_id", "client_secret", "client_secret_wo", "scopes", "actions"} {
		if v, ok := attrs[k]; ok {
			fmt.Fprintf(&body, "  %s = %s\n", k, v)
		}
	}
	if v, ok := attrs["timeouts"]; ok {
		fmt.Fprintf(&body, "  timeouts {\n    %s\n  }\n", v)
	}
	config := providerBlock(tg, tc.provider)
	if tc.data != "" {
		config += tc.data + "\n"
	} else {
		config += "resource \"stackone_connector_profile\" \"test\" {\n" + body.String() + "}\n"
	}
	step := resource.TestStep{Config: config, ExpectError: expectError(tc.want)}
	if tc.importID != nil {
		id := *tc.importID
		step.ResourceName = "stackone_connector_profile.test"
		step.ImportState = true
		step.ImportStateIdFunc = func(*terraform.State) (string, error) { return id, nil }
	}
	return step
}

// TestHostileInput_acceptedLookalikes holds inputs that look odd but are
// valid, so that the refusals above stay narrow: emoji (with a zero-width
// joiner sequence) and U+FFFD in a name, a base_url with a trailing slash, and plain
// http to the IPv6 loopback.
func TestHostileInput_acceptedLookalikes(t *testing.T) {
	t.Parallel()
	tg := acctest.New(t)
	tg.RequireSandbox(t)
	name := "ZoomInfo 🚀 team 👩\u200d💻 \uFFFD" // a real U+FFFD is valid UTF-8
	resource.UnitTest(t, resource.TestCase{
		ProtoV6ProviderFactories: acctest.ProtoV6ProviderFactories(),
		Steps: []resource.TestStep{
			{
				Config: providerBlock(tg, map[string]string{"base_url": hclString(tg.BaseURL + "/")}) + fmt.Sprintf(`
resource "stackone_connector_profile" "test" {
  connector     = "zoominfo"
  auth_type     = "oauth2_authorization_code_pkce"
  name          = %s
  client_id     = "0oaf6t3osgvaPvy4E1d7"
  client_secret = "s"
}
`, hclString(name)),
				Check: func(s *terraform.State) error {
					p := tg.Sandbox.Profiles()
					if len(p) != 1 || p[0].Name != name {
						return fmt.Errorf("want one profile named %q, got %+v", name, p)
					}
					return nil
				},
			},
		},
	})
	resource.UnitTest(t, resource.TestCase{
		ProtoV6ProviderFactories: acctest.ProtoV6ProviderFactories(),
		Steps: []resource.TestStep{
			{
				// Configure accepts the URL; the plan needs no request.
				Config: providerBlock(tg, map[string]string{"base_url": `"http://[::1]:1"`, "skip_catalog_validation": "true"}) + `
resource "stackone_connector_profile" "other" {
  connector     = "zoominfo"
  auth_type     = "oauth2_authorization_code_pkce"
  name          = "not applied"
  client_id     = "cid"
  client_secret = "s"
}
`,
				PlanOnly:           true,
				ExpectNonEmptyPlan: true,
			},
		},
	})
}
