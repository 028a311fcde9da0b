package xlsx_test

import (
	"bytes"
	"testing"
	"time"

	"github.com/xuri/excelize/v2"

	"github.com/vigil-med/vigil/internal/domain"
	"github.com/vigil-med/vigil/internal/importer"
	"github.com/vigil-med/vigil/internal/importer/importertest"
	"github.com/vigil-med/vigil/internal/importer/xlsx"
)

// rows is a sheet to generate: row number → cell values by column; nil
// leaves a cell empty. Values keep their Go type, so excelize stores
// numbers as numbers, times as date cells and bools as booleans.
type rows map[int][]any

// MustWorkbook builds an .xlsx in memory with the given sheets, in order.
func MustWorkbook(tb testing.TB, date1904 bool, sheets ...struct {
	Name string
	Rows rows
}) []byte {
	tb.Helper()
	f := excelize.NewFile()
	defer f.Close()
	dateStyle, err := f.NewStyle(&excelize.Style{NumFmt: 14}) // m/d/yyyy, a real date cell
	if err != nil {
		tb.Fatal(err)
	}
	if date1904 {
		yes := true
		if err := f.SetWorkbookProps(&excelize.WorkbookPropsOptions{Date1904: &yes}); err != nil {
			tb.Fatal(err)
		}
	}
	for i, s := range sheets {
		if i == 0 {
			if err := f.SetSheetName("Sheet1", s.Name); err != nil {
				tb.Fatal(err)
			}
		} else if _, err := f.NewSheet(s.Name); err != nil {
			tb.Fatal(err)
		}
		for r, vals := range s.Rows {
			for c, v := range vals {
				if v == nil {
					continue
				}
				cell, _ := excelize.CoordinatesToCellName(c+1, r)
				if err := f.SetCellValue(s.Name, cell, v); err != nil {
					tb.Fatal(err)
				}
				if _, ok := v.(time.Time); ok {
					if err := f.SetCellStyle(s.Name, cell, cell, dateStyle); err != nil {
						tb.Fatal(err)
					}
				}
			}
		}
	}
	var buf bytes.Buffer
	if err := f.Write(&buf); err != nil {
		tb.Fatal(err)
	}
	return buf.Bytes()
}

type sheet = struct {
	Name string
	Rows rows
}

func day(y int, m time.Month, d int) time.Time { return time.Date(y, m, d, 0, 0, 0, 0, time.UTC) }

// inventorySheet is a realistic first sheet: a title row, a blank row, the
// header on row 3, date cells, numbers, a boolean, an empty row in the
// middle (row 6), a date typed as text, a date with a time of day, a year
// typed where a date belongs, and a value beyond the header.
var inventorySheet = sheet{"Inventory", rows{
	1:  {"Clinical Engineering – device list"},
	3:  {"Asset #", "Serial Number", "Mfr", "Model", "Purchase Date", "Install Date", "PHI Records", "Network Required", "VLAN", "IP Address", "Notes"},
	4:  {10234, "SPC123456", "Baxter", "Sigma Spectrum", day(2019, 3, 15), day(2019, 4, 1), 1500, true, 40, "10.20.1.15", "first"},
	5:  {10235, 4455667788, "Philips", "IntelliVue MX450", day(2020, 11, 2), nil, nil, false, 41, "10.20.1.16", nil},
	7:  {"A-77", "SN-77", "GE", "Vivid E95", "2021-03-04", time.Date(2021, 3, 5, 18, 30, 0, 0, time.UTC), 0, "yes", "40;41", nil, "after an empty row"},
	8:  {"A-78", "SN-78", "Siemens", "ACUSON", 2019, "1/2/2020", nil, nil, nil, nil, nil, "stray"},
	9:  {"A-79", "SN-79", nil, nil, 0.5, nil, nil, nil, 5000, "10.0.0.999"},
	12: {nil, nil, nil, nil, nil, "   "},
}}

// Ensure generated workbooks read, map and build to their golden rendering.
func TestRead_Golden(t *testing.T) {
	second := sheet{"Annex", rows{
		2: {"Serial", "Name", "Location"},
		3: {"X-1", "Lab fridge", "Basement"},
		5: {"X-2", "Cart", "Ward 3", "beyond the header"},
	}}
	tests := []struct {
		name  string
		data  []byte
		sheet string
	}{
		{"inventory", MustWorkbook(t, false, inventorySheet, second), ""},
		{"second_sheet", MustWorkbook(t, false, inventorySheet, second), "annex"},
		{"date1904", MustWorkbook(t, true, sheet{"Sheet1", rows{
			1: {"Serial", "Purchase Date", "Install Date"},
			2: {"S-1", day(2019, 3, 15), 43539.0}, // 43539 in the 1904 system is 45001 in the 1900 one: 2023-03-16
		}}), ""},
		{"no_such_sheet", MustWorkbook(t, false, inventorySheet, second), "Missing"},
		{"empty_sheet", MustWorkbook(t, false, sheet{"Blank", rows{}}), ""},
		{"not_a_workbook", []byte("PK\x03\x04 this is not really a zip"), ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			file := tt.name + ".xlsx"
			var got []byte
			tab, err := xlsx.ReadSheet(file, bytes.NewReader(tt.data), tt.sheet)
			if err != nil {
				importertest.CheckReadError(t, file, err)
				got = importertest.RenderError(err)
			} else {
				got = importertest.Render(tab, nil, domain.ParseOptions{})
			}
			importertest.Golden(t, "testdata/"+tt.name+".golden.json", got)
		})
	}
}

// Ensure row numbers are the spreadsheet's own when rows are missing in
// between, and that reading the first sheet by default works through Read.
func TestRead_RowNumbers(t *testing.T) {
	data := MustWorkbook(t, false, sheet{"S", rows{
		2:    {"Serial"},
		3:    {"A"},
		10:   {"B"},
		1000: {"C"},
	}})
	tab, err := xlsx.Read("n.xlsx", bytes.NewReader(data))
	if err != nil {
		t.Fatal(err)
	}
	var got []int
	for _, r := range tab.Rows {
		got = append(got, r.Line)
	}
	want := []int{3, 10, 1000}
	if tab.HeaderLine != 2 || len(got) != len(want) || got[0] != 3 || got[1] != 10 || got[2] != 1000 {
		t.Fatalf("header line %d, rows %v; want 2, %v", tab.HeaderLine, got, want)
	}
	if loc := tab.Locate(tab.Rows[2], 0); loc != "n.xlsx:1000:1" {
		t.Fatalf("location = %q", loc)
	}
}

// Ensure a cell problem in a sheet other than the first names the sheet.
func TestRead_SheetInLocation(t *testing.T) {
	data := MustWorkbook(t, false, sheet{"First", rows{1: {"Serial"}}}, sheet{"Sheet2", rows{1: {"Serial", "MAC"}, 14: {"S", "zz"}}})
	tab, err := xlsx.ReadSheet("inv.xlsx", bytes.NewReader(data), "Sheet2")
	if err != nil {
		t.Fatal(err)
	}
	m, _, _ := importer.MapHeader(tab, nil)
	_, problems := importer.Build(tab, m, domain.ParseOptions{})
	if len(problems) != 1 || problems[0].Location != "inv.xlsx:Sheet2:14:2" {
		t.Fatalf("problems = %+v; want one at inv.xlsx:Sheet2:14:2", problems)
	}
}
