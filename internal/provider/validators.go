package provider

import (
	"context"
	"fmt"
	"regexp"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"

	"github.com/hashicorp/terraform-plugin-framework/schema/validator"
	"github.com/hashicorp/terraform-plugin-framework/types"

	"github.com/stackonehq/terraform-provider-stackone/internal/stackone"
)

// durationValidator accepts a positive Go duration such as "30s"; with
// wholeSeconds, only whole seconds (an API that takes seconds).
type durationValidator struct {
	wholeSeconds bool
}

func (v durationValidator) Description(context.Context) string {
	if v.wholeSeconds {
		return "must be a positive Go duration in whole seconds, such as \"30m\" or \"1h\""
	}
	return "must be a positive Go duration such as \"30s\" or \"2m\""
}
func (v durationValidator) MarkdownDescription(ctx context.Context) string { return v.Description(ctx) }

func (v durationValidator) ValidateString(_ context.Context, req validator.StringRequest, resp *validator.StringResponse) {
	if req.ConfigValue.IsNull() || req.ConfigValue.IsUnknown() {
		return
	}
	d, ok := positiveDuration(req.ConfigValue.ValueString())
	switch {
	case !ok:
		resp.Diagnostics.AddAttributeError(req.Path, "Invalid duration",
			fmt.Sprintf("%s is %q, which is not a positive Go duration: use a number with a unit, such as \"30s\" or \"2m\".", req.Path, req.ConfigValue.ValueString()))
	case v.wholeSeconds && d%time.Second != 0:
		resp.Diagnostics.AddAttributeError(req.Path, "Invalid duration",
			fmt.Sprintf("%s is %q, which is not a whole number of seconds: round it to whole seconds, such as \"90s\" or \"30m\".", req.Path, req.ConfigValue.ValueString()))
	}
}

// positiveDuration is the one reading of a duration attribute: a Go
// duration above zero. The validator reports anything else; Configure, which
// runs after it, only reads the value.
func positiveDuration(s string) (time.Duration, bool) {
	d, err := time.ParseDuration(s)
	return d, err == nil && d > 0
}

// textValidator checks a free-text attribute: not blank, no control
// characters, at most maxLen characters. Terraform's own messages for these
// are vague ("string length must be at least 1"), so ours say the fix.
//
// Invisible formatting characters (Unicode category Cf: bidi overrides such
// as U+202E, zero-width spaces, byte-order marks) and line or paragraph
// separators are refused too: they make a value display differently from
// what it is (a name that reads backwards in the dashboard, a client id that
// looks right but never matches). The one exception is the zero-width joiner
// U+200D in free text (noWhitespace false), which emoji sequences need; emoji
// themselves are fine in a name.
type textValidator struct {
	maxLen       int
	noWhitespace bool
	// asciiOnly restricts the value to printable ASCII, as RFC 6749 (A.1)
	// does for OAuth client ids.
	asciiOnly bool
	// pathSegment: the value goes into a URL path as one segment (a
	// connector key in the redirect URI and in API paths), so "." and "..",
	// which a URL resolves away, and '/', '?', '#', which end or split a
	// segment, are refused (checked even where the catalog is skipped).
	pathSegment bool
}

func (v textValidator) Description(context.Context) string {
	d := fmt.Sprintf("must be non-blank, at most %d characters, without control or invisible formatting characters", v.maxLen)
	if v.noWhitespace {
		d += " or whitespace"
	}
	if v.asciiOnly {
		d += "; printable ASCII only"
	}
	if v.pathSegment {
		d += "; not \".\" or \"..\", without '/', '?' or '#'"
	}
	return d
}
func (v textValidator) MarkdownDescription(ctx context.Context) string { return v.Description(ctx) }

func (v textValidator) ValidateString(_ context.Context, req validator.StringRequest, resp *validator.StringResponse) {
	if req.ConfigValue.IsNull() || req.ConfigValue.IsUnknown() {
		return
	}
	problem := checkText(req.ConfigValue.ValueString(), v.maxLen, v.noWhitespace)
	if problem == "" && v.asciiOnly {
		problem = checkASCII(req.ConfigValue.ValueString(), nil)
	}
	if problem == "" && v.pathSegment {
		problem = checkPathSegment(req.ConfigValue.ValueString())
	}
	if problem != "" {
		resp.Diagnostics.AddAttributeError(req.Path, "Invalid "+req.Path.String(), fmt.Sprintf("%s %s.", req.Path, problem))
	}
}

// checkPathSegment returns what is wrong with s as one URL path segment,
// or "".
func checkPathSegment(s string) string {
	switch {
	case s == "." || s == "..":
		return fmt.Sprintf("is %q, a dot segment that a URL resolves away (it would build a redirect_uri and API paths that point elsewhere): use the value StackOne lists (a connector key such as \"zoominfo\", or an id)", s)
	case strings.ContainsAny(s, "/?#"):
		return "contains '/', '?' or '#', which would split or end the URL path it goes into: use the value StackOne lists (a connector key such as \"zoominfo\", or an id)"
	}
	return ""
}

// checkText returns what is wrong with s, or "". It never quotes s, which
// may be a secret.
func checkText(s string, maxLen int, noWhitespace bool) string {
	if strings.TrimSpace(s) == "" {
		return "must not be empty or blank: set it to a real value"
	}
	if n := len([]rune(s)); n > maxLen {
		return fmt.Sprintf("is %d characters long; shorten it to at most %d", n, maxLen)
	}
	for i, r := range s {
		switch {
		case r == utf8.RuneError && !strings.HasPrefix(s[i:], string(utf8.RuneError)):
			return fmt.Sprintf("is not valid UTF-8 at byte %d", i)
		case unicode.IsControl(r):
			return fmt.Sprintf("contains a control character (%U) at byte %d: remove it", r, i)
		case noWhitespace && unicode.IsSpace(r):
			return fmt.Sprintf("contains whitespace at byte %d: remove it", i)
		case r == '\u200D' && !noWhitespace:
			// zero-width joiner: part of emoji sequences in display text
		case unicode.Is(unicode.Cf, r) || unicode.Is(unicode.Zl, r) || unicode.Is(unicode.Zp, r):
			return fmt.Sprintf("contains an invisible formatting character (%U) at byte %d, which makes the value display differently from what it is: remove it (retype the value if it was pasted)", r, i)
		}
	}
	if s != strings.TrimSpace(s) {
		return "has leading or trailing whitespace: remove it"
	}
	return ""
}

// checkASCII returns what is wrong with s when it must be printable ASCII
// other than the bytes in also, or "".
func checkASCII(s string, also []rune) string {
	for i, r := range s {
		if r < 0x21 || r > 0x7e {
			return fmt.Sprintf("contains %U at byte %d, which is not printable ASCII: OAuth allows only printable ASCII here (RFC 6749)", r, i)
		}
		for _, bad := range also {
			if r == bad {
				return fmt.Sprintf("contains %q at byte %d, which OAuth does not allow here (RFC 6749)", r, i)
			}
		}
	}
	return ""
}

// tokenSetValidator checks a set of scope or action names: each one a token
// without whitespace or commas (a scope list is space-separated on the wire
// of OAuth, so "a b" or "a,b" is two values written as one), and no two
// that differ only in case. Scopes are also held to RFC 6749's scope-token:
// printable ASCII without '"' or '\'. Exact duplicates never reach us: Terraform
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
		if v.what == "scope" {
			// RFC 6749 section 3.3: scope-token = 1*( %x21 / %x23-5B / %x5D-7E )
			if problem := checkASCII(name, []rune{'"', '\\'}); problem != "" {
				resp.Diagnostics.AddAttributeError(req.Path, "Invalid "+v.what, fmt.Sprintf("%s entry %q %s.", req.Path, name, problem))
				continue
			}
		}
		if strings.Contains(name, ",") {
			resp.Diagnostics.AddAttributeError(req.Path, "Invalid "+v.what,
				fmt.Sprintf("%s entry %q contains a comma: list each %s as its own string, e.g. %s.", req.Path, name, v.what, quotedList(strings.Split(name, ","))))
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

// quotedList renders ss as an HCL list of strings: ["a", "b"].
func quotedList(ss []string) string {
	q := make([]string, len(ss))
	for i, s := range ss {
		q[i] = fmt.Sprintf("%q", strings.TrimSpace(s))
	}
	return "[" + strings.Join(q, ", ") + "]"
}

// profileIDValidator checks a connector profile id given in configuration.
type profileIDValidator struct{}

func (profileIDValidator) Description(context.Context) string {
	return "must be a connector profile id: letters, digits, '-' and '_', at most 128 characters"
}
func (v profileIDValidator) MarkdownDescription(ctx context.Context) string {
	return v.Description(ctx)
}

func (profileIDValidator) ValidateString(_ context.Context, req validator.StringRequest, resp *validator.StringResponse) {
	if req.ConfigValue.IsNull() || req.ConfigValue.IsUnknown() {
		return
	}
	if problem := checkProfileID(req.ConfigValue.ValueString()); problem != "" {
		resp.Diagnostics.AddAttributeError(req.Path, "Invalid connector profile id",
			fmt.Sprintf("%s %q is not a connector profile id: %s. Use the id of a profile (data.stackone_connector_profiles lists them), or stackone_connector_profile.<name>.id.", req.Path, req.ConfigValue.ValueString(), problem))
	}
}

// pinFormValidator refuses, without asking StackOne, a pinned_version in a
// form StackOne does not accept (^1.2.0, ~1.2, 1.x, >=1.2), naming the forms
// it does.
type pinFormValidator struct{}

func (pinFormValidator) Description(context.Context) string {
	return "must be " + stackone.AcceptedPinForms
}
func (v pinFormValidator) MarkdownDescription(ctx context.Context) string { return v.Description(ctx) }

func (pinFormValidator) ValidateString(_ context.Context, req validator.StringRequest, resp *validator.StringResponse) {
	if req.ConfigValue.IsNull() || req.ConfigValue.IsUnknown() {
		return
	}
	if _, err := stackone.ParsePinSpec(req.ConfigValue.ValueString()); err != nil {
		resp.Diagnostics.AddAttributeError(req.Path, "Pin form not accepted",
			fmt.Sprintf("%s is %q: %s. Use %s; data.stackone_connector_profile_versions lists the versions a profile has.",
				req.Path, req.ConfigValue.ValueString(), err, stackone.AcceptedPinForms))
	}
}

// regexValidator accepts an RE2 regular expression (Go's regexp).
type regexValidator struct{}

func (regexValidator) Description(context.Context) string {
	return "must be a regular expression (RE2 syntax)"
}
func (v regexValidator) MarkdownDescription(ctx context.Context) string { return v.Description(ctx) }

func (regexValidator) ValidateString(_ context.Context, req validator.StringRequest, resp *validator.StringResponse) {
	if req.ConfigValue.IsNull() || req.ConfigValue.IsUnknown() {
		return
	}
	if _, err := regexp.Compile(req.ConfigValue.ValueString()); err != nil {
		resp.Diagnostics.AddAttributeError(req.Path, "Invalid regular expression",
			fmt.Sprintf("%s is %q, which is not a regular expression (RE2 syntax): %s. Escape characters that mean something in one, e.g. \\\\( for a parenthesis.",
				req.Path, req.ConfigValue.ValueString(), strings.TrimPrefix(err.Error(), "error parsing regexp: ")))
	}
}
