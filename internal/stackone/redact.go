package stackone

import (
	"slices"
	"strings"
	"sync"
	"unicode"
	"unicode/utf16"
	"unicode/utf8"
)

// The redaction rule, as SECURITY.md (How the provider handles secrets → Logs) states it.
//
// Which values: the API key and its Basic credential (base64 of "key:"),
// and every client secret of minAnywhereLength characters or more that the
// process holds (sent by any request, or handed over by the caller from
// configuration or state), in every text taken from any answer; a shorter
// client secret in every text taken from the answer to the request that
// sends it.
//
// From what length: a value of any length (1 character or more) is masked
// wherever it stands as a whole token, that is where the characters just
// before and after it (themselves decoded if escaped) are not letters or
// digits; a value of minAnywhereLength characters or more is masked wherever
// it appears, inside a longer word too.
//
// In which encodings, any mix of them character by character:
//   - as is;
//   - JSON-escaped, in any encoder's style: \uXXXX in either case (surrogate
//     pairs beyond the BMP), \" \\ \/ \b \f \n \r \t, HTML characters
//     escaped or not;
//   - URL-encoded: %XX in either case for any byte (query, path and form
//     escaping alike), and + for a space;
//   - base64, standard or URL alphabet, with or without padding: a run of
//     base64 characters whose decoding (at any alignment, so a value inside
//     an encoded body counts) holds the value in one of the forms above is
//     masked whole. For a value under minAnywhereLength characters, the run
//     must also decode to text (nine bytes in ten printable), so that an
//     ordinary word is not taken for base64.
//
// Each match becomes "[redacted]".
const minAnywhereLength = 8

// maxRedactedInput bounds the text one call looks at: callers keep at most a
// few thousand bytes of server text, and the matching costs time per byte.
const maxRedactedInput = 64 << 10

const redactedMark = "[redacted]"

// Redactor returns what masks the given values in text by the rule above
// (SECURITY.md, How the provider handles secrets → Logs), for callers outside the
// package that send secrets of their own.
func Redactor(secrets ...string) func(string) string { return newRedactor(secrets...) }

// secretMasker masks every secret the process has been given, in every
// answer: the API key and its Basic credential from the start, and each
// client secret from the moment the caller hands it over (RememberSecrets)
// or a request sends it. A secret learnt later is masked in text masked
// later, whichever request the text came from.
type secretMasker struct {
	mu   sync.RWMutex
	seen map[string]bool
	all  []string
	fn   func(string) string
}

// newSecretMasker returns a masker that knows always (the API key and its
// Basic credential), whatever their length.
func newSecretMasker(always ...string) *secretMasker {
	m := &secretMasker{seen: map[string]bool{}, fn: newRedactor()}
	m.learn(always)
	return m
}

// add makes the masker know secrets of minAnywhereLength characters or
// more. A shorter "secret" (a test's "s") masked in every text would mask
// ordinary words of the provider's own messages ("StackOne's"); it is
// masked, as a whole token, in the answer to the request that sends it
// (redactorFor).
func (m *secretMasker) add(secrets ...string) {
	var long []string
	for _, s := range secrets {
		if utf8.RuneCountInString(s) >= minAnywhereLength {
			long = append(long, s)
		}
	}
	m.learn(long)
}

func (m *secretMasker) learn(secrets []string) {
	m.mu.RLock()
	fresh := false
	for _, s := range secrets {
		if s != "" && !m.seen[s] {
			fresh = true
		}
	}
	m.mu.RUnlock()
	if !fresh {
		return
	}
	m.mu.Lock()
	defer m.mu.Unlock()
	for _, s := range secrets {
		if s != "" && !m.seen[s] {
			m.seen[s] = true
			m.all = append(m.all, s)
		}
	}
	m.fn = newRedactor(m.all...)
}

// mask applies the rule to text with every secret known now.
func (m *secretMasker) mask(text string) string {
	m.mu.RLock()
	fn := m.fn
	m.mu.RUnlock()
	return fn(text)
}

// Mask removes from text every secret this Client knows (the API key, its
// Basic credential, each client secret a request has sent or
// RememberSecrets was given), by the rule above. Callers quoting server
// values in their own messages pass them through it, so that one rule
// covers every answer.
func (c *Client) Mask(text string) string { return c.masker.mask(text) }

// RememberSecrets makes the Client mask secrets (client secrets the caller
// holds, from configuration or state) in every answer from now on, not only
// in the answer to the request that sends them.
func (c *Client) RememberSecrets(secrets ...string) { c.masker.add(secrets...) }

// HoldsSecret reports whether text holds a secret the Client knows: a
// server value that does must not be stored or shown.
func (c *Client) HoldsSecret(text string) bool { return text != "" && c.Mask(text) != text }

// redactorFor returns what removes the secrets from server-supplied text,
// in case a server or proxy echoes a request back in a message or header.
// The secrets r sends join the ones the Client knows, for every later
// answer too (the process holds them for the whole run); a short one is
// masked in this request's answer only (see secretMasker.add).
func (c *Client) redactorFor(r *request) func(string) string {
	c.masker.add(r.secrets...)
	var short []string
	for _, s := range r.secrets {
		if s != "" && utf8.RuneCountInString(s) < minAnywhereLength {
			short = append(short, s)
		}
	}
	if len(short) == 0 {
		return c.Mask
	}
	own := newRedactor(short...)
	return func(text string) string { return c.Mask(own(text)) }
}

// newRedactor returns a function that replaces each secret, in every form
// the rule above names, with "[redacted]".
func newRedactor(secrets ...string) func(string) string {
	var ms []secretMatcher
	seen := map[string]bool{}
	for _, s := range secrets {
		if s == "" || seen[s] {
			continue
		}
		seen[s] = true
		ms = append(ms, secretMatcher{secret: s, anywhere: utf8.RuneCountInString(s) >= minAnywhereLength})
	}
	// Longest first, so that a secret containing another is replaced whole.
	slices.SortFunc(ms, func(a, b secretMatcher) int { return len(b.secret) - len(a.secret) })
	return func(text string) string {
		if text == "" || len(ms) == 0 {
			return text
		}
		if len(text) > maxRedactedInput {
			text = text[:maxRedactedInput] + "…"
		}
		return redactBase64(redactDirect(text, ms), ms)
	}
}

// secretMatcher finds one secret in text.
type secretMatcher struct {
	secret string
	// anywhere: long enough to be masked inside a longer word too.
	anywhere bool
}

// redactDirect replaces every match of the secrets, as is or escaped.
func redactDirect(text string, ms []secretMatcher) string {
	var b strings.Builder
	changed := false
	for i := 0; i < len(text); {
		matched := false
		for _, m := range ms {
			if end, ok := m.matchAt(text, i); ok {
				b.WriteString(redactedMark)
				i, matched, changed = end, true, true
				break
			}
		}
		if !matched {
			b.WriteByte(text[i])
			i++
		}
	}
	if !changed {
		return text
	}
	return b.String()
}

// contains reports whether text holds the secret by the rule.
func (m secretMatcher) contains(text string) bool {
	for i := 0; i < len(text); i++ {
		if _, ok := m.matchAt(text, i); ok {
			return true
		}
	}
	return false
}

// matchAt reports whether the secret, in any mix of the escaped forms,
// starts at text[i], and where it ends; a short secret must stand as a
// whole token.
func (m secretMatcher) matchAt(text string, i int) (int, bool) {
	// The set of positions each prefix of the secret can end at: escapes of
	// '%', '+' and '\' make the match ambiguous, so all are followed.
	ends := []int{i}
	for _, r := range m.secret {
		var next []int
		for _, j := range ends {
			for _, e := range runeForms(text, j, r) {
				if !slices.Contains(next, e) {
					next = append(next, e)
				}
			}
		}
		if len(next) == 0 {
			return 0, false
		}
		ends = next
	}
	if !m.anywhere && isTokenRune(prevUnit(text, i)) {
		return 0, false
	}
	best := -1
	for _, e := range ends {
		if (m.anywhere || !isTokenRune(nextUnit(text, e))) && e > best {
			best = e
		}
	}
	return best, best > i
}

// runeForms lists where r ends when it starts at text[j], in every form the
// rule accepts.
func runeForms(text string, j int, r rune) []int {
	var out []int
	if j >= len(text) {
		return nil
	}
	// URL-encoded, byte by byte (as is, %XX, or + for a space); this also
	// covers r written as is.
	var buf [utf8.UTFMax]byte
	n := utf8.EncodeRune(buf[:], r)
	k := j
	for _, c := range buf[:n] {
		switch {
		case k < len(text) && text[k] == c:
			k++
		case k+2 < len(text) && text[k] == '%' && hexByte(text[k+1], text[k+2]) == int(c):
			k += 3
		case c == ' ' && k < len(text) && text[k] == '+':
			k++
		default:
			k = -1
		}
		if k < 0 {
			break
		}
	}
	if k > j {
		out = append(out, k)
	}
	if text[j] != '\\' {
		return out
	}
	// JSON escapes.
	if short, ok := jsonShortEscape(r); ok && strings.HasPrefix(text[j:], short) {
		out = append(out, j+len(short))
	}
	units := utf16.Encode([]rune{r})
	k = j
	for _, u := range units {
		if v, ok := unicodeEscape(text, k); ok && v == rune(u) {
			k += 6
		} else {
			k = -1
			break
		}
	}
	if k > j {
		out = append(out, k)
	}
	return out
}

func jsonShortEscape(r rune) (string, bool) {
	switch r {
	case '"':
		return `\"`, true
	case '\\':
		return `\\`, true
	case '/':
		return `\/`, true
	case '\b':
		return `\b`, true
	case '\f':
		return `\f`, true
	case '\n':
		return `\n`, true
	case '\r':
		return `\r`, true
	case '\t':
		return `\t`, true
	}
	return "", false
}

// unicodeEscape reads a \uXXXX escape at text[k].
func unicodeEscape(text string, k int) (rune, bool) {
	if k+6 > len(text) || text[k] != '\\' || text[k+1] != 'u' {
		return 0, false
	}
	var v rune
	for _, c := range []byte(text[k+2 : k+6]) {
		d := hexDigit(c)
		if d < 0 {
			return 0, false
		}
		v = v<<4 | rune(d)
	}
	return v, true
}

func hexDigit(c byte) int {
	switch {
	case '0' <= c && c <= '9':
		return int(c - '0')
	case 'a' <= c && c <= 'f':
		return int(c-'a') + 10
	case 'A' <= c && c <= 'F':
		return int(c-'A') + 10
	}
	return -1
}

func hexByte(hi, lo byte) int {
	h, l := hexDigit(hi), hexDigit(lo)
	if h < 0 || l < 0 {
		return -1
	}
	return h<<4 | l
}

// isTokenRune: letters and digits make a word; a secret touching one is
// part of a longer word.
func isTokenRune(r rune) bool {
	return r >= 0 && (unicode.IsLetter(r) || unicode.IsDigit(r))
}

// prevUnit is the character before text[i], decoded when it is escaped
// (%XX, \uXXXX); an escape such as \n counts as no character (-1), as does
// the start of the text.
func prevUnit(text string, i int) rune {
	switch {
	case i <= 0:
		return -1
	case i >= 3 && text[i-3] == '%' && hexByte(text[i-2], text[i-1]) >= 0:
		return rune(hexByte(text[i-2], text[i-1]))
	case i >= 6:
		if v, ok := unicodeEscape(text, i-6); ok {
			return v
		}
	}
	if i >= 2 && text[i-2] == '\\' {
		return -1
	}
	r, _ := utf8.DecodeLastRuneInString(text[:i])
	return r
}

// nextUnit is the character at text[e], decoded when it is escaped; '+' is
// a space (form encoding).
func nextUnit(text string, e int) rune {
	switch {
	case e >= len(text):
		return -1
	case text[e] == '%' && e+2 < len(text) && hexByte(text[e+1], text[e+2]) >= 0:
		return rune(hexByte(text[e+1], text[e+2]))
	case text[e] == '\\':
		if v, ok := unicodeEscape(text, e); ok {
			return v
		}
		return -1
	}
	r, _ := utf8.DecodeRuneInString(text[e:])
	return r
}

// Base64 alphabets, standard and URL-safe (RFC 4648).
const (
	stdAlphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/"
	urlAlphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_"
)

func isBase64Char(c byte) bool {
	return 'A' <= c && c <= 'Z' || 'a' <= c && c <= 'z' || '0' <= c && c <= '9' || c == '+' || c == '/' || c == '-' || c == '_'
}

// redactBase64 masks every run of base64 characters (with its padding)
// whose decoding holds a secret.
func redactBase64(text string, ms []secretMatcher) string {
	var b strings.Builder
	changed := false
	last := 0
	for i := 0; i < len(text); {
		if !isBase64Char(text[i]) {
			i++
			continue
		}
		start := i
		for i < len(text) && isBase64Char(text[i]) {
			i++
		}
		end := i
		for i < len(text) && text[i] == '=' && i-end < 2 {
			i++
		}
		if end-start < 2 || !base64Holds(text[start:end], ms) {
			continue
		}
		b.WriteString(text[last:start])
		b.WriteString(redactedMark)
		last, changed = i, true
	}
	if !changed {
		return text
	}
	b.WriteString(text[last:])
	return b.String()
}

// base64Holds decodes run with both alphabets at each of the four
// alignments and reports whether one decoding holds a secret.
func base64Holds(run string, ms []secretMatcher) bool {
	for _, alphabet := range []string{stdAlphabet, urlAlphabet} {
		for off := 0; off < 4 && off < len(run)-1; off++ {
			decoded := decodeBase64Loosely(run[off:], alphabet)
			if len(decoded) == 0 {
				continue
			}
			text := string(decoded)
			for _, m := range ms {
				if m.contains(text) && (m.anywhere || looksLikeText(decoded)) {
					return true
				}
			}
		}
	}
	return false
}

// decodeBase64Loosely decodes s four characters at a time; a character
// outside the alphabet counts as zero and a last partial group gives the
// bytes it fully holds. Misaligned or stray characters only spoil the
// bytes around them.
func decodeBase64Loosely(s, alphabet string) []byte {
	out := make([]byte, 0, len(s)*3/4)
	var acc uint32
	bits := 0
	for i := 0; i < len(s); i++ {
		v := strings.IndexByte(alphabet, s[i])
		if v < 0 {
			v = 0
		}
		acc = acc<<6 | uint32(v)
		bits += 6
		if bits >= 8 {
			bits -= 8
			out = append(out, byte(acc>>bits))
			acc &= 1<<bits - 1
		}
	}
	return out
}

// looksLikeText: nine bytes in ten are printable characters (or tab, line
// feed, carriage return) of valid UTF-8.
func looksLikeText(b []byte) bool {
	good, total := 0, 0
	for len(b) > 0 {
		r, n := utf8.DecodeRune(b)
		b = b[n:]
		total += n
		if r != utf8.RuneError && (unicode.IsPrint(r) || r == '\t' || r == '\n' || r == '\r') {
			good += n
		}
	}
	return total > 0 && good*10 >= total*9
}
