package web_test

import (
	"bytes"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"fmt"
	"mime/multipart"
	"net/http"
	"net/textproto"
	"strings"
	"testing"
	"time"

	"github.com/vigil-med/vigil/internal/domain"
	"github.com/vigil-med/vigil/internal/vigiltest"
)

// lifecycleFixture gives a practice a model with a device, a release with
// its work item and a maintenance window, for the isolation matrix.
func (e *apiEnv) lifecycleFixture(slug string) (patchID, windowID, modelID int64) {
	e.t.Helper()
	ctx := vigiltest.Context(e.tenants[slug].ID)
	maker := strings.Split(slug, "-")[0] + " Infusion Systems"
	d := e.mustDevice(slug, map[domain.Field]string{domain.FieldSerial: "SECRET-" + slug + "-pump", domain.FieldCategory: "infusion",
		domain.FieldManufacturer: maker, domain.FieldModel: "Pump 9", domain.FieldFirmware: "1.0"})
	r := &domain.FirmwareRelease{ModelID: d.ModelID, Version: "SECRET-" + slug + " 2.0", ReleasedOn: domain.Date{Year: 2026, Month: 1, Day: 5}}
	if err := e.st.CreateFirmwareRelease(ctx, r); err != nil {
		e.t.Fatal(err)
	}
	items, err := e.st.FindPatchItems(ctx, domain.PatchFilter{ReleaseID: r.ID})
	if err != nil || len(items) != 1 {
		e.t.Fatalf("fixture work items: %v %v", items, err)
	}
	w := e.mustWindow(slug)
	return items[0].ID, w, d.ModelID
}

func (e *apiEnv) mustWindow(slug string) int64 {
	e.t.Helper()
	w := &domain.MaintenanceWindow{Site: "main", Weekdays: []time.Weekday{time.Sunday}, Start: 120, End: 300, TimeZone: "America/New_York"}
	if err := e.st.CreateMaintenanceWindow(vigiltest.Context(e.tenants[slug].ID), w); err != nil {
		e.t.Fatal(err)
	}
	return w.ID
}

// freshPatch opens a new work item in the practice: a new device of the
// fixture model and a new release for it.
func (e *apiEnv) freshPatch(tg matrixTarget) int64 {
	e.t.Helper()
	e.seq++
	ctx := vigiltest.Context(e.tenants[tg.slug].ID)
	d := e.mustDevice(tg.slug, map[domain.Field]string{domain.FieldSerial: fmt.Sprintf("MOVE-%d", e.seq), domain.FieldCategory: "infusion",
		domain.FieldManufacturer: strings.Split(tg.slug, "-")[0] + " Infusion Systems", domain.FieldModel: "Pump 9", domain.FieldFirmware: "1.0", domain.FieldSite: "main"})
	r := &domain.FirmwareRelease{ModelID: tg.modelID, Version: fmt.Sprintf("move-%d", e.seq), ReleasedOn: domain.Date{Year: 2026, Month: 2, Day: 1}}
	if err := e.st.CreateFirmwareRelease(ctx, r); err != nil {
		e.t.Fatal(err)
	}
	items, _ := e.st.FindPatchItems(ctx, domain.PatchFilter{ReleaseID: r.ID, DeviceID: d.ID})
	if len(items) != 1 {
		e.t.Fatalf("no work item for the fresh device")
	}
	return items[0].ID
}

// evidenceFixture opens a fresh work item in the practice and validates it
// with an evidence file holding the practice's marker.
func (e *apiEnv) evidenceFixture(tg matrixTarget) int64 {
	e.t.Helper()
	id := e.freshPatch(tg)
	f := &domain.EvidenceFile{Name: "bench.txt", ContentType: "text/plain", Content: []byte("SECRET-" + tg.slug + " bench report")}
	if _, err := e.st.MovePatchItem(vigiltest.Context(e.tenants[tg.slug].ID), id, domain.PatchChange{To: domain.PatchValidated, File: f}); err != nil {
		e.t.Fatal(err)
	}
	return id
}

// multipartBody builds a multipart/form-data body of text parts and, when
// name is not empty, one file part "file".
func multipartBody(t *testing.T, fields map[string]string, name string, content []byte) (string, string) {
	t.Helper()
	var b bytes.Buffer
	mw := multipart.NewWriter(&b)
	for k, v := range fields {
		if err := mw.WriteField(k, v); err != nil {
			t.Fatal(err)
		}
	}
	if name != "" {
		h := textproto.MIMEHeader{}
		h.Set("Content-Disposition", fmt.Sprintf(`form-data; name="file"; filename=%q`, name))
		h.Set("Content-Type", "application/octet-stream")
		fw, err := mw.CreatePart(h)
		if err != nil {
			t.Fatal(err)
		}
		fw.Write(content)
	}
	mw.Close()
	return b.String(), mw.FormDataContentType()
}

func init() {
	read, edit := domain.PermReadInventory, domain.PermEditInventory
	move := map[string]any{"to": "validated", "evidence": "bench test on a spare unit"}
	for k, p := range map[string]probe{
		"GET /lifecycle/forecast": {perm: read, build: fixed("/lifecycle/forecast?months=12&by=site")},
		"GET /releases":           {perm: read, build: fixed("/releases")},
		"POST /releases": {perm: edit, build: func(e *apiEnv, tg matrixTarget, _ bool) (string, any) {
			e.seq++
			return "/releases", map[string]any{"model_id": tg.modelID, "version": fmt.Sprintf("probe-%d", e.seq), "released_on": "2026-03-01"}
		}},
		"GET /patches": {perm: read, build: fixed("/patches")},
		"GET /patches/{id}": {perm: read, ids: true, build: func(_ *apiEnv, tg matrixTarget, _ bool) (string, any) {
			return "/patches/" + itoa64(tg.patchID), nil
		}},
		"POST /patches/{id}/moves": {perm: edit, ids: true, build: func(e *apiEnv, tg matrixTarget, fresh bool) (string, any) {
			if !fresh {
				return "/patches/" + itoa64(tg.patchID) + "/moves", move
			}
			return "/patches/" + itoa64(e.freshPatch(tg)) + "/moves", move
		}},
		"GET /patches/{id}/evidence": {perm: read, ids: true, build: func(_ *apiEnv, tg matrixTarget, _ bool) (string, any) {
			return "/patches/" + itoa64(tg.evidenceID) + "/evidence", nil
		}},
		"GET /windows": {perm: read, build: fixed("/windows")},
		"POST /windows": {perm: edit, build: func(*apiEnv, matrixTarget, bool) (string, any) {
			return "/windows", map[string]any{"site": "main", "days": "sun", "start": "02:00", "end": "05:00"}
		}},
		"DELETE /windows/{id}": {perm: edit, ids: true, build: func(e *apiEnv, tg matrixTarget, fresh bool) (string, any) {
			if !fresh {
				return "/windows/" + itoa64(tg.windowID), nil
			}
			return "/windows/" + itoa64(e.mustWindow(tg.slug)), nil
		}},
		"GET /scorecards": {perm: read, build: fixed("/scorecards")},
		"GET /vendors/{id}/notification": {perm: read, ids: true, shared: true, build: func(_ *apiEnv, tg matrixTarget, _ bool) (string, any) {
			return "/vendors/" + itoa64(tg.vendor) + "/notification", nil
		}},
		"GET /devices/{id}/replacement-cost": {perm: read, ids: true, build: func(_ *apiEnv, tg matrixTarget, _ bool) (string, any) {
			return "/devices/" + itoa64(tg.deviceID) + "/replacement-cost", nil
		}},
		"PUT /devices/{id}/replacement-cost": {perm: edit, ids: true, build: func(e *apiEnv, tg matrixTarget, _ bool) (string, any) {
			e.seq++
			return "/devices/" + itoa64(tg.deviceID) + "/replacement-cost", map[string]any{"amount": fmt.Sprintf("%d.25", 1000+e.seq)}
		}},
		"DELETE /devices/{id}/replacement-cost": {perm: edit, ids: true, build: func(_ *apiEnv, tg matrixTarget, _ bool) (string, any) {
			return "/devices/" + itoa64(tg.deviceID) + "/replacement-cost", nil
		}},
	} {
		matrixProbes[k] = p
	}
}

// Ensure a device's replacement cost is read, overridden and cleared
// through the API: the model's default until the device has its own, bad
// money refused with the member named, another practice's device not
// found, a viewer refused, and every change audited.
func TestAPI_ReplacementCost(t *testing.T) {
	e := newAPIEnv(t)
	ctx := vigiltest.Context(e.tenants["alpha-clinic"].ID)
	d := e.mustDevice("alpha-clinic", map[domain.Field]string{domain.FieldSerial: "COST-1", domain.FieldCategory: "infusion",
		domain.FieldManufacturer: "Acme Medical", domain.FieldModel: "Pump 9"})
	if err := e.st.UpsertModel(ctx, &domain.Model{Manufacturer: "Acme Medical", Name: "Pump 9", ReplacementCostCents: 1850000, Currency: "EUR"}); err != nil {
		t.Fatal(err)
	}
	tech := e.newToken("alpha-clinic", domain.RoleTechnician, "tech")
	viewer := e.newToken("alpha-clinic", domain.RoleViewer, "viewer")
	betaTech := e.newToken("beta-clinic", domain.RoleTechnician, "beta tech")
	path := "/devices/" + itoa64(d.ID) + "/replacement-cost"
	want := func(r *apiResp, cost any, source any, own any) {
		t.Helper()
		if r.status != 200 {
			t.Fatalf("status %d: %s", r.status, r.body)
		}
		m := r.json(t)
		if m["cost_cents"] != cost || m["source"] != source || m["device_cost_cents"] != own || m["model_cost_cents"] != float64(1850000) ||
			m["currency"] != "EUR" || m["device_id"] != float64(d.ID) {
			t.Fatalf("cost = %s, want %v from %v (own %v)", r.body, cost, source, own)
		}
	}
	want(e.do(viewer, "GET", path, nil), float64(1850000), "model", nil)

	p := wantProblem(t, e.do(tech, "PUT", path, map[string]any{"amount": "12,3x"}), http.StatusBadRequest)
	if !hasError(p, "#/amount", `"12,3x" is not an amount of money`) {
		t.Fatalf("bad money: %v", problemErrors(p))
	}
	p = wantProblem(t, e.do(tech, "PUT", path, map[string]any{"cost": 5}), http.StatusBadRequest)
	if !hasError(p, "#/cost", "unknown member") {
		t.Fatalf("unknown member: %v", problemErrors(p))
	}
	wantProblem(t, e.do(tech, "PUT", path, map[string]any{"amount": -5}), http.StatusBadRequest)
	wantProblem(t, e.do(viewer, "PUT", path, map[string]any{"amount": "1"}), http.StatusForbidden)
	wantProblem(t, e.do(betaTech, "PUT", path, map[string]any{"amount": "1"}), http.StatusNotFound)
	wantProblem(t, e.do(betaTech, "GET", path, nil), http.StatusNotFound)

	want(e.do(tech, "PUT", path, map[string]any{"amount": "12,500.00"}), float64(1250000), "device", float64(1250000))
	// A JSON number is read as its decimal text: 999.995 rounds half away
	// from zero to 1,000.00, with no floating-point detour.
	want(e.do(tech, "PUT", path, `{"amount": 999.995}`), float64(100000), "device", float64(100000))
	if items, err := e.st.DeviceReplacementCosts(vigiltest.Context(e.tenants["beta-clinic"].ID)); err != nil || len(items) != 0 {
		t.Fatalf("beta's costs: %v %v", items, err)
	}
	want(e.do(tech, "DELETE", path, nil), float64(1850000), "model", nil)
	evs, err := e.st.FindAuditEvents(ctx, domain.AuditFilter{Action: "device.replacement_cost", ObjectType: "device", ObjectID: d.ID})
	if err != nil || len(evs) != 3 || evs[0].Actor.Name != "token:tech" {
		t.Fatalf("audit: %d events %v", len(evs), err)
	}
}

// Ensure the update workflow works through the API: a technician records
// a release and validates, a schedule outside the window is refused, the
// override is an administrator's alone, and the forecast is served.
func TestAPI_PatchWorkflow(t *testing.T) {
	e := newAPIEnv(t)
	patchID, _, modelID := e.lifecycleFixture("alpha-clinic")
	tech := e.newToken("alpha-clinic", domain.RoleTechnician, "tech")
	admin := e.newToken("alpha-clinic", domain.RolePracticeAdmin, "admin")
	path := "/patches/" + itoa64(patchID) + "/moves"
	r := e.do(tech, "POST", path, map[string]any{"to": "scheduled", "at": "2026-03-08T07:30:00Z"})
	if r.status != http.StatusBadRequest || !strings.Contains(string(r.body), "not been validated") {
		t.Fatalf("unvalidated schedule: %d %s", r.status, r.body)
	}
	r = e.do(tech, "POST", path, map[string]any{"to": "scheduled", "at": "2026-03-09T07:30:00Z", "override": true, "reason": "urgent"})
	if r.status != http.StatusForbidden {
		t.Fatalf("technician override: %d %s", r.status, r.body)
	}
	if r = e.do(tech, "POST", path, map[string]any{"to": "validated", "evidence": "bench"}); r.status != 200 || r.json(t)["state"] != "validated" {
		t.Fatalf("validate: %d %s", r.status, r.body)
	}
	if r = e.do(tech, "POST", path, map[string]any{"to": "scheduled", "at": "2026-03-09T07:30:00Z"}); r.status != http.StatusBadRequest ||
		!strings.Contains(string(r.body), "outside every maintenance window") {
		t.Fatalf("schedule on a Monday: %d %s", r.status, r.body)
	}
	r = e.do(admin, "POST", path, map[string]any{"to": "scheduled", "at": "2026-03-09T07:30:00Z", "override": true, "reason": "vendor engineer on site Monday"})
	if r.status != 200 || r.json(t)["override_reason"] != "vendor engineer on site Monday" || r.json(t)["window_id"] != float64(0) {
		t.Fatalf("admin override: %d %s", r.status, r.body)
	}
	if r = e.do(tech, "POST", "/releases", map[string]any{"model_id": modelID, "version": "3.0", "released_on": "2026-02-30"}); r.status != http.StatusBadRequest {
		t.Fatalf("impossible release date: %d %s", r.status, r.body)
	}
	if r = e.do(tech, "GET", "/lifecycle/forecast?by=category&years=3", nil); r.status != 200 {
		t.Fatalf("forecast: %d %s", r.status, r.body)
	}
	evs, _ := e.st.FindAuditEvents(vigiltest.Context(e.tenants["alpha-clinic"].ID), domain.AuditFilter{ObjectType: "patch", ObjectID: patchID})
	if len(evs) != 3 || evs[1].Action != "patch.override" {
		t.Fatalf("audit: %v", actions(evs))
	}
}

func actions(evs []*domain.AuditEvent) []string {
	out := make([]string, len(evs))
	for i, e := range evs {
		out[i] = e.Action
	}
	return out
}

// Ensure a validation carries its evidence file through the API: sent as
// multipart/form-data, described on the work item with its SHA-256,
// downloaded byte for byte as an attachment that is never sniffed, refused
// above 10 MiB with the part named, and out of another practice's reach.
func TestAPI_PatchEvidence(t *testing.T) {
	e := newAPIEnv(t)
	patchID, _, _ := e.lifecycleFixture("alpha-clinic")
	tech := e.newToken("alpha-clinic", domain.RoleTechnician, "tech")
	viewer := e.newToken("alpha-clinic", domain.RoleViewer, "viewer")
	betaAdmin := e.newToken("beta-clinic", domain.RolePracticeAdmin, "beta admin")
	provider := e.newToken("", domain.RoleProviderAdmin, "msp")
	moves := "/patches/" + itoa64(patchID) + "/moves"
	evidence := "/patches/" + itoa64(patchID) + "/evidence"

	wantProblem(t, e.do(viewer, "GET", evidence, nil), http.StatusNotFound) // not validated yet

	big := make([]byte, domain.MaxEvidenceSize+1)
	body, ct := multipartBody(t, map[string]string{"to": "validated"}, "scan.tiff", big)
	p := wantProblem(t, e.do(tech, "POST", moves, body, "Content-Type", ct), http.StatusBadRequest)
	if !hasError(p, "#/file", "(10485761 bytes); the limit is 10 MiB") {
		t.Fatalf("too large: %v", problemErrors(p))
	}
	body, ct = multipartBody(t, map[string]string{"to": "validated", "colour": "red"}, "", nil)
	if p := wantProblem(t, e.do(tech, "POST", moves, body, "Content-Type", ct), http.StatusBadRequest); !hasError(p, "#/colour", "unknown part") {
		t.Fatalf("unknown part: %v", problemErrors(p))
	}

	// A PDF-like report with every byte value in it, named with a
	// character that needs RFC 2231 encoding in the download's header.
	content := []byte("%PDF-1.7\n<script>alert(1)</script>\n")
	for i := range 256 {
		content = append(content, byte(i))
	}
	sum := sha256.Sum256(content)
	body, ct = multipartBody(t, map[string]string{"to": "validated", "evidence": "4 h run on spare pump SN-9, no alarms"}, "prüfbericht.pdf", content)
	r := e.do(tech, "POST", moves, body, "Content-Type", ct)
	if r.status != 200 {
		t.Fatalf("validate with a file: %d %s", r.status, r.body)
	}
	f, _ := r.json(t)["evidence_file"].(map[string]any)
	if f == nil || f["name"] != "prüfbericht.pdf" || f["content_type"] != "application/pdf" || f["size"] != float64(len(content)) ||
		f["sha256"] != hex.EncodeToString(sum[:]) || f["uploaded_by"] != "api:token:tech" || f["href"] != "/api/v1"+evidence {
		t.Fatalf("evidence_file = %v", f)
	}
	if r := e.do(viewer, "GET", "/patches/"+itoa64(patchID), nil); r.json(t)["evidence_file"] == nil {
		t.Fatalf("the item does not show its file: %s", r.body)
	}

	r = e.do(viewer, "GET", evidence, nil)
	if r.status != 200 || !bytes.Equal(r.body, content) {
		t.Fatalf("download: %d, %d bytes", r.status, len(r.body))
	}
	for k, want := range map[string]string{
		"Content-Type":           "application/pdf",
		"Content-Disposition":    "attachment; filename*=utf-8''pr%C3%BCfbericht.pdf",
		"X-Content-Type-Options": "nosniff",
		"Repr-Digest":            "sha-256=:" + base64.StdEncoding.EncodeToString(sum[:]) + ":",
	} {
		if got := r.header.Get(k); got != want {
			t.Errorf("%s = %q, want %q", k, got, want)
		}
	}
	if !strings.Contains(r.header.Get("Content-Security-Policy"), "sandbox") {
		t.Errorf("Content-Security-Policy = %q", r.header.Get("Content-Security-Policy"))
	}
	wantProblem(t, e.do(betaAdmin, "GET", evidence, nil), http.StatusNotFound)
	wantProblem(t, e.do(betaAdmin, "GET", evidence+"?tenant=alpha-clinic", nil), http.StatusNotFound)
	wantProblem(t, e.do(provider, "GET", evidence+"?tenant=beta-clinic", nil), http.StatusNotFound)
	if r := e.do(provider, "GET", "/patches/"+itoa64(patchID)+"?tenant=alpha-clinic", nil); r.status != 200 ||
		r.json(t)["evidence_file"].(map[string]any)["href"] != "/api/v1"+evidence+"?tenant=alpha-clinic" {
		t.Fatalf("provider's view: %s", r.body)
	}
	if r := e.do(provider, "GET", evidence+"?tenant=alpha-clinic", nil); r.status != 200 || !bytes.Equal(r.body, content) {
		t.Fatalf("provider download: %d", r.status)
	}

	evs, _ := e.st.FindAuditEvents(vigiltest.Context(e.tenants["alpha-clinic"].ID), domain.AuditFilter{ObjectType: "patch", ObjectID: patchID})
	if len(evs) != 1 || evs[0].Action != "patch.validated" || !strings.Contains(string(evs[0].After), hex.EncodeToString(sum[:])) {
		t.Fatalf("audit = %v", actions(evs))
	}
	// The next move takes no file.
	body, ct = multipartBody(t, map[string]string{"to": "scheduled", "at": "2026-03-08T07:30:00Z"}, "late.txt", []byte("x"))
	wantProblem(t, e.do(tech, "POST", moves, body, "Content-Type", ct), http.StatusBadRequest)
}
