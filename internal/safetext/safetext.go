// Package safetext is the one rule for showing text and URLs that came from
// a user's configuration or a server's answer in a diagnostic or a log:
// single-line, free of control and invisible formatting characters,
// bounded, and, for URLs, without what may hold a credential (user name,
// password, query, fragment). It also owns the transport rule the client
// and the probe share: https, or plain http to a loopback host.
//
// It imports nothing from Terraform.
package safetext

import (
	"fmt"
	"net"
	"net/url"
	"strings"
	"unicode"
	"unicode/utf8"
)

// Text makes s safe to show: valid UTF-8; control, format (bidi overrides,
// zero-width) and line or paragraph separator characters turned into
// spaces; runs of whitespace collapsed to one space; at most maxRunes runes,
// a cut marked with an ellipsis.
func Text(s string, maxRunes int) string {
	if s == "" || maxRunes <= 0 {
		return ""
	}
	// Bound the work on huge input before scanning it rune by rune.
	if len(s) > 4*maxRunes+4 {
		s = s[:4*maxRunes+4]
	}
	s = strings.ToValidUTF8(s, "\uFFFD")
	s = strings.Map(func(r rune) rune {
		if unicode.IsControl(r) || unicode.Is(unicode.Cf, r) || unicode.Is(unicode.Zl, r) || unicode.Is(unicode.Zp, r) {
			return ' '
		}
		return r
	}, s)
	s = strings.Join(strings.Fields(s), " ")
	if utf8.RuneCountInString(s) > maxRunes {
		runes := []rune(s)
		s = strings.TrimSpace(string(runes[:maxRunes-1])) + "…"
	}
	return s
}

// URL is how a URL is quoted in any diagnostic or log: in double quotes,
// with its scheme, host, port and path only. Text that does not parse as a
// URL, or parses as an opaque one (such as "key:password@host", read as
// scheme "key"), is not quoted at all.
func URL(raw string) string {
	u, err := url.Parse(strings.TrimSpace(raw))
	switch {
	case err != nil:
		return "(not shown: not a valid URL)"
	case u.Opaque != "":
		return "(not shown: not an absolute URL)"
	}
	return fmt.Sprintf("%q", URLOf(u))
}

// URLOf writes u with its scheme, host, port and path only (unquoted).
func URLOf(u *url.URL) string {
	if u.Opaque != "" {
		return "(not shown)"
	}
	var b strings.Builder
	if u.Scheme != "" {
		b.WriteString(u.Scheme + ":")
	}
	if u.Scheme == "" && u.Host == "" {
		// Not a URL but a path (or plain text): as written, made safe.
		b.WriteString(Text(u.Path, 2000))
		return b.String()
	}
	b.WriteString("//" + u.Host)
	b.WriteString(u.EscapedPath())
	return b.String()
}

// IsLoopbackHost reports whether host is localhost or a loopback IP address
// (127.0.0.0/8, ::1): the only hosts plain http may reach, since nothing on
// the way can read or alter it.
func IsLoopbackHost(host string) bool {
	if strings.EqualFold(host, "localhost") {
		return true
	}
	ip := net.ParseIP(host)
	return ip != nil && ip.IsLoopback()
}

// TransportAllowed is the rule for every URL the provider sends a request
// to: https, or plain http to a loopback host.
func TransportAllowed(u *url.URL) bool {
	switch strings.ToLower(u.Scheme) {
	case "https":
		return true
	case "http":
		return IsLoopbackHost(u.Hostname())
	}
	return false
}
