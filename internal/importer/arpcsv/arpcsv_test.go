package arpcsv

import (
	"io"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/vigil-med/vigil/internal/domain"
	"github.com/vigil-med/vigil/internal/importer/importertest"
)

var taken = time.Date(2025, 11, 29, 8, 0, 0, 0, time.UTC)

// TestGolden reads each table in testdata — a Cisco "show ip arp" export
// and a Windows DHCP lease export (semicolons, BOM, CRLF) — and compares
// the records with the .golden.json beside it.
func TestGolden(t *testing.T) {
	importertest.GoldenFiles(t, "testdata/*.csv", 2, "an ARP/DHCP table", Detect, func(name string, r io.Reader) (*domain.DiscoveryRecords, error) { return Parse(name, r, taken) })
}

func TestErrors(t *testing.T) {
	cases := []struct{ name, in, want string }{
		{"NoMACColumn", "IP,Name\n10.0.0.1,x\n", "t.csv:1:1: the header names no IP column or no MAC column"},
		{"BadIP", "IP,MAC\n10.0.0.1,00:11:22:33:44:55\n10.0.0,00:11:22:33:44:56\n", "t.csv:3:1: \"10.0.0\" is not an IP address"},
		{"BadMAC", "IP,MAC\n10.0.0.1,00:11:22:33:44\n", "t.csv:2:10: invalid MAC address"},
		{"BadVLAN", "IP;MAC;VLAN\n10.0.0.1;00:11:22:33:44:55;5000\n", "t.csv:2:28: VLAN \"5000\""},
		{"BadQuote", "IP,MAC\n\"10.0.0.1,00:11:22:33:44:55\n", "t.csv:"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			_, err := Parse("t.csv", strings.NewReader(c.in), taken)
			if domain.ErrorCode(err) != domain.CodeInvalid || !strings.HasPrefix(domain.ErrorMessage(err), c.want) {
				t.Fatalf("error %q, want it to start %q", domain.ErrorMessage(err), c.want)
			}
		})
	}
}

func FuzzParse(f *testing.F) {
	for _, p := range []string{"testdata/cisco-arp.csv", "testdata/windows-dhcp.csv"} {
		b, _ := os.ReadFile(p)
		f.Add(string(b)) // the real-form exports
	}
	f.Add("IP\tMAC\tVLAN\n::1\t00-11-22-33-44-55\tvlan7\n") // tabs, IPv6, "vlan7"
	f.Add("IP,MAC\n,\n\"")                                  // empty cells, a dangling quote
	f.Fuzz(func(t *testing.T, s string) {
		recs, err := Parse("f.csv", strings.NewReader(s), taken)
		if err == nil && recs == nil {
			t.Fatal("nil records without error")
		}
		if err != nil && domain.ErrorCode(err) != domain.CodeInvalid {
			t.Fatalf("error code %q: %v", domain.ErrorCode(err), err)
		}
	})
}
