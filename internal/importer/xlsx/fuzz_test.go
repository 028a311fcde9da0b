package xlsx_test

import (
	"archive/zip"
	"bytes"
	"io"
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

// FuzzReadXLSXSheet fuzzes what FuzzReadXLSX rarely reaches: the XML
// inside a valid zip. It packs the fuzzed worksheet and shared-string
// parts into an otherwise well-formed workbook, so excelize's row
// streaming, cell types and shared-string lookups see hostile input.
func FuzzReadXLSXSheet(f *testing.F) {
	const sst = `<?xml version="1.0" encoding="UTF-8"?><sst xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" count="2" uniqueCount="2"><si><t>Serial</t></si><si><t>Purchase Date</t></si></sst>`
	sheetXML := func(rows string) string {
		return `<?xml version="1.0" encoding="UTF-8"?><worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><sheetData>` + rows + `</sheetData></worksheet>`
	}
	f.Add(sheetXML(`<row r="1"><c r="A1" t="s"><v>0</v></c><c r="B1" t="s"><v>1</v></c></row><row r="3"><c r="A3" t="inlineStr"><is><t>S1</t></is></c><c r="B3"><v>43539</v></c></row>`), sst) // shared and inline strings, a date number, a gap row
	f.Add(sheetXML(`<row r="1"><c r="A1" t="s"><v>7</v></c></row>`), sst)                                                                                                                      // shared-string index out of range
	f.Add(sheetXML(`<row r="2"><c r="B2" t="b"><v>1</v></c><c r="A2" t="e"><v>#N/A</v></c></row><row r="1"><c r="XFD1"><v>1</v></c></row>`), sst)                                              // boolean, error cell, rows out of order, last column
	f.Add(sheetXML(`<row r="1048577"><c r="A1048577"><v>1</v></c></row>`), sst)                                                                                                                // a row past the sheet's limit
	f.Add(sheetXML(`<row><c><v>Serial</v></c></row><row><c t="str"><v>_x0041_</v></c></row>`), ``)                                                                                             // rows and cells without references; an escaped character; no shared strings
	f.Add(`<worksheet><sheetData><row r="1"><c r="A1"`, sst)                                                                                                                                   // cut short
	base := MustWorkbook(f, false, sheet{"S", rows{1: {"Serial"}}})
	f.Fuzz(func(t *testing.T, sheet, strings string) {
		data := replaceParts(t, base, map[string]string{"xl/worksheets/sheet1.xml": sheet, "xl/sharedStrings.xml": strings})
		tab, err := xlsx.Read("f.xlsx", bytes.NewReader(data))
		if err != nil {
			importertest.CheckReadError(t, "f.xlsx", err)
			return
		}
		importertest.CheckBuild(t, tab)
	})
}

// replaceParts rewrites a zip archive with some parts' contents replaced
// (and added, when missing).
func replaceParts(tb testing.TB, archive []byte, parts map[string]string) []byte {
	zr, err := zip.NewReader(bytes.NewReader(archive), int64(len(archive)))
	if err != nil {
		tb.Fatal(err)
	}
	var buf bytes.Buffer
	zw := zip.NewWriter(&buf)
	done := map[string]bool{}
	for _, zf := range zr.File {
		w, err := zw.Create(zf.Name)
		if err != nil {
			tb.Fatal(err)
		}
		if s, ok := parts[zf.Name]; ok {
			done[zf.Name] = true
			_, err = io.WriteString(w, s)
		} else {
			var rc io.ReadCloser
			if rc, err = zf.Open(); err == nil {
				_, err = io.Copy(w, rc)
				rc.Close()
			}
		}
		if err != nil {
			tb.Fatal(err)
		}
	}
	for name, s := range parts {
		if done[name] {
			continue
		}
		w, err := zw.Create(name)
		if err == nil {
			_, err = io.WriteString(w, s)
		}
		if err != nil {
			tb.Fatal(err)
		}
	}
	if err := zw.Close(); err != nil {
		tb.Fatal(err)
	}
	return buf.Bytes()
}
