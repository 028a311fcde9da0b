package sqlstore

import (
	"context"
	"strings"

	"github.com/vigil-med/vigil/internal/domain"
)

const auditSelect = "SELECT id, tenant_id, at, actor_kind, actor_name, actor_ip, user_agent, action, object_type, object_id, label, before_json, after_json, prev_hash, hash FROM audit_events"

func scanAudit(sc interface{ Scan(...any) error }) (*domain.AuditEvent, error) {
	var e domain.AuditEvent
	var at, kind, before, after string
	if err := sc.Scan(&e.ID, &e.TenantID, &at, &kind, &e.Actor.Name, &e.Actor.IP, &e.Actor.UserAgent, &e.Action, &e.ObjectType,
		&e.ObjectID, &e.Label, &before, &after, &e.PrevHash, &e.Hash); err != nil {
		return nil, err
	}
	e.At, e.Actor.Kind = parseTime(at), domain.ActorKind(kind)
	if before != "" {
		e.Before = []byte(before)
	}
	if after != "" {
		e.After = []byte(after)
	}
	return &e, nil
}

// FindAuditEvents returns the tenant's events matching f, oldest first.
// Without a tenant on the context it returns every tenant's events; callers
// above the store decide who may do that.
func (s *Store) FindAuditEvents(ctx context.Context, f domain.AuditFilter) ([]*domain.AuditEvent, error) {
	where := []string{"1 = 1"}
	var args []any
	if tid, ok := domain.TenantFrom(ctx); ok {
		where, args = append(where, "tenant_id = ?"), append(args, tid)
	}
	if f.ObjectType != "" {
		where, args = append(where, "object_type = ?"), append(args, f.ObjectType)
	}
	if f.ObjectID != 0 {
		where, args = append(where, "object_id = ?"), append(args, f.ObjectID)
	}
	if f.Action != "" {
		where, args = append(where, "action = ?"), append(args, f.Action)
	}
	if f.Actor != "" {
		where, args = append(where, "actor_name = ?"), append(args, f.Actor)
	}
	if !f.Since.IsZero() {
		where, args = append(where, "at >= ?"), append(args, fmtTime(f.Since))
	}
	if !f.Until.IsZero() {
		where, args = append(where, "at < ?"), append(args, fmtTime(f.Until))
	}
	if f.AfterID > 0 {
		where, args = append(where, "id > ?"), append(args, f.AfterID)
	}
	if f.BeforeID > 0 {
		where, args = append(where, "id < ?"), append(args, f.BeforeID)
	}
	order := " ORDER BY id"
	if f.Newest {
		order = " ORDER BY id DESC"
	}
	q := auditSelect + " WHERE " + strings.Join(where, " AND ") + order
	if f.Limit > 0 {
		q += " LIMIT ?"
		args = append(args, f.Limit)
	}
	rows, err := s.query(ctx, q, args...)
	if err != nil {
		return nil, domain.Internal(err, "cannot read the audit trail")
	}
	defer rows.Close()
	var out []*domain.AuditEvent
	for rows.Next() {
		e, err := scanAudit(rows)
		if err != nil {
			return nil, domain.Internal(err, "cannot read the audit trail")
		}
		out = append(out, e)
	}
	return out, rows.Err()
}

// EachAuditEvent streams every event in chain order.
func (s *Store) EachAuditEvent(ctx context.Context, fn func(*domain.AuditEvent) error) error {
	rows, err := s.query(ctx, auditSelect+" ORDER BY id")
	if err != nil {
		return domain.Internal(err, "cannot read the audit trail")
	}
	defer rows.Close()
	for rows.Next() {
		e, err := scanAudit(rows)
		if err != nil {
			return domain.Internal(err, "cannot read the audit trail")
		}
		if err := fn(e); err != nil {
			return err
		}
	}
	return rows.Err()
}
