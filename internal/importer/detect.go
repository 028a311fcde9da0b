package importer

import (
	"bytes"
	"path/filepath"
	"strings"
	"unicode/utf8"

	"github.com/vigil-med/vigil/internal/domain"
)

var (
	zipMagic = []byte("PK\x03\x04")
	oleMagic = []byte{0xD0, 0xCF, 0x11, 0xE0, 0xA1, 0xB1, 0x1A, 0xE1}
)

// Detect names the format of an inventory file from its first bytes (a
// few hundred are plenty) and its name: FormatXLSX for a zip archive,
// FormatJSON when the first character that is not a space is "[" or "{",
// FormatCSV for other text. The content decides; the extension only
// sharpens the message when the content is not an inventory at all, and a
// .json file whose text is not JSON is refused rather than read as CSV.
// Errors are domain.Errors with code CodeInvalid.
func Detect(name string, head []byte) (string, error) {
	ext := strings.ToLower(filepath.Ext(name))
	switch {
	case len(head) == 0:
		return "", domain.Errorf(domain.CodeInvalid, "%s: the file is empty", name)
	case bytes.HasPrefix(head, zipMagic):
		return FormatXLSX, nil
	case bytes.HasPrefix(head, oleMagic):
		return "", domain.Errorf(domain.CodeInvalid, "%s: this is a legacy Excel (.xls) or password-protected workbook; save it as .xlsx or CSV and import that", name)
	}
	text, utf16 := headText(head)
	if first := strings.TrimLeft(text, " \t\r\n\uFEFF"); first != "" && (first[0] == '[' || first[0] == '{') {
		if utf16 {
			return "", domain.Errorf(domain.CodeInvalid, "%s: JSON must be UTF-8; this file is UTF-16", name)
		}
		return FormatJSON, nil
	}
	if !utf16 && looksBinary(head) {
		what := "CSV, XLSX or JSON"
		switch ext {
		case ".xlsx", ".xlsm":
			what = "an XLSX workbook (it is not a zip archive)"
		case ".json":
			what = "JSON"
		}
		return "", domain.Errorf(domain.CodeInvalid, "%s: the file is not %s; inventory files are CSV, XLSX or JSON", name, what)
	}
	if ext == ".json" {
		return "", domain.Errorf(domain.CodeInvalid, `%s: the file does not start with "[" so it is not a JSON inventory (an array of device objects)`, name)
	}
	return FormatCSV, nil
}

// headText returns the start of head as text for sniffing, decoding
// UTF-16 when a byte order mark says so.
func headText(head []byte) (string, bool) {
	switch {
	case bytes.HasPrefix(head, []byte{0xFF, 0xFE}), bytes.HasPrefix(head, []byte{0xFE, 0xFF}):
		be := head[0] == 0xFE
		var b strings.Builder
		for i := 2; i+1 < len(head); i += 2 {
			u := rune(head[i]) | rune(head[i+1])<<8
			if be {
				u = rune(head[i])<<8 | rune(head[i+1])
			}
			b.WriteRune(u)
		}
		return b.String(), true
	case bytes.HasPrefix(head, []byte("\xEF\xBB\xBF")):
		return string(head[3:]), false
	}
	return string(head), false
}

// looksBinary reports whether head holds bytes that text files do not: NUL
// and most other control characters. Invalid UTF-8 alone is not binary; it
// is usually Windows-1252.
func looksBinary(head []byte) bool {
	ctl := 0
	for i := 0; i < len(head); {
		r, n := utf8.DecodeRune(head[i:])
		i += n
		if r == 0 {
			return true
		}
		if r < 0x20 && r != '\t' && r != '\n' && r != '\r' && r != '\f' {
			ctl++
		}
	}
	return ctl > len(head)/100+1
}
