package csaf_test

import (
	"bytes"
	"os"
	"testing"

	"github.com/vigil-med/vigil/internal/intel/csaf"
	"github.com/vigil-med/vigil/internal/intel/feed/feedtest"
)

// FuzzReadCSAF feeds arbitrary bytes through Read and VEX. Nothing may
// panic; an error must be CodeInvalid and name the file; an advisory must
// keep its invariants (unique, defined product ids).
func FuzzReadCSAF(f *testing.F) {
	for _, path := range sharedAdvisories(f)[:8] { // real ICSMA advisories
		data, err := os.ReadFile(path)
		if err != nil {
			f.Fatal(err)
		}
		f.Add(data)
	}
	for _, path := range feedtest.Fixtures(f, 4, "testdata/*.json") { // relationships, groups, VEX, each kind of bad input
		f.Add(feedtest.ReadFile(f, path))
	}
	f.Add([]byte(`{"product_tree":{"branches":[{"branches":[{"branches":[]}]}]}}`)) // empty nested branches
	f.Add([]byte(`{"document":null,"vulnerabilities":[null,{}]}`))                  // nulls where objects go
	f.Fuzz(func(t *testing.T, data []byte) {
		a, err := csaf.Read("f.json", bytes.NewReader(data))
		if err != nil {
			feedtest.CheckError(t, "f.json", err)
			return
		}
		checkInvariants(t, a)
		for _, s := range csaf.VEX(a) {
			if s.Vuln == "" || len(s.Products) == 0 {
				t.Fatalf("empty VEX statement %+v", s)
			}
		}
	})
}
