// Package pkce implements the client and server halves of Proof Key for Code
// Exchange (RFC 7636): generating and validating code verifiers, deriving S256
// challenges, and checking a verifier against a stored challenge.
//
// It has no Terraform dependencies so the provider, the scope probe and the
// sandbox authorization server all share one implementation of the rules.
package pkce

import (
	"crypto/rand"
	"crypto/subtle"
	"encoding/base64"
	"errors"
	"fmt"
	"unicode/utf8"

	"golang.org/x/oauth2"
)

// Verifier length bounds from RFC 7636 section 4.1, and the length
// GenerateVerifier uses when asked for 0 (384 bits of entropy).
const (
	MinVerifierLength     = 43
	MaxVerifierLength     = 128
	DefaultVerifierLength = 64
)

// Code challenge methods from RFC 7636 section 4.2. ZoomInfo only accepts S256.
const (
	MethodS256  = "S256"
	MethodPlain = "plain"
)

// S256ChallengeLength is the length of an S256 challenge: 32 SHA-256 bytes
// in unpadded base64url.
const S256ChallengeLength = 43

// verifierRule is quoted in every verifier error so a user reading a
// Terraform diagnostic learns the rule, not just that something failed.
const verifierRule = "a code_verifier is 43 to 128 characters of A-Z a-z 0-9 - . _ ~ (RFC 7636 section 4.1)"

const challengeRule = "an S256 code_challenge is 43 characters of unpadded base64url (A-Z a-z 0-9 - _), the encoding of a SHA-256 digest (RFC 7636 section 4.2)"

// ErrInvalidVerifier is wrapped by every error ValidateVerifier and
// GenerateVerifier return for a bad verifier or length, so callers can
// classify with errors.Is.
var ErrInvalidVerifier = errors.New("invalid code_verifier")

// ErrInvalidChallenge is wrapped by every error ValidateChallenge returns.
var ErrInvalidChallenge = errors.New("invalid code_challenge")

// unreserved is the RFC 3986 unreserved set RFC 7636 allows in a verifier.
const unreserved = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-._~"

func isUnreserved(c byte) bool {
	switch {
	case 'A' <= c && c <= 'Z', 'a' <= c && c <= 'z', '0' <= c && c <= '9':
		return true
	case c == '-', c == '.', c == '_', c == '~':
		return true
	}
	return false
}

// GenerateVerifier returns a random code verifier of the given length drawn
// uniformly from all 66 unreserved characters using crypto/rand. A length of
// 0 means DefaultVerifierLength; any other length outside 43..128 is an error.
func GenerateVerifier(length int) (string, error) {
	if length == 0 {
		length = DefaultVerifierLength
	}
	if length < MinVerifierLength || length > MaxVerifierLength {
		return "", fmt.Errorf("%w: length %d requested; %s", ErrInvalidVerifier, length, verifierRule)
	}
	// Rejection sampling keeps the distribution uniform: 198 = 3*66, so
	// bytes >= 198 would bias the first characters of the alphabet.
	const limit = 3 * len(unreserved)
	out := make([]byte, 0, length)
	buf := make([]byte, length+length/2)
	for len(out) < length {
		if _, err := rand.Read(buf); err != nil {
			return "", fmt.Errorf("pkce: reading random bytes: %w", err)
		}
		for _, b := range buf {
			if int(b) >= limit {
				continue
			}
			out = append(out, unreserved[int(b)%len(unreserved)])
			if len(out) == length {
				break
			}
		}
	}
	return string(out), nil
}

// S256Challenge returns BASE64URL(SHA256(ASCII(verifier))) without padding,
// the S256 transformation of RFC 7636 section 4.2. It does not validate the
// verifier; call ValidateVerifier first when the input is untrusted.
func S256Challenge(verifier string) string {
	return oauth2.S256ChallengeFromVerifier(verifier)
}

// ValidateVerifier reports whether verifier satisfies RFC 7636 section 4.1.
// The error states the rule and what was wrong (the length, or the position
// of the first disallowed character) without echoing the verifier, which is
// a secret.
func ValidateVerifier(verifier string) error {
	n := utf8.RuneCountInString(verifier)
	badPos, badRune := 0, rune(0)
	pos := 0
	for _, r := range verifier {
		pos++
		if r < utf8.RuneSelf && isUnreserved(byte(r)) {
			continue
		}
		badPos, badRune = pos, r
		break
	}
	var problem string
	switch {
	case n < MinVerifierLength || n > MaxVerifierLength:
		problem = fmt.Sprintf("got length %d", n)
		if badPos > 0 {
			problem += fmt.Sprintf(" and %s at position %d", describeRune(badRune), badPos)
		}
	case badPos > 0:
		problem = fmt.Sprintf("%s at position %d is not allowed", describeRune(badRune), badPos)
	default:
		return nil
	}
	return fmt.Errorf("%w: %s; %s", ErrInvalidVerifier, problem, verifierRule)
}

// describeRune names a disallowed character. It is safe to show: a character
// outside the allowed set cannot be part of any valid verifier.
func describeRune(r rune) string {
	if r == utf8.RuneError {
		return "an invalid UTF-8 byte"
	}
	return fmt.Sprintf("character %q", r)
}

// ValidateChallenge reports whether challenge is a well-formed S256 challenge:
// exactly 43 characters of unpadded base64url that decode to 32 bytes.
// Challenges are public, but the error still only describes the problem.
func ValidateChallenge(challenge string) error {
	if n := utf8.RuneCountInString(challenge); n != S256ChallengeLength {
		return fmt.Errorf("%w: got length %d; %s", ErrInvalidChallenge, n, challengeRule)
	}
	// Strict decoding also rejects non-zero trailing bits, so only the
	// canonical encoding of a 32-byte digest is accepted.
	raw, err := base64.RawURLEncoding.Strict().DecodeString(challenge)
	if err != nil {
		var ce base64.CorruptInputError
		if errors.As(err, &ce) {
			return fmt.Errorf("%w: not base64url at position %d; %s", ErrInvalidChallenge, int(ce)+1, challengeRule)
		}
		return fmt.Errorf("%w: not base64url; %s", ErrInvalidChallenge, challengeRule)
	}
	if len(raw) != 32 {
		return fmt.Errorf("%w: decodes to %d bytes, want 32; %s", ErrInvalidChallenge, len(raw), challengeRule)
	}
	return nil
}

// Verify reports whether verifier matches challenge under method, as an
// authorization server does at the token endpoint (RFC 7636 section 4.6).
// An empty method means plain, as the RFC specifies; an unknown method or an
// invalid verifier never verifies. The comparison is constant-time so timing
// reveals nothing about the stored challenge.
func Verify(verifier, challenge, method string) bool {
	if ValidateVerifier(verifier) != nil {
		return false
	}
	var computed string
	switch method {
	case MethodS256:
		computed = S256Challenge(verifier)
	case MethodPlain, "":
		computed = verifier
	default:
		return false
	}
	return subtle.ConstantTimeCompare([]byte(computed), []byte(challenge)) == 1
}
