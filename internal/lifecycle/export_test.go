package lifecycle

import (
	"bytes"
	"strings"
	"testing"
	"time"

	"github.com/xuri/excelize/v2"

	"github.com/vigil-med/vigil/internal/domain"
)

func TestWriteBudgetCSV(t *testing.T) {
	var buf bytes.Buffer
	if err := WriteBudgetCSV(&buf, MakeBudget(fixture(t), BudgetOptions{FromYear: 2026, Years: 2, By: ByCategory})); err != nil {
		t.Fatal(err)
	}
	want := "category,2026,2027,total,currency\n" +
		"imaging,0.00,0.00,0.00,USD\n" +
		"infusion,3333.33,0.00,3333.33,USD\n" +
		"patient-monitoring,0.00,12500.00,12500.00,USD\n" +
		"total,3333.33,12500.00,15833.33,USD\n"
	if buf.String() != want {
		t.Fatalf("csv:\n%s\nwant:\n%s", buf.String(), want)
	}
}

func TestWriteBudgetXLSX(t *testing.T) {
	items := fixture(t)
	var buf bytes.Buffer
	if err := WriteBudgetXLSX(&buf, MakeBudget(items, BudgetOptions{FromYear: 2026, Years: 2}), items); err != nil {
		t.Fatal(err)
	}
	f, err := excelize.OpenReader(&buf)
	if err != nil {
		t.Fatal(err)
	}
	// The amount is a number cell, not text.
	if typ, _ := f.GetCellType("Budget", "C2"); typ == excelize.CellTypeSharedString || typ == excelize.CellTypeInlineString {
		t.Fatalf("C2 is stored as text")
	}
	if v, _ := f.GetCellValue("Budget", "C2", excelize.Options{RawCellValue: true}); v != "12500" && v != "12500.00" {
		t.Fatalf("C2 = %q, want the number 12500", v)
	}
	rows, _ := f.GetRows("Devices")
	if len(rows) != len(items)+1 || rows[1][0] != "PACS workstation" || rows[1][8] != "unknown" {
		t.Fatalf("devices sheet: %q", rows)
	}
}

func TestNotification(t *testing.T) {
	v := &domain.Vendor{ID: 7, Name: "Acme Medical", PSIRTEmail: "psirt@acme.example"}
	devs := []*domain.Device{
		{VendorID: 7, Model: "Pump 9", Serial: "B2", Firmware: "1.0", Site: "main"},
		{VendorID: 7, Model: "Pump 9", Serial: "A1", Firmware: "1.1", Site: "north"},
		{VendorID: 7, Model: "Scope", Serial: "C3", Site: "main"},
		{VendorID: 8, Model: "Pump 9", Serial: "Z9", Site: "main"}, // another vendor's
	}
	n := NewNotification(v, devs, "pump 9", "CVE-2026-0001: hard-coded password")
	var buf bytes.Buffer
	if err := n.WriteCSV(&buf); err != nil {
		t.Fatal(err)
	}
	if want := "model,serial,firmware,site\nPump 9,A1,1.1,north\nPump 9,B2,1.0,main\n"; buf.String() != want {
		t.Fatalf("csv:\n%s", buf.String())
	}
	text := n.Text("Lakeside Clinic")
	for _, want := range []string{"To: psirt@acme.example", "Subject: Security question about pump 9 (2 devices)", "CVE-2026-0001: hard-coded password",
		"Lakeside Clinic operates the following 2 device(s)", "  - Pump 9, serial A1, firmware 1.1, site north\n"} {
		if !strings.Contains(text, want) {
			t.Errorf("text lacks %q:\n%s", want, text)
		}
	}
	if all := NewNotification(v, devs, "", ""); len(all.Rows) != 3 || strings.Contains(all.Text("P"), "following issue") {
		t.Errorf("all models: %+v", all.Rows)
	}
}

func TestScorecardFollowUp(t *testing.T) {
	now := time.Date(2026, 11, 29, 0, 0, 0, 0, time.UTC)
	v := &domain.Vendor{Name: "Acme", ContactVerified: domain.Date{Year: 2025, Month: 11, Day: 28}, SupportContractEnd: domain.Date{Year: 2026, Month: 1, Day: 1}}
	sc := Scorecard{Models: 2, ModelsWithSBOM: 2, ModelsWithMDS2: 1, ContactStale: v.ContactStale(now), ContractEnded: true}
	got := strings.Join(followUp(v, sc, AdvisoryStats{}), "; ")
	want := "confirm the security contacts (last verified 2025-11-28); the support contract ended on 2026-01-01; no PSIRT contact on record; " +
		"ask for MDS2 forms for the models without one; ask where security advisories are published (CSAF feed)"
	if got != want {
		t.Fatalf("follow-up:\n got %s\nwant %s", got, want)
	}
}
