package dhcplease

import (
	"os"
	"strings"
	"testing"

	"github.com/vigil-med/vigil/internal/domain"
	"github.com/vigil-med/vigil/internal/importer/importertest"
)

// TestGolden reads every lease file in testdata (written in the form
// isc-dhcp-server 4.4 writes) and compares the records with the
// .golden.json beside it.
func TestGolden(t *testing.T) {
	importertest.GoldenFiles(t, "testdata/*.leases", 1, "a lease file", Detect, Parse)
}

func TestErrors(t *testing.T) {
	cases := []struct{ name, in, want string }{
		{"Unclosed", "lease 10.0.0.1 {\n  starts 6 2025/11/29 06:58:12;\n", "d.leases:1: the lease is not closed"},
		{"MissingSemicolon", "lease 10.0.0.1 {\n  starts 6 2025/11/29 06:58:12\n}\n", "d.leases:3: unexpected \"}\""},
		{"BadAddress", "\nlease 10.0.0 {\n}\n", "d.leases:2: lease address"},
		{"BadMAC", "lease 10.0.0.1 {\n starts 6 2025/11/29 06:58:12;\n hardware ethernet zz;\n}", "d.leases:1: hardware address"},
		{"OpenString", "lease 10.0.0.1 {\n client-hostname \"abc;\n}", "d.leases:2: a quoted string is not closed"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			_, err := Parse("d.leases", strings.NewReader(c.in))
			if domain.ErrorCode(err) != domain.CodeInvalid || !strings.HasPrefix(domain.ErrorMessage(err), c.want) {
				t.Fatalf("error %q, want it to start %q", domain.ErrorMessage(err), c.want)
			}
		})
	}
}

func FuzzParse(f *testing.F) {
	b, _ := os.ReadFile("testdata/dhcpd.leases")
	f.Add(string(b))                                        // a real-form lease file
	f.Add("lease 10.0.0.1 { uid \"\\001\\0\"; }")           // a short octal escape
	f.Add("failover peer \"x\" { primary; }\nlease ::1 {}") // a block to skip, an IPv6 lease
	f.Fuzz(func(t *testing.T, s string) {
		recs, err := Parse("f.leases", strings.NewReader(s))
		if err == nil && recs == nil {
			t.Fatal("nil records without error")
		}
		if err != nil && domain.ErrorCode(err) != domain.CodeInvalid {
			t.Fatalf("error code %q: %v", domain.ErrorCode(err), err)
		}
	})
}
