package storetest

import (
	"strings"
	"testing"
	"time"

	"github.com/vigil-med/vigil/internal/domain"
)

// testTOTP covers the second factor's storage: a pending secret, enabling
// and disabling audited without the secret, the last accepted step moving
// only forwards, and pending sessions.
func testTOTP(t *testing.T, open Opener) {
	s := open(t)
	a := practice(t, s, "Practice A", "Main")
	ta, _ := domain.TenantFrom(a)
	const secret = "JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP"
	u := &domain.User{Email: "nurse@a.example", Role: domain.RoleViewer, TenantID: ta, PasswordHash: "$argon2id$x"}
	if err := s.CreateUser(a, u); err != nil {
		t.Fatal(err)
	}
	find := func(t *testing.T) *domain.User {
		t.Helper()
		got, err := s.FindUserByEmail(a, u.Email)
		if err != nil {
			t.Fatal(err)
		}
		return got
	}
	t.Run("OK", func(t *testing.T) {
		got := find(t)
		got.TOTPSecret = secret // enrolment begun: a secret, not yet enabled
		if err := s.UpdateUser(a, got); err != nil {
			t.Fatal(err)
		}
		if got := find(t); got.TOTPSecret != secret || got.TOTPEnabled || got.TOTPLastStep != 0 {
			t.Fatalf("pending: %+v", got)
		}
		if err := s.RecordTOTPStep(a, u.ID, 100); err != nil {
			t.Fatal(err)
		}
		got = find(t)
		got.TOTPEnabled = true
		if err := s.UpdateUser(a, got); err != nil {
			t.Fatal(err)
		}
		if got := find(t); !got.TOTPEnabled || got.TOTPLastStep != 100 {
			t.Fatalf("enabled: enabled %v, last step %d (want true, 100)", got.TOTPEnabled, got.TOTPLastStep)
		}
	})
	t.Run("ErrReplay", func(t *testing.T) {
		for _, step := range []int64{100, 99} {
			if err := s.RecordTOTPStep(a, u.ID, step); domain.ErrorCode(err) != domain.CodeConflict {
				t.Fatalf("step %d after 100: %v, want conflict", step, err)
			}
		}
		if err := s.RecordTOTPStep(a, u.ID, 101); err != nil {
			t.Fatal(err)
		}
		wantCode(t, s.RecordTOTPStep(a, 999999, 5), domain.CodeNotFound)
		// Other changes keep the step.
		got := find(t)
		got.Name = "Lee"
		got.TOTPLastStep = 0 // ignored: the store keeps it
		if err := s.UpdateUser(a, got); err != nil {
			t.Fatal(err)
		}
		if got := find(t); got.TOTPLastStep != 101 {
			t.Fatalf("last step after a name change = %d, want 101", got.TOTPLastStep)
		}
	})
	t.Run("ErrEnabledWithoutSecret", func(t *testing.T) {
		got := find(t)
		got.TOTPSecret = ""
		wantCode(t, s.UpdateUser(a, got), domain.CodeInvalid)
	})
	t.Run("Disable", func(t *testing.T) {
		got := find(t)
		got.TOTPEnabled, got.TOTPSecret = false, ""
		if err := s.UpdateUser(a, got); err != nil {
			t.Fatal(err)
		}
		if got := find(t); got.TOTPEnabled || got.TOTPSecret != "" || got.TOTPLastStep != 0 {
			t.Fatalf("disabled: %+v", got)
		}
	})
	t.Run("AuditWithoutSecret", func(t *testing.T) {
		events, err := s.FindAuditEvents(a, domain.AuditFilter{ObjectType: "user"})
		if err != nil {
			t.Fatal(err)
		}
		var trail []string
		for _, e := range events {
			all := string(e.Before) + string(e.After)
			if strings.Contains(all, secret) {
				t.Fatalf("the TOTP secret reached the audit trail: %s", all)
			}
			trail = append(trail, string(e.After))
		}
		joined := strings.Join(trail, "\n")
		if !strings.Contains(joined, `"totp":"new key issued"`) || !strings.Contains(joined, `"totp_enabled":true`) ||
			!strings.Contains(string(events[len(events)-1].After), `"totp_enabled":false`) {
			t.Fatalf("audit trail of the second factor:\n%s", joined)
		}
	})
	t.Run("PendingSession", func(t *testing.T) {
		ctx := ctxFor(0)
		exp := domain.Now(ctx).Add(5 * time.Minute)
		if err := s.CreateSession(ctx, &domain.Session{TokenHash: "pending-hash", User: u, TenantID: ta, CSRFToken: "c", Pending: true, ExpiresAt: exp}); err != nil {
			t.Fatal(err)
		}
		if err := s.CreateSession(ctx, &domain.Session{TokenHash: "full-hash", User: u, TenantID: ta, CSRFToken: "c", ExpiresAt: exp}); err != nil {
			t.Fatal(err)
		}
		p, err := s.FindSession(ctx, "pending-hash")
		if err != nil || !p.Pending {
			t.Fatalf("pending session: %+v, %v", p, err)
		}
		if f, err := s.FindSession(ctx, "full-hash"); err != nil || f.Pending {
			t.Fatalf("full session: %+v, %v", f, err)
		}
		events, _ := s.FindAuditEvents(a, domain.AuditFilter{Action: "user.sign_in"})
		if len(events) != 1 {
			t.Fatalf("%d sign-in events for one pending and one full session, want 1", len(events))
		}
	})
}
