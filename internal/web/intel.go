package web

import (
	"net/http"
	"strconv"
	"strings"

	"github.com/vigil-med/vigil/internal/domain"
)

func (s *Server) registerIntelRoutes() {
	s.handle("GET /advisories", s.handleAdvisoryIndex)
	s.handle("GET /advisories/{id}", s.handleAdvisoryView)
	s.handle("GET /vulnerabilities", s.handleVulnIndex)
	s.handle("POST /devices/{id}/vulnerabilities", s.handleVulnDecide)
}

// vulnTable is what the shared vulnerability table shows.
type vulnTable struct {
	Rows       []*domain.VulnView
	Tenant     string
	CSRF       string
	CanEdit    bool
	ShowDevice bool
	Back       string // where a decision returns to
}

type advisoriesView struct {
	Advisories []*domain.AdvisorySummary
	Affecting  int
}

func (s *Server) handleAdvisoryIndex(w http.ResponseWriter, r *http.Request) {
	ctx, p, err := s.tenantScope(r)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	all, err := s.st.FindAdvisories(ctx)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	v := advisoriesView{}
	only := r.URL.Query().Get("all") == ""
	for _, a := range all {
		if a.Affected+a.Possibly > 0 {
			v.Affecting++
		} else if only {
			continue
		}
		v.Advisories = append(v.Advisories, a)
	}
	p.Title, p.Data = "Advisories", v
	s.render(w, http.StatusOK, "advisories", p)
}

type advisoryView struct {
	Advisory  *domain.Advisory
	Revisions []domain.AdvisoryRevision
	Summary   []domain.Note
	Table     vulnTable
	Flagged   int
}

func (s *Server) handleAdvisoryView(w http.ResponseWriter, r *http.Request) {
	ctx, p, err := s.tenantScope(r)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	a, revs, err := s.st.FindAdvisory(ctx, r.PathValue("id"))
	if err != nil {
		s.fail(w, r, err)
		return
	}
	rows, err := s.st.FindVulnerabilities(ctx, domain.VulnFilter{AdvisoryID: a.ID})
	if err != nil {
		s.fail(w, r, err)
		return
	}
	v := advisoryView{Advisory: a, Revisions: revs, Table: s.vulnTable(p, rows, true, "/advisories/"+a.ID)}
	seen := map[int64]bool{}
	for _, x := range rows {
		if (x.Matched == domain.VulnAffected || x.Matched == domain.VulnPossiblyAffected) && !seen[x.DeviceID] {
			seen[x.DeviceID] = true
			v.Flagged++
		}
	}
	for _, n := range a.Notes {
		if n.Category == "summary" || n.Category == "description" || n.Category == "general" {
			v.Summary = append(v.Summary, n)
		}
	}
	p.Title, p.Data = a.ID, v
	s.render(w, http.StatusOK, "advisory", p)
}

func (s *Server) vulnTable(p page, rows []*domain.VulnView, showDevice bool, back string) vulnTable {
	t := vulnTable{Rows: rows, CanEdit: p.Session.User.Role.Can(domain.PermEditInventory), ShowDevice: showDevice, Back: back, CSRF: p.Session.CSRFToken}
	if p.Tenant != nil {
		t.Tenant = p.Tenant.Slug
	}
	return t
}

type vulnsView struct {
	Table    vulnTable
	Status   string
	KEV      bool
	Statuses []domain.VulnStatus
}

func (s *Server) handleVulnIndex(w http.ResponseWriter, r *http.Request) {
	ctx, p, err := s.tenantScope(r)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	q := r.URL.Query()
	f := domain.VulnFilter{KEV: q.Get("kev") != "", Limit: 2000}
	status := q.Get("status")
	switch status {
	case "":
		f.Statuses = []domain.VulnStatus{domain.VulnAffected, domain.VulnPossiblyAffected}
	case "all":
	default:
		f.Statuses = []domain.VulnStatus{domain.VulnStatus(status)}
	}
	rows, err := s.st.FindVulnerabilities(ctx, f)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	v := vulnsView{Table: s.vulnTable(p, rows, true, "/vulnerabilities"), Status: status, KEV: f.KEV,
		Statuses: []domain.VulnStatus{domain.VulnAffected, domain.VulnPossiblyAffected, domain.VulnNotAffected, domain.VulnFixed, domain.VulnMitigated, domain.VulnRiskAccepted}}
	p.Title, p.Data = "Vulnerabilities", v
	s.render(w, http.StatusOK, "vulns", p)
}

// handleVulnDecide records a person's decision from the table's form and
// returns to the page it came from.
func (s *Server) handleVulnDecide(w http.ResponseWriter, r *http.Request) {
	ctx, p, err := s.tenantScope(r)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	if !p.Session.User.Role.Can(domain.PermEditInventory) {
		s.fail(w, r, domain.Errorf(domain.CodeForbidden, "your role may not record decisions"))
		return
	}
	id, err := strconv.ParseInt(r.PathValue("id"), 10, 64)
	if err != nil {
		s.fail(w, r, domain.Errorf(domain.CodeNotFound, "no device %q", r.PathValue("id")))
		return
	}
	d := domain.VulnDecision{DeviceID: id, AdvisoryID: r.FormValue("advisory_id"), CVE: r.FormValue("cve"), Status: domain.VulnStatus(r.FormValue("status")), Reason: strings.TrimSpace(r.FormValue("reason"))}
	if u := r.FormValue("until"); u != "" {
		if d.Until, err = domain.ParseDate(u, domain.MonthFirst); err != nil {
			s.fail(w, r, err)
			return
		}
	}
	if _, err := s.st.DecideVulnerability(ctx, d); err != nil {
		s.fail(w, r, err)
		return
	}
	back := r.FormValue("back")
	if !strings.HasPrefix(back, "/") || strings.HasPrefix(back, "//") {
		back = "/devices/" + strconv.FormatInt(id, 10)
	}
	sep := "?"
	if strings.Contains(back, "?") {
		sep = "&"
	}
	http.Redirect(w, r, back+sep+"tenant="+p.Tenant.Slug, http.StatusSeeOther)
}
