package web

import (
	"context"
	"encoding/json"
	"net/http"
	"net/url"
	"strconv"

	"github.com/vigil-med/vigil/internal/domain"
	"github.com/vigil-med/vigil/internal/intel"
	"github.com/vigil-med/vigil/internal/lifecycle"
)

func (s *Server) registerDeviceRoutes() {
	s.handle("GET /devices", s.handleDeviceIndex)
	s.handle("GET /devices/{id}", s.handleDeviceView)
	s.handle("GET /devices/{id}/edit", s.handleDeviceEdit)
	s.handle("POST /devices/{id}", s.handleDeviceUpdate)
	s.handle("POST /devices/bulk", s.handleDeviceBulk)
}

const pageSize = 50

type deviceIndex struct {
	CanEdit    bool
	Sorts      map[string]string // column → link that sorts by it (again: reversed)
	BulkFields []domain.FieldInfo
	Query      string // the list's query string, to come back to after a bulk edit
	Done       string
	Devices    []*domain.Device
	Total      int
	Filter     domain.DeviceFilter
	Categories []domain.Category
	Sites      []*domain.Site
	Page       int
	Pages      int
	Prev, Next string
}

func (s *Server) handleDeviceIndex(w http.ResponseWriter, r *http.Request) {
	ctx, p, err := s.tenantScope(r)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	q := r.URL.Query()
	f := domain.DeviceFilter{Query: q.Get("q"), Site: q.Get("site"), Manufacturer: q.Get("manufacturer"), Sort: q.Get("sort"), Limit: pageSize}
	if f.Category, err = domain.ParseCategory(q.Get("category")); err != nil {
		s.fail(w, r, err)
		return
	}
	if f.Review, err = domain.ParseReview(q.Get("review")); err != nil {
		s.fail(w, r, err)
		return
	}
	pg, _ := strconv.Atoi(q.Get("page"))
	pg = max(pg, 1)
	f.Offset = (pg - 1) * pageSize
	devices, total, err := s.st.FindDevices(ctx, f)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	sites, err := s.st.FindSites(ctx)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	d := deviceIndex{Devices: devices, Total: total, Filter: f, Categories: domain.Categories(), Sites: sites, Page: pg, Pages: (total + pageSize - 1) / pageSize,
		CanEdit: p.Session.User.Role.Can(domain.PermEditInventory), Sorts: map[string]string{}, Query: r.URL.RawQuery}
	if n := q.Get("changed"); n != "" {
		d.Done = "Changed " + n + " devices."
	}
	for _, key := range []string{"name", "category", "manufacturer", "updated"} {
		v := r.URL.Query()
		v.Del("page")
		v.Set("sort", key)
		if f.Sort == key {
			v.Set("sort", "-"+key)
		}
		d.Sorts[key] = "/devices?" + v.Encode()
	}
	for _, fi := range domain.DeviceFields() {
		if fi.Field != domain.FieldID && !(fi.Field == domain.FieldAdmins && !p.Session.User.Role.Can(domain.PermManageDeviceAdmin)) {
			d.BulkFields = append(d.BulkFields, fi)
		}
	}
	link := func(n int) string {
		v := r.URL.Query()
		v.Set("page", strconv.Itoa(n))
		return "/devices?" + v.Encode()
	}
	if pg > 1 {
		d.Prev = link(pg - 1)
	}
	if pg < d.Pages {
		d.Next = link(pg + 1)
	}
	p.Title, p.Data = "Devices", d
	s.render(w, http.StatusOK, "devices", p)
}

type attrRow struct {
	Label, Value, Source string
}

type deviceView struct {
	Device  *domain.Device
	Attrs   []attrRow
	History []historyEntry
	CanEdit bool
	Vulns   vulnTable
	Network *networkView // what discovery learned (discovery.go)
	Cost    costView
	// CostForm is the replacement-cost form as submitted, with its error.
	CostForm costForm
}

// costView is the device's replacement cost as its page shows it.
type costView struct {
	Amount      string // the effective cost, "" when unknown
	Currency    string
	Own         bool   // the device's own cost, not the model's
	OwnAmount   string // the device's own cost, "" when none
	ModelAmount string // the model's default, "" when none
}

func costViewOf(c lifecycle.Cost) costView {
	v := costView{Currency: c.Currency, Own: c.Source != nil && *c.Source == "device"}
	if c.Cents != nil {
		v.Amount = lifecycle.FormatCents(*c.Cents)
	}
	if c.DeviceCents != nil {
		v.OwnAmount = lifecycle.FormatCents(*c.DeviceCents)
	}
	if c.ModelCents != nil {
		v.ModelAmount = lifecycle.FormatCents(*c.ModelCents)
	}
	return v
}

// costForm is the device page's replacement-cost editor.
type costForm struct {
	Amount string
	Error  string
}

// scopedDevice scopes the request and loads the device named in the path.
func (s *Server) scopedDevice(r *http.Request) (ctxPage, *domain.Device, error) {
	ctx, p, err := s.tenantScope(r)
	if err != nil {
		return ctxPage{}, nil, err
	}
	id, err := strconv.ParseInt(r.PathValue("id"), 10, 64)
	if err != nil {
		return ctxPage{}, nil, domain.Errorf(domain.CodeNotFound, "no device %q", r.PathValue("id"))
	}
	d, err := s.st.FindDeviceByID(ctx, id)
	if err != nil {
		return ctxPage{}, nil, err
	}
	return ctxPage{ctx, p}, d, nil
}

func (s *Server) handleDeviceView(w http.ResponseWriter, r *http.Request) {
	s.devicePage(w, r, http.StatusOK, costForm{})
}

// devicePage renders the device page, with the replacement-cost form as
// submitted when it was refused.
func (s *Server) devicePage(w http.ResponseWriter, r *http.Request, status int, cf costForm) {
	cp, d, err := s.scopedDevice(r)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	events, err := s.st.FindAuditEvents(cp.ctx, domain.AuditFilter{ObjectType: "device", ObjectID: d.ID})
	if err != nil {
		s.fail(w, r, err)
		return
	}
	v := deviceView{Device: d, CanEdit: cp.page.Session.User.Role.Can(domain.PermEditInventory), CostForm: cf}
	cost, err := (&lifecycle.Service{Store: s.st}).DeviceCost(cp.ctx, d)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	v.Cost = costViewOf(cost)
	vulns, err := s.st.FindVulnerabilities(cp.ctx, domain.VulnFilter{DeviceID: d.ID})
	if err != nil {
		s.fail(w, r, err)
		return
	}
	if err := intel.ApplyRubric(cp.ctx, s.st, d.ModelID, vulns); err != nil {
		s.fail(w, r, err)
		return
	}
	v.Vulns = s.vulnTable(cp.page, vulns, false, "/devices/"+strconv.FormatInt(d.ID, 10))
	if v.Network, err = s.deviceNetwork(cp.ctx, d); err != nil {
		s.fail(w, r, err)
		return
	}
	for _, fi := range domain.DeviceFields() {
		if fi.Field == domain.FieldID {
			continue
		}
		row := attrRow{Label: fi.Label, Value: d.Get(fi.Field)}
		if src, ok := d.Provenance.Of(fi.Field); ok {
			row.Source = src.Describe()
		}
		v.Attrs = append(v.Attrs, row)
	}
	for i := len(events) - 1; i >= 0; i-- { // newest first
		v.History = append(v.History, historyOf(events[i]))
	}
	cp.page.Title, cp.page.Data = d.Label(), v
	s.render(w, status, "device", cp.page)
}

// historyEntry is one change of a device as the page shows it.
type historyEntry struct {
	Event   *domain.AuditEvent
	Changes []domain.FieldChange
	Note    string // a change that is not a field's, in words
}

func historyOf(e *domain.AuditEvent) historyEntry {
	h := historyEntry{Event: e}
	if e.Action == "device.replacement_cost" {
		h.Note = "Replacement cost: " + costAudit(e.Before) + " → " + costAudit(e.After)
		return h
	}
	if e.Action != "device.update" {
		return h
	}
	var before, after map[domain.Field]string
	_ = json.Unmarshal(e.Before, &before)
	_ = json.Unmarshal(e.After, &after)
	for _, fi := range domain.DeviceFields() {
		if v, ok := after[fi.Field]; ok {
			h.Changes = append(h.Changes, domain.FieldChange{Field: fi.Field, Old: before[fi.Field], New: v})
		}
	}
	return h
}

// costAudit renders one side of a device.replacement_cost event.
func costAudit(raw json.RawMessage) string {
	var v struct {
		Cents *int64 `json:"replacement_cost_cents"`
	}
	if json.Unmarshal(raw, &v) != nil || v.Cents == nil {
		return "the model's"
	}
	return lifecycle.FormatCents(*v.Cents)
}

// ctxPage is a scoped request context and the page being built for it.
type ctxPage struct {
	ctx  context.Context
	page page
}

// formField is one input of the device form.
type formField struct {
	domain.FieldInfo
	Value    string
	Error    string
	Options  []option // for choices; empty for free text
	Disabled bool     // the user may not change it
	Textarea bool
}

type option struct{ Value, Label string }

type deviceForm struct {
	Device *domain.Device
	Fields []formField
	Error  string
}

// choices lists the allowed values of the enumerated fields.
func choices(f domain.Field, sites []*domain.Site) []option {
	var infos []domain.EnumInfo
	switch f {
	case domain.FieldCategory:
		infos = domain.CategoryInfo()
	case domain.FieldCriticality:
		infos = domain.CriticalityInfo()
	case domain.FieldPHI:
		infos = domain.PHIInfo()
	case domain.FieldPatchability:
		infos = domain.PatchabilityInfo()
	case domain.FieldLifecycle:
		infos = domain.LifecycleInfo()
	case domain.FieldNetworkRequired:
		return []option{{"", "Unknown"}, {"yes", "Yes"}, {"no", "No"}}
	case domain.FieldReview:
		return []option{{"reviewed", "Reviewed"}, {"unreviewed", "Not yet reviewed"}}
	case domain.FieldSite:
		out := make([]option, len(sites))
		for i, x := range sites {
			out[i] = option{x.Slug, x.Name}
		}
		return out
	default:
		return nil
	}
	out := []option{}
	if f != domain.FieldCategory && f != domain.FieldPatchability && f != domain.FieldLifecycle {
		out = append(out, option{"", "—"})
	}
	for _, i := range infos {
		out = append(out, option{i.Value, i.Label})
	}
	return out
}

// deviceFormFor builds the form for d, with submitted values and problems
// when re-shown after a refused change.
func (s *Server) deviceFormFor(cp ctxPage, d *domain.Device, submitted map[domain.Field]string, problems []domain.Problem) (deviceForm, error) {
	sites, err := s.st.FindSites(cp.ctx)
	if err != nil {
		return deviceForm{}, err
	}
	role := cp.page.Session.User.Role
	form := deviceForm{Device: d}
	for _, fi := range domain.DeviceFields() {
		if fi.Field == domain.FieldID {
			continue
		}
		ff := formField{FieldInfo: fi, Value: d.Get(fi.Field), Options: choices(fi.Field, sites), Textarea: fi.Field == domain.FieldNotes}
		if v, ok := submitted[fi.Field]; ok {
			ff.Value = v
		}
		ff.Disabled = fi.Field == domain.FieldAdmins && !role.Can(domain.PermManageDeviceAdmin)
		for _, p := range problems {
			if p.Field == string(fi.Field) {
				ff.Error = p.Message
			}
		}
		form.Fields = append(form.Fields, ff)
	}
	return form, nil
}

func (s *Server) handleDeviceEdit(w http.ResponseWriter, r *http.Request) {
	cp, d, err := s.scopedDevice(r)
	if err == nil && !cp.page.Session.User.Role.Can(domain.PermEditInventory) {
		err = domain.Errorf(domain.CodeForbidden, "your role may not change devices")
	}
	if err != nil {
		s.fail(w, r, err)
		return
	}
	form, err := s.deviceFormFor(cp, d, nil, nil)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	cp.page.Title, cp.page.Data = "Edit "+d.Label(), form
	s.render(w, http.StatusOK, "device_edit", cp.page)
}

// handleDeviceUpdate applies the fields the form changed; refused values
// come back next to their fields with the user's input kept.
func (s *Server) handleDeviceUpdate(w http.ResponseWriter, r *http.Request) {
	cp, d, err := s.scopedDevice(r)
	role := domain.Role("")
	if err == nil {
		role = cp.page.Session.User.Role
		if !role.Can(domain.PermEditInventory) {
			err = domain.Errorf(domain.CodeForbidden, "your role may not change devices")
		}
	}
	if err != nil {
		s.fail(w, r, err)
		return
	}
	submitted := map[domain.Field]string{}
	set := map[domain.Field]string{}
	for _, fi := range domain.DeviceFields() {
		vals, ok := r.PostForm[string(fi.Field)]
		if !ok || fi.Field == domain.FieldID {
			continue
		}
		v := vals[0]
		submitted[fi.Field] = v
		if v == d.Get(fi.Field) {
			continue
		}
		if fi.Field == domain.FieldAdmins && !role.Can(domain.PermManageDeviceAdmin) {
			s.fail(w, r, domain.Errorf(domain.CodeForbidden, "only administrators may change who holds administrative access to a device"))
			return
		}
		set[fi.Field] = v
	}
	if len(set) > 0 {
		_, _, err = s.st.UpdateDevice(cp.ctx, d.ID, set, domain.Source{Kind: domain.SourceManual})
	}
	if domain.ErrorCode(err) == domain.CodeInvalid || domain.ErrorCode(err) == domain.CodeConflict {
		form, ferr := s.deviceFormFor(cp, d, submitted, domain.ErrorProblems(err))
		if ferr != nil {
			s.fail(w, r, ferr)
			return
		}
		form.Error = domain.ErrorMessage(err)
		cp.page.Title, cp.page.Data = "Edit "+d.Label(), form
		s.render(w, http.StatusUnprocessableEntity, "device_edit", cp.page)
		return
	}
	if err != nil {
		s.fail(w, r, err)
		return
	}
	http.Redirect(w, r, "/devices/"+strconv.FormatInt(d.ID, 10)+"?tenant="+url.QueryEscape(cp.page.Tenant.Slug), http.StatusSeeOther)
}

// handleDeviceBulk sets one field on the selected devices, all or none.
func (s *Server) handleDeviceBulk(w http.ResponseWriter, r *http.Request) {
	ctx, p, err := s.tenantScope(r)
	if err == nil && !p.Session.User.Role.Can(domain.PermEditInventory) {
		err = domain.Errorf(domain.CodeForbidden, "your role may not change devices")
	}
	if err != nil {
		s.fail(w, r, err)
		return
	}
	field := domain.Field(r.PostFormValue("field"))
	if _, ok := domain.LookupField(string(field)); !ok || field == domain.FieldID {
		s.fail(w, r, domain.Errorf(domain.CodeInvalid, "choose the attribute to set"))
		return
	}
	if field == domain.FieldAdmins && !p.Session.User.Role.Can(domain.PermManageDeviceAdmin) {
		s.fail(w, r, domain.Errorf(domain.CodeForbidden, "only administrators may change who holds administrative access to a device"))
		return
	}
	var ids []int64
	for _, v := range r.PostForm["id"] {
		id, err := strconv.ParseInt(v, 10, 64)
		if err != nil {
			s.fail(w, r, domain.Errorf(domain.CodeInvalid, "bad device id %q", v))
			return
		}
		ids = append(ids, id)
	}
	if len(ids) == 0 {
		s.fail(w, r, domain.Errorf(domain.CodeInvalid, "select the devices to change first"))
		return
	}
	n, err := s.st.UpdateDevices(ctx, ids, map[domain.Field]string{field: r.PostFormValue("value")}, domain.Source{Kind: domain.SourceManual, Ref: "bulk edit"})
	if err != nil {
		s.fail(w, r, err)
		return
	}
	back := r.PostFormValue("back")
	q, _ := url.ParseQuery(back)
	q.Set("tenant", p.Tenant.Slug)
	q.Set("changed", strconv.Itoa(n))
	http.Redirect(w, r, "/devices?"+q.Encode(), http.StatusSeeOther)
}
