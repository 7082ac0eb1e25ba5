package stackone

import (
	"strings"
	"testing"
)

func TestParsePinSpec(t *testing.T) {
	for _, tc := range []struct {
		pin    string
		kind   PinKind
		covers []string
		not    []string
	}{
		{"latest", PinLatest, []string{"1.4.0", "2.0.0", "1.5.0-acme.1"}, nil},
		{"1.x.x", PinMajor, []string{"1.4.0", "1.5.0", "1.5.0-acme.1"}, []string{"2.0.0", "10.1.0", "1.5"}},
		{"1.4.x", PinMinor, []string{"1.4.0", "1.4.12"}, []string{"1.5.0", "11.4.0", "1.40.0"}},
		{"0.x.x", PinMajor, []string{"0.9.1"}, []string{"1.0.0"}},
		{"1.5.0-acme.1", PinExact, []string{"1.5.0-acme.1"}, []string{"1.5.0"}},
		{"1.5", PinExact, []string{"1.5"}, []string{"1.5.0"}},
	} {
		spec, err := ParsePinSpec(tc.pin)
		if err != nil || spec.Kind != tc.kind {
			t.Errorf("ParsePinSpec(%q) = %+v, %v; want kind %d", tc.pin, spec, err, tc.kind)
			continue
		}
		for _, v := range tc.covers {
			if !spec.Covers(v) {
				t.Errorf("%q does not cover %q", tc.pin, v)
			}
		}
		for _, v := range tc.not {
			if spec.Covers(v) {
				t.Errorf("%q covers %q", tc.pin, v)
			}
		}
	}
	for pin, why := range map[string]string{
		"^1.2.0": "caret", "~1.2": "tilde", "1.x": "N.x.x and N.M.x", "x.x.x": "N.x.x and N.M.x", "1.x.2": "N.x.x and N.M.x",
		"1.X.X": "N.x.x and N.M.x", "*": "wildcards", ">=1.4.0": "comparisons", "1.4 || 1.5": "comparisons", "Latest": "lower case",
	} {
		if _, err := ParsePinSpec(pin); err == nil || !strings.Contains(err.Error(), why) {
			t.Errorf("ParsePinSpec(%q) = %v, want an error naming %q", pin, err, why)
		}
	}
}
