package main

import (
	"context"
	"fmt"

	"github.com/hashicorp/terraform-plugin-framework/providerserver"
	"github.com/hashicorp/terraform-plugin-framework/resource"
	"github.com/hashicorp/terraform-plugin-go/tfprotov6"
	"github.com/hashicorp/terraform-plugin-go/tftypes"
)

// rawServer answers the resource RPCs on the raw protocol, with no
// framework in the way (schema and provider RPCs still go to the
// framework's server). With BENCHNULL_RAW=1 it is the floor of any plugin
// provider: what Terraform, go-plugin, gRPC and msgpack cost, with the
// provider doing the least a correct plan needs.
type rawServer struct {
	tfprotov6.ProviderServer
	types map[string]rawType
}

// rawType is what the raw server needs to know of one resource type.
type rawType struct {
	typ tftypes.Object
	// computed are the string attributes unknown in a create plan and
	// filled at apply.
	computed []string
	// defaults are set in a create plan where the configuration is null.
	defaults map[string]tftypes.Value
	// writeOnly are nulled in every plan.
	writeOnly []string
}

func newRawServer() tfprotov6.ProviderServer {
	ctx := context.Background()
	s := &rawServer{ProviderServer: providerserver.NewProtocol6(nullProvider{})(), types: map[string]rawType{}}
	for _, r := range []resource.Resource{profile{}, dataShaped{}} {
		var meta resource.MetadataResponse
		r.Metadata(ctx, resource.MetadataRequest{ProviderTypeName: "benchnull"}, &meta)
		var sresp resource.SchemaResponse
		r.Schema(ctx, resource.SchemaRequest{}, &sresp)
		typ, ok := sresp.Schema.Type().TerraformType(ctx).(tftypes.Object)
		if !ok {
			panic("benchnull: a resource schema's type is not an object")
		}
		rt := rawType{typ: typ}
		for name, a := range sresp.Schema.Attributes {
			if a.IsWriteOnly() {
				rt.writeOnly = append(rt.writeOnly, name)
			}
		}
		switch r.(type) {
		case profile:
			at := rt.typ.AttributeTypes
			rt.computed = []string{"id", "redirect_uri", "created_at", "updated_at"}
			rt.defaults = map[string]tftypes.Value{
				"scopes":  tftypes.NewValue(at["scopes"], []tftypes.Value{}),
				"actions": tftypes.NewValue(at["actions"], []tftypes.Value{}),
				"active":  tftypes.NewValue(tftypes.Bool, true),
			}
		case dataShaped:
			rt.computed = []string{"id"}
		}
		s.types[meta.TypeName] = rt
	}
	return s
}

func (s *rawServer) lookup(typeName string) (rawType, error) {
	rt, ok := s.types[typeName]
	if !ok {
		return rt, fmt.Errorf("raw server: unknown resource type %q", typeName)
	}
	return rt, nil
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
	rt, err := s.lookup(req.TypeName)
	if err != nil {
		return nil, err
	}
	proposed, err := req.ProposedNewState.Unmarshal(rt.typ)
	if err != nil {
		return nil, err
	}
	if proposed.IsNull() {
		return &tfprotov6.PlanResourceChangeResponse{PlannedState: req.ProposedNewState}, nil
	}
	prior, err := req.PriorState.Unmarshal(rt.typ)
	if err != nil {
		return nil, err
	}
	var attrs map[string]tftypes.Value
	if err := proposed.As(&attrs); err != nil {
		return nil, err
	}
	for _, name := range rt.writeOnly {
		attrs[name] = tftypes.NewValue(attrs[name].Type(), nil)
	}
	if prior.IsNull() {
		for _, name := range rt.computed {
			attrs[name] = tftypes.NewValue(tftypes.String, tftypes.UnknownValue)
		}
		for name, v := range rt.defaults {
			if attrs[name].IsNull() {
				attrs[name] = v
			}
		}
	}
	planned, err := tfprotov6.NewDynamicValue(rt.typ, tftypes.NewValue(rt.typ, attrs))
	if err != nil {
		return nil, err
	}
	return &tfprotov6.PlanResourceChangeResponse{PlannedState: &planned, PlannedPrivate: req.PriorPrivate}, nil
}

func (s *rawServer) ApplyResourceChange(_ context.Context, req *tfprotov6.ApplyResourceChangeRequest) (*tfprotov6.ApplyResourceChangeResponse, error) {
	rt, err := s.lookup(req.TypeName)
	if err != nil {
		return nil, err
	}
	planned, err := req.PlannedState.Unmarshal(rt.typ)
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
	for _, name := range rt.computed {
		if !attrs[name].IsKnown() {
			attrs[name] = tftypes.NewValue(tftypes.String, "null-"+name)
		}
	}
	state, err := tfprotov6.NewDynamicValue(rt.typ, tftypes.NewValue(rt.typ, attrs))
	if err != nil {
		return nil, err
	}
	return &tfprotov6.ApplyResourceChangeResponse{NewState: &state, Private: req.PlannedPrivate}, nil
}
