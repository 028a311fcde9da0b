// Package qr draws QR Code symbols (ISO/IEC 18004) for short byte strings
// such as the otpauth URIs that authenticator apps scan: byte mode,
// versions 1 to 10 (up to 271 bytes at level L, 213 at M), all four error
// correction levels, the mask chosen by the standard's penalty rules. A
// symbol renders as SVG for pages and as an image for tests and reports.
//
// The package is written from the standard alone and depends on the
// standard library only.
package qr

import (
	"errors"
	"fmt"
)

// Level is the error correction level: how much of the symbol may be
// damaged and still read.
type Level int

// Error correction levels, in increasing strength.
const (
	L Level = iota // about 7% of codewords recoverable
	M              // about 15%
	Q              // about 25%
	H              // about 30%
)

func (l Level) String() string {
	if l < L || l > H {
		return fmt.Sprintf("Level(%d)", int(l))
	}
	return "LMQH"[l : l+1]
}

// indicator is the level's two-bit code in the format information
// (ISO/IEC 18004 Table 12): L 01, M 00, Q 11, H 10.
func (l Level) indicator() uint { return [...]uint{1, 0, 3, 2}[l] }

// MaxVersion is the largest symbol version Encode draws (57×57 modules).
const MaxVersion = 10

// QuietZone is the light margin, in modules, that renderings put around the
// symbol, as the standard requires.
const QuietZone = 4

// ErrTooLong is returned (wrapped) when the data does not fit a symbol of
// MaxVersion at the requested level.
var ErrTooLong = errors.New("qr: data too long")

// ErrLevel is returned for a level that is not L, M, Q or H.
var ErrLevel = errors.New("qr: unknown error correction level")

// blockSpec is one row of the standard's Table 9 (error correction
// characteristics): the error correction codewords per block, and the
// blocks of the two groups with their data codewords (group 2 blocks carry
// one more data codeword than group 1's).
type blockSpec struct {
	ec     int // error correction codewords in each block
	n1, d1 int // group 1: number of blocks, data codewords in each
	n2, d2 int // group 2: number of blocks, data codewords in each
}

func (b blockSpec) dataCodewords() int { return b.n1*b.d1 + b.n2*b.d2 }
func (b blockSpec) blocks() int        { return b.n1 + b.n2 }
func (b blockSpec) totalCodewords() int {
	return b.dataCodewords() + b.blocks()*b.ec
}

// specs[version][level] is Table 9 for versions 1 to 10.
var specs = [MaxVersion + 1][4]blockSpec{
	1:  {L: {7, 1, 19, 0, 0}, M: {10, 1, 16, 0, 0}, Q: {13, 1, 13, 0, 0}, H: {17, 1, 9, 0, 0}},
	2:  {L: {10, 1, 34, 0, 0}, M: {16, 1, 28, 0, 0}, Q: {22, 1, 22, 0, 0}, H: {28, 1, 16, 0, 0}},
	3:  {L: {15, 1, 55, 0, 0}, M: {26, 1, 44, 0, 0}, Q: {18, 2, 17, 0, 0}, H: {22, 2, 13, 0, 0}},
	4:  {L: {20, 1, 80, 0, 0}, M: {18, 2, 32, 0, 0}, Q: {26, 2, 24, 0, 0}, H: {16, 4, 9, 0, 0}},
	5:  {L: {26, 1, 108, 0, 0}, M: {24, 2, 43, 0, 0}, Q: {18, 2, 15, 2, 16}, H: {22, 2, 11, 2, 12}},
	6:  {L: {18, 2, 68, 0, 0}, M: {16, 4, 27, 0, 0}, Q: {24, 4, 19, 0, 0}, H: {28, 4, 15, 0, 0}},
	7:  {L: {20, 2, 78, 0, 0}, M: {18, 4, 31, 0, 0}, Q: {18, 2, 14, 4, 15}, H: {26, 4, 13, 1, 14}},
	8:  {L: {24, 2, 97, 0, 0}, M: {22, 2, 38, 2, 39}, Q: {22, 4, 18, 2, 19}, H: {26, 4, 14, 2, 15}},
	9:  {L: {30, 2, 116, 0, 0}, M: {22, 3, 36, 2, 37}, Q: {20, 4, 16, 4, 17}, H: {24, 4, 12, 4, 13}},
	10: {L: {18, 2, 68, 2, 69}, M: {26, 4, 43, 1, 44}, Q: {24, 6, 19, 2, 20}, H: {28, 6, 15, 2, 16}},
}

// alignment[version] lists the row and column centres of the alignment
// patterns (Annex E, Table E.1).
var alignment = [MaxVersion + 1][]int{
	2: {6, 18}, 3: {6, 22}, 4: {6, 26}, 5: {6, 30}, 6: {6, 34},
	7: {6, 22, 38}, 8: {6, 24, 42}, 9: {6, 26, 46}, 10: {6, 28, 50},
}

// countBits is the width of the byte mode character count indicator
// (Table 3): 8 bits up to version 9, 16 from version 10.
func countBits(version int) int {
	if version <= 9 {
		return 8
	}
	return 16
}

// Capacity is how many bytes a symbol of the version and level holds in
// byte mode: the data codewords less the 4-bit mode indicator and the
// character count.
func Capacity(version int, level Level) int {
	if version < 1 || version > MaxVersion || level < L || level > H {
		return 0
	}
	return (specs[version][level].dataCodewords()*8 - 4 - countBits(version)) / 8
}

// Code is a drawn symbol: a square of dark and light modules.
type Code struct {
	Version int   // 1 to MaxVersion
	Level   Level // error correction level
	Mask    int   // data mask pattern reference, 0 to 7
	Size    int   // modules per side: 17 + 4×Version
	dark    []bool
}

// Dark reports whether the module in column x, row y (from the top left,
// without quiet zone) is dark. Outside the symbol is light.
func (c *Code) Dark(x, y int) bool {
	if x < 0 || y < 0 || x >= c.Size || y >= c.Size {
		return false
	}
	return c.dark[y*c.Size+x]
}

// Encode draws data in byte mode in the smallest version that holds it at
// the level, choosing the mask with the lowest penalty. Data too long for
// version MaxVersion returns an error wrapping ErrTooLong.
func Encode(data []byte, level Level) (*Code, error) {
	if level < L || level > H {
		return nil, fmt.Errorf("%w %d", ErrLevel, int(level))
	}
	version := 0
	for v := 1; v <= MaxVersion; v++ {
		if len(data) <= Capacity(v, level) {
			version = v
			break
		}
	}
	if version == 0 {
		return nil, fmt.Errorf("%w: %d bytes; a version-%d symbol at level %s holds at most %d",
			ErrTooLong, len(data), MaxVersion, level, Capacity(MaxVersion, level))
	}
	spec := specs[version][level]
	codewords := interleave(dataCodewords(data, version, spec), spec)
	m := newMatrix(version)
	m.place(codewords)
	best, bestScore := -1, 0
	var bestDark []bool
	for mask := range 8 {
		t := m.clone()
		t.applyMask(mask)
		t.drawFormat(formatBits(level, mask))
		if score := t.penalty(); best < 0 || score < bestScore {
			best, bestScore, bestDark = mask, score, t.dark
		}
	}
	return &Code{Version: version, Level: level, Mask: best, Size: m.size, dark: bestDark}, nil
}

// bitWriter appends bits most significant first.
type bitWriter struct {
	b []byte
	n int // bits written
}

func (w *bitWriter) write(v uint, width int) {
	for i := width - 1; i >= 0; i-- {
		if w.n%8 == 0 {
			w.b = append(w.b, 0)
		}
		if v>>uint(i)&1 == 1 {
			w.b[w.n/8] |= 0x80 >> uint(w.n%8)
		}
		w.n++
	}
}

// dataCodewords builds the data bit stream (section 7.4): mode indicator
// 0100 (byte), character count, the bytes, a terminator of up to four zero
// bits, zero bits to the byte boundary, then the pad codewords 11101100 and
// 00010001 in turn until the symbol's data capacity is full.
func dataCodewords(data []byte, version int, spec blockSpec) []byte {
	capacity := spec.dataCodewords()
	w := &bitWriter{b: make([]byte, 0, capacity)}
	w.write(0b0100, 4)
	w.write(uint(len(data)), countBits(version))
	for _, c := range data {
		w.write(uint(c), 8)
	}
	w.write(0, min(4, capacity*8-w.n))
	w.write(0, (8-w.n%8)%8)
	for pad := byte(0xEC); len(w.b) < capacity; pad ^= 0xEC ^ 0x11 {
		w.b = append(w.b, pad)
	}
	return w.b
}

// interleave splits the data codewords into the blocks of the version and
// level, computes each block's error correction codewords, and interleaves
// them (section 7.6): the first data codeword of every block, then the
// second…, the extra codeword of the longer group 2 blocks last; then the
// error correction codewords the same way.
func interleave(data []byte, spec blockSpec) []byte {
	dataBlocks := make([][]byte, 0, spec.blocks())
	ecBlocks := make([][]byte, 0, spec.blocks())
	gen := generator(spec.ec)
	for i, off := 0, 0; i < spec.blocks(); i++ {
		n := spec.d1
		if i >= spec.n1 {
			n = spec.d2
		}
		block := data[off : off+n]
		off += n
		dataBlocks = append(dataBlocks, block)
		ecBlocks = append(ecBlocks, rsRemainder(block, gen))
	}
	out := make([]byte, 0, spec.totalCodewords())
	for i := range max(spec.d1, spec.d2) {
		for _, b := range dataBlocks {
			if i < len(b) {
				out = append(out, b[i])
			}
		}
	}
	for i := range spec.ec {
		for _, b := range ecBlocks {
			out = append(out, b[i])
		}
	}
	return out
}
