package qr

// Reed–Solomon error correction over GF(2⁸) as section 7.5 of ISO/IEC 18004
// defines it: the field is built on the primitive polynomial
// x⁸ + x⁴ + x³ + x² + 1 (0x11D) with α = 2, and a block's error correction
// codewords are the remainder of the data polynomial times xⁿ divided by
// the generator polynomial (x − α⁰)(x − α¹)…(x − αⁿ⁻¹).

const fieldPoly = 0x11D

// exp[i] is αⁱ, doubled in length so a sum of two logarithms needs no
// reduction; log[x] is i where αⁱ = x (log[0] is unused).
var gfExp, gfLog = func() (exp [510]byte, log [256]byte) {
	x := 1
	for i := range 255 {
		exp[i], exp[i+255] = byte(x), byte(x)
		log[x] = byte(i)
		x <<= 1
		if x&0x100 != 0 {
			x ^= fieldPoly
		}
	}
	return exp, log
}()

// gfMul multiplies in GF(2⁸).
func gfMul(a, b byte) byte {
	if a == 0 || b == 0 {
		return 0
	}
	return gfExp[int(gfLog[a])+int(gfLog[b])]
}

// generator returns the coefficients of the degree-n generator polynomial,
// highest power first; the leading coefficient is 1.
func generator(n int) []byte {
	g := make([]byte, 1, n+1)
	g[0] = 1
	for i := range n {
		// Multiply by (x + αⁱ); in GF(2⁸) subtraction is addition (XOR).
		next := make([]byte, len(g)+1)
		for j, c := range g {
			next[j] ^= c
			next[j+1] ^= gfMul(c, gfExp[i])
		}
		g = next
	}
	return g
}

// rsRemainder returns the len(gen)−1 error correction codewords of data:
// polynomial long division, data codewords being the coefficients from the
// highest power down.
func rsRemainder(data, gen []byte) []byte {
	n := len(gen) - 1
	rem := make([]byte, n)
	for _, d := range data {
		factor := d ^ rem[0]
		copy(rem, rem[1:])
		rem[n-1] = 0
		for j := range n {
			rem[j] ^= gfMul(gen[j+1], factor)
		}
	}
	return rem
}
