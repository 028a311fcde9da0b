package web

import (
	"net/http"
	"net/url"
	"time"

	"github.com/vigil-med/vigil/internal/domain"
)

func (s *Server) registerDashboardRoutes() {
	s.handle("GET /{$}", func(w http.ResponseWriter, r *http.Request) {
		http.Redirect(w, r, "/dashboard", http.StatusSeeOther)
	})
	s.handle("GET /dashboard", s.handleDashboard)
}

// practiceRow is one practice in the provider's overview.
type practiceRow struct {
	Tenant *domain.Tenant
	Stats  *domain.DeviceStats
}

type dashboardView struct {
	Stats        *domain.DeviceStats
	NotPatchable int
	Vulnerable   domain.VulnCounts
	Charts       []chartView
	Practices    []practiceRow // provider staff only: every practice
	Totals       domain.DeviceStats
	// StaleVendors have devices here and contacts over a year old.
	StaleVendors []*domain.Vendor
}

type chartView struct {
	Title string
	SVG   any
}

func (s *Server) handleDashboard(w http.ResponseWriter, r *http.Request) {
	ctx, p, err := s.tenantScope(r)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	today := domain.DateOf(time.Now())
	st, err := s.st.DeviceStats(ctx, today)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	list := func(q url.Values) string {
		q.Set("tenant", p.Tenant.Slug)
		return "/devices?" + q.Encode()
	}
	v := dashboardView{Stats: st, NotPatchable: st.ByPatch["not-patchable"]}
	if v.Vulnerable, err = s.st.CountVulnerable(ctx); err != nil {
		s.fail(w, r, err)
		return
	}
	vendors, err := s.st.FindVendors(ctx)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	for _, x := range vendors {
		if x.DeviceCount > 0 && x.ContactStale(time.Now()) {
			v.StaleVendors = append(v.StaleVendors, x)
		}
	}
	var cats []bar
	for _, c := range domain.Categories() {
		cats = append(cats, bar{Label: c.Label(), Value: st.ByCategory[c], Href: list(url.Values{"category": {string(c)}})})
	}
	var crit []bar
	for _, c := range domain.CriticalityInfo() {
		tone := ""
		if c.Value == "life-sustaining" {
			tone = "warn"
		}
		crit = append(crit, bar{Label: c.Label, Value: st.ByCriticality[domain.Criticality(c.Value)], Tone: tone})
	}
	crit = append(crit, bar{Label: "Not set", Value: st.ByCriticality[""]})
	var patch []bar
	for _, c := range domain.PatchabilityInfo() {
		tone := ""
		if c.Value == "not-patchable" {
			tone = "bad"
		}
		patch = append(patch, bar{Label: c.Label, Value: st.ByPatch[domain.Patchability(c.Value)], Tone: tone})
	}
	support := []bar{
		{Label: "Past end of support", Value: st.PastSupport, Tone: "bad"},
		{Label: "Ends within a year", Value: st.SupportEndingYear, Tone: "warn"},
		{Label: "Supported", Value: st.Supported},
		{Label: "Unknown", Value: st.SupportUnknown},
	}
	v.Charts = []chartView{
		{"Devices by category", barChart("Devices by category", cats)},
		{"Clinical criticality", barChart("Devices by clinical criticality", crit)},
		{"Patchability", barChart("Devices by patchability", patch)},
		{"Manufacturer support", barChart("Devices by manufacturer support status", support)},
	}
	if p.Session.User.TenantID == 0 {
		for _, t := range p.Tenants {
			ts := st // the practice shown is already counted
			if t.ID != p.Tenant.ID {
				if ts, err = s.st.DeviceStats(domain.WithTenant(r.Context(), t.ID), today); err != nil {
					s.fail(w, r, err)
					return
				}
			}
			v.Practices = append(v.Practices, practiceRow{t, ts})
			v.Totals.Total += ts.Total
			v.Totals.Unreviewed += ts.Unreviewed
			v.Totals.PastSupport += ts.PastSupport
		}
	}
	p.Title, p.Data = "Dashboard", v
	s.render(w, http.StatusOK, "dashboard", p)
}
