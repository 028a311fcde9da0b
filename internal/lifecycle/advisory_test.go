package lifecycle_test

import (
	"context"
	"os"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/vigil-med/vigil/internal/domain"
	"github.com/vigil-med/vigil/internal/intel"
	"github.com/vigil-med/vigil/internal/lifecycle"
	"github.com/vigil-med/vigil/internal/store"
	"github.com/vigil-med/vigil/internal/vigiltest"
)

// importAdvisory stores a CSAF file and matches the practice against it,
// as `vigil feeds import` does.
func importAdvisory(t *testing.T, st store.Store, tctx context.Context, path string) string {
	t.Helper()
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	doc, err := intel.ReadDocument(path, f)
	if err != nil {
		t.Fatal(err)
	}
	if err := intel.Apply(vigiltest.Context(0), st, doc, &intel.ImportSummary{}); err != nil {
		t.Fatal(err)
	}
	m, err := intel.Load(tctx, st)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := intel.Rematch(tctx, st, m); err != nil {
		t.Fatal(err)
	}
	return doc.Advisory.ID
}

// Ensure a real advisory's vendor_fix remediation becomes an available
// update for the model in the fleet it affects: ICSMA-24-200-01 tells Vue
// PACS users to upgrade to 12.2.8.400 and, for CVE-2021-28165, to
// 12.2.8.410; the practice's PACS on 12.2.1.5 gets the newer one, dated
// with the advisory and carrying its text, with a work item for the
// affected server only; importing again records nothing; a practice
// without the model gets nothing; a version typed by hand is kept.
func TestAdvisoryReleases(t *testing.T) {
	st := vigiltest.MustOpenSQLite(t)
	var ctxs []context.Context
	for _, name := range []string{"Harbor Clinic", "Inland Clinic"} {
		tn := &domain.Tenant{Name: name}
		if err := st.CreateTenant(vigiltest.Context(0), tn); err != nil {
			t.Fatal(err)
		}
		ctx := vigiltest.Context(tn.ID)
		if err := st.CreateSite(ctx, &domain.Site{Name: "Main"}); err != nil {
			t.Fatal(err)
		}
		ctxs = append(ctxs, ctx)
	}
	a, b := ctxs[0], ctxs[1]
	add := func(ctx context.Context, serial, maker, model, fw string) *domain.Device {
		d := &domain.Device{Serial: serial, Category: "workstation", Manufacturer: maker, Model: model, Firmware: fw}
		if err := st.CreateDevice(ctx, d, domain.Source{Kind: domain.SourceManual}); err != nil {
			t.Fatal(err)
		}
		return d
	}
	old := add(a, "PACS-1", "Philips", "Vue PACS", "12.2.1.5")
	add(a, "PACS-2", "Philips", "Vue PACS", "12.2.8.410") // already fixed
	add(a, "MON-1", "Philips", "IntelliVue MX450", "N.00.08")
	add(b, "MON-9", "Philips", "IntelliVue MX450", "N.00.08")

	id := importAdvisory(t, st, a, vigiltest.SharedData(t, "csaf/icsma/2024/icsma-24-200-01.json"))
	svc := &lifecycle.Service{Store: st}
	got, err := svc.AdvisoryReleases(a, []string{id})
	if err != nil {
		t.Fatal(err)
	}
	if len(got) != 1 {
		t.Fatalf("releases = %+v, want one for Vue PACS", got)
	}
	r := got[0]
	if r.Manufacturer != "Philips" || r.Model != "Vue PACS" || r.Version != "12.2.8.410" || r.Source != "advisory" || r.AdvisoryRef != "ICSMA-24-200-01" ||
		r.ReleasedOn.String() != "2024-07-18" || !strings.Contains(r.Notes, "upgrading to the Vue PACS version 12.2.8.410* released in October 2023") || r.Devices != 1 {
		t.Fatalf("release = %+v", r)
	}
	items, err := st.FindPatchItems(a, domain.PatchFilter{ReleaseID: r.ID})
	if err != nil || len(items) != 1 || items[0].DeviceID != old.ID || items[0].State != domain.PatchAvailable {
		t.Fatalf("work items = %+v, %v", items, err)
	}
	if again, err := svc.AdvisoryReleases(a, []string{id}); err != nil || len(again) != 0 {
		t.Fatalf("a second import recorded %+v, %v", again, err)
	}
	if list, _ := st.FindFirmwareReleases(a, 0); len(list) != 1 {
		t.Fatalf("releases after two imports: %d", len(list))
	}
	evs, _ := st.FindAuditEvents(a, domain.AuditFilter{Action: "release.create"})
	if len(evs) != 1 || !strings.Contains(string(evs[0].After), "ICSMA-24-200-01") {
		t.Fatalf("audit: %d release.create events", len(evs))
	}

	// An older advisory's fix for the same model (ICSMA-21-187-01 names
	// 12.2.8.100) is superseded by the one on record.
	older := importAdvisory(t, st, a, vigiltest.SharedData(t, "csaf/icsma/2021/icsma-21-187-01.json"))
	if got, err := svc.AdvisoryReleases(a, []string{older, id}); err != nil || len(got) != 0 {
		t.Fatalf("a superseded fix was recorded: %+v, %v", got, err)
	}

	if err := importOnly(st, b); err != nil {
		t.Fatal(err)
	}
	if got, err := svc.AdvisoryReleases(b, []string{id}); err != nil || len(got) != 0 {
		t.Fatalf("a practice without Vue PACS: %+v, %v", got, err)
	}

	// A practice that typed the release in first keeps its own.
	c := vigiltest.Context(0)
	tn := &domain.Tenant{Name: "Coast Clinic"}
	if err := st.CreateTenant(c, tn); err != nil {
		t.Fatal(err)
	}
	cc := vigiltest.Context(tn.ID)
	if err := st.CreateSite(cc, &domain.Site{Name: "Main"}); err != nil {
		t.Fatal(err)
	}
	add(cc, "PACS-7", "Philips", "Vue PACS", "12.2.1.5")
	manual := &domain.FirmwareRelease{Manufacturer: "Philips", Model: "Vue PACS", Version: "12.2.8.410", ReleasedOn: domain.Date{Year: 2023, Month: 10, Day: 2}, Notes: "from the Philips portal"}
	if err := st.CreateFirmwareRelease(cc, manual); err != nil {
		t.Fatal(err)
	}
	if err := importOnly(st, cc); err != nil {
		t.Fatal(err)
	}
	if got, err := svc.AdvisoryReleases(cc, []string{id}); err != nil || len(got) != 0 {
		t.Fatalf("over a hand-typed release: %+v, %v", got, err)
	}
	if list, _ := st.FindFirmwareReleases(cc, 0); len(list) != 1 || list[0].Source != "manual" {
		t.Fatalf("releases = %+v", list)
	}
}

// importOnly matches the practice against the advisories already stored.
func importOnly(st store.Store, ctx context.Context) error {
	m, err := intel.Load(ctx, st)
	if err != nil {
		return err
	}
	_, err = intel.Rematch(ctx, st, m)
	return err
}

// Ensure the scorecard's advisory publication comes from the advisories on
// record: two CISA advisories about Philips products (ICSMA-21-187-01 and
// ICSMA-24-200-01) count for Philips with the latest date, and ask for
// Philips' own CSAF; a vendor that publishes its own CSAF advisory is
// machine-readable; a vendor no advisory names counts zero.
func TestScorecards_AdvisoryPublication(t *testing.T) {
	st := vigiltest.MustOpenSQLite(t)
	tn := &domain.Tenant{Name: "Harbor Clinic"}
	if err := st.CreateTenant(vigiltest.Context(0), tn); err != nil {
		t.Fatal(err)
	}
	ctx := vigiltest.Context(tn.ID)
	if err := st.CreateSite(ctx, &domain.Site{Name: "Main"}); err != nil {
		t.Fatal(err)
	}
	for _, d := range []*domain.Device{
		{Serial: "PACS-1", Category: "workstation", Manufacturer: "Philips", Model: "Vue PACS", Firmware: "12.2.1.5"},
		{Serial: "PUMP-1", Category: "infusion", Manufacturer: "Acme Medical", Model: "Pump 9"},
		{Serial: "SCOPE-1", Category: "imaging", Manufacturer: "Olympus", Model: "OER-Pro"},
	} {
		if err := st.CreateDevice(ctx, d, domain.Source{Kind: domain.SourceManual}); err != nil {
			t.Fatal(err)
		}
	}
	importAdvisory(t, st, ctx, vigiltest.SharedData(t, "csaf/icsma/2021/icsma-21-187-01.json"))
	importAdvisory(t, st, ctx, vigiltest.SharedData(t, "csaf/icsma/2024/icsma-24-200-01.json"))
	own := &domain.Advisory{ID: "ACME-2026-001", Title: "Pump 9 service password", Publisher: "Acme Medical, Inc.", Category: "csaf_security_advisory",
		Revision: "1", Released: time.Date(2026, 2, 3, 0, 0, 0, 0, time.UTC),
		Products: []domain.Product{{ID: "P1", Vendor: "Acme Medical", Name: "Pump 9", VersionRange: "<4.2"}}, Vulns: []domain.AdvisoryVuln{{CVE: "CVE-2099-0003"}}}
	if _, err := st.SaveAdvisory(vigiltest.Context(0), own); err != nil {
		t.Fatal(err)
	}
	cards, err := (&lifecycle.Service{Store: st, Advisories: &lifecycle.IntelAdvisories{Store: st}}).Scorecards(ctx, time.Date(2026, 6, 1, 0, 0, 0, 0, time.UTC))
	if err != nil {
		t.Fatal(err)
	}
	got := map[string]lifecycle.Scorecard{}
	for _, c := range cards {
		got[c.Vendor] = c
	}
	latest := func(c lifecycle.Scorecard) string {
		if c.AdvisoriesLatest == nil {
			return ""
		}
		return *c.AdvisoriesLatest
	}
	p := got["Philips"]
	if p.Advisories == nil || *p.Advisories != 2 || p.AdvisoriesMachine || latest(p) != "2024-07-18" ||
		!slices.Contains(p.FollowUp, "ask for machine-readable (CSAF) advisories of their own: the 2 on record about their products (latest 2024-07-18) were published by others") {
		t.Errorf("Philips: %d advisories, machine %v, latest %q, follow-up %q", deref(p.Advisories), p.AdvisoriesMachine, latest(p), p.FollowUp)
	}
	a := got["Acme Medical"]
	if a.Advisories == nil || *a.Advisories != 1 || !a.AdvisoriesMachine || latest(a) != "2026-02-03" ||
		slices.ContainsFunc(a.FollowUp, func(s string) bool { return strings.Contains(s, "machine-readable") }) {
		t.Errorf("Acme: %+v", a)
	}
	o := got["Olympus"]
	if o.Advisories == nil || *o.Advisories != 0 || o.AdvisoriesLatest != nil {
		t.Errorf("Olympus: %+v", o)
	}
	// Without a source the card says nothing about advisories.
	cards, _ = (&lifecycle.Service{Store: st}).Scorecards(ctx, time.Now())
	for _, c := range cards {
		if c.Advisories != nil {
			t.Errorf("%s measured without a source", c.Vendor)
		}
	}
}

func deref(p *int) int {
	if p == nil {
		return -1
	}
	return *p
}
