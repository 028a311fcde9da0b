package fingerprint

import (
	"bytes"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/vigil-med/vigil/internal/domain"
	"github.com/vigil-med/vigil/internal/vigiltest"
)

// TestOUITableCurrent rebuilds the embedded table from the shared IEEE
// registry files and checks the committed file is the same.
func TestOUITableCurrent(t *testing.T) {
	files := map[string]io.Reader{}
	for _, n := range OUIFiles {
		b, err := os.ReadFile(vigiltest.SharedData(t, filepath.Join("oui", n)))
		if err != nil {
			t.Fatal(err)
		}
		files[n] = bytes.NewReader(b)
	}
	got, err := EncodeOUI(files)
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(got, ouiData) {
		t.Fatal("data/oui.bin.gz is out of date: run go generate ./internal/fingerprint")
	}
}

func TestLookupOUI(t *testing.T) {
	cases := []struct{ mac, org, prefix string }{
		{"00:09:fb:12:34:56", "Philips Patient Monitoring", "00:09:FB"},
		{"00:00:0c:01:02:03", "Cisco Systems, Inc", "00:00:0C"},
		{"70:b3:d5:f2:f0:01", "TELEPLATFORMS", "70:B3:D5:F2:F/36"},
	}
	for _, c := range cases {
		org, prefix, ok := LookupOUI(c.mac)
		if !ok || org != c.org || prefix != c.prefix {
			t.Errorf("LookupOUI(%s) = %q %q %v, want %q %q", c.mac, org, prefix, ok, c.org, c.prefix)
		}
	}
	if _, _, ok := LookupOUI("not a mac"); ok {
		t.Error("a bad MAC found an organisation")
	}
}

func TestBuiltinRules(t *testing.T) {
	rules, err := ParseRules("rules.csv", strings.NewReader(builtinRules))
	if err != nil {
		t.Fatal(err)
	}
	if len(rules) < 30 {
		t.Fatalf("%d built-in rules", len(rules))
	}
	for _, r := range rules {
		if r.Source == "" {
			t.Errorf("%s cites no source", r.Origin)
		}
	}
}

func TestClassify(t *testing.T) {
	c := New()
	obs := []domain.Observation{
		{Kind: domain.ObsMAC, Value: "00:09:fb:12:34:56"},
		{Kind: domain.ObsDICOMImplUID, Value: "1.2.840.113619.6.374"},
		{Kind: domain.ObsDHCPVendorClass, Value: "MSFT 5.0"},
	}
	got := c.Classify(obs)
	want := map[domain.Field]string{domain.FieldManufacturer: "GE HealthCare", domain.FieldCategory: "imaging", domain.FieldOS: "Windows"}
	if len(got) != len(want) {
		t.Fatalf("got %+v", got)
	}
	for _, s := range got {
		if want[s.Field] != s.Value || s.Confidence <= 0 || s.Evidence == "" {
			t.Errorf("suggestion %+v", s)
		}
	}
	if !strings.HasPrefix(got[0].Evidence, "DICOM implementation class UID 1.2.840.113619.6.374 → GE HealthCare (rule rules.csv:") {
		t.Errorf("evidence %q", got[0].Evidence)
	}
	// The OUI alone names Philips, with its evidence.
	got = c.Classify(obs[:1])
	if len(got) != 1 || got[0].Value != "Philips" || got[0].Evidence != "OUI 00:09:FB → Philips Patient Monitoring" {
		t.Fatalf("OUI only: %+v", got)
	}
	// A locally administered (randomised) MAC says nothing.
	if got := c.Classify([]domain.Observation{{Kind: domain.ObsMAC, Value: "02:09:fb:12:34:56"}}); len(got) != 0 {
		t.Fatalf("random MAC: %+v", got)
	}
}

func TestUserRules(t *testing.T) {
	text := "# site rules\n" +
		"hl7_application,exact,LABSYS,Acme Lab,LabSys 5,laboratory,,0.95,our interface engine list\n"
	rules, err := ParseRules("site.csv", strings.NewReader(text))
	if err != nil {
		t.Fatal(err)
	}
	got := New(rules...).Classify([]domain.Observation{{Kind: domain.ObsHL7Application, Value: "labsys"}})
	if len(got) != 3 || got[1].Value != "LabSys 5" || !strings.Contains(got[1].Evidence, "site.csv:2") {
		t.Fatalf("got %+v", got)
	}
}

// TestReads checks which observation kinds a classifier reads: the MAC
// and a tool's vendor always, others only when a rule names them.
func TestReads(t *testing.T) {
	c := New()
	for k, want := range map[domain.ObservationKind]bool{domain.ObsMAC: true, domain.ObsVendor: true,
		domain.ObsDICOMImplUID: true, domain.ObsDHCPVendorClass: true, domain.ObsDNSQuery: false, domain.ObsTLSSNI: false} {
		if got := c.Reads(k); got != want {
			t.Errorf("built-in rules: Reads(%s) = %v, want %v", k, got, want)
		}
	}
	rules, err := ParseRules("site.csv", strings.NewReader("dns_query,contains,.acme-med.example,Acme,,imaging,,0.6,our vendor's cloud\n"))
	if err != nil {
		t.Fatal(err)
	}
	if !New(rules...).Reads(domain.ObsDNSQuery) {
		t.Error("a user rule on dns_query: not read")
	}
}

func TestParseRulesErrors(t *testing.T) {
	text := "hostname,regex,^(x,,,,Linux,0.5,src\n" +
		"hostname,prefix,x,,,,Linux,2,src\n" +
		"hostname,prefix,x,,,,Linux,0.5,\n" +
		"hostname,prefix,x,,,spaceship,,0.5,src\n" +
		"hostname,prefix,x\n"
	_, err := ParseRules("bad.csv", strings.NewReader(text))
	ps := domain.ErrorProblems(err)
	if len(ps) != 5 {
		t.Fatalf("problems %+v (%v)", ps, err)
	}
	for i, p := range ps {
		if want := "bad.csv:" + string(rune('1'+i)); p.Location != want {
			t.Errorf("problem %d at %q, want %q: %s", i, p.Location, want, p.Message)
		}
	}
}

func FuzzParseRules(f *testing.F) {
	f.Add(builtinRules)                                // the whole built-in file
	f.Add("hostname,regex,\"a,b\",X,,,,0.5,\"s,t\"\n") // quoted commas
	f.Add("a,b\n\"unterminated")                       // broken quoting
	f.Fuzz(func(t *testing.T, s string) {
		rules, err := ParseRules("f.csv", strings.NewReader(s))
		if err == nil {
			for _, r := range rules {
				r.Matches(s)
			}
		}
	})
}
