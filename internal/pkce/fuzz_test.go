package pkce

import (
	"strings"
	"testing"
	"unicode/utf8"
)

func FuzzValidateVerifier(f *testing.F) {
	for _, s := range []string{
		rfcVerifier, "", "a", strings.Repeat("a", 42), strings.Repeat("a", 43),
		strings.Repeat("~", 128), strings.Repeat("-", 129), rfcVerifier + "+",
		"é" + rfcVerifier, "\xff\xfe" + rfcVerifier, rfcVerifier + "\x00",
	} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, v string) {
		err := ValidateVerifier(v)
		// Independent restatement of RFC 7636 section 4.1.
		n := utf8.RuneCountInString(v)
		valid := n >= MinVerifierLength && n <= MaxVerifierLength && strings.Trim(v, unreserved) == ""
		if valid != (err == nil) {
			t.Fatalf("ValidateVerifier(%q) = %v, independent check says valid=%v", v, err, valid)
		}
		if err != nil {
			msg := err.Error()
			if !strings.Contains(msg, "RFC 7636 section 4.1") {
				t.Fatalf("error %q does not state the rule", msg)
			}
			if len(v) >= 4 && strings.Contains(msg, v) {
				t.Fatalf("error %q echoes the input", msg)
			}
		}
		// S256 verification must agree with validation.
		if got := Verify(v, S256Challenge(v), MethodS256); got != (err == nil) {
			t.Fatalf("Verify(v, S256Challenge(v), S256) = %v but ValidateVerifier err = %v", got, err)
		}
		if got := Verify(v, v, MethodPlain); got != (err == nil) {
			t.Fatalf("Verify(v, v, plain) = %v but ValidateVerifier err = %v", got, err)
		}
		// Any S256 challenge is well formed, whatever the verifier.
		if cerr := ValidateChallenge(S256Challenge(v)); cerr != nil {
			t.Fatalf("ValidateChallenge(S256Challenge(%q)) = %v", v, cerr)
		}
	})
}

func FuzzVerify(f *testing.F) {
	f.Add(rfcVerifier, rfcChallenge, MethodS256)
	f.Add(rfcVerifier, rfcVerifier, MethodPlain)
	f.Add(rfcVerifier, rfcVerifier, "")
	f.Add(rfcVerifier, rfcChallenge, "plain")
	f.Add("short", "short", "")
	f.Add(strings.Repeat("a", 43), rfcChallenge, "S512")
	f.Add("", "", "")
	f.Fuzz(func(t *testing.T, verifier, challenge, method string) {
		got := Verify(verifier, challenge, method)
		if !got {
			return
		}
		// A positive answer needs a valid verifier, a known method and the
		// matching transformation.
		if err := ValidateVerifier(verifier); err != nil {
			t.Fatalf("Verify accepted an invalid verifier: %v", err)
		}
		switch method {
		case MethodS256:
			if challenge != S256Challenge(verifier) {
				t.Fatal("Verify(S256) accepted a challenge that is not S256(verifier)")
			}
			if err := ValidateChallenge(challenge); err != nil {
				t.Fatalf("Verify(S256) accepted a malformed challenge: %v", err)
			}
		case MethodPlain, "":
			if challenge != verifier {
				t.Fatal("Verify(plain) accepted a challenge different from the verifier")
			}
		default:
			t.Fatalf("Verify accepted unknown method %q", method)
		}
	})
}
