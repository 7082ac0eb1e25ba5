package stackone

import (
	"encoding/json"
	"fmt"
	"sort"
	"strings"
	"unicode/utf16"
	"unicode/utf8"
)

// minRedactedSecretLength is the shortest client secret redactorFor hides:
// replacing every "s" of a message would garble it.
const minRedactedSecretLength = 8

// redactorFor returns what removes the API key and the secrets r sends from
// server-supplied text, in case a server or proxy echoes the request back in
// a message or header. Requests without secrets share the client's own.
func (c *Client) redactorFor(r *request) func(string) string {
	var secrets []string
	for _, s := range r.secrets {
		if len(s) >= minRedactedSecretLength {
			secrets = append(secrets, s)
		}
	}
	if len(secrets) == 0 {
		return c.redactKey
	}
	redactSecrets := newRedactor(secrets...)
	return func(text string) string { return c.redactKey(redactSecrets(text)) }
}

// newRedactor returns a function that replaces each secret, in every form it
// may come back in (secretForms), with "[redacted]".
func newRedactor(secrets ...string) func(string) string {
	seen := map[string]bool{}
	var forms []string
	for _, s := range secrets {
		for _, f := range secretForms(s) {
			if f != "" && !seen[f] {
				seen[f] = true
				forms = append(forms, f)
			}
		}
	}
	// Longest first, so that a form containing another is replaced whole.
	sort.Slice(forms, func(i, j int) bool { return len(forms[i]) > len(forms[j]) })
	return func(text string) string {
		if text == "" {
			return text
		}
		for _, f := range forms {
			text = strings.ReplaceAll(text, f, "[redacted]")
		}
		return text
	}
}

// secretForms lists s as it may appear in a server's text: as is, and as
// the inside of a JSON string written by the usual encoders — with or
// without HTML escaping (Go escapes <, > and &; most others do not), with
// non-ASCII as \uXXXX (Python's default, in lower or upper case hex), and
// with "/" written as "\/" (PHP's default).
func secretForms(s string) []string {
	var b strings.Builder
	enc := json.NewEncoder(&b)
	enc.SetEscapeHTML(false)
	_ = enc.Encode(s)
	plain := strings.TrimSpace(b.String())
	plain = plain[1 : len(plain)-1]
	html, _ := json.Marshal(s)
	htmlEscaped := string(html[1 : len(html)-1])

	forms := []string{s}
	for _, f := range []string{plain, htmlEscaped, asciiEscaped(plain, "%04x"), asciiEscaped(plain, "%04X")} {
		forms = append(forms, f, strings.ReplaceAll(f, "/", `\/`))
	}
	return forms
}

// asciiEscaped writes every non-ASCII rune of s as JSON \u escapes
// (UTF-16, so a rune beyond the BMP is a surrogate pair).
func asciiEscaped(s, hexFormat string) string {
	if isASCII(s) {
		return s
	}
	var b strings.Builder
	for _, r := range s {
		if r < utf8.RuneSelf {
			b.WriteRune(r)
			continue
		}
		for _, unit := range utf16.Encode([]rune{r}) {
			b.WriteString(`\u` + fmt.Sprintf(hexFormat, unit))
		}
	}
	return b.String()
}

func isASCII(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] >= utf8.RuneSelf {
			return false
		}
	}
	return true
}
