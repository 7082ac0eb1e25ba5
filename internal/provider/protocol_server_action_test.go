package provider

import (
	"context"
	"testing"

	"github.com/hashicorp/terraform-plugin-go/tfprotov6"
)

// fakeActionInner is fakeInner that also serves actions: its invocation's
// events are produced only when finish is closed, as the framework's action
// runs while tf6server reads the stream.
type fakeActionInner struct {
	*fakeInner
	finish chan struct{}
	ctxErr chan error // the invocation's context error when it finished
}

func (f *fakeActionInner) ValidateActionConfig(context.Context, *tfprotov6.ValidateActionConfigRequest) (*tfprotov6.ValidateActionConfigResponse, error) {
	return &tfprotov6.ValidateActionConfigResponse{}, nil
}

func (f *fakeActionInner) PlanAction(context.Context, *tfprotov6.PlanActionRequest) (*tfprotov6.PlanActionResponse, error) {
	return &tfprotov6.PlanActionResponse{}, nil
}

func (f *fakeActionInner) InvokeAction(ctx context.Context, _ *tfprotov6.InvokeActionRequest) (*tfprotov6.InvokeActionServerStream, error) {
	return &tfprotov6.InvokeActionServerStream{Events: func(yield func(tfprotov6.InvokeActionEvent) bool) {
		if !yield(tfprotov6.InvokeActionEvent{Type: tfprotov6.ProgressInvokeActionEventType{Message: "started"}}) {
			return
		}
		<-f.finish
		f.ctxErr <- ctx.Err()
		yield(tfprotov6.InvokeActionEvent{Type: tfprotov6.CompletedInvokeActionEventType{}})
	}}, nil
}

// TestReleasingServerKeepsAnInvocationInFlight: an action runs after
// InvokeAction has returned its stream, while its events are read. Releasing
// when the stream is handed over would call the framework's StopProvider
// mid-invocation, which cancels the action's context; so the wrapper
// releases only once the events are read to the end.
func TestReleasingServerKeepsAnInvocationInFlight(t *testing.T) {
	ctx := context.Background()
	inner := &fakeActionInner{fakeInner: &fakeInner{started: make(chan string, 16)}, finish: make(chan struct{}), ctxErr: make(chan error, 1)}
	s := &releasingServer{inner: inner}

	stream, err := s.InvokeAction(ctx, &tfprotov6.InvokeActionRequest{ActionType: "stackone_connect_link"})
	if err != nil {
		t.Fatal(err)
	}
	if got := inner.stops.Load(); got != 0 {
		t.Fatalf("released when the stream was handed over: %d StopProvider calls, want 0", got)
	}
	events := make(chan tfprotov6.InvokeActionEvent, 4)
	read := make(chan struct{})
	go func() {
		defer close(read)
		for ev := range stream.Events {
			events <- ev
		}
	}()
	<-events // the action is running

	// Another RPC ends while the action runs: no release.
	if _, err := s.ReadResource(ctx, &tfprotov6.ReadResourceRequest{TypeName: "fast"}); err != nil {
		t.Fatal(err)
	}
	<-inner.started
	if got := inner.stops.Load(); got != 0 {
		t.Fatalf("released while an action ran: %d StopProvider calls, want 0", got)
	}

	close(inner.finish)
	<-read
	if err := <-inner.ctxErr; err != nil {
		t.Fatalf("the action's context ended while it ran: %v", err)
	}
	if _, ok := (<-events).Type.(tfprotov6.CompletedInvokeActionEventType); !ok {
		t.Fatal("the completed event did not come through")
	}
	if got := inner.stops.Load(); got != 1 {
		t.Fatalf("after the events were read: %d StopProvider calls, want 1", got)
	}

	// The other action RPCs are forwarded and released like any RPC.
	if _, err := s.PlanAction(ctx, &tfprotov6.PlanActionRequest{}); err != nil {
		t.Fatal(err)
	}
	if _, err := s.ValidateActionConfig(ctx, &tfprotov6.ValidateActionConfigRequest{}); err != nil {
		t.Fatal(err)
	}
	if got := inner.stops.Load(); got != 3 {
		t.Fatalf("after PlanAction and ValidateActionConfig: %d StopProvider calls, want 3", got)
	}
}

// TestReleasingServerWithoutActions: a framework server without actions is
// answered with an error diagnostic, not a panic.
func TestReleasingServerWithoutActions(t *testing.T) {
	s := &releasingServer{inner: &fakeInner{}}
	stream, err := s.InvokeAction(context.Background(), &tfprotov6.InvokeActionRequest{})
	if err != nil {
		t.Fatal(err)
	}
	n := 0
	for ev := range stream.Events {
		c, ok := ev.Type.(tfprotov6.CompletedInvokeActionEventType)
		if !ok || len(c.Diagnostics) != 1 || c.Diagnostics[0].Severity != tfprotov6.DiagnosticSeverityError {
			t.Fatalf("event %+v, want one completed event with an error", ev)
		}
		n++
	}
	if n != 1 {
		t.Fatalf("%d events, want 1", n)
	}
}
