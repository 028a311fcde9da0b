package inventorycsv_test

import (
	"bytes"
	"io"
	"testing"

	"github.com/vigil-med/vigil/internal/domain"
	"github.com/vigil-med/vigil/internal/importer"
	"github.com/vigil-med/vigil/internal/importer/importertest"
	"github.com/vigil-med/vigil/internal/importer/inventorycsv"
)

// FuzzReadCSV feeds arbitrary bytes through Read, MapHeader, Build and
// WriteRejects. Nothing may panic; a read error must be located; rows must
// come after the header in increasing line order; every problem must carry
// a location (importertest.CheckBuild).
func FuzzReadCSV(f *testing.F) {
	seeds := []string{
		"Serial,Name\nS1,Pump\n",                             // the plain case
		"\xef\xbb\xbfAsset #;Mfr;S/N\r\n1;GE;X\r\n",          // BOM, semicolons, CRLF
		"\xff\xfeS\x00N\x00\t\x00M\x00A\x00C\x00\n\x00",      // UTF-16LE with BOM, tab
		"\xff\xfeS\x00",                                      // UTF-16 with an odd byte count
		"Name\nDr\xe4ger \x80 \x81\n",                        // Windows-1252, undefined byte 0x81
		"sep=|\nSerial|Notes\nS1|a,b\n",                      // Excel's sep= line
		"Serial,Notes\nS1,\"open quote\n",                    // unterminated quoted field
		"Serial,Notes\nS1,bare \" quote\n",                   // bare quote
		"Serial\nS1,extra,cells\n,,\n\n",                     // ragged rows, blank rows
		"Title\n\nSerial,MAC\nS1,00:11:22:33:44:55\nS1,zz\n", // title row, duplicate serial, bad MAC
		"\"a\"\"b\",c\n'=1,'@2\n",                            // doubled quotes, escaped formulas
		"",                                                   // empty file
		"\n\n\n",                                             // only blank lines
		"Serial,Purchase Date,Install Date\nS,2023-02-30,1/1/20\n", // impossible date
	}
	for _, s := range seeds {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		tab, err := inventorycsv.Read("f.csv", bytes.NewReader(data))
		if err != nil {
			importertest.CheckReadError(t, "f.csv", err)
			return
		}
		last := tab.HeaderLine
		for _, r := range tab.Rows {
			if r.Line <= last {
				t.Fatalf("row at line %d after line %d", r.Line, last)
			}
			last = r.Line
		}
		importertest.CheckBuild(t, tab)
		m, _, _ := importer.MapHeader(tab, nil)
		_, problems := importer.Build(tab, m, domain.ParseOptions{})
		if err := importer.WriteRejects(io.Discard, tab, problems); err != nil {
			t.Fatal(err)
		}
	})
}
