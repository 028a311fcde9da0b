// Package importer is the contract every inventory file format shares: a
// format reader turns bytes into a Table of text cells that remembers where
// each cell came from; MapHeader decides which device field each column
// carries; Build turns rows into domain.ImportRecords and collects every
// problem, each located at its cell. Format packages (inventorycsv, xlsx,
// inventoryjson) only read and write their format; nothing here touches a
// store or the network.
package importer

import (
	"strconv"
	"strings"

	"github.com/vigil-med/vigil/internal/domain"
)

// Formats Detect returns.
const (
	FormatCSV  = "csv"
	FormatXLSX = "xlsx"
	FormatJSON = "json"
)

// SerialDates says how a pure number in a date column is read.
type SerialDates int

// Serial date systems.
const (
	NoSerialDates SerialDates = iota // numbers in date columns are errors (CSV, JSON)
	Serial1900                       // spreadsheet day numbers, 1900 date system (Excel default)
	Serial1904                       // spreadsheet day numbers, 1904 date system (old Mac Excel)
)

// Table is an inventory file read into text cells, before any field is
// interpreted.
type Table struct {
	File       string   // the name used in locations, as the user gave it
	Format     string   // FormatCSV, FormatXLSX or FormatJSON
	Encoding   string   // how text was decoded (CSV: "UTF-8", "UTF-8 with BOM", "UTF-16LE", "Windows-1252"…)
	Header     []string // column names as written, with the BOM and surrounding spaces removed
	HeaderLine int      // the line or spreadsheet row of the header; 0 when there is none (JSON)
	Rows       []Row    // data rows; fully empty rows are left out

	// Locate renders where a cell is: "file:line:column" for CSV,
	// "file:row:column" for XLSX (with the sheet name when it is not the
	// first sheet: "file:Sheet2:14:3"), "file:$[12].serial" for JSON. A
	// negative col renders the row itself ("file:14", "file:$[12]").
	Locate func(r Row, col int) string

	// SerialDates says whether pure numbers in date columns are spreadsheet
	// day numbers (XLSX stores dates that way).
	SerialDates SerialDates

	// Problems are located complaints the reader found without having to
	// give up (a value with no column header, an unknown JSON key). Build
	// reports them with its own, and their rows are rejected.
	Problems []domain.Problem

	// Warnings are notes for the user that reject nothing (title rows
	// skipped above the header, the encoding guessed).
	Warnings []string
}

// Row is one data row of a Table.
type Row struct {
	Line  int      // 1-based line (CSV) or spreadsheet row (XLSX) a person sees; for JSON the 1-based position in the array
	Cells []string // by column; may be shorter than the header (missing cells are empty)
}

// Cell returns column col of r, or "" when the row is shorter.
func (r Row) Cell(col int) string {
	if col < 0 || col >= len(r.Cells) {
		return ""
	}
	return r.Cells[col]
}

// Blank reports whether every cell of r is empty or spaces.
func (r Row) Blank() bool {
	for _, c := range r.Cells {
		if strings.TrimSpace(c) != "" {
			return false
		}
	}
	return true
}

// Where returns t.Locate(r, col), or a plain "file:line" rendering when the
// table has no Locate function.
func (t *Table) Where(r Row, col int) string {
	if t.Locate != nil {
		return t.Locate(r, col)
	}
	return GridLocator(t.File, "")(r, col)
}

// GridLocator returns a Locate function for row-and-column formats:
// "file:line:column", or "file:sheet:row:column" when sheet is not empty.
// Columns are 1-based spreadsheet column numbers.
func GridLocator(file, sheet string) func(r Row, col int) string {
	prefix := file + ":"
	if sheet != "" {
		prefix += sheet + ":"
	}
	return func(r Row, col int) string {
		s := prefix + strconv.Itoa(r.Line)
		if col >= 0 {
			s += ":" + strconv.Itoa(col+1)
		}
		return s
	}
}

// Append adds a data row read at line. Fully blank rows are dropped. Non-empty
// cells beyond the header have no column to go to: each becomes a Problem
// at its cell, which rejects the row.
func (t *Table) Append(line int, cells []string) {
	r := Row{Line: line, Cells: cells}
	if r.Blank() {
		return
	}
	for col := len(t.Header); col < len(cells); col++ {
		if v := strings.TrimSpace(cells[col]); v != "" {
			t.Problems = append(t.Problems, domain.Problem{
				Location: t.Where(r, col),
				Row:      line,
				Message:  "value " + quoteShort(v) + " has no column header (the header has " + strconv.Itoa(len(t.Header)) + " columns)",
			})
		}
	}
	t.Rows = append(t.Rows, r)
}

// quoteShort quotes v for a message, shortening long values.
func quoteShort(v string) string {
	const max = 60
	if len(v) > max {
		cut := max
		for cut > 0 && !utf8RuneStart(v[cut]) {
			cut--
		}
		v = v[:cut] + "…"
	}
	return strconv.Quote(v)
}

func utf8RuneStart(b byte) bool { return b&0xC0 != 0x80 }
