// Command terraform-provider-stackone is the Terraform provider for StackOne
// connector profiles.
package main

import (
	"flag"
	"log"

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
	provider.QuietSDKLogs()

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
