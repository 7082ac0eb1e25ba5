// Command stackone-dashboard changes a connector profile outside Terraform,
// as someone editing it in the StackOne dashboard would, so that a demo or a
// person can watch `terraform plan` catch the drift.
//
//	stackone-dashboard -profile ID -name "Renamed in the dashboard"
//	stackone-dashboard -profile ID -scopes "api:data:contact api:data:news"
//
// It reads STACKONE_BASE_URL and STACKONE_API_KEY.
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"strings"

	"github.com/stackonehq/terraform-provider-stackone/internal/stackone"
)

func main() {
	if err := run(context.Background(), os.Args[1:], os.Stdout); err != nil {
		fmt.Fprintln(os.Stderr, "stackone-dashboard:", err)
		os.Exit(1)
	}
}

func run(ctx context.Context, args []string, out io.Writer) error {
	fs := flag.NewFlagSet("stackone-dashboard", flag.ContinueOnError)
	profileID := fs.String("profile", "", "connector profile id (required)")
	name := fs.String("name", "", "new display name")
	scopes := fs.String("scopes", "", "new scopes, space-separated")
	if err := fs.Parse(args); err != nil {
		return err
	}
	if *profileID == "" || (*name == "" && *scopes == "") {
		return errors.New("usage: -profile ID and at least one of -name or -scopes")
	}
	baseURL, apiKey := os.Getenv("STACKONE_BASE_URL"), os.Getenv("STACKONE_API_KEY")
	if baseURL == "" || apiKey == "" {
		return errors.New("set STACKONE_BASE_URL and STACKONE_API_KEY (the sandbox prints both)")
	}
	client, err := stackone.New(stackone.Config{BaseURL: baseURL, APIKey: apiKey, UserAgent: "stackone-dashboard"})
	if err != nil {
		return err
	}
	var patch stackone.UpdateConnectorProfileRequest
	if *name != "" {
		patch.Name = name
	}
	if *scopes != "" {
		list := strings.Fields(*scopes)
		patch.Scopes = &list
	}
	p, err := client.UpdateConnectorProfile(ctx, *profileID, patch)
	if err != nil {
		return err
	}
	fmt.Fprintf(out, "Changed profile %s outside Terraform: name %q, scopes %s\n", p.ID, p.Name, strings.Join(p.Scopes, " "))
	return nil
}
