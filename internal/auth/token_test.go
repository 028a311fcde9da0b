package auth

import (
	"strings"
	"testing"
)

// Ensure API tokens carry the prefix and enough randomness, and their hash
// is the session hash of the whole token.
func TestNewAPIToken(t *testing.T) {
	tok, hash, err := NewAPIToken()
	if err != nil {
		t.Fatal(err)
	}
	if !strings.HasPrefix(tok, "vgl_") || len(tok) != 4+43 || hash != HashToken(tok) || len(hash) != 64 {
		t.Fatalf("token %q hash %q", tok, hash)
	}
	other, _, _ := NewAPIToken()
	if other == tok {
		t.Fatal("two tokens are equal")
	}
}

// Ensure only a Bearer header holding a Vigil token is accepted.
func TestBearerToken(t *testing.T) {
	for in, want := range map[string]string{
		"Bearer vgl_abc":     "vgl_abc",
		"bearer  vgl_abc ":   "vgl_abc",
		"BEARER vgl_x-y_z":   "vgl_x-y_z",
		"Bearer abc":         "",
		"Bearer vgl_":        "",
		"Basic dXNlcjpwYXNz": "",
		"Bearer":             "",
		"vgl_abc":            "",
		"Bearer vgl_a vgl_b": "",
	} {
		got, ok := BearerToken(in)
		if (want != "") != ok || (ok && got != want) {
			t.Errorf("BearerToken(%q) = %q, %v; want %q", in, got, ok, want)
		}
	}
}
