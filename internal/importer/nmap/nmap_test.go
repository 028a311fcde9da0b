package nmap

import (
	"os"
	"strings"
	"testing"

	"github.com/vigil-med/vigil/internal/domain"
	"github.com/vigil-med/vigil/internal/importer/importertest"
)

// TestGolden reads every scan in testdata (localhost.xml is a real
// nmap 7.93 -sV -O scan of 127.0.0.1) and compares the records with the
// .golden.json beside it.
func TestGolden(t *testing.T) {
	importertest.GoldenFiles(t, "testdata/*.xml", 2, "Nmap XML", Detect, Parse)
}

func TestErrors(t *testing.T) {
	cases := []struct{ name, in, want string }{
		{"Truncated", "<nmaprun>\n<host><address addr=\"10.0.0.1\" addrtype=\"ipv4\"/>", "scan.xml:2:"},
		{"BadMAC", "<nmaprun>\n<host><status state=\"up\"/>\n<address addr=\"zz\" addrtype=\"mac\"/></host></nmaprun>", "scan.xml:2: MAC address \"zz\""},
		{"BadIP", "<nmaprun>\n\n<host><address addr=\"10.0.0\" addrtype=\"ipv4\"/></host></nmaprun>", "scan.xml:3: address \"10.0.0\""},
		{"NotNmap", "<html></html>", "scan.xml: not Nmap XML"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			_, err := Parse("scan.xml", strings.NewReader(c.in))
			if domain.ErrorCode(err) != domain.CodeInvalid || !strings.HasPrefix(domain.ErrorMessage(err), c.want) {
				t.Fatalf("error %q, want it to start %q", domain.ErrorMessage(err), c.want)
			}
		})
	}
}

func FuzzParse(f *testing.F) {
	for _, p := range []string{"testdata/localhost.xml", "testdata/ward-lan.xml"} {
		b, _ := os.ReadFile(p)
		f.Add(string(b)) // real and hand-made scans
	}
	f.Add("<nmaprun><host><address addr=\"::1\" addrtype=\"ipv6\"/></host></nmaprun>") // IPv6 only
	f.Add("<nmaprun><host/></nmaprun>")                                                // a host with nothing
	f.Fuzz(func(t *testing.T, s string) {
		recs, err := Parse("f.xml", strings.NewReader(s))
		if err == nil && recs == nil {
			t.Fatal("nil records without error")
		}
		if err != nil && domain.ErrorCode(err) != domain.CodeInvalid {
			t.Fatalf("error code %q: %v", domain.ErrorCode(err), err)
		}
	})
}
