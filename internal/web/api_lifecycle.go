package web

import (
	"bytes"
	"encoding/json"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/vigil-med/vigil/internal/domain"
	"github.com/vigil-med/vigil/internal/lifecycle"
)

// lifecycleAPIRoutes are the lifecycle, update-workflow and maintenance
// window operations (docs/lifecycle.md).
func lifecycleAPIRoutes() []apiRoute {
	read, edit := domain.PermReadInventory, domain.PermEditInventory
	return []apiRoute{
		{"GET", "/lifecycle/forecast", read, scopePractice, []string{"months", "by", "years"}, (*Server).handleAPIForecast},
		{"GET", "/releases", read, scopePractice, nil, (*Server).handleAPIReleaseIndex},
		{"POST", "/releases", edit, scopePractice, nil, (*Server).handleAPIReleaseCreate},
		{"GET", "/patches", read, scopePractice, []string{"state"}, (*Server).handleAPIPatchIndex},
		{"GET", "/patches/{id}", read, scopePractice, nil, (*Server).handleAPIPatchView},
		{"POST", "/patches/{id}/moves", edit, scopePractice, nil, (*Server).handleAPIPatchMove},
		{"GET", "/patches/{id}/evidence", read, scopePractice, nil, (*Server).handleAPIPatchEvidence},
		{"GET", "/windows", read, scopePractice, nil, (*Server).handleAPIWindowIndex},
		{"POST", "/windows", edit, scopePractice, nil, (*Server).handleAPIWindowCreate},
		{"DELETE", "/windows/{id}", edit, scopePractice, nil, (*Server).handleAPIWindowDelete},
		{"GET", "/scorecards", read, scopePractice, nil, (*Server).handleAPIScorecards},
		{"GET", "/vendors/{id}/notification", read, scopePractice, []string{"model", "problem"}, (*Server).handleAPINotification},
		{"GET", "/devices/{id}/replacement-cost", read, scopePractice, nil, (*Server).handleAPIDeviceCost},
		{"PUT", "/devices/{id}/replacement-cost", edit, scopePractice, nil, (*Server).handleAPIDeviceCostSet},
		{"DELETE", "/devices/{id}/replacement-cost", edit, scopePractice, nil, (*Server).handleAPIDeviceCostClear},
	}
}

// decodeInto reads the request's JSON object into v, refusing members v
// does not have.
func decodeInto(w http.ResponseWriter, c *apiCall, v any) error {
	members, err := readObject(w, c.r)
	if err != nil {
		return err
	}
	obj := map[string]json.RawMessage{}
	for _, m := range members {
		obj[m.name] = m.value
	}
	b, _ := json.Marshal(obj)
	dec := json.NewDecoder(bytes.NewReader(b))
	dec.DisallowUnknownFields()
	if err := dec.Decode(v); err != nil {
		msg := strings.TrimPrefix(err.Error(), "json: ")
		return invalid([]domain.Problem{{Location: "#", Message: msg}})
	}
	return nil
}

func optTime(t time.Time) *time.Time {
	if t.IsZero() {
		return nil
	}
	return &t
}

func (s *Server) handleAPIForecast(w http.ResponseWriter, c *apiCall) error {
	months := 24
	if m := c.r.URL.Query().Get("months"); m != "" {
		n, err := strconv.Atoi(m)
		if err != nil || n < 1 || n > 240 {
			return domain.Errorf(domain.CodeInvalid, "months must be a number from 1 to 240")
		}
		months = n
	}
	items, b, err := s.loadBudget(c.ctx, c.r)
	if err != nil {
		return err
	}
	today := domain.DateOf(time.Now())
	return writeJSON(w, http.StatusOK, map[string]any{"today": today.String(), "months": months,
		"end_of_support": nonNil(lifecycle.Within(items, today, months)), "budget": b})
}

type apiRelease struct {
	ID           int64     `json:"id"`
	ModelID      int64     `json:"model_id"`
	Manufacturer string    `json:"manufacturer"`
	Model        string    `json:"model"`
	Version      string    `json:"version"`
	ReleasedOn   string    `json:"released_on"`
	Notes        string    `json:"notes"`
	Source       string    `json:"source"`
	AdvisoryRef  string    `json:"advisory_ref"`
	WorkItems    int       `json:"work_items"`
	CreatedAt    time.Time `json:"created_at"`
}

func releaseJSON(r *domain.FirmwareRelease) apiRelease {
	return apiRelease{ID: r.ID, ModelID: r.ModelID, Manufacturer: r.Manufacturer, Model: r.Model, Version: r.Version, ReleasedOn: r.ReleasedOn.String(),
		Notes: r.Notes, Source: r.Source, AdvisoryRef: r.AdvisoryRef, WorkItems: r.Devices, CreatedAt: r.CreatedAt}
}

func (s *Server) handleAPIReleaseIndex(w http.ResponseWriter, c *apiCall) error {
	all, err := s.st.FindFirmwareReleases(c.ctx, 0)
	if err != nil {
		return err
	}
	items := make([]apiRelease, len(all))
	for i, r := range all {
		items[i] = releaseJSON(r)
	}
	return writeJSON(w, http.StatusOK, apiPage{Items: items, Total: intPtr(len(items))})
}

func (s *Server) handleAPIReleaseCreate(w http.ResponseWriter, c *apiCall) error {
	var in struct {
		ModelID      int64  `json:"model_id"`
		Manufacturer string `json:"manufacturer"`
		Model        string `json:"model"`
		Version      string `json:"version"`
		ReleasedOn   string `json:"released_on"`
		Notes        string `json:"notes"`
		AdvisoryRef  string `json:"advisory_ref"`
	}
	if err := decodeInto(w, c, &in); err != nil {
		return err
	}
	r := &domain.FirmwareRelease{ModelID: in.ModelID, Manufacturer: in.Manufacturer, Model: in.Model, Version: in.Version, Notes: in.Notes}
	if in.AdvisoryRef != "" {
		r.Source, r.AdvisoryRef = "advisory", in.AdvisoryRef
	}
	var err error
	if r.ReleasedOn, err = domain.ParseDate(in.ReleasedOn, domain.MonthFirst); err != nil {
		return invalid([]domain.Problem{bodyProblem([]string{"released_on"}, "released_on", domain.ErrorMessage(err))})
	}
	if r.ModelID == 0 && (r.Manufacturer == "" || r.Model == "") {
		return invalid([]domain.Problem{bodyProblem([]string{"model_id"}, "model_id", "name the model by model_id, or by manufacturer and model")})
	}
	if err := s.st.CreateFirmwareRelease(c.ctx, r); err != nil {
		return err
	}
	return created(w, "/releases", releaseJSON(r))
}

type apiPatch struct {
	ID             int64        `json:"id"`
	ReleaseID      int64        `json:"release_id"`
	DeviceID       int64        `json:"device_id"`
	Device         string       `json:"device"`
	Site           string       `json:"site"`
	Department     string       `json:"department"`
	Manufacturer   string       `json:"manufacturer"`
	Model          string       `json:"model"`
	Firmware       string       `json:"firmware"`
	Version        string       `json:"version"`
	ReleasedOn     string       `json:"released_on"`
	State          string       `json:"state"`
	ValidatedBy    string       `json:"validated_by"`
	ValidatedAt    *time.Time   `json:"validated_at"`
	Evidence       string       `json:"evidence"`
	ScheduledFor   *time.Time   `json:"scheduled_for"`
	WindowID       int64        `json:"window_id"`
	AppliedBy      string       `json:"applied_by"`
	AppliedAt      *time.Time   `json:"applied_at"`
	VerifiedBy     string       `json:"verified_by"`
	VerifiedAt     *time.Time   `json:"verified_at"`
	OverrideReason string       `json:"override_reason"`
	EvidenceFile   *apiEvidence `json:"evidence_file"`
	CreatedAt      time.Time    `json:"created_at"`
	UpdatedAt      time.Time    `json:"updated_at"`
}

// apiEvidence describes a work item's evidence file; href downloads it.
type apiEvidence struct {
	Name        string    `json:"name"`
	ContentType string    `json:"content_type"`
	Size        int64     `json:"size"`
	SHA256      string    `json:"sha256"`
	UploadedBy  string    `json:"uploaded_by"`
	UploadedAt  time.Time `json:"uploaded_at"`
	Href        string    `json:"href"`
}

func patchJSON(p *domain.PatchItem) apiPatch {
	return apiPatch{ID: p.ID, ReleaseID: p.ReleaseID, DeviceID: p.DeviceID, Device: p.Device, Site: p.Site, Department: p.Department,
		Manufacturer: p.Manufacturer, Model: p.Model, Firmware: p.Firmware, Version: p.Version, ReleasedOn: p.ReleasedOn.String(), State: string(p.State),
		ValidatedBy: p.ValidatedBy, ValidatedAt: optTime(p.ValidatedAt), Evidence: p.Evidence, ScheduledFor: optTime(p.ScheduledFor), WindowID: p.WindowID,
		AppliedBy: p.AppliedBy, AppliedAt: optTime(p.AppliedAt), VerifiedBy: p.VerifiedBy, VerifiedAt: optTime(p.VerifiedAt),
		OverrideReason: p.OverrideReason, CreatedAt: p.CreatedAt, UpdatedAt: p.UpdatedAt}
}

// patchJSONFor is patchJSON with the evidence file's address, which names
// the practice for a provider-wide caller.
func patchJSONFor(c *apiCall, p *domain.PatchItem) apiPatch {
	out := patchJSON(p)
	if f := p.EvidenceFile; f != nil {
		href := apiPrefix + "/patches/" + strconv.FormatInt(p.ID, 10) + "/evidence"
		if c.tenant != nil && c.caller != nil && c.r.URL.Query().Get("tenant") != "" {
			href += "?tenant=" + url.QueryEscape(c.tenant.Slug)
		}
		out.EvidenceFile = &apiEvidence{Name: f.Name, ContentType: f.ContentType, Size: f.Size, SHA256: f.SHA256, UploadedBy: f.CreatedBy,
			UploadedAt: f.CreatedAt, Href: href}
	}
	return out
}

func (s *Server) handleAPIPatchIndex(w http.ResponseWriter, c *apiCall) error {
	all, err := s.st.FindPatchItems(c.ctx, domain.PatchFilter{State: domain.PatchState(c.r.URL.Query().Get("state"))})
	if err != nil {
		return err
	}
	items := make([]apiPatch, len(all))
	for i, p := range all {
		items[i] = patchJSONFor(c, p)
	}
	return writeJSON(w, http.StatusOK, apiPage{Items: items, Total: intPtr(len(items))})
}

func (s *Server) handleAPIPatchView(w http.ResponseWriter, c *apiCall) error {
	id, err := pathID(c, "work item")
	if err != nil {
		return err
	}
	p, err := s.st.FindPatchItem(c.ctx, id)
	if err != nil {
		return err
	}
	return writeJSON(w, http.StatusOK, patchJSONFor(c, p))
}

// handleAPIPatchMove moves a work item; an override needs the override
// permission on top of the route's.
func (s *Server) handleAPIPatchMove(w http.ResponseWriter, c *apiCall) error {
	id, err := pathID(c, "work item")
	if err != nil {
		return err
	}
	var ch domain.PatchChange
	if isMultipart(c.r) {
		// The request is the handler's copy, so the server would not remove
		// the form's temporary files itself.
		defer func() {
			if c.r.MultipartForm != nil {
				_ = c.r.MultipartForm.RemoveAll()
			}
		}()
		if ch, err = patchMoveForm(c.r); err != nil {
			return err
		}
	} else {
		var in struct {
			To       string     `json:"to"`
			Evidence string     `json:"evidence"`
			At       *time.Time `json:"at"`
			Override bool       `json:"override"`
			Reason   string     `json:"reason"`
		}
		if err := decodeInto(w, c, &in); err != nil {
			return err
		}
		ch = domain.PatchChange{To: domain.PatchState(in.To), Evidence: in.Evidence, Override: in.Override, Reason: in.Reason}
		if in.At != nil {
			ch.At = *in.At
		}
	}
	if _, err := s.st.FindPatchItem(c.ctx, id); err != nil {
		return err
	}
	if ch.Override && !c.caller.role.Can(domain.PermOverridePatch) {
		return domain.Errorf(domain.CodeForbidden, "only practice or provider administrators may override the update workflow")
	}
	p, err := s.st.MovePatchItem(c.ctx, id, ch)
	if err != nil {
		return err
	}
	return writeJSON(w, http.StatusOK, patchJSONFor(c, p))
}

// patchMoveForm reads a move sent as multipart/form-data, the way to
// attach an evidence file: the fields of the JSON form as text parts
// ("override" as true or false, "at" in RFC 3339) and the file as "file".
func patchMoveForm(r *http.Request) (domain.PatchChange, error) {
	var ch domain.PatchChange
	if err := r.ParseMultipartForm(evidenceMemory); err != nil {
		return ch, invalid([]domain.Problem{{Location: "#", Message: "the multipart body could not be read"}})
	}
	var problems []domain.Problem
	fields := []string{"to", "evidence", "at", "override", "reason"}
	for name, vals := range r.MultipartForm.Value {
		switch {
		case !slices.Contains(fields, name):
			problems = append(problems, bodyProblem([]string{name}, name, "unknown part; expected: "+strings.Join(fields, ", ")+", file"))
		case len(vals) > 1:
			problems = append(problems, bodyProblem([]string{name}, name, "given more than once"))
		}
	}
	for name, files := range r.MultipartForm.File {
		if name != "file" || len(files) > 1 {
			problems = append(problems, bodyProblem([]string{name}, name, "one file is taken, as the part named file"))
		}
	}
	get := func(k string) string { return r.MultipartForm.Value[k][0] }
	has := func(k string) bool { return len(r.MultipartForm.Value[k]) > 0 }
	if has("to") {
		ch.To = domain.PatchState(get("to"))
	}
	if has("evidence") {
		ch.Evidence = get("evidence")
	}
	if has("reason") {
		ch.Reason = get("reason")
	}
	if has("override") {
		b, err := strconv.ParseBool(get("override"))
		if err != nil {
			problems = append(problems, bodyProblem([]string{"override"}, "override", "expected true or false"))
		}
		ch.Override = b
	}
	if has("at") {
		t, err := time.Parse(time.RFC3339, get("at"))
		if err != nil {
			problems = append(problems, bodyProblem([]string{"at"}, "at", "expected an RFC 3339 date and time, e.g. 2027-03-14T07:30:00Z"))
		}
		ch.At = t
	}
	if err := invalid(problems); err != nil {
		return ch, err
	}
	f, err := evidenceUpload(r)
	if err != nil {
		return ch, invalid([]domain.Problem{bodyProblem([]string{"file"}, "file", domain.ErrorMessage(err))})
	}
	ch.File = f
	return ch, nil
}

type apiWindow struct {
	ID          int64     `json:"id"`
	Site        string    `json:"site"`
	Department  string    `json:"department"`
	Name        string    `json:"name"`
	Weekdays    []string  `json:"weekdays"`
	Start       string    `json:"start"`
	End         string    `json:"end"`
	TimeZone    string    `json:"timezone"`
	Description string    `json:"description"`
	NextOpens   *string   `json:"next_opens"`
	CreatedAt   time.Time `json:"created_at"`
}

func windowJSON(x *domain.MaintenanceWindow) apiWindow {
	out := apiWindow{ID: x.ID, Site: x.Site, Department: x.Department, Name: x.Name, Start: domain.Clock(x.Start), End: domain.Clock(x.End),
		TimeZone: x.TimeZone, Description: x.Describe(), CreatedAt: x.CreatedAt, Weekdays: []string{}}
	for _, d := range x.Weekdays {
		out.Weekdays = append(out.Weekdays, strings.ToLower(d.String()[:3]))
	}
	if n, ok := x.Next(time.Now()); ok {
		s := n.Format(time.RFC3339)
		out.NextOpens = &s
	}
	return out
}

func (s *Server) handleAPIWindowIndex(w http.ResponseWriter, c *apiCall) error {
	all, err := s.st.FindMaintenanceWindows(c.ctx)
	if err != nil {
		return err
	}
	items := make([]apiWindow, len(all))
	for i, x := range all {
		items[i] = windowJSON(x)
	}
	return writeJSON(w, http.StatusOK, apiPage{Items: items, Total: intPtr(len(items))})
}

func (s *Server) handleAPIWindowCreate(w http.ResponseWriter, c *apiCall) error {
	members, err := readObject(w, c.r)
	if err != nil {
		return err
	}
	v, err := stringMembers(members, "site", "department", "name", "days", "start", "end", "timezone")
	if err != nil {
		return err
	}
	x := &domain.MaintenanceWindow{Site: v["site"], Department: v["department"], Name: v["name"], TimeZone: v["timezone"]}
	var problems []domain.Problem
	if x.Weekdays, err = domain.ParseWeekdays(v["days"]); err != nil {
		problems = append(problems, bodyProblem([]string{"days"}, "days", domain.ErrorMessage(err)))
	}
	if x.Start, err = domain.ParseClock(v["start"]); err != nil {
		problems = append(problems, bodyProblem([]string{"start"}, "start", domain.ErrorMessage(err)))
	}
	if x.End, err = domain.ParseClock(v["end"]); err != nil {
		problems = append(problems, bodyProblem([]string{"end"}, "end", domain.ErrorMessage(err)))
	}
	if err := invalid(problems); err != nil {
		return err
	}
	if err := s.st.CreateMaintenanceWindow(c.ctx, x); err != nil {
		return err
	}
	return created(w, "/windows/"+strconv.FormatInt(x.ID, 10), windowJSON(x))
}

func (s *Server) handleAPIWindowDelete(w http.ResponseWriter, c *apiCall) error {
	id, err := pathID(c, "maintenance window")
	if err != nil {
		return err
	}
	if err := s.st.DeleteMaintenanceWindow(c.ctx, id); err != nil {
		return err
	}
	w.WriteHeader(http.StatusNoContent)
	return nil
}

func (s *Server) handleAPIScorecards(w http.ResponseWriter, c *apiCall) error {
	cards, err := (&lifecycle.Service{Store: s.st, Advisories: &lifecycle.IntelAdvisories{Store: s.st}}).Scorecards(c.ctx, time.Now())
	if err != nil {
		return err
	}
	return writeJSON(w, http.StatusOK, apiPage{Items: nonNil(cards), Total: intPtr(len(cards))})
}

// handleAPINotification prepares a vendor notification for the practice's
// devices of that vendor; vendors are shared, so another practice's
// vendor id answers with no devices.
func (s *Server) handleAPINotification(w http.ResponseWriter, c *apiCall) error {
	id, err := pathID(c, "vendor")
	if err != nil {
		return err
	}
	v, err := s.st.FindVendor(c.ctx, strconv.FormatInt(id, 10))
	if err == nil && v.ID != id {
		err = domain.Errorf(domain.CodeNotFound, "no vendor %d", id)
	}
	if err != nil {
		return err
	}
	q := c.r.URL.Query()
	n, err := (&lifecycle.Service{Store: s.st}).Notify(c.ctx, v, q.Get("model"), q.Get("problem"))
	if err != nil {
		return err
	}
	return writeJSON(w, http.StatusOK, map[string]any{"vendor": n.Vendor, "to": n.To, "subject": n.Subject, "problem": n.Problem,
		"devices": nonNil(n.Rows), "device_count": len(n.Rows), "text": n.Text(c.tenant.Name)})
}

// costDevice loads the practice's device named in the path.
func (s *Server) costDevice(c *apiCall) (*domain.Device, error) {
	id, err := pathID(c, "device")
	if err != nil {
		return nil, err
	}
	return s.st.FindDeviceByID(c.ctx, id)
}

// writeDeviceCost answers with the device's replacement cost as the budget
// now uses it.
func (s *Server) writeDeviceCost(w http.ResponseWriter, c *apiCall, d *domain.Device) error {
	cost, err := (&lifecycle.Service{Store: s.st}).DeviceCost(c.ctx, d)
	if err != nil {
		return err
	}
	return writeJSON(w, http.StatusOK, cost)
}

func (s *Server) handleAPIDeviceCost(w http.ResponseWriter, c *apiCall) error {
	d, err := s.costDevice(c)
	if err != nil {
		return err
	}
	return s.writeDeviceCost(w, c, d)
}

// handleAPIDeviceCostSet sets the device's own replacement cost from
// {"amount": "12,500.00"}; the amount may be a JSON string or number, read
// as decimal text (never through floating point).
func (s *Server) handleAPIDeviceCostSet(w http.ResponseWriter, c *apiCall) error {
	members, err := readObject(w, c.r)
	if err != nil {
		return err
	}
	var raw json.RawMessage
	var problems []domain.Problem
	for _, m := range members {
		if m.name != "amount" {
			problems = append(problems, bodyProblem([]string{m.name}, m.name, "unknown member; expected: amount"))
			continue
		}
		raw = m.value
	}
	if err := invalid(problems); err != nil {
		return err
	}
	var text string
	switch {
	case raw == nil || string(raw) == "null":
		return invalid([]domain.Problem{bodyProblem([]string{"amount"}, "amount", "give the amount, e.g. \"12500.00\"; DELETE removes the device's own cost")})
	case raw[0] == '"':
		_ = json.Unmarshal(raw, &text)
	case raw[0] == '-' || (raw[0] >= '0' && raw[0] <= '9'):
		text = string(raw)
	default:
		return invalid([]domain.Problem{bodyProblem([]string{"amount"}, "amount", "expected a decimal amount as a string or number")})
	}
	cents, err := domain.ParseCents(text)
	if err != nil {
		return invalid([]domain.Problem{bodyProblem([]string{"amount"}, "amount", domain.ErrorMessage(err))})
	}
	d, err := s.costDevice(c)
	if err != nil {
		return err
	}
	if err := s.st.SetDeviceReplacementCost(c.ctx, d.ID, cents); err != nil {
		return err
	}
	return s.writeDeviceCost(w, c, d)
}

func (s *Server) handleAPIDeviceCostClear(w http.ResponseWriter, c *apiCall) error {
	d, err := s.costDevice(c)
	if err != nil {
		return err
	}
	if err := s.st.SetDeviceReplacementCost(c.ctx, d.ID, -1); err != nil {
		return err
	}
	return s.writeDeviceCost(w, c, d)
}
