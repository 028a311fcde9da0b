package cli

import (
	"bytes"
	"context"
	"strings"
	"testing"

	"github.com/vigil-med/vigil/internal/domain"
	"github.com/vigil-med/vigil/internal/vigiltest"
)

// Ensure an administrator can turn off a user's two-factor sign-in from the
// command line, within the practice named, audited without the secret.
func TestUserTOTPReset(t *testing.T) {
	db := newPractice(t)
	const email = "lee@lakeside.example"
	var out, errb bytes.Buffer
	if code := Main(context.Background(), []string{"--db", db, "--tenant", "lakeside-family-medicine", "user", "add", email, "--role", "viewer", "--password-stdin"},
		strings.NewReader("a sound passphrase\n"), &out, &errb); code != 0 {
		t.Fatalf("add: %d %s", code, errb.String())
	}
	const secret = "JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP"
	st := vigiltest.MustOpenSQLitePath(t, db)
	u, err := st.FindUserByEmail(vigiltest.Context(0), email)
	if err != nil {
		t.Fatal(err)
	}
	u.TOTPSecret, u.TOTPEnabled = secret, true
	if err := st.UpdateUser(vigiltest.Context(0), u); err != nil {
		t.Fatal(err)
	}

	if r := run(t, db, "user", "totp-reset", email); r.code != ExitFailure || !strings.Contains(r.stderr, "--tenant") {
		t.Fatalf("reset of a practice user from the provider scope: %d %s", r.code, r.stderr)
	}
	r := run(t, db, "--tenant", "lakeside-family-medicine", "user", "totp-reset", email).must(t)
	if !strings.Contains(r.stdout, "Two-factor sign-in is off for "+email) {
		t.Fatalf("reset: %s", r.stdout)
	}
	u, _ = st.FindUserByEmail(vigiltest.Context(0), email)
	if u.TOTPEnabled || u.TOTPSecret != "" {
		t.Fatalf("after reset: enabled %v, secret kept %v", u.TOTPEnabled, u.TOTPSecret != "")
	}
	if r := run(t, db, "--tenant", "lakeside-family-medicine", "user", "totp-reset", email); r.code != ExitFailure || !strings.Contains(r.stderr, "no two-factor sign-in") {
		t.Fatalf("second reset: %d %s", r.code, r.stderr)
	}
	r = run(t, db, "--json", "audit", "list", "--type", "user", "--tenant", "lakeside-family-medicine").must(t)
	if !strings.Contains(r.stdout, `"totp_enabled": false`) || strings.Contains(r.stdout, secret) {
		t.Fatalf("audit of the reset: %s", r.stdout)
	}
	events, _ := st.FindAuditEvents(domain.WithTenant(vigiltest.Context(0), u.TenantID), domain.AuditFilter{ObjectType: "user"})
	if last := events[len(events)-1]; last.Actor.Kind != domain.ActorCLI {
		t.Fatalf("reset recorded as done by %s", last.Actor)
	}
	run(t, db, "audit", "verify").must(t)
}
