package xlsx_test

import (
	"bytes"
	"testing"
	"time"

	"github.com/vigil-med/vigil/internal/importer/importertest"
	"github.com/vigil-med/vigil/internal/importer/xlsx"
)

// FuzzReadXLSX feeds arbitrary bytes through Read, MapHeader and Build.
// Nothing may panic (Read recovers excelize's own panics into an error);
// a read error must be located; every problem must carry a location.
func FuzzReadXLSX(f *testing.F) {
	small := MustWorkbook(f, false, sheet{"S", rows{1: {"Serial", "MAC", "Purchase Date"}, 2: {"A", "00:11:22:33:44:55", day(2020, 1, 2)}}})
	f.Add(small)                                                                                                                         // a tiny valid workbook with a date cell
	f.Add(MustWorkbook(f, true, sheet{"S", rows{2: {"Serial", "Install Date"}, 9: {1.5, time.Date(1904, 1, 1, 0, 0, 0, 0, time.UTC)}}})) // 1904 dates, gap rows, day zero
	f.Add(MustWorkbook(f, false, sheet{"A", rows{}}, sheet{"B", rows{1: {"x"}}}))                                                        // empty first sheet
	f.Add(small[:len(small)/2])                                                                                                          // cut in half
	f.Add([]byte("PK\x03\x04"))                                                                                                          // zip magic only
	f.Add([]byte{})                                                                                                                      // nothing
	f.Fuzz(func(t *testing.T, data []byte) {
		tab, err := xlsx.Read("f.xlsx", bytes.NewReader(data))
		if err != nil {
			importertest.CheckReadError(t, "f.xlsx", err)
			return
		}
		importertest.CheckBuild(t, tab)
	})
}
