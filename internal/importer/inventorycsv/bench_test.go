package inventorycsv_test

import (
	"bufio"
	"fmt"
	"os"
	"path/filepath"
	"testing"

	"github.com/vigil-med/vigil/internal/domain"
	"github.com/vigil-med/vigil/internal/importer"
	"github.com/vigil-med/vigil/internal/importer/inventorycsv"
)

// writeCMMSExport writes n rows shaped like a real CMMS export: synonym
// headers, US dates, MACs in mixed notations, vendor aliases, free-text
// categories, quoted notes with commas.
func writeCMMSExport(tb testing.TB, path string, n int) {
	tb.Helper()
	f, err := os.Create(path)
	if err != nil {
		tb.Fatal(err)
	}
	w := bufio.NewWriter(f)
	fmt.Fprintln(w, "Asset #,Equipment Type,Mfr,Model #,Serial No.,IP Addr,MAC Address,Hostname,VLAN,Dept,Location,Purchase Date,Status,Criticality,PHI,Notes")
	types := []string{"Infusion Pump", "Patient Monitor", "CT Scanner", "Ventilator", "EKG Cart", "Ultrasound", "Blood Gas Analyzer", "PACS Workstation"}
	mfrs := []string{"Baxter Healthcare Corporation", "Philips Medical Systems", "GE Medical Systems", "Draeger", "Siemens Healthineers", "BD CareFusion"}
	depts := []string{"ICU", "Radiology", "Emergency", "Cardiology", "Laboratory", "OR"}
	status := []string{"Active", "Spare", "In Repair", "Retired"}
	crit := []string{"Life support", "Diagnostic", "Supporting", "Non-clinical"}
	for i := 0; i < n; i++ {
		mac := fmt.Sprintf("00-1B-%02X-%02X-%02X-%02X", i>>24&0xff, i>>16&0xff, i>>8&0xff, i&0xff)
		if i%3 == 0 {
			mac = fmt.Sprintf("001b.%02x%02x.%02x%02x", i>>24&0xff, i>>16&0xff, i>>8&0xff, i&0xff)
		}
		fmt.Fprintf(w, "%d,%s,%s,Model %d-%c,SN%08d,10.%d.%d.%d,%s,dev-%d.clinic.local,%d,%s,Bldg %c Rm %d,%d/%d/%d,%s,%s,%s,\"Checked %d/%d, PM due; ok\"\n",
			100000+i, types[i%len(types)], mfrs[i%len(mfrs)], i%500, 'A'+rune(i%26), i,
			i>>16&0xff, i>>8&0xff, 1+i%254, mac, i, 1+i%4094, depts[i%len(depts)], 'A'+rune(i%5), 100+i%400,
			1+i%12, 1+i%28, 2005+i%20, status[i%len(status)], crit[i%len(crit)], []string{"yes", "no"}[i%2], 1+i%12, 2024)
	}
	if err := w.Flush(); err != nil {
		tb.Fatal(err)
	}
	if err := f.Close(); err != nil {
		tb.Fatal(err)
	}
}

// BenchmarkReadCSV100k measures reading, mapping and building a
// 100,000-row CMMS export from a file.
func BenchmarkReadCSV100k(b *testing.B) {
	const n = 100_000
	path := filepath.Join(b.TempDir(), "cmms.csv")
	writeCMMSExport(b, path, n)
	if st, err := os.Stat(path); err == nil {
		b.SetBytes(st.Size())
	}
	b.ReportAllocs()
	for b.Loop() {
		f, err := os.Open(path)
		if err != nil {
			b.Fatal(err)
		}
		tab, err := inventorycsv.Read("cmms.csv", f)
		f.Close()
		if err != nil {
			b.Fatal(err)
		}
		m, problems, _ := importer.MapHeader(tab, nil)
		if len(problems) > 0 {
			b.Fatal(importer.FormatProblems(problems))
		}
		recs, problems := importer.Build(tab, m, domain.ParseOptions{})
		if len(problems) > 0 || len(recs) != n {
			b.Fatalf("%d records, %d problems: %v", len(recs), len(problems), problems[:min(3, len(problems))])
		}
	}
}
