package qr

import (
	"bytes"
	"fmt"
	"image/png"
	"os"
	"os/exec"
	"path/filepath"
	"testing"
)

// zbarimg returns the path of zbarimg (Debian's zbar-tools), an
// independent QR reader. Without it the round-trip tests are skipped,
// unless VIGIL_REQUIRE_ZBAR is set (as CI sets it), when they fail.
func zbarimg(t *testing.T) string {
	t.Helper()
	path, err := exec.LookPath("zbarimg")
	if err != nil {
		if os.Getenv("VIGIL_REQUIRE_ZBAR") != "" {
			t.Fatal("zbarimg is required (VIGIL_REQUIRE_ZBAR is set) but not installed: apt-get install zbar-tools")
		}
		t.Skip("zbarimg not installed (apt-get install zbar-tools); QR round trips skipped")
	}
	return path
}

// decode renders the symbol to a PNG file and has zbarimg read it back,
// returning the bytes it found.
func decode(t *testing.T, zbar string, c *Code, scale int) []byte {
	t.Helper()
	file := filepath.Join(t.TempDir(), "qr.png")
	f, err := os.Create(file)
	if err != nil {
		t.Fatal(err)
	}
	if err := png.Encode(f, c.Image(scale)); err != nil {
		t.Fatal(err)
	}
	if err := f.Close(); err != nil {
		t.Fatal(err)
	}
	// Only QR codes, the data as raw bytes (no charset guessing), no
	// desktop bus.
	cmd := exec.Command(zbar, "--quiet", "--raw", "--nodbus", "-Sdisable", "-Sqrcode.enable", "-Sbinary", file)
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	if err != nil {
		t.Fatalf("zbarimg could not read the version %d-%s symbol (mask %d): %v\n%s", c.Version, c.Level, c.Mask, err, stderr.String())
	}
	return out
}

// Ensure an independent reader decodes every version and level this
// package draws, each filled to capacity, back to the same bytes.
func TestZbarRoundTrip(t *testing.T) {
	zbar := zbarimg(t)
	for v := 1; v <= MaxVersion; v++ {
		for l := L; l <= H; l++ {
			t.Run(fmt.Sprintf("%d-%s", v, l), func(t *testing.T) {
				data := make([]byte, Capacity(v, l))
				for i := range data {
					data[i] = byte(' ' + (i*7+v*13+int(l))%95) // printable ASCII, varied
				}
				c, err := Encode(data, l)
				if err != nil || c.Version != v {
					t.Fatalf("Encode: version %d, %v", c.Version, err)
				}
				if got := decode(t, zbar, c, 3); !bytes.Equal(got, data) {
					t.Fatalf("decoded %q\nwant    %q", got, data)
				}
			})
		}
	}
}

// Ensure the symbols Vigil shows decode: an otpauth URI, UTF-8 text, and
// every byte value.
func TestZbarRoundTrip_Bytes(t *testing.T) {
	zbar := zbarimg(t)
	every := make([]byte, 256)
	for i := range every {
		every[i] = byte(i)
	}
	for name, data := range map[string][]byte{
		"otpauth": []byte("otpauth://totp/Vigil:nurse.lee%2Bicu@lakeside-family-medicine.example?secret=GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ&issuer=Vigil"),
		"utf8":    []byte("Zürich clinic — infusion pump ✓"),
		"bytes":   every,
		"empty":   {},
	} {
		t.Run(name, func(t *testing.T) {
			for _, l := range []Level{L, M} {
				c, err := Encode(data, l)
				if err != nil {
					if l == M && len(data) > Capacity(MaxVersion, M) {
						continue
					}
					t.Fatal(err)
				}
				if got := decode(t, zbar, c, 4); !bytes.Equal(got, data) {
					t.Fatalf("level %s: decoded %q\nwant %q", l, got, data)
				}
			}
		})
	}
}
