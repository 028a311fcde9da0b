// Package inventorycsv reads and writes inventory files as delimited text:
// comma, semicolon, tab or pipe separated, in UTF-8, UTF-16 or
// Windows-1252, as spreadsheets and CMMS exports really write them.
package inventorycsv

import (
	"encoding/csv"
	"errors"
	"fmt"
	"io"
	"strings"
	"unicode/utf8"

	"github.com/vigil-med/vigil/internal/importer"
)

// Delimiters the reader recognises, in order of preference on a tie.
var delimiters = []rune{',', ';', '\t', '|'}

// Read reads a delimited inventory file into a Table. name is used in
// locations ("name:line:column", column being the 1-based column number).
// The encoding and the delimiter are detected (see decodeText and
// sniffDelimiter); an Excel "sep=;" first line is honoured. The header is
// the first non-blank row, or the first of the early rows that names two
// known columns when title lines precede it. Rows may be ragged: missing
// cells are empty, and a value beyond the last header column is a problem
// at its cell. A syntax error (a stray quote) stops reading and is
// reported as "name:line:column: reason".
func Read(name string, r io.Reader) (*importer.Table, error) {
	data, err := io.ReadAll(r)
	if err != nil {
		return nil, fmt.Errorf("inventorycsv: read %s: %w", name, err)
	}
	text, enc, warnings, err := decodeText(name, data)
	if err != nil {
		return nil, err
	}
	t := &importer.Table{
		File:     name,
		Format:   importer.FormatCSV,
		Encoding: enc,
		Locate:   importer.GridLocator(name, ""),
		Warnings: warnings,
	}

	delim, sepLine := explicitDelimiter(text)
	if !sepLine {
		delim = sniffDelimiter(text)
	}
	cr := csv.NewReader(strings.NewReader(text))
	cr.Comma = delim
	cr.FieldsPerRecord = -1
	cr.TrimLeadingSpace = true
	cr.LazyQuotes = false

	type record struct {
		line  int
		cells []string
	}
	var records []record
	for {
		cells, err := cr.Read()
		if err == io.EOF {
			break
		}
		if err != nil {
			return nil, syntaxError(name, text, err)
		}
		line, _ := cr.FieldPos(0)
		if sepLine && line == 1 {
			continue
		}
		for i, c := range cells {
			cells[i] = importer.UnescapeCell(c)
		}
		records = append(records, record{line, cells})
	}

	heads := make([][]string, 0, 20)
	for i := 0; i < len(records) && i < 20; i++ {
		heads = append(heads, records[i].cells)
	}
	h := importer.FindHeader(heads)
	if h < 0 {
		return nil, importer.Located(name, "the file has no header row (it is empty or blank)", nil)
	}
	if h > 0 {
		skipped := 0
		for _, rec := range records[:h] {
			if !(importer.Row{Cells: rec.cells}).Blank() {
				skipped++
			}
		}
		if skipped > 0 {
			t.Warnings = append(t.Warnings, fmt.Sprintf("%s:%d: the header is on line %d; %d line%s above it %s skipped",
				name, records[h].line, records[h].line, skipped, importer.Plural(skipped), importer.WasWere(skipped)))
		}
	}
	t.HeaderLine = records[h].line
	t.Header = make([]string, len(records[h].cells))
	for i, c := range records[h].cells {
		t.Header[i] = importer.CleanHeader(c)
	}
	// Trailing empty header cells (a row of ",,," after the last name) are
	// not columns.
	for len(t.Header) > 0 && t.Header[len(t.Header)-1] == "" {
		t.Header = t.Header[:len(t.Header)-1]
	}
	t.Rows = make([]importer.Row, 0, len(records)-h-1)
	for _, rec := range records[h+1:] {
		t.Append(rec.line, rec.cells)
	}
	return t, nil
}

// explicitDelimiter honours the "sep=;" line Excel writes and reads at the
// top of a CSV file.
func explicitDelimiter(text string) (rune, bool) {
	line, _, _ := strings.Cut(text, "\n")
	line = strings.TrimRight(line, "\r")
	if rest, ok := strings.CutPrefix(strings.ToLower(line), "sep="); ok {
		if r, n := utf8.DecodeRuneInString(rest); n > 0 && n == len(rest) && r != '"' && r != '\r' && r != '\n' && r != utf8.RuneError {
			return r, true
		}
	}
	return ',', false
}

// sniffDelimiter picks the delimiter that splits the first lines of text
// into the most consistent number of fields (more than one), respecting
// quotes: for each candidate it parses up to 30 records of the first 64 KiB
// and scores the share of records having the most common field count, then
// that count. Comma wins when nothing splits.
func sniffDelimiter(text string) rune {
	sample := text
	if len(sample) > 64<<10 {
		sample = sample[:64<<10]
		if i := strings.LastIndexByte(sample, '\n'); i > 0 {
			sample = sample[:i+1]
		}
	}
	best, bestShare, bestWidth := ',', 0.0, 1
	for _, d := range delimiters {
		cr := csv.NewReader(strings.NewReader(sample))
		cr.Comma = d
		cr.FieldsPerRecord = -1
		cr.TrimLeadingSpace = true
		counts := map[int]int{}
		n := 0
		for n < 30 {
			rec, err := cr.Read()
			if err != nil {
				break
			}
			if (importer.Row{Cells: rec}).Blank() {
				continue
			}
			counts[len(rec)]++
			n++
		}
		width, freq := 0, 0
		for w, c := range counts {
			if c > freq || (c == freq && w > width) {
				width, freq = w, c
			}
		}
		if width < 2 {
			continue
		}
		share := float64(freq) / float64(n)
		if share > bestShare+1e-9 || (share > bestShare-1e-9 && width > bestWidth) {
			best, bestShare, bestWidth = d, share, width
		}
	}
	return best
}

// syntaxError renders an encoding/csv error as "name:line:column: reason",
// with the column counted in characters, not bytes.
func syntaxError(name, text string, err error) error {
	var pe *csv.ParseError
	if !errors.As(err, &pe) {
		return importer.Located(name, err.Error(), err)
	}
	col := charColumn(text, pe.Line, pe.Column)
	loc := fmt.Sprintf("%s:%d:%d", name, pe.Line, col)
	reason := pe.Err.Error()
	switch {
	case errors.Is(pe.Err, csv.ErrBareQuote):
		reason = `a quote (") inside a value that does not start with a quote; put the whole value in quotes and double the inner quote ("")`
	case errors.Is(pe.Err, csv.ErrQuote):
		reason = fmt.Sprintf(`a quoted value started on line %d is not closed properly (a closing quote must be followed by the delimiter or the end of the line)`, pe.StartLine)
	}
	return importer.Located(loc, reason, err)
}

// charColumn converts a 1-based byte column on a 1-based line of text to a
// 1-based character column.
func charColumn(text string, line, byteCol int) int {
	for l := 1; l < line; l++ {
		i := strings.IndexByte(text, '\n')
		if i < 0 {
			return byteCol
		}
		text = text[i+1:]
	}
	if byteCol-1 > len(text) || byteCol < 1 {
		return byteCol
	}
	return utf8.RuneCountInString(text[:byteCol-1]) + 1
}
