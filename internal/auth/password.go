// Package auth holds Vigil's account security: password hashing with
// argon2id, the password rules, and one-time passwords for new accounts.
// Sessions, TOTP and API tokens build on it.
package auth

import (
	"crypto/rand"
	"crypto/subtle"
	"encoding/base64"
	"fmt"
	"strings"
	"unicode/utf8"

	"golang.org/x/crypto/argon2"

	"github.com/vigil-med/vigil/internal/domain"
)

// Argon2id parameters: 19 MiB of memory, 2 passes, 1 lane — the minimum
// OWASP's password storage guidance gives for argon2id. They are stored in
// each hash, so raising them later keeps old hashes verifiable.
const (
	argonMemory  = 19 * 1024
	argonTime    = 2
	argonThreads = 1
	argonKeyLen  = 32
	saltLen      = 16
)

// MinPasswordLength is the shortest password accepted.
const MinPasswordLength = 12

var b64 = base64.RawStdEncoding

// HashPassword checks pw against the password rules and returns its
// argon2id hash in PHC string form:
// $argon2id$v=19$m=19456,t=2,p=1$<salt>$<hash>.
func HashPassword(pw string) (string, error) {
	if err := CheckPassword(pw); err != nil {
		return "", err
	}
	salt := make([]byte, saltLen)
	if _, err := rand.Read(salt); err != nil {
		return "", domain.Internal(err, "cannot generate a salt")
	}
	key := argon2.IDKey([]byte(pw), salt, argonTime, argonMemory, argonThreads, argonKeyLen)
	return fmt.Sprintf("$argon2id$v=%d$m=%d,t=%d,p=%d$%s$%s", argon2.Version, argonMemory, argonTime, argonThreads,
		b64.EncodeToString(salt), b64.EncodeToString(key)), nil
}

// VerifyPassword reports whether pw matches the PHC hash, in constant time.
// A malformed hash never matches.
func VerifyPassword(hash, pw string) bool {
	parts := strings.Split(hash, "$")
	if len(parts) != 6 || parts[1] != "argon2id" {
		return false
	}
	var version int
	if _, err := fmt.Sscanf(parts[2], "v=%d", &version); err != nil || version != argon2.Version {
		return false
	}
	var m, t uint32
	var p uint8
	if _, err := fmt.Sscanf(parts[3], "m=%d,t=%d,p=%d", &m, &t, &p); err != nil || m == 0 || m > 1<<18 || t == 0 || t > 10 || p == 0 {
		return false
	}
	salt, err := b64.DecodeString(parts[4])
	if err != nil {
		return false
	}
	want, err := b64.DecodeString(parts[5])
	if err != nil || len(want) == 0 || len(want) > 128 {
		return false
	}
	got := argon2.IDKey([]byte(pw), salt, t, m, p, uint32(len(want)))
	return subtle.ConstantTimeCompare(got, want) == 1
}

// CheckPassword applies the password rules: at least MinPasswordLength
// characters, valid text, and not one character repeated.
func CheckPassword(pw string) error {
	if !utf8.ValidString(pw) {
		return domain.Errorf(domain.CodeInvalid, "the password is not valid text")
	}
	if n := utf8.RuneCountInString(pw); n < MinPasswordLength {
		return domain.Errorf(domain.CodeInvalid, "the password has %d characters; use at least %d", n, MinPasswordLength)
	}
	if len(pw) > 1024 {
		return domain.Errorf(domain.CodeInvalid, "the password is longer than 1024 bytes")
	}
	first, _ := utf8.DecodeRuneInString(pw)
	if strings.Trim(pw, string(first)) == "" {
		return domain.Errorf(domain.CodeInvalid, "the password repeats one character")
	}
	return nil
}

// OneTimePassword returns a random password for a new account, shown once
// and to be changed at first sign-in: 20 characters from an alphabet
// without look-alikes (about 115 bits).
func OneTimePassword() (string, error) {
	const alphabet = "abcdefghjkmnpqrstuvwxyzABCDEFGHJKLMNPQRSTUVWXYZ23456789"
	out := make([]byte, 0, 20)
	buf := make([]byte, 32)
	// Bytes at or above the largest multiple of the alphabet's size are
	// dropped, so every character is equally likely.
	limit := 256 - 256%len(alphabet)
	for len(out) < 20 {
		if _, err := rand.Read(buf); err != nil {
			return "", domain.Internal(err, "cannot generate a password")
		}
		for _, c := range buf {
			if int(c) < limit && len(out) < 20 {
				out = append(out, alphabet[int(c)%len(alphabet)])
			}
		}
	}
	return string(out), nil
}
