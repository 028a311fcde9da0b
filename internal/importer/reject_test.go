package importer_test

import (
	"bytes"
	"strings"
	"testing"

	"github.com/vigil-med/vigil/internal/domain"
	"github.com/vigil-med/vigil/internal/importer"
)

// Ensure the reject file holds the original header plus "error", and one
// line per rejected row with its original cells and all its problems.
func TestWriteRejects(t *testing.T) {
	tab := table([]string{"Serial", "MAC", "Notes"},
		[]string{"S1", "00:11:22:33:44:55", "fine"},
		[]string{"S2", "zz", "=1+1", "extra"},
		[]string{"", "", "no key"},
		[]string{"S4"},
	)
	m, _, _ := importer.MapHeader(tab, nil)
	_, problems := importer.Build(tab, m, domain.ParseOptions{})
	problems = append([]domain.Problem{{Location: "t.csv:1", Message: "a header problem is not a row"}}, problems...)
	var buf bytes.Buffer
	if err := importer.WriteRejects(&buf, tab, problems); err != nil {
		t.Fatal(err)
	}
	want := "\uFEFFSerial,MAC,Notes,error\n" +
		"S2,zz,'=1+1,\"t.csv:3:2: column \"\"MAC\"\": invalid MAC address \"\"zz\"\"\n" +
		"t.csv:3:4: value \"\"extra\"\" has no column header (the header has 3 columns)\"\n" +
		",,no key,\"t.csv:4: the row has no Vigil ID, serial number, asset tag or MAC address, so it cannot be matched to a device\"\n"
	if got := buf.String(); got != want {
		t.Fatalf("got:\n%s\nwant:\n%s", got, want)
	}
}

// Ensure EscapeCell defuses formula-looking values and UnescapeCell gives
// back exactly what was escaped, while plain values pass untouched.
func TestEscapeCell(t *testing.T) {
	tests := []struct{ in, escaped string }{
		{"", ""},
		{"plain", "plain"},
		{"=1+1", "'=1+1"},
		{"+1 555", "'+1 555"},
		{"-5", "'-5"},
		{"@SUM(A1)", "'@SUM(A1)"},
		{"\tx", "'\tx"},
		{"'Til", "'Til"},
		{"'", "'"},
		{"'=x", "''=x"},
		{"''", "'''"},
		{"a=b", "a=b"},
	}
	for _, tt := range tests {
		t.Run(tt.in, func(t *testing.T) {
			if got := importer.EscapeCell(tt.in); got != tt.escaped {
				t.Fatalf("EscapeCell(%q) = %q, want %q", tt.in, got, tt.escaped)
			}
			if got := importer.UnescapeCell(tt.escaped); got != tt.in {
				t.Fatalf("UnescapeCell(%q) = %q, want %q", tt.escaped, got, tt.in)
			}
		})
	}
	// Every short string over the awkward alphabet survives the round trip.
	alphabet := []string{"'", "=", "+", "-", "@", "\t", "a", " "}
	var walk func(prefix string, n int)
	walk = func(prefix string, n int) {
		if got := importer.UnescapeCell(importer.EscapeCell(prefix)); got != prefix {
			t.Fatalf("round trip of %q gave %q", prefix, got)
		}
		if n == 0 {
			return
		}
		for _, c := range alphabet {
			walk(prefix+c, n-1)
		}
	}
	walk("", 4)
	if strings.HasPrefix(importer.EscapeCell("=x"), "=") {
		t.Fatal("formula not escaped")
	}
}
