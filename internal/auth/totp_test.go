package auth

import (
	"fmt"
	"net/url"
	"strings"
	"testing"
	"time"
)

// rfcKey is the 20-byte ASCII key of RFC 4226 Appendix D and of the SHA-1
// rows of RFC 6238 Appendix B.
var rfcKey = []byte("12345678901234567890")

// Ensure HOTP matches RFC 4226 Appendix D: six-digit values for counters 0
// to 9.
func TestHOTP_RFC4226(t *testing.T) {
	want := []string{"755224", "287082", "359152", "969429", "338314", "254676", "287922", "162583", "399871", "520489"}
	for c, w := range want {
		if got := HOTP(rfcKey, uint64(c), 6); got != w {
			t.Errorf("HOTP(counter %d) = %s, want %s", c, got, w)
		}
	}
}

// Ensure TOTP matches the SHA-1 test vectors of RFC 6238 Appendix B
// (eight digits, 30-second steps from the epoch).
func TestTOTP_RFC6238(t *testing.T) {
	for _, tc := range []struct {
		unix int64
		step int64 // T in hexadecimal in the RFC's table
		want string
	}{
		{59, 0x1, "94287082"},
		{1111111109, 0x23523EC, "07081804"},
		{1111111111, 0x23523ED, "14050471"},
		{1234567890, 0x273EF07, "89005924"},
		{2000000000, 0x3F940AA, "69279037"},
		{20000000000, 0x27BC86AA, "65353130"},
	} {
		at := time.Unix(tc.unix, 0).UTC()
		if got := TOTPStepAt(at); got != tc.step {
			t.Errorf("step at %d = %#x, want %#x", tc.unix, got, tc.step)
		}
		if got := HOTP(rfcKey, uint64(TOTPStepAt(at)), 8); got != tc.want {
			t.Errorf("TOTP at %d = %s, want %s", tc.unix, got, tc.want)
		}
	}
	// The same key in its base32 form gives the six-digit code apps show:
	// the last six digits of the eight-digit value.
	secret := b32.EncodeToString(rfcKey)
	if got, err := TOTP(secret, time.Unix(1111111109, 0)); err != nil || got != "081804" {
		t.Fatalf("TOTP(base32 key) = %s, %v; want 081804", got, err)
	}
}

// Ensure a code from one step either side of the clock is accepted, two
// steps away is not, and a step is accepted only once.
func TestVerifyTOTP(t *testing.T) {
	secret := b32.EncodeToString(rfcKey)
	now := time.Unix(1234567890, 0) // step 0x273EF07
	cur := TOTPStepAt(now)
	code := func(step int64) string { return HOTP(rfcKey, uint64(step), 6) }
	wrong := "000000" // unless that is a code of the window; then another
	for i := 1; code(cur-1) == wrong || code(cur) == wrong || code(cur+1) == wrong; i++ {
		wrong = fmt.Sprintf("%06d", i)
	}
	for _, tc := range []struct {
		name string
		code string
		last int64
		step int64
		err  error
	}{
		{"OK", code(cur), 0, cur, nil},
		{"OKSpaced", code(cur)[:3] + " " + code(cur)[3:], 0, cur, nil},
		{"OKBehind", code(cur - 1), 0, cur - 1, nil},
		{"OKAhead", code(cur + 1), 0, cur + 1, nil},
		{"ErrTooOld", code(cur - 2), 0, 0, ErrTOTPWrong},
		{"ErrTooNew", code(cur + 2), 0, 0, ErrTOTPWrong},
		{"ErrReplay", code(cur), cur, 0, ErrTOTPUsed},
		{"ErrOlderThanLast", code(cur - 1), cur, 0, ErrTOTPUsed},
		{"OKNewerThanLast", code(cur + 1), cur, cur + 1, nil},
		{"ErrWrong", wrong, 0, 0, ErrTOTPWrong},
		{"ErrShort", code(cur)[:5], 0, 0, ErrTOTPWrong},
		{"ErrLetters", "12345a", 0, 0, ErrTOTPWrong},
		{"ErrEightDigits", HOTP(rfcKey, uint64(cur), 8), 0, 0, ErrTOTPWrong},
	} {
		t.Run(tc.name, func(t *testing.T) {
			step, err := VerifyTOTP(secret, tc.code, tc.last, now)
			if err != tc.err || step != tc.step {
				t.Fatalf("VerifyTOTP(%q, last %d) = %d, %v; want %d, %v", tc.code, tc.last, step, err, tc.step, tc.err)
			}
		})
	}
	if _, err := VerifyTOTP("not base32!", code(cur), 0, now); err != ErrTOTPWrong {
		t.Fatalf("a malformed secret: %v", err)
	}
}

// Ensure new secrets are 20 random bytes in unpadded base32, and the URI
// names the issuer and the account.
func TestNewTOTPSecret(t *testing.T) {
	a, err := NewTOTPSecret()
	if err != nil {
		t.Fatal(err)
	}
	b, _ := NewTOTPSecret()
	if len(a) != 32 || strings.Contains(a, "=") || a == b {
		t.Fatalf("secrets %q, %q", a, b)
	}
	if key, err := decodeSecret(strings.ToLower(GroupSecret(a))); err != nil || len(key) != 20 {
		t.Fatalf("decode grouped lower-case secret: %d bytes, %v", len(key), err)
	}
	uri := TOTPURI(a, "pat+ops@msp.example")
	u, err := url.Parse(uri)
	if err != nil {
		t.Fatal(err)
	}
	if u.Scheme != "otpauth" || u.Host != "totp" || u.Path != "/Vigil:pat+ops@msp.example" ||
		u.Query().Get("secret") != a || u.Query().Get("issuer") != "Vigil" {
		t.Fatalf("URI %s", uri)
	}
	if !strings.HasPrefix(uri, "otpauth://totp/Vigil:pat+ops@msp.example?secret="+a+"&issuer=Vigil") {
		t.Fatalf("URI %s", uri)
	}
}
