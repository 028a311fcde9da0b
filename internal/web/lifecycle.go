package web

import (
	"bytes"
	"context"
	"fmt"
	"html/template"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/vigil-med/vigil/internal/domain"
	"github.com/vigil-med/vigil/internal/lifecycle"
)

// The lifecycle pages are registered here, beside their routes.
func init() {
	pages = append(pages, "lifecycle", "patches", "patch", "windows", "plan", "scorecard", "notify")
}

func (s *Server) registerLifecycleRoutes() {
	s.handle("GET /lifecycle", s.handleForecast)
	s.handle("GET /lifecycle/budget.csv", s.handleBudgetExport)
	s.handle("GET /lifecycle/budget.xlsx", s.handleBudgetExport)
	s.handle("GET /lifecycle/plan", s.handlePlan)
	s.handle("GET /patches", s.handlePatchIndex)
	s.handle("POST /patches/releases", s.handleReleaseCreate)
	s.handle("GET /patches/{id}", s.handlePatchView)
	s.handle("POST /patches/{id}", s.handlePatchMove)
	s.handle("GET /patches/{id}/evidence", s.handlePatchEvidence)
	s.handle("GET /windows", s.handleWindowIndex)
	s.handle("POST /windows", s.handleWindowCreate)
	s.handle("POST /windows/{id}/delete", s.handleWindowDelete)
	s.handle("GET /vendor-scorecard", s.handleScorecard)
	s.handle("GET /vendors/{id}/notify", s.handleNotify)
	s.handle("POST /devices/{id}/replacement-cost", s.handleDeviceCostUpdate)
}

// handleDeviceCostUpdate sets or clears (the "clear" button) one device's
// own replacement cost from the device page; a bad amount comes back to
// the page with the message beside the field.
func (s *Server) handleDeviceCostUpdate(w http.ResponseWriter, r *http.Request) {
	_, p, err := s.requirePerm(r, domain.PermEditInventory, "change replacement costs")
	if err != nil {
		s.fail(w, r, err)
		return
	}
	cp, d, err := s.scopedDevice(r)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	cents := int64(-1)
	if r.PostFormValue("clear") == "" {
		amount := strings.TrimSpace(r.PostFormValue("amount"))
		if amount == "" {
			s.devicePage(w, r, http.StatusUnprocessableEntity, costForm{Error: "Enter an amount, or use the model's cost."})
			return
		}
		if cents, err = domain.ParseCents(amount); err != nil {
			s.devicePage(w, r, http.StatusUnprocessableEntity, costForm{Amount: amount, Error: domain.ErrorMessage(err) + " (write it as 12,500.00)"})
			return
		}
	}
	if err := s.st.SetDeviceReplacementCost(cp.ctx, d.ID, cents); err != nil {
		s.fail(w, r, err)
		return
	}
	http.Redirect(w, r, fmt.Sprintf("/devices/%d?tenant=%s#replacement", d.ID, p.Tenant.Slug), http.StatusSeeOther)
}

type forecastView struct {
	Horizon lifecycle.Horizon
	Budget  *lifecycle.Budget
	Chart   template.HTML
	Alerts  []lifecycle.Alert
	By      string
	Years   int
	Dims    []string
	Query   string // the budget's query string, for the export links
}

// budgetParams reads ?by= and ?years= for the forecast and its exports.
func budgetParams(r *http.Request) (lifecycle.Dimension, int, error) {
	by, err := lifecycle.ParseDimension(r.URL.Query().Get("by"))
	if err != nil {
		return "", 0, err
	}
	years := 5
	if y := r.URL.Query().Get("years"); y != "" {
		if years, err = strconv.Atoi(y); err != nil || years < 1 || years > 30 {
			return "", 0, domain.Errorf(domain.CodeInvalid, "years must be a number from 1 to 30")
		}
	}
	return by, years, nil
}

func (s *Server) loadBudget(ctx context.Context, r *http.Request) ([]lifecycle.Due, *lifecycle.Budget, error) {
	by, years, err := budgetParams(r)
	if err != nil {
		return nil, nil, err
	}
	items, err := (&lifecycle.Service{Store: s.st}).Load(ctx)
	if err != nil {
		return nil, nil, err
	}
	b := lifecycle.MakeBudget(items, lifecycle.BudgetOptions{FromYear: time.Now().Year(), Years: years, By: by})
	return items, b, nil
}

func (s *Server) handleForecast(w http.ResponseWriter, r *http.Request) {
	ctx, p, err := s.tenantScope(r)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	items, b, err := s.loadBudget(ctx, r)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	today := domain.DateOf(time.Now())
	v := forecastView{Horizon: lifecycle.EndOfSupport(items, today), Budget: b, Alerts: lifecycle.Alerts(items, today, 180),
		By: string(b.By), Years: len(b.Years), Dims: []string{"year", "site", "department", "category"}}
	var bars []bar
	for i, y := range b.Years {
		bars = append(bars, bar{Label: fmt.Sprintf("%d (%d devices)", y, b.YearDevices[i]), Value: int(b.YearTotals[i] / 100)})
	}
	v.Chart = barChart("Replacement budget by year, whole "+b.Currency, bars)
	v.Query = url.Values{"tenant": {p.Tenant.Slug}, "by": {v.By}, "years": {strconv.Itoa(v.Years)}}.Encode()
	p.Title, p.Data = "Lifecycle and replacement budget", v
	s.render(w, http.StatusOK, "lifecycle", p)
}

func (s *Server) handleBudgetExport(w http.ResponseWriter, r *http.Request) {
	ctx, p, err := s.tenantScope(r)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	items, b, err := s.loadBudget(ctx, r)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	var buf bytes.Buffer
	name := p.Tenant.Slug + "-replacement-budget"
	if strings.HasSuffix(r.URL.Path, ".xlsx") {
		err = lifecycle.WriteBudgetXLSX(&buf, b, items)
		name += ".xlsx"
		w.Header().Set("Content-Type", "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")
	} else {
		err = lifecycle.WriteBudgetCSV(&buf, b)
		name += ".csv"
		w.Header().Set("Content-Type", "text/csv; charset=utf-8")
	}
	if err != nil {
		s.fail(w, r, err)
		return
	}
	w.Header().Set("Content-Disposition", `attachment; filename="`+name+`"`)
	w.Write(buf.Bytes())
}

func (s *Server) handlePlan(w http.ResponseWriter, r *http.Request) {
	ctx, p, err := s.tenantScope(r)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	plan, err := (&lifecycle.Service{Store: s.st, Advisories: &lifecycle.IntelAdvisories{Store: s.st}}).BuildPlan(ctx, p.Tenant.Name, time.Now(), 5)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	var buf bytes.Buffer
	if err := lifecycle.RenderPlanBody(&buf, plan); err != nil {
		s.fail(w, r, domain.Internal(err, "cannot render the plan"))
		return
	}
	p.Title, p.Data = "Maintenance and monitoring plan", template.HTML(buf.String()) // escaped by the plan's own template
	s.render(w, http.StatusOK, "plan", p)
}

type patchesView struct {
	Items    []*domain.PatchItem
	Releases []*domain.FirmwareRelease
	Models   []*domain.Model
	Latency  []lifecycle.Latency
	Behind   []lifecycle.Behind
	State    string
	States   []domain.PatchState
	CanEdit  bool
	Error    string
}

func (s *Server) patchesPage(w http.ResponseWriter, r *http.Request, status int, v patchesView) {
	ctx, p, err := s.tenantScope(r)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	v.State, v.States = r.URL.Query().Get("state"), domain.PatchStates()
	f := domain.PatchFilter{State: domain.PatchState(v.State)}
	if v.State == "" {
		f.Open = true
	}
	if v.Items, err = s.st.FindPatchItems(ctx, f); err != nil {
		s.fail(w, r, err)
		return
	}
	all, err := s.st.FindPatchItems(ctx, domain.PatchFilter{})
	if err != nil {
		s.fail(w, r, err)
		return
	}
	if v.Releases, err = s.st.FindFirmwareReleases(ctx, 0); err != nil {
		s.fail(w, r, err)
		return
	}
	models, err := s.st.FindModels(ctx, 0)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	for _, m := range models {
		if m.DeviceCount > 0 {
			v.Models = append(v.Models, m)
		}
	}
	v.Latency, v.Behind = lifecycle.PatchLatency(all, lifecycle.ByVendor), lifecycle.BehindLatest(v.Releases, all)
	v.CanEdit = p.Session.User.Role.Can(domain.PermEditInventory)
	p.Title, p.Data = "Updates", v
	s.render(w, status, "patches", p)
}

func (s *Server) handlePatchIndex(w http.ResponseWriter, r *http.Request) {
	s.patchesPage(w, r, http.StatusOK, patchesView{})
}

// requirePerm scopes the request and checks the role grants perm.
func (s *Server) requirePerm(r *http.Request, perm domain.Permission, what string) (context.Context, page, error) {
	ctx, p, err := s.tenantScope(r)
	if err == nil && !p.Session.User.Role.Can(perm) {
		err = domain.Errorf(domain.CodeForbidden, "your role may not %s", what)
	}
	return ctx, p, err
}

func (s *Server) handleReleaseCreate(w http.ResponseWriter, r *http.Request) {
	ctx, p, err := s.requirePerm(r, domain.PermEditInventory, "record releases")
	if err != nil {
		s.fail(w, r, err)
		return
	}
	rel := &domain.FirmwareRelease{Version: r.PostFormValue("version"), Notes: strings.TrimSpace(r.PostFormValue("notes"))}
	rel.ModelID, _ = strconv.ParseInt(r.PostFormValue("model"), 10, 64)
	if rel.ModelID == 0 {
		err = domain.Errorf(domain.CodeInvalid, "choose the model the release is for")
	} else {
		rel.ReleasedOn, err = domain.ParseDate(r.PostFormValue("released"), domain.MonthFirst)
	}
	if err == nil {
		err = s.st.CreateFirmwareRelease(ctx, rel)
	}
	if err != nil {
		if c := domain.ErrorCode(err); c != domain.CodeInvalid && c != domain.CodeConflict {
			s.fail(w, r, err)
			return
		}
		s.patchesPage(w, r, http.StatusUnprocessableEntity, patchesView{Error: domain.ErrorMessage(err)})
		return
	}
	http.Redirect(w, r, "/patches?tenant="+p.Tenant.Slug, http.StatusSeeOther)
}

type patchView struct {
	Item        *domain.PatchItem
	History     []*domain.AuditEvent
	Windows     []*domain.MaintenanceWindow
	Zone        string
	NextWindow  string
	CanEdit     bool
	CanOverride bool
	Error       string
}

// itemZone is the time zone in which the item's scheduling form is read:
// that of its site's first maintenance window, else UTC.
func itemZone(ws []*domain.MaintenanceWindow, it *domain.PatchItem) (*time.Location, []*domain.MaintenanceWindow) {
	loc := time.UTC
	var mine []*domain.MaintenanceWindow
	for _, w := range ws {
		if w.Site == it.Site && (w.Department == "" || strings.EqualFold(w.Department, it.Department)) {
			mine = append(mine, w)
			if len(mine) == 1 {
				if l, err := time.LoadLocation(w.TimeZone); err == nil {
					loc = l
				}
			}
		}
	}
	return loc, mine
}

func (s *Server) patchPage(w http.ResponseWriter, r *http.Request, status int, v patchView) {
	ctx, p, err := s.tenantScope(r)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	id, _ := strconv.ParseInt(r.PathValue("id"), 10, 64)
	if v.Item, err = s.st.FindPatchItem(ctx, id); err != nil {
		s.fail(w, r, err)
		return
	}
	if v.History, err = s.st.FindAuditEvents(ctx, domain.AuditFilter{ObjectType: "patch", ObjectID: id}); err != nil {
		s.fail(w, r, err)
		return
	}
	ws, err := s.st.FindMaintenanceWindows(ctx)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	loc, mine := itemZone(ws, v.Item)
	v.Windows, v.Zone = mine, loc.String()
	for _, x := range mine {
		if n, ok := x.Next(time.Now()); ok && (v.NextWindow == "" || n.In(loc).Format("2006-01-02T15:04") < v.NextWindow) {
			v.NextWindow = n.In(loc).Format("2006-01-02T15:04")
		}
	}
	v.CanEdit = p.Session.User.Role.Can(domain.PermEditInventory)
	v.CanOverride = p.Session.User.Role.Can(domain.PermOverridePatch)
	p.Title, p.Data = fmt.Sprintf("Work item %d", id), v
	s.render(w, status, "patch", p)
}

func (s *Server) handlePatchView(w http.ResponseWriter, r *http.Request) {
	s.patchPage(w, r, http.StatusOK, patchView{})
}

// handlePatchMove applies one workflow step from the item page's forms.
func (s *Server) handlePatchMove(w http.ResponseWriter, r *http.Request) {
	ctx, p, err := s.requirePerm(r, domain.PermEditInventory, "move update work items")
	if err != nil {
		s.fail(w, r, err)
		return
	}
	id, _ := strconv.ParseInt(r.PathValue("id"), 10, 64)
	it, err := s.st.FindPatchItem(ctx, id)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	c := domain.PatchChange{To: domain.PatchState(r.PostFormValue("to")), Evidence: r.PostFormValue("evidence"),
		Override: r.PostFormValue("override") != "", Reason: r.PostFormValue("reason")}
	if c.File, err = evidenceUpload(r); err != nil {
		s.patchPage(w, r, http.StatusUnprocessableEntity, patchView{Error: domain.ErrorMessage(err)})
		return
	}
	if c.Override && !p.Session.User.Role.Can(domain.PermOverridePatch) {
		s.fail(w, r, domain.Errorf(domain.CodeForbidden, "only practice or provider administrators may override the update workflow"))
		return
	}
	if at := r.PostFormValue("at"); at != "" {
		ws, err := s.st.FindMaintenanceWindows(ctx)
		if err != nil {
			s.fail(w, r, err)
			return
		}
		loc, _ := itemZone(ws, it)
		if c.At, err = time.ParseInLocation("2006-01-02T15:04", at, loc); err != nil {
			s.patchPage(w, r, http.StatusUnprocessableEntity, patchView{Error: "Scheduled time: use the date and time picker (YYYY-MM-DD HH:MM)."})
			return
		}
	}
	if _, err := s.st.MovePatchItem(ctx, id, c); err != nil {
		if domain.ErrorCode(err) != domain.CodeInvalid {
			s.fail(w, r, err)
			return
		}
		s.patchPage(w, r, http.StatusUnprocessableEntity, patchView{Error: domain.ErrorMessage(err)})
		return
	}
	http.Redirect(w, r, fmt.Sprintf("/patches/%d?tenant=%s", id, p.Tenant.Slug), http.StatusSeeOther)
}

type windowsView struct {
	Windows []windowRow
	Sites   []*domain.Site
	CanEdit bool
	Error   string
}

type windowRow struct {
	*domain.MaintenanceWindow
	Next string
}

func (s *Server) windowsPage(w http.ResponseWriter, r *http.Request, status int, v windowsView) {
	ctx, p, err := s.tenantScope(r)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	ws, err := s.st.FindMaintenanceWindows(ctx)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	for _, x := range ws {
		row := windowRow{MaintenanceWindow: x}
		if n, ok := x.Next(time.Now()); ok {
			loc, _ := time.LoadLocation(x.TimeZone)
			row.Next = n.In(loc).Format("Mon 2006-01-02 15:04 MST")
		}
		v.Windows = append(v.Windows, row)
	}
	if v.Sites, err = s.st.FindSites(ctx); err != nil {
		s.fail(w, r, err)
		return
	}
	v.CanEdit = p.Session.User.Role.Can(domain.PermEditInventory)
	p.Title, p.Data = "Maintenance windows", v
	s.render(w, status, "windows", p)
}

func (s *Server) handleWindowIndex(w http.ResponseWriter, r *http.Request) {
	s.windowsPage(w, r, http.StatusOK, windowsView{})
}

func (s *Server) handleWindowCreate(w http.ResponseWriter, r *http.Request) {
	ctx, p, err := s.requirePerm(r, domain.PermEditInventory, "change maintenance windows")
	if err != nil {
		s.fail(w, r, err)
		return
	}
	win := &domain.MaintenanceWindow{Site: r.PostFormValue("site"), Department: r.PostFormValue("department"), Name: r.PostFormValue("name"),
		TimeZone: strings.TrimSpace(r.PostFormValue("tz"))}
	win.Weekdays, err = domain.ParseWeekdays(strings.Join(r.PostForm["days"], ","))
	if err == nil {
		win.Start, err = domain.ParseClock(r.PostFormValue("start"))
	}
	if err == nil {
		win.End, err = domain.ParseClock(r.PostFormValue("end"))
	}
	if err == nil {
		err = s.st.CreateMaintenanceWindow(ctx, win)
	}
	if err != nil {
		if domain.ErrorCode(err) != domain.CodeInvalid {
			s.fail(w, r, err)
			return
		}
		s.windowsPage(w, r, http.StatusUnprocessableEntity, windowsView{Error: domain.ErrorMessage(err)})
		return
	}
	http.Redirect(w, r, "/windows?tenant="+p.Tenant.Slug, http.StatusSeeOther)
}

func (s *Server) handleWindowDelete(w http.ResponseWriter, r *http.Request) {
	ctx, p, err := s.requirePerm(r, domain.PermEditInventory, "change maintenance windows")
	if err != nil {
		s.fail(w, r, err)
		return
	}
	id, _ := strconv.ParseInt(r.PathValue("id"), 10, 64)
	if err := s.st.DeleteMaintenanceWindow(ctx, id); err != nil {
		s.fail(w, r, err)
		return
	}
	http.Redirect(w, r, "/windows?tenant="+p.Tenant.Slug, http.StatusSeeOther)
}

func (s *Server) handleScorecard(w http.ResponseWriter, r *http.Request) {
	ctx, p, err := s.tenantScope(r)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	cards, err := (&lifecycle.Service{Store: s.st, Advisories: &lifecycle.IntelAdvisories{Store: s.st}}).Scorecards(ctx, time.Now())
	if err != nil {
		s.fail(w, r, err)
		return
	}
	p.Title, p.Data = "Vendor security support scorecard", cards
	s.render(w, http.StatusOK, "scorecard", p)
}

type notifyView struct {
	Vendor  *domain.Vendor
	Models  []*domain.Model
	Model   string
	Problem string
	Note    *lifecycle.Notification
	Text    string
	CSVURL  string
}

// handleNotify prepares a vendor notification: the practice's devices of
// the vendor (of one model, if chosen) as text to send, or as CSV.
func (s *Server) handleNotify(w http.ResponseWriter, r *http.Request) {
	ctx, p, err := s.tenantScope(r)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	vendor, err := s.st.FindVendor(ctx, r.PathValue("id"))
	if err != nil {
		s.fail(w, r, err)
		return
	}
	q := r.URL.Query()
	v := notifyView{Vendor: vendor, Model: q.Get("model"), Problem: q.Get("problem")}
	if v.Note, err = (&lifecycle.Service{Store: s.st}).Notify(ctx, vendor, v.Model, v.Problem); err != nil {
		s.fail(w, r, err)
		return
	}
	if q.Get("format") == "csv" {
		w.Header().Set("Content-Type", "text/csv; charset=utf-8")
		w.Header().Set("Content-Disposition", `attachment; filename="`+domain.Slugify(vendor.Name)+`-devices.csv"`)
		if err := v.Note.WriteCSV(w); err != nil {
			s.log.Error("notification csv", "err", err)
		}
		return
	}
	if v.Models, err = s.st.FindModels(ctx, vendor.ID); err != nil {
		s.fail(w, r, err)
		return
	}
	v.Text = v.Note.Text(p.Tenant.Name)
	v.CSVURL = fmt.Sprintf("/vendors/%d/notify?%s", vendor.ID, url.Values{"tenant": {p.Tenant.Slug}, "model": {v.Model}, "format": {"csv"}}.Encode())
	p.Title, p.Data = "Notify "+vendor.Name, v
	s.render(w, http.StatusOK, "notify", p)
}
