package dissect

import (
	"strings"
	"testing"
	"unicode/utf8"
)

// cleanTextByRune is cleanText's rule applied one character at a time,
// the plainest way to say it: what the run-at-a-time copy must equal.
func cleanTextByRune(value []byte) []byte {
	s := strings.TrimLeft(string(value), " \t\x00")
	s = strings.TrimRight(s, " \t\x00\r\n")
	var out []byte
	for b := []byte(s); len(b) > 0 && len(out) < maxValue; {
		r, n := utf8.DecodeRune(b)
		switch {
		case r == '\n' || r == '\r' || r == '\t':
			out = append(out, ' ')
		case r < 0x20 || r == 0x7f:
			out = append(out, '?')
		case r == utf8.RuneError, len(out)+n > maxValue: // U+FFFD itself too
			out = append(out, '?')
		default:
			out = append(out, b[:n]...)
		}
		b = b[n:]
	}
	return out
}

func TestCleanText(t *testing.T) {
	for _, tc := range []struct{ in, want string }{
		{"  GE Healthcare\r\n", "GE Healthcare"},
		{"a\tb\nc\x01d\x7fe", "a b c?d?e"},
		{"caf\xc3\xa9 \xff!\xef\xbf\xbd", "café ?!?"},
		{"\x00\x00 x \x00", "x"},
		{strings.Repeat("z", 2*maxValue), strings.Repeat("z", maxValue)},
	} {
		if got := string(cleanText(nil, []byte(tc.in))); got != tc.want {
			t.Errorf("cleanText(%q) = %q, want %q", tc.in, got, tc.want)
		}
	}
}

func FuzzCleanText(f *testing.F) {
	for _, s := range []string{"", "  Philips IntelliVue MX450\r\n", "a\x00b\tc\xe2\x82", strings.Repeat("é", maxValue)} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, in []byte) {
		got, want := cleanText(nil, in), cleanTextByRune(in)
		if string(got) != string(want) {
			t.Fatalf("cleanText(%q) = %q, want %q", in, got, want)
		}
		if len(got) > maxValue || !utf8.Valid(got) {
			t.Fatalf("cleanText(%q) = %q: too long or not UTF-8", in, got)
		}
	})
}
