package provider

import (
	"context"
	"sync"

	"github.com/hashicorp/terraform-plugin-go/tfprotov6"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/status"
)

// The list resource RPCs (terraform query, Terraform 1.14 and later),
// forwarded like every other RPC. tf6server serves them only when the server
// it is given implements tfprotov6.ListResourceServer, so releasingServer
// must, now that the provider has a list resource.
var _ tfprotov6.ListResourceServer = (*releasingServer)(nil)

// listInner is inner's list resource server. The framework's server always
// is one; the fallback answers what tf6server would for a server that is not.
func (s *releasingServer) listInner() (tfprotov6.ListResourceServer, error) {
	if inner, ok := s.inner.(tfprotov6.ListResourceServer); ok {
		return inner, nil
	}
	return nil, status.Error(codes.Unimplemented, "ProviderServer does not implement ListResource")
}

func (s *releasingServer) ValidateListResourceConfig(ctx context.Context, req *tfprotov6.ValidateListResourceConfigRequest) (*tfprotov6.ValidateListResourceConfigResponse, error) {
	inner, err := s.listInner()
	if err != nil {
		return nil, err
	}
	return forward(s, inner.ValidateListResourceConfig, ctx, req)
}

// ListResource answers a stream: tf6server pulls its results after this
// returns, and the framework runs the provider's List as they are pulled.
// So the RPC counts as in flight until the stream is drained (or its reader
// stops), not merely until ListResource returns.
func (s *releasingServer) ListResource(ctx context.Context, req *tfprotov6.ListResourceRequest) (*tfprotov6.ListResourceServerStream, error) {
	inner, err := s.listInner()
	if err != nil {
		return nil, err
	}
	s.inFlight.RLock()
	stream, err := inner.ListResource(ctx, req)
	if err != nil || stream == nil || stream.Results == nil {
		s.release()
		return stream, err
	}
	results := stream.Results
	var done sync.Once
	stream.Results = func(push func(tfprotov6.ListResourceResult) bool) {
		defer done.Do(s.release)
		for r := range results {
			if !push(r) {
				return
			}
		}
	}
	return stream, nil
}
