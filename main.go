// Command terraform-provider-stackone is the Terraform provider for StackOne
// connector profiles.
package main

import (
	"flag"
	"log"
	"os"
	"strings"

	"github.com/hashicorp/terraform-plugin-go/tfprotov6/tf6server"

	"github.com/stackonehq/terraform-provider-stackone/internal/provider"
)

// version is set at build time with -ldflags "-X main.version=…".
var version = "dev"

// providerAddress is the registry source address users put in required_providers.
const providerAddress = "registry.terraform.io/stackonehq/stackone"

func main() {
	var debug bool
	flag.BoolVar(&debug, "debug", false, "start the provider with support for debuggers like delve")
	flag.Parse()
	quietSDKLogs()

	// What providerserver.Serve does for protocol 6, with the framework's
	// server wrapped by provider.ProtocolServer: the framework keeps every
	// request's context reachable until StopProvider otherwise (~14 KB per
	// RPC; BENCHMARKS.md, cause 3).
	var opts []tf6server.ServeOpt
	if debug {
		opts = append(opts, tf6server.WithManagedDebug())
	}
	err := tf6server.Serve(providerAddress, provider.ProtocolServer(provider.New(version)), opts...)
	if err != nil {
		log.Fatal(err)
	}
}

// quietSDKLogs turns the plugin SDK's own per-RPC logging off when nobody
// asked for logs. terraform-plugin-go and the framework log every RPC at
// TRACE whatever TF_LOG says, and Terraform parses and drops those lines:
// about a quarter of the provider's CPU, and seconds of Terraform's, on a
// plan of 1000 profiles (BENCHMARKS.md). With any TF_LOG* variable set,
// nothing changes.
func quietSDKLogs() {
	for _, kv := range os.Environ() {
		if strings.HasPrefix(kv, "TF_LOG") {
			return
		}
	}
	for _, name := range []string{"TF_LOG_SDK", "TF_LOG_SDK_PROTO", "TF_LOG_SDK_FRAMEWORK", "TF_LOG_PROVIDER"} {
		_ = os.Setenv(name, "off")
	}
}
