package inventorycsv

import (
	"bytes"
	"fmt"
	"strings"
	"unicode/utf16"
	"unicode/utf8"

	"github.com/vigil-med/vigil/internal/importer"
)

// Encoding names reported in Table.Encoding.
const (
	encUTF8        = "UTF-8"
	encUTF8BOM     = "UTF-8 with BOM"
	encUTF16LE     = "UTF-16LE"
	encUTF16BE     = "UTF-16BE"
	encWindows1252 = "Windows-1252"
)

// win1252 maps bytes 0x80–0x9F of Windows-1252 to Unicode, per the
// WHATWG Encoding Standard's windows-1252 index. The five bytes the code
// page leaves undefined (0x81, 0x8D, 0x8F, 0x90, 0x9D) map to the C1
// control characters of the same value, as Windows itself decodes them.
// Bytes 0xA0–0xFF are ISO-8859-1 and equal their code points.
var win1252 = [32]rune{
	0x20AC, 0x0081, 0x201A, 0x0192, 0x201E, 0x2026, 0x2020, 0x2021, // 80–87: € ‚ ƒ „ … † ‡
	0x02C6, 0x2030, 0x0160, 0x2039, 0x0152, 0x008D, 0x017D, 0x008F, // 88–8F: ˆ ‰ Š ‹ Œ Ž
	0x0090, 0x2018, 0x2019, 0x201C, 0x201D, 0x2022, 0x2013, 0x2014, // 90–97: ' ' " " • – —
	0x02DC, 0x2122, 0x0161, 0x203A, 0x0153, 0x009D, 0x017E, 0x0178, // 98–9F: ˜ ™ š › œ ž Ÿ
}

// decodeWindows1252 converts Windows-1252 bytes to UTF-8.
func decodeWindows1252(b []byte) string {
	var s strings.Builder
	s.Grow(len(b) + len(b)/8)
	for _, c := range b {
		switch {
		case c < 0x80:
			s.WriteByte(c)
		case c < 0xA0:
			s.WriteRune(win1252[c-0x80])
		default:
			s.WriteRune(rune(c))
		}
	}
	return s.String()
}

// decodeUTF16 converts UTF-16 without its byte order mark. Unpaired
// surrogates become U+FFFD.
func decodeUTF16(b []byte, bigEndian bool) string {
	u := make([]uint16, len(b)/2)
	for i := range u {
		if bigEndian {
			u[i] = uint16(b[2*i])<<8 | uint16(b[2*i+1])
		} else {
			u[i] = uint16(b[2*i]) | uint16(b[2*i+1])<<8
		}
	}
	return string(utf16.Decode(u))
}

// guessUTF16 recognises UTF-16 text written without a byte order mark by
// its pattern of zero bytes (ASCII characters have a zero high byte).
// It returns whether the text looks like UTF-16 and whether big-endian.
func guessUTF16(b []byte) (bool, bool) {
	n := min(len(b), 512) &^ 1
	if n < 4 {
		return false, false
	}
	var even, odd int
	for i := 0; i < n; i += 2 {
		if b[i] == 0 {
			even++
		}
		if b[i+1] == 0 {
			odd++
		}
	}
	half := n / 2
	switch {
	case odd*10 >= half*4 && even == 0:
		return true, false
	case even*10 >= half*4 && odd == 0:
		return true, true
	}
	return false, false
}

// decodeText turns file bytes into UTF-8 text: UTF-8 with or without a
// byte order mark, UTF-16 with a byte order mark (what Excel's "Unicode
// Text" writes) or recognisable without one, and otherwise Windows-1252,
// the code page of Western-European Windows exports. It returns the text,
// the encoding's name and warnings for guesses.
func decodeText(name string, b []byte) (string, string, []string, error) {
	switch {
	case bytes.HasPrefix(b, []byte("\xEF\xBB\xBF")):
		b = b[3:]
		if !utf8.Valid(b) {
			return "", "", nil, invalidUTF8(name, b)
		}
		return string(b), encUTF8BOM, nil, nil
	case bytes.HasPrefix(b, []byte{0xFF, 0xFE}), bytes.HasPrefix(b, []byte{0xFE, 0xFF}):
		be := b[0] == 0xFE
		b = b[2:]
		enc := encUTF16LE
		if be {
			enc = encUTF16BE
		}
		if len(b)%2 != 0 {
			return "", "", nil, importer.Located(fmt.Sprintf("%s (byte %d)", name, len(b)+2),
				fmt.Sprintf("the file is %s but has an odd number of bytes; it is cut short", enc), nil)
		}
		return decodeUTF16(b, be), enc, nil, nil
	}
	// Checked before UTF-8: ASCII text in UTF-16 is valid UTF-8 too, full
	// of NUL characters.
	if ok, be := guessUTF16(b); ok && len(b)%2 == 0 {
		enc := encUTF16LE
		if be {
			enc = encUTF16BE
		}
		return decodeUTF16(b, be), enc, []string{name + ": read as " + enc + " (the file has no byte order mark)"}, nil
	}
	if utf8.Valid(b) {
		return string(b), encUTF8, nil, nil
	}
	return decodeWindows1252(b), encWindows1252, []string{name + ": read as Windows-1252 because the file is not valid UTF-8; save it as \"CSV UTF-8\" to be sure accents come through"}, nil
}

// invalidUTF8 locates the first invalid UTF-8 sequence in b.
func invalidUTF8(name string, b []byte) error {
	line, col, off := 1, 1, 0
	for off < len(b) {
		r, n := utf8.DecodeRune(b[off:])
		if r == utf8.RuneError && n <= 1 {
			break
		}
		if r == '\n' {
			line, col = line+1, 1
		} else {
			col++
		}
		off += n
	}
	loc := fmt.Sprintf("%s:%d:%d", name, line, col)
	return importer.Located(loc, fmt.Sprintf("byte 0x%02X is not valid UTF-8 although the file starts with a UTF-8 byte order mark", b[off]), nil)
}
