package provider

import (
	"context"

	"github.com/hashicorp/terraform-plugin-log/tflog"

	"github.com/stackonehq/terraform-provider-stackone/internal/stackone"
)

// tflogRequestLogger sends the client's per-attempt records to Terraform's
// log. The records carry no headers or bodies; the masks are a second line of
// defence should a server echo a secret into an error.
type tflogRequestLogger struct {
	secrets []string
}

func (l tflogRequestLogger) LogRequest(ctx context.Context, r stackone.RequestLog) {
	ctx = tflog.MaskAllFieldValuesStrings(ctx, nonEmpty(l.secrets)...)
	ctx = tflog.MaskMessageStrings(ctx, nonEmpty(l.secrets)...)
	fields := map[string]any{
		"method":      r.Method,
		"route":       r.Route,
		"status":      r.Status,
		"duration_ms": r.Duration.Milliseconds(),
		"attempt":     r.Attempt,
		"request_id":  r.RequestID,
	}
	if r.Err != nil {
		fields["error"] = r.Err.Error()
	}
	if r.WillRetry {
		fields["retry_after_ms"] = r.RetryAfter.Milliseconds()
		tflog.Warn(ctx, "StackOne request will be retried", fields)
		return
	}
	tflog.Debug(ctx, "StackOne request", fields)
}

func nonEmpty(ss []string) []string {
	out := make([]string, 0, len(ss))
	for _, s := range ss {
		if s != "" {
			out = append(out, s)
		}
	}
	return out
}
