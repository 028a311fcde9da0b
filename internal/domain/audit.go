package domain

import (
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"strconv"
	"time"
)

// AuditEvent records one change: who, when, from where, to what, and the
// values before and after. Events form a hash chain: each carries the hash
// of the one before it, so removing, inserting or editing an event breaks
// the chain at that point.
type AuditEvent struct {
	ID         int64           `json:"id"`
	TenantID   int64           `json:"tenant_id,omitempty"` // 0 for shared objects (vendors, models, tenants)
	At         time.Time       `json:"at"`
	Actor      Actor           `json:"actor"`
	Action     string          `json:"action"` // device.create, device.update, site.delete…
	ObjectType string          `json:"object_type"`
	ObjectID   int64           `json:"object_id"`
	Label      string          `json:"label"` // the object's name at the time
	Before     json.RawMessage `json:"before,omitempty"`
	After      json.RawMessage `json:"after,omitempty"`
	PrevHash   string          `json:"prev_hash"`
	Hash       string          `json:"hash"`
}

// ComputeHash returns the event's hash over its content and PrevHash (not
// its id, which the database assigns). The
// encoding is fixed: length-prefixed fields in a fixed order, so no field
// can bleed into its neighbour.
func (e *AuditEvent) ComputeHash() string {
	h := sha256.New()
	put := func(s string) {
		h.Write([]byte(strconv.Itoa(len(s))))
		h.Write([]byte{':'})
		h.Write([]byte(s))
	}
	put(e.PrevHash)
	put(strconv.FormatInt(e.TenantID, 10))
	put(e.At.UTC().Format(time.RFC3339Nano))
	put(string(e.Actor.Kind))
	put(e.Actor.Name)
	put(e.Actor.IP)
	put(e.Actor.UserAgent)
	put(e.Action)
	put(e.ObjectType)
	put(strconv.FormatInt(e.ObjectID, 10))
	put(e.Label)
	put(string(e.Before))
	put(string(e.After))
	return hex.EncodeToString(h.Sum(nil))
}

// AuditFilter selects audit events.
type AuditFilter struct {
	ObjectType string
	ObjectID   int64
	Action     string
	Actor      string
	Since      time.Time
	Until      time.Time
	AfterID    int64 // cursor: events with a greater id
	BeforeID   int64 // cursor: events with a smaller id
	Newest     bool  // newest first (default oldest first)
	Limit      int
}
