package importer_test

import (
	"strings"
	"testing"

	"github.com/vigil-med/vigil/internal/domain"
	"github.com/vigil-med/vigil/internal/importer"
	"github.com/vigil-med/vigil/internal/importer/importertest"
)

// FuzzMapHeaderBuild builds a table straight from text (lines split on
// "\n", cells on "|", the first line the header) and runs MapHeader with
// overrides ("Column=field" pairs split on ";") and Build. Nothing may
// panic; every problem must be located in the file and name a real row.
func FuzzMapHeaderBuild(f *testing.F) {
	f.Add("Serial|MAC\nS1|00:11:22:33:44:55\nS1|zz", "")                                  // duplicate serial, bad MAC
	f.Add("Asset #|Type|Purchase Date\n1|EKG|2023-02-30\n|Pump|", "")                     // impossible date, row without a key
	f.Add("Foo|Bar\n1|2", "Foo=serial;Bar=-")                                             // overrides make the mapping
	f.Add("Serial|Tag|Notes|Comments\nS|T|a|b", "Tag=serial;Nope=x;Notes=colour")         // every override problem at once
	f.Add("\uFEFF Serial \n\n \n", "")                                                    // BOM and spaces in the header, blank rows
	f.Add("Vigil ID|S/N|Purchased|Installed\n-1|x|45000|1\n9999999999999999999|y|0|", "") // numbers that are not IDs or dates
	f.Fuzz(func(t *testing.T, text, overrides string) {
		lines := strings.Split(text, "\n")
		tab := &importer.Table{File: "f.txt", Format: importer.FormatCSV, HeaderLine: 1,
			Locate: importer.GridLocator("f.txt", ""), SerialDates: importer.Serial1900}
		for _, c := range strings.Split(lines[0], "|") {
			tab.Header = append(tab.Header, importer.CleanHeader(c))
		}
		for i, l := range lines[1:] {
			tab.Append(i+2, strings.Split(l, "|"))
		}
		ov := map[string]string{}
		for _, pair := range strings.Split(overrides, ";") {
			if k, v, ok := strings.Cut(pair, "="); ok {
				ov[k] = v
			}
		}
		m, hp, _ := importer.MapHeader(tab, ov)
		recs, problems := importer.Build(tab, m, domain.ParseOptions{})
		rows := map[int]bool{}
		for _, r := range tab.Rows {
			rows[r.Line] = true
		}
		for _, p := range append(hp, problems...) {
			if !strings.HasPrefix(p.Location, "f.txt") || p.Message == "" {
				t.Fatalf("unlocated problem %+v", p)
			}
			if p.Row != 0 && !rows[p.Row] {
				t.Fatalf("problem for missing row: %+v", p)
			}
		}
		for _, r := range recs {
			for _, fld := range r.Fields {
				if m.Column(fld) < 0 {
					t.Fatalf("record lists %s, which no column carries", fld)
				}
			}
		}
		importertest.CheckBuild(t, tab)
	})
}
