package provider

import (
	"context"
	"reflect"
	"sync/atomic"
	"testing"
	"time"

	"github.com/hashicorp/terraform-plugin-framework/providerserver"
	"github.com/hashicorp/terraform-plugin-go/tfprotov6"
)

// fakeInner stands in for the framework's server: ReadResource blocks until
// its request says otherwise; StopProvider counts its calls.
type fakeInner struct {
	tfprotov6.ProviderServer // nil: only the methods below are called
	stops                    atomic.Int32
	block                    map[string]chan struct{}
	started                  chan string // told the type name of each ReadResource that begins
}

func (f *fakeInner) ReadResource(_ context.Context, req *tfprotov6.ReadResourceRequest) (*tfprotov6.ReadResourceResponse, error) {
	if f.started != nil {
		f.started <- req.TypeName
	}
	if ch := f.block[req.TypeName]; ch != nil {
		<-ch
	}
	return &tfprotov6.ReadResourceResponse{}, nil
}

func (f *fakeInner) StopProvider(context.Context, *tfprotov6.StopProviderRequest) (*tfprotov6.StopProviderResponse, error) {
	f.stops.Add(1)
	return &tfprotov6.StopProviderResponse{}, nil
}

func TestReleasingServerReleasesOnlyWhenIdle(t *testing.T) {
	ctx := context.Background()
	slow := make(chan struct{})
	inner := &fakeInner{block: map[string]chan struct{}{"slow": slow}, started: make(chan string, 16)}
	s := &releasingServer{inner: inner}

	// An RPC alone: released as it ends.
	if _, err := s.ReadResource(ctx, &tfprotov6.ReadResourceRequest{TypeName: "fast"}); err != nil {
		t.Fatal(err)
	}
	<-inner.started
	if got := inner.stops.Load(); got != 1 {
		t.Fatalf("after one idle RPC: %d releases, want 1", got)
	}

	// While one RPC is in flight, the others end without releasing.
	done := make(chan struct{})
	go func() {
		defer close(done)
		_, _ = s.ReadResource(ctx, &tfprotov6.ReadResourceRequest{TypeName: "slow"})
	}()
	if name := <-inner.started; name != "slow" { // the slow RPC is in flight now
		t.Fatalf("started %q, want slow", name)
	}
	for i := 0; i < 3; i++ {
		if _, err := s.ReadResource(ctx, &tfprotov6.ReadResourceRequest{TypeName: "fast"}); err != nil {
			t.Fatal(err)
		}
		<-inner.started
	}
	if got := inner.stops.Load(); got != 1 {
		t.Fatalf("with an RPC in flight: %d releases, want still 1", got)
	}

	// Terraform's own StopProvider goes through at once, RPC in flight or not.
	stopped := make(chan struct{})
	go func() {
		defer close(stopped)
		_, _ = s.StopProvider(ctx, &tfprotov6.StopProviderRequest{})
	}()
	select {
	case <-stopped:
	case <-time.After(5 * time.Second):
		t.Fatal("StopProvider waited for the RPC in flight")
	}
	if got := inner.stops.Load(); got != 2 {
		t.Fatalf("after StopProvider: %d calls, want 2", got)
	}

	// The last RPC to end releases.
	close(slow)
	<-done
	if got := inner.stops.Load(); got != 3 {
		t.Fatalf("after the last RPC ended: %d calls, want 3", got)
	}
}

// TestProtocolServer_forwardsWhatTheProviderServes compares method sets: every
// RPC the framework's server answers, the wrapper answers too, except those of
// an optional protocol interface of which this provider serves nothing (tf6server
// then answers them as unimplemented, which is right). A framework upgrade that
// adds an optional interface, or a provider that starts serving one, fails here
// until the wrapper forwards it.
func TestProtocolServer_forwardsWhatTheProviderServes(t *testing.T) {
	ctx := context.Background()
	inner := providerserver.NewProtocol6(New("test")())()
	wrapped := ProtocolServer(New("test"))()
	schema, err := inner.GetProviderSchema(ctx, &tfprotov6.GetProviderSchemaRequest{})
	if err != nil {
		t.Fatal(err)
	}
	optional := map[string]struct {
		iface  reflect.Type
		served int
	}{
		"list resources": {reflect.TypeFor[tfprotov6.ListResourceServer](), len(schema.ListResourceSchemas)},
		"actions":        {reflect.TypeFor[tfprotov6.ActionServer](), len(schema.ActionSchemas)},
		"state stores":   {reflect.TypeFor[tfprotov6.StateStoreServer](), len(schema.StateStoreSchemas)},
	}
	wrappedType := reflect.TypeOf(wrapped)
	innerType := reflect.TypeOf(inner)
	// tf6server finds an optional interface's RPCs by a type assertion: the
	// wrapper must satisfy it whole, signatures included, or Terraform is
	// told the provider does not implement them.
	for kind, o := range optional {
		if o.served > 0 && !wrappedType.Implements(o.iface) {
			t.Errorf("the provider serves %d %s, but the wrapper does not implement %s", o.served, kind, o.iface)
		}
	}
	for i := 0; i < innerType.NumMethod(); i++ {
		name := innerType.Method(i).Name
		if _, ok := wrappedType.MethodByName(name); ok {
			continue
		}
		kind := ""
		for k, o := range optional {
			if _, ok := o.iface.MethodByName(name); ok {
				kind = k
				if o.served > 0 {
					t.Errorf("the provider serves %d %s, but the wrapper does not forward %s", o.served, k, name)
				}
			}
		}
		if kind == "" {
			t.Errorf("the framework's server answers %s, which the wrapper does not forward and which belongs to no optional interface this test knows", name)
		}
	}
	if len(schema.ListResourceSchemas) == 0 {
		t.Error("the provider serves no list resource: stackone_connector_profile is missing")
	}
}
