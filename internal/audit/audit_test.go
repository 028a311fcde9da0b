package audit_test

import (
	"strings"
	"testing"

	"github.com/vigil-med/vigil/internal/audit"
	"github.com/vigil-med/vigil/internal/domain"
	"github.com/vigil-med/vigil/internal/store/sqlstore"
	"github.com/vigil-med/vigil/internal/vigiltest"
)

// seed makes a store with a practice, a site and three devices: 5 events.
func seed(t *testing.T) (*sqlstore.Store, int) {
	t.Helper()
	s := vigiltest.MustOpenSQLite(t)
	tn := &domain.Tenant{Name: "P"}
	if err := s.CreateTenant(vigiltest.Context(0), tn); err != nil {
		t.Fatal(err)
	}
	ctx := vigiltest.Context(tn.ID)
	if err := s.CreateSite(ctx, &domain.Site{Name: "Main"}); err != nil {
		t.Fatal(err)
	}
	for _, sn := range []string{"A", "B", "C"} {
		d := &domain.Device{Serial: sn}
		if err := s.CreateDevice(ctx, d, domain.Source{Kind: domain.SourceManual}); err != nil {
			t.Fatal(err)
		}
	}
	r, err := audit.Verify(ctx, s)
	if err != nil || !r.OK || r.Events != 5 {
		t.Fatalf("untouched chain: %+v, %v", r, err)
	}
	return s, r.Events
}

// Ensure every kind of tampering is reported at the first affected event.
func TestVerify(t *testing.T) {
	cases := []struct {
		name    string
		sql     string
		brokeAt int64
		reason  string
	}{
		{"ErrAltered", "UPDATE audit_events SET label = 'someone else' WHERE id = 3", 3, "altered after it was written"},
		{"ErrAlteredValues", `UPDATE audit_events SET after_json = replace(after_json, '"B"', '"X"') WHERE id = 4`, 4, "altered"},
		{"ErrRemoved", "DELETE FROM audit_events WHERE id = 3", 4, "removed or inserted"},
		{"ErrRemovedFirst", "DELETE FROM audit_events WHERE id = 1", 2, "first event"},
		{"ErrForgedAppend", "INSERT INTO audit_events (tenant_id, at, actor_kind, action, object_type, prev_hash, hash) " +
			"SELECT tenant_id, at, actor_kind, action, object_type, hash, 'forged' FROM audit_events WHERE id = 5", 6, "altered"},
		{"ErrForked", "INSERT INTO audit_events (tenant_id, at, actor_kind, action, object_type, prev_hash, hash) " +
			"SELECT tenant_id, at, actor_kind, action, object_type, prev_hash, hash FROM audit_events WHERE id = 5", 6, "removed or inserted"},
		{"ErrReordered", "UPDATE audit_events SET id = CASE id WHEN 2 THEN 3 WHEN 3 THEN 2 END WHERE id IN (2, 3)", 2, "removed or inserted"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			s, _ := seed(t)
			if c.name == "ErrReordered" {
				// Swap through a free id, since ids are unique.
				for _, q := range []string{"UPDATE audit_events SET id = 100 WHERE id = 2", "UPDATE audit_events SET id = 2 WHERE id = 3", "UPDATE audit_events SET id = 3 WHERE id = 100"} {
					if _, err := s.DB().Exec(q); err != nil {
						t.Fatal(err)
					}
				}
			} else if _, err := s.DB().Exec(c.sql); err != nil {
				t.Fatal(err)
			}
			r, err := audit.Verify(vigiltest.Context(0), s)
			if err != nil {
				t.Fatal(err)
			}
			if r.OK || r.BrokeAt != c.brokeAt || !strings.Contains(r.Reason, c.reason) {
				t.Fatalf("got ok=%v brokeAt=%d reason=%q, want brokeAt=%d reason containing %q", r.OK, r.BrokeAt, r.Reason, c.brokeAt, c.reason)
			}
		})
	}
}
