package importer

import (
	"fmt"
	"math"
	"slices"
	"sort"
	"strconv"
	"strings"

	"github.com/vigil-med/vigil/internal/domain"
)

// Build turns the rows of t into import records, reading each mapped,
// non-empty cell with Device.SetWith. It returns a record for every row
// without problems, and every problem it finds (with the reader's own,
// t.Problems) in row order; it never stops at the first.
//
// An empty cell means "leave this field alone": it is not set and not
// listed in the record's Fields. Blank rows are skipped. A row must carry a
// matching key (Vigil ID, serial, asset tag or MAC), and no two rows may
// carry the same key; the later row's problem names the earlier one.
// Defaults that Device.Validate would fill are not applied here: they are
// the store's business when it creates a device, and a re-import must not
// overwrite values the file does not mention.
func Build(t *Table, m Mapping, opt domain.ParseOptions) ([]domain.ImportRecord, []domain.Problem) {
	var problems []domain.Problem
	readerProblems := map[int][]domain.Problem{}
	for _, p := range t.Problems {
		if p.Row > 0 {
			readerProblems[p.Row] = append(readerProblems[p.Row], p)
		} else {
			problems = append(problems, p)
		}
	}
	if !m.hasKey() {
		problems = append(problems, domain.Problem{Location: headerLocation(t),
			Message: "no column identifies the devices: the file needs a Vigil ID, serial number, asset tag or MAC address column"})
		for _, ps := range readerProblems {
			problems = append(problems, ps...)
		}
		sortProblems(problems)
		return nil, problems
	}

	cols := mappedColumns(t, m)
	// Reading cells touches only the row itself, so rows are read on every
	// core; reader problems and duplicate keys are then checked in order.
	rows := make([]builtRow, len(t.Rows))
	domain.Parallel(len(t.Rows), func(i int) { rows[i].read(t, t.Rows[i], cols, opt) })
	dups := make(keyIndex, 2*len(t.Rows))
	records := make([]domain.ImportRecord, 0, len(t.Rows))
	for i, r := range t.Rows {
		b := &rows[i]
		if b.blank {
			continue
		}
		for _, p := range readerProblems[r.Line] {
			b.found = append(b.found, cellProblem{readerCol, p})
			b.bad = true
		}
		delete(readerProblems, r.Line)
		d := &b.rec.Device
		for _, c := range cols {
			if !slices.Contains(keyFields, c.field) || !slices.Contains(b.rec.Fields, c.field) {
				continue
			}
			for _, k := range keysOf(d, c.field) {
				if prev, dup := dups.add(c.field, k, r); dup {
					b.add(t, r, c.col, c.field, fmt.Sprintf("%s%s %s is also on %s", c.prefix, keyLabel(c.field), quoteShort(k), t.Where(prev, -1)))
				}
			}
		}
		// A row's problems read left to right; row-wide ones come last.
		sort.SliceStable(b.found, func(i, j int) bool { return b.found[i].order() < b.found[j].order() })
		for _, p := range b.found {
			problems = append(problems, p.Problem)
		}
		if !b.bad {
			records = append(records, b.rec)
		}
	}
	// Reader problems of rows the table does not hold (a JSON element that
	// is not an object, or one whose only keys were unknown).
	for _, ps := range readerProblems {
		problems = append(problems, ps...)
	}
	sortProblems(problems)
	return records, problems
}

// builtRow is one row read into a record, with the problems of its cells.
type builtRow struct {
	rec   domain.ImportRecord
	found []cellProblem
	bad   bool
	blank bool
}

func (b *builtRow) add(t *Table, r Row, col int, f domain.Field, msg string) {
	b.found = append(b.found, cellProblem{col, domain.Problem{Location: t.Where(r, col), Row: r.Line, Field: string(f), Message: msg}})
	b.bad = true
}

// read sets the record's fields from the row's mapped cells and checks
// what one row alone can show: bad values, a missing key, dates out of
// order.
func (b *builtRow) read(t *Table, r Row, cols []column, opt domain.ParseOptions) {
	if r.Blank() {
		b.blank = true
		return
	}
	b.rec = domain.ImportRecord{Row: r.Line, Location: t.Where(r, -1)}
	d := &b.rec.Device
	keyCell := false // a key column has a value, even a bad one
	for _, c := range cols {
		v := strings.TrimSpace(r.Cell(c.col))
		if v == "" {
			continue
		}
		if slices.Contains(keyFields, c.field) {
			keyCell = true
		}
		if isDateField(c.field) && t.SerialDates != NoSerialDates {
			dv, ok, err := serialDate(v, t.SerialDates)
			if err != nil {
				b.add(t, r, c.col, c.field, c.prefix+domain.ErrorMessage(err))
				continue
			}
			if ok {
				v = dv
			}
		}
		if err := d.SetWith(c.field, v, opt); err != nil {
			b.add(t, r, c.col, c.field, c.prefix+domain.ErrorMessage(err))
			continue
		}
		b.rec.Fields = append(b.rec.Fields, c.field)
	}
	if !keyCell {
		b.add(t, r, -1, "", "the row has no Vigil ID, serial number, asset tag or MAC address, so it cannot be matched to a device")
	}
	if slices.Contains(b.rec.Fields, domain.FieldPurchaseDate) && slices.Contains(b.rec.Fields, domain.FieldInstallDate) &&
		d.InstallDate.Before(d.PurchaseDate) {
		c := colOf(cols, domain.FieldInstallDate)
		b.add(t, r, c.col, c.field, fmt.Sprintf("%sinstall date %s is before purchase date %s", c.prefix, d.InstallDate, d.PurchaseDate))
	}
}

type cellProblem struct {
	col int
	domain.Problem
}

// readerCol sorts a reader's problems after the cell problems of their
// row and before the row-wide ones.
const readerCol = math.MaxInt - 1

func (p cellProblem) order() int {
	if p.col < 0 {
		return math.MaxInt
	}
	return p.col
}

// column is one mapped column and how messages name it.
type column struct {
	col    int
	field  domain.Field
	prefix string // `column "MAC": ` for tabular files; "" for JSON, whose location names the key
}

// mappedColumns lists the mapped columns in field order, so a record's
// Fields come out in export order.
func mappedColumns(t *Table, m Mapping) []column {
	order := map[domain.Field]int{}
	for i, f := range domain.DeviceFields() {
		order[f.Field] = i
	}
	var cols []column
	for col, f := range m.Fields {
		if f == "" {
			continue
		}
		c := column{col: col, field: f}
		if t.Format != FormatJSON && col < len(t.Header) {
			c.prefix = "column " + quoteShort(t.Header[col]) + ": "
		}
		cols = append(cols, c)
	}
	sort.SliceStable(cols, func(i, j int) bool { return order[cols[i].field] < order[cols[j].field] })
	return cols
}

func colOf(cols []column, f domain.Field) column {
	for _, c := range cols {
		if c.field == f {
			return c
		}
	}
	return column{col: -1, field: f}
}

func isDateField(f domain.Field) bool {
	return f == domain.FieldPurchaseDate || f == domain.FieldInstallDate
}

// serialDate reads v as a spreadsheet day number when it is a plain
// number, returning the date as YYYY-MM-DD. ok is false when v is not a
// number (a date typed as text), which SetWith then reads. A whole number
// that looks like a year (a cell holding just "2019") is an error rather
// than 1905-07-11.
func serialDate(v string, sys SerialDates) (string, bool, error) {
	n, err := strconv.ParseFloat(v, 64)
	if err != nil || math.IsNaN(n) || math.IsInf(n, 0) {
		return "", false, nil
	}
	if n < 1 {
		// Day 0 of either system is no one's purchase date; it is what an
		// empty formula result looks like.
		return "", false, domain.Errorf(domain.CodeInvalid, "spreadsheet date number %s is out of range", v)
	}
	if n == math.Trunc(n) && n >= 1900 && n <= 2200 {
		return "", false, domain.Errorf(domain.CodeInvalid, "%s looks like a year, not a date; write the whole date (YYYY-MM-DD)", v)
	}
	if sys == Serial1904 {
		n += 1462 // days from 1900-01-00 to 1904-01-01 in the 1900 system
	}
	d, err := domain.DateFromExcelSerial(n)
	if err != nil {
		return "", false, err
	}
	return d.String(), true, nil
}

// keyIndex remembers the line where each matching key was first seen.
type keyIndex map[dupKey]int

type dupKey struct {
	field domain.Field
	key   string
}

// add records key k of field f at row r and returns the earlier row when
// the key was seen before. Serials and asset tags compare without regard
// to case ("ab123" and "AB123" are the same label read twice).
func (ix keyIndex) add(f domain.Field, k string, r Row) (Row, bool) {
	id := dupKey{f, strings.ToLower(k)}
	if prev, ok := ix[id]; ok {
		return Row{Line: prev}, prev != r.Line
	}
	ix[id] = r.Line
	return Row{}, false
}

func keysOf(d *domain.Device, f domain.Field) []string {
	switch f {
	case domain.FieldMACs:
		return d.MACs
	case domain.FieldID, domain.FieldSerial, domain.FieldAssetTag:
		if v := d.Get(f); v != "" {
			return []string{v}
		}
	}
	return nil
}

func keyLabel(f domain.Field) string {
	switch f {
	case domain.FieldID:
		return "Vigil ID"
	case domain.FieldSerial:
		return "serial number"
	case domain.FieldAssetTag:
		return "asset tag"
	case domain.FieldMACs:
		return "MAC address"
	}
	return string(f)
}

// sortProblems orders problems by row, file-wide ones first, keeping the
// order they were found in within a row.
func sortProblems(ps []domain.Problem) {
	sort.SliceStable(ps, func(i, j int) bool { return ps[i].Row < ps[j].Row })
}
