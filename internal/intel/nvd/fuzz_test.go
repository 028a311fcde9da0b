package nvd_test

import (
	"bytes"
	"path/filepath"
	"strings"
	"testing"

	"github.com/vigil-med/vigil/internal/domain"
	"github.com/vigil-med/vigil/internal/intel/feed/feedtest"
	"github.com/vigil-med/vigil/internal/intel/nvd"
	"github.com/vigil-med/vigil/internal/vigiltest"
)

// FuzzReadNVD feeds arbitrary bytes through Read. Nothing may panic; an
// error must be CodeInvalid and name the file; every CVE passed must have
// a valid id and only vulnerable CPE 2.3 matches.
func FuzzReadNVD(f *testing.F) {
	for _, dir := range []string{"nvd/api-2.0-records", "nvd/cve-json5-vulnrichment"} { // one real record of each single-record format
		files, _ := filepath.Glob(filepath.Join(vigiltest.SharedData(f, dir), "*.json"))
		f.Add(feedtest.ReadFile(f, files[0]))
	}
	for _, p := range feedtest.Fixtures(f, 6, "testdata/*.json") { // AND configurations, each kind of bad input
		f.Add(feedtest.ReadFile(f, p))
	}
	f.Add([]byte(`{"CVE_Items":[{"configurations":{"nodes":[{"operator":"AND","children":[{"children":[{}]}]}]}}]}`)) // deep 1.1 nodes
	f.Add([]byte(`{"format":"NVD_CVE","vulnerabilities":[{"cve":null}]}`))                                            // null record
	f.Add([]byte("\x1f\x8b\x08\x00\x00\x00\x00\x00"))                                                                 // a gzip header alone
	f.Fuzz(func(t *testing.T, data []byte) {
		_, err := nvd.Read("f.json", bytes.NewReader(data), func(c domain.CVE) error {
			if !strings.HasPrefix(c.ID, "CVE-") {
				t.Fatalf("CVE without id: %+v", c)
			}
			for _, m := range c.Matches {
				if !m.Vulnerable || !strings.HasPrefix(m.Criteria, "cpe:2.3:") {
					t.Fatalf("bad match %+v", m)
				}
			}
			return nil
		})
		if err != nil {
			feedtest.CheckError(t, "f.json", err)
		}
	})
}
