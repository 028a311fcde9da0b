package qr

import (
	"bytes"
	"encoding/xml"
	"errors"
	"fmt"
	"math/bits"
	"strings"
	"testing"
)

// annexI is the worked example of ISO/IEC 18004 Annex I: "01234567" as a
// version 1-M symbol. Its 16 data codewords (numeric mode, which this
// package does not write, but the codewords are what the Reed–Solomon
// encoder sees), and the 10 error correction codewords the standard gives.
var (
	annexIData = []byte{0x10, 0x20, 0x0C, 0x56, 0x61, 0x80, 0xEC, 0x11, 0xEC, 0x11, 0xEC, 0x11, 0xEC, 0x11, 0xEC, 0x11}
	annexIEC   = []byte{0xA5, 0x24, 0xD4, 0xC1, 0xED, 0x36, 0xC7, 0x87, 0x2C, 0x55}
)

// Ensure the Reed–Solomon codewords of the standard's worked example.
func TestReedSolomon_AnnexI(t *testing.T) {
	if got := rsRemainder(annexIData, generator(10)); !bytes.Equal(got, annexIEC) {
		t.Fatalf("error correction codewords\n got % X\nwant % X", got, annexIEC)
	}
}

// Ensure generator polynomials match Annex A, written there as exponents
// of α (the leading coefficient α⁰ included).
func TestGenerator_AnnexA(t *testing.T) {
	for n, want := range map[int][]int{
		7:  {0, 87, 229, 146, 149, 238, 102, 21},
		10: {0, 251, 67, 46, 61, 118, 70, 64, 94, 32, 45},
	} {
		g := generator(n)
		got := make([]int, len(g))
		for i, c := range g {
			got[i] = int(gfLog[c])
		}
		if fmt.Sprint(got) != fmt.Sprint(want) {
			t.Errorf("generator(%d) exponents = %v, want %v", n, got, want)
		}
	}
}

// Ensure every codeword with its error correction is a multiple of the
// generator: the syndromes, its values at α⁰…αⁿ⁻¹, are zero.
func TestReedSolomon_Syndromes(t *testing.T) {
	data := []byte("otpauth://totp/Vigil:pat@msp.example?secret=JBSWY3DPEHPK3PXP")
	for _, n := range []int{7, 10, 16, 18, 22, 26, 28, 30} {
		word := append(append([]byte(nil), data...), rsRemainder(data, generator(n))...)
		for i := range n {
			var s byte
			for _, c := range word { // Horner's rule at x = αⁱ
				s = gfMul(s, gfExp[i]) ^ c
			}
			if s != 0 {
				t.Fatalf("n=%d: syndrome %d = %#x", n, i, s)
			}
		}
	}
}

// Ensure format information matches the standard's example (Annex C: level
// M, mask 101) and that the 32 format words lie at least 7 bits apart, the
// BCH(15,5) code's minimum distance.
func TestFormatBits(t *testing.T) {
	if got := fmt.Sprintf("%015b", formatBits(M, 5)); got != "100000011001110" {
		t.Fatalf("format(M, 101) = %s, want 100000011001110", got)
	}
	// Mask 000 at each level: only the fixed XOR pattern's effect remains
	// on the data bits, a check on the level indicators.
	for l, want := range map[Level]string{L: "111011111000100", M: "101010000010010", Q: "011010101011111", H: "001011010001001"} {
		if got := fmt.Sprintf("%015b", formatBits(l, 0)); got != want {
			t.Errorf("format(%s, 000) = %s, want %s", l, got, want)
		}
	}
	var all []uint
	for l := L; l <= H; l++ {
		for mask := range 8 {
			all = append(all, formatBits(l, mask))
		}
	}
	for i := range all {
		for j := i + 1; j < len(all); j++ {
			if d := bits.OnesCount(all[i] ^ all[j]); d < 7 {
				t.Fatalf("format words %015b and %015b are %d bits apart", all[i], all[j], d)
			}
		}
	}
}

// Ensure version information matches the standard's example (Annex D:
// version 7).
func TestVersionBits(t *testing.T) {
	if got := fmt.Sprintf("%018b", versionBits(7)); got != "000111110010010100" {
		t.Fatalf("version(7) = %s, want 000111110010010100", got)
	}
	if got := versionBits(10) >> 12; got != 10 {
		t.Fatalf("version(10) carries %d", got)
	}
}

// Ensure capacities in bytes agree with the standard's Table 7 (byte
// mode), and each version's data modules are its codewords plus the
// remainder bits (0 for version 1 and 7–10, 7 for versions 2–6): a check
// of the function patterns and the block table together.
func TestCapacityAndModules(t *testing.T) {
	want := map[Level][]int{
		L: {17, 32, 53, 78, 106, 134, 154, 192, 230, 271},
		M: {14, 26, 42, 62, 84, 106, 122, 152, 180, 213},
		Q: {11, 20, 32, 46, 60, 74, 86, 108, 130, 151},
		H: {7, 14, 24, 34, 44, 58, 64, 84, 98, 119},
	}
	for l, caps := range want {
		for i, c := range caps {
			if got := Capacity(i+1, l); got != c {
				t.Errorf("Capacity(%d, %s) = %d, want %d", i+1, l, got, c)
			}
		}
	}
	remainder := []int{0, 0, 7, 7, 7, 7, 7, 0, 0, 0, 0}
	for v := 1; v <= MaxVersion; v++ {
		m := newMatrix(v)
		free := 0
		for _, f := range m.fn {
			if !f {
				free++
			}
		}
		total := specs[v][L].totalCodewords()
		for l := L; l <= H; l++ {
			if specs[v][l].totalCodewords() != total {
				t.Errorf("version %d: level %s has %d codewords, level L %d", v, l, specs[v][l].totalCodewords(), total)
			}
		}
		if free != total*8+remainder[v] {
			t.Errorf("version %d: %d data modules, want %d codewords × 8 + %d", v, free, total, remainder[v])
		}
	}
}

// Ensure the standard's worked example, placed in a version 1 symbol,
// chooses the mask the standard chose for it: 010.
func TestMaskChoice_AnnexI(t *testing.T) {
	m := newMatrix(1)
	m.place(append(append([]byte(nil), annexIData...), annexIEC...))
	best, bestScore := -1, 0
	for mask := range 8 {
		x := m.clone()
		x.applyMask(mask)
		x.drawFormat(formatBits(M, mask))
		if s := x.penalty(); best < 0 || s < bestScore {
			best, bestScore = mask, s
		}
	}
	if best != 2 {
		t.Fatalf("mask %03b chosen, the standard chose 010", best)
	}
}

// Ensure the penalty rules score hand-made lines as the standard counts
// them.
func TestLinePenalty(t *testing.T) {
	row := func(s string) []bool {
		out := make([]bool, len(s))
		for i, c := range s {
			out[i] = c == '#'
		}
		return out
	}
	for _, tc := range []struct {
		line string
		want int
	}{
		{"#.#.#.#.#.#", 0},
		{"#####.#.#.#", 3},                          // a run of five: N1
		{"#######.#.#", 5},                          // seven: N1 + 2
		{"....#.###.#", 40},                         // finder-like after four light modules: N3
		{"#.###.#....", 40},                         // … or before them; four light modules are no N1 run
		{"#.###.#.#.#.#.#.#.#.#.#.#.#.#.#.#.#", 40}, // at the edge the quiet zone is light
	} {
		if got := linePenalty(row(tc.line)); got != tc.want {
			t.Errorf("linePenalty(%s) = %d, want %d", tc.line, got, tc.want)
		}
	}
}

// readBack reads a drawn symbol the way a reader would, given its version:
// the format information from both copies, then the data modules in
// placement order, unmasked, as codewords.
func readBack(t *testing.T, c *Code) (format1, format2 uint, codewords []byte) {
	t.Helper()
	fn := newMatrix(c.Version).fn
	n := c.Size
	bit := func(x, y int) uint {
		if c.Dark(x, y) {
			return 1
		}
		return 0
	}
	for i := 0; i <= 5; i++ {
		format1 |= bit(8, i) << i
	}
	format1 |= bit(8, 7)<<6 | bit(8, 8)<<7 | bit(7, 8)<<8
	for i := 9; i < 15; i++ {
		format1 |= bit(14-i, 8) << i
	}
	for i := range 8 {
		format2 |= bit(n-1-i, 8) << i
	}
	for i := 8; i < 15; i++ {
		format2 |= bit(8, n-15+i) << i
	}
	var w bitWriter
	for right := n - 1; right >= 1; right -= 2 {
		if right == 6 {
			right = 5
		}
		for v := range n {
			y := v
			if (right+1)&2 == 0 {
				y = n - 1 - v
			}
			for _, x := range [2]int{right, right - 1} {
				if !fn[y*n+x] {
					b := bit(x, y)
					if masked(c.Mask, y, x) {
						b ^= 1
					}
					w.write(b, 1)
				}
			}
		}
	}
	return format1, format2, w.b
}

// Ensure a symbol holds what it was given: the format information in both
// places names its level and mask, and the modules read back as the
// interleaved codewords of the data.
func TestEncode_ReadBack(t *testing.T) {
	for _, data := range []string{"", "A", "otpauth://totp/Vigil:pat@msp.example?secret=JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP&issuer=Vigil", strings.Repeat("x", 213)} {
		c, err := Encode([]byte(data), M)
		if err != nil {
			t.Fatal(err)
		}
		checkReadBack(t, c, []byte(data))
	}
}

func checkReadBack(t *testing.T, c *Code, data []byte) {
	t.Helper()
	f1, f2, cw := readBack(t, c)
	if want := formatBits(c.Level, c.Mask); f1 != want || f2 != want {
		t.Fatalf("format information %015b / %015b, want %015b", f1, f2, want)
	}
	spec := specs[c.Version][c.Level]
	want := interleave(dataCodewords(data, c.Version, spec), spec)
	if !bytes.Equal(cw[:len(want)], want) {
		t.Fatalf("version %d-%s: codewords read back differ", c.Version, c.Level)
	}
	if c.Version >= 7 {
		var v uint
		for i := range 18 {
			if c.Dark(c.Size-11+i%3, i/3) {
				v |= 1 << i
			}
		}
		if v != versionBits(c.Version) {
			t.Fatalf("version information %018b, want %018b", v, versionBits(c.Version))
		}
	}
}

// Ensure the smallest version that holds the data is chosen, and data
// beyond version 10 is refused with ErrTooLong.
func TestEncode_Versions(t *testing.T) {
	for v := 1; v <= MaxVersion; v++ {
		for l := L; l <= H; l++ {
			c, err := Encode(bytes.Repeat([]byte{'a'}, Capacity(v, l)), l)
			if err != nil || c.Version != v || c.Size != 17+4*v {
				t.Fatalf("%d bytes at %s: version %d, %v; want %d", Capacity(v, l), l, c.Version, err, v)
			}
			if v < MaxVersion {
				if c, _ := Encode(bytes.Repeat([]byte{'a'}, Capacity(v, l)+1), l); c.Version != v+1 {
					t.Fatalf("%d bytes at %s: version %d, want %d", Capacity(v, l)+1, l, c.Version, v+1)
				}
			}
		}
	}
	_, err := Encode(make([]byte, 214), M)
	if !errors.Is(err, ErrTooLong) || !strings.Contains(err.Error(), "214 bytes") || !strings.Contains(err.Error(), "at most 213") {
		t.Fatalf("214 bytes at M: %v", err)
	}
	if _, err := Encode([]byte("x"), Level(4)); !errors.Is(err, ErrLevel) {
		t.Fatalf("level 4: %v", err)
	}
}

// Ensure the SVG is well-formed XML with a quiet zone, draws exactly the
// dark modules, and carries no style (so a strict CSP allows it).
func TestSVG(t *testing.T) {
	c, err := Encode([]byte("otpauth://totp/Vigil:a@b.example?secret=ABC&issuer=Vigil"), M)
	if err != nil {
		t.Fatal(err)
	}
	svg := c.SVG(200)
	var doc struct {
		ViewBox string `xml:"viewBox,attr"`
		Width   string `xml:"width,attr"`
		Path    struct {
			D    string `xml:"d,attr"`
			Fill string `xml:"fill,attr"`
		} `xml:"path"`
	}
	if err := xml.Unmarshal([]byte(svg), &doc); err != nil {
		t.Fatalf("not XML: %v\n%s", err, svg)
	}
	n := c.Size + 2*QuietZone
	if doc.ViewBox != fmt.Sprintf("0 0 %d %d", n, n) || doc.Width != "200" || doc.Path.Fill != "#000" {
		t.Fatalf("svg attributes: %+v", doc)
	}
	if strings.Contains(svg, "style") {
		t.Fatal("the SVG uses style, which the CSP forbids inline")
	}
	// Paint the path's rectangles and compare with the modules.
	painted := map[[2]int]bool{}
	for _, cmd := range strings.Split(strings.TrimSuffix(doc.Path.D, "z"), "z") {
		var x, y, w, w2 int
		if _, err := fmt.Sscanf(cmd, "M%d %dh%dv1h-%d", &x, &y, &w, &w2); err != nil || w != w2 {
			t.Fatalf("path command %q: %v", cmd, err)
		}
		for i := range w {
			painted[[2]int{x + i - QuietZone, y - QuietZone}] = true
		}
	}
	for y := -QuietZone; y < c.Size+QuietZone; y++ {
		for x := -QuietZone; x < c.Size+QuietZone; x++ {
			if painted[[2]int{x, y}] != c.Dark(x, y) {
				t.Fatalf("module (%d,%d): painted %v, dark %v", x, y, painted[[2]int{x, y}], c.Dark(x, y))
			}
		}
	}
}

func BenchmarkEncode(b *testing.B) {
	uri := []byte("otpauth://totp/Vigil:nurse.lee@lakeside-family-medicine.example?secret=GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ&issuer=Vigil")
	b.ReportAllocs()
	for b.Loop() {
		if _, err := Encode(uri, M); err != nil {
			b.Fatal(err)
		}
	}
}
