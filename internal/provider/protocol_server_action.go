package provider

import (
	"context"
	"sync"

	"github.com/hashicorp/terraform-plugin-go/tfprotov6"
)

// The action RPCs (Terraform 1.14 and later), forwarded like every other RPC
// so that an action counts as in flight while it runs. tf6server looks for
// them through the optional tfprotov6.ProviderServerWithActions interface
// (ProviderServer and ActionServer): without these methods it would answer
// every action as not implemented, whatever the framework's server serves.

var _ tfprotov6.ActionServer = (*releasingServer)(nil)

// actionServer is inner's action RPCs, or nil when the framework's server
// has none (it has had them since terraform-plugin-framework v1.16).
func (s *releasingServer) actionServer() tfprotov6.ActionServer {
	a, _ := s.inner.(tfprotov6.ActionServer)
	return a
}

// actionsNotServed is the answer when inner serves no actions, as tf6server
// itself would give it.
var actionsNotServed = []*tfprotov6.Diagnostic{{
	Severity: tfprotov6.DiagnosticSeverityError,
	Summary:  "Provider does not serve actions",
	Detail:   "This build of the stackone provider serves no actions. This is a bug in the stackone provider: please report it.",
}}

// ValidateActionConfig forwards the validation of an action block.
func (s *releasingServer) ValidateActionConfig(ctx context.Context, req *tfprotov6.ValidateActionConfigRequest) (*tfprotov6.ValidateActionConfigResponse, error) {
	a := s.actionServer()
	if a == nil {
		return &tfprotov6.ValidateActionConfigResponse{Diagnostics: actionsNotServed}, nil
	}
	return forward(s, a.ValidateActionConfig, ctx, req)
}

// PlanAction forwards the planning of an action invocation.
func (s *releasingServer) PlanAction(ctx context.Context, req *tfprotov6.PlanActionRequest) (*tfprotov6.PlanActionResponse, error) {
	a := s.actionServer()
	if a == nil {
		return &tfprotov6.PlanActionResponse{Diagnostics: actionsNotServed}, nil
	}
	return forward(s, a.PlanAction, ctx, req)
}

// InvokeAction forwards an invocation. Unlike the other RPCs it does its work
// after it returns: the framework runs the action while tf6server reads the
// stream's events. So the invocation stays in flight until the events are
// read to the end, not merely until the stream is handed over; releasing
// earlier would call the framework's StopProvider while the action runs,
// which cancels the action's context.
func (s *releasingServer) InvokeAction(ctx context.Context, req *tfprotov6.InvokeActionRequest) (*tfprotov6.InvokeActionServerStream, error) {
	a := s.actionServer()
	if a == nil {
		return &tfprotov6.InvokeActionServerStream{Events: func(yield func(tfprotov6.InvokeActionEvent) bool) {
			yield(tfprotov6.InvokeActionEvent{Type: tfprotov6.CompletedInvokeActionEventType{Diagnostics: actionsNotServed}})
		}}, nil
	}
	s.inFlight.RLock()
	stream, err := a.InvokeAction(ctx, req)
	if err != nil || stream == nil || stream.Events == nil {
		s.release()
		return stream, err
	}
	events := stream.Events
	var once sync.Once
	return &tfprotov6.InvokeActionServerStream{Events: func(yield func(tfprotov6.InvokeActionEvent) bool) {
		// tf6server reads the events exactly once; the once guards a
		// second reader, which must not release a lock it never held.
		first := false
		once.Do(func() { first = true })
		if !first {
			return
		}
		defer s.release()
		events(yield)
	}}, nil
}
