package storetest

import (
	"strings"
	"testing"
	"time"

	"github.com/vigil-med/vigil/internal/domain"
)

// hash64 makes a distinct 64-character stand-in for a token hash.
func hash64(c byte) string { return strings.Repeat(string(c), 64) }

func testTokens(t *testing.T, open Opener) {
	s := open(t)
	a := practice(t, s, "Practice A", "Main")
	b := practice(t, s, "Practice B", "Main")
	ta, _ := domain.TenantFrom(a)
	tb, _ := domain.TenantFrom(b)
	provider := ctxFor(0)
	now := time.Date(2026, 3, 1, 12, 0, 0, 0, time.UTC)
	wide := &domain.APIToken{Name: " nightly   report ", Role: domain.RoleAuditor, TokenHash: hash64('a')}
	if err := s.CreateToken(domain.WithNow(provider, now), wide); err != nil {
		t.Fatal(err)
	}
	if wide.ID == 0 || wide.Name != "nightly report" || !wide.CreatedAt.Equal(now) || wide.TenantID != 0 {
		t.Fatalf("created %+v", wide)
	}
	admin := &domain.User{Email: "admin@a.example", Role: domain.RolePracticeAdmin, TenantID: ta}
	if err := s.CreateUser(a, admin); err != nil {
		t.Fatal(err)
	}
	ci := &domain.APIToken{Name: "ci", Role: domain.RoleTechnician, TenantID: ta, UserID: admin.ID, TokenHash: hash64('b'),
		ExpiresAt: now.Add(time.Hour)}
	if err := s.CreateToken(domain.WithNow(a, now), ci); err != nil {
		t.Fatal(err)
	}
	t.Run("FindByHash", func(t *testing.T) {
		got, err := s.FindTokenByHash(domain.WithNow(ctxFor(0), now.Add(time.Minute)), hash64('b'))
		if err != nil {
			t.Fatal(err)
		}
		if got.ID != ci.ID || got.TenantID != ta || got.Role != domain.RoleTechnician || got.UserID != admin.ID ||
			!got.ExpiresAt.Equal(now.Add(time.Hour)) || !got.LastUsedAt.Equal(now.Add(time.Minute)) {
			t.Fatalf("found %+v", got)
		}
		// A use within the minute does not rewrite last_used_at.
		s.FindTokenByHash(domain.WithNow(ctxFor(0), now.Add(90*time.Second)), hash64('b'))
		list, _ := s.FindTokens(a)
		if len(list) != 1 || !list[0].LastUsedAt.Equal(now.Add(time.Minute)) {
			t.Fatalf("last used = %v", list[0].LastUsedAt)
		}
		_, err = s.FindTokenByHash(ctxFor(0), hash64('z'))
		wantCode(t, err, domain.CodeNotFound)
	})
	t.Run("ErrExpired", func(t *testing.T) {
		_, err := s.FindTokenByHash(domain.WithNow(ctxFor(0), now.Add(time.Hour)), hash64('b'))
		wantCode(t, err, domain.CodeNotFound)
		if _, err := s.FindTokenByHash(domain.WithNow(ctxFor(0), now.Add(59*time.Minute)), hash64('b')); err != nil {
			t.Fatalf("an hour-long token a minute before it ends: %v", err)
		}
	})
	t.Run("ErrScope", func(t *testing.T) {
		wantCode(t, s.CreateToken(b, &domain.APIToken{Name: "spy", Role: domain.RoleViewer, TenantID: ta, TokenHash: hash64('c')}), domain.CodeForbidden)
		wantCode(t, s.CreateToken(a, &domain.APIToken{Name: "wide", Role: domain.RoleViewer, TokenHash: hash64('c')}), domain.CodeForbidden)
		wantCode(t, s.CreateToken(a, &domain.APIToken{Name: "boss", Role: domain.RoleProviderAdmin, TenantID: ta, TokenHash: hash64('c')}), domain.CodeInvalid)
		wantCode(t, s.CreateToken(provider, &domain.APIToken{Name: "padmin", Role: domain.RolePracticeAdmin, TokenHash: hash64('c')}), domain.CodeInvalid)
		wantCode(t, s.CreateToken(provider, &domain.APIToken{Name: "ghost", Role: domain.RoleViewer, TenantID: 999999, TokenHash: hash64('c')}), domain.CodeInvalid)
		wantCode(t, s.CreateToken(provider, &domain.APIToken{Name: "  ", Role: domain.RoleViewer, TokenHash: hash64('c')}), domain.CodeInvalid)
		wantCode(t, s.CreateToken(provider, &domain.APIToken{Name: "x", Role: "janitor", TokenHash: hash64('c')}), domain.CodeInvalid)
		wantCode(t, s.CreateToken(provider, &domain.APIToken{Name: "no hash", Role: domain.RoleViewer}), domain.CodeInvalid)
	})
	t.Run("ErrDuplicateName", func(t *testing.T) {
		wantCode(t, s.CreateToken(a, &domain.APIToken{Name: "ci", Role: domain.RoleViewer, TenantID: ta, TokenHash: hash64('d')}), domain.CodeConflict)
		wantCode(t, s.CreateToken(a, &domain.APIToken{Name: "other", Role: domain.RoleViewer, TenantID: ta, TokenHash: hash64('b')}), domain.CodeConflict)
		// The same name is free in another scope.
		if err := s.CreateToken(b, &domain.APIToken{Name: "ci", Role: domain.RoleViewer, TenantID: tb, TokenHash: hash64('e')}); err != nil {
			t.Fatal(err)
		}
	})
	t.Run("Scopes", func(t *testing.T) {
		la, _ := s.FindTokens(a)
		lb, _ := s.FindTokens(b)
		lp, _ := s.FindTokens(provider)
		if len(la) != 1 || la[0].ID != ci.ID || len(lb) != 1 || lb[0].TenantID != tb || len(lp) != 1 || lp[0].ID != wide.ID {
			t.Fatalf("tokens: A %d, B %d, provider %d", len(la), len(lb), len(lp))
		}
	})
	t.Run("Revoke", func(t *testing.T) {
		wantCode(t, s.RevokeToken(b, ci.ID), domain.CodeNotFound)
		if _, err := s.FindTokenByHash(domain.WithNow(ctxFor(0), now), hash64('b')); err != nil {
			t.Fatalf("B's refused revocation revoked A's token: %v", err)
		}
		if err := s.RevokeToken(a, ci.ID); err != nil {
			t.Fatal(err)
		}
		wantCode(t, s.RevokeToken(a, ci.ID), domain.CodeNotFound)
		_, err := s.FindTokenByHash(domain.WithNow(ctxFor(0), now), hash64('b'))
		wantCode(t, err, domain.CodeNotFound)
		la, _ := s.FindTokens(a)
		if len(la) != 1 || !la[0].Revoked {
			t.Fatalf("after revoke: %+v", la)
		}
		// A revoked token's name may be used again.
		again := &domain.APIToken{Name: "ci", Role: domain.RoleTechnician, TenantID: ta, TokenHash: hash64('f')}
		if err := s.CreateToken(a, again); err != nil {
			t.Fatal(err)
		}
		// The provider's scope may revoke any practice's token.
		if err := s.RevokeToken(provider, again.ID); err != nil {
			t.Fatal(err)
		}
	})
	t.Run("ErrCreatorDisabled", func(t *testing.T) {
		tok := &domain.APIToken{Name: "sync", Role: domain.RoleViewer, TenantID: ta, UserID: admin.ID, TokenHash: hash64('g')}
		if err := s.CreateToken(a, tok); err != nil {
			t.Fatal(err)
		}
		if _, err := s.FindTokenByHash(ctxFor(0), hash64('g')); err != nil {
			t.Fatal(err)
		}
		admin.Disabled = true
		if err := s.UpdateUser(a, admin); err != nil {
			t.Fatal(err)
		}
		_, err := s.FindTokenByHash(ctxFor(0), hash64('g'))
		wantCode(t, err, domain.CodeNotFound)
	})
	t.Run("Audited", func(t *testing.T) {
		events, err := s.FindAuditEvents(provider, domain.AuditFilter{ObjectType: "token"})
		if err != nil {
			t.Fatal(err)
		}
		var actions []string
		for _, e := range events {
			actions = append(actions, e.Action)
			body := string(e.Before) + string(e.After)
			for _, c := range "abcdefg" {
				if strings.Contains(body, hash64(byte(c))[:16]) {
					t.Fatalf("a token hash reached the audit trail: %s", body)
				}
			}
			if e.Actor.String() != "cli:tester" {
				t.Fatalf("actor %s", e.Actor)
			}
		}
		want := "token.create,token.create,token.create,token.revoke,token.create,token.revoke,token.create"
		if got := strings.Join(actions, ","); got != want {
			t.Fatalf("actions = %s, want %s", got, want)
		}
		evB, _ := s.FindAuditEvents(b, domain.AuditFilter{ObjectType: "token"})
		if len(evB) != 1 || evB[0].TenantID != tb {
			t.Fatalf("B sees %d token events", len(evB))
		}
	})
}
