package web_test

import (
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/vigil-med/vigil/internal/domain"
	"github.com/vigil-med/vigil/internal/intel"
	"github.com/vigil-med/vigil/internal/vigiltest"
)

// Ensure the device page, the advisory page and the vulnerability list
// show what matching found, a technician's decision is recorded and
// audited, and another practice sees none of it.
func TestVulnerabilityPages(t *testing.T) {
	ts, st, ids := setup(t)
	adv := &domain.Advisory{ID: "ICSMA-99-001-01", Title: "BD pump advisory", Publisher: "CISA", Revision: "1",
		Products: []domain.Product{{ID: "P1", Vendor: "BD", Name: "Alaris", VersionRange: "<= 12.1"}},
		Vulns: []domain.AdvisoryVuln{{CVE: "CVE-2099-0001", Status: map[domain.ProductStatus][]string{domain.StatusKnownAffected: {"P1"}},
			Remediations: []domain.Remediation{{Category: domain.RemedyVendorFix, Details: "Install 12.1.3", ProductIDs: []string{"P1"}}}}}}
	if _, err := st.SaveAdvisory(vigiltest.Context(0), adv); err != nil {
		t.Fatal(err)
	}
	alpha := vigiltest.Context(tenantOf(t, st, "alpha-clinic"))
	if _, _, err := st.UpdateDevice(alpha, ids["alpha-clinic"], map[domain.Field]string{domain.FieldModel: "Alaris", domain.FieldFirmware: "12.0"}, domain.Source{Kind: domain.SourceManual}); err != nil {
		t.Fatal(err)
	}
	m, err := intel.Load(alpha, st)
	if err != nil {
		t.Fatal(err)
	}
	if res, err := intel.Rematch(alpha, st, m); err != nil || res.NewlyAffected != 1 {
		t.Fatalf("Rematch = %+v, %v", res, err)
	}
	tech := signedIn(t, ts.URL, "tech@alpha-clinic.example")
	dev := "/devices/" + itoa(ids["alpha-clinic"])
	_, doc := tech.get(dev)
	got := text(find(doc, "table", "vulns")[0])
	for _, want := range []string{"ICSMA-99-001-01", "CVE-2099-0001", "affected", "version 12.0 (advisory: <= 12.1)", "Install 12.1.3"} {
		if !strings.Contains(got, want) {
			t.Errorf("device page vulnerabilities lack %q: %s", want, got)
		}
	}
	_, doc = tech.get("/advisories/ICSMA-99-001-01")
	if got := text(find(doc, "p", "answer")[0]); !strings.Contains(got, "Yes: 1 device") {
		t.Errorf("advisory answer: %s", got)
	}
	form := url.Values{"csrf": {csrfOf(tech)}, "advisory_id": {"ICSMA-99-001-01"}, "cve": {"CVE-2099-0001"}, "status": {"risk_accepted"},
		"reason": {"replacement ordered"}, "until": {"2030-01-31"}, "back": {dev}}
	if resp := tech.post(dev+"/vulnerabilities", form); resp.StatusCode != http.StatusSeeOther {
		t.Fatalf("decision: %d", resp.StatusCode)
	}
	rows, _ := st.FindVulnerabilities(alpha, domain.VulnFilter{})
	if len(rows) != 1 || rows[0].Status != domain.VulnRiskAccepted || rows[0].DecidedBy != "tech@alpha-clinic.example" || rows[0].Until.String() != "2030-01-31" {
		t.Fatalf("after decision: %+v", rows[0])
	}
	_, doc = tech.get("/vulnerabilities?status=all")
	if got := text(find(doc, "table", "vulns")[0]); !strings.Contains(got, "risk_accepted") || !strings.Contains(got, "replacement ordered") {
		t.Errorf("list: %s", got)
	}
	// Beta's technician: no rows, no decision on alpha's device.
	beta := signedIn(t, ts.URL, "tech@beta-clinic.example")
	_, doc = beta.get("/vulnerabilities?status=all")
	if got := text(find(doc, "table", "vulns")[0]); strings.Contains(got, "ICSMA") {
		t.Errorf("beta sees alpha's vulnerabilities: %s", got)
	}
	form.Set("csrf", csrfOf(beta))
	if resp := beta.post(dev+"/vulnerabilities", form); resp.StatusCode != http.StatusNotFound {
		t.Errorf("beta decides on alpha's device: %d", resp.StatusCode)
	}
	viewer := signedIn(t, ts.URL, "nurse@alpha.example")
	form.Set("csrf", csrfOf(viewer))
	if resp := viewer.post(dev+"/vulnerabilities", form); resp.StatusCode != http.StatusForbidden {
		t.Errorf("viewer records a decision: %d", resp.StatusCode)
	}
}
