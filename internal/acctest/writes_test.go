package acctest

import (
	"testing"

	"github.com/stackonehq/terraform-provider-stackone/internal/sandbox"
	"github.com/stackonehq/terraform-provider-stackone/internal/stackone"
)

// TestRequireProfileWrites: write tests skip against a server without
// profile writes, found out by asking it as live StackOne would be asked
// (no in-process sandbox), and run against one with them; the question
// creates nothing.
func TestRequireProfileWrites(t *testing.T) {
	for mode, wantSkip := range map[sandbox.APIMode]bool{sandbox.APIPublished: true, sandbox.APIExtended: false} {
		sb, err := sandbox.Start(sandbox.Options{API: mode})
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { _ = sb.Close() })
		client, err := stackone.New(stackone.Config{BaseURL: sb.BaseURL(), APIKey: sb.APIKey()})
		if err != nil {
			t.Fatal(err)
		}
		for name, tg := range map[string]*Target{
			"asked":   {BaseURL: sb.BaseURL(), APIKey: sb.APIKey(), Client: client},
			"sandbox": {Sandbox: sb, BaseURL: sb.BaseURL(), APIKey: sb.APIKey(), Client: client},
		} {
			skipped := false
			t.Run(string(mode)+"/"+name, func(t *testing.T) {
				defer func() { skipped = t.Skipped() }()
				tg.RequireProfileWrites(t)
			})
			if skipped != wantSkip {
				t.Errorf("%s, %s: skipped %v, want %v", mode, name, skipped, wantSkip)
			}
		}
		if n := len(sb.Profiles()); n != 0 {
			t.Errorf("%s: asking created %d profiles", mode, n)
		}
	}
}
