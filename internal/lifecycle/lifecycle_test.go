package lifecycle

import (
	"math/big"
	"testing"
	"time"

	"github.com/vigil-med/vigil/internal/domain"
)

func date(t *testing.T, s string) domain.Date {
	t.Helper()
	d, err := domain.ParseDate(s, domain.MonthFirst)
	if err != nil {
		t.Fatal(err)
	}
	return d
}

func TestAddYears(t *testing.T) {
	for _, c := range []struct {
		from  string
		years int
		want  string
	}{
		{"2020-02-29", 5, "2025-02-28"}, // leap day into a common year: end of February
		{"2020-02-29", 4, "2024-02-29"}, // leap year to leap year keeps the day
		{"2019-03-01", 1, "2020-03-01"},
		{"2021-12-31", 7, "2028-12-31"},
		{"2023-02-28", 1, "2024-02-28"},
	} {
		if got := AddYears(date(t, c.from), c.years).String(); got != c.want {
			t.Errorf("AddYears(%s, %d) = %s, want %s", c.from, c.years, got, c.want)
		}
	}
}

func TestMonthsAhead(t *testing.T) {
	for _, c := range []struct{ from, want string }{
		{"2025-08-31", "2026-02-28"},
		{"2023-08-31", "2024-02-29"},
		{"2026-11-29", "2027-05-29"},
	} {
		if got := MonthsAhead(date(t, c.from), 6).String(); got != c.want {
			t.Errorf("MonthsAhead(%s, 6) = %s, want %s", c.from, got, c.want)
		}
	}
}

// The fixture: five devices checked by hand.
//
//	1 monitor, model A (EoS 2027-06-30, 8 y life, $12,500.00), installed 2020-02-29
//	  → life ends 2028-02-29, EoS first: due 2027-06-30, end-of-support.
//	2 pump, model B (no EoS, 5 y life, $3,333.33), purchased 2020-02-29, no install
//	  → 2025-02-28 (leap day + 5 y), service-life; overdue from 2026 → budget 2026.
//	3 pump, model B, installed 2024-05-10, device override $2,999.99
//	  → 2029-05-10, service-life, cost from the device.
//	4 x-ray, model C (EoS 2026-12-31, no life, no cost) → due 2026-12-31, no cost.
//	5 workstation, no model dates, no device dates → unknown.
func fixture(t *testing.T) []Due {
	models := map[int64]*domain.Model{
		1: {ID: 1, EndOfSupport: date(t, "2027-06-30"), ServiceLifeYears: 8, ReplacementCostCents: 1250000, Currency: "USD"},
		2: {ID: 2, ServiceLifeYears: 5, ReplacementCostCents: 333333, Currency: "USD"},
		3: {ID: 3, EndOfSupport: date(t, "2026-12-31"), Currency: "USD"},
		4: {ID: 4, Currency: "USD"},
	}
	devs := []*domain.Device{
		{ID: 1, Name: "ICU monitor", ModelID: 1, Site: "main", Department: "ICU", Category: "patient-monitoring", InstallDate: date(t, "2020-02-29")},
		{ID: 2, Name: "Pump 1", ModelID: 2, Site: "main", Department: "ICU", Category: "infusion", PurchaseDate: date(t, "2020-02-29")},
		{ID: 3, Name: "Pump 2", ModelID: 2, Site: "north", Department: "Oncology", Category: "infusion", InstallDate: date(t, "2024-05-10")},
		{ID: 4, Name: "X-ray", ModelID: 3, Site: "north", Department: "Radiology", Category: "imaging"},
		{ID: 5, Name: "PACS workstation", ModelID: 4, Site: "main", Category: "workstation-pacs"},
		{ID: 6, Name: "Old pump", ModelID: 2, Site: "main", Lifecycle: "retired", PurchaseDate: date(t, "2010-01-01")},
	}
	return Items(devs, models, map[int64]int64{3: 299999})
}

func TestItems(t *testing.T) {
	items := fixture(t)
	type row struct {
		id         int64
		due        string
		basis      Basis
		cost       int64
		costSource string
	}
	want := []row{
		{5, "", BasisUnknown, 0, ""},
		{2, "2025-02-28", BasisServiceLife, 333333, "model"},
		{4, "2026-12-31", BasisEndOfSupport, 0, ""},
		{1, "2027-06-30", BasisEndOfSupport, 1250000, "model"},
		{3, "2029-05-10", BasisServiceLife, 299999, "device"},
	}
	if len(items) != len(want) {
		t.Fatalf("got %d items, want %d (the retired device is left out)", len(items), len(want))
	}
	for i, w := range want {
		g := items[i]
		got := row{g.DeviceID, g.DueOn.String(), g.Basis, g.CostCents, g.CostSource}
		if got != w {
			t.Errorf("item %d = %+v, want %+v", i, got, w)
		}
	}
}

func TestBudget(t *testing.T) {
	b := MakeBudget(fixture(t), BudgetOptions{FromYear: 2026, Years: 3, By: BySite})
	if got := b.Years; len(got) != 3 || got[0] != 2026 || got[2] != 2028 {
		t.Fatalf("years = %v", got)
	}
	// main: 2026 pump 1 (overdue) 3,333.33; 2027 monitor 12,500.00.
	// north: 2026 x-ray (no cost) 0; pump 2 due 2029 is after the horizon.
	want := []BudgetRow{
		{Key: "main", Cents: []int64{333333, 1250000, 0}, Devices: []int{1, 1, 0}, Total: 1583333},
		{Key: "north", Cents: []int64{0, 0, 0}, Devices: []int{1, 0, 0}, Total: 0},
	}
	if len(b.Rows) != len(want) {
		t.Fatalf("rows = %+v", b.Rows)
	}
	for i, w := range want {
		g := b.Rows[i]
		if g.Key != w.Key || g.Total != w.Total || !eq(g.Cents, w.Cents) || !eq(g.Devices, w.Devices) {
			t.Errorf("row %d = %+v, want %+v", i, g, w)
		}
	}
	if !eq(b.YearTotals, []int64{333333, 1250000, 0}) || b.Total != 1583333 {
		t.Errorf("totals = %v / %d", b.YearTotals, b.Total)
	}
	if len(b.Unknown) != 1 || b.Unknown[0].DeviceID != 5 {
		t.Errorf("unknown = %+v, want device 5", b.Unknown)
	}
	if len(b.Later) != 1 || b.Later[0].DeviceID != 3 {
		t.Errorf("later = %+v, want device 3", b.Later)
	}
	if len(b.NoCost) != 1 || b.NoCost[0].DeviceID != 4 {
		t.Errorf("no cost = %+v, want device 4", b.NoCost)
	}
}

func TestBudgetEscalation(t *testing.T) {
	// 3 % a year from 2026: pump 1 (2026, year 0) stays 3,333.33; the
	// monitor (2027, year 1) costs 12,500.00 × 1.03 = 12,875.00.
	b := MakeBudget(fixture(t), BudgetOptions{FromYear: 2026, Years: 2, By: ByYear, EscalationBP: 300})
	if len(b.Rows) != 1 || !eq(b.Rows[0].Cents, []int64{333333, 1287500}) {
		t.Fatalf("rows = %+v", b.Rows)
	}
}

func TestEscalateRounding(t *testing.T) {
	for _, c := range []struct {
		cents     int64
		bp, years int
		want      int64
	}{
		{999, 300, 1, 1029},             // 1028.97 → 1029
		{50, 100, 1, 51},                // 50.5 → 51 (half away from zero)
		{150, 100, 1, 152},              // 151.5 → 152
		{333333, 250, 2, 350208},        // 333333 × 1.025² = 350208.47… → 350208
		{100000000, 300, 10, 134391638}, // $1,000,000 × 1.03^10 = 1,343,916.379…
		{-50, 100, 1, -51},              // credits round away from zero too
		{12345, 0, 5, 12345},
	} {
		if got := Escalate(c.cents, c.bp, c.years); got != c.want {
			t.Errorf("Escalate(%d, %d, %d) = %d, want %d", c.cents, c.bp, c.years, got, c.want)
		}
	}
	if got := RoundDiv(big.NewInt(-3), big.NewInt(2)).Int64(); got != -2 {
		t.Errorf("RoundDiv(-3, 2) = %d, want -2", got)
	}
}

func TestFormatCents(t *testing.T) {
	for c, want := range map[int64]string{0: "0.00", 5: "0.05", 123456789: "1,234,567.89", -100050: "-1,000.50", 99999: "999.99"} {
		if got := FormatCents(c); got != want {
			t.Errorf("FormatCents(%d) = %q, want %q", c, got, want)
		}
	}
}

func TestEndOfSupportHorizons(t *testing.T) {
	items := fixture(t)
	// Today 2026-06-30: 6 months ahead is 2026-12-30, so the x-ray's
	// 2026-12-31 falls in 6–12; the monitor's 2027-06-30 is exactly 12
	// months ahead, so it falls in 12–24 (the ranges are half-open).
	h := EndOfSupport(items, date(t, "2026-06-30"))
	if len(h.Within6) != 0 || len(h.Within12) != 1 || h.Within12[0].DeviceID != 4 || len(h.Within24) != 1 || h.Within24[0].DeviceID != 1 || len(h.Past) != 0 {
		t.Errorf("horizons = %+v", h)
	}
	h = EndOfSupport(items, date(t, "2027-01-01"))
	if len(h.Past) != 1 || h.Past[0].DeviceID != 4 || len(h.Within6) != 1 || h.Within6[0].DeviceID != 1 {
		t.Errorf("horizons = %+v", h)
	}
	if got := Within(items, date(t, "2026-06-30"), 12); len(got) != 1 {
		t.Errorf("within 12 = %+v", got)
	}
}

func TestAlerts(t *testing.T) {
	a := Alerts(fixture(t), date(t, "2026-12-01"), 180)
	if len(a) != 1 || a[0].DeviceID != 4 || a[0].DaysLeft != 30 {
		t.Fatalf("alerts = %+v", a)
	}
	a = Alerts(fixture(t), date(t, "2027-01-02"), 180)
	if len(a) != 2 || a[0].DaysLeft != -2 || a[1].DaysLeft != 179 {
		t.Fatalf("alerts = %+v", a)
	}
}

func TestPatchLatency(t *testing.T) {
	rel := date(t, "2024-02-28")
	at := func(s string) time.Time { return date(t, s).Time().Add(15 * time.Hour) }
	items := []*domain.PatchItem{
		{Manufacturer: "Acme", Device: "a", ReleasedOn: rel, State: domain.PatchVerified, AppliedAt: at("2024-03-01")}, // 2 days (leap day between)
		{Manufacturer: "Acme", Device: "b", ReleasedOn: rel, State: domain.PatchApplied, AppliedAt: at("2024-03-09")},  // 10
		{Manufacturer: "Acme", Device: "c", ReleasedOn: rel, State: domain.PatchScheduled},
		{Manufacturer: "Beta", Device: "d", ReleasedOn: rel, State: domain.PatchAvailable},
	}
	got := PatchLatency(items, ByVendor)
	if len(got) != 2 {
		t.Fatalf("latency = %+v", got)
	}
	if a := got[0]; a.Key != "Acme" || a.Applied != 2 || a.Open != 1 || a.MedianDays != 6 || a.AverageDays != 6 || a.MaxDays != 10 {
		t.Errorf("Acme = %+v", a)
	}
	if b := got[1]; b.Key != "Beta" || b.Applied != 0 || b.Open != 1 {
		t.Errorf("Beta = %+v", b)
	}
}

func TestBehindLatest(t *testing.T) {
	releases := []*domain.FirmwareRelease{
		{ID: 1, ModelID: 7, Version: "2.0", ReleasedOn: date(t, "2024-01-01")},
		{ID: 2, ModelID: 7, Version: "2.1", ReleasedOn: date(t, "2025-01-01")},
	}
	items := []*domain.PatchItem{
		{ReleaseID: 1, DeviceID: 1, State: domain.PatchAvailable},
		{ReleaseID: 2, DeviceID: 1, State: domain.PatchAvailable, Version: "2.1"},
		{ReleaseID: 2, DeviceID: 2, State: domain.PatchVerified},
	}
	got := BehindLatest(releases, items)
	if len(got) != 1 || got[0].DeviceID != 1 || got[0].Latest != "2.1" {
		t.Errorf("behind = %+v", got)
	}
}

func eq[T comparable](a, b []T) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if a[i] != b[i] {
			return false
		}
	}
	return true
}
