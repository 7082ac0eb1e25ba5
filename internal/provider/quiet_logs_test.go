package provider_test

import (
	"os"
	"strings"
	"testing"

	"github.com/stackonehq/terraform-provider-stackone/internal/provider"
)

// clearTFLog unsets every TF_LOG* variable for the test, restoring them after.
func clearTFLog(t *testing.T) {
	for _, kv := range os.Environ() {
		if name, _, _ := strings.Cut(kv, "="); strings.HasPrefix(name, "TF_LOG") {
			t.Setenv(name, "")
			os.Unsetenv(name)
		}
	}
}

func TestQuietSDKLogsWhenNobodyAsked(t *testing.T) {
	clearTFLog(t)
	for _, name := range []string{"TF_LOG_SDK", "TF_LOG_SDK_PROTO", "TF_LOG_SDK_FRAMEWORK", "TF_LOG_PROVIDER"} {
		t.Setenv(name, "") // restored after the test
		os.Unsetenv(name)
	}
	provider.QuietSDKLogs()
	for _, name := range []string{"TF_LOG_SDK", "TF_LOG_SDK_PROTO", "TF_LOG_SDK_FRAMEWORK", "TF_LOG_PROVIDER"} {
		if got := os.Getenv(name); got != "off" {
			t.Errorf("%s = %q, want off", name, got)
		}
	}
}

func TestQuietSDKLogsLeavesRequestedLogging(t *testing.T) {
	clearTFLog(t)
	t.Setenv("TF_LOG", "TRACE")
	provider.QuietSDKLogs()
	for _, name := range []string{"TF_LOG_SDK", "TF_LOG_SDK_PROTO", "TF_LOG_SDK_FRAMEWORK", "TF_LOG_PROVIDER"} {
		if got, set := os.LookupEnv(name); set {
			t.Errorf("%s = %q with TF_LOG=TRACE set; want it left unset", name, got)
		}
	}
}
