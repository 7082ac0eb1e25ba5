package pkce

import (
	"errors"
	"strings"
	"testing"
)

// RFC 7636 Appendix B.
const (
	rfcVerifier  = "dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk"
	rfcChallenge = "E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM"
)

func TestS256ChallengeRFC7636AppendixB(t *testing.T) {
	if got := S256Challenge(rfcVerifier); got != rfcChallenge {
		t.Fatalf("S256Challenge(appendix B verifier) = %q, want %q", got, rfcChallenge)
	}
	if err := ValidateVerifier(rfcVerifier); err != nil {
		t.Fatalf("appendix B verifier rejected: %v", err)
	}
	if err := ValidateChallenge(rfcChallenge); err != nil {
		t.Fatalf("appendix B challenge rejected: %v", err)
	}
	if !Verify(rfcVerifier, rfcChallenge, MethodS256) {
		t.Fatal("Verify(appendix B, S256) = false")
	}
}

func TestGenerateVerifier(t *testing.T) {
	seen := map[string]bool{}
	for _, length := range []int{0, MinVerifierLength, 50, DefaultVerifierLength, 100, MaxVerifierLength} {
		for i := 0; i < 20; i++ {
			v, err := GenerateVerifier(length)
			if err != nil {
				t.Fatalf("GenerateVerifier(%d): %v", length, err)
			}
			want := length
			if want == 0 {
				want = DefaultVerifierLength
			}
			if len(v) != want {
				t.Fatalf("GenerateVerifier(%d) length = %d, want %d", length, len(v), want)
			}
			if err := ValidateVerifier(v); err != nil {
				t.Fatalf("GenerateVerifier(%d) produced an invalid verifier: %v", length, err)
			}
			if seen[v] {
				t.Fatalf("GenerateVerifier(%d) repeated a verifier", length)
			}
			seen[v] = true
		}
	}
}

// The generator must reach the whole unreserved alphabet, including the
// characters outside base64url ('.' and '~').
func TestGenerateVerifierUsesWholeAlphabet(t *testing.T) {
	counts := map[rune]int{}
	for i := 0; i < 200; i++ {
		v, err := GenerateVerifier(MaxVerifierLength)
		if err != nil {
			t.Fatal(err)
		}
		for _, r := range v {
			counts[r]++
		}
	}
	for _, r := range unreserved {
		if counts[r] == 0 {
			t.Errorf("character %q never generated in 25600 draws", r)
		}
	}
}

func TestGenerateVerifierRejectsBadLengths(t *testing.T) {
	for _, length := range []int{-1, 1, 42, 129, 1000} {
		v, err := GenerateVerifier(length)
		if err == nil {
			t.Fatalf("GenerateVerifier(%d) = %q, want error", length, v)
		}
		if !errors.Is(err, ErrInvalidVerifier) || !strings.Contains(err.Error(), "43 to 128") {
			t.Fatalf("GenerateVerifier(%d) error %q does not state the rule", length, err)
		}
	}
}

func TestValidateVerifier(t *testing.T) {
	const rule = "a code_verifier is 43 to 128 characters of A-Z a-z 0-9 - . _ ~ (RFC 7636 section 4.1)"
	tests := []struct {
		name     string
		verifier string
		wantErr  string // substring; "" means valid
	}{
		{"appendix B", rfcVerifier, ""},
		{"min length", strings.Repeat("a", 43), ""},
		{"max length", strings.Repeat("Z", 128), ""},
		{"all unreserved", unreserved[:66], ""},
		{"empty", "", "got length 0"},
		{"too short", strings.Repeat("a", 42), "got length 42"},
		{"too long", strings.Repeat("a", 129), "got length 129"},
		{"plus sign", strings.Repeat("a", 10) + "+" + strings.Repeat("a", 40), `character '+' at position 11 is not allowed`},
		{"slash first", "/" + strings.Repeat("a", 50), `character '/' at position 1 is not allowed`},
		{"padding", strings.Repeat("a", 43) + "=", `character '=' at position 44`},
		{"space", strings.Repeat("a", 20) + " " + strings.Repeat("a", 22), `character ' ' at position 21`},
		{"non-ASCII counts characters", strings.Repeat("a", 5) + "é" + strings.Repeat("a", 40), `character 'é' at position 6`},
		{"invalid UTF-8", strings.Repeat("a", 45) + "\xff", "an invalid UTF-8 byte at position 46"},
		{"short and bad char", "abc%", `got length 4 and character '%' at position 4`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := ValidateVerifier(tt.verifier)
			if tt.wantErr == "" {
				if err != nil {
					t.Fatalf("unexpected error: %v", err)
				}
				return
			}
			if err == nil {
				t.Fatalf("want error containing %q, got nil", tt.wantErr)
			}
			msg := err.Error()
			if !strings.Contains(msg, tt.wantErr) {
				t.Errorf("error %q does not contain %q", msg, tt.wantErr)
			}
			if !strings.Contains(msg, rule) {
				t.Errorf("error %q does not state the rule", msg)
			}
			if !errors.Is(err, ErrInvalidVerifier) {
				t.Errorf("error does not wrap ErrInvalidVerifier")
			}
			if len(tt.verifier) > 8 && strings.Contains(msg, tt.verifier) {
				t.Errorf("error echoes the verifier")
			}
		})
	}
}

func TestValidateChallenge(t *testing.T) {
	tests := []struct {
		name      string
		challenge string
		wantErr   string
	}{
		{"appendix B", rfcChallenge, ""},
		{"generated", S256Challenge("x"), ""},
		{"empty", "", "got length 0"},
		{"padded", rfcChallenge + "=", "got length 44"},
		{"short", rfcChallenge[:42], "got length 42"},
		{"standard base64 alphabet", strings.Replace(rfcChallenge, "-", "+", 1), "not base64url at position 41"},
		{"non-canonical trailing bits", rfcChallenge[:42] + "N", "not base64url"},
		{"a verifier is not a challenge", strings.Repeat("a", 43) + "~", "got length 44"},
		{"dot", strings.Repeat("a", 42) + ".", "not base64url at position 43"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := ValidateChallenge(tt.challenge)
			if tt.wantErr == "" {
				if err != nil {
					t.Fatalf("unexpected error: %v", err)
				}
				return
			}
			if err == nil || !strings.Contains(err.Error(), tt.wantErr) {
				t.Fatalf("error = %v, want it to contain %q", err, tt.wantErr)
			}
			if !errors.Is(err, ErrInvalidChallenge) || !strings.Contains(err.Error(), "RFC 7636 section 4.2") {
				t.Fatalf("error %q does not wrap ErrInvalidChallenge or state the rule", err)
			}
		})
	}
}

func TestVerify(t *testing.T) {
	other, err := GenerateVerifier(0)
	if err != nil {
		t.Fatal(err)
	}
	short := "tooshort"
	tests := []struct {
		name                        string
		verifier, challenge, method string
		want                        bool
	}{
		{"S256 match", rfcVerifier, rfcChallenge, MethodS256, true},
		{"S256 wrong verifier", other, rfcChallenge, MethodS256, false},
		{"S256 challenge is verifier", rfcVerifier, rfcVerifier, MethodS256, false},
		{"S256 empty challenge", rfcVerifier, "", MethodS256, false},
		{"S256 challenge prefix", rfcVerifier, rfcChallenge[:42], MethodS256, false},
		{"plain match", rfcVerifier, rfcVerifier, MethodPlain, true},
		{"empty method is plain", rfcVerifier, rfcVerifier, "", true},
		{"empty method does not mean S256", rfcVerifier, rfcChallenge, "", false},
		{"plain with S256 challenge", rfcVerifier, rfcChallenge, MethodPlain, false},
		{"plain mismatch", rfcVerifier, other, MethodPlain, false},
		{"method is case-sensitive", rfcVerifier, rfcChallenge, "s256", false},
		{"unknown method", rfcVerifier, rfcChallenge, "S512", false},
		{"invalid verifier S256", short, S256Challenge(short), MethodS256, false},
		{"invalid verifier plain", short, short, MethodPlain, false},
		{"empty verifier", "", S256Challenge(""), MethodS256, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := Verify(tt.verifier, tt.challenge, tt.method); got != tt.want {
				t.Fatalf("Verify = %v, want %v", got, tt.want)
			}
		})
	}
}
