package domain

import (
	"strings"
	"testing"
	"time"
)

// Ensure spreadsheet wording maps onto the taxonomy, and ambiguous or
// unknown words are refused with the list of categories.
func TestParseCategory(t *testing.T) {
	for in, want := range map[string]Category{
		"Infusion Pump": "infusion", "PCA": "infusion", "EKG": "cardiology", "ECG Cart": "cardiology", "CT Scanner": "imaging",
		"X-Ray": "imaging", "Ultrasound": "imaging", "Patient Monitor": "patient-monitoring", "Ventilator": "respiratory",
		"Anesthesia Machine": "respiratory", "Blood Gas Analyzer": "laboratory", "PACS": "workstation", "OCT": "ophthalmic",
		"Panoramic X-ray": "dental", "EKG RIS": "", "Cardiac Ultrasound": "imaging", "Nurse Call": "building", "imaging": "imaging", "patient-monitoring": "patient-monitoring", "": "",
		"Volumetric Infusion Pump": "infusion", "Hemodialysis machine": "therapeutic", "Endoscopy tower": "surgical",
	} {
		got, err := ParseCategory(in)
		if want == "" && in != "" {
			if err == nil {
				t.Errorf("ParseCategory(%q) = %q, want an ambiguity error", in, got)
			}
			continue
		}
		if err != nil || got != want {
			t.Errorf("ParseCategory(%q) = %q, %v; want %q", in, got, err, want)
		}
	}
	_, err := ParseCategory("Spaceship")
	if ErrorCode(err) != CodeInvalid || !strings.Contains(err.Error(), "infusion") {
		t.Fatalf("unknown category error = %v", err)
	}
}

// Ensure dates read in every accepted form and impossible ones fail.
func TestParseDate(t *testing.T) {
	for _, c := range []struct {
		in    string
		order DateOrder
		want  string
	}{
		{"2024-02-29", MonthFirst, "2024-02-29"}, {"3/14/2019", MonthFirst, "2019-03-14"}, {"14/3/2019", DayFirst, "2019-03-14"},
		{"14.03.2019", DayFirst, "2019-03-14"}, {"2019/03/14", MonthFirst, "2019-03-14"}, {"14 Mar 2019", MonthFirst, "2019-03-14"},
		{"Mar 14, 2019", MonthFirst, "2019-03-14"}, {"2019-03-14T10:00:00Z", MonthFirst, "2019-03-14"}, {"3/14/19", MonthFirst, "2019-03-14"},
		{"", MonthFirst, ""},
	} {
		d, err := ParseDate(c.in, c.order)
		if err != nil || d.String() != c.want {
			t.Errorf("ParseDate(%q) = %q, %v; want %q", c.in, d, err, c.want)
		}
	}
	for _, bad := range []string{"2023-02-29", "2023-02-30", "2021-13-01", "14/3/2019", "yesterday", "2019-3", "0000-01-01"} {
		if d, err := ParseDate(bad, MonthFirst); err == nil {
			t.Errorf("ParseDate(%q) = %v, want an error", bad, d)
		}
	}
	if d, _ := DateFromExcelSerial(43538); d.String() != "2019-03-14" {
		t.Errorf("serial 43538 = %s", d)
	}
}

// Ensure network identities normalise and reject garbage.
func TestNormalize(t *testing.T) {
	for in, want := range map[string]string{"00-09-FB-AA-BB-CC": "00:09:fb:aa:bb:cc", "0009.fbaa.bbcc": "00:09:fb:aa:bb:cc", "0009FBAABBCC": "00:09:fb:aa:bb:cc"} {
		if got, err := NormalizeMAC(in); err != nil || got != want {
			t.Errorf("NormalizeMAC(%q) = %q, %v", in, got, err)
		}
	}
	for _, bad := range []string{"00:09:fb:aa:bb", "00:09:fb:aa:bb:cc:dd", "zz:09:fb:aa:bb:cc", ""} {
		if _, err := NormalizeMAC(bad); err == nil {
			t.Errorf("NormalizeMAC(%q) accepted", bad)
		}
	}
	if got, err := NormalizeIP("::ffff:10.0.0.1"); err != nil || got != "10.0.0.1" {
		t.Errorf("NormalizeIP mapped = %q, %v", got, err)
	}
	for _, bad := range []string{"10.0.0.256", "10.0.0.0/24", "fe80::1%eth0", "host"} {
		if _, err := NormalizeIP(bad); err == nil {
			t.Errorf("NormalizeIP(%q) accepted", bad)
		}
	}
	if _, err := NormalizeHostname("bad host"); err == nil {
		t.Error("hostname with a space accepted")
	}
}

// Ensure manufacturer spellings collapse onto one vendor.
func TestCanonicalVendorName(t *testing.T) {
	for in, want := range map[string]string{
		"GE Healthcare": "GE HealthCare", "GE HealthCare": "GE HealthCare", "GE Medical Systems": "GE HealthCare",
		"ge healthcare, inc.": "GE HealthCare", "Philips Medical Systems Nederland B.V.": "Philips", "Draeger": "Dräger",
		"Drägerwerk AG & Co. KGaA": "Dräger", "B. Braun Melsungen AG": "B. Braun", "Unknown  Maker": "Unknown Maker",
	} {
		if got := CanonicalVendorName(in); got != want {
			t.Errorf("CanonicalVendorName(%q) = %q, want %q", in, got, want)
		}
	}
}

// Ensure text forms round-trip through Get and Set for every field.
func TestDevice_GetSetRoundTrip(t *testing.T) {
	d := &Device{}
	for f, v := range map[Field]string{
		FieldAssetTag: "A-1", FieldSerial: "S1", FieldName: "Pump, ICU \"3\"", FieldCategory: "infusion", FieldManufacturer: "BD",
		FieldModel: "Alaris 8015", FieldMACs: "00:0a:95:00:00:01; 00:0a:95:00:00:02", FieldIPs: "10.0.0.1; fd00::1", FieldHostnames: "a.local",
		FieldVLANs: "10; 20", FieldCriticality: "life-sustaining", FieldPHI: "stores", FieldPHIRecords: "1200", FieldNetworkRequired: "yes",
		FieldPatchability: "vendor-only", FieldPurchaseDate: "2020-02-29", FieldLifecycle: "spare", FieldReview: "unreviewed",
		FieldAdmins: "Doe, Jane; Biomed", FieldNotes: "two\nlines",
	} {
		if err := d.Set(f, v); err != nil {
			t.Fatalf("Set(%s): %v", f, err)
		}
		if got := d.Get(f); got != v {
			t.Errorf("%s: Get = %q after Set(%q)", f, got, v)
		}
		c := &Device{}
		if err := c.Set(f, d.Get(f)); err != nil || c.Get(f) != d.Get(f) {
			t.Errorf("%s: canonical form does not re-parse: %v", f, err)
		}
	}
}

// Ensure provenance keeps one source per field and drops empty groups.
func TestProvenance_Record(t *testing.T) {
	var p Provenance
	at := time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC)
	p.Record([]Field{FieldSerial, FieldModel}, Source{Kind: SourceImport, Name: "a.csv", Ref: "row 2", At: at})
	p.Record([]Field{FieldModel}, Source{Kind: SourceManual, Actor: "cli:jo", At: at})
	p.Record([]Field{FieldSerial}, Source{Kind: SourceManual, Actor: "cli:jo", At: at})
	if len(p) != 2 {
		t.Fatalf("entries = %d, want 2 (the import entry is empty and dropped)", len(p))
	}
	s, _ := p.Of(FieldModel)
	if s.Describe() != "set by hand by cli:jo on 2026-01-02 03:04 UTC" {
		t.Fatalf("describe = %q", s.Describe())
	}
}

// Ensure every byte of an event feeds its hash.
func TestAuditEvent_ComputeHash(t *testing.T) {
	e := AuditEvent{At: time.Unix(0, 0), Actor: Actor{Kind: ActorCLI, Name: "a"}, Action: "device.update", ObjectType: "device", ObjectID: 1,
		Before: []byte(`{"a":"1"}`), After: []byte(`{"a":"2"}`)}
	h := e.ComputeHash()
	for name, mutate := range map[string]func(*AuditEvent){
		"prev":   func(e *AuditEvent) { e.PrevHash = "x" },
		"actor":  func(e *AuditEvent) { e.Actor.Name = "b" },
		"after":  func(e *AuditEvent) { e.After = []byte(`{"a":"3"}`) },
		"object": func(e *AuditEvent) { e.ObjectID = 2 },
		"shift":  func(e *AuditEvent) { e.Action, e.ObjectType = "device.updatedevice", "" },
	} {
		c := e
		mutate(&c)
		if c.ComputeHash() == h {
			t.Errorf("changing %s did not change the hash", name)
		}
	}
}

// FuzzDeviceSet checks that no text value makes a field parser panic and
// that every accepted value re-parses to itself.
func FuzzDeviceSet(f *testing.F) {
	f.Add("macs", "00:11:22:33:44:55; 0011.2233.4455") // two notations of one MAC
	f.Add("purchase_date", "2/29/2023")                // impossible date
	f.Add("category", "Infusion-Pump / LVP")           // keyword inside a phrase
	f.Add("ips", "::ffff:1.2.3.4,10.0.0.1")            // mapped IPv6
	f.Add("vlans", "vlan4095")                         // out of range
	f.Add("phi_records", "1,000,000")                  // thousands separators
	f.Add("manufacturer", "Dr\xe4ger")                 // invalid UTF-8 (Windows-1252 byte)
	f.Add("hostnames", "a..b")                         // empty label
	f.Fuzz(func(t *testing.T, field, value string) {
		d := &Device{}
		if err := d.Set(Field(field), value); err != nil {
			if ErrorCode(err) != CodeInvalid {
				t.Fatalf("error code %q for %q=%q", ErrorCode(err), field, value)
			}
			return
		}
		c := &Device{}
		if err := c.Set(Field(field), d.Get(Field(field))); err != nil || c.Get(Field(field)) != d.Get(Field(field)) {
			t.Fatalf("%s: %q → %q does not re-parse: %v", field, value, d.Get(Field(field)), err)
		}
	})
}
