package inventorycsv_test

import (
	"bytes"
	"strings"
	"testing"

	"github.com/vigil-med/vigil/internal/domain"
	"github.com/vigil-med/vigil/internal/importer"
	"github.com/vigil-med/vigil/internal/importer/importertest"
	"github.com/vigil-med/vigil/internal/importer/inventorycsv"
)

// Ensure an export re-imports to the same devices, value for value, over
// many varied devices (awkward text, lists, dates, enumerations).
func TestWriter_RoundTrip(t *testing.T) {
	for _, bom := range []bool{false, true} {
		name := "NoBOM"
		if bom {
			name = "BOM"
		}
		t.Run(name, func(t *testing.T) {
			devices := importertest.Devices(42, 500)
			var buf bytes.Buffer
			w := inventorycsv.NewWriter(&buf)
			w.BOM = bom
			for _, d := range devices {
				if err := w.Write(d); err != nil {
					t.Fatal(err)
				}
			}
			if err := w.Flush(); err != nil {
				t.Fatal(err)
			}
			recs := mustReimport(t, buf.Bytes())
			if len(recs) != len(devices) {
				t.Fatalf("got %d records, want %d", len(recs), len(devices))
			}
			for i, r := range recs {
				if d := importertest.Equal(devices[i], &r.Device); len(d) > 0 {
					t.Fatalf("device %d (%s) changed:\n%s", i, r.Location, strings.Join(d, "\n"))
				}
			}
		})
	}
}

// Ensure an empty export is a header the reader accepts.
func TestWriter_Empty(t *testing.T) {
	var buf bytes.Buffer
	if err := inventorycsv.NewWriter(&buf).Flush(); err != nil {
		t.Fatal(err)
	}
	if got, want := buf.String(), strings.Join(domain.FieldNames(), ",")+"\n"; got != want {
		t.Fatalf("got %q, want %q", got, want)
	}
	if recs := mustReimport(t, buf.Bytes()); len(recs) != 0 {
		t.Fatalf("got %d records", len(recs))
	}
}

// Ensure values a spreadsheet would run as formulas are written escaped,
// so opening an export in Excel runs nothing.
func TestWriter_EscapesFormulas(t *testing.T) {
	d := &domain.Device{Serial: "=HYPERLINK(\"http://x\")", Notes: "@SUM(1)"}
	var buf bytes.Buffer
	w := inventorycsv.NewWriter(&buf)
	if err := w.Write(d); err != nil {
		t.Fatal(err)
	}
	if err := w.Flush(); err != nil {
		t.Fatal(err)
	}
	line := strings.Split(buf.String(), "\n")[1]
	if !strings.Contains(line, `"'=HYPERLINK(""http://x"")"`) || !strings.Contains(line, "'@SUM(1)") {
		t.Fatalf("formulas not escaped: %s", line)
	}
	recs := mustReimport(t, buf.Bytes())
	if got := recs[0].Device.Serial; got != d.Serial {
		t.Fatalf("serial came back as %q, want %q", got, d.Serial)
	}
}

// Ensure a note written with Windows line ends comes back with LF ones,
// which is how Vigil stores them (encoding/csv turns CRLF inside a quoted
// value into LF, and Device.Set does the same).
func TestWriter_CRLFInNotesBecomesLF(t *testing.T) {
	d := &domain.Device{Serial: "S1", Notes: "first\r\nsecond"}
	var buf bytes.Buffer
	w := inventorycsv.NewWriter(&buf)
	if err := w.Write(d); err != nil {
		t.Fatal(err)
	}
	if err := w.Flush(); err != nil {
		t.Fatal(err)
	}
	if got := mustReimport(t, buf.Bytes())[0].Device.Notes; got != "first\nsecond" {
		t.Fatalf("notes = %q, want %q", got, "first\nsecond")
	}
}

func mustReimport(tb testing.TB, data []byte) []domain.ImportRecord {
	tb.Helper()
	tab, err := inventorycsv.Read("export.csv", bytes.NewReader(data))
	if err != nil {
		tb.Fatal(err)
	}
	m, problems, warnings := importer.MapHeader(tab, nil)
	if len(problems) > 0 || len(warnings) > 0 {
		tb.Fatalf("header: %v %v", problems, warnings)
	}
	recs, problems := importer.Build(tab, m, domain.ParseOptions{})
	if len(problems) > 0 {
		tb.Fatalf("problems:\n%s", importer.FormatProblems(problems))
	}
	return recs
}
