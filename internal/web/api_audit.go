package web

import (
	"net/http"
	"strconv"
	"time"

	"github.com/vigil-med/vigil/internal/audit"
	"github.com/vigil-med/vigil/internal/domain"
)

// auditCursor is the position after the last event of a page.
type auditCursor struct {
	AfterID int64 `json:"a"`
}

// parseInstant reads an RFC 3339 time, or a date (midnight UTC).
func parseInstant(s string) (time.Time, bool) {
	if t, err := time.Parse(time.RFC3339Nano, s); err == nil {
		return t, true
	}
	t, err := time.Parse(time.DateOnly, s)
	return t, err == nil
}

// handleAPIAuditIndex lists audit events oldest first: the practice's, or
// with no practice chosen (provider-wide credentials) every event.
func (s *Server) handleAPIAuditIndex(w http.ResponseWriter, c *apiCall) error {
	q := c.r.URL.Query()
	f := domain.AuditFilter{ObjectType: q.Get("object_type"), Action: q.Get("action"), Actor: q.Get("actor")}
	var problems []domain.Problem
	if v := q.Get("object_id"); v != "" {
		id, err := strconv.ParseInt(v, 10, 64)
		if err != nil || id <= 0 {
			problems = append(problems, queryProblem("object_id", "not an object id"))
		}
		f.ObjectID = id
	}
	for name, dst := range map[string]*time.Time{"since": &f.Since, "until": &f.Until} {
		if v := q.Get(name); v != "" {
			t, ok := parseInstant(v)
			if !ok {
				problems = append(problems, queryProblem(name, "not a time: use RFC 3339 (2026-03-01T12:00:00Z) or a date (2026-03-01)"))
			}
			*dst = t
		}
	}
	limit, err := pageLimit(c)
	if err != nil {
		problems = append(problems, domain.ErrorProblems(err)...)
	}
	if v := q.Get("cursor"); v != "" {
		k, ok := decodeCursor[auditCursor](v)
		if !ok || k.AfterID <= 0 {
			problems = append(problems, queryProblem("cursor", "not a cursor this listing gave out; start again without it"))
		}
		f.AfterID = k.AfterID
	}
	if err := invalid(problems); err != nil {
		return err
	}
	f.Limit = limit + 1
	events, err := s.st.FindAuditEvents(c.ctx, f)
	if err != nil {
		return err
	}
	var p apiPage
	if len(events) > limit {
		events = events[:limit]
		next := encodeCursor(auditCursor{AfterID: events[limit-1].ID})
		p.NextCursor = &next
	}
	p.Items = nonNil(events)
	return writeJSON(w, http.StatusOK, p)
}

// apiAuditReport is the outcome of a verification; see audit.Report.
type apiAuditReport struct {
	OK      bool   `json:"ok"`
	Events  *int   `json:"events,omitempty"`
	Head    string `json:"head,omitempty"`
	BrokeAt int64  `json:"broke_at,omitempty"`
	Reason  string `json:"reason,omitempty"`
}

// handleAPIAuditVerify recomputes the hash chain. The chain spans every
// practice, so a practice's credential learns only whether it is intact;
// the count, the head hash and the broken event are for provider-wide ones.
func (s *Server) handleAPIAuditVerify(w http.ResponseWriter, c *apiCall) error {
	r, err := audit.Verify(c.ctx, s.st)
	if err != nil {
		return err
	}
	out := apiAuditReport{OK: r.OK}
	if c.caller.tenantID == 0 {
		out.Events, out.Head, out.BrokeAt, out.Reason = intPtr(r.Events), r.Head, r.BrokeAt, r.Reason
	}
	return writeJSON(w, http.StatusOK, out)
}
