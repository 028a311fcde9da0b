package web

import (
	"context"
	"encoding/csv"
	"encoding/json"
	"net/http"
	"net/url"
	"strconv"
	"time"

	"github.com/vigil-med/vigil/internal/audit"
	"github.com/vigil-med/vigil/internal/domain"
)

func (s *Server) registerAuditRoutes() {
	s.handle("GET /audit", s.handleAuditIndex)
	s.handle("GET /audit/export", s.handleAuditExport)
	s.handle("POST /audit/verify", s.handleAuditVerify)
}

const auditPage = 100

type auditView struct {
	Events []historyEntry
	Filter url.Values
	Older  string
	Verify *audit.Report
	Export string // query string of the current filter, for the export links
}

// auditScope scopes the request to a practice and checks the user may read
// its audit trail, then reads the filter from the query.
func (s *Server) auditScope(r *http.Request) (context.Context, page, domain.AuditFilter, error) {
	ctx, p, err := s.tenantScope(r)
	if err != nil {
		return nil, p, domain.AuditFilter{}, err
	}
	if !p.Session.User.Role.Can(domain.PermReadAudit) {
		return nil, p, domain.AuditFilter{}, domain.Errorf(domain.CodeForbidden, "your role may not read the audit trail")
	}
	q := r.URL.Query()
	f := domain.AuditFilter{Actor: q.Get("actor"), Action: q.Get("action"), ObjectType: q.Get("type"), Newest: true}
	if v := q.Get("device"); v != "" {
		f.ObjectType = "device"
		if f.ObjectID, err = strconv.ParseInt(v, 10, 64); err != nil {
			return nil, p, f, domain.Errorf(domain.CodeInvalid, "device %q is not a device id", v)
		}
	}
	for name, dst := range map[string]*time.Time{"since": &f.Since, "until": &f.Until} {
		if v := q.Get(name); v != "" {
			d, err := domain.ParseDate(v, domain.MonthFirst)
			if err != nil {
				return nil, p, f, domain.Errorf(domain.CodeInvalid, "%s: %s", name, domain.ErrorMessage(err))
			}
			*dst = d.Time()
			if name == "until" {
				*dst = dst.AddDate(0, 0, 1) // until the end of that day
			}
		}
	}
	return ctx, p, f, nil
}

func (s *Server) handleAuditIndex(w http.ResponseWriter, r *http.Request) {
	ctx, p, f, err := s.auditScope(r)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	f.BeforeID, _ = strconv.ParseInt(r.URL.Query().Get("before"), 10, 64)
	f.Limit = auditPage
	events, err := s.st.FindAuditEvents(ctx, f)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	v := auditView{Filter: r.URL.Query()}
	for _, e := range events {
		v.Events = append(v.Events, historyOf(e))
	}
	if len(events) == auditPage {
		q := r.URL.Query()
		q.Set("before", strconv.FormatInt(events[len(events)-1].ID, 10))
		v.Older = "/audit?" + q.Encode()
	}
	q := r.URL.Query()
	q.Del("before")
	v.Export = q.Encode()
	p.Title, p.Data = "Audit trail", v
	s.render(w, http.StatusOK, "audit", p)
}

// handleAuditExport streams every event the filter selects, oldest first,
// as CSV or JSON.
func (s *Server) handleAuditExport(w http.ResponseWriter, r *http.Request) {
	ctx, p, f, err := s.auditScope(r)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	format := r.URL.Query().Get("format")
	if format != "csv" && format != "json" {
		s.fail(w, r, domain.Errorf(domain.CodeInvalid, "format %q: use csv or json", format))
		return
	}
	f.Newest, f.Limit = false, 1000
	name := "vigil-audit-" + p.Tenant.Slug + "-" + time.Now().UTC().Format("20060102") + "." + format
	w.Header().Set("Content-Disposition", `attachment; filename="`+name+`"`)
	var cw *csv.Writer
	if format == "csv" {
		w.Header().Set("Content-Type", "text/csv; charset=utf-8")
		cw = csv.NewWriter(w)
		cw.Write([]string{"id", "at", "actor", "ip", "user_agent", "action", "object_type", "object_id", "label", "before", "after", "prev_hash", "hash"})
	} else {
		w.Header().Set("Content-Type", "application/json")
		w.Write([]byte("[\n"))
	}
	first := true
	for {
		events, err := s.st.FindAuditEvents(ctx, f)
		if err != nil {
			s.log.Error("audit export", "err", err)
			return // the response has started; the truncated file shows it
		}
		for _, e := range events {
			if cw != nil {
				cw.Write([]string{strconv.FormatInt(e.ID, 10), e.At.Format(time.RFC3339Nano), e.Actor.String(), e.Actor.IP, e.Actor.UserAgent,
					e.Action, e.ObjectType, strconv.FormatInt(e.ObjectID, 10), e.Label, string(e.Before), string(e.After), e.PrevHash, e.Hash})
				continue
			}
			b, _ := json.Marshal(e)
			if !first {
				w.Write([]byte(",\n"))
			}
			first = false
			w.Write(b)
		}
		if len(events) < f.Limit {
			break
		}
		f.AfterID = events[len(events)-1].ID
	}
	if cw != nil {
		cw.Flush()
	} else {
		w.Write([]byte("\n]\n"))
	}
}

func (s *Server) handleAuditVerify(w http.ResponseWriter, r *http.Request) {
	ctx, p, f, err := s.auditScope(r)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	rep, err := audit.Verify(ctx, s.st)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	f.Limit = auditPage
	events, err := s.st.FindAuditEvents(ctx, f)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	v := auditView{Verify: rep, Filter: url.Values{}}
	for _, e := range events {
		v.Events = append(v.Events, historyOf(e))
	}
	p.Title, p.Data = "Audit trail", v
	s.render(w, http.StatusOK, "audit", p)
}
