package inventoryjson_test

import (
	"bytes"
	"encoding/json"
	"reflect"
	"strings"
	"testing"

	"github.com/vigil-med/vigil/internal/domain"
	"github.com/vigil-med/vigil/internal/importer"
	"github.com/vigil-med/vigil/internal/importer/importertest"
	"github.com/vigil-med/vigil/internal/importer/inventoryjson"
)

// Ensure a JSON export re-imports to the same devices, value for value,
// including multi-line notes (typed with CRLF, stored with LF).
func TestWriter_RoundTrip(t *testing.T) {
	devices := importertest.Devices(99, 500)
	if err := devices[3].Set(domain.FieldNotes, "first\r\nsecond"); err != nil {
		t.Fatal(err)
	}
	data := mustExport(t, devices)
	tab, err := inventoryjson.Read("export.json", bytes.NewReader(data))
	if err != nil {
		t.Fatal(err)
	}
	m, problems, warnings := importer.MapHeader(tab, nil)
	if len(problems)+len(warnings) > 0 {
		t.Fatalf("header: %v %v", problems, warnings)
	}
	recs, problems := importer.Build(tab, m, domain.ParseOptions{})
	if len(problems) > 0 {
		t.Fatalf("problems:\n%s", importer.FormatProblems(problems))
	}
	if len(recs) != len(devices) {
		t.Fatalf("got %d records, want %d", len(recs), len(devices))
	}
	for i, r := range recs {
		if d := importertest.Equal(devices[i], &r.Device); len(d) > 0 {
			t.Fatalf("device %d (%s) changed:\n%s", i, r.Location, strings.Join(d, "\n"))
		}
	}
}

// Ensure the export's shape: an indented array, keys in field order, lists
// as arrays, numbers as numbers, empty fields left out, nothing
// HTML-escaped, and "[]" for no devices.
func TestWriter_Form(t *testing.T) {
	d := &domain.Device{ID: 12, Serial: "S<1>", MACs: []string{"00:11:22:33:44:55"}, VLANs: []int{40, 41}, PHIRecords: 3}
	got := string(mustExport(t, []*domain.Device{d, {AssetTag: "A"}}))
	want := `[
  {
    "id": 12,
    "serial": "S<1>",
    "macs": [
      "00:11:22:33:44:55"
    ],
    "vlans": [
      40,
      41
    ],
    "phi_records": 3
  },
  {
    "asset_tag": "A"
  }
]
`
	if got != want {
		t.Fatalf("got:\n%s\nwant:\n%s", got, want)
	}
	if !json.Valid([]byte(got)) {
		t.Fatal("not valid JSON")
	}
	if got := string(mustExport(t, nil)); got != "[]\n" {
		t.Fatalf("empty export = %q", got)
	}
}

// Ensure the JSON keys are exactly the canonical field names in export
// order, so the form cannot drift from the domain.
func TestWire_MatchesFields(t *testing.T) {
	d := &domain.Device{}
	for _, f := range domain.DeviceFields() {
		v := "1"
		switch f.Field {
		case domain.FieldMACs:
			v = "00:11:22:33:44:55"
		case domain.FieldIPs:
			v = "10.0.0.1"
		case domain.FieldCategory:
			v = "other"
		case domain.FieldCriticality:
			v = "diagnostic"
		case domain.FieldPHI:
			v = "none"
		case domain.FieldNetworkRequired:
			v = "yes"
		case domain.FieldPatchability:
			v = "unknown"
		case domain.FieldPurchaseDate, domain.FieldInstallDate:
			v = "2020-01-01"
		case domain.FieldLifecycle:
			v = "spare"
		case domain.FieldReview:
			v = "reviewed"
		}
		if err := d.Set(f.Field, v); err != nil {
			t.Fatalf("%s: %v", f.Field, err)
		}
	}
	dec := json.NewDecoder(bytes.NewReader(mustExport(t, []*domain.Device{d})))
	var keys []string
	depth := 0
	for {
		tok, err := dec.Token()
		if err != nil {
			break
		}
		switch v := tok.(type) {
		case json.Delim:
			if v == '{' || v == '[' {
				depth++
			} else {
				depth--
			}
		case string:
			if depth == 2 && dec.More() { // a key at object level is followed by its value
				keys = append(keys, v)
				var skip json.RawMessage
				if err := dec.Decode(&skip); err != nil {
					t.Fatal(err)
				}
			}
		}
	}
	if !reflect.DeepEqual(keys, domain.FieldNames()) {
		t.Fatalf("keys = %v\nwant   %v", keys, domain.FieldNames())
	}
}

func mustExport(tb testing.TB, devices []*domain.Device) []byte {
	tb.Helper()
	var buf bytes.Buffer
	w := inventoryjson.NewWriter(&buf)
	for _, d := range devices {
		if err := w.Write(d); err != nil {
			tb.Fatal(err)
		}
	}
	if err := w.Close(); err != nil {
		tb.Fatal(err)
	}
	return buf.Bytes()
}
