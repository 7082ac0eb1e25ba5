package provider

import (
	"context"
	"os"
	"strings"

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

// QuietSDKLogs turns the plugin SDK's own per-RPC logging off when nobody
// asked for logs; the provider's main calls it before serving.
// terraform-plugin-go and the framework log every RPC at TRACE whatever
// TF_LOG says, and Terraform parses and drops those lines: about a quarter
// of the provider's CPU, and seconds of Terraform's, on a plan of 1000
// profiles (BENCHMARKS.md, fix 1). With any TF_LOG* variable set, nothing
// changes.
func QuietSDKLogs() {
	for _, kv := range os.Environ() {
		if strings.HasPrefix(kv, "TF_LOG") {
			return
		}
	}
	for _, name := range []string{"TF_LOG_SDK", "TF_LOG_SDK_PROTO", "TF_LOG_SDK_FRAMEWORK", "TF_LOG_PROVIDER"} {
		_ = os.Setenv(name, "off")
	}
}
