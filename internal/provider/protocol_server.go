package provider

import (
	"context"
	"sync"

	"github.com/hashicorp/terraform-plugin-framework/provider"
	"github.com/hashicorp/terraform-plugin-framework/providerserver"
	"github.com/hashicorp/terraform-plugin-go/tfprotov6"
)

// ProtocolServer returns what tf6server.Serve takes to serve the framework
// provider that newProvider makes: providerserver.NewProtocol6, wrapped so
// that finished requests do not stay reachable.
//
// terraform-plugin-framework (v1.3.2 to at least v1.19.0,
// internal/proto6server.(*Server).registerContext) appends a
// context.CancelFunc to a slice for every RPC and empties that slice only in
// StopProvider, which Terraform sends only on an interrupt. Each CancelFunc
// keeps its request's context, and with it everything the context
// references (the per-request hclog loggers and logger options of
// terraform-plugin-go/-log, the gRPC stream's values), reachable for the
// rest of the process: about 14 KB per RPC, ~58 KB per resource in a plan
// (BENCHMARKS.md, cause 3).
//
// releasingServer empties that slice itself, by calling the framework's
// StopProvider at moments when no RPC is in flight. The framework's
// StopProvider only calls those CancelFuncs and forgets them; at such a
// moment every one of them belongs to a request that has returned, whose
// context gRPC has already cancelled, so calling them changes nothing but
// lets the garbage collector have the contexts. A real StopProvider from
// Terraform is passed through at once, as before (terraform-plugin-go's
// tf6server also cancels the contexts of the requests in flight itself).
//
// The upstream report, ready to file, is
// upstream/terraform-plugin-framework-context-leak.md; the canary
// TestProtocolServer_frameworkStillLeaks fails once the framework is fixed,
// and then this wrapper goes.
func ProtocolServer(newProvider func() provider.Provider) func() tfprotov6.ProviderServer {
	return func() tfprotov6.ProviderServer {
		return &releasingServer{inner: providerserver.NewProtocol6(newProvider())()}
	}
}

// releasingServer is a tfprotov6.ProviderServer that forwards every RPC to
// inner (the framework's server) and, whenever no RPC is in flight any
// more, calls inner.StopProvider to release the contexts the framework kept.
//
// It implements every method of tfprotov6.ProviderServer explicitly (no
// embedding), so a method added to the interface by a terraform-plugin-go
// upgrade fails to compile here instead of bypassing the in-flight count.
// Of the optional interfaces, it implements those of what the provider
// serves (list resources: protocol_server_list.go; actions: protocol_server_action.go); tf6server answers the
// RPCs of the others as unimplemented.
type releasingServer struct {
	inner tfprotov6.ProviderServer

	// inFlight is held for reading by every RPC while it runs; release holds
	// it for writing, so only when no RPC runs, and never waits for it.
	inFlight sync.RWMutex
}

var _ tfprotov6.ProviderServer = (*releasingServer)(nil)

// forward runs one RPC on inner, counted as in flight.
func forward[Req, Resp any](s *releasingServer, rpc func(context.Context, Req) (Resp, error), ctx context.Context, req Req) (Resp, error) {
	s.inFlight.RLock()
	defer s.release()
	return rpc(ctx, req)
}

// release ends an RPC and, if no other one is in flight, lets the framework
// drop the cancel functions of the finished ones.
func (s *releasingServer) release() {
	s.inFlight.RUnlock()
	if !s.inFlight.TryLock() {
		return // another RPC is in flight; the last one to finish releases
	}
	defer s.inFlight.Unlock()
	_, _ = s.inner.StopProvider(context.Background(), &tfprotov6.StopProviderRequest{})
}

// StopProvider is Terraform's interrupt: passed through at once, in flight or not.
func (s *releasingServer) StopProvider(ctx context.Context, req *tfprotov6.StopProviderRequest) (*tfprotov6.StopProviderResponse, error) {
	return s.inner.StopProvider(ctx, req)
}

func (s *releasingServer) GetMetadata(ctx context.Context, req *tfprotov6.GetMetadataRequest) (*tfprotov6.GetMetadataResponse, error) {
	return forward(s, s.inner.GetMetadata, ctx, req)
}

func (s *releasingServer) GetProviderSchema(ctx context.Context, req *tfprotov6.GetProviderSchemaRequest) (*tfprotov6.GetProviderSchemaResponse, error) {
	return forward(s, s.inner.GetProviderSchema, ctx, req)
}

func (s *releasingServer) GetResourceIdentitySchemas(ctx context.Context, req *tfprotov6.GetResourceIdentitySchemasRequest) (*tfprotov6.GetResourceIdentitySchemasResponse, error) {
	return forward(s, s.inner.GetResourceIdentitySchemas, ctx, req)
}

func (s *releasingServer) ValidateProviderConfig(ctx context.Context, req *tfprotov6.ValidateProviderConfigRequest) (*tfprotov6.ValidateProviderConfigResponse, error) {
	return forward(s, s.inner.ValidateProviderConfig, ctx, req)
}

func (s *releasingServer) ConfigureProvider(ctx context.Context, req *tfprotov6.ConfigureProviderRequest) (*tfprotov6.ConfigureProviderResponse, error) {
	return forward(s, s.inner.ConfigureProvider, ctx, req)
}

func (s *releasingServer) ValidateResourceConfig(ctx context.Context, req *tfprotov6.ValidateResourceConfigRequest) (*tfprotov6.ValidateResourceConfigResponse, error) {
	return forward(s, s.inner.ValidateResourceConfig, ctx, req)
}

func (s *releasingServer) UpgradeResourceState(ctx context.Context, req *tfprotov6.UpgradeResourceStateRequest) (*tfprotov6.UpgradeResourceStateResponse, error) {
	return forward(s, s.inner.UpgradeResourceState, ctx, req)
}

func (s *releasingServer) ReadResource(ctx context.Context, req *tfprotov6.ReadResourceRequest) (*tfprotov6.ReadResourceResponse, error) {
	return forward(s, s.inner.ReadResource, ctx, req)
}

func (s *releasingServer) PlanResourceChange(ctx context.Context, req *tfprotov6.PlanResourceChangeRequest) (*tfprotov6.PlanResourceChangeResponse, error) {
	return forward(s, s.inner.PlanResourceChange, ctx, req)
}

func (s *releasingServer) ApplyResourceChange(ctx context.Context, req *tfprotov6.ApplyResourceChangeRequest) (*tfprotov6.ApplyResourceChangeResponse, error) {
	return forward(s, s.inner.ApplyResourceChange, ctx, req)
}

func (s *releasingServer) ImportResourceState(ctx context.Context, req *tfprotov6.ImportResourceStateRequest) (*tfprotov6.ImportResourceStateResponse, error) {
	return forward(s, s.inner.ImportResourceState, ctx, req)
}

func (s *releasingServer) MoveResourceState(ctx context.Context, req *tfprotov6.MoveResourceStateRequest) (*tfprotov6.MoveResourceStateResponse, error) {
	return forward(s, s.inner.MoveResourceState, ctx, req)
}

func (s *releasingServer) UpgradeResourceIdentity(ctx context.Context, req *tfprotov6.UpgradeResourceIdentityRequest) (*tfprotov6.UpgradeResourceIdentityResponse, error) {
	return forward(s, s.inner.UpgradeResourceIdentity, ctx, req)
}

func (s *releasingServer) GenerateResourceConfig(ctx context.Context, req *tfprotov6.GenerateResourceConfigRequest) (*tfprotov6.GenerateResourceConfigResponse, error) {
	return forward(s, s.inner.GenerateResourceConfig, ctx, req)
}

func (s *releasingServer) ValidateDataResourceConfig(ctx context.Context, req *tfprotov6.ValidateDataResourceConfigRequest) (*tfprotov6.ValidateDataResourceConfigResponse, error) {
	return forward(s, s.inner.ValidateDataResourceConfig, ctx, req)
}

func (s *releasingServer) ReadDataSource(ctx context.Context, req *tfprotov6.ReadDataSourceRequest) (*tfprotov6.ReadDataSourceResponse, error) {
	return forward(s, s.inner.ReadDataSource, ctx, req)
}

func (s *releasingServer) CallFunction(ctx context.Context, req *tfprotov6.CallFunctionRequest) (*tfprotov6.CallFunctionResponse, error) {
	return forward(s, s.inner.CallFunction, ctx, req)
}

func (s *releasingServer) GetFunctions(ctx context.Context, req *tfprotov6.GetFunctionsRequest) (*tfprotov6.GetFunctionsResponse, error) {
	return forward(s, s.inner.GetFunctions, ctx, req)
}

func (s *releasingServer) ValidateEphemeralResourceConfig(ctx context.Context, req *tfprotov6.ValidateEphemeralResourceConfigRequest) (*tfprotov6.ValidateEphemeralResourceConfigResponse, error) {
	return forward(s, s.inner.ValidateEphemeralResourceConfig, ctx, req)
}

func (s *releasingServer) OpenEphemeralResource(ctx context.Context, req *tfprotov6.OpenEphemeralResourceRequest) (*tfprotov6.OpenEphemeralResourceResponse, error) {
	return forward(s, s.inner.OpenEphemeralResource, ctx, req)
}

func (s *releasingServer) RenewEphemeralResource(ctx context.Context, req *tfprotov6.RenewEphemeralResourceRequest) (*tfprotov6.RenewEphemeralResourceResponse, error) {
	return forward(s, s.inner.RenewEphemeralResource, ctx, req)
}

func (s *releasingServer) CloseEphemeralResource(ctx context.Context, req *tfprotov6.CloseEphemeralResourceRequest) (*tfprotov6.CloseEphemeralResourceResponse, error) {
	return forward(s, s.inner.CloseEphemeralResource, ctx, req)
}
