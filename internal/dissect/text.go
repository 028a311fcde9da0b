package dissect

import (
	"unicode/utf8"

	"github.com/vigil-med/vigil/internal/domain"
)

// maxValue bounds the length of any text value taken from a packet.
const maxValue = 255

// observeB is observe for a value still in packet bytes: it cleans the
// text and converts it to a string only if the fact is new.
func (d *Decoder) observeB(h host, kind domain.ObservationKind, value []byte, evidence string) {
	var buf [maxValue + 8]byte
	v := cleanText(buf[:0], value)
	if len(v) == 0 {
		return
	}
	d.observeRaw(h, kind, v, evidence)
}

// observeRaw is observe for a value given as bytes, already clean: the
// bytes become a string only for a fact not reported yet.
func (d *Decoder) observeRaw(h host, kind domain.ObservationKind, v []byte, evidence string) {
	k := d.seen.keyB(h, kind, v)
	if d.seen.has(k) {
		return
	}
	d.report(h, kind, string(v), evidence, &k)
}

// cleanText appends value to dst with surrounding spaces trimmed, control
// characters and invalid UTF-8 replaced by '?', and at most maxValue bytes.
func cleanText(dst, value []byte) []byte {
	for len(value) > 0 && (value[0] == ' ' || value[0] == '\t' || value[0] == 0) {
		value = value[1:]
	}
	for len(value) > 0 {
		c := value[len(value)-1]
		if c != ' ' && c != '\t' && c != 0 && c != '\r' && c != '\n' {
			break
		}
		value = value[:len(value)-1]
	}
	for len(value) > 0 && len(dst) < maxValue {
		// Printable ASCII (most of any value) is copied a run at a time.
		i, room := 0, min(len(value), maxValue-len(dst))
		for i < room && value[i] >= 0x20 && value[i] < 0x7f {
			i++
		}
		if i > 0 {
			dst = append(dst, value[:i]...)
			value = value[i:]
			continue
		}
		c := value[0]
		if c < utf8.RuneSelf {
			if c == '\n' || c == '\r' || c == '\t' {
				c = ' ' // multi-line descriptions become one line
			} else if c < 0x20 || c == 0x7f {
				c = '?'
			}
			dst = append(dst, c)
			value = value[1:]
			continue
		}
		r, n := utf8.DecodeRune(value)
		if r == utf8.RuneError || len(dst)+n > maxValue {
			dst = append(dst, '?')
		} else {
			dst = append(dst, value[:n]...)
		}
		value = value[n:]
	}
	return dst
}

// cleanString is cleanText for values built as strings.
func cleanString(s string) string {
	var buf [maxValue + 8]byte
	return string(cleanText(buf[:0], []byte(s)))
}

const hexdigits = "0123456789abcdef"

func appendHex(dst, b []byte) []byte {
	for _, c := range b {
		dst = append(dst, hexdigits[c>>4], hexdigits[c&0xf])
	}
	return dst
}
