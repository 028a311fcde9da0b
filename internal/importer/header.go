package importer

import (
	"fmt"
	"sort"
	"strconv"
	"strings"
	"unicode"

	"github.com/vigil-med/vigil/internal/domain"
)

// Mapping says which device field each column of a Table carries.
type Mapping struct {
	Fields []domain.Field // by column index; "" means the column is ignored
}

// Column returns the index of the column mapped to f, or -1.
func (m Mapping) Column(f domain.Field) int {
	for i, g := range m.Fields {
		if g == f {
			return i
		}
	}
	return -1
}

// Ignore is the override value that drops a column ("--map 'Cost Center=-'").
const Ignore = "-"

// wordEquiv folds the abbreviations headers use for the same word.
var wordEquiv = map[string]string{
	"no": "number", "nr": "number", "num": "number", "nbr": "number", "nmbr": "number",
	"addr": "address", "adr": "address",
}

// normHeader reduces a column header to its matching key: lower case, "#"
// read as "number", every run of other characters that are not letters or
// digits (spaces, punctuation, a BOM, underscores) one space, and common
// abbreviations of the same word folded ("Serial No." = "serial number").
func normHeader(s string) string {
	var words []string
	var b strings.Builder
	flush := func() {
		if b.Len() > 0 {
			w := b.String()
			if e, ok := wordEquiv[w]; ok {
				w = e
			}
			words = append(words, w)
			b.Reset()
		}
	}
	for _, r := range strings.ToLower(s) {
		switch {
		case unicode.IsLetter(r) || unicode.IsDigit(r):
			b.WriteRune(r)
		case r == '#' || r == '№':
			flush()
			words = append(words, "number")
		default:
			flush()
		}
	}
	flush()
	return strings.Join(words, " ")
}

// stripNotes removes parenthesised and bracketed notes from a header:
// "Purchase Date (MM/DD/YYYY)" → "Purchase Date ".
func stripNotes(s string) string {
	var b strings.Builder
	depth := 0
	for _, r := range s {
		switch r {
		case '(', '[':
			depth++
		case ')', ']':
			if depth > 0 {
				depth--
			}
		default:
			if depth == 0 {
				b.WriteRune(r)
			}
		}
	}
	return b.String()
}

// headerIndex maps normHeader(name) → field for every recognised name.
var headerIndex = func() map[string]domain.Field {
	m := map[string]domain.Field{}
	for _, h := range HeaderSynonyms() {
		for _, n := range h.Names {
			m[normHeader(n)] = h.Field
		}
	}
	return m
}()

// LookupHeader returns the field a column header names, if it is a
// canonical field name, a field label or a known synonym.
func LookupHeader(header string) (domain.Field, bool) {
	try := func(k string) (domain.Field, bool) {
		if k == "" {
			return "", false
		}
		if f, ok := headerIndex[k]; ok {
			return f, true
		}
		// A plural the table does not spell out: "Departments", "Serials".
		if len(k) > 3 && strings.HasSuffix(k, "s") && !strings.HasSuffix(k, "ss") {
			if f, ok := headerIndex[k[:len(k)-1]]; ok {
				return f, true
			}
		}
		return "", false
	}
	if f, ok := try(normHeader(header)); ok {
		return f, true
	}
	return try(normHeader(stripNotes(header)))
}

// FindHeader picks the header among the first non-blank rows of a sheet:
// the first of up to ten that names at least two known fields, so title
// lines above the header ("Equipment report, printed 3/4/2024") are
// skipped; if none does, the first non-blank row. It returns the index
// into rows, or -1 when every row is blank.
func FindHeader(rows [][]string) int {
	first, seen := -1, 0
	for i, cells := range rows {
		if (Row{Cells: cells}).Blank() {
			continue
		}
		if first < 0 {
			first = i
		}
		known := 0
		for _, c := range cells {
			if _, ok := LookupHeader(c); ok {
				known++
			}
		}
		if known >= 2 {
			return i
		}
		if seen++; seen >= 10 {
			break
		}
	}
	return first
}

// CleanHeader trims a header cell: spaces, a UTF-8 byte order mark and
// zero-width characters around it.
func CleanHeader(s string) string {
	return strings.TrimFunc(s, func(r rune) bool {
		return unicode.IsSpace(r) || r == '\uFEFF' || r == '\u200B'
	})
}

// MapHeader decides which field each column of t carries. overrides maps a
// column header to a canonical field name, or to Ignore to drop the column
// ("--map 'Column=field'"); override keys match headers the way synonyms
// do, ignoring case, spaces and punctuation.
//
// Problems: an override naming a column the header lacks or a field that
// does not exist, two columns mapped to the same field (located at the
// later header cell), and a header with no matching-key column (id, serial,
// asset_tag or macs). Warnings: columns that are ignored because they name
// no field, and the reader's own warnings.
func MapHeader(t *Table, overrides map[string]string) (Mapping, []domain.Problem, []string) {
	var problems []domain.Problem
	warnings := append([]string(nil), t.Warnings...)
	header := Row{Line: t.HeaderLine}
	m := Mapping{Fields: make([]domain.Field, len(t.Header))}
	for col, h := range t.Header {
		if f, ok := LookupHeader(h); ok {
			m.Fields[col] = f
		}
	}

	// Overrides, in a stable order so problems come out the same each run.
	keys := make([]string, 0, len(overrides))
	for k := range overrides {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	overridden := map[int]bool{}
	for _, k := range keys {
		v := strings.TrimSpace(overrides[k])
		nk := normHeader(k)
		var cols []int
		for col, h := range t.Header {
			if nk != "" && normHeader(h) == nk {
				cols = append(cols, col)
			}
		}
		if len(cols) == 0 {
			problems = append(problems, domain.Problem{
				Location: headerLocation(t),
				Message:  fmt.Sprintf("--map %s: the header has no column %s; its columns are %s", quoteShort(k+"="+v), quoteShort(k), listHeaders(t.Header)),
			})
			continue
		}
		var f domain.Field
		if v != Ignore {
			info, ok := domain.LookupField(strings.ToLower(v))
			if !ok {
				problems = append(problems, domain.Problem{
					Location: t.Where(header, cols[0]),
					Message:  fmt.Sprintf("--map %s: %s is not a device field; fields are: %s", quoteShort(k+"="+v), quoteShort(v), strings.Join(domain.FieldNames(), ", ")),
				})
				continue
			}
			f = info.Field
		}
		for _, col := range cols {
			m.Fields[col] = f
			overridden[col] = true
		}
	}

	// Two columns for one field: the later one is the problem.
	first := map[domain.Field]int{}
	for col, f := range m.Fields {
		if f == "" {
			continue
		}
		if prev, ok := first[f]; ok {
			problems = append(problems, domain.Problem{
				Location: t.Where(header, col),
				Field:    string(f),
				Message: fmt.Sprintf("columns %s (column %d) and %s (column %d) both carry %s; drop one with --map %s",
					quoteShort(t.Header[prev]), prev+1, quoteShort(t.Header[col]), col+1, f, quoteShort(t.Header[col]+"=-")),
			})
			continue
		}
		first[f] = col
	}

	// Columns that carry nothing.
	for col, h := range t.Header {
		if m.Fields[col] != "" || overridden[col] {
			continue
		}
		if h == "" {
			if columnHasData(t, col) {
				warnings = append(warnings, fmt.Sprintf("%s: column %d has no header; its values are ignored", t.Where(header, col), col+1))
			}
			continue
		}
		warnings = append(warnings, fmt.Sprintf("%s: column %s is not a device field; it is ignored (import it with --map %s)",
			t.Where(header, col), quoteShort(h), quoteShort(h+"=<field>")))
	}

	if !m.hasKey() {
		mapped := 0
		for _, f := range m.Fields {
			if f != "" {
				mapped++
			}
		}
		msg := "no column identifies the devices: the file needs a Vigil ID, serial number, asset tag or MAC address column"
		if mapped == 0 {
			msg = "no column is a device field; the header is " + listHeaders(t.Header) + " (see docs/inventory-format.md for the recognised names, or use --map)"
		}
		problems = append(problems, domain.Problem{Location: headerLocation(t), Message: msg})
	}
	return m, problems, warnings
}

// keyFields identify a device across imports.
var keyFields = []domain.Field{domain.FieldID, domain.FieldSerial, domain.FieldAssetTag, domain.FieldMACs}

func (m Mapping) hasKey() bool {
	for _, f := range keyFields {
		if m.Column(f) >= 0 {
			return true
		}
	}
	return false
}

func headerLocation(t *Table) string {
	if t.HeaderLine > 0 {
		return t.File + ":" + strconv.Itoa(t.HeaderLine)
	}
	return t.File
}

func columnHasData(t *Table, col int) bool {
	for _, r := range t.Rows {
		if strings.TrimSpace(r.Cell(col)) != "" {
			return true
		}
	}
	return false
}

func listHeaders(h []string) string {
	const max = 12
	q := make([]string, 0, len(h))
	for i, s := range h {
		if i == max {
			q = append(q, fmt.Sprintf("and %d more", len(h)-max))
			break
		}
		q = append(q, quoteShort(s))
	}
	if len(q) == 0 {
		return "empty"
	}
	return strings.Join(q, ", ")
}
