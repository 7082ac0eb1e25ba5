// Command terraform-provider-stackone is the Terraform provider for StackOne
// connector profiles.
package main

import (
	"context"
	"flag"
	"log"

	"github.com/hashicorp/terraform-plugin-framework/providerserver"

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

	err := providerserver.Serve(context.Background(), provider.New(version), providerserver.ServeOpts{
		Address:         providerAddress,
		Debug:           debug,
		ProtocolVersion: 6,
	})
	if err != nil {
		log.Fatal(err)
	}
}
