// Command stackone-dashboard changes a connector profile outside Terraform,
// as someone editing it in the StackOne dashboard would, so that a demo or a
// person can watch `terraform plan` catch the drift.
//
//	stackone-dashboard -profile ID -name "Renamed in the dashboard"
//	stackone-dashboard -profile ID -scopes "api:data:contact api:data:news"
//
// It reads STACKONE_BASE_URL and SANDBOX_ADMIN_TOKEN (the sandbox prints
// both) and goes through the sandbox's dashboard stand-in, which works
// whether or not the sandbox accepts profile writes on its API.
package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"strings"

	"github.com/stackonehq/terraform-provider-stackone/internal/acctest"
)

func main() { acctest.RunCommand("stackone-dashboard", run) }

func run(ctx context.Context, args []string, out io.Writer) error {
	fs, profileID := acctest.CommandFlags("stackone-dashboard")
	name := fs.String("name", "", "new display name")
	scopes := fs.String("scopes", "", "new scopes, space-separated")
	if err := fs.Parse(args); err != nil {
		return err
	}
	if *profileID == "" || (*name == "" && *scopes == "") {
		return errors.New("usage: -profile ID and at least one of -name or -scopes")
	}
	tg, err := acctest.TargetFromEnv("stackone-dashboard", false)
	if err != nil {
		return err
	}
	if tg.AdminToken == "" {
		return errors.New("set " + acctest.EnvAdminToken + " (the sandbox prints it): the dashboard stand-in is the sandbox's")
	}
	var change acctest.DashboardProfile
	if *name != "" {
		change.Name = name
	}
	if *scopes != "" {
		list := strings.Fields(*scopes)
		change.Scopes = &list
	}
	p, err := tg.Dashboard().UpdateProfile(ctx, *profileID, change)
	if err != nil {
		return err
	}
	var now []string
	if p.Scopes != nil {
		now = *p.Scopes
	}
	fmt.Fprintf(out, "Changed profile %s outside Terraform: name %q, scopes %s\n", p.ID, p.Name, strings.Join(now, " "))
	return nil
}
