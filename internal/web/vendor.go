package web

import (
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/vigil-med/vigil/internal/domain"
)

func (s *Server) registerVendorRoutes() {
	s.handle("GET /vendors", s.handleVendorIndex)
	s.handle("GET /vendors/{id}", s.handleVendorView)
	s.handle("POST /vendors/{id}", s.handleVendorUpdate)
	s.handle("GET /sites", s.handleSiteIndex)
	s.handle("POST /sites", s.handleSiteCreate)
}

type vendorRow struct {
	*domain.Vendor
	Stale bool
}

type vendorView struct {
	Vendors []vendorRow
	Vendor  *vendorRow
	Models  []*domain.Model
	CanEdit bool
	Error   string
	Saved   bool
}

func (s *Server) handleVendorIndex(w http.ResponseWriter, r *http.Request) {
	ctx, p, err := s.tenantScope(r)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	all, err := s.st.FindVendors(ctx)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	v := vendorView{}
	now := time.Now()
	for _, x := range all {
		if x.DeviceCount > 0 || r.URL.Query().Get("all") != "" {
			v.Vendors = append(v.Vendors, vendorRow{x, x.ContactStale(now)})
		}
	}
	p.Title, p.Data = "Vendors", v
	s.render(w, http.StatusOK, "vendors", p)
}

func (s *Server) vendorPage(w http.ResponseWriter, r *http.Request, status int, v vendorView) {
	ctx, p, err := s.tenantScope(r)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	x, err := s.st.FindVendor(ctx, r.PathValue("id"))
	if err != nil {
		s.fail(w, r, err)
		return
	}
	if v.Models, err = s.st.FindModels(ctx, x.ID); err != nil {
		s.fail(w, r, err)
		return
	}
	v.Vendor = &vendorRow{x, x.ContactStale(time.Now())}
	v.CanEdit = p.Session.User.Role.Can(domain.PermManageVendors)
	p.Title, p.Data = x.Name, v
	s.render(w, status, "vendor", p)
}

func (s *Server) handleVendorView(w http.ResponseWriter, r *http.Request) {
	s.vendorPage(w, r, http.StatusOK, vendorView{})
}

// handleVendorUpdate saves a vendor's security contacts; vendors are
// shared by every practice, so only provider administrators change them.
func (s *Server) handleVendorUpdate(w http.ResponseWriter, r *http.Request) {
	ctx, p, err := s.tenantScope(r)
	if err == nil && !p.Session.User.Role.Can(domain.PermManageVendors) {
		err = domain.Errorf(domain.CodeForbidden, "only provider administrators change vendors")
	}
	if err != nil {
		s.fail(w, r, err)
		return
	}
	x, err := s.st.FindVendor(ctx, r.PathValue("id"))
	if err != nil {
		s.fail(w, r, err)
		return
	}
	x.Website, x.PSIRTEmail, x.PSIRTURL = strings.TrimSpace(r.PostFormValue("website")), strings.TrimSpace(r.PostFormValue("psirt_email")), strings.TrimSpace(r.PostFormValue("psirt_url"))
	x.SecurityContact, x.Notes = strings.TrimSpace(r.PostFormValue("contact")), strings.TrimSpace(r.PostFormValue("notes"))
	x.AccountManager, x.SupportContract = strings.TrimSpace(r.PostFormValue("account_manager")), strings.TrimSpace(r.PostFormValue("contract"))
	x.AdvisoryFeedURL = strings.TrimSpace(r.PostFormValue("advisory_feed"))
	v := vendorView{}
	if x.SupportContractEnd, err = domain.ParseDate(r.PostFormValue("contract_end"), domain.MonthFirst); err != nil {
		v.Error = "Contract end: " + domain.ErrorMessage(err)
	}
	if r.PostFormValue("verified_today") != "" {
		x.ContactVerified = domain.DateOf(time.Now())
	} else if x.ContactVerified, err = domain.ParseDate(r.PostFormValue("verified"), domain.MonthFirst); err != nil {
		v.Error = "Contacts verified: " + domain.ErrorMessage(err)
	}
	if v.Error == "" {
		if err := s.st.UpdateVendor(ctx, x); err != nil {
			if domain.ErrorCode(err) != domain.CodeInvalid {
				s.fail(w, r, err)
				return
			}
			v.Error = domain.ErrorMessage(err)
		}
	}
	if v.Error != "" {
		s.vendorPage(w, r, http.StatusUnprocessableEntity, v)
		return
	}
	http.Redirect(w, r, "/vendors/"+strconv.FormatInt(x.ID, 10)+"?tenant="+p.Tenant.Slug, http.StatusSeeOther)
}

type siteView struct {
	Sites   []*domain.Site
	Counts  map[int64]int
	CanEdit bool
	Error   string
}

func (s *Server) siteView(r *http.Request, v *siteView) (page, error) {
	ctx, p, err := s.tenantScope(r)
	if err != nil {
		return p, err
	}
	if v.Sites, err = s.st.FindSites(ctx); err != nil {
		return p, err
	}
	v.Counts = map[int64]int{}
	for _, x := range v.Sites {
		_, n, err := s.st.FindDevices(ctx, domain.DeviceFilter{SiteID: x.ID, Limit: 1})
		if err != nil {
			return p, err
		}
		v.Counts[x.ID] = n
	}
	v.CanEdit = p.Session.User.Role.Can(domain.PermManageSites)
	p.Title, p.Data = "Sites", v
	return p, nil
}

func (s *Server) handleSiteIndex(w http.ResponseWriter, r *http.Request) {
	v := &siteView{}
	p, err := s.siteView(r, v)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	s.render(w, http.StatusOK, "sites", p)
}

func (s *Server) handleSiteCreate(w http.ResponseWriter, r *http.Request) {
	ctx, p, err := s.tenantScope(r)
	if err == nil && !p.Session.User.Role.Can(domain.PermManageSites) {
		err = domain.Errorf(domain.CodeForbidden, "only administrators add sites")
	}
	if err != nil {
		s.fail(w, r, err)
		return
	}
	x := &domain.Site{Name: r.PostFormValue("name"), Address: r.PostFormValue("address"), TimeZone: r.PostFormValue("timezone")}
	if err := s.st.CreateSite(ctx, x); err != nil {
		if c := domain.ErrorCode(err); c != domain.CodeInvalid && c != domain.CodeConflict {
			s.fail(w, r, err)
			return
		}
		v := &siteView{Error: domain.ErrorMessage(err)}
		p, ferr := s.siteView(r, v)
		if ferr != nil {
			s.fail(w, r, ferr)
			return
		}
		s.render(w, http.StatusUnprocessableEntity, "sites", p)
		return
	}
	http.Redirect(w, r, "/sites?tenant="+p.Tenant.Slug, http.StatusSeeOther)
}
