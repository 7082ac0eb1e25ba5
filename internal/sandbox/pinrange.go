package sandbox

import (
	"regexp"
	"strconv"
	"strings"
)

// Pin ranges as StackOne's connector-versioning guide
// (docs.stackone.com/guides/connector-versioning) describes them: a profile
// pins "latest", a major range "1.x.x", a minor range "1.2.x", or an exact
// version; "^1.2.0" and "~1.2" are not accepted. The guide does not say how a
// range chooses among versions; the sandbox takes the highest release
// version in it (a version with a "-suffix" is picked only by its exact
// name), of the owner asked for, else among StackOne's builtin versions.

const pinLatest = "latest"

// acceptedPinForms is the advice every refused form gets.
const acceptedPinForms = `accepted forms are "latest", a major range like "1.x.x", a minor range like "1.2.x", or an exact version the profile has`

var (
	majorRange = regexp.MustCompile(`^(0|[1-9][0-9]*)\.x\.x$`)
	minorRange = regexp.MustCompile(`^(0|[1-9][0-9]*)\.(0|[1-9][0-9]*)\.x$`)
)

// pinFormProblem says why version is not a form StackOne accepts, or "".
// Exact versions are any other text; whether the profile has one is
// resolvePin's question.
func pinFormProblem(version string) string {
	switch {
	case strings.HasPrefix(version, "^"), strings.HasPrefix(version, "~"):
		return "caret and tilde ranges are not accepted"
	case version == pinLatest, majorRange.MatchString(version), minorRange.MatchString(version):
		return ""
	case strings.ContainsAny(version, "*<>=| ") || hasWildcardPart(version):
		return "only the ranges N.x.x and N.M.x are accepted"
	}
	return ""
}

func hasWildcardPart(version string) bool {
	for _, part := range strings.Split(version, ".") {
		if strings.EqualFold(part, "x") {
			return true
		}
	}
	return false
}

// resolvePin returns the version a pin selects among versions: the exact
// version (of owner, when given), or for "latest" and a range the highest
// release version in it.
func resolvePin(versions []ConnectorVersion, pin, owner string) (ConnectorVersion, bool) {
	var match func(semver) bool
	switch {
	case pin == pinLatest:
		match = func(semver) bool { return true }
	case majorRange.MatchString(pin):
		major, _ := strconv.Atoi(strings.Split(pin, ".")[0])
		match = func(v semver) bool { return v.major == major }
	case minorRange.MatchString(pin):
		parts := strings.Split(pin, ".")
		major, _ := strconv.Atoi(parts[0])
		minor, _ := strconv.Atoi(parts[1])
		match = func(v semver) bool { return v.major == major && v.minor == minor }
	default:
		for _, v := range versions {
			if v.Version == pin && (owner == "" || v.Owner == owner) {
				return v, true
			}
		}
		return ConnectorVersion{}, false
	}
	var best ConnectorVersion
	var bestSV semver
	found := false
	for _, v := range versions {
		if (owner != "" && v.Owner != owner) || (owner == "" && !v.Builtin) {
			continue
		}
		sv, ok := parseRelease(v.Version)
		if !ok || !match(sv) {
			continue
		}
		if !found || bestSV.less(sv) {
			best, bestSV, found = v, sv, true
		}
	}
	return best, found
}

type semver struct{ major, minor, patch int }

func (a semver) less(b semver) bool {
	if a.major != b.major {
		return a.major < b.major
	}
	if a.minor != b.minor {
		return a.minor < b.minor
	}
	return a.patch < b.patch
}

// parseRelease reads MAJOR.MINOR.PATCH; a pre-release or any other text is
// not a release version.
func parseRelease(v string) (semver, bool) {
	parts := strings.Split(v, ".")
	if len(parts) != 3 {
		return semver{}, false
	}
	var n [3]int
	for i, p := range parts {
		x, err := strconv.Atoi(p)
		if err != nil || x < 0 || (len(p) > 1 && p[0] == '0') {
			return semver{}, false
		}
		n[i] = x
	}
	return semver{n[0], n[1], n[2]}, true
}
