package web_test

import (
	"bytes"
	"io"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/xuri/excelize/v2"

	"github.com/vigil-med/vigil/internal/domain"
	"github.com/vigil-med/vigil/internal/vigiltest"
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
	_, doc = nurse.get("/vendor-scorecard")
	if got := text(find(doc, "table", "scorecard")[0]); !strings.Contains(got, "BD") || !strings.Contains(got, "not yet measured") {
		t.Fatalf("scorecard: %s", got)
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
