package provider

import (
	"context"
	"testing"

	"github.com/hashicorp/terraform-plugin-go/tfprotov6"
)

// fakeListInner is fakeInner that also serves a list resource answering
// results results.
type fakeListInner struct {
	*fakeInner
	results  int
	validate int
}

func (f *fakeListInner) ValidateListResourceConfig(context.Context, *tfprotov6.ValidateListResourceConfigRequest) (*tfprotov6.ValidateListResourceConfigResponse, error) {
	f.validate++
	return &tfprotov6.ValidateListResourceConfigResponse{}, nil
}

func (f *fakeListInner) ListResource(context.Context, *tfprotov6.ListResourceRequest) (*tfprotov6.ListResourceServerStream, error) {
	return &tfprotov6.ListResourceServerStream{Results: func(push func(tfprotov6.ListResourceResult) bool) {
		for i := 0; i < f.results; i++ {
			if !push(tfprotov6.ListResourceResult{DisplayName: "p"}) {
				return
			}
		}
	}}, nil
}

// A list RPC reaches the framework's server, and counts as in flight until
// its stream is drained: the framework runs the provider's List while
// tf6server pulls the results, after ListResource has returned.
func TestReleasingServer_listResourceInFlightUntilDrained(t *testing.T) {
	ctx := context.Background()
	inner := &fakeListInner{fakeInner: &fakeInner{}, results: 3}
	s := &releasingServer{inner: inner}

	if _, err := s.ValidateListResourceConfig(ctx, &tfprotov6.ValidateListResourceConfigRequest{}); err != nil {
		t.Fatal(err)
	}
	if inner.validate != 1 || inner.stops.Load() != 1 {
		t.Fatalf("ValidateListResourceConfig: %d calls, %d releases; want 1 and 1", inner.validate, inner.stops.Load())
	}

	stream, err := s.ListResource(ctx, &tfprotov6.ListResourceRequest{})
	if err != nil {
		t.Fatal(err)
	}
	if got := inner.stops.Load(); got != 1 {
		t.Fatalf("released with the stream not yet read: %d releases, want still 1", got)
	}
	n := 0
	for range stream.Results {
		n++
		if got := inner.stops.Load(); got != 1 {
			t.Fatalf("released while the stream was read: %d releases, want still 1", got)
		}
	}
	if n != 3 {
		t.Fatalf("forwarded %d results, want 3", n)
	}
	if got := inner.stops.Load(); got != 2 {
		t.Fatalf("after the stream was drained: %d releases, want 2", got)
	}

	// A reader that stops early (Terraform's limit) ends the RPC too.
	stream, err = s.ListResource(ctx, &tfprotov6.ListResourceRequest{})
	if err != nil {
		t.Fatal(err)
	}
	for range stream.Results {
		break
	}
	if got := inner.stops.Load(); got != 3 {
		t.Fatalf("after the reader stopped: %d releases, want 3", got)
	}
}

// A server without list resources (not the framework's) is answered as
// tf6server answers one: unimplemented, not a panic.
func TestReleasingServer_listResourceNotServed(t *testing.T) {
	s := &releasingServer{inner: &fakeInner{}}
	if _, err := s.ListResource(context.Background(), &tfprotov6.ListResourceRequest{}); err == nil {
		t.Fatal("ListResource on a server without list resources: no error")
	}
	if _, err := s.ValidateListResourceConfig(context.Background(), &tfprotov6.ValidateListResourceConfigRequest{}); err == nil {
		t.Fatal("ValidateListResourceConfig on a server without list resources: no error")
	}
}
