// Package feed holds what the intelligence feed readers (csaf, nvd, kev,
// epss, sbom, vex) share: errors located by file and JSON path or line,
// the translation of encoding/json errors into such locations, and
// transparent gzip decompression. It imports the standard library and
// domain only.
package feed

import (
	"bufio"
	"bytes"
	"compress/gzip"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"strconv"
	"strings"
	"time"

	"github.com/vigil-med/vigil/internal/domain"
)

// MaxProblems bounds the problems one error lists; a broken document
// could otherwise produce thousands.
const MaxProblems = 50

// Problems collects located complaints about one file.
type Problems struct {
	File string
	List []domain.Problem
	more int
}

// Add records that the value at path (a JSON path such as
// "$.vulnerabilities[0].cve", or "line 12") breaks a rule.
func (p *Problems) Add(path, format string, args ...any) {
	if len(p.List) >= MaxProblems {
		p.more++
		return
	}
	p.List = append(p.List, domain.Problem{Location: p.File, Field: path, Message: fmt.Sprintf(format, args...)})
}

// Len returns how many problems were recorded.
func (p *Problems) Len() int { return len(p.List) + p.more }

// Err returns nil when nothing was recorded, else one CodeInvalid error
// whose message is the first problem ("file: $.path: message") and a count
// of the others, and which carries every problem.
func (p *Problems) Err() error {
	if len(p.List) == 0 {
		return nil
	}
	msg := p.List[0].String()
	if n := p.Len() - 1; n > 0 {
		msg += fmt.Sprintf(" (and %d more problem%s)", n, plural(n))
	}
	return &domain.Error{Code: domain.CodeInvalid, Message: msg, Problems: p.List}
}

func plural(n int) string {
	if n == 1 {
		return ""
	}
	return "s"
}

// Errorf returns one located CodeInvalid error: "file: path: message".
func Errorf(file, path, format string, args ...any) error {
	return errorf(file, path, format, args...)
}

func errorf(file, path, format string, args ...any) *domain.Error {
	pr := domain.Problem{Location: file, Field: path, Message: fmt.Sprintf(format, args...)}
	return &domain.Error{Code: domain.CodeInvalid, Message: pr.String(), Problems: []domain.Problem{pr}}
}

// Index renders a JSON path array step: Index("$.a", 3) is "$.a[3]".
func Index(path string, i int) string { return path + "[" + strconv.Itoa(i) + "]" }

// JSONError turns an error of encoding/json over data into a located
// CodeInvalid error: syntax errors by line, column and byte offset, type
// errors by JSON path and position. Other errors pass through unchanged.
func JSONError(file string, data []byte, err error) error {
	var se *json.SyntaxError
	var te *json.UnmarshalTypeError
	switch {
	case errors.As(err, &se):
		if se.Offset >= int64(len(data)) {
			return Errorf(file, Position(data, int64(len(data))), "the file ends before the JSON does (is it cut short?)")
		}
		e := errorf(file, Position(data, max(se.Offset-1, 0)), "%s", se.Error())
		e.Err = err
		return e
	case errors.As(err, &te):
		at := te.Offset
		if te.Value == "array" || te.Value == "object" {
			at-- // the offset is just past the opening bracket
		}
		path := PathAt(data, at)
		if path == "$" && te.Field != "" {
			path += "." + te.Field
		}
		return Errorf(file, path, "expected %s, found a JSON %s (%s)", DescribeType(te.Type.String()), te.Value, Position(data, te.Offset))
	case errors.Is(err, io.ErrUnexpectedEOF) || errors.Is(err, io.EOF):
		return Errorf(file, Position(data, int64(len(data))), "the file ends before the JSON does (is it cut short?)")
	}
	return err
}

// DescribeType names a Go type of a wire struct in JSON words ("a string").
func DescribeType(t string) string {
	switch {
	case strings.HasPrefix(t, "[]"):
		return "an array"
	case strings.HasPrefix(t, "map[") || strings.Contains(t, "."):
		return "an object"
	case t == "string":
		return "a string"
	case t == "bool":
		return "true or false"
	}
	return "a number"
}

// Position renders byte offset off of data as "line L, column C (byte off)",
// 1-based line and column.
func Position(data []byte, off int64) string {
	off = min(max(off, 0), int64(len(data)))
	before := data[:off]
	line := bytes.Count(before, []byte("\n")) + 1
	col := int(off) - (bytes.LastIndexByte(before, '\n') + 1) + 1
	return fmt.Sprintf("line %d, column %d (byte %d)", line, col, off)
}

// Decompress returns a reader of r's content, gunzipped when r starts with
// the gzip magic bytes (1f 8b), else unchanged.
func Decompress(r io.Reader) (io.Reader, error) {
	br := bufio.NewReaderSize(r, 64<<10)
	head, _ := br.Peek(2)
	if IsGzip(head) {
		zr, err := gzip.NewReader(br)
		if err != nil {
			return nil, err
		}
		return zr, nil
	}
	return br, nil
}

// IsGzip reports whether head starts with the gzip magic bytes.
func IsGzip(head []byte) bool { return len(head) >= 2 && head[0] == 0x1f && head[1] == 0x8b }

// Head returns head with a leading UTF-8 byte order mark and white space
// removed, for content sniffing.
func Head(head []byte) []byte {
	head = bytes.TrimPrefix(head, []byte("\xEF\xBB\xBF"))
	return bytes.TrimLeft(head, " \t\r\n")
}

// ReadAll reads r (gunzipping it when it is gzip) up to limit bytes; a
// larger input is an error naming the file.
func ReadAll(file string, r io.Reader, limit int64) ([]byte, error) {
	dr, err := Decompress(r)
	if err != nil {
		return nil, Errorf(file, "byte 0", "gzip: %v", err)
	}
	data, err := io.ReadAll(io.LimitReader(dr, limit+1))
	if err != nil {
		return nil, &domain.Error{Code: domain.CodeInvalid, Message: fmt.Sprintf("%s: read: %v", file, err), Err: err}
	}
	if int64(len(data)) > limit {
		return nil, Errorf(file, "byte "+strconv.FormatInt(limit, 10), "the file is larger than %d MB; is it the right file?", limit>>20)
	}
	if bytes.HasPrefix(data, []byte("\xEF\xBB\xBF")) {
		copy(data, "   ") // JSON white space in place of a byte order mark keeps offsets
	}
	return data, nil
}

// PathAt returns the JSON path of the innermost value of data that
// contains byte offset off ("$.product_tree.branches[0].product"), by
// walking data's tokens. It serves errors that know an offset but not the
// array indices on the way (encoding/json's type errors). It returns "$"
// when data does not parse as far as off.
func PathAt(data []byte, off int64) string {
	type frame struct {
		array bool
		index int
		key   string
	}
	dec := json.NewDecoder(bytes.NewReader(data))
	var stack []frame
	render := func() string {
		var b strings.Builder
		b.WriteString("$")
		for _, f := range stack {
			if !f.array && f.key == "" {
				break // inside an object, before its first member
			}
			if f.array {
				b.WriteString("[" + strconv.Itoa(f.index) + "]")
			} else {
				b.WriteString(memberPath(f.key))
			}
		}
		return b.String()
	}
	expectKey := false
	for {
		if expectKey && len(stack) > 0 {
			stack[len(stack)-1].key = "" // between members
		}
		start := dec.InputOffset()
		tok, err := dec.Token()
		if err != nil {
			return render()
		}
		if len(stack) > 0 && !stack[len(stack)-1].array && expectKey {
			if _, isDelim := tok.(json.Delim); !isDelim {
				if dec.InputOffset() > off { // off is before this member
					return render()
				}
				stack[len(stack)-1].key = tok.(string)
				expectKey = false
				continue
			}
		}
		if d, ok := tok.(json.Delim); ok && (d == '}' || d == ']') {
			if len(stack) > 0 {
				stack = stack[:len(stack)-1]
			}
			if dec.InputOffset() > off {
				return render()
			}
			if len(stack) > 0 {
				advance(&stack[len(stack)-1].index, &expectKey, stack[len(stack)-1].array)
			}
			continue
		}
		if d, ok := tok.(json.Delim); ok {
			if dec.InputOffset()-1 >= off { // off is at or before this bracket
				return render()
			}
			if start > off {
				return render()
			}
			stack = append(stack, frame{array: d == '['})
			expectKey = d == '{'
			continue
		}
		if dec.InputOffset() >= off {
			return render()
		}
		if len(stack) > 0 {
			advance(&stack[len(stack)-1].index, &expectKey, stack[len(stack)-1].array)
		}
	}
}

// advance moves a container past one member: the next array index, or
// the next object key.
func advance(index *int, expectKey *bool, array bool) {
	if array {
		*index++
	} else {
		*expectKey = true
	}
}

// memberPath renders an object member step: ".name", or `["odd key"]`.
func memberPath(key string) string {
	for _, r := range key {
		if !(r == '_' || r == '-' || r == '@' || r >= '0' && r <= '9' || r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z') {
			return "[" + strconv.Quote(key) + "]"
		}
	}
	return "." + key
}

// Time reads an RFC 3339 date-time at path, recording a problem when it
// is malformed, or missing and required. It returns UTC, or the zero time.
func (p *Problems) Time(path, s string, required bool) time.Time {
	if s == "" {
		if required {
			p.Add(path, "missing")
		}
		return time.Time{}
	}
	t, err := time.Parse(time.RFC3339, s)
	if err != nil {
		p.Add(path, "%q is not an RFC 3339 date-time (like 2023-04-13T06:00:00Z)", s)
		return time.Time{}
	}
	return t.UTC()
}

// HeadSize is how much of a file Peek returns for the readers' Detect
// functions.
const HeadSize = 16 << 10

// Peek returns the first HeadSize bytes of r's uncompressed content (r is
// gunzipped when it starts with the gzip magic bytes) and a reader of the
// whole uncompressed content, for routing a file by content:
//
//	head, body, err := feed.Peek(f)
//	if csaf.Detect(head) { adv, err := csaf.Read(name, body) … }
func Peek(r io.Reader) ([]byte, io.Reader, error) {
	dr, err := Decompress(r)
	if err != nil {
		return nil, nil, err
	}
	br := bufio.NewReaderSize(dr, HeadSize)
	head, err := br.Peek(HeadSize)
	if err != nil && err != io.EOF && !errors.Is(err, bufio.ErrBufferFull) {
		return nil, nil, err
	}
	return head, br, nil
}
