package main

import (
	"context"

	"github.com/hashicorp/terraform-plugin-framework/providerserver"
	"github.com/hashicorp/terraform-plugin-framework/resource"
	"github.com/hashicorp/terraform-plugin-go/tfprotov6"
	"github.com/hashicorp/terraform-plugin-go/tftypes"
)

// rawServer answers the resource RPCs of benchnull_profile on the raw
// protocol, with no framework in the way (schema and provider RPCs still go
// to the framework's server). With BENCHNULL_RAW=1 it is the floor of any
// plugin provider for this resource shape: what Terraform, go-plugin, gRPC
// and msgpack cost, with the provider doing the least a correct plan needs.
type rawServer struct {
	tfprotov6.ProviderServer
	typ tftypes.Object
}

func newRawServer() tfprotov6.ProviderServer {
	ctx := context.Background()
	var sresp resource.SchemaResponse
	profile{}.Schema(ctx, resource.SchemaRequest{}, &sresp)
	typ := sresp.Schema.Type().TerraformType(ctx).(tftypes.Object)
	return &rawServer{ProviderServer: providerserver.NewProtocol6(nullProvider{})(), typ: typ}
}

func (s *rawServer) ValidateResourceConfig(context.Context, *tfprotov6.ValidateResourceConfigRequest) (*tfprotov6.ValidateResourceConfigResponse, error) {
	return &tfprotov6.ValidateResourceConfigResponse{}, nil
}

// UpgradeResourceState hands the stored JSON back: Terraform decodes JSON
// dynamic values as well as msgpack.
func (s *rawServer) UpgradeResourceState(_ context.Context, req *tfprotov6.UpgradeResourceStateRequest) (*tfprotov6.UpgradeResourceStateResponse, error) {
	return &tfprotov6.UpgradeResourceStateResponse{UpgradedState: &tfprotov6.DynamicValue{JSON: req.RawState.JSON}}, nil
}

func (s *rawServer) ReadResource(_ context.Context, req *tfprotov6.ReadResourceRequest) (*tfprotov6.ReadResourceResponse, error) {
	return &tfprotov6.ReadResourceResponse{NewState: req.CurrentState, Private: req.Private}, nil
}

func (s *rawServer) PlanResourceChange(_ context.Context, req *tfprotov6.PlanResourceChangeRequest) (*tfprotov6.PlanResourceChangeResponse, error) {
	proposed, err := req.ProposedNewState.Unmarshal(s.typ)
	if err != nil {
		return nil, err
	}
	if proposed.IsNull() {
		return &tfprotov6.PlanResourceChangeResponse{PlannedState: req.ProposedNewState}, nil
	}
	prior, err := req.PriorState.Unmarshal(s.typ)
	if err != nil {
		return nil, err
	}
	create := prior.IsNull()
	var attrs map[string]tftypes.Value
	if err := proposed.As(&attrs); err != nil {
		return nil, err
	}
	attrs["client_secret_wo"] = tftypes.NewValue(tftypes.String, nil)
	if create {
		for _, name := range []string{"id", "redirect_uri", "created_at", "updated_at"} {
			attrs[name] = tftypes.NewValue(tftypes.String, tftypes.UnknownValue)
		}
		for _, name := range []string{"scopes", "actions"} {
			if attrs[name].IsNull() {
				attrs[name] = tftypes.NewValue(tftypes.Set{ElementType: tftypes.String}, []tftypes.Value{})
			}
		}
		if attrs["active"].IsNull() {
			attrs["active"] = tftypes.NewValue(tftypes.Bool, true)
		}
	}
	planned, err := tfprotov6.NewDynamicValue(s.typ, tftypes.NewValue(s.typ, attrs))
	if err != nil {
		return nil, err
	}
	return &tfprotov6.PlanResourceChangeResponse{PlannedState: &planned, PlannedPrivate: req.PriorPrivate}, nil
}

func (s *rawServer) ApplyResourceChange(_ context.Context, req *tfprotov6.ApplyResourceChangeRequest) (*tfprotov6.ApplyResourceChangeResponse, error) {
	planned, err := req.PlannedState.Unmarshal(s.typ)
	if err != nil {
		return nil, err
	}
	if planned.IsNull() {
		return &tfprotov6.ApplyResourceChangeResponse{NewState: req.PlannedState}, nil
	}
	var attrs map[string]tftypes.Value
	if err := planned.As(&attrs); err != nil {
		return nil, err
	}
	var name string
	_ = attrs["name"].As(&name)
	fill := map[string]string{"id": "null-" + name, "redirect_uri": "https://example.invalid/callback",
		"created_at": "2026-01-01T00:00:00Z", "updated_at": "2026-01-01T00:00:00Z"}
	for k, v := range fill {
		if !attrs[k].IsKnown() {
			attrs[k] = tftypes.NewValue(tftypes.String, v)
		}
	}
	state, err := tfprotov6.NewDynamicValue(s.typ, tftypes.NewValue(s.typ, attrs))
	if err != nil {
		return nil, err
	}
	return &tfprotov6.ApplyResourceChangeResponse{NewState: &state, Private: req.PlannedPrivate}, nil
}
