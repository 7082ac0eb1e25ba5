package provider_test

// In-process benchmarks of the provider's protocol server: what one provider
// process spends per call, without terraform. They back the figures of
// BENCHMARKS.md (make bench runs them) and are the way to profile the
// provider, which cannot easily be profiled inside terraform:
//
//	go test -run '^$' -bench PlanCycle -cpuprofile cpu.out -memprofile mem.out ./internal/provider/
//
// They always run against an in-process sandbox (never the live API) and
// assert nothing about time.

import (
	"context"
	"encoding/json"
	"math/big"
	"testing"

	"github.com/hashicorp/terraform-plugin-framework/providerserver"
	"github.com/hashicorp/terraform-plugin-go/tfprotov6"
	"github.com/hashicorp/terraform-plugin-go/tftypes"

	"github.com/stackonehq/terraform-provider-stackone/internal/provider"
	"github.com/stackonehq/terraform-provider-stackone/internal/sandbox"
)

const benchProfileType = "stackone_connector_profile"

// benchServer is a configured provider protocol server against a sandbox.
type benchServer struct {
	b      *testing.B
	sb     *sandbox.Sandbox
	server tfprotov6.ProviderServer
	typ    tftypes.Object
}

func newBenchServer(b *testing.B) *benchServer {
	b.Helper()
	sb, err := sandbox.Start(sandbox.Options{})
	if err != nil {
		b.Fatal(err)
	}
	b.Cleanup(func() { sb.Close() })
	ctx := context.Background()
	server, err := providerserver.NewProtocol6WithError(provider.New("bench")())()
	if err != nil {
		b.Fatal(err)
	}
	schema, err := server.GetProviderSchema(ctx, &tfprotov6.GetProviderSchemaRequest{})
	if err != nil {
		b.Fatal(err)
	}
	providerType := schema.Provider.ValueType().(tftypes.Object)
	cfg := nullAttrs(providerType)
	cfg["api_key"] = tftypes.NewValue(tftypes.String, sb.APIKey())
	cfg["base_url"] = tftypes.NewValue(tftypes.String, sb.BaseURL())
	cfg["max_requests_per_minute"] = tftypes.NewValue(tftypes.Number, 100000)
	resp, err := server.ConfigureProvider(ctx, &tfprotov6.ConfigureProviderRequest{
		Config: dynamic(b, providerType, cfg), TerraformVersion: "1.11.4",
	})
	if err != nil || len(resp.Diagnostics) > 0 {
		b.Fatalf("configure: %v %v", err, resp.Diagnostics)
	}
	typ := schema.ResourceSchemas[benchProfileType].ValueType().(tftypes.Object)
	return &benchServer{b: b, sb: sb, server: server, typ: typ}
}

func nullAttrs(typ tftypes.Object) map[string]tftypes.Value {
	vals := map[string]tftypes.Value{}
	for name, at := range typ.AttributeTypes {
		vals[name] = tftypes.NewValue(at, nil)
	}
	return vals
}

func dynamic(b *testing.B, typ tftypes.Type, vals map[string]tftypes.Value) *tfprotov6.DynamicValue {
	b.Helper()
	dv, err := tfprotov6.NewDynamicValue(typ, tftypes.NewValue(typ, vals))
	if err != nil {
		b.Fatal(err)
	}
	return &dv
}

// profileConfig is the configuration of one profile as the README declares
// it (write-only secret, two scopes, one action); proposed is the same with
// the write-only attribute null, as terraform proposes it.
func (s *benchServer) profileConfig(name string) (config, proposed *tfprotov6.DynamicValue) {
	vals := nullAttrs(s.typ)
	vals["connector"] = tftypes.NewValue(tftypes.String, "zoominfo")
	vals["auth_type"] = tftypes.NewValue(tftypes.String, "oauth2_authorization_code_pkce")
	vals["name"] = tftypes.NewValue(tftypes.String, name)
	vals["client_id"] = tftypes.NewValue(tftypes.String, s.sb.ZoomInfoApp().ClientID)
	vals["client_secret_wo_version"] = tftypes.NewValue(tftypes.Number, 1)
	vals["scopes"] = stringSetValue("api:data:contact", "api:data:company")
	vals["actions"] = stringSetValue("zoominfo_search_contacts")
	proposed = dynamic(s.b, s.typ, vals)
	vals["client_secret_wo"] = tftypes.NewValue(tftypes.String, "bench-secret")
	return dynamic(s.b, s.typ, vals), proposed
}

// planCreate plans the creation of one profile.
func (s *benchServer) planCreate(config, proposed *tfprotov6.DynamicValue) *tfprotov6.PlanResourceChangeResponse {
	prior, err := tfprotov6.NewDynamicValue(s.typ, tftypes.NewValue(s.typ, nil))
	if err != nil {
		s.b.Fatal(err)
	}
	resp, err := s.server.PlanResourceChange(context.Background(), &tfprotov6.PlanResourceChangeRequest{
		TypeName: benchProfileType, PriorState: &prior, ProposedNewState: proposed, Config: config,
	})
	if err != nil || hasError(resp.Diagnostics) {
		s.b.Fatalf("plan: %v %v", err, resp.Diagnostics)
	}
	return resp
}

// create creates one profile and returns its state and private data.
func (s *benchServer) create(name string) (state *tfprotov6.DynamicValue, private []byte) {
	config, proposed := s.profileConfig(name)
	plan := s.planCreate(config, proposed)
	prior, _ := tfprotov6.NewDynamicValue(s.typ, tftypes.NewValue(s.typ, nil))
	resp, err := s.server.ApplyResourceChange(context.Background(), &tfprotov6.ApplyResourceChangeRequest{
		TypeName: benchProfileType, PriorState: &prior, PlannedState: plan.PlannedState, Config: config, PlannedPrivate: plan.PlannedPrivate,
	})
	if err != nil || hasError(resp.Diagnostics) {
		s.b.Fatalf("apply: %v %v", err, resp.Diagnostics)
	}
	return resp.NewState, resp.Private
}

func hasError(diags []*tfprotov6.Diagnostic) bool {
	for _, d := range diags {
		if d.Severity == tfprotov6.DiagnosticSeverityError {
			return true
		}
	}
	return false
}

// stateJSON renders a state as terraform stores it, for UpgradeResourceState.
func (s *benchServer) stateJSON(state *tfprotov6.DynamicValue) []byte {
	v, err := state.Unmarshal(s.typ)
	if err != nil {
		s.b.Fatal(err)
	}
	out, err := json.Marshal(jsonOf(v))
	if err != nil {
		s.b.Fatal(err)
	}
	return out
}

func jsonOf(v tftypes.Value) any {
	if v.IsNull() {
		return nil
	}
	switch {
	case v.Type().Is(tftypes.String):
		var s string
		_ = v.As(&s)
		return s
	case v.Type().Is(tftypes.Bool):
		var b bool
		_ = v.As(&b)
		return b
	case v.Type().Is(tftypes.Number):
		var f big.Float
		_ = v.As(&f)
		return json.Number(f.Text('g', -1))
	case v.Type().Is(tftypes.Object{}):
		var m map[string]tftypes.Value
		_ = v.As(&m)
		out := map[string]any{}
		for k, e := range m {
			out[k] = jsonOf(e)
		}
		return out
	default: // sets and lists of strings
		var elems []tftypes.Value
		_ = v.As(&elems)
		out := make([]any, len(elems))
		for i, e := range elems {
			out[i] = jsonOf(e)
		}
		return out
	}
}

// BenchmarkGetProviderSchema is what a new provider process does first: build
// the provider and serve its whole schema (cold), and a repeat on the same
// server (warm).
func BenchmarkGetProviderSchema(b *testing.B) {
	ctx := context.Background()
	b.Run("cold", func(b *testing.B) {
		for b.Loop() {
			server, err := providerserver.NewProtocol6WithError(provider.New("bench")())()
			if err != nil {
				b.Fatal(err)
			}
			resp, err := server.GetProviderSchema(ctx, &tfprotov6.GetProviderSchemaRequest{})
			if err != nil || len(resp.Diagnostics) > 0 {
				b.Fatal(err, resp.Diagnostics)
			}
		}
	})
	b.Run("warm", func(b *testing.B) {
		server, err := providerserver.NewProtocol6WithError(provider.New("bench")())()
		if err != nil {
			b.Fatal(err)
		}
		for b.Loop() {
			if _, err := server.GetProviderSchema(ctx, &tfprotov6.GetProviderSchemaRequest{}); err != nil {
				b.Fatal(err)
			}
		}
	})
}

// BenchmarkPlanResourceChange plans one profile: a create (ModifyPlan checks
// it against the cached catalog) and the no-op plan of an existing profile,
// which a plan after refresh does for every profile.
func BenchmarkPlanResourceChange(b *testing.B) {
	s := newBenchServer(b)
	ctx := context.Background()
	config, proposed := s.profileConfig("bench")
	s.planCreate(config, proposed) // fetch the catalog outside the timing
	b.Run("create", func(b *testing.B) {
		s.b = b
		for b.Loop() {
			s.planCreate(config, proposed)
		}
	})
	b.Run("noop", func(b *testing.B) {
		s.b = b
		state, private := s.create("bench-noop")
		for b.Loop() {
			resp, err := s.server.PlanResourceChange(ctx, &tfprotov6.PlanResourceChangeRequest{
				TypeName: benchProfileType, PriorState: state, ProposedNewState: state, Config: config, PriorPrivate: private,
			})
			if err != nil || hasError(resp.Diagnostics) {
				b.Fatal(err, resp.Diagnostics)
			}
		}
	})
}

// BenchmarkReadResource refreshes one profile: a lookup in the connector's
// list (read from the sandbox over loopback once per provider process, so
// about 0 requests per op) and the provider's mapping of it. Never a GET by id.
func BenchmarkReadResource(b *testing.B) {
	s := newBenchServer(b)
	state, private := s.create("bench-read")
	ctx := context.Background()
	before := s.sb.Stats()
	for b.Loop() {
		resp, err := s.server.ReadResource(ctx, &tfprotov6.ReadResourceRequest{TypeName: benchProfileType, CurrentState: state, Private: private})
		if err != nil || hasError(resp.Diagnostics) {
			b.Fatal(err, resp.Diagnostics)
		}
	}
	after := s.sb.Stats()
	// Reads come from the connector's list, read once per provider process.
	b.ReportMetric(float64(after.Total-before.Total)/float64(b.N), "requests/op")
	if byID := after.Requests["GET /connector_profiles/{id}"] - before.Requests["GET /connector_profiles/{id}"]; byID != 0 {
		b.Fatalf("%d GET /connector_profiles/{id}: reads must come from the list", byID)
	}
}

// BenchmarkApplyResourceChangeCreate creates one profile (one POST).
func BenchmarkApplyResourceChangeCreate(b *testing.B) {
	s := newBenchServer(b)
	config, proposed := s.profileConfig("bench-create")
	plan := s.planCreate(config, proposed)
	prior, _ := tfprotov6.NewDynamicValue(s.typ, tftypes.NewValue(s.typ, nil))
	ctx := context.Background()
	before := s.sb.Stats().Total
	for b.Loop() {
		resp, err := s.server.ApplyResourceChange(ctx, &tfprotov6.ApplyResourceChangeRequest{
			TypeName: benchProfileType, PriorState: &prior, PlannedState: plan.PlannedState, Config: config, PlannedPrivate: plan.PlannedPrivate,
		})
		if err != nil || hasError(resp.Diagnostics) {
			b.Fatal(err, resp.Diagnostics)
		}
	}
	b.ReportMetric(float64(s.sb.Stats().Total-before)/float64(b.N), "requests/op")
}

// BenchmarkPlanCycle is the provider's whole share of `terraform plan
// -refresh=true` for one existing profile: upgrade its stored state, refresh
// it (from the connector's list, read once per process) and plan it (no
// change). Profile this one.
func BenchmarkPlanCycle(b *testing.B) {
	s := newBenchServer(b)
	config, _ := s.profileConfig("bench-cycle")
	state, private := s.create("bench-cycle")
	raw := s.stateJSON(state)
	ctx := context.Background()
	for b.Loop() {
		up, err := s.server.UpgradeResourceState(ctx, &tfprotov6.UpgradeResourceStateRequest{
			TypeName: benchProfileType, Version: 0, RawState: &tfprotov6.RawState{JSON: raw},
		})
		if err != nil || hasError(up.Diagnostics) {
			b.Fatal(err, up.Diagnostics)
		}
		read, err := s.server.ReadResource(ctx, &tfprotov6.ReadResourceRequest{TypeName: benchProfileType, CurrentState: up.UpgradedState, Private: private})
		if err != nil || hasError(read.Diagnostics) {
			b.Fatal(err, read.Diagnostics)
		}
		plan, err := s.server.PlanResourceChange(ctx, &tfprotov6.PlanResourceChangeRequest{
			TypeName: benchProfileType, PriorState: read.NewState, ProposedNewState: read.NewState, Config: config, PriorPrivate: read.Private,
		})
		if err != nil || hasError(plan.Diagnostics) {
			b.Fatal(err, plan.Diagnostics)
		}
		if len(plan.RequiresReplace) > 0 {
			b.Fatalf("plan wants a replacement: %v", plan.RequiresReplace)
		}
	}
}
