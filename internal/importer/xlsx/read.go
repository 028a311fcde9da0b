// Package xlsx reads and writes inventory files as Excel workbooks (.xlsx)
// with github.com/xuri/excelize/v2, streaming rows both ways so large
// sheets stay within bounded memory.
package xlsx

import (
	"errors"
	"fmt"
	"io"
	"strconv"
	"strings"

	"github.com/xuri/excelize/v2"

	"github.com/vigil-med/vigil/internal/importer"
)

// unzipLimit caps how much a workbook may expand to when unzipped, so a
// small hostile file cannot fill the disk or memory.
const unzipLimit = 1 << 30

// Read reads the first sheet of a workbook into a Table; see ReadSheet.
func Read(name string, r io.Reader) (*importer.Table, error) {
	return ReadSheet(name, r, "")
}

// ReadSheet reads the named sheet ("" for the first) of a workbook into a
// Table. name is used in locations: "name:row:column", with the sheet
// between when it is not the first ("name:Sheet2:14:3"). Row numbers are
// the spreadsheet's own, so empty rows in between do not shift them. Cells
// are read as stored, not as displayed: a date cell gives its day number,
// which Build converts in date columns (Table.SerialDates), and a number
// shown as "00123" by a number format reads as "123". The header is the
// first non-empty row (or the first of the early rows that names two known
// columns, when title rows precede it).
func ReadSheet(name string, r io.Reader, sheet string) (t *importer.Table, err error) {
	// excelize is a large parser of untrusted input; a panic inside it on a
	// damaged file must be a located error, not a crash.
	defer func() {
		if p := recover(); p != nil {
			t, err = nil, importer.Located(name, "the workbook is damaged and cannot be read", fmt.Errorf("xlsx: excelize panic: %v", p))
		}
	}()
	f, err := excelize.OpenReader(r, excelize.Options{UnzipSizeLimit: unzipLimit})
	if err != nil {
		return nil, openError(name, err)
	}
	defer f.Close()

	sheets := f.GetSheetList()
	if len(sheets) == 0 {
		return nil, importer.Located(name, "the workbook has no sheets", nil)
	}
	want := sheet
	if want == "" {
		want = sheets[0]
	}
	sheet = ""
	for _, s := range sheets {
		if s == want {
			sheet = s
		}
	}
	for _, s := range sheets {
		if sheet == "" && strings.EqualFold(s, want) {
			sheet = s
		}
	}
	if sheet == "" {
		return nil, importer.Located(name, fmt.Sprintf("the workbook has no sheet %q; its sheets are %s", want, quoteAll(sheets)), nil)
	}
	where := ""
	if sheet != sheets[0] {
		where = sheet
	}
	var warnings []string
	if want == sheets[0] && len(sheets) > 1 {
		warnings = append(warnings, fmt.Sprintf("%s: the workbook has %d sheets; only the first, %q, is read (choose another by name)", name, len(sheets), sheet))
	}
	t = &importer.Table{
		File:        name,
		Format:      importer.FormatXLSX,
		Locate:      importer.GridLocator(name, where),
		SerialDates: importer.Serial1900,
		Warnings:    warnings,
	}
	if props, err := f.GetWorkbookProps(); err == nil && props.Date1904 != nil && *props.Date1904 {
		t.SerialDates = importer.Serial1904
	}

	rows, err := f.Rows(sheet)
	if err != nil {
		return nil, importer.Located(sheetLoc(name, where), "cannot read the sheet", err)
	}
	defer rows.Close()

	// Rows before the header is known are held back: up to ten non-blank
	// ones decide where it is (importer.FindHeader).
	var (
		early    [][]string
		lines    []int
		nonBlank int
		line     int
		found    bool
	)
	settle := func() error {
		found = true
		h := importer.FindHeader(early)
		if h < 0 {
			return importer.Located(sheetLoc(name, where), "the sheet is empty", nil)
		}
		if skipped := countNonBlank(early[:h]); skipped > 0 {
			t.Warnings = append(t.Warnings, fmt.Sprintf("%s: the header is on row %d; %d row%s above it %s skipped",
				t.Where(importer.Row{Line: lines[h]}, -1), lines[h], skipped, importer.Plural(skipped), importer.WasWere(skipped)))
		}
		t.HeaderLine = lines[h]
		t.Header = make([]string, len(early[h]))
		for i, c := range early[h] {
			t.Header[i] = importer.CleanHeader(c)
		}
		for len(t.Header) > 0 && t.Header[len(t.Header)-1] == "" {
			t.Header = t.Header[:len(t.Header)-1]
		}
		for i := h + 1; i < len(early); i++ {
			t.Append(lines[i], early[i])
		}
		early, lines = nil, nil
		return nil
	}
	for rows.Next() {
		line++
		cells, err := rows.Columns(excelize.Options{RawCellValue: true})
		if err != nil {
			return nil, importer.Located(fmt.Sprintf("%s:%d", sheetLoc(name, where), line), "cannot read the row", err)
		}
		if found {
			t.Append(line, cells)
			continue
		}
		early = append(early, cells)
		lines = append(lines, line)
		if !(importer.Row{Cells: cells}).Blank() {
			if nonBlank++; nonBlank >= 10 {
				if err := settle(); err != nil {
					return nil, err
				}
			}
		}
	}
	if err := rows.Error(); err != nil {
		return nil, importer.Located(sheetLoc(name, where), "cannot read the sheet", err)
	}
	if !found {
		if err := settle(); err != nil {
			return nil, err
		}
	}
	return t, nil
}

func openError(name string, err error) error {
	switch {
	case errors.Is(err, excelize.ErrWorkbookFileFormat), errors.Is(err, excelize.ErrOptionsUnzipSizeLimit):
		return importer.Located(name, "the file is not an XLSX workbook, or it is damaged", err)
	case strings.Contains(err.Error(), "zip"):
		return importer.Located(name, "the file is not a valid XLSX workbook (its zip structure is damaged)", err)
	case strings.Contains(strings.ToLower(err.Error()), "password"), strings.Contains(err.Error(), "decrypt"):
		return importer.Located(name, "the workbook is password-protected; remove the password and import it again", err)
	}
	return importer.Located(name, "the workbook cannot be read: it is damaged or not an XLSX file", err)
}

func sheetLoc(name, where string) string {
	if where == "" {
		return name
	}
	return name + ":" + where
}

func countNonBlank(rows [][]string) int {
	n := 0
	for _, r := range rows {
		if !(importer.Row{Cells: r}).Blank() {
			n++
		}
	}
	return n
}

func quoteAll(s []string) string {
	q := make([]string, len(s))
	for i, x := range s {
		q[i] = strconv.Quote(x)
	}
	return strings.Join(q, ", ")
}
