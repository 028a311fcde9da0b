package importer_test

import (
	"reflect"
	"strings"
	"testing"

	"github.com/vigil-med/vigil/internal/domain"
	"github.com/vigil-med/vigil/internal/importer"
)

// built is what a Build test compares: each record's row and field text,
// and every problem.
type built struct {
	Records  []string
	Problems []string
}

func build(tab *importer.Table, opt domain.ParseOptions) built {
	m, hp, _ := importer.MapHeader(tab, nil)
	if len(hp) > 0 {
		panic(importer.FormatProblems(hp))
	}
	recs, problems := importer.Build(tab, m, opt)
	var b built
	for _, r := range recs {
		parts := []string{r.Location}
		for _, f := range r.Fields {
			parts = append(parts, string(f)+"="+r.Device.Get(f))
		}
		b.Records = append(b.Records, strings.Join(parts, " "))
	}
	for _, p := range problems {
		b.Problems = append(b.Problems, p.String())
	}
	return b
}

// Ensure Build reads every mapped cell, lists only the cells present, and
// reports every bad value at its cell without stopping.
func TestBuild(t *testing.T) {
	tests := []struct {
		name string
		tab  *importer.Table
		opt  domain.ParseOptions
		want built
	}{
		{"OK", table([]string{"Serial", "Type", "Mfr", "MAC", "Purchase Date"},
			[]string{"S1", "EKG", "GE Medical Systems", "0011.2233.4455, 00-11-22-33-44-66", "3/4/2021"}),
			domain.ParseOptions{}, built{Records: []string{
				"t.csv:2 serial=S1 category=cardiology manufacturer=GE HealthCare macs=00:11:22:33:44:55; 00:11:22:33:44:66 purchase_date=2021-03-04",
			}}},
		{"DayFirst", table([]string{"Serial", "Purchase Date"}, []string{"S1", "3/4/2021"}),
			domain.ParseOptions{DateOrder: domain.DayFirst}, built{Records: []string{"t.csv:2 serial=S1 purchase_date=2021-04-03"}}},
		{"EmptyCellsAreNoChangeAndNoDefaults", table([]string{"Serial", "Type", "Status", "Notes"},
			[]string{"S1", "", "  ", ""}, []string{"S2"}),
			domain.ParseOptions{}, built{Records: []string{"t.csv:2 serial=S1", "t.csv:3 serial=S2"}}},
		{"BlankRowsSkipped", table([]string{"Serial"}, []string{""}, []string{"S1"}, []string{" ", ""}),
			domain.ParseOptions{}, built{Records: []string{"t.csv:3 serial=S1"}}},
		{"ErrEveryBadCellInARow", table([]string{"Serial", "MAC", "IP", "Type", "VLAN", "Install Date"},
			[]string{"S1", "00:11:22:GG:44:55", "10.0.0.256", "Toaster", "0", "2023-02-30"}),
			domain.ParseOptions{}, built{Problems: []string{
				`t.csv:2:2: macs: column "MAC": invalid MAC address "00:11:22:GG:44:55"`,
				`t.csv:2:3: ips: column "IP": invalid IP address "10.0.0.256"`,
				`t.csv:2:4: category: column "Type": unknown category "Toaster"; use one of: imaging, patient-monitoring, infusion, laboratory, cardiology, respiratory, dental, ophthalmic, surgical, therapeutic, workstation, building, other`,
				`t.csv:2:5: vlans: column "VLAN": invalid VLAN "0" (use a number 1–4094)`,
				`t.csv:2:6: install_date: column "Install Date": impossible date 2023-02-30 (that month has 28 days)`,
			}}},
		{"ErrNoKeyInRow", table([]string{"Serial", "Name"}, []string{"", "Cart"}, []string{"S2", "Pump"}),
			domain.ParseOptions{}, built{
				Records:  []string{"t.csv:3 serial=S2 name=Pump"},
				Problems: []string{"t.csv:2: the row has no Vigil ID, serial number, asset tag or MAC address, so it cannot be matched to a device"},
			}},
		{"BadKeyIsNotAlsoMissingKey", table([]string{"MAC"}, []string{"nope"}),
			domain.ParseOptions{}, built{Problems: []string{`t.csv:2:1: macs: column "MAC": invalid MAC address "nope"`}}},
		{"ErrDuplicateKeys", table([]string{"Vigil ID", "Asset Tag", "Serial", "MAC"},
			[]string{"7", "A-1", "S1", "00:11:22:33:44:55; 00:11:22:33:44:56"},
			[]string{"8", "a-1", "S2", ""},
			[]string{"7", "A-3", "s1", "00-11-22-33-44-56"},
			[]string{"9", "A-4", "S4", "001122334457 00:11:22:33:44:57"}),
			domain.ParseOptions{}, built{
				Records: []string{
					"t.csv:2 id=7 asset_tag=A-1 serial=S1 macs=00:11:22:33:44:55; 00:11:22:33:44:56",
					"t.csv:5 id=9 asset_tag=A-4 serial=S4 macs=00:11:22:33:44:57",
				},
				Problems: []string{
					`t.csv:3:2: asset_tag: column "Asset Tag": asset tag "a-1" is also on t.csv:2`,
					`t.csv:4:1: id: column "Vigil ID": Vigil ID "7" is also on t.csv:2`,
					`t.csv:4:3: serial: column "Serial": serial number "s1" is also on t.csv:2`,
					`t.csv:4:4: macs: column "MAC": MAC address "00:11:22:33:44:56" is also on t.csv:2`,
				},
			}},
		{"ErrInstallBeforePurchase", table([]string{"Serial", "Purchase Date", "Install Date"},
			[]string{"S1", "2022-05-01", "2021-05-01"}, []string{"S2", "", "2021-05-01"}),
			domain.ParseOptions{}, built{
				Records:  []string{"t.csv:3 serial=S2 install_date=2021-05-01"},
				Problems: []string{`t.csv:2:3: install_date: column "Install Date": install date 2021-05-01 is before purchase date 2022-05-01`},
			}},
		{"ErrReaderProblemRejectsRow", table([]string{"Serial"}, []string{"S1", "extra"}, []string{"S2"}),
			domain.ParseOptions{}, built{
				Records:  []string{"t.csv:3 serial=S2"},
				Problems: []string{`t.csv:2:2: value "extra" has no column header (the header has 1 columns)`},
			}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := build(tt.tab, tt.opt)
			if !reflect.DeepEqual(got, tt.want) {
				t.Fatalf("got  %#v\nwant %#v", got, tt.want)
			}
		})
	}
}

// Ensure pure numbers in date columns are spreadsheet day numbers only
// when the table says so (XLSX), in either date system.
func TestBuild_SerialDates(t *testing.T) {
	rows := [][]string{{"S1", "43539"}, {"S2", "43539.75"}, {"S3", "2019"}, {"S4", "2021-03-04"}, {"S5", "0"}}
	tests := []struct {
		name string
		sys  importer.SerialDates
		want built
	}{
		{"1900", importer.Serial1900, built{
			Records: []string{"t.csv:2 serial=S1 purchase_date=2019-03-15", "t.csv:3 serial=S2 purchase_date=2019-03-15", "t.csv:5 serial=S4 purchase_date=2021-03-04"},
			Problems: []string{
				`t.csv:4:2: purchase_date: column "Purchased": 2019 looks like a year, not a date; write the whole date (YYYY-MM-DD)`,
				`t.csv:6:2: purchase_date: column "Purchased": spreadsheet date number 0 is out of range`,
			}}},
		{"1904", importer.Serial1904, built{
			Records: []string{"t.csv:2 serial=S1 purchase_date=2023-03-16", "t.csv:3 serial=S2 purchase_date=2023-03-16", "t.csv:5 serial=S4 purchase_date=2021-03-04"},
			Problems: []string{
				`t.csv:4:2: purchase_date: column "Purchased": 2019 looks like a year, not a date; write the whole date (YYYY-MM-DD)`,
				`t.csv:6:2: purchase_date: column "Purchased": spreadsheet date number 0 is out of range`,
			}}},
		{"None", importer.NoSerialDates, built{
			Records: []string{"t.csv:5 serial=S4 purchase_date=2021-03-04"},
			Problems: []string{
				`t.csv:2:2: purchase_date: column "Purchased": date "43539" is not in a known format (use YYYY-MM-DD)`,
				`t.csv:3:2: purchase_date: column "Purchased": date "43539.75" is not in a known format (use YYYY-MM-DD)`,
				`t.csv:4:2: purchase_date: column "Purchased": date "2019" is not in a known format (use YYYY-MM-DD)`,
				`t.csv:6:2: purchase_date: column "Purchased": date "0" is not in a known format (use YYYY-MM-DD)`,
			}}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			tab := table([]string{"Serial", "Purchased"}, rows...)
			tab.SerialDates = tt.sys
			if got := build(tab, domain.ParseOptions{}); !reflect.DeepEqual(got, tt.want) {
				t.Fatalf("got  %#v\nwant %#v", got, tt.want)
			}
		})
	}
}

// Ensure a mapping without a key column yields one problem, not one per row.
func TestBuild_NoKeyColumn(t *testing.T) {
	tab := table([]string{"Name"}, []string{"a"}, []string{"b"})
	m, _, _ := importer.MapHeader(tab, nil)
	recs, problems := importer.Build(tab, m, domain.ParseOptions{})
	if len(recs) != 0 || len(problems) != 1 || problems[0].Location != "t.csv:1" {
		t.Fatalf("records %v, problems %v", recs, problems)
	}
}

// Ensure Invalid wraps problems in one coded error that quotes the first.
func TestInvalid(t *testing.T) {
	if err := importer.Invalid("f.csv", nil); err != nil {
		t.Fatalf("no problems gave %v", err)
	}
	ps := []domain.Problem{{Location: "f.csv:2:1", Field: "serial", Message: "bad"}, {Location: "f.csv:3", Message: "worse"}}
	err := importer.Invalid("f.csv", ps)
	if got, want := err.Error(), "f.csv:2:1: serial: bad (and 1 more problem)"; got != want {
		t.Fatalf("got %q, want %q", got, want)
	}
	if domain.ErrorCode(err) != domain.CodeInvalid || len(domain.ErrorProblems(err)) != 2 {
		t.Fatalf("code %q, problems %v", domain.ErrorCode(err), domain.ErrorProblems(err))
	}
	if got, want := importer.FormatProblems(ps), "f.csv:2:1: serial: bad\nf.csv:3: worse\n"; got != want {
		t.Fatalf("FormatProblems = %q, want %q", got, want)
	}
}
