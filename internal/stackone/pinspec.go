package stackone

import (
	"fmt"
	"regexp"
	"strconv"
	"strings"
)

// StackOne's connector-versioning guide (docs.stackone.com
// guides/connector-versioning) lets a profile pin "latest", a major range
// "1.x.x", a minor range "1.2.x" or an exact version, and says "^1.2.0" and
// "~1.2" are not accepted. GET …/pinned_version answers the pin as set; the
// version it resolves to is the profile's connector_version (WIRE_CONTRACT.md).

// PinKind is the form of a pinned_version.
type PinKind int

// The forms StackOne accepts.
const (
	PinExact  PinKind = iota // a version the profile lists
	PinLatest                // "latest"
	PinMajor                 // "N.x.x"
	PinMinor                 // "N.M.x"
)

// PinSpec is a pinned_version read as one of the accepted forms.
type PinSpec struct {
	Kind         PinKind
	Major, Minor int    // PinMajor (Major), PinMinor (both)
	Text         string // the pin as written
}

// AcceptedPinForms names the forms, for messages.
const AcceptedPinForms = `"latest", a major range like "1.x.x", a minor range like "1.2.x", or an exact version like "1.5.0"`

var (
	pinMajorRange = regexp.MustCompile(`^(0|[1-9][0-9]*)\.x\.x$`)
	pinMinorRange = regexp.MustCompile(`^(0|[1-9][0-9]*)\.(0|[1-9][0-9]*)\.x$`)
)

// ParsePinSpec reads a pinned_version, refusing the forms StackOne refuses
// (caret and tilde ranges, comparisons, wildcards other than N.x.x and
// N.M.x) with the reason. Anything else is an exact version, which only the
// profile's version list can confirm.
func ParsePinSpec(pin string) (PinSpec, error) {
	spec := PinSpec{Kind: PinExact, Text: pin}
	switch {
	case pin == "latest":
		spec.Kind = PinLatest
	case pinMajorRange.MatchString(pin):
		spec.Kind = PinMajor
		spec.Major, _ = strconv.Atoi(strings.Split(pin, ".")[0])
	case pinMinorRange.MatchString(pin):
		parts := strings.Split(pin, ".")
		spec.Kind = PinMinor
		spec.Major, _ = strconv.Atoi(parts[0])
		spec.Minor, _ = strconv.Atoi(parts[1])
	case strings.HasPrefix(pin, "^") || strings.HasPrefix(pin, "~"):
		return PinSpec{}, fmt.Errorf("StackOne does not accept caret (^) or tilde (~) ranges")
	case strings.ContainsAny(pin, "*<>=|"):
		return PinSpec{}, fmt.Errorf("StackOne does not accept comparisons or * wildcards")
	case hasWildcardPart(pin):
		return PinSpec{}, fmt.Errorf("the only ranges StackOne accepts are N.x.x and N.M.x")
	case strings.EqualFold(pin, "latest"):
		return PinSpec{}, fmt.Errorf(`"latest" is written in lower case`)
	}
	return spec, nil
}

func hasWildcardPart(v string) bool {
	for _, part := range strings.Split(v, ".") {
		if strings.EqualFold(part, "x") {
			return true
		}
	}
	return false
}

// IsRange reports whether the pin follows new versions ("latest" or a range).
func (p PinSpec) IsRange() bool { return p.Kind != PinExact }

// Covers reports whether version v could be chosen by the pin: for an exact
// pin the same text; for "latest" any version; for a range a version whose
// MAJOR (and MINOR) numbers are the range's. Which version in a range StackOne
// runs is StackOne's choice; Covers only says whether the range is empty.
func (p PinSpec) Covers(v string) bool {
	switch p.Kind {
	case PinExact:
		return v == p.Text
	case PinLatest:
		return true
	}
	major, minor, ok := versionNumbers(v)
	if !ok || major != p.Major {
		return false
	}
	return p.Kind == PinMajor || minor == p.Minor
}

// versionNumbers reads the MAJOR and MINOR numbers of "MAJOR.MINOR.PATCH…".
func versionNumbers(v string) (major, minor int, ok bool) {
	parts := strings.SplitN(v, ".", 3)
	if len(parts) < 3 {
		return 0, 0, false
	}
	var err error
	if major, err = strconv.Atoi(parts[0]); err != nil {
		return 0, 0, false
	}
	if minor, err = strconv.Atoi(parts[1]); err != nil {
		return 0, 0, false
	}
	return major, minor, true
}
