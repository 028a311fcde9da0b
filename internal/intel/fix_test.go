package intel

import (
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/vigil-med/vigil/internal/domain"
	"github.com/vigil-med/vigil/internal/vigiltest"
)

var updateGolden = flag.Bool("update", false, "rewrite the golden files in testdata/")

// Ensure TextVersion takes the version a remediation says to install and
// nothing else, on sentences from real ICS medical advisories.
func TestTextVersion(t *testing.T) {
	for _, c := range []struct{ text, want string }{
		// ICSMA-21-187-01
		{"Philips released Version 12.2.1.5 in June of 2020 for MyVue that remediates CWE-693 and recommends contacting support below.", "12.2.1.5"},
		// ICSMA-24-200-01: the asterisk is a footnote mark.
		{"Philips recommends upgrading to the latest Vue PACS version 12.2.8.400* released in August 2023.", "12.2.8.400"},
		// ICSMA-18-037-01: the unsupported version comes first.
		{"Vyaire Medical is no longer supporting the CareFusion Upgrade Utility v2.0.2.2 and recommends that users upgrade to the newer Vyaire Upgrade Utility v2.0.3.0.", "2.0.3.0"},
		// ICSMA-22-174-01
		{"OFFIS recommends all users update to Version 3.6.7 or later. For more information see Bug #1021", "3.6.7"},
		// ICSMA-21-215-01: the version is in the second sentence.
		{"Swisslog Healthcare recommends upgrading to the latest software version as soon as it becomes available. Version 7.2.5.7 is reported to fix all vulnerabilities above except CVE-2021-37160.", "7.2.5.7"},
		// ICSMA-21-047-01: "later than" names the affected version.
		{"Hamilton Medical recommends users of affected versions update to a version later than T1 Ventilator Version 2.2.3 where possible.", ""},
		// ICSMA-18-165-01: the versions the users run.
		{"A free software update to NeuroWorks/SleepWorks 8.5 GMA 3 is available to users using NeuroWorks/SleepWorks Version 8.0, 8.1, 8.4, or 8.5.", ""},
		// ICSMA-18-226-01: a release announced, not made.
		{"For ISCV Version 3.1 or prior and Xcelera Version 4.1 or prior, this will be mitigated in ISCV Version 3.2, scheduled to be released in October 2018.", ""},
		// Wildcards and affected ranges.
		{"Philips released a fix for Vue PACS Versions 12.2.x.x and prior.", ""},
		{"The fix is available for Version 3.1 or prior only as a hotfix.", ""},
		// ICSMA-19-022-01: "VF10.1" is a product version name, not "v" + "F10.1".
		{"Users can find Delta/Infinity Explorer VF10.1 software releases for affected components via Dräger ServiceConnect.", ""},
		// No version at all.
		{"Users should contact their local Philips service support team.", ""},
	} {
		if got := TextVersion(c.text); got != c.want {
			t.Errorf("TextVersion(%.60q…) = %q, want %q", c.text, got, c.want)
		}
	}
}

// Ensure VendorFixes reads every fixed version the CISA ICS medical
// advisories in ../shared/data/csaf state for each product, compared whole
// with testdata/vendor_fixes.golden (regenerate with -update and review).
func TestVendorFixes_Golden(t *testing.T) {
	files, err := filepath.Glob(filepath.Join(vigiltest.SharedData(t, "csaf/icsma"), "*", "*.json"))
	if err != nil || len(files) < 90 {
		t.Fatalf("%d advisories in ../shared/data/csaf/icsma: %v", len(files), err)
	}
	var b strings.Builder
	n := 0
	for _, f := range files {
		r, err := os.Open(f)
		if err != nil {
			t.Fatal(err)
		}
		doc, err := ReadDocument(filepath.Base(f), r)
		r.Close()
		if err != nil || doc.Advisory == nil {
			continue // the reader's own tests cover the files it refuses
		}
		a := doc.Advisory
		for _, p := range a.Products {
			for _, fx := range VendorFixes(a, []string{p.ID}) {
				n++
				fmt.Fprintf(&b, "%s\t%s %s\t%s\t%s\n", a.ID, p.Name, p.Version+p.VersionRange, fx.Version, fx.From)
			}
		}
	}
	golden := filepath.Join("testdata", "vendor_fixes.golden")
	if *updateGolden {
		if err := os.WriteFile(golden, []byte(b.String()), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	want, err := os.ReadFile(golden)
	if err != nil {
		t.Fatal(err)
	}
	if b.String() != string(want) {
		t.Errorf("vendor fixes differ from %s (run with -update and review the diff):\n%s", golden, b.String())
	}
	if n < 20 {
		t.Fatalf("only %d fixes found", n)
	}
}

// Ensure the machine-readable statement wins over the text, and the
// affected range is used only when no remediation names a version.
func TestVendorFixes_Sources(t *testing.T) {
	a := &domain.Advisory{ID: "X", Products: []domain.Product{
		{ID: "P1", Name: "Pump 9", VersionRange: "<4.2"},
		{ID: "P2", Name: "Pump 9", Version: "4.2.1"},
		{ID: "P3", Name: "Monitor 7", VersionRange: "< 3.0"},
	}, Vulns: []domain.AdvisoryVuln{{CVE: "CVE-2099-1",
		Status: map[domain.ProductStatus][]string{domain.StatusKnownAffected: {"P1", "P3"}, domain.StatusFixed: {"P2"}},
		Remediations: []domain.Remediation{
			{Category: domain.RemedyVendorFix, Details: "Acme released Version 4.2.0 for the pump.", ProductIDs: []string{"P1"}},
			{Category: domain.RemedyVendorFix, Details: "Contact Acme service for the monitor update.", ProductIDs: []string{"P3"}},
			{Category: domain.RemedyMitigation, Details: "Update to Version 9.9 is available.", ProductIDs: []string{"P1", "P3"}},
		}}}}
	if got := VendorFixes(a, []string{"P1"}); len(got) != 1 || got[0].Version != "4.2.1" || got[0].From != "product_status" {
		t.Errorf("pump: %+v", got)
	}
	if got := VendorFixes(a, []string{"P3"}); len(got) != 1 || got[0].Version != "3.0" || got[0].From != "range" ||
		got[0].Details != "Contact Acme service for the monitor update." {
		t.Errorf("monitor: %+v", got)
	}
	if got := VendorFixes(a, []string{"P9"}); len(got) != 0 {
		t.Errorf("unknown product: %+v", got)
	}
}

// FuzzTextVersion checks the text reader on any input: no panic, and what
// it returns is taken from the text.
func FuzzTextVersion(f *testing.F) {
	f.Add("Philips released Version 12.2.1.5 in June of 2020.")            // a release
	f.Add("update to v2.0.3.0. Then Version 3 or prior.")                  // v-prefix, then an affected version
	f.Add("Version 7.2.5.7 is reported to fix; will release Version 8.0.") // a future release after a semicolon
	f.Add("released Version ")                                             // keyword at the end
	f.Add("released version .1x.x")                                        // wildcard
	f.Add(strings.Repeat("released Version 1.", 200))                      // many sentences
	f.Add("fixed in Version \xff\xfe1.0")                                  // invalid UTF-8
	f.Fuzz(func(t *testing.T, s string) {
		v := TextVersion(s)
		if v != "" && !strings.Contains(s, v) {
			t.Fatalf("TextVersion(%q) = %q, not in the text", s, v)
		}
	})
}
