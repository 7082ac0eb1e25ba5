package provider

import (
	"context"
	"fmt"
	"strings"
	"time"
	"unicode"

	"github.com/hashicorp/terraform-plugin-framework/schema/validator"
	"github.com/hashicorp/terraform-plugin-framework/types"
)

// durationValidator accepts a positive Go duration such as "30s".
type durationValidator struct{}

func (durationValidator) Description(context.Context) string {
	return "must be a positive Go duration such as \"30s\" or \"2m\""
}
func (v durationValidator) MarkdownDescription(ctx context.Context) string { return v.Description(ctx) }

func (durationValidator) ValidateString(_ context.Context, req validator.StringRequest, resp *validator.StringResponse) {
	if req.ConfigValue.IsNull() || req.ConfigValue.IsUnknown() {
		return
	}
	d, err := time.ParseDuration(req.ConfigValue.ValueString())
	if err != nil || d <= 0 {
		resp.Diagnostics.AddAttributeError(req.Path, "Invalid duration",
			fmt.Sprintf("%s is %q, which is not a positive Go duration: use a number with a unit, such as \"30s\" or \"2m\".", req.Path, req.ConfigValue.ValueString()))
	}
}

// textValidator checks a free-text attribute: not blank, no control
// characters, at most maxLen characters. Terraform's own messages for these
// are vague ("string length must be at least 1"), so ours say the fix.
type textValidator struct {
	maxLen       int
	noWhitespace bool
}

func (v textValidator) Description(context.Context) string {
	d := fmt.Sprintf("must be non-blank, at most %d characters, without control characters", v.maxLen)
	if v.noWhitespace {
		d += " or whitespace"
	}
	return d
}
func (v textValidator) MarkdownDescription(ctx context.Context) string { return v.Description(ctx) }

func (v textValidator) ValidateString(_ context.Context, req validator.StringRequest, resp *validator.StringResponse) {
	if req.ConfigValue.IsNull() || req.ConfigValue.IsUnknown() {
		return
	}
	if problem := checkText(req.ConfigValue.ValueString(), v.maxLen, v.noWhitespace); problem != "" {
		resp.Diagnostics.AddAttributeError(req.Path, "Invalid "+req.Path.String(), fmt.Sprintf("%s %s.", req.Path, problem))
	}
}

// checkText returns what is wrong with s, or "".
func checkText(s string, maxLen int, noWhitespace bool) string {
	if strings.TrimSpace(s) == "" {
		return "must not be empty or blank: set it to a real value"
	}
	if n := len([]rune(s)); n > maxLen {
		return fmt.Sprintf("is %d characters long; shorten it to at most %d", n, maxLen)
	}
	for i, r := range s {
		switch {
		case r == unicode.ReplacementChar:
			return fmt.Sprintf("is not valid UTF-8 at byte %d", i)
		case unicode.IsControl(r):
			return fmt.Sprintf("contains a control character (%U) at byte %d: remove it", r, i)
		case noWhitespace && unicode.IsSpace(r):
			return fmt.Sprintf("contains whitespace at byte %d: remove it", i)
		}
	}
	if s != strings.TrimSpace(s) {
		return "has leading or trailing whitespace: remove it"
	}
	return ""
}

// tokenSetValidator checks a set of scope or action names: each one a token
// without whitespace or commas (a scope list is space-separated on the wire
// of OAuth, so "a b" or "a,b" is two values written as one), and no two
// that differ only in case. Exact duplicates never reach us: Terraform
// merges them when it builds the set.
type tokenSetValidator struct {
	what     string // "scope" or "action"
	maxItems int
	maxLen   int
}

func (v tokenSetValidator) Description(context.Context) string {
	return fmt.Sprintf("each %s must be non-blank, without whitespace or commas; at most %d", v.what, v.maxItems)
}
func (v tokenSetValidator) MarkdownDescription(ctx context.Context) string { return v.Description(ctx) }

func (v tokenSetValidator) ValidateSet(_ context.Context, req validator.SetRequest, resp *validator.SetResponse) {
	if req.ConfigValue.IsNull() || req.ConfigValue.IsUnknown() {
		return
	}
	elems := req.ConfigValue.Elements()
	if len(elems) > v.maxItems {
		resp.Diagnostics.AddAttributeError(req.Path, "Too many "+v.what+"s",
			fmt.Sprintf("%s has %d entries; StackOne accepts at most %d.", req.Path, len(elems), v.maxItems))
		return
	}
	seen := map[string]string{}
	for _, e := range elems {
		s, ok := e.(types.String)
		if !ok || s.IsUnknown() {
			continue
		}
		if s.IsNull() {
			resp.Diagnostics.AddAttributeError(req.Path, "Invalid "+v.what, fmt.Sprintf("%s contains null: remove it.", req.Path))
			continue
		}
		name := s.ValueString()
		if problem := checkText(name, v.maxLen, true); problem != "" {
			resp.Diagnostics.AddAttributeError(req.Path, "Invalid "+v.what, fmt.Sprintf("%s entry %q %s.", req.Path, name, problem))
			continue
		}
		if strings.Contains(name, ",") {
			resp.Diagnostics.AddAttributeError(req.Path, "Invalid "+v.what,
				fmt.Sprintf("%s entry %q contains a comma: list each %s as its own string, e.g. [%q].", req.Path, name, v.what, strings.Join(strings.Split(name, ","), `", "`)))
			continue
		}
		folded := strings.ToLower(name)
		if other, dup := seen[folded]; dup {
			resp.Diagnostics.AddAttributeError(req.Path, "Duplicate "+v.what,
				fmt.Sprintf("%s lists %q and %q, which differ only in case: keep the one the catalog defines and remove the other.", req.Path, other, name))
			continue
		}
		seen[folded] = name
	}
}
