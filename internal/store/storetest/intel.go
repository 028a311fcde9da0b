package storetest

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/vigil-med/vigil/internal/domain"
	"github.com/vigil-med/vigil/internal/store"
)

func testAdvisory(rev string, updated time.Time, cves ...string) *domain.Advisory {
	a := &domain.Advisory{ID: "ICSMA-99-001-01", Title: "Acme Pump", Publisher: "CISA", Revision: rev, Updated: updated,
		Released: time.Date(2024, 1, 2, 0, 0, 0, 0, time.UTC),
		Products: []domain.Product{{ID: "P1", Vendor: "Acme", Name: "Pump", VersionRange: "<= 2.0"}}}
	for _, c := range cves {
		a.Vulns = append(a.Vulns, domain.AdvisoryVuln{CVE: c, Status: map[domain.ProductStatus][]string{domain.StatusKnownAffected: {"P1"}},
			Scores: []domain.Score{{Version: "3.1", Base: 7.5}}})
	}
	return a
}

func testIntel(t *testing.T, open Opener) {
	s := open(t)
	ctx := ctxFor(0)
	day := time.Date(2024, 1, 2, 0, 0, 0, 0, time.UTC)

	t.Run("Advisory", func(t *testing.T) {
		for _, step := range []struct {
			a    *domain.Advisory
			want domain.AdvisoryChange
		}{
			{testAdvisory("1", day, "CVE-2099-0001"), domain.AdvisoryNew},
			{testAdvisory("1", day, "CVE-2099-0001"), domain.AdvisoryUnchanged},
			{testAdvisory("2", day.AddDate(0, 1, 0), "CVE-2099-0001", "CVE-2099-0002"), domain.AdvisoryRevised},
			{testAdvisory("1", day, "CVE-2099-0001"), domain.AdvisoryOlder},
		} {
			got, err := s.SaveAdvisory(ctx, step.a)
			if err != nil || got != step.want {
				t.Fatalf("SaveAdvisory(revision %s) = %q, %v; want %q", step.a.Revision, got, err, step.want)
			}
		}
		a, revs, err := s.FindAdvisory(ctx, "icsma-99-001-01")
		if err != nil {
			t.Fatal(err)
		}
		if a.Revision != "2" || len(a.Vulns) != 2 {
			t.Errorf("held revision %s with %d vulns, want revision 2 with 2", a.Revision, len(a.Vulns))
		}
		if len(revs) != 2 || !strings.Contains(revs[1].Summary, "adds CVE-2099-0002") {
			t.Errorf("revisions %+v, want 2 with the second adding CVE-2099-0002", revs)
		}
		list, err := s.FindAdvisories(ctx)
		if err != nil || len(list) != 1 || list[0].MaxScore != 7.5 || !slices.Equal(list[0].CVEs, []string{"CVE-2099-0001", "CVE-2099-0002"}) {
			t.Errorf("FindAdvisories = %+v, %v", list, err)
		}
		if _, _, err := s.FindAdvisory(ctx, "nope"); domain.ErrorCode(err) != domain.CodeNotFound {
			t.Errorf("FindAdvisory(nope) = %v", err)
		}
	})

	t.Run("CVE", func(t *testing.T) {
		cves := []*domain.CVE{
			{ID: "CVE-2099-0001", Description: "old", Matches: []domain.CPEMatch{{Criteria: "cpe:2.3:o:acme:pump_firmware:*:*:*:*:*:*:*:*", Vulnerable: true, VersionEndExcluding: "2.1"}}},
			{ID: "CVE-2099-0003", Description: "no configurations"},
		}
		for i := range 450 { // past one bulk batch
			cves = append(cves, &domain.CVE{ID: fmt.Sprintf("CVE-2098-%04d", i), Scores: []domain.Score{{Base: 5}}})
		}
		if n, err := s.SaveCVEs(ctx, cves); err != nil || n != 452 {
			t.Fatalf("SaveCVEs = %d, %v", n, err)
		}
		cves[0] = &domain.CVE{ID: "CVE-2099-0001", Description: "new", Matches: cves[0].Matches}
		if _, err := s.SaveCVEs(ctx, cves[:1]); err != nil {
			t.Fatal(err)
		}
		c, err := s.FindCVE(ctx, "cve-2099-0001")
		if err != nil || c.Description != "new" {
			t.Fatalf("FindCVE = %+v, %v", c, err)
		}
		var with []string
		if err := s.EachCVEWithMatches(ctx, func(c *domain.CVE) error { with = append(with, c.ID); return nil }); err != nil {
			t.Fatal(err)
		}
		if !slices.Equal(with, []string{"CVE-2099-0001"}) {
			t.Errorf("CVEs with matches = %v", with)
		}
		if _, err := s.SaveKEV(ctx, []domain.KEVEntry{{CVE: "CVE-2099-0001", Vendor: "Acme", DueDate: domain.Date{Year: 2024, Month: 3, Day: 1}}}); err != nil {
			t.Fatal(err)
		}
		if _, err := s.SaveEPSS(ctx, []domain.EPSSScore{{CVE: "CVE-2099-0001", Probability: 0.5, Percentile: 0.97}, {CVE: "CVE-2099-0001", Probability: 0.6, Percentile: 0.98}}); err != nil {
			t.Fatal(err)
		}
		kev, err := s.FindKEV(ctx, []string{"CVE-2099-0001", "CVE-2099-0003"})
		if err != nil || len(kev) != 1 || kev["CVE-2099-0001"].DueDate.String() != "2024-03-01" {
			t.Errorf("FindKEV = %v, %v", kev, err)
		}
		epss, err := s.FindEPSS(ctx, []string{"CVE-2099-0001"})
		if err != nil || epss["CVE-2099-0001"] == nil || epss["CVE-2099-0001"].Probability != 0.6 {
			t.Errorf("FindEPSS = %v, %v", epss, err)
		}
	})

	t.Run("VEX", func(t *testing.T) {
		st := []domain.VEXStatement{{Vuln: "CVE-2099-0001", Status: domain.VEXNotAffected, Justification: "component_not_present", Products: []domain.Product{{Name: "Pump", Version: "2.0"}}}}
		for want := range []int{1, 0} {
			n, err := s.SaveVEX(ctx, st)
			if err != nil || n != 1-want {
				t.Fatalf("SaveVEX = %d, %v; want %d", n, err, 1-want)
			}
		}
		var got []domain.VEXStatement
		_ = s.EachVEX(ctx, func(v *domain.VEXStatement) error { got = append(got, *v); return nil })
		if len(got) != 1 || got[0].Justification != "component_not_present" {
			t.Errorf("EachVEX = %+v", got)
		}
	})

	t.Run("Vulnerabilities", func(t *testing.T) { testVulns(t, s) })
}

func testVulns(t *testing.T, s store.Store) {
	a := practice(t, s, "Vuln A", "Main")
	b := practice(t, s, "Vuln B", "Main")
	d1 := mustCreate(t, s, a, map[domain.Field]string{domain.FieldName: "pump-1", domain.FieldManufacturer: "Acme", domain.FieldModel: "Pump", domain.FieldFirmware: "2.0"})
	d2 := mustCreate(t, s, a, map[domain.Field]string{domain.FieldName: "pump-2", domain.FieldManufacturer: "Acme", domain.FieldModel: "Pump"})
	for _, tc := range []struct {
		ctx    context.Context
		vendor string
		want   int
	}{{a, "", 2}, {a, "Acme", 2}, {a, "Nobody Inc", 0}, {b, "", 0}} {
		var got []*domain.Device
		if err := s.EachDeviceToMatch(tc.ctx, tc.vendor, func(d *domain.Device) error { got = append(got, d); return nil }); err != nil || len(got) != tc.want {
			t.Fatalf("EachDeviceToMatch(%q) = %d devices, %v; want %d", tc.vendor, len(got), err, tc.want)
		}
		if len(got) > 0 && (got[0].Model != "Pump" || got[0].Firmware != "2.0" || got[0].ModelID == 0) {
			t.Fatalf("EachDeviceToMatch row %+v", got[0])
		}
	}
	rows := []domain.DeviceVulnerability{
		{DeviceID: d1.ID, AdvisoryID: "ICSMA-99-001-01", CVE: "CVE-2099-0001", Status: domain.VulnAffected, Reason: "2.0 <= 2.0", FixedIn: "2.1",
			Remediations: []domain.Remediation{{Category: domain.RemedyVendorFix, Details: "Update"}}, Products: []string{"P1"}},
		{DeviceID: d2.ID, AdvisoryID: "ICSMA-99-001-01", CVE: "CVE-2099-0001", Status: domain.VulnPossiblyAffected, Reason: "no version"},
	}
	res, err := s.ReplaceVulnerabilities(a, nil, rows)
	if err != nil || res.NewlyAffected != 2 || res.Matches != 2 {
		t.Fatalf("ReplaceVulnerabilities = %+v, %v", res, err)
	}
	// Another practice cannot write rows for a's devices or see them.
	if got, err := s.FindVulnerabilities(b, domain.VulnFilter{}); err != nil || len(got) != 0 {
		t.Fatalf("practice B sees %d rows, %v", len(got), err)
	}
	if _, err := s.DecideVulnerability(b, domain.VulnDecision{DeviceID: d1.ID, AdvisoryID: "ICSMA-99-001-01", CVE: "CVE-2099-0001", Status: domain.VulnMitigated, Reason: "x"}); domain.ErrorCode(err) != domain.CodeNotFound {
		t.Fatalf("practice B decides A's row: %v", err)
	}
	if got, err := s.FindVulnerabilities(a, domain.VulnFilter{KEV: true}); err != nil || len(got) != 2 || got[0].Status != domain.VulnAffected {
		t.Fatalf("FindVulnerabilities(KEV) = %d rows, %v; want 2, affected first", len(got), err)
	}
	got, err := s.FindVulnerabilities(a, domain.VulnFilter{DeviceID: d1.ID, KEV: true})
	if err != nil || len(got) != 1 || got[0].DeviceID != d1.ID || got[0].KEV == nil || got[0].EPSS == nil || got[0].AdvisoryTitle != "Acme Pump" ||
		got[0].FixedIn != "2.1" || len(got[0].Remediations) != 1 || got[0].DeviceName != "pump-1" {
		t.Fatalf("FindVulnerabilities(KEV) = %+v, %v", got, err)
	}
	if c, err := s.CountVulnerable(a); err != nil || c.Affected != 2 || c.KEV != 2 {
		t.Fatalf("CountVulnerable = %+v, %v; want 2 and 2", c, err)
	}
	if c, err := s.CountVulnerable(b); err != nil || c.Affected != 0 {
		t.Fatalf("CountVulnerable(B) = %+v, %v", c, err)
	}
	// A decision needs a reason, and risk acceptance an end date.
	_, err = s.DecideVulnerability(a, domain.VulnDecision{DeviceID: d1.ID, AdvisoryID: "ICSMA-99-001-01", CVE: "CVE-2099-0001", Status: domain.VulnRiskAccepted, Reason: "isolated"})
	wantCode(t, err, domain.CodeInvalid)
	until := domain.Date{Year: 2030, Month: 1, Day: 1}
	dv, err := s.DecideVulnerability(a, domain.VulnDecision{DeviceID: d1.ID, AdvisoryID: "ICSMA-99-001-01", CVE: "CVE-2099-0001", Status: domain.VulnRiskAccepted, Reason: "isolated VLAN", Until: until})
	if err != nil || dv.Status != domain.VulnRiskAccepted || dv.DecidedBy == "" {
		t.Fatalf("DecideVulnerability = %+v, %v", dv, err)
	}
	evs, err := s.FindAuditEvents(a, domain.AuditFilter{})
	if err != nil || !slices.ContainsFunc(evs, func(e *domain.AuditEvent) bool { return e.Action == "vulnerability.decide" && e.ObjectID == d1.ID }) {
		t.Errorf("no audit event for the decision: %v", err)
	}
	// Re-matching keeps the decision while the match stands, and drops d2's row.
	res, err = s.ReplaceVulnerabilities(a, []int64{d1.ID, d2.ID}, rows[:1])
	if err != nil || res.NewlyAffected != 0 || res.NoLongerListed != 1 {
		t.Fatalf("re-match = %+v, %v", res, err)
	}
	got, err = s.FindVulnerabilities(a, domain.VulnFilter{DeviceID: d1.ID})
	if err != nil || len(got) != 1 || got[0].Status != domain.VulnRiskAccepted || got[0].Matched != domain.VulnAffected || got[0].Until != until || got[0].Justification != "isolated VLAN" {
		t.Fatalf("after re-match: %+v, %v", got, err)
	}
	if got, _ := s.FindVulnerabilities(a, domain.VulnFilter{Statuses: []domain.VulnStatus{domain.VulnAffected}}); len(got) != 0 {
		t.Errorf("status filter: %d rows", len(got))
	}
	// Replacing one advisory's rows leaves the others, keeps decisions, and
	// drops an NVD-only row for a CVE the advisory now covers.
	nvdOnly := domain.DeviceVulnerability{DeviceID: d2.ID, CVE: "CVE-2099-0009", Status: domain.VulnAffected, Reason: "NVD"}
	other := domain.DeviceVulnerability{DeviceID: d2.ID, AdvisoryID: "OTHER-1", CVE: "CVE-2099-0008", Status: domain.VulnAffected, Reason: "other"}
	if _, err := s.ReplaceVulnerabilities(a, []int64{d2.ID}, []domain.DeviceVulnerability{nvdOnly, other}); err != nil {
		t.Fatal(err)
	}
	covered := domain.DeviceVulnerability{DeviceID: d2.ID, AdvisoryID: "ICSMA-99-001-01", CVE: "CVE-2099-0009", Status: domain.VulnPossiblyAffected, Reason: "no version"}
	res, err = s.ReplaceAdvisoryVulnerabilities(a, []string{"ICSMA-99-001-01"}, []domain.DeviceVulnerability{rows[0], covered})
	if err != nil || res.NoLongerListed != 1 || res.NewlyAffected != 1 {
		t.Fatalf("ReplaceAdvisoryVulnerabilities = %+v, %v", res, err)
	}
	all, _ := s.FindVulnerabilities(a, domain.VulnFilter{})
	var keys []string
	for _, v := range all {
		keys = append(keys, fmt.Sprintf("%d %s %s %s", v.DeviceID, v.AdvisoryID, v.CVE, v.Status))
	}
	slices.Sort(keys)
	want := []string{
		fmt.Sprintf("%d ICSMA-99-001-01 CVE-2099-0001 risk_accepted", d1.ID),
		fmt.Sprintf("%d ICSMA-99-001-01 CVE-2099-0009 possibly_affected", d2.ID),
		fmt.Sprintf("%d OTHER-1 CVE-2099-0008 affected", d2.ID),
	}
	slices.Sort(want)
	if !slices.Equal(keys, want) {
		t.Errorf("after replacing one advisory:\n got %q\nwant %q", keys, want)
	}
	if _, err := s.ReplaceAdvisoryVulnerabilities(a, []string{"X"}, []domain.DeviceVulnerability{other}); domain.ErrorCode(err) != domain.CodeInvalid {
		t.Errorf("a row of another advisory: %v", err)
	}
	if _, err := s.ReplaceAdvisoryVulnerabilities(b, []string{"ICSMA-99-001-01"}, nil); err != nil {
		t.Fatal(err)
	}
	if got, _ := s.FindVulnerabilities(a, domain.VulnFilter{AdvisoryID: "ICSMA-99-001-01"}); len(got) != 2 {
		t.Errorf("practice B's replace touched A's rows: %d left", len(got))
	}

	// SBOMs: a device's SBOM is its practice's alone.
	sb := &domain.SBOM{Format: "cyclonedx-json", Subject: domain.Component{Name: "Pump"}, Components: []domain.Component{{Name: "openssl", Version: "1.0.2k"}}}
	if _, err := s.AttachSBOM(b, 0, d1.ID, sb); domain.ErrorCode(err) != domain.CodeNotFound {
		t.Fatalf("practice B attaches to A's device: %v", err)
	}
	if _, err := s.AttachSBOM(a, 0, d1.ID, sb); err != nil {
		t.Fatal(err)
	}
	if l, err := s.FindSBOMs(a, 0, d1.ID); err != nil || len(l) != 1 || l[0].SBOM.Components[0].Name != "openssl" {
		t.Fatalf("FindSBOMs = %+v, %v", l, err)
	}
	if l, _ := s.FindSBOMs(b, 0, d1.ID); len(l) != 0 {
		t.Errorf("practice B sees A's device SBOM")
	}
	// Rubric answers per model, with their reasoning.
	if d1.ModelID == 0 {
		t.Fatal("device has no model id")
	}
	r := &domain.RubricRecord{ModelID: d1.ModelID, Answers: map[string]string{"therapy": "yes"}, Reasons: []domain.RubricReason{{Metric: "IR", Value: "H", Why: "delivers therapy"}}}
	if err := s.SaveRubric(a, r); err != nil {
		t.Fatal(err)
	}
	got2, err := s.FindRubric(a, d1.ModelID)
	if err != nil || got2.Answers["therapy"] != "yes" || len(got2.Reasons) != 1 || got2.UpdatedBy == "" {
		t.Fatalf("FindRubric = %+v, %v", got2, err)
	}
	if _, err := s.FindRubric(a, d1.ModelID+1000); domain.ErrorCode(err) != domain.CodeNotFound {
		t.Errorf("FindRubric(unknown) = %v", err)
	}
}
