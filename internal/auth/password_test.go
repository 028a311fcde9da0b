package auth

import (
	"strings"
	"testing"
)

// Ensure a hash verifies its own password only, and is salted.
func TestHashPassword(t *testing.T) {
	h, err := HashPassword("correct horse battery staple")
	if err != nil {
		t.Fatal(err)
	}
	if !strings.HasPrefix(h, "$argon2id$v=19$m=19456,t=2,p=1$") {
		t.Fatalf("hash = %q", h)
	}
	if !VerifyPassword(h, "correct horse battery staple") {
		t.Fatal("the right password does not verify")
	}
	for _, wrong := range []string{"", "correct horse battery stapl", "Correct horse battery staple", "correct horse battery staple "} {
		if VerifyPassword(h, wrong) {
			t.Fatalf("%q verifies", wrong)
		}
	}
	h2, _ := HashPassword("correct horse battery staple")
	if h2 == h {
		t.Fatal("two hashes of one password are equal: no salt")
	}
}

// Ensure the password rules refuse weak passwords with a reason.
func TestCheckPassword(t *testing.T) {
	for pw, want := range map[string]string{
		"short":                "at least 12",
		"aaaaaaaaaaaaaaaa":     "repeats one character",
		"\xff\xfe long enough": "not valid text",
		"a sound passphrase":   "",
	} {
		err := CheckPassword(pw)
		if want == "" && err != nil || want != "" && (err == nil || !strings.Contains(err.Error(), want)) {
			t.Errorf("CheckPassword(%q) = %v, want %q", pw, err, want)
		}
	}
}

// Ensure malformed or tampered hashes never verify (and never panic).
func TestVerifyPassword_Malformed(t *testing.T) {
	good, _ := HashPassword("a sound passphrase")
	parts := strings.Split(good, "$")
	for name, h := range map[string]string{
		"empty":     "",
		"bcrypt":    "$2a$10$abcdefghijklmnopqrstuu",
		"version":   strings.Replace(good, "v=19", "v=18", 1),
		"hugeMem":   strings.Replace(good, "m=19456", "m=300000", 1),
		"zeroTime":  strings.Replace(good, "t=2", "t=0", 1),
		"badSalt":   strings.Join(append(parts[:4:4], "!!", parts[5]), "$"),
		"emptyHash": strings.Join(append(parts[:5:5], ""), "$"),
	} {
		if VerifyPassword(h, "a sound passphrase") {
			t.Errorf("%s: verifies", name)
		}
	}
}

// Ensure one-time passwords are long, from the alphabet, and differ.
func TestOneTimePassword(t *testing.T) {
	seen := map[string]bool{}
	for i := 0; i < 50; i++ {
		p, err := OneTimePassword()
		if err != nil || len(p) != 20 || strings.ContainsAny(p, "0O1lI") || seen[p] {
			t.Fatalf("OneTimePassword = %q, %v", p, err)
		}
		if CheckPassword(p) != nil {
			t.Fatalf("%q fails the rules", p)
		}
		seen[p] = true
	}
}

// FuzzVerifyPassword checks that no stored hash string makes verification
// panic or accept a password it was not made from.
func FuzzVerifyPassword(f *testing.F) {
	f.Add("$argon2id$v=19$m=19456,t=2,p=1$c2FsdHNhbHQ$aGFzaA", "pw") // well-formed, wrong hash
	f.Add("$argon2id$v=19$m=1,t=1,p=0$$", "")                        // zero lanes
	f.Add("$argon2id$$$$$", "x")                                     // empty fields
	f.Fuzz(func(t *testing.T, hash, pw string) {
		if len(hash) > 512 {
			return
		}
		if VerifyPassword(hash, pw) && !strings.HasPrefix(hash, "$argon2id$") {
			t.Fatalf("%q verified", hash)
		}
	})
}
