// Package audit verifies the hash-chained audit trail that the store
// appends to with every change.
package audit

import (
	"context"
	"fmt"

	"github.com/vigil-med/vigil/internal/domain"
	"github.com/vigil-med/vigil/internal/store"
)

// Report is the outcome of a verification.
type Report struct {
	Events  int    `json:"events"`
	OK      bool   `json:"ok"`
	BrokeAt int64  `json:"broke_at,omitempty"` // id of the first event that fails
	Reason  string `json:"reason,omitempty"`
	Head    string `json:"head,omitempty"` // hash of the last event
}

// Verify recomputes the chain from the first event: each event's hash must
// match its content, and its prev_hash must be the hash of the event before
// it. The first failure is reported: an edited event fails its own hash, a
// removed or inserted one breaks the link to its neighbour.
func Verify(ctx context.Context, st store.AuditStore) (*Report, error) {
	r := &Report{OK: true}
	prev := ""
	var prevID int64
	err := st.EachAuditEvent(ctx, func(e *domain.AuditEvent) error {
		r.Events++
		switch {
		case e.PrevHash != prev:
			r.OK, r.BrokeAt = false, e.ID
			if prevID == 0 {
				r.Reason = fmt.Sprintf("event %d is the first event but refers to a previous one: events before it were removed", e.ID)
			} else {
				r.Reason = fmt.Sprintf("event %d does not follow event %d: an event between them was removed or inserted, or event %d was altered", e.ID, prevID, prevID)
			}
			return errStop
		case e.ComputeHash() != e.Hash:
			r.OK, r.BrokeAt = false, e.ID
			r.Reason = fmt.Sprintf("event %d (%s of %s %q) was altered after it was written", e.ID, e.Action, e.ObjectType, e.Label)
			return errStop
		}
		prev, prevID = e.Hash, e.ID
		return nil
	})
	if err != nil && err != errStop {
		return nil, err
	}
	if r.OK {
		r.Head = prev
	}
	return r, nil
}

var errStop = &domain.Error{Code: domain.CodeInternal, Message: "stop"}
