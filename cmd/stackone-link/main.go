// Command stackone-link links an account to a connector profile the way a
// user does through StackOne's Hub, against a running sandbox (or any
// StackOne API that the environment points at).
//
//	stackone-link -profile ID           # prints the link to open in a browser, waits for the outcome
//	stackone-link -profile ID -auto     # plays the browser: signs in as SANDBOX_USER
//	stackone-link -create               # first creates a ZoomInfo profile from the sandbox's app
//	stackone-link -profile ID -auto -owner customer-1   # links it for that origin_owner_id
//
// Install it with
//
//	go install github.com/stackonehq/terraform-provider-stackone/cmd/stackone-link@latest
//
// It reads STACKONE_BASE_URL and STACKONE_API_KEY, and with -auto also
// SANDBOX_USER and SANDBOX_PASSWORD (with -create, ZOOMINFO_CLIENT_ID and
// ZOOMINFO_CLIENT_SECRET), as the stackone-sandbox command prints them.
package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"strings"
	"time"

	"github.com/stackonehq/terraform-provider-stackone/internal/acctest"
	"github.com/stackonehq/terraform-provider-stackone/internal/stackone"
)

func main() { acctest.RunCommand("stackone-link", run) }

func run(ctx context.Context, args []string, out io.Writer) error {
	fs, profileID := acctest.CommandFlags("stackone-link")
	auto := fs.Bool("auto", false, "sign in automatically as SANDBOX_USER instead of waiting for a person")
	wait := fs.Duration("wait", 10*time.Minute, "how long to wait for a person to finish signing in")
	owner := fs.String("owner", "", "origin_owner_id of the connect session: the customer the account is linked for, so that tests can find it (stackone_accounts' origin_owner_id); default: a random acctest-… id")
	create := fs.Bool("create", false, "create a ZoomInfo profile from ZOOMINFO_CLIENT_ID/ZOOMINFO_CLIENT_SECRET first (through the sandbox dashboard stand-in: needs SANDBOX_ADMIN_TOKEN)")
	if err := fs.Parse(args); err != nil {
		return err
	}
	if *profileID == "" && !*create {
		return errors.New("-profile is required (the id of a stackone_connector_profile), or -create")
	}
	tg, err := acctest.TargetFromEnv("stackone-link", true)
	if err != nil {
		return err
	}
	tg.LinkOwner = *owner
	client := tg.Client
	if *create {
		clientID, secret := os.Getenv("ZOOMINFO_CLIENT_ID"), os.Getenv("ZOOMINFO_CLIENT_SECRET")
		if clientID == "" || secret == "" {
			return errors.New("-create needs ZOOMINFO_CLIENT_ID and ZOOMINFO_CLIENT_SECRET (the sandbox prints both)")
		}
		// Through the dashboard stand-in, which every sandbox mode serves.
		name, scopes := "ZoomInfo (stackone-link)", []string{"api:data:contact", "api:data:company"}
		p, err := tg.Dashboard().CreateProfile(ctx, acctest.DashboardProfile{
			ConnectorKey: "zoominfo", AuthenticationConfigKey: "oauth2_authorization_code_pkce", Name: &name,
			ClientID: &clientID, ClientSecret: &secret, Scopes: &scopes,
		})
		if err != nil {
			return err
		}
		fmt.Fprintf(out, "Created ZoomInfo profile %s\n", p.ID)
		*profileID = p.ID
	}

	if *auto {
		res, err := acctest.LinkAccount(ctx, tg, *profileID)
		if err != nil {
			return err
		}
		return report(out, res.SessionStatus, res.Error, res.ErrorDescription, res.Account)
	}

	_, sess, err := acctest.StartLink(ctx, tg, *profileID)
	if err != nil {
		return err
	}
	fmt.Fprintf(out, "Open this link in a browser and sign in (the sandbox prints SANDBOX_USER and SANDBOX_PASSWORD):\n\n  %s\n\nWaiting up to %s for the outcome…\n", sess.AuthLinkURL, *wait)
	deadline := time.Now().Add(*wait)
	for time.Now().Before(deadline) {
		status, oauthErr, desc, accountID, err := acctest.SessionStatus(ctx, tg, sess.ID)
		if err != nil {
			return err
		}
		if status != "pending" {
			var account *stackone.Account
			if accountID != "" {
				if account, err = client.GetAccount(ctx, accountID); err != nil {
					return err
				}
			}
			return report(out, status, oauthErr, desc, account)
		}
		select {
		case <-ctx.Done():
			return ctx.Err()
		case <-time.After(time.Second):
		}
	}
	return fmt.Errorf("no outcome after %s: the link is still pending", *wait)
}

func report(out io.Writer, status, oauthErr, desc string, account *stackone.Account) error {
	if status != "linked" || account == nil {
		return fmt.Errorf("linking failed (%s): %s %s", status, oauthErr, desc)
	}
	var scopes []string
	if account.Scopes != nil {
		scopes = *account.Scopes
	}
	fmt.Fprintf(out, "Linked account %s (provider %s, owner %s, status %s) with scopes: %s\n",
		account.ID, account.Provider, account.OriginOwnerID, account.Status, strings.Join(scopes, " "))
	return nil
}
