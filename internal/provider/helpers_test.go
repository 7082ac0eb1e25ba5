package provider_test

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"reflect"
	"regexp"
	"sort"
	"strings"
	"testing"

	"github.com/hashicorp/terraform-plugin-go/tfprotov6"
	"github.com/hashicorp/terraform-plugin-go/tftypes"
	"github.com/hashicorp/terraform-plugin-testing/plancheck"

	"github.com/stackonehq/terraform-provider-stackone/internal/acctest"
)

// expectOnlyChanged asserts that the planned change of addr touches exactly
// the named attributes (computed attributes that become unknown, such as
// updated_at, are not counted).
func expectOnlyChanged(addr string, attrs ...string) plancheck.PlanCheck {
	return onlyChangedCheck{addr: addr, want: attrs}
}

type onlyChangedCheck struct {
	addr string
	want []string
}

func (c onlyChangedCheck) CheckPlan(_ context.Context, req plancheck.CheckPlanRequest, resp *plancheck.CheckPlanResponse) {
	for _, rc := range req.Plan.ResourceChanges {
		if rc.Address != c.addr {
			continue
		}
		before, _ := rc.Change.Before.(map[string]any)
		after, _ := rc.Change.After.(map[string]any)
		unknown, _ := rc.Change.AfterUnknown.(map[string]any)
		var changed []string
		for k, b := range before {
			if u, ok := unknown[k].(bool); ok && u {
				continue
			}
			if !reflect.DeepEqual(b, after[k]) {
				changed = append(changed, k)
			}
		}
		sort.Strings(changed)
		want := append([]string(nil), c.want...)
		sort.Strings(want)
		if strings.Join(changed, ",") != strings.Join(want, ",") {
			resp.Error = fmt.Errorf("%s: planned changes to %v, want exactly %v", c.addr, changed, want)
		}
		return
	}
	resp.Error = fmt.Errorf("%s: no planned change", c.addr)
}

// expectError compiles a pattern for ExpectError in which each space matches
// any run of whitespace: Terraform wraps long diagnostics across lines.
func expectError(pattern string) *regexp.Regexp {
	return regexp.MustCompile(`(?s)` + strings.ReplaceAll(pattern, " ", `\s+`))
}

// protoServer is the provider served in-process and configured for tg, for
// tests that need what the Terraform CLI does not expose, such as the
// warnings of a refresh.
type protoServer struct {
	t      *testing.T
	server tfprotov6.ProviderServer
	schema *tfprotov6.GetProviderSchemaResponse
}

func newProtoServer(t *testing.T, tg *acctest.Target) *protoServer {
	t.Helper()
	return newProtoServerWith(t, tg, nil)
}

// newProtoServerWith is newProtoServer with more provider attributes set.
func newProtoServerWith(t *testing.T, tg *acctest.Target, providerAttrs map[string]tftypes.Value) *protoServer {
	t.Helper()
	ctx := context.Background()
	server, err := acctest.ProtoV6ProviderFactories()["stackone"]()
	if err != nil {
		t.Fatal(err)
	}
	schema, err := server.GetProviderSchema(ctx, &tfprotov6.GetProviderSchemaRequest{})
	if err != nil {
		t.Fatal(err)
	}
	providerType := schema.Provider.ValueType()
	cfg := map[string]tftypes.Value{}
	for name, typ := range providerType.(tftypes.Object).AttributeTypes {
		cfg[name] = tftypes.NewValue(typ, nil)
	}
	cfg["api_key"] = tftypes.NewValue(tftypes.String, tg.APIKey)
	cfg["base_url"] = tftypes.NewValue(tftypes.String, tg.BaseURL)
	for k, v := range providerAttrs {
		cfg[k] = v
	}
	dv, err := tfprotov6.NewDynamicValue(providerType, tftypes.NewValue(providerType, cfg))
	if err != nil {
		t.Fatal(err)
	}
	resp, err := server.ConfigureProvider(ctx, &tfprotov6.ConfigureProviderRequest{Config: &dv, TerraformVersion: "1.11.0"})
	if err != nil || len(resp.Diagnostics) > 0 {
		t.Fatalf("configure: %v %v", err, resp.Diagnostics)
	}
	return &protoServer{t: t, server: server, schema: schema}
}

// readProfile refreshes a stackone_connector_profile whose state holds the
// given attributes (others null) and private data, and returns the diagnostics
// and whether the resource is still in state.
func (p *protoServer) readProfile(attrs map[string]tftypes.Value, private map[string][]byte) ([]*tfprotov6.Diagnostic, bool) {
	p.t.Helper()
	return p.readResource("stackone_connector_profile", attrs, private)
}

// readResource refreshes a resource of typeName whose state holds the
// given attributes (others null) and private data, and returns the
// diagnostics and whether the resource is still in state.
func (p *protoServer) readResource(typeName string, attrs map[string]tftypes.Value, private map[string][]byte) ([]*tfprotov6.Diagnostic, bool) {
	p.t.Helper()
	state := p.resourceValue(typeName, attrs)
	var privBytes []byte
	if private != nil {
		privBytes, _ = json.Marshal(private)
	}
	resp, err := p.server.ReadResource(context.Background(), &tfprotov6.ReadResourceRequest{
		TypeName: typeName, CurrentState: state, Private: privBytes,
	})
	if err != nil {
		p.t.Fatal(err)
	}
	if resp.NewState == nil {
		return resp.Diagnostics, false
	}
	newState, err := resp.NewState.Unmarshal(p.resourceType(typeName))
	if err != nil {
		p.t.Fatal(err)
	}
	return resp.Diagnostics, !newState.IsNull()
}

func (p *protoServer) profileType() tftypes.Object {
	return p.resourceType("stackone_connector_profile")
}

func (p *protoServer) resourceType(typeName string) tftypes.Object {
	return p.schema.ResourceSchemas[typeName].ValueType().(tftypes.Object)
}

// profileValue is a stackone_connector_profile object holding attrs, the
// other attributes null.
func (p *protoServer) profileValue(attrs map[string]tftypes.Value) *tfprotov6.DynamicValue {
	p.t.Helper()
	return p.resourceValue("stackone_connector_profile", attrs)
}

// resourceValue is an object of resource typeName holding attrs, the other
// attributes null.
func (p *protoServer) resourceValue(typeName string, attrs map[string]tftypes.Value) *tfprotov6.DynamicValue {
	p.t.Helper()
	typ := p.resourceType(typeName)
	vals := map[string]tftypes.Value{}
	for name, at := range typ.AttributeTypes {
		vals[name] = tftypes.NewValue(at, nil)
	}
	for k, v := range attrs {
		vals[k] = v
	}
	dv, err := tfprotov6.NewDynamicValue(typ, tftypes.NewValue(typ, vals))
	if err != nil {
		p.t.Fatal(err)
	}
	return &dv
}

// planProfileChange plans the change of a stackone_connector_profile from
// prior (nil: a create) to config, with proposed as Terraform would propose it.
func (p *protoServer) planProfileChange(prior, config, proposed map[string]tftypes.Value) []*tfprotov6.Diagnostic {
	p.t.Helper()
	priorState := p.profileValue(prior)
	if prior == nil {
		null, err := tfprotov6.NewDynamicValue(p.profileType(), tftypes.NewValue(p.profileType(), nil))
		if err != nil {
			p.t.Fatal(err)
		}
		priorState = &null
	}
	resp, err := p.server.PlanResourceChange(context.Background(), &tfprotov6.PlanResourceChangeRequest{
		TypeName: "stackone_connector_profile", PriorState: priorState,
		Config: p.profileValue(config), ProposedNewState: p.profileValue(proposed),
	})
	if err != nil {
		p.t.Fatal(err)
	}
	return resp.Diagnostics
}

// applyProfileChange applies a planned change of a stackone_connector_profile.
func (p *protoServer) applyProfileChange(prior, config, planned map[string]tftypes.Value) []*tfprotov6.Diagnostic {
	p.t.Helper()
	return p.applyResourceChange("stackone_connector_profile", prior, config, planned)
}

// applyResourceChange applies a planned change of a resource of typeName.
func (p *protoServer) applyResourceChange(typeName string, prior, config, planned map[string]tftypes.Value) []*tfprotov6.Diagnostic {
	p.t.Helper()
	resp, err := p.server.ApplyResourceChange(context.Background(), &tfprotov6.ApplyResourceChangeRequest{
		TypeName: typeName, PriorState: p.resourceValue(typeName, prior),
		Config: p.resourceValue(typeName, config), PlannedState: p.resourceValue(typeName, planned),
	})
	if err != nil {
		p.t.Fatal(err)
	}
	return resp.Diagnostics
}

func hasDiag(diags []*tfprotov6.Diagnostic, severity tfprotov6.DiagnosticSeverity, pattern string) bool {
	re := expectError(pattern)
	for _, d := range diags {
		if d.Severity == severity && re.MatchString(d.Summary+": "+d.Detail) {
			return true
		}
	}
	return false
}

// readDataSource reads a data source once, with the given attributes set and
// the others null, and returns the diagnostics and the resulting state.
func (p *protoServer) readDataSource(typeName string, attrs map[string]tftypes.Value) ([]*tfprotov6.Diagnostic, map[string]tftypes.Value) {
	p.t.Helper()
	typ := p.schema.DataSourceSchemas[typeName].ValueType().(tftypes.Object)
	vals := map[string]tftypes.Value{}
	for name, at := range typ.AttributeTypes {
		vals[name] = tftypes.NewValue(at, nil)
	}
	for k, v := range attrs {
		vals[k] = v
	}
	cfg, err := tfprotov6.NewDynamicValue(typ, tftypes.NewValue(typ, vals))
	if err != nil {
		p.t.Fatal(err)
	}
	resp, err := p.server.ReadDataSource(context.Background(), &tfprotov6.ReadDataSourceRequest{TypeName: typeName, Config: &cfg})
	if err != nil {
		p.t.Fatal(err)
	}
	out := map[string]tftypes.Value{}
	if resp.State != nil {
		state, err := resp.State.Unmarshal(typ)
		if err != nil {
			p.t.Fatal(err)
		}
		if !state.IsNull() {
			if err := state.As(&out); err != nil {
				p.t.Fatal(err)
			}
		}
	}
	return resp.Diagnostics, out
}

// stringSetValue is a tftypes set of strings.
func stringSetValue(values ...string) tftypes.Value {
	elems := make([]tftypes.Value, len(values))
	for i, v := range values {
		elems[i] = tftypes.NewValue(tftypes.String, v)
	}
	return tftypes.NewValue(tftypes.Set{ElementType: tftypes.String}, elems)
}

// setStringsOf reads a tftypes set of strings, sorted.
func setStringsOf(t *testing.T, v tftypes.Value) []string {
	t.Helper()
	var elems []tftypes.Value
	if err := v.As(&elems); err != nil {
		t.Fatal(err)
	}
	out := make([]string, len(elems))
	for i, e := range elems {
		if err := e.As(&out[i]); err != nil {
			t.Fatal(err)
		}
	}
	sort.Strings(out)
	return out
}

// rfc3339 matches a time as the provider writes it: RFC 3339, UTC, seconds.
var rfc3339 = regexp.MustCompile(`^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}Z$`)

// fakeStackOne is a StackOne that answers "METHOD path" with the canned JSON
// bodies given (200) and 404 otherwise: for answers no sound server gives.
func fakeStackOne(t *testing.T, answers map[string]string) *acctest.Target {
	// (A bare-array list such as /accounts is read until an empty page: the
	// answer given is its first page, and later pages are empty.)
	t.Helper()
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		body, ok := answers[r.Method+" "+r.URL.Path]
		if ok && r.URL.Path == "/accounts" && r.URL.Query().Get("page") != "1" {
			body = "[]" // the answer is page 1; the list ends after it
		}
		if !ok {
			w.WriteHeader(http.StatusNotFound)
			fmt.Fprintf(w, `{"statusCode":404,"message":"Cannot %s %s","timestamp":"2025-01-01T00:00:00.000Z"}`, r.Method, r.URL.Path)
			return
		}
		_, _ = io.WriteString(w, body)
	}))
	t.Cleanup(srv.Close)
	return &acctest.Target{BaseURL: srv.URL, APIKey: "fake-key"}
}

// diagText renders diagnostics for a test failure.
func diagText(diags []*tfprotov6.Diagnostic) string {
	var b strings.Builder
	for _, d := range diags {
		fmt.Fprintf(&b, "\n[%s] %s: %s", d.Severity, d.Summary, d.Detail)
	}
	return b.String()
}
