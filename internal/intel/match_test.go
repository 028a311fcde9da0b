package intel

import (
	"fmt"
	"strings"
	"testing"

	"github.com/vigil-med/vigil/internal/domain"
)

// pumpAdvisory is a small advisory in the shape the CSAF reader produces:
// one product with an affected range, a fixed version, a not-affected
// line with a flag, and remediations for some products.
func pumpAdvisory() *domain.Advisory {
	return &domain.Advisory{
		ID: "ICSMA-99-001-01", Title: "Acme Infusion Pump", Revision: "1",
		Products: []domain.Product{
			{ID: "P1", Vendor: "Acme Medical Inc.", Name: "Acme PumpMaster 5000", VersionRange: "<= 2.6A"},
			{ID: "P2", Vendor: "Acme Medical Inc.", Name: "Acme PumpMaster 5000", Version: "2.7"},
			{ID: "P3", Vendor: "Acme Medical Inc.", Name: "PumpMaster Lite", Version: "1.0"},
			{ID: "P4", Vendor: "Acme Medical Inc.", Name: "Gateway", VersionRange: "distributed < april 1, 2018"},
		},
		Vulns: []domain.AdvisoryVuln{{
			CVE: "CVE-2099-0001",
			Status: map[domain.ProductStatus][]string{
				domain.StatusKnownAffected:    {"P1", "P4"},
				domain.StatusFixed:            {"P2"},
				domain.StatusKnownNotAffected: {"P3"},
			},
			Remediations: []domain.Remediation{
				{Category: domain.RemedyVendorFix, Details: "Update to 2.7", ProductIDs: []string{"P1"}},
				{Category: domain.RemedyMitigation, Details: "Isolate the gateway", ProductIDs: []string{"P4"}},
			},
			Flags: []domain.Flag{{Label: "vulnerable_code_not_present", ProductIDs: []string{"P3"}}},
		}},
	}
}

func dev(id int64, vendor, model, fw string) *domain.Device {
	return &domain.Device{ID: id, TenantID: 1, Manufacturer: vendor, Model: model, Firmware: fw}
}

func matchOne(t *testing.T, m *Matcher, d *domain.Device, comps ...domain.Component) *domain.DeviceVulnerability {
	t.Helper()
	got := m.Match(Subject{Device: d, Components: comps})
	if len(got) > 1 {
		t.Fatalf("%s %s: %d results, want at most one: %+v", d.Model, d.Firmware, len(got), got)
	}
	if len(got) == 0 {
		return nil
	}
	return &got[0]
}

func TestMatchAdvisory(t *testing.T) {
	m := NewMatcher()
	m.AddAdvisory(pumpAdvisory())
	for _, tc := range []struct {
		name   string
		d      *domain.Device
		status domain.VulnStatus // "" for no result
		reason string
		remedy string
		fixed  string
	}{
		{"in range, vendor alias and name without vendor", dev(1, "ACME Medical", "PumpMaster 5000", "2.6"), domain.VulnAffected, "version 2.6 (advisory: <= 2.6A) is affected", "Update to 2.7", "2.7"},
		{"at the inclusive bound", dev(2, "Acme Medical Inc.", "Acme PumpMaster 5000", "2.6A"), domain.VulnAffected, "is affected", "Update to 2.7", "2.7"},
		{"fixed version", dev(3, "Acme Medical", "PumpMaster 5000", "v2.7"), domain.VulnFixed, "is fixed", "", "2.7"},
		{"newer than both", dev(4, "Acme Medical", "PumpMaster 5000", "3.0"), "", "", "", ""},
		{"no version on the device", dev(5, "Acme Medical", "PumpMaster 5000", ""), domain.VulnPossiblyAffected, "no version is recorded", "Update to 2.7", "2.7"},
		{"version of another shape", dev(6, "Acme Medical", "PumpMaster 5000", "R2.1"), domain.VulnPossiblyAffected, "cannot be compared", "Update to 2.7", "2.7"},
		{"known not affected", dev(7, "Acme Medical", "PumpMaster Lite", "1.0"), domain.VulnNotAffected, "is not affected", "", ""},
		{"unreadable range", dev(8, "Acme Medical", "Gateway", "1.0"), domain.VulnPossiblyAffected, "cannot be read", "Isolate the gateway", ""},
		{"other vendor, same name", dev(9, "Other Corp", "PumpMaster 5000", "2.0"), "", "", "", ""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			r := matchOne(t, m, tc.d)
			if tc.status == "" {
				if r != nil {
					t.Fatalf("got %s (%s), want no result", r.Status, r.Reason)
				}
				return
			}
			if r == nil {
				t.Fatalf("no result, want %s", tc.status)
			}
			if r.Status != tc.status || !strings.Contains(r.Reason, tc.reason) || r.FixedIn != tc.fixed {
				t.Errorf("got %s %q fixed in %q, want %s containing %q fixed in %q", r.Status, r.Reason, r.FixedIn, tc.status, tc.reason, tc.fixed)
			}
			if r.CVE != "CVE-2099-0001" || r.AdvisoryID != "ICSMA-99-001-01" || r.DeviceID != tc.d.ID {
				t.Errorf("ids %+v", r)
			}
			var remedies []string
			for _, x := range r.Remediations {
				remedies = append(remedies, x.Details)
			}
			if strings.Join(remedies, "|") != tc.remedy {
				t.Errorf("remediations %q, want %q", remedies, tc.remedy)
			}
			if tc.status == domain.VulnNotAffected && r.Justification != "vulnerable_code_not_present" {
				t.Errorf("justification %q", r.Justification)
			}
		})
	}
}

func TestMatchRevisionReplaces(t *testing.T) {
	m := NewMatcher()
	m.AddAdvisory(pumpAdvisory())
	rev := pumpAdvisory()
	rev.Revision = "2"
	rev.Products[0].VersionRange = "<= 2.5"
	m.AddAdvisory(rev)
	if r := matchOne(t, m, dev(1, "Acme Medical", "PumpMaster 5000", "2.6")); r != nil {
		t.Errorf("revision 2 excludes 2.6, got %s: %s", r.Status, r.Reason)
	}
	if r := matchOne(t, m, dev(1, "Acme Medical", "PumpMaster 5000", "2.5")); r == nil || r.Status != domain.VulnAffected {
		t.Errorf("2.5 under revision 2: %+v", r)
	}
	if m.Advisories() != 1 {
		t.Errorf("%d advisories, want 1", m.Advisories())
	}
}

func TestMatchVEX(t *testing.T) {
	m := NewMatcher()
	m.AddAdvisory(pumpAdvisory())
	m.AddVEX(&domain.VEXStatement{
		Vuln: "CVE-2099-0001", Status: domain.VEXNotAffected, Justification: "vulnerable_code_not_in_execute_path",
		Author:   "Acme PSIRT",
		Products: []domain.Product{{Vendor: "Acme Medical", Name: "PumpMaster 5000", Version: "2.6"}},
	})
	r := matchOne(t, m, dev(1, "Acme Medical", "PumpMaster 5000", "2.6"))
	if r == nil || r.Status != domain.VulnNotAffected || r.Justification != "vulnerable_code_not_in_execute_path" || !strings.Contains(r.Reason, "Acme PSIRT") {
		t.Fatalf("VEX not applied: %+v", r)
	}
	if r := matchOne(t, m, dev(2, "Acme Medical", "PumpMaster 5000", "2.5")); r == nil || r.Status != domain.VulnAffected {
		t.Errorf("VEX for 2.6 applied to 2.5: %+v", r)
	}
}

func TestMatchCVE(t *testing.T) {
	m := NewMatcher()
	m.AddCVE(&domain.CVE{ID: "CVE-2099-0002", Matches: []domain.CPEMatch{
		{Criteria: "cpe:2.3:o:acme:pumpmaster_5000_firmware:*:*:*:*:*:*:*:*", Vulnerable: true, VersionEndExcluding: "3.1"},
		{Criteria: "cpe:2.3:a:openssl:openssl:*:*:*:*:*:*:*:*", Vulnerable: true, VersionStartIncluding: "1.0.2", VersionEndExcluding: "1.0.2u"},
		{Criteria: "cpe:2.3:h:acme:pumpmaster_5000:-:*:*:*:*:*:*:*", Vulnerable: false},
	}})
	r := matchOne(t, m, dev(1, "Acme Medical", "PumpMaster 5000 Firmware", "3.0"))
	if r == nil || r.Status != domain.VulnAffected || r.FixedIn != "3.1" {
		t.Fatalf("CPE range: %+v", r)
	}
	if r := matchOne(t, m, dev(1, "Acme Medical", "PumpMaster 5000 Firmware", "3.1")); r != nil {
		t.Errorf("3.1 is the excluded end: %+v", r)
	}
	// The device is the firmware's hardware: the firmware range applies,
	// the non-vulnerable hardware criterion alone never matches.
	if r := matchOne(t, m, dev(1, "Acme Medical", "PumpMaster 5000", "1.0")); r == nil || r.Status != domain.VulnAffected {
		t.Errorf("the firmware CPE did not match its device: %+v", r)
	}
	if r := matchOne(t, m, dev(1, "Acme Medical", "PumpMaster 5000", "3.5")); r != nil {
		t.Errorf("a non-vulnerable criterion matched: %+v", r)
	}
	ssl := domain.Component{Name: "openssl", Version: "1.0.2k", CPE: "cpe:2.3:a:openssl:openssl:1.0.2k:*:*:*:*:*:*:*"}
	r = matchOne(t, m, dev(2, "Acme", "Monitor", "1"), ssl)
	if r == nil || r.Status != domain.VulnAffected || !strings.Contains(r.Reason, "component openssl 1.0.2k") {
		t.Fatalf("component CPE: %+v", r)
	}
}

func TestMatchPURL(t *testing.T) {
	m := NewMatcher()
	m.AddAdvisory(&domain.Advisory{ID: "VENDOR-1", Products: []domain.Product{{ID: "L", Name: "log4j-core", PURL: "pkg:maven/org.apache.logging.log4j/log4j-core", VersionRange: "vers:maven/>=2.0|<2.15.0"}},
		Vulns: []domain.AdvisoryVuln{{CVE: "CVE-2021-44228", Status: map[domain.ProductStatus][]string{domain.StatusKnownAffected: {"L"}}}}})
	c := domain.Component{Name: "log4j-core", PURL: "pkg:maven/org.apache.logging.log4j/log4j-core@2.14.1"}
	r := matchOne(t, m, dev(1, "Acme", "PACS", "9"), c)
	if r == nil || r.Status != domain.VulnAffected {
		t.Fatalf("PURL: %+v", r)
	}
	c.PURL = "pkg:maven/org.apache.logging.log4j/log4j-core@2.17.0"
	if r := matchOne(t, m, dev(1, "Acme", "PACS", "9"), c); r != nil {
		t.Errorf("2.17.0 matched: %+v", r)
	}
}

func TestWordsMatch(t *testing.T) {
	for _, tc := range []struct {
		vendor, model, product string
		want                   bool
	}{
		{"GE HealthCare", "CARESCAPE B650", "B650", true},
		{"Philips", "IntelliVue MX40", "IntelliVue MX40 Patient Worn Monitor (WLAN only)", true},
		{"Philips", "IntelliVue MX450", "IntelliVue patient monitor MX400-MX850", true},
		{"Philips", "IntelliVue MX900", "IntelliVue patient monitor MX400-MX850", false},
		{"Philips", "Efficia CM12", "Efficia CM Series", true},
		{"Philips", "IntelliBridge EC40", "IntelliBridge EC 40 Hub", true},
		{"GE HealthCare", "LOGIQ E10", "LOGIQ, not including LOGIQ 100 Pro", true},
		{"GE HealthCare", "Vivid E95", "Vivid products, not including EchoPAC", true},
		{"Philips", "EPIQ 7", "Ultrasound EPIQ/Affiniti", true},
		{"Hamilton Medical", "HAMILTON-T1", "T1 Ventilator", true},
		{"Philips", "IntelliVue MX40", "IntelliSpace Cardiovascular", false},
		{"Philips", "Vue PACS", "Vue Speech", false},
		{"B. Braun", "Infusomat Space", "Battery pack SP with WiFi", false},
		{"Acme", "Monitor 2", "Monitor 3", false},
	} {
		got := wordsMatch(nameWords(tc.vendor, tc.model), nameWords(tc.vendor, tc.product))
		if got != tc.want {
			t.Errorf("%q vs %q = %v, want %v (words %v / %v)", tc.model, tc.product, got, tc.want, nameWords(tc.vendor, tc.model), nameWords(tc.vendor, tc.product))
		}
	}
}

func TestSameText(t *testing.T) {
	for _, c := range []struct {
		a, b string
		want bool
	}{
		{"3.1.2 SP1", "3.1.2  sp1", true},
		{" A.02.13 ", "a.02.13", true},
		{"3.1.2 SP1", "3.1.2 SP2", false},
		{"3.1.2", "3.1.2 SP1", false},
		{"", "  ", true},
		{"v2.0\tbuild 1123", "V2.0 BUILD\n1123", true},
		{"2.0", "20", false},
	} {
		if got := sameText(c.a, c.b); got != c.want {
			t.Errorf("sameText(%q, %q) = %v, want %v", c.a, c.b, got, c.want)
		}
	}
}

// NVD repeats one vulnerable match in many records: each record still
// gets its own row, a record listing a match twice gets one, and a
// device version outside the bounds gets none.
func TestMatchCVESharedMatch(t *testing.T) {
	m := NewMatcher()
	kernel := domain.CPEMatch{Criteria: "cpe:2.3:o:linux:linux_kernel:*:*:*:*:*:*:*:*", Vulnerable: true, VersionStartIncluding: "4.14", VersionEndExcluding: "4.14.300"}
	exact := domain.CPEMatch{Criteria: "cpe:2.3:o:linux:linux_kernel:4.9.1:*:*:*:*:*:*:*", Vulnerable: true}
	for i := range 3 {
		m.AddCVE(&domain.CVE{ID: fmt.Sprintf("CVE-2099-100%d", i), Matches: []domain.CPEMatch{kernel, kernel, exact}})
	}
	m.AddCVE(&domain.CVE{ID: "CVE-2099-2000", Matches: []domain.CPEMatch{exact}})
	count := func(fw string) (affected, possibly int, fixed string) {
		for _, r := range m.Match(Subject{Device: dev(1, "Linux", "Linux Kernel", fw)}) {
			switch r.Status {
			case domain.VulnAffected:
				affected++
			case domain.VulnPossiblyAffected:
				possibly++
			}
			if r.CVE == "CVE-2099-1001" {
				fixed = r.FixedIn
			}
		}
		return
	}
	if a, p, fixed := count("4.14.100"); a != 3 || p != 0 || fixed != "4.14.300" {
		t.Errorf("4.14.100: %d affected, %d possibly, fixed %q; want 3, 0, 4.14.300", a, p, fixed)
	}
	if a, p, _ := count("4.9.1"); a != 4 || p != 0 {
		t.Errorf("4.9.1: %d affected, %d possibly; want 4 (every record listing 4.9.1), 0", a, p)
	}
	if a, p, _ := count("5.10.1"); a != 0 || p != 0 {
		t.Errorf("5.10.1: %d affected, %d possibly; want none", a, p)
	}
	if a, p, _ := count(""); a != 0 || p != 4 {
		t.Errorf("no version: %d affected, %d possibly; want 0, 4", a, p)
	}
}
