package inventorycsv

import (
	"strings"
	"testing"
	"unicode/utf8"
)

// Ensure Windows-1252 bytes decode to the characters the code page
// defines: the 0x80–0x9F block from the table, the rest as Latin-1.
func TestDecodeWindows1252(t *testing.T) {
	tests := []struct {
		name string
		in   []byte
		want string
	}{
		{"ASCII", []byte("Serial;Name\r\n"), "Serial;Name\r\n"},
		{"Latin1", []byte{'D', 'r', 0xE4, 'g', 'e', 'r', ' ', 0xC9, 0xFF, 0xA0}, "Dräger Éÿ\u00a0"},
		{"EuroAndQuotes", []byte{0x80, ' ', 0x93, 'x', 0x94, ' ', 0x96, ' ', 0x97, ' ', 0x85}, "€ “x” – — …"},
		{"Letters", []byte{0x8A, 0x8C, 0x8E, 0x9A, 0x9C, 0x9E, 0x9F, 0x83}, "ŠŒŽšœžŸƒ"},
		{"Marks", []byte{0x82, 0x84, 0x86, 0x87, 0x88, 0x89, 0x8B, 0x91, 0x92, 0x95, 0x98, 0x99, 0x9B}, "‚„†‡ˆ‰‹‘’•˜™›"},
		{"UndefinedAreC1", []byte{0x81, 0x8D, 0x8F, 0x90, 0x9D}, "\u0081\u008d\u008f\u0090\u009d"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := decodeWindows1252(tt.in)
			if got != tt.want {
				t.Fatalf("got %q, want %q", got, tt.want)
			}
			if !utf8.ValidString(got) {
				t.Fatal("not valid UTF-8")
			}
		})
	}
	// Every byte decodes to exactly one character.
	all := make([]byte, 256)
	for i := range all {
		all[i] = byte(i)
	}
	if n := utf8.RuneCountInString(decodeWindows1252(all)); n != 256 {
		t.Fatalf("256 bytes gave %d characters", n)
	}
}

// Ensure the encoding is recognised from the bytes and named.
func TestDecodeText(t *testing.T) {
	tests := []struct {
		name, in, text, enc string
		warned              bool
	}{
		{"UTF8", "a,ä\n", "a,ä\n", "UTF-8", false},
		{"UTF8BOM", "\xef\xbb\xbfa,ä\n", "a,ä\n", "UTF-8 with BOM", false},
		{"UTF16LE", "\xff\xfea\x00,\x00\xe4\x00\n\x00", "a,ä\n", "UTF-16LE", false},
		{"UTF16BE", "\xfe\xff\x00a\x00,\x00\xe4\x00\n", "a,ä\n", "UTF-16BE", false},
		{"UTF16LESurrogatePair", "\xff\xfe\x3e\xd8\x7a\xde", "🩺", "UTF-16LE", false},
		{"UTF16LENoBOM", "S\x00e\x00r\x00i\x00a\x00l\x00\n\x00A\x00", "Serial\nA", "UTF-16LE", true},
		{"Windows1252", "a;Dr\xe4ger\n", "a;Dräger\n", "Windows-1252", true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			text, enc, warnings, err := decodeText("f.csv", []byte(tt.in))
			if err != nil {
				t.Fatal(err)
			}
			if text != tt.text || enc != tt.enc || (len(warnings) > 0) != tt.warned {
				t.Fatalf("got %q %q %v; want %q %q warned=%v", text, enc, warnings, tt.text, tt.enc, tt.warned)
			}
		})
	}
	for _, bad := range []struct{ name, in, msg string }{
		{"OddUTF16", "\xff\xfea\x00b", "f.csv (byte 5): the file is UTF-16LE but has an odd number of bytes; it is cut short"},
		{"BOMButNotUTF8", "\xef\xbb\xbfok\nDr\xe4ger", "f.csv:2:3: byte 0xE4 is not valid UTF-8 although the file starts with a UTF-8 byte order mark"},
	} {
		t.Run(bad.name, func(t *testing.T) {
			_, _, _, err := decodeText("f.csv", []byte(bad.in))
			if err == nil || err.Error() != bad.msg {
				t.Fatalf("got %v, want %q", err, bad.msg)
			}
		})
	}
}

// Ensure the delimiter is the one that splits the first lines most
// consistently, quotes respected.
func TestSniffDelimiter(t *testing.T) {
	tests := []struct {
		name string
		in   string
		want rune
	}{
		{"Comma", "a,b,c\n1,2,3\n", ','},
		{"Semicolon", "a;b;c\n1;2,5;3\n4;5;6\n", ';'},
		{"SemicolonWithDecimalCommas", "Name;Cost;Serial\nPump;1,5;A\nCart;2,75;B\n", ';'},
		{"Tab", "a\tb\n\"x, y\"\t2\n", '\t'},
		{"Pipe", "Serial|Name|Notes\nA|B|c, d; e\n", '|'},
		{"QuotedDelimitersIgnored", "\"a;b\",c\n\"1;2\",3\n\"4;5\",6\n", ','},
		{"TitleLineFirst", "Report\nSerial;Name\nA;B\nC;D\n", ';'},
		{"SingleColumn", "Serial\nA\nB\n", ','},
		{"Empty", "", ','},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := sniffDelimiter(tt.in); got != tt.want {
				t.Fatalf("got %q, want %q", got, tt.want)
			}
		})
	}
	// A long file is sniffed from its start only.
	long := "a;b\n" + strings.Repeat("1;2\n", 100000)
	if got := sniffDelimiter(long); got != ';' {
		t.Fatalf("long file: got %q", got)
	}
}
