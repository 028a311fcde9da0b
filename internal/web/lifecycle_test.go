package web_test

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/xuri/excelize/v2"
	"golang.org/x/net/html"

	"github.com/vigil-med/vigil/internal/domain"
	"github.com/vigil-med/vigil/internal/vigiltest"
	"github.com/vigil-med/vigil/internal/web"
)

// Ensure the lifecycle console pages: the forecast with its chart and
// budget, the exports, windows, the work item's forms by role (no override
// for a technician), the vendor notification and scorecard, the plan, and
// stale vendor contacts on the dashboard.
func TestLifecyclePages(t *testing.T) {
	ts, st, ids := setup(t)
	alpha := tenantOf(t, st, "alpha-clinic")
	ctx := vigiltest.Context(alpha)
	if err := st.UpsertModel(ctx, &domain.Model{Manufacturer: "BD", Name: "Alaris 8015", EndOfSupport: domain.DateOf(time.Now().AddDate(0, 3, 0)),
		ReplacementCostCents: 380000, ServiceLifeYears: 10}); err != nil {
		t.Fatal(err)
	}
	if _, _, err := st.UpdateDevice(ctx, ids["alpha-clinic"], map[domain.Field]string{domain.FieldModel: "Alaris 8015", domain.FieldFirmware: "12.1"},
		domain.Source{Kind: domain.SourceManual}); err != nil {
		t.Fatal(err)
	}
	tech := signedIn(t, ts.URL, "tech@alpha-clinic.example")

	_, doc := tech.get("/lifecycle")
	if len(find(doc, "svg", "chart")) != 1 {
		t.Fatal("no budget chart")
	}
	if got := text(find(doc, "table", "budget")[0]); !strings.Contains(got, "3,800.00") {
		t.Fatalf("budget: %s", got)
	}
	if got := text(find(doc, "table", "alerts")[0]); !strings.Contains(got, "Alaris 8015") {
		t.Fatalf("alerts: %s", got)
	}
	resp, _ := tech.c.Get(ts.URL + "/lifecycle/budget.csv?by=site")
	body, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if !strings.HasPrefix(string(body), "site,") || !strings.Contains(string(body), "\nmain,") || !strings.Contains(string(body), ",3800.00,USD\n") {
		t.Fatalf("csv: %s", body)
	}
	resp, _ = tech.c.Get(ts.URL + "/lifecycle/budget.xlsx")
	body, _ = io.ReadAll(resp.Body)
	resp.Body.Close()
	f, err := excelize.OpenReader(bytes.NewReader(body))
	if err != nil {
		t.Fatalf("xlsx: %v", err)
	}
	if rows, _ := f.GetRows("Budget"); len(rows) != 3 || !strings.Contains(strings.Join(rows[1], "|"), "|3,800.00|") {
		t.Fatalf("xlsx budget rows = %q", rows)
	}
	if v, _ := f.GetCellValue("Devices", "F2"); v != "Alaris 8015" {
		t.Fatalf("xlsx devices F2 = %q", v)
	}

	form := url.Values{"csrf": {csrfOf(tech)}, "site": {"main"}, "days": {"sun"}, "start": {"02:00"}, "end": {"05:00"}, "tz": {"Europe/Berlin"}}
	if resp := tech.post("/windows", form); resp.StatusCode != http.StatusSeeOther {
		t.Fatalf("add window: %d", resp.StatusCode)
	}
	form.Set("tz", "Mars/Olympus")
	if resp := tech.post("/windows", form); resp.StatusCode != http.StatusUnprocessableEntity {
		t.Fatalf("bad zone: %d", resp.StatusCode)
	}
	_, doc = tech.get("/windows")
	if got := text(find(doc, "table", "windows")[0]); !strings.Contains(got, "Sun 02:00–05:00 Europe/Berlin") {
		t.Fatalf("windows: %s", got)
	}

	models, _ := st.FindModels(ctx, 0)
	var modelID string
	for _, m := range models {
		if m.Name == "Alaris 8015" {
			modelID = itoa(m.ID)
		}
	}
	if resp := tech.post("/patches/releases", url.Values{"csrf": {csrfOf(tech)}, "model": {modelID}, "version": {"12.2"}, "released": {"2026-01-05"}}); resp.StatusCode != http.StatusSeeOther {
		t.Fatalf("release: %d", resp.StatusCode)
	}
	items, _ := st.FindPatchItems(ctx, domain.PatchFilter{})
	if len(items) != 1 {
		t.Fatalf("work items: %+v", items)
	}
	item := "/patches/" + itoa(items[0].ID)
	_, doc = tech.get(item)
	if len(find(doc, "form", "upload")) != 1 {
		t.Fatalf("a technician sees %d forms on an available item, want the validation form only", len(find(doc, "form", "upload")))
	}
	over := url.Values{"csrf": {csrfOf(tech)}, "to": {"scheduled"}, "override": {"1"}, "reason": {"x"}, "at": {"2026-12-01T10:00"}}
	if resp := tech.post(item, over); resp.StatusCode != http.StatusForbidden {
		t.Fatalf("technician override: %d", resp.StatusCode)
	}
	if resp := tech.post(item, url.Values{"csrf": {csrfOf(tech)}, "to": {"validated"}, "evidence": {"bench"}}); resp.StatusCode != http.StatusSeeOther {
		t.Fatalf("validate: %d", resp.StatusCode)
	}
	// 2026-10-25 is the Sunday Berlin's clocks go back: 02:30 happens twice.
	if resp := tech.post(item, url.Values{"csrf": {csrfOf(tech)}, "to": {"scheduled"}, "at": {"2026-10-25T02:30"}}); resp.StatusCode != http.StatusSeeOther {
		t.Fatalf("schedule in the window: %d", resp.StatusCode)
	}
	if p, _ := st.FindPatchItem(ctx, items[0].ID); p.State != domain.PatchScheduled || p.WindowID == 0 {
		t.Fatalf("after scheduling: %+v", p)
	}

	nurse := signedIn(t, ts.URL, "nurse@alpha.example")
	if resp := nurse.post(item, url.Values{"csrf": {csrfOf(nurse)}, "to": {"applied"}}); resp.StatusCode != http.StatusForbidden {
		t.Fatalf("viewer moves an item: %d", resp.StatusCode)
	}
	v, _ := st.FindVendor(ctx, "BD")
	_, doc = nurse.get("/vendors/" + itoa(v.ID) + "/notify?problem=CVE-2026-1")
	if got := text(find(doc, "pre", "message")[0]); !strings.Contains(got, "CVE-2026-1") || !strings.Contains(got, "serial S-alpha-clinic") ||
		strings.Contains(got, "beta") {
		t.Fatalf("notification: %s", got)
	}
	// An advisory about a BD product, named the way coordinators write it,
	// counts for BD's advisory publication.
	if _, err := st.SaveAdvisory(vigiltest.Context(0), &domain.Advisory{ID: "ICSMA-99-001-01", Title: "BD pump", Publisher: "CISA", Category: "csaf_security_advisory",
		Revision: "1", Released: time.Date(2025, 3, 4, 6, 0, 0, 0, time.UTC), Products: []domain.Product{{ID: "P1", Vendor: "Becton, Dickinson and Company", Name: "Alaris 8015"}},
		Vulns: []domain.AdvisoryVuln{{CVE: "CVE-2099-0002"}}}); err != nil {
		t.Fatal(err)
	}
	_, doc = nurse.get("/vendor-scorecard")
	if got := text(find(doc, "table", "scorecard")[0]); !strings.Contains(got, "BD") || !strings.Contains(got, "ask for machine-readable (CSAF) advisories of their own") {
		t.Fatalf("scorecard: %s", got)
	}
	if got := text(find(doc, "td", "advisories")[0]); got != "1 (latest 2025-03-04)" {
		t.Fatalf("advisories cell: %q", got)
	}
	_, doc = nurse.get("/lifecycle/plan")
	if got := text(find(doc, "div", "plan")[0]); !strings.Contains(got, "12.2") || !strings.Contains(got, "3,800.00") || !strings.Contains(got, "confirm the security contacts") {
		t.Fatalf("plan: %s", got)
	}
	_, doc = nurse.get("/dashboard")
	if got := text(doc); !strings.Contains(got, "Vendor contacts not verified for over a year: BD") {
		t.Fatalf("dashboard lacks the stale vendor")
	}
}

// Ensure the device page shows the replacement cost the budget uses and
// says where it comes from, and that an editor sets and clears the
// device's own cost there: bad money is refused beside the field, a viewer
// sees no form and is refused, and each change is audited.
func TestDeviceReplacementCost(t *testing.T) {
	ts, st, ids := setup(t)
	alpha := tenantOf(t, st, "alpha-clinic")
	ctx := vigiltest.Context(alpha)
	if err := st.UpsertModel(ctx, &domain.Model{Manufacturer: "BD", Name: "Alaris 8015", ReplacementCostCents: 380000}); err != nil {
		t.Fatal(err)
	}
	dev := "/devices/" + itoa(ids["alpha-clinic"])
	tech := signedIn(t, ts.URL, "tech@alpha-clinic.example")
	costOf := func(doc *html.Node) string {
		t.Helper()
		for _, p := range find(doc, "p", "cost") {
			return strings.Join(strings.Fields(text(p)), " ")
		}
		t.Fatal("no replacement cost on the page")
		return ""
	}
	if _, doc := tech.get(dev); !strings.HasPrefix(costOf(doc), "Unknown") {
		t.Fatalf("a device without a model: %q", costOf(doc))
	}
	if _, _, err := st.UpdateDevice(ctx, ids["alpha-clinic"], map[domain.Field]string{domain.FieldModel: "Alaris 8015"}, domain.Source{Kind: domain.SourceManual}); err != nil {
		t.Fatal(err)
	}
	_, doc := tech.get(dev)
	if got := costOf(doc); got != "3,800.00 USD the model's default" {
		t.Fatalf("cost = %q", got)
	}
	if len(find(doc, "form", "cost-form")) != 1 {
		t.Fatal("a technician has no cost form")
	}

	resp, doc := tech.postDoc(dev+"/replacement-cost", url.Values{"csrf": {csrfOf(tech)}, "amount": {"12,3x"}})
	if resp.StatusCode != http.StatusUnprocessableEntity || !strings.Contains(fieldError(doc, "amount"), `"12,3x" is not an amount of money`) ||
		inputValue(doc, "amount") != "12,3x" {
		t.Fatalf("bad money: %d %q, input %q", resp.StatusCode, fieldError(doc, "amount"), inputValue(doc, "amount"))
	}
	if resp := tech.post(dev+"/replacement-cost", url.Values{"amount": {"1"}}); resp.StatusCode != http.StatusForbidden {
		t.Fatalf("without the CSRF token: %d", resp.StatusCode)
	}
	if resp := tech.post(dev+"/replacement-cost", url.Values{"csrf": {csrfOf(tech)}, "amount": {"$12,500.5"}}); resp.StatusCode != http.StatusSeeOther {
		t.Fatalf("set: %d", resp.StatusCode)
	}
	_, doc = tech.get(dev)
	if got := costOf(doc); got != "12,500.50 USD this device's own; the model's default is 3,800.00" || inputValue(doc, "amount") != "12,500.50" {
		t.Fatalf("after setting: %q, input %q", got, inputValue(doc, "amount"))
	}
	if notes := find(doc, "li", "note"); len(notes) != 1 || text(notes[0]) != "Replacement cost: the model's → 12,500.50" {
		t.Fatalf("history: %d notes", len(notes))
	}
	if costs, _ := st.DeviceReplacementCosts(ctx); costs[ids["alpha-clinic"]] != 1250050 {
		t.Fatalf("stored %v", costs)
	}

	nurse := signedIn(t, ts.URL, "nurse@alpha.example")
	if _, doc := nurse.get(dev); len(find(doc, "form", "cost-form")) != 0 || !strings.Contains(costOf(doc), "12,500.50") {
		t.Fatal("a viewer sees the cost form, or not the cost")
	}
	if resp := nurse.post(dev+"/replacement-cost", url.Values{"csrf": {csrfOf(nurse)}, "clear": {"1"}}); resp.StatusCode != http.StatusForbidden {
		t.Fatalf("viewer clears: %d", resp.StatusCode)
	}
	beta := signedIn(t, ts.URL, "tech@beta-clinic.example")
	if resp := beta.post(dev+"/replacement-cost", url.Values{"csrf": {csrfOf(beta)}, "clear": {"1"}}); resp.StatusCode != http.StatusNotFound {
		t.Fatalf("another practice clears: %d", resp.StatusCode)
	}

	if resp := tech.post(dev+"/replacement-cost", url.Values{"csrf": {csrfOf(tech)}, "clear": {"1"}, "amount": {"12,500.50"}}); resp.StatusCode != http.StatusSeeOther {
		t.Fatalf("clear: %d", resp.StatusCode)
	}
	if _, doc := tech.get(dev); costOf(doc) != "3,800.00 USD the model's default" {
		t.Fatalf("after clearing: %q", costOf(doc))
	}
	evs, _ := st.FindAuditEvents(ctx, domain.AuditFilter{Action: "device.replacement_cost"})
	if len(evs) != 2 || evs[0].Actor.Name != "tech@alpha-clinic.example" {
		t.Fatalf("audit: %d events", len(evs))
	}
}

// Ensure a technician attaches the test report when validating on the work
// item's page: too large a file is refused on the page, the page links the
// stored file with its digest, the download is the same bytes as an
// attachment that is never sniffed, and another practice cannot fetch it.
func TestPatchEvidenceUpload(t *testing.T) {
	ts, st, ids := setup(t)
	alpha := tenantOf(t, st, "alpha-clinic")
	ctx := vigiltest.Context(alpha)
	if _, _, err := st.UpdateDevice(ctx, ids["alpha-clinic"], map[domain.Field]string{domain.FieldModel: "Alaris 8015", domain.FieldFirmware: "12.1"},
		domain.Source{Kind: domain.SourceManual}); err != nil {
		t.Fatal(err)
	}
	rel := &domain.FirmwareRelease{Manufacturer: "BD", Model: "Alaris 8015", Version: "12.2", ReleasedOn: domain.Date{Year: 2026, Month: 1, Day: 5}}
	if err := st.CreateFirmwareRelease(ctx, rel); err != nil {
		t.Fatal(err)
	}
	items, _ := st.FindPatchItems(ctx, domain.PatchFilter{ReleaseID: rel.ID})
	if len(items) != 1 {
		t.Fatalf("work items: %+v", items)
	}
	item := "/patches/" + itoa(items[0].ID)
	tech := signedIn(t, ts.URL, "tech@alpha-clinic.example")
	fields := map[string]string{"csrf": csrfOf(tech), "to": "validated"}

	_, doc := tech.get(item)
	if forms := find(doc, "form", "upload"); len(forms) != 1 || attr(forms[0], "enctype") != "multipart/form-data" {
		t.Fatal("the validation form does not upload files")
	}
	resp, doc := tech.upload(item, "scan.tiff", strings.Repeat("x", domain.MaxEvidenceSize+1), fields)
	if resp.StatusCode != http.StatusUnprocessableEntity || !strings.Contains(text(find(doc, "p", "error")[0]), `"scan.tiff" is 10.0 MiB (10485761 bytes); the limit is 10 MiB`) {
		t.Fatalf("too large: %d", resp.StatusCode)
	}
	if p, _ := st.FindPatchItem(ctx, items[0].ID); p.State != domain.PatchAvailable {
		t.Fatalf("a refused upload moved the item to %s", p.State)
	}
	report := "Bench test, spare pump SN-9: 4 h at 125 mL/h, no alarms.\n<script>alert(1)</script>\n"
	if resp, _ := tech.upload(item, "bench-report.txt", report, fields); resp.StatusCode != http.StatusSeeOther {
		t.Fatalf("upload: %d", resp.StatusCode)
	}
	_, doc = tech.get(item)
	links := find(doc, "a", "evidence")
	sum := sha256.Sum256([]byte(report))
	if len(links) != 1 || text(links[0]) != "bench-report.txt" || attr(links[0], "href") != item+"/evidence?tenant=alpha-clinic" ||
		text(find(doc, "code", "digest")[0]) != hex.EncodeToString(sum[:]) {
		t.Fatalf("the page does not link the file: %d links", len(links))
	}
	if got := text(find(doc, "td", "")[4]); !strings.Contains(got, "report attached: bench-report.txt") {
		t.Fatalf("validated: %q", got)
	}

	nurse := signedIn(t, ts.URL, "nurse@alpha.example")
	resp, err := nurse.c.Get(ts.URL + attr(links[0], "href"))
	if err != nil {
		t.Fatal(err)
	}
	body, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if resp.StatusCode != 200 || string(body) != report || resp.Header.Get("Content-Disposition") != `attachment; filename=bench-report.txt` ||
		resp.Header.Get("X-Content-Type-Options") != "nosniff" || resp.Header.Get("Content-Type") != "text/plain; charset=utf-8" {
		t.Fatalf("download: %d %q %v", resp.StatusCode, body, resp.Header)
	}
	beta := signedIn(t, ts.URL, "tech@beta-clinic.example")
	for _, path := range []string{item + "/evidence", item + "/evidence?tenant=alpha-clinic"} {
		resp, err := beta.c.Get(ts.URL + path)
		if err != nil {
			t.Fatal(err)
		}
		body, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		if resp.StatusCode < 400 || strings.Contains(string(body), "spare pump") {
			t.Fatalf("another practice downloads %s: %d", path, resp.StatusCode)
		}
	}
	evs, _ := st.FindAuditEvents(ctx, domain.AuditFilter{ObjectType: "patch", ObjectID: items[0].ID})
	if len(evs) != 1 || !strings.Contains(string(evs[0].After), hex.EncodeToString(sum[:])) {
		t.Fatalf("audit: %v", actions(evs))
	}
}

// Ensure a request larger than any upload Vigil takes is refused up front
// with its size, on the console and the API, before anything is read.
func TestRequestTooLarge(t *testing.T) {
	st := vigiltest.MustOpenSQLite(t)
	srv, err := web.NewServer(st, nil)
	if err != nil {
		t.Fatal(err)
	}
	for _, path := range []string{"/patches/1", "/api/v1/patches/1/moves"} {
		req := httptest.NewRequest("POST", path, strings.NewReader("x"))
		req.ContentLength = 50 << 20
		rec := httptest.NewRecorder()
		srv.ServeHTTP(rec, req)
		if rec.Code != http.StatusRequestEntityTooLarge || !strings.Contains(rec.Body.String(), "the request is 50.0 MiB; Vigil takes uploads of up to 32.0 MiB") {
			t.Errorf("%s: %d %s", path, rec.Code, rec.Body)
		}
	}
}
