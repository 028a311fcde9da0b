package qr

import (
	"errors"
	"testing"
)

// FuzzEncode checks that any bytes either encode into a symbol that reads
// back to them (up to the capacity of version 10 at the level) or are
// refused with ErrTooLong beyond it, and never panic.
func FuzzEncode(f *testing.F) {
	f.Add([]byte{}, uint8(M))                                                                    // empty data: version 1, all padding
	f.Add([]byte("otpauth://totp/Vigil:pat@msp.example?secret=JBSWY3DP&issuer=Vigil"), uint8(M)) // what Vigil draws
	f.Add(make([]byte, 213), uint8(M))                                                           // exactly the version 10-M capacity
	f.Add(make([]byte, 214), uint8(M))                                                           // one byte too many
	f.Add(make([]byte, 271), uint8(L))                                                           // the largest symbol drawn
	f.Add([]byte{0xEC, 0x11, 0xEC, 0x11}, uint8(H))                                              // data that looks like padding
	f.Add([]byte("x"), uint8(7))                                                                 // not a level
	f.Fuzz(func(t *testing.T, data []byte, level uint8) {
		l := Level(level)
		c, err := Encode(data, l)
		switch {
		case l > H:
			if !errors.Is(err, ErrLevel) {
				t.Fatalf("level %d: %v", level, err)
			}
		case len(data) > Capacity(MaxVersion, l):
			if !errors.Is(err, ErrTooLong) || c != nil {
				t.Fatalf("%d bytes at %s: %v", len(data), l, err)
			}
		case err != nil:
			t.Fatalf("%d bytes at %s: %v", len(data), l, err)
		default:
			if c.Size != 17+4*c.Version || c.Mask < 0 || c.Mask > 7 || len(data) > Capacity(c.Version, l) {
				t.Fatalf("symbol %+v for %d bytes", c, len(data))
			}
			checkReadBack(t, c, data)
		}
	})
}
