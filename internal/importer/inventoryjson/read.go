// Package inventoryjson reads and writes inventory files in Vigil's JSON
// form: an array of objects keyed by canonical field names.
package inventoryjson

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"regexp"
	"strconv"
	"strings"
	"unicode/utf8"

	"github.com/vigil-med/vigil/internal/domain"
	"github.com/vigil-med/vigil/internal/importer"
)

// Read reads a JSON inventory into a Table whose columns are the canonical
// field names. Values may be strings, numbers or booleans; list fields may
// also be arrays of strings or numbers; null and "" leave a field alone.
// Unknown keys, repeated keys, and values of the wrong shape are problems
// located by JSON path ("name:$[12].colour") and reject their object;
// reading goes on. A syntax error stops reading and is reported as
// "name:line:column: byte N: reason". Row.Line is the object's 1-based
// position in the array; locations print the 0-based JSON index.
func Read(name string, r io.Reader) (*importer.Table, error) {
	data, err := io.ReadAll(r)
	if err != nil {
		return nil, fmt.Errorf("inventoryjson: read %s: %w", name, err)
	}
	if bytes.HasPrefix(data, []byte("\xEF\xBB\xBF")) {
		data = append([]byte("   "), data[3:]...) // JSON white space keeps offsets
	}
	header := domain.FieldNames()
	col := make(map[string]int, len(header))
	for i, h := range header {
		col[h] = i
	}
	t := &importer.Table{
		File:   name,
		Format: importer.FormatJSON,
		Header: header,
		Locate: func(r importer.Row, c int) string {
			s := name + ":" + indexPath(r.Line)
			if c >= 0 && c < len(header) {
				s += "." + header[c]
			}
			return s
		},
	}
	p := &parser{name: name, data: data, dec: json.NewDecoder(bytes.NewReader(data)), t: t}
	p.dec.UseNumber()

	tok, err := p.token()
	if err != nil {
		return nil, err
	}
	if d, ok := tok.(json.Delim); !ok || d != '[' {
		return nil, p.errorAt(0, fmt.Sprintf("a JSON inventory is an array of device objects ([{...}, ...]); this file starts with %s", describe(tok)), nil)
	}
	for i := 1; p.dec.More(); i++ {
		cells, ok, err := p.object(i, col)
		if err != nil {
			return nil, err
		}
		if ok {
			t.Append(i, cells)
		}
	}
	if _, err := p.token(); err != nil { // the closing ]
		return nil, err
	}
	if off := p.dec.InputOffset(); len(bytes.TrimSpace(data[off:])) > 0 {
		return nil, p.errorAt(off+int64(len(data[off:])-len(bytes.TrimLeft(data[off:], " \t\r\n"))), "unexpected text after the closing ]", nil)
	}
	return t, nil
}

type parser struct {
	name string
	data []byte
	dec  *json.Decoder
	t    *importer.Table
}

// token reads the next token, turning a syntax error into a located error.
// The decoder's own offsets are not reliable inside values (it reports
// some relative to its buffer), so on an error the whole input is scanned
// again by json.Unmarshal, whose offset always counts from the start.
func (p *parser) token() (json.Token, error) {
	tok, err := p.dec.Token()
	if err == nil {
		return tok, nil
	}
	var raw json.RawMessage
	var se *json.SyntaxError
	if errors.As(json.Unmarshal(p.data, &raw), &se) {
		if se.Offset >= int64(len(p.data)) {
			return nil, p.errorAt(int64(len(p.data)), "the file ends before the JSON does (is it cut short?)", err)
		}
		return nil, p.errorAt(max(se.Offset-1, 0), se.Error(), err)
	}
	if err == io.EOF || errors.Is(err, io.ErrUnexpectedEOF) {
		return nil, p.errorAt(int64(len(p.data)), "the file ends before the JSON does (is it cut short?)", err)
	}
	return nil, p.errorAt(p.dec.InputOffset(), err.Error(), err)
}

// object reads the i-th element of the array (1-based) into cells by
// column. ok is false when the element is not an object; the element's
// problems are added to the table.
func (p *parser) object(i int, col map[string]int) ([]string, bool, error) {
	row := importer.Row{Line: i}
	tok, err := p.token()
	if err != nil {
		return nil, false, err
	}
	if d, ok := tok.(json.Delim); !ok || d != '{' {
		p.problem(row, p.t.Where(row, -1), "", fmt.Sprintf("expected a device object, found %s", describe(tok)))
		return nil, false, p.skip(tok)
	}
	cells := make([]string, len(col))
	seen := map[string]bool{}
	for p.dec.More() {
		ktok, err := p.token()
		if err != nil {
			return nil, false, err
		}
		key, _ := ktok.(string)
		loc := p.t.File + ":" + indexPath(i) + keyPath(key)
		vtok, err := p.token()
		if err != nil {
			return nil, false, err
		}
		c, known := col[key]
		switch {
		case !known:
			msg := fmt.Sprintf("unknown key %s; keys are the canonical field names: %s", strconv.Quote(key), strings.Join(p.t.Header, ", "))
			if f, ok := importer.LookupHeader(key); ok {
				msg = fmt.Sprintf("unknown key %s; did you mean %s?", strconv.Quote(key), strconv.Quote(string(f)))
			}
			p.problem(row, loc, "", msg)
			if err := p.skip(vtok); err != nil {
				return nil, false, err
			}
			continue
		case seen[key]:
			p.problem(row, loc, key, fmt.Sprintf("key %s appears twice in this object", strconv.Quote(key)))
			if err := p.skip(vtok); err != nil {
				return nil, false, err
			}
			continue
		}
		seen[key] = true
		v, msg, err := p.value(vtok, key)
		if err != nil {
			return nil, false, err
		}
		if msg != "" {
			p.problem(row, loc, key, msg)
			continue
		}
		cells[c] = v
	}
	if _, err := p.token(); err != nil { // the closing }
		return nil, false, err
	}
	return cells, true, nil
}

// value renders a field's JSON value as cell text, or says why it cannot.
func (p *parser) value(tok json.Token, key string) (string, string, error) {
	info, _ := domain.LookupField(key)
	if d, ok := tok.(json.Delim); ok {
		if d == '{' {
			return "", "expected a value, found an object", p.skip(tok)
		}
		// An array: a list field's values.
		var items []string
		msg := ""
		for p.dec.More() {
			et, err := p.token()
			if err != nil {
				return "", "", err
			}
			s, ok := scalar(et)
			if !ok {
				if msg == "" {
					msg = fmt.Sprintf("list items must be strings or numbers, found %s", describe(et))
				}
				if err := p.skip(et); err != nil {
					return "", "", err
				}
				continue
			}
			if s != "" {
				items = append(items, s)
			}
		}
		if _, err := p.token(); err != nil { // the closing ]
			return "", "", err
		}
		switch {
		case msg != "":
			return "", msg, nil
		case !info.List:
			return "", fmt.Sprintf("%s holds one value, not a list", key), nil
		}
		return strings.Join(items, domain.ListSeparator), "", nil
	}
	s, _ := scalar(tok)
	return s, "", nil
}

// scalar renders a string, number, boolean or null token as text.
func scalar(tok json.Token) (string, bool) {
	switch v := tok.(type) {
	case string:
		return v, true
	case json.Number:
		return v.String(), true
	case bool:
		return strconv.FormatBool(v), true
	case nil:
		return "", true
	}
	return "", false
}

// skip consumes the rest of a value whose first token was tok.
func (p *parser) skip(tok json.Token) error {
	d, ok := tok.(json.Delim)
	if !ok || (d != '[' && d != '{') {
		return nil
	}
	for depth := 1; depth > 0; {
		t, err := p.token()
		if err != nil {
			return err
		}
		if d, ok := t.(json.Delim); ok {
			switch d {
			case '[', '{':
				depth++
			default:
				depth--
			}
		}
	}
	return nil
}

func (p *parser) problem(row importer.Row, loc, field, msg string) {
	p.t.Problems = append(p.t.Problems, domain.Problem{Location: loc, Row: row.Line, Field: field, Message: msg})
}

// errorAt returns a located CodeInvalid error for byte offset off:
// "name:line:column: byte N: msg".
func (p *parser) errorAt(off int64, msg string, cause error) error {
	off = max(0, min(off, int64(len(p.data))))
	line, col := lineCol(p.data, int(off))
	loc := fmt.Sprintf("%s:%d:%d", p.name, line, col)
	msg = fmt.Sprintf("byte %d: %s", off, strings.TrimPrefix(msg, "json: "))
	return &domain.Error{
		Code:     domain.CodeInvalid,
		Message:  loc + ": " + msg,
		Problems: []domain.Problem{{Location: loc, Message: msg}},
		Err:      cause,
	}
}

// lineCol converts a byte offset to a 1-based line and character column.
func lineCol(data []byte, off int) (int, int) {
	before := data[:off]
	line := bytes.Count(before, []byte("\n")) + 1
	start := bytes.LastIndexByte(before, '\n') + 1
	return line, utf8.RuneCount(before[start:]) + 1
}

func describe(tok json.Token) string {
	switch v := tok.(type) {
	case json.Delim:
		switch v {
		case '{':
			return "an object"
		case '[':
			return "an array"
		}
		return strconv.Quote(v.String())
	case string:
		return "a string"
	case json.Number:
		return "a number"
	case bool:
		return "a boolean"
	case nil:
		return "null"
	}
	return fmt.Sprintf("%v", tok)
}

// indexPath renders the JSON path of the i-th (1-based) array element.
func indexPath(i int) string { return "$[" + strconv.Itoa(i-1) + "]" }

var identifier = regexp.MustCompile(`^[A-Za-z_][A-Za-z0-9_]*$`)

// keyPath renders a key as a JSON path step: .serial, or ["odd key"].
func keyPath(k string) string {
	if identifier.MatchString(k) {
		return "." + k
	}
	q, _ := json.Marshal(k)
	return "[" + string(q) + "]"
}
