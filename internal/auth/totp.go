package auth

import (
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha1"
	"crypto/subtle"
	"encoding/base32"
	"encoding/binary"
	"errors"
	"fmt"
	"net/url"
	"strings"
	"time"

	"github.com/vigil-med/vigil/internal/domain"
)

// Time-based one-time passwords for the second sign-in factor, as RFC 6238
// defines them over RFC 4226's HOTP, with the parameters every
// authenticator app understands: HMAC-SHA-1, six digits, a 30-second step
// counted from the Unix epoch.
const (
	TOTPDigits    = 6
	TOTPStep      = 30 * time.Second
	TOTPIssuer    = "Vigil"
	totpSecretLen = 20 // bytes: the HMAC-SHA-1 output size, RFC 4226 section 4's recommendation
	// totpDrift is how many steps either side of the server's clock a code
	// may come from: RFC 6238 section 5.2 recommends at most one.
	totpDrift = 1
)

// b32 is the secret's text form: RFC 4648 base32 without padding, the form
// authenticator apps expect in otpauth URIs and for typing in by hand.
var b32 = base32.StdEncoding.WithPadding(base32.NoPadding)

// NewTOTPSecret returns a new random secret in its text form.
func NewTOTPSecret() (string, error) {
	b := make([]byte, totpSecretLen)
	if _, err := rand.Read(b); err != nil {
		return "", domain.Internal(err, "cannot generate a two-factor secret")
	}
	return b32.EncodeToString(b), nil
}

// decodeSecret reads a secret's text form, forgiving spaces, dashes and
// lower case as people type them.
func decodeSecret(secret string) ([]byte, error) {
	s := strings.ToUpper(strings.NewReplacer(" ", "", "-", "").Replace(secret))
	s = strings.TrimRight(s, "=")
	key, err := b32.DecodeString(s)
	if err != nil || len(key) == 0 {
		return nil, domain.Errorf(domain.CodeInvalid, "the two-factor secret is not base32 text")
	}
	return key, nil
}

// TOTPURI is the otpauth URI an authenticator app reads from a QR code:
// otpauth://totp/Vigil:EMAIL?secret=…&issuer=Vigil. Algorithm, digits and
// period are the apps' defaults and so left out.
func TOTPURI(secret, email string) string {
	label := url.PathEscape(TOTPIssuer + ":" + email)
	return "otpauth://totp/" + label + "?secret=" + url.QueryEscape(secret) + "&issuer=" + url.QueryEscape(TOTPIssuer)
}

// HOTP is RFC 4226's HMAC-based one-time password: the HMAC-SHA-1 of the
// 8-byte big-endian counter, dynamically truncated (section 5.3) to 31 bits
// and reduced to the given number of decimal digits (6 to 9), zero-padded.
func HOTP(key []byte, counter uint64, digits int) string {
	var msg [8]byte
	binary.BigEndian.PutUint64(msg[:], counter)
	mac := hmac.New(sha1.New, key)
	mac.Write(msg[:])
	sum := mac.Sum(nil)
	// The low four bits of the last byte choose where the 4 bytes start;
	// the top bit is masked so the number is the same signed or unsigned.
	off := sum[len(sum)-1] & 0x0f
	bin := binary.BigEndian.Uint32(sum[off:off+4]) & 0x7fffffff
	mod := uint32(1)
	for range digits {
		mod *= 10
	}
	return fmt.Sprintf("%0*d", digits, bin%mod)
}

// TOTPStepAt is the RFC 6238 time step T = floor((unix time − T0) / X) with
// T0 = 0 and X = 30 seconds.
func TOTPStepAt(t time.Time) int64 {
	return floorDiv(t.Unix(), int64(TOTPStep/time.Second))
}

func floorDiv(a, b int64) int64 {
	q := a / b
	if a%b != 0 && (a < 0) != (b < 0) {
		q--
	}
	return q
}

// TOTP is the code for the secret at time t.
func TOTP(secret string, t time.Time) (string, error) {
	key, err := decodeSecret(secret)
	if err != nil {
		return "", err
	}
	return HOTP(key, uint64(TOTPStepAt(t)), TOTPDigits), nil
}

// Why VerifyTOTP refused a code; the texts are fit to show the user.
var (
	ErrTOTPWrong = errors.New("that code is not right; enter the 6 digits your authenticator app shows now")
	ErrTOTPUsed  = errors.New("that code was used already; wait for the next one")
)

// VerifyTOTP checks a code typed by the user against the secret at time now,
// accepting the steps one either side of now for clock drift, and returns
// the step it matched. A step at or before lastStep (the last one accepted
// for this user) is refused with ErrTOTPUsed, so a code is good once: the
// caller records the returned step as the new last one (atomically, in the
// store) before letting the user in. Any other mismatch is ErrTOTPWrong.
func VerifyTOTP(secret, code string, lastStep int64, now time.Time) (int64, error) {
	key, err := decodeSecret(secret)
	if err != nil {
		return 0, ErrTOTPWrong
	}
	code = strings.NewReplacer(" ", "", "-", "").Replace(code)
	if len(code) != TOTPDigits || strings.Trim(code, "0123456789") != "" {
		return 0, ErrTOTPWrong
	}
	cur := TOTPStepAt(now)
	// Every candidate step is computed and compared, so the time taken
	// does not tell which one matched.
	found, used := int64(-1), false
	for s := cur - totpDrift; s <= cur+totpDrift; s++ {
		want := HOTP(key, uint64(s), TOTPDigits)
		if subtle.ConstantTimeCompare([]byte(want), []byte(code)) == 1 {
			if s > lastStep && found < 0 {
				found = s
			} else if s <= lastStep {
				used = true
			}
		}
	}
	switch {
	case found >= 0:
		return found, nil
	case used:
		return 0, ErrTOTPUsed
	}
	return 0, ErrTOTPWrong
}

// GroupSecret splits a secret into groups of four characters for reading
// and typing by hand.
func GroupSecret(secret string) string {
	var b strings.Builder
	for i, r := range secret {
		if i > 0 && i%4 == 0 {
			b.WriteByte(' ')
		}
		b.WriteRune(r)
	}
	return b.String()
}
