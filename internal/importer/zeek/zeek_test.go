package zeek

import (
	"os"
	"strings"
	"testing"

	"github.com/vigil-med/vigil/internal/domain"
	"github.com/vigil-med/vigil/internal/importer/importertest"
)

// TestGolden reads every log in testdata (conn.log and dhcp.log in
// Zeek's tab-separated form, dns.log and http.log as JSON lines) and
// compares the records with the .golden.json beside it.
func TestGolden(t *testing.T) {
	importertest.GoldenFiles(t, "testdata/*.log", 4, "a Zeek log", Detect, Parse)
}

func TestErrors(t *testing.T) {
	hdr := "#separator \\x09\n#path\tconn\n#fields\tts\tid.orig_h\tid.resp_h\tid.resp_p\tproto\n"
	cases := []struct{ name, in, want string }{
		{"FieldCount", hdr + "1.0\t10.0.0.1\t10.0.0.2\t80\n", "x.log:4: 4 fields, the #fields header names 5"},
		{"BadAddr", hdr + "1.0\t10.0.0\t10.0.0.2\t80\ttcp\n", "x.log:4: id.orig_h \"10.0.0\""},
		{"BadPort", hdr + "1.0\t10.0.0.1\t10.0.0.2\thttp\ttcp\n", "x.log:4: id.resp_p \"http\" is not a count"},
		{"BadTime", hdr + "yesterday\t10.0.0.1\t10.0.0.2\t80\ttcp\n", "x.log:4: ts \"yesterday\""},
		{"NoHeader", "1.0\t10.0.0.1\n", "x.log:1: a data line before the #fields header"},
		{"BadJSON", "{\"ts\":1,\"uid\":\"C\",\"query\":\"x\",\"rcode\":0}\n{\"ts\":\n", "x.log:2: not a JSON object"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			_, err := Parse("x.log", strings.NewReader(c.in))
			if domain.ErrorCode(err) != domain.CodeInvalid || !strings.HasPrefix(domain.ErrorMessage(err), c.want) {
				t.Fatalf("error %q, want it to start %q", domain.ErrorMessage(err), c.want)
			}
		})
	}
}

func FuzzParse(f *testing.F) {
	for _, p := range []string{"testdata/conn.log", "testdata/dhcp.log", "testdata/dns.log", "testdata/http.log"} {
		b, _ := os.ReadFile(p)
		f.Add(string(b)) // each log in its real form
	}
	f.Add("#separator ,\n#fields,ts,id.orig_h\n1e300,::1\n") // another separator, a huge time
	f.Fuzz(func(t *testing.T, s string) {
		recs, err := Parse("f.log", strings.NewReader(s))
		if err == nil && recs == nil {
			t.Fatal("nil records without error")
		}
		if err != nil && domain.ErrorCode(err) != domain.CodeInvalid {
			t.Fatalf("error code %q: %v", domain.ErrorCode(err), err)
		}
	})
}

func TestSeparator(t *testing.T) {
	recs, err := Parse("c.log", strings.NewReader("#separator ,\n#fields,ts,id.orig_h,query,rcode\n1764399800.5,10.0.0.7,example.org,0\n"))
	if err != nil || len(recs.Observations) != 1 || recs.Observations[0].Value != "example.org" || recs.Observations[0].IP.String() != "10.0.0.7" {
		t.Fatalf("%v %+v", err, recs)
	}
}
