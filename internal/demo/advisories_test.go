package demo_test

import (
	"encoding/json"
	"os"
	"strings"
	"testing"

	"github.com/vigil-med/vigil/internal/demo"
	"github.com/vigil-med/vigil/internal/domain"
	"github.com/vigil-med/vigil/internal/intel"
	"github.com/vigil-med/vigil/internal/lifecycle"
	"github.com/vigil-med/vigil/internal/store"
	"github.com/vigil-med/vigil/internal/vigiltest"
)

// Every demo device an ICSMA advisory lists as affected is flagged
// (affected, or possibly affected with the reason) once the embedded
// advisories are imported and matched.
func TestSeedAdvisories(t *testing.T) {
	st, tenant, sum := seedAdvisories(t)
	if sum.NewAdvisories != sum.Files || sum.NewlyAffected == 0 {
		t.Fatalf("summary %s", sum)
	}
	ctx := domain.WithTenant(ctxAdmin(), tenant.ID)
	rows, err := st.FindVulnerabilities(ctx, domain.VulnFilter{})
	if err != nil {
		t.Fatal(err)
	}
	ids := map[string]string{} // file → tracking id
	for _, m := range advisoryMatches {
		raw, err := os.ReadFile(vigiltest.SharedData(t, "csaf/icsma/"+m.file))
		if err != nil {
			t.Fatal(err)
		}
		var doc struct {
			Document struct {
				Tracking struct{ ID string } `json:"tracking"`
			} `json:"document"`
		}
		_ = json.Unmarshal(raw, &doc)
		ids[m.file] = doc.Document.Tracking.ID
	}
	// A product that is a part of the device under another name cannot be
	// matched by name (docs/intel.md, "Limitations").
	limitation := map[string]bool{"Battery pack SP with WiFi": true}
	var affected, possibly int
	for _, m := range advisoryMatches {
		if limitation[m.product] {
			continue
		}
		found := false
		for _, r := range rows {
			d, err := st.FindDeviceByID(ctx, r.DeviceID)
			if err != nil {
				t.Fatal(err)
			}
			if r.AdvisoryID != ids[m.file] || d.Model != m.model || m.firmware != "" && !strings.HasPrefix(d.Firmware, m.firmware) {
				continue
			}
			switch r.Status {
			case domain.VulnAffected:
				affected++
				found = true
			case domain.VulnPossiblyAffected:
				possibly++
				found = true
			}
			if found {
				break
			}
		}
		if !found {
			t.Errorf("%s (%s %s) not flagged for %s %s %s", ids[m.file], m.product, m.version, m.manufacturer, m.model, m.firmware)
		}
	}
	t.Logf("%d demo devices flagged: %d affected, %d possibly affected; %s", len(advisoryMatches), affected, possibly, sum)
}

// Ensure the demo's advisories put their vendor fixes on the Updates page:
// the Vue PACS server on 12.2.1.5 gets 12.2.8.410 from ICSMA-24-200-01,
// and seeding the advisories again records nothing more.
func TestSeedAdvisories_Releases(t *testing.T) {
	st, tenant, sum := seedAdvisories(t)
	ctx := domain.WithTenant(ctxAdmin(), tenant.ID)
	all, err := st.FindFirmwareReleases(ctx, 0)
	if err != nil {
		t.Fatal(err)
	}
	var fromAdvisories []string
	pacs := false
	for _, r := range all {
		if r.Source != "advisory" {
			continue
		}
		fromAdvisories = append(fromAdvisories, r.AdvisoryRef+" "+r.Model+" "+r.Version)
		if r.AdvisoryRef == "ICSMA-24-200-01" && r.Model == "Vue PACS" && r.Version == "12.2.8.410" && r.ReleasedOn.String() == "2024-07-18" && r.Devices > 0 {
			pacs = true
		}
	}
	// ICSMA-21-187-01's 12.2.8.100 is superseded by ICSMA-24-200-01's fix.
	pacsReleases := 0
	for _, r := range all {
		if r.Model == "Vue PACS" {
			pacsReleases++
		}
	}
	if !pacs || pacsReleases != 1 || sum.Releases != len(fromAdvisories) {
		t.Fatalf("releases from advisories (%d in the summary): %q", sum.Releases, fromAdvisories)
	}
	t.Logf("releases from advisories: %q", fromAdvisories)
	// The vendor scorecard measures advisory publication from them.
	cards, err := (&lifecycle.Service{Store: st, Advisories: &lifecycle.IntelAdvisories{Store: st}}).Scorecards(ctx, refNow)
	if err != nil {
		t.Fatal(err)
	}
	measured := map[string]int{}
	for _, c := range cards {
		if c.Advisories != nil {
			measured[c.Vendor] = *c.Advisories
		}
	}
	if measured["Philips"] < 5 || measured["GE HealthCare"] == 0 || len(measured) != len(cards) {
		t.Fatalf("advisories per vendor: %v", measured)
	}
	t.Logf("advisories per vendor: %v", measured)
	again, err := demo.SeedAdvisories(ctxAdmin(), st, tenant)
	if err != nil || again.Releases != 0 {
		t.Fatalf("seeding again: %v, %s", err, again)
	}
}

// seedAdvisories seeds the demo practice into a new SQLite database and
// imports and matches the embedded advisories.
func seedAdvisories(t *testing.T) (store.Store, *domain.Tenant, *intel.ImportSummary) {
	t.Helper()
	st := vigiltest.MustOpenSQLite(t)
	tenant, err := demo.Seed(ctxAdmin(), st, refOptions)
	if err != nil {
		t.Fatal(err)
	}
	sum, err := demo.SeedAdvisories(ctxAdmin(), st, tenant)
	if err != nil {
		t.Fatal(err)
	}
	return st, tenant, sum
}
