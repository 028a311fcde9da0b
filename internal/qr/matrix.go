package qr

// matrix is a symbol being drawn: the module colours, and which modules
// belong to function patterns (finders, separators, timing, alignment,
// format and version information) and so carry no data and are never
// masked.
type matrix struct {
	size     int
	dark, fn []bool // row-major, size×size
}

func newMatrix(version int) *matrix {
	size := 17 + 4*version
	m := &matrix{size: size, dark: make([]bool, size*size), fn: make([]bool, size*size)}
	// Timing patterns (section 6.3.5): row 6 and column 6 alternate, dark
	// on even positions. The finders drawn next overwrite their ends.
	for i := range size {
		m.set(6, i, i%2 == 0)
		m.set(i, 6, i%2 == 0)
	}
	m.drawFinder(0, 0)
	m.drawFinder(size-7, 0)
	m.drawFinder(0, size-7)
	// Alignment patterns (6.3.6) at every pair of centres except the three
	// that would overlap a finder.
	pos := alignment[version]
	for i, cy := range pos {
		for j, cx := range pos {
			last := len(pos) - 1
			if (i == 0 && j == 0) || (i == 0 && j == last) || (i == last && j == 0) {
				continue
			}
			m.drawAlignment(cx, cy)
		}
	}
	// Reserve the format information areas; the real bits are drawn once
	// the mask is chosen.
	m.drawFormat(0)
	if version >= 7 {
		m.drawVersion(versionBits(version))
	}
	return m
}

func (m *matrix) clone() *matrix {
	return &matrix{size: m.size, dark: append([]bool(nil), m.dark...), fn: m.fn}
}

// set colours a function module.
func (m *matrix) set(x, y int, dark bool) {
	m.dark[y*m.size+x] = dark
	m.fn[y*m.size+x] = true
}

// drawFinder draws a 7×7 finder pattern with its top left at (x, y), and
// the light separator around it where it lies inside the symbol: by
// distance from the centre, rings 0 and 1 dark, 2 light, 3 dark, 4 light.
func (m *matrix) drawFinder(x, y int) {
	for dy := -1; dy <= 7; dy++ {
		for dx := -1; dx <= 7; dx++ {
			if x+dx < 0 || y+dy < 0 || x+dx >= m.size || y+dy >= m.size {
				continue
			}
			d := max(abs(dx-3), abs(dy-3))
			m.set(x+dx, y+dy, d != 2 && d != 4)
		}
	}
}

// drawAlignment draws a 5×5 alignment pattern centred on (cx, cy): dark
// centre, light ring, dark ring.
func (m *matrix) drawAlignment(cx, cy int) {
	for dy := -2; dy <= 2; dy++ {
		for dx := -2; dx <= 2; dx++ {
			m.set(cx+dx, cy+dy, max(abs(dx), abs(dy)) != 1)
		}
	}
}

func abs(n int) int {
	if n < 0 {
		return -n
	}
	return n
}

// formatBits is the 15-bit format information (section 7.9.1): the level's
// indicator and the mask reference (5 bits), a BCH(15,5) code of them
// (generator x¹⁰+x⁸+x⁵+x⁴+x²+x+1, 0x537), XORed with 101010000010010 so
// no combination is all light.
func formatBits(level Level, mask int) uint {
	data := level.indicator()<<3 | uint(mask)
	return (data<<10 | bchRemainder(data<<10, 0x537, 10)) ^ 0x5412
}

// versionBits is the 18-bit version information (7.10): 6 bits of version
// and a BCH(18,6) code of them (generator
// x¹²+x¹¹+x¹⁰+x⁹+x⁸+x⁵+x²+1, 0x1F25).
func versionBits(version int) uint {
	v := uint(version)
	return v<<12 | bchRemainder(v<<12, 0x1F25, 12)
}

// bchRemainder divides v by the generator gen of the given degree in
// GF(2) and returns the remainder.
func bchRemainder(v, gen uint, degree int) uint {
	for i := 31; i >= degree; i-- {
		if v>>uint(i)&1 == 1 {
			v ^= gen << uint(i-degree)
		}
	}
	return v
}

// drawFormat draws the format information twice (Figure 25), bit 14 being
// the most significant: along row 8 from the left edge then up column 8
// beside the top left finder; up column 8 from the bottom edge then along
// row 8 to the right edge beside the other two. The module above the
// bottom-left copy is always dark.
func (m *matrix) drawFormat(bits uint) {
	bit := func(i int) bool { return bits>>uint(i)&1 == 1 }
	n := m.size
	for i := 0; i <= 5; i++ {
		m.set(8, i, bit(i))
	}
	m.set(8, 7, bit(6))
	m.set(8, 8, bit(7))
	m.set(7, 8, bit(8))
	for i := 9; i < 15; i++ {
		m.set(14-i, 8, bit(i))
	}
	for i := range 8 {
		m.set(n-1-i, 8, bit(i))
	}
	for i := 8; i < 15; i++ {
		m.set(8, n-15+i, bit(i))
	}
	m.set(8, n-8, true)
}

// drawVersion draws the version information twice (Figure 27): a 3×6 block
// left of the top right finder and a 6×3 block above the bottom left one,
// bit i at offset i mod 3 across the short side and i div 3 along the long.
func (m *matrix) drawVersion(bits uint) {
	for i := range 18 {
		dark := bits>>uint(i)&1 == 1
		a, b := m.size-11+i%3, i/3
		m.set(a, b, dark)
		m.set(b, a, dark)
	}
}

// place writes the codewords' bits, most significant first, into the data
// modules (section 7.7.3): in two-module-wide columns from the right edge,
// alternately upwards and downwards, right module before left, skipping
// function modules and the vertical timing column. Remainder bits stay
// light (zero).
func (m *matrix) place(codewords []byte) {
	total := len(codewords) * 8
	i := 0
	for right := m.size - 1; right >= 1; right -= 2 {
		if right == 6 {
			right = 5
		}
		// The first pair (right = size−1 ≡ 0 mod 4) goes upwards and the
		// direction alternates pair by pair: bit 1 of right+1 flips at
		// every step of two, and the skip over column 6 keeps the parity.
		upward := (right+1)&2 == 0
		for v := range m.size {
			y := v
			if upward {
				y = m.size - 1 - v
			}
			for _, x := range [2]int{right, right - 1} {
				if m.fn[y*m.size+x] || i >= total {
					continue
				}
				m.dark[y*m.size+x] = codewords[i/8]>>uint(7-i%8)&1 == 1
				i++
			}
		}
	}
}

// masked reports whether mask pattern ref inverts the module in row i,
// column j (Table 10).
func masked(ref, i, j int) bool {
	switch ref {
	case 0:
		return (i+j)%2 == 0
	case 1:
		return i%2 == 0
	case 2:
		return j%3 == 0
	case 3:
		return (i+j)%3 == 0
	case 4:
		return (i/2+j/3)%2 == 0
	case 5:
		return (i*j)%2+(i*j)%3 == 0
	case 6:
		return ((i*j)%2+(i*j)%3)%2 == 0
	case 7:
		return ((i+j)%2+(i*j)%3)%2 == 0
	}
	return false
}

// applyMask inverts the data modules the mask pattern selects.
func (m *matrix) applyMask(ref int) {
	for y := range m.size {
		for x := range m.size {
			if !m.fn[y*m.size+x] && masked(ref, y, x) {
				m.dark[y*m.size+x] = !m.dark[y*m.size+x]
			}
		}
	}
}

// Penalty weights of section 7.8.3.1 (Table 11).
const (
	penaltyRun    = 3  // N1: a run of five same-coloured modules, plus one per extra module
	penaltyBlock  = 3  // N2: each 2×2 block of one colour
	penaltyFinder = 40 // N3: a 1:1:3:1:1 finder-like pattern beside four light modules
	penaltyRatio  = 10 // N4: each 5% the dark proportion strays from 50%
)

// penalty scores the whole symbol by the four rules; the mask with the
// lowest score is used. Beyond the edge is the light quiet zone, so a
// finder-like pattern at the edge counts as having light beside it.
func (m *matrix) penalty() int {
	n := m.size
	score := 0
	line := make([]bool, n)
	for _, horizontal := range [2]bool{true, false} {
		for a := range n {
			for b := range n {
				if horizontal {
					line[b] = m.dark[a*n+b]
				} else {
					line[b] = m.dark[b*n+a]
				}
			}
			score += linePenalty(line)
		}
	}
	darkCount := 0
	for y := range n {
		for x := range n {
			c := m.dark[y*n+x]
			if c {
				darkCount++
			}
			if x < n-1 && y < n-1 && c == m.dark[y*n+x+1] && c == m.dark[(y+1)*n+x] && c == m.dark[(y+1)*n+x+1] {
				score += penaltyBlock
			}
		}
	}
	total := n * n
	// k is how many whole 5% steps the dark share lies from 50%:
	// |dark/total − ½| / 5% = |20·dark − 10·total| / total.
	k := abs(20*darkCount-10*total) / total
	return score + penaltyRatio*k
}

// finderLike is the 1:1:3:1:1 dark-light-dark-light-dark core of rule 3.
var finderLike = [7]bool{true, false, true, true, true, false, true}

// linePenalty scores one row or column by rules 1 and 3.
func linePenalty(line []bool) int {
	n := len(line)
	score := 0
	run := 1
	for i := 1; i <= n; i++ {
		if i < n && line[i] == line[i-1] {
			run++
			continue
		}
		if run >= 5 {
			score += penaltyRun + run - 5
		}
		run = 1
	}
	light := func(from, to int) bool {
		for i := from; i < to; i++ {
			if i >= 0 && i < n && line[i] {
				return false
			}
		}
		return true
	}
	for i := 0; i+7 <= n; i++ {
		match := true
		for k, want := range finderLike {
			if line[i+k] != want {
				match = false
				break
			}
		}
		if match && (light(i-4, i) || light(i+7, i+11)) {
			score += penaltyFinder
		}
	}
	return score
}
