package acctest

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strings"
	"time"

	"github.com/stackonehq/terraform-provider-stackone/internal/stackone"
)

// DashboardProfile is what a person types into the StackOne dashboard's
// connector profile form. Nil fields are left as they are on a change.
type DashboardProfile struct {
	ConnectorKey            string    `json:"connector_key,omitempty"`
	AuthenticationConfigKey string    `json:"authentication_config_key,omitempty"`
	Name                    *string   `json:"name,omitempty"`
	ClientID                *string   `json:"client_id,omitempty"`
	ClientSecret            *string   `json:"client_secret,omitempty"`
	Scopes                  *[]string `json:"scopes,omitempty"`
	Actions                 *[]string `json:"actions,omitempty"`
	Active                  *bool     `json:"active,omitempty"`
}

// Dashboard stands in for the StackOne dashboard through the sandbox's
// admin endpoints (POST, PATCH and DELETE /admin/connector_profiles), which work
// whether or not the sandbox serves the profile-write extension: it is how
// tests and the demo make and change profiles "outside Terraform".
type Dashboard struct {
	BaseURL    string
	AdminToken string
}

// Dashboard returns the dashboard of the target's sandbox.
func (tg *Target) Dashboard() *Dashboard {
	d := &Dashboard{BaseURL: tg.BaseURL, AdminToken: tg.AdminToken}
	if tg.Sandbox != nil {
		d.AdminToken = tg.Sandbox.AdminToken()
	}
	return d
}

// CreateProfile makes a profile as a person does in the dashboard.
func (d *Dashboard) CreateProfile(ctx context.Context, p DashboardProfile) (*stackone.ConnectorProfile, error) {
	return d.send(ctx, http.MethodPost, "/admin/connector_profiles", p)
}

// UpdateProfile changes a profile as a person does in the dashboard.
func (d *Dashboard) UpdateProfile(ctx context.Context, id string, p DashboardProfile) (*stackone.ConnectorProfile, error) {
	return d.send(ctx, http.MethodPatch, "/admin/connector_profiles/"+url.PathEscape(id), p)
}

// DeleteProfile deletes a profile as a person does in the dashboard.
func (d *Dashboard) DeleteProfile(ctx context.Context, id string) error {
	_, err := d.send(ctx, http.MethodDelete, "/admin/connector_profiles/"+url.PathEscape(id), nil)
	return err
}

func (d *Dashboard) send(ctx context.Context, method, path string, body any) (*stackone.ConnectorProfile, error) {
	if d.AdminToken == "" {
		return nil, fmt.Errorf("%s %s: no sandbox admin token (SANDBOX_ADMIN_TOKEN): the dashboard stand-in exists only in the sandbox", method, path)
	}
	raw, err := json.Marshal(body)
	if err != nil {
		return nil, err
	}
	req, err := http.NewRequestWithContext(ctx, method, strings.TrimSuffix(d.BaseURL, "/")+path, bytes.NewReader(raw))
	if err != nil {
		return nil, err
	}
	req.Header.Set("Authorization", "Bearer "+d.AdminToken)
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("User-Agent", "terraform-provider-stackone-acctest")
	resp, err := (&http.Client{Timeout: 30 * time.Second}).Do(req)
	if err != nil {
		return nil, err
	}
	defer resp.Body.Close()
	answer, err := io.ReadAll(io.LimitReader(resp.Body, maxPageBytes))
	if err != nil {
		return nil, err
	}
	if resp.StatusCode/100 != 2 {
		return nil, fmt.Errorf("%s %s: HTTP %d: %s", method, path, resp.StatusCode, answer)
	}
	if resp.StatusCode == http.StatusNoContent {
		return nil, nil
	}
	var p stackone.ConnectorProfile
	if err := json.Unmarshal(answer, &p); err != nil {
		return nil, fmt.Errorf("%s %s: %w", method, path, err)
	}
	return &p, nil
}
